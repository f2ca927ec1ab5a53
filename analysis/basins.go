package analysis

import (
	"context"
	"fmt"

	"attractor/inspect"
	"attractor/saved"
)

// Basins returns the basin fractions of the report's stable points
// (inspect.BasinFractions) from 256 states spread evenly along the
// trajectories of the protocol's trials, with the cloud and noise sets of
// inspect's default BasinSettings; input is the constant input held during
// the relaxation (nil: zero) and seed seeds the cloud and the noise. The
// attractors are labelled "point K", K counting the report's fixed points
// from 1, so a fraction names its point in r.FixedPoints.
func Basins(ctx context.Context, n *saved.Network, p *Protocol, r *Report, input []float64, seed uint64) (*inspect.BasinReport, error) {
	var atts []inspect.Attractor
	for i, fp := range r.FixedPoints {
		if fp.Kind == inspect.Stable.String() {
			atts = append(atts, inspect.Attractor{Label: fmt.Sprintf("point %d", i+1), ID: i + 1, States: [][]float64{fp.XStar}})
		}
	}
	trials := p.Trials()
	total := 0
	for i := range trials {
		total += trials[i].Steps()
	}
	starts, err := inspect.TrialStates(ctx, n.Net, trials, max(1, total/256), nil)
	if err != nil {
		return nil, err
	}
	return inspect.BasinFractions(ctx, inspect.BasinProblem{Net: n.Net, Input: input, Starts: starts, Attractors: atts},
		&inspect.BasinSettings{Seed: seed})
}
