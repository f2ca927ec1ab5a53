//go:build science

package train

import (
	"fmt"
	"sync"
	"testing"

	"attractor/internal/repro"
	"attractor/model"
	"attractor/train/task"
)

// forceFourSine trains a Sussillo–Abbott network on the four-sinusoid
// target for 1440 τ and tests it autonomously for 1440 τ (dt = 0.1, updates
// every 2 steps, α = 1, p = 0.1), returning the training MAE over the last
// 2000 steps, the largest ‖Δw‖ among them, and the test MAE.
func forceFourSine(t *testing.T, n int, g float64, seed uint64) (trainMAE, maxDW, testMAE float64) {
	return forceFourSineFor(t, n, g, seed, 14400)
}

// forceFourSineFor is forceFourSine with steps Euler steps of training.
func forceFourSineFor(t *testing.T, n int, g float64, seed uint64, steps int) (trainMAE, maxDW, testMAE float64) {
	rng := model.NewRNG(seed, 0)
	net, err := model.RandomSussilloAbbott(n, 0.1, g, rng)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewForce(net, 1, 2, model.NormalVector(n, 0.5, rng))
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.TrainSignal(task.FourSine{}, steps, 2000)
	if err != nil {
		t.Fatal(err)
	}
	test, err := f.TestSignal(task.FourSine{}, 14400)
	if err != nil {
		test = 1e9 // diverged: counts as a failure
	}
	return st.MAE, st.MaxDW, test
}

// fourSineRun is one seed's EC-11 run.
type fourSineRun struct{ train, maxDW, test float64 }

var (
	fourSineOnce sync.Once
	fourSineRuns [4]fourSineRun
	fourSineDone bool
)

// fourSineSeeds trains EC-11's four seeds once for the tests that read them.
func fourSineSeeds(t *testing.T) [4]fourSineRun {
	fourSineOnce.Do(func() {
		for seed := range fourSineRuns {
			r := &fourSineRuns[seed]
			r.train, r.maxDW, r.test = forceFourSine(t, 1000, 1.5, uint64(seed))
			t.Logf("seed %d: train MAE %.4f, max ‖Δw‖ %.2g over the last 2000 steps, test MAE %.4f", seed, r.train, r.maxDW, r.test)
		}
		fourSineDone = true
	})
	if !fourSineDone {
		t.Fatal("the EC-11 runs failed (see the first test that ran them)")
	}
	return fourSineRuns
}

// TestScienceForceFourSine checks EC-11: N = 1000, g = 1.5, four-sinusoid
// target; training MAE ≲ 0.01 and test MAE < 0.05 in at least 3 of 4
// seeds. (Spec [OURS]: train 0.0030–0.0053, test 0.0047, 0.0117, 0.045 and
// one failure 0.58.) The decay of the weight changes to ≲ 1e-3 is
// TestKnownDeviation_EC11_WeightChangeDecay.
func TestScienceForceFourSine(t *testing.T) {
	rec := repro.New(t, "EC-11", "train", "N = 1000, p = 0.1, g = 1.5, α = 1, dt = 0.1, update every 2 steps, train 1440 τ, test 1440 τ autonomously, seeds 0–3")
	mTrain := rec.Measure("training MAE (last 2000 steps)", "", "≲ 0.01 (S&A Fig 2D)", "≤ 0.01 every seed")
	mTest := rec.Measure("test MAE", "", "< 0.05 in ≥ 3 of 4 seeds ([OURS] 0.0047, 0.0117, 0.045, 0.58)", "< 0.05 in ≥ 3 of 4 seeds")
	pass := 0
	for seed, r := range fourSineSeeds(t) {
		mTrain.Add(r.train, int64(seed))
		mTest.Add(r.test, int64(seed))
		if r.train > 0.01 {
			t.Errorf("seed %d: training MAE %.4f > 0.01", seed, r.train)
		}
		if r.test < 0.05 {
			pass++
		}
	}
	if pass < 3 {
		t.Errorf("test MAE < 0.05 in %d of 4 seeds, want ≥ 3", pass)
	}
}

