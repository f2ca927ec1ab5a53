package tui

import (
	"context"
	"errors"

	"attractor/analysis"
	"attractor/saved"
)

// SessionReport returns the report of network n as the UI computes it:
// its protocol (ProtocolFor), the census of its fixed-point stage and the
// verdict of its verdict stage's full pass, each run exactly as the
// background stages run them, assembled as its report stage assembles the
// report the verdict pane renders. It is the report `attractor inspect
// --json` prints for the same file and default settings.
func SessionReport(ctx context.Context, name string, n *saved.Network) (*analysis.Report, error) {
	if n == nil || n.Net == nil {
		return nil, errors.New("no network")
	}
	p := ProtocolFor(n)
	job := analysisJob{net: n.Net.Clone(), proto: p, file: n}
	pd, err := runPortrait(ctx, job)
	if err != nil {
		return nil, err
	}
	fd, err := runFixed(ctx, job, pd)
	if err != nil {
		return nil, err
	}
	vd, err := runVerdict(ctx, verdictJob{net: n.Net.Clone(), proto: p, file: n})
	if err != nil {
		return nil, err
	}
	return runReport(ctx, reportJob{name: name, file: n, proto: p, census: fd.census, verdict: vd})
}
