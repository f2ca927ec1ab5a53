package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"attractor/saved"
	"attractor/train"
	"attractor/train/task"
)

// taskNet returns the (untrained) network and manifest a trainer writes
// for the named task: the protocols are built from exactly that record.
func taskNet(t testing.TB, name string, tweak func(any)) *saved.Network {
	t.Helper()
	switch name {
	case "dcdt":
		cfg := train.DefaultLeaky()
		cfg.Hidden, cfg.Epochs, cfg.Seed = 12, 1, 3
		if tweak != nil {
			tweak(&cfg)
		}
		s, err := train.NewLeakySession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s.Network()
	case "spm":
		cfg := train.DefaultForceSPM()
		cfg.Hidden, cfg.Trials, cfg.Seed = 20, 1, 4
		s, err := train.NewForceSPMSession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s.Network()
	}
	cfg := train.DefaultSeq()
	cfg.Task, cfg.Hidden, cfg.Epochs, cfg.Seed = name, 10, 1, 5
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := train.NewSeqSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s.Network()
}

// protoInputs returns the inputs of every step of a trial of condition c,
// with nil rows as zero vectors of width in.
func protoInputs(p *Protocol, c, in int) [][]float64 {
	rows := make([][]float64, p.Steps(c))
	for t := range rows {
		rows[t] = make([]float64, in)
		copy(rows[t], p.Input(c, t))
	}
	return rows
}

// batchInputs returns the inputs of trial k of b.
func batchInputs(b *task.Batch, k int) [][]float64 {
	rows := make([][]float64, b.Steps)
	for t := range rows {
		rows[t] = append([]float64(nil), b.In(t, k)...)
	}
	return rows
}

func sameRows(t *testing.T, what string, got, want [][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d steps, want %d", what, len(got), len(want))
	}
	for i := range got {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Fatalf("%s: step %d input %v, want %v", what, i, got[i], want[i])
		}
	}
}

// The analysis runs on a task protocol: one trajectory per condition over
// the whole trial, and a fixed-point search with the delay's zero input.
func TestAnalysisOnTaskProtocol(t *testing.T) {
	n := taskNet(t, "dcdt", nil)
	p := ProtocolFor(n)
	job := analysisJob{net: n.Net.Clone(), proto: p, inits: 8}
	pd, err := runPortrait(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	for c := range p.Conditions {
		if len(pd.xs[c]) != p.Steps(c)+1 {
			t.Errorf("condition %d: %d projected states, want %d", c, len(pd.xs[c]), p.Steps(c)+1)
		}
	}
	fd, err := runFixed(context.Background(), job, pd)
	if err != nil {
		t.Fatal(err)
	}
	if len(fd.res.Candidates) != 8 || fd.census == nil || fd.census.Coverage.Adaptive {
		t.Errorf("%d candidates, want a fixed census of 8", len(fd.res.Candidates))
	}
}

// 'd' and 'D' on a DCDT network change the delay by 5 ms and re-analyse.
func TestDelayKeysDCDT(t *testing.T) {
	c := testContext(t)
	m := New(c, "dcdt", taskNet(t, "dcdt", nil))
	press(m, "D")
	if m.s.proto.Delay != 33 || !strings.Contains(m.status, "165 ms") {
		t.Errorf("after 'D': delay %d steps, status %q; want 33 steps (165 ms)", m.s.proto.Delay, m.status)
	}
	press(m, "d")
	press(m, "d")
	if m.s.proto.Delay != 31 {
		t.Errorf("after 'd' twice: delay %d steps, want 31", m.s.proto.Delay)
	}
}

// A task record the network does not fit falls back to the generic
// protocol with a note that says why.
func TestProtocolFallback(t *testing.T) {
	n := taskNet(t, "spm", nil)
	other := taskNet(t, "flipflop", func(c any) { c.(*train.SeqConfig).Bits = 3 })
	n.Manifest.Task = other.Manifest.Task
	p := ProtocolFor(n)
	if p.Source != "generic" || !strings.Contains(p.Note, "flipflop") || !strings.Contains(p.Note, "input") {
		t.Errorf("mismatched task: source %q, note %q", p.Source, p.Note)
	}
}
