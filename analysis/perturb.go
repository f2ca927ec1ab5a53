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

// PerturbExperiments chooses the curves [PerturbCurves] runs; an empty
// list skips its experiment.
type PerturbExperiments struct {
	// Noise lists the noise strengths σ on stimulus 1; Gaussian draws
	// N(0, σ²) instead of the authors' σ·U[0,1) + 0.5.
	Noise    []float64
	Gaussian bool
	// ExtendDelay lists the extensions Δ of delay 1, in model time units.
	ExtendDelay []float64
	// Kicks lists the state kicks at the delay start, RMS per unit.
	Kicks []float64
	// Interrupt lists the numbers n_off of neurons whose input weights are
	// zeroed during stimulus 1.
	Interrupt []int
}

// PerturbCurves runs the chosen experiments of inspect on trials (from
// [PerturbTrials]) in the order noise, extended delay, kicks, interruption,
// and returns their curves in that order. Before each experiment it calls
// stage, when not nil, with the experiment's label ("noise", "extended
// delay", "kicks", "interruption") and uses the function it returns as that
// experiment's progress; set's own Progress is replaced then.
func PerturbCurves(ctx context.Context, net model.Network, trials []inspect.Trial, e PerturbExperiments, set inspect.PerturbSettings,
	stage func(label string) func(done, total int)) ([]*inspect.Curve, error) {
	begin := func(label string) {
		if stage != nil {
			set.Progress = stage(label)
		}
	}
	var curves []*inspect.Curve
	add := func(cv *inspect.Curve, err error) error {
		if err == nil {
			curves = append(curves, cv)
		}
		return err
	}
	if e.Noise != nil {
		kind := inspect.NoiseUniformOffset
		if e.Gaussian {
			kind = inspect.NoiseGaussian
		}
		begin("noise")
		if err := add(inspect.NoiseCurve(ctx, net, trials, kind, e.Noise, &set)); err != nil {
			return nil, err
		}
	}
	if e.ExtendDelay != nil {
		begin("extended delay")
		if err := add(inspect.ExtendDelayCurve(ctx, net, trials, e.ExtendDelay, &set)); err != nil {
			return nil, err
		}
	}
	if e.Kicks != nil {
		begin("kicks")
		if err := add(inspect.KickCurve(ctx, net, trials, e.Kicks, &set)); err != nil {
			return nil, err
		}
	}
	if e.Interrupt != nil {
		begin("interruption")
		if err := add(inspect.InterruptCurve(ctx, net, trials, e.Interrupt, &set)); err != nil {
			return nil, err
		}
	}
	return curves, nil
}