// TestKnownDeviation_EC11_WeightChangeDecay is the part of EC-11 we do not
// reproduce: Sussillo & Abbott's weight changes decay to ≲ 1e-3 per update
// by the end of training; the largest ‖Δw‖ of one update over our last
// 2000 steps (1000 updates) is 1.07e-3 and 1.44e-3 for seeds 0 and 1
// (5.8e-4 and 4.7e-4 for seeds 2 and 3; issue 19). We take the largest update, not
// a typical one, and train for 1440 τ, close to the ≈ 1000 τ the paper
// needs to converge. The test fails if any seed's largest change grows
// beyond the 1.44e-3 measured when the deviation was named.
func TestKnownDeviation_EC11_WeightChangeDecay(t *testing.T) {
	rec := repro.New(t, "EC-11", "train", "as TestScienceForceFourSine, the same four runs")
	rec.Deviates("the largest weight change of the last 1000 updates exceeds 1e-3 in 2 of 4 seeds (1.07e-3, 1.44e-3); a maximum, not a typical change, after 1440 τ of training")
	m := rec.Measure("largest ‖Δw‖ per update (last 2000 steps)", "", "decays to ≲ 1e-3", "named deviation: ≤ 1.44e-3 (measured when named)")
	over := 0
	for seed, r := range fourSineSeeds(t) {
		m.Add(r.maxDW, int64(seed))
		if r.maxDW > 1e-3 {
			over++
		}
		if r.maxDW > 1.44e-3 {
			t.Errorf("seed %d: largest weight change %.4g, further from ≲ 1e-3 than when the deviation was named (1.44e-3)", seed, r.maxDW)
		}
	}
	if over == 0 {
		t.Logf("every seed's weight changes have decayed to ≤ 1e-3: EC-11 reproduces; fold this test into TestScienceForceFourSine")
	}
}

// TestScienceForceGWindow checks EC-12 (Sussillo & Abbott Fig 5:
// training converges for 0.75 < g < 1.56, with fewer cycles needed at
// larger g) with the budget of EC-11 (1440 τ, 12 cycles of the target):
// g = 0.6 must fail (activity decays to the silent state, which feedback
// cannot leave), g = 1.5 must learn and g = 1.8 must fail (it trains but
// does not hold the pattern autonomously). Success is a test MAE below
// 0.05, as in EC-11. g = 1.0 is TestKnownDeviation_EC12_GOne.
func TestScienceForceGWindow(t *testing.T) {
	rec := repro.New(t, "EC-12", "train", "N = 1000, p = 0.1, four-sinusoid target, seed 10; 1440 τ of training, 1440 τ of test")
	for _, c := range []struct {
		g     float64
		learn bool
	}{{0.6, false}, {1.5, true}, {1.8, false}} {
		tr, _, te := forceFourSine(t, 1000, c.g, 10)
		want := "< 0.05 (learns)"
		if !c.learn {
			want = "≥ 0.05 (fails)"
		}
		rec.Measure(fmt.Sprintf("g = %.1f: test MAE", c.g), "", map[bool]string{true: "learns", false: "fails"}[c.learn], want).Add(te, 10)
		t.Logf("g = %.1f: train MAE %.4f, test MAE %.4f", c.g, tr, te)
		if learned := te < 0.05; learned != c.learn {
			t.Errorf("g = %.1f: test MAE %.4f; published: %s", c.g, te, want)
		}
	}
}

// TestKnownDeviation_EC12_GOne is the part of EC-12 we do not reproduce:
// at g = 1.0, inside Sussillo & Abbott's window, our network does not
// learn the four-sinusoid target even with three times EC-11's budget
// (4320 τ, 36 cycles): training MAE 0.28, test MAE 0.80 (seed 10, issue
// 19). The paper says smaller g needs more cycles, and trains until
// convergence; we have not found the budget at which g = 1.0 converges.
// The test fails if the training MAE grows beyond the 0.2835 measured
// when the deviation was named.
func TestKnownDeviation_EC12_GOne(t *testing.T) {
	rec := repro.New(t, "EC-12", "train", "N = 1000, p = 0.1, four-sinusoid target, g = 1.0, seed 10; 4320 τ of training, 1440 τ of test")
	rec.Deviates("g = 1.0 does not learn within 4320 τ (train MAE 0.28, test MAE 0.80), though it is inside the published window 0.75 < g < 1.56")
	tr, _, te := forceFourSineFor(t, 1000, 1.0, 10, 3*14400)
	rec.Measure("g = 1.0: training MAE after 4320 τ", "", "converges (≲ 0.01)", "named deviation: ≤ 0.2835").Add(tr, 10)
	rec.Measure("g = 1.0: test MAE", "", "< 0.05", "logged").Add(te, 10)
	t.Logf("g = 1.0 (4320 τ of training): train MAE %.4f, test MAE %.4f", tr, te)
	if tr > 0.2835*1.005 {
		t.Errorf("g = 1.0: training MAE %.4f, further from convergence than the 0.2835 measured when the deviation was named", tr)
	}
	if te < 0.05 {
		t.Logf("g = 1.0 learns: EC-12 reproduces; fold this test into TestScienceForceGWindow")
	}
}
