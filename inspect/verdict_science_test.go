//go:build science

package inspect

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"attractor/model"
	"attractor/train"
	"attractor/train/task"
)

// vdsTrials builds the 16 SPM trials of the authors' protocol (4 trial-end
// initial conditions × 4 trial types) for a trained network, and the 4
// initial conditions: the ends of one trial of each type run from x (the
// origin when x is nil).
func vdsTrials(t *testing.T, net model.Network, spm *task.SPM, x []float64) ([]Trial, [][]float64) {
	t.Helper()
	conv := func(b *task.Batch, x0 []float64, cond int) Trial {
		tr := Trial{X0: append([]float64(nil), x0...), Condition: cond, Score: StepWindow{b.Steps - 1, b.Steps},
			Target: b.Target(b.Steps-1, 0)[0]}
		for s := 0; s < b.Steps; s++ {
			tr.Inputs = append(tr.Inputs, append([]float64(nil), b.In(s, 0)...))
		}
		w, _ := b.Window("stimulus 1")
		tr.Stimulus = StepWindow{w.Start, w.End}
		w, _ = b.Window("delay 1")
		tr.Delay = StepWindow{w.Start, w.End}
		return tr
	}
	var ends [][]float64
	for typ := 0; typ < 4; typ++ {
		if x == nil {
			x = make([]float64, net.Dims().State)
		}
		tr := conv(spm.Trials([]int{typ}, model.NewRNG(9, 50)), x, typ/2)
		_, e, err := TrialProbes(context.Background(), net, []Trial{tr})
		if err != nil {
			t.Fatal(err)
		}
		ends = append(ends, e[0])
	}
	var trials []Trial
	for ic, x0 := range ends {
		for typ := 0; typ < 4; typ++ {
			trials = append(trials, conv(spm.Trials([]int{typ}, model.NewRNG(9, uint64(100+4*ic+typ))), x0, typ/2))
			trials[len(trials)-1].Name = fmt.Sprintf("type %d from IC %d", typ, ic+1)
		}
	}
	return trials, ends
}

// TestGhazizadehScience trains three small networks by FORCE on the SPM task
// (science spec §3), classifies them and runs the extended-delay and noise
// experiments, logging the numbers against EC-18…EC-21.
func TestGhazizadehScience(t *testing.T) {
	cfgs := []train.ForceSPMConfig{
		{Hidden: 200, Density: 0.2, G: 1.5, FB: 1, Alpha: 1, Trials: 800, Seed: 1},  // proposed DFP exemplar (§10 item 3)
		{Hidden: 200, Density: 0.1, G: 1.2, FB: 20, Alpha: 1, Trials: 800, Seed: 2}, // proposed IFP exemplar
		{Hidden: 200, Density: 0.2, G: 0.9, FB: 5, Alpha: 1, Trials: 800, Seed: 3},  // g < 1: no LC expected (EC-17)
	}
	ctx := context.Background()
	for _, cfg := range cfgs {
		start := time.Now()
		s, err := train.NewForceSPMSession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < cfg.Trials; i++ {
			if _, err := s.Step(ctx); err != nil {
				t.Fatal(err)
			}
		}
		net := s.Force.Net
		test, err := train.TestSPM(net, s.Task, s.Force.State(), 2, cfg.Seed, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		trained := time.Since(start)
		trials, ends := vdsTrials(t, net, s.Task, nil)
		mem, _, err := TrialProbes(ctx, net, trials)
		if err != nil {
			t.Fatal(err)
		}
		delay, err := TrialStates(ctx, net, trials, 25, func(tr *Trial) StepWindow { return tr.Delay })
		if err != nil {
			t.Fatal(err)
		}
		res, err := GhazizadehVerdict(ctx, net, GhazizadehInput{Memory: mem, Ends: ends, TrialSteps: s.Task.TrialSteps(),
			Encodings: s.Task.Encoding[:], DelayStates: delay},
			&GhazizadehSettings{Copies: 2, Code: CodeSettings{Copies: 5, RunTrials: 10}})
		if err != nil {
			t.Fatal(err)
		}
		v := res.Verdict
		if !map[string]bool{"DFP": true, "IFP": true, "LC": true, "Mix": true}[v.Label] {
			t.Errorf("g %v fb %v: label %q", cfg.G, cfg.FB, v.Label)
		}
		// EC-21: a DFP network is not chaotic — no probe ends elsewhere than
		// at a fixed point.
		if v.Label == "DFP" {
			for _, p := range res.Probes {
				if p.End.Kind != EndFixedPoint {
					t.Errorf("DFP net with a probe ending %v (λ_max %v)", p.End.Kind, p.End.Lyapunov)
				}
			}
		}
		ext, err := ExtendDelayCurve(ctx, net, trials, []float64{0, 2.5, 5, 10, 25}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ext.Points[0].Mean != 0 {
			t.Errorf("Δ = 0 error %v, want exactly 0", ext.Points[0].Mean)
		}
		noiseU, err := NoiseCurve(ctx, net, trials, NoiseUniformOffset, []float64{0.1, 0.5, 1, 5}, &PerturbSettings{Repeats: 2})
		if err != nil {
			t.Fatal(err)
		}
		noiseG, err := NoiseCurve(ctx, net, trials, NoiseGaussian, []float64{0.1, 0.5, 1, 5}, &PerturbSettings{Repeats: 2})
		if err != nil {
			t.Fatal(err)
		}
		sat := vdsSaturation(net, trials)
		t.Logf("g=%v fb=%v p=%v N=%d trials=%d: trained in %v, test RMSE max %.3g (trainable %v)", cfg.G, cfg.FB, cfg.Density,
			cfg.Hidden, cfg.Trials, trained.Round(time.Second), test.Max, test.Trainable)
		t.Logf("verdict %s; code %s (%s); saturation ratio over delay 1 %.3f (EC-20)\n%s%s", v.Label, res.Code.Label,
			CodeLabelMechanism(res.Code.Label), sat, v, res.Code)
		t.Logf("EC-18 extended delay:\n%s", ext)
		t.Logf("EC-19 noise (stimulus s.d. 0.5, variance 0.25):\n%s%s", noiseU, noiseG)
	}
}

// vdsSaturation is the saturation ratio of §1.7: the fraction of neurons
// with |mean_t tanh x_i(t)| > 0.8 over delay 1, averaged over the trials.
func vdsSaturation(net model.Network, trials []Trial) float64 {
	var tot float64
	for i := range trials {
		tr := &trials[i]
		n := net.Dims().State
		mean := make([]float64, n)
		cnt := 0
		_, _, _ = runTrial(context.Background(), net, tr, trialRun{record: func(s int, x, _ []float64) {
			if s >= tr.Delay.Start && s < tr.Delay.End {
				for j, v := range x {
					mean[j] += math.Tanh(v)
				}
				cnt++
			}
		}})
		sat := 0
		for _, m := range mean {
			if math.Abs(m/float64(cnt)) > 0.8 {
				sat++
			}
		}
		tot += float64(sat) / float64(n)
	}
	return tot / float64(len(trials))
}
