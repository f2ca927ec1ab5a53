package inspect

import (
	"context"
	"math"
	"testing"

	"attractor/model"
)

// vdtTrials returns the two trials of a one-bit memory task on the rank-1
// network of vdtLowRank: input u = +1 (condition 0) or −1 (condition 1)
// for 50 steps, a 50-step delay, a 200-step response; the score is the
// readout at the last step, the target ±tanh κ*(λ) (the fixed point the
// bistable network holds, 0 for a network with only the origin).
func vdtTrials(n int, lambda float64) []Trial {
	target := 0.0
	if lambda > 1 {
		target = math.Tanh(vdtKappa(lambda))
	}
	var trials []Trial
	for c, sign := range []float64{1, -1} {
		in := make([][]float64, 300)
		for t := 0; t < 50; t++ {
			in[t] = []float64{sign}
		}
		trials = append(trials, Trial{Name: []string{"+", "−"}[c], Inputs: in, X0: make([]float64, n), Condition: c,
			Stimulus: StepWindow{0, 50}, Delay: StepWindow{50, 100}, Score: StepWindow{299, 300}, Channel: 0,
			Target: sign * target})
	}
	return trials
}

func TestTrialScoreAndProbes(t *testing.T) {
	net, ms := vdtLowRank(t, 64, []float64{2})
	trials := vdtTrials(64, 2)
	for i := range trials {
		z, err := TrialScore(context.Background(), net, &trials[i])
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(z-trials[i].Target) > 1e-3 {
			t.Errorf("trial %s: score %v, target %v", trials[i].Name, z, trials[i].Target)
		}
	}
	mem, ends, err := TrialProbes(context.Background(), net, trials)
	if err != nil {
		t.Fatal(err)
	}
	if len(mem) != 2 || len(ends) != 2 || !mem[0].Memory || mem[1].Condition != 1 {
		t.Fatalf("probes %+v", mem)
	}
	// The memory probe sits on the +m side.
	if k := fpDot(mem[0].X, ms[0]) / 64; k < 1 {
		t.Errorf("memory probe κ = %v, want near κ* = 1.915", k)
	}
	states, err := TrialStates(context.Background(), net, trials, 10, func(tr *Trial) StepWindow { return tr.Delay })
	if err != nil || len(states) != 10 {
		t.Errorf("TrialStates: %d states, %v; want 10", len(states), err)
	}
	bad := trials[0]
	bad.Score = StepWindow{100, 400}
	if _, err := TrialScore(context.Background(), net, &bad); err == nil {
		t.Error("score window past the end: no error")
	}
}

func TestExtendDelayCurve(t *testing.T) {
	// Bistable: the memory is a fixed point, extending the delay changes
	// nothing (EC-18's DFP case).
	net, _ := vdtLowRank(t, 64, []float64{2})
	deltas := []float64{0, 5, 20, 50}
	c, err := ExtendDelayCurve(context.Background(), net, vdtTrials(64, 2), deltas, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Points {
		if p.Mean > 1e-8 || p.Failures != 0 {
			t.Errorf("bistable, Δ = %v: error %v, %d failures", p.X, p.Mean, p.Failures)
		}
	}
	// λ = 0.5: the memory decays to the origin with rate 0.5 per τ; the
	// error grows with Δ (forgetting) and saturates at the nominal score².
	leak, _ := vdtLowRank(t, 64, []float64{0.5})
	c, err = ExtendDelayCurve(context.Background(), leak, vdtTrials(64, 0.5), deltas, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Points[0].Mean > 1e-20 {
		t.Errorf("Δ = 0: error %v, want 0", c.Points[0].Mean)
	}
	for k := 1; k < len(c.Points); k++ {
		if !(c.Points[k].Mean > c.Points[k-1].Mean) {
			t.Errorf("leaky memory: error not increasing in Δ: %v", c)
		}
		if c.Points[k].Asymptotic+c.Points[k].FixedTime != c.Points[k].Failures {
			t.Errorf("failure types %d + %d ≠ %d", c.Points[k].Asymptotic, c.Points[k].FixedTime, c.Points[k].Failures)
		}
	}
	if c.XUnit != "model time units" {
		t.Errorf("unit %q", c.XUnit)
	}
}

func TestNoiseCurveMonotone(t *testing.T) {
	net, _ := vdtLowRank(t, 64, []float64{2})
	trials := vdtTrials(64, 2)
	sigmas := []float64{0, 1, 300}
	for _, kind := range []NoiseKind{NoiseGaussian, NoiseUniformOffset} {
		c, err := NoiseCurve(context.Background(), net, trials, kind, sigmas, &PerturbSettings{Repeats: 10, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		for k := 1; k < len(c.Points); k++ {
			if c.Points[k].Mean < c.Points[k-1].Mean-1e-9 {
				t.Errorf("%v: error decreases from σ = %v to %v: %v", kind, c.Points[k-1].X, c.Points[k].X, c)
			}
		}
		if kind == NoiseGaussian && c.Points[0].Mean > 1e-6 {
			t.Errorf("σ = 0: error %v", c.Points[0].Mean)
		}
		last := c.Points[len(c.Points)-1]
		if last.N != 20 || last.Failures == 0 {
			t.Errorf("%v: σ = 300: n %d, %d failures; want 20 runs and some flips", kind, last.N, last.Failures)
		}
		t.Logf("%v", c)
	}
	if _, err := NoiseCurve(context.Background(), net, trials, NoiseGaussian, []float64{math.NaN()}, nil); err == nil {
		t.Error("NaN σ: no error")
	}
}

func TestKickAndInterruptCurves(t *testing.T) {
	net, _ := vdtLowRank(t, 64, []float64{2})
	trials := vdtTrials(64, 2)
	c, err := KickCurve(context.Background(), net, trials, []float64{0, 0.01, 30}, &PerturbSettings{Repeats: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Points[0].Mean > 1e-8 || c.Points[1].Mean > 1e-6 {
		t.Errorf("small kicks change the memory: %v", c)
	}
	if c.Points[2].Mean <= c.Points[1].Mean {
		t.Errorf("large kicks do no harm: %v", c)
	}
	ic, err := InterruptCurve(context.Background(), net, trials, []int{0, 16, 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// n_off = 0 is the nominal trial; n_off = N removes the stimulus and the
	// state stays at the origin (z = 0, error tanh²κ*).
	want := math.Pow(math.Tanh(vdtKappa(2)), 2)
	if ic.Points[0].Mean > 1e-6 || math.Abs(ic.Points[2].Mean-want) > 1e-9 {
		t.Errorf("interruption: %v; want 0 … %v", ic, want)
	}
	for k := 1; k < len(ic.Points); k++ {
		if ic.Points[k].Mean < ic.Points[k-1].Mean-1e-9 {
			t.Errorf("interruption error decreases: %v", ic)
		}
	}
	lk := model.RandomKurtkaya(8, 2, 2, model.NewRNG(1, 1))
	if _, err := vdInterrupted(lk, 3); err != nil {
		t.Errorf("leaky interruption: %v", err)
	}
}
