package analysis

import (
	"context"
	"fmt"
	"math"

	"attractor/inspect"
	"attractor/model"
)

// PerturbTrials returns the protocol's trials for the perturbation curves
// of inspect (noise, extended delay, kicks, interruption). A condition
// without a target is scored against its own unperturbed trial: its Target
// becomes the clean score, so the curves measure how far a perturbation
// moves the readout. The curves read a readout channel, so a network
// without one is an error.
func PerturbTrials(ctx context.Context, net model.Network, p *Protocol) ([]inspect.Trial, error) {
	if net.Dims().Output == 0 {
		return nil, fmt.Errorf("the %s network has no readout: the perturbation curves measure their error on it", net.Family())
	}
	trials := p.Trials()
	for i := range trials {
		tr := &trials[i]
		if tr.Score.Len() <= 0 {
			return nil, fmt.Errorf("trial %q has no score window", tr.Name)
		}
		if tr.Channel >= net.Dims().Output {
			return nil, fmt.Errorf("trial %q is scored on readout channel %d; the network has %d", tr.Name, tr.Channel, net.Dims().Output)
		}
		if math.IsNaN(tr.Target) {
			z, err := inspect.TrialScore(ctx, net, tr)
			if err != nil {
				return nil, err
			}
			tr.Target = z
		}
	}
	return trials, nil
}
