package train

import (
	"fmt"
	"math"
	"testing"

	"attractor/model"
	"attractor/train/task"
)

// lowRankTestTrainer returns a rank-k trainer of n units with Kurtkaya et
// al.'s initialisation and initial state, seeded by seed.
func lowRankTestTrainer(t testing.TB, n, k int, opt Optimizer, seed uint64) *LowRankTrainer {
	t.Helper()
	rng := model.NewRNG(seed, 0)
	net := model.RandomLowRank(n, k, rng)
	tr, err := NewLowRankTrainer(net, opt, LowRankInitialState(n, rng))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestLowRankTrainerFiniteDifferences compares the analytic gradient of the
// class-balanced weighted MSE with central differences (ε = 1e-6) for every
// parameter entry, for the delayed activation task with and without the
// post period, after scaling m and n up so that tanh leaves its linear
// range.
func TestLowRankTrainerFiniteDifferences(t *testing.T) {
	const eps, tol = 1e-6, 1e-8
	for _, act := range []*task.Activation{
		{Delay: 6, Resp: 2, Weighting: "balanced"},
		{Delay: 5, Resp: 2, Post: 6, Weighting: "balanced"},
		{Delay: 4, Resp: 3, Weighting: "delay"},
	} {
		t.Run(fmt.Sprintf("T%d_post%d_%s", act.Delay, act.Post, act.Weighting), func(t *testing.T) {
			tr := lowRankTestTrainer(t, 12, 2, nil, 3)
			for _, p := range tr.Params()[:3] {
				for i := range p.Value {
					p.Value[i] *= 4
				}
			}
			for i := range tr.Net.B {
				tr.Net.B[i] = 0.1 * float64(i%5-2)
			}
			b := act.Batch(nil)
			if _, err := tr.Gradients(b); err != nil {
				t.Fatal(err)
			}
			var worst float64
			for _, p := range tr.Params() {
				grad := append([]float64(nil), p.Grad...)
				for j := range p.Value {
					v := p.Value[j]
					p.Value[j] = v + eps
					lp, _ := tr.Evaluate(b)
					p.Value[j] = v - eps
					lm, _ := tr.Evaluate(b)
					p.Value[j] = v
					fd := (lp.Loss - lm.Loss) / (2 * eps)
					d := math.Abs(fd-grad[j]) / math.Max(1, math.Abs(fd))
					worst = math.Max(worst, d)
					if d > tol {
						t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, j, grad[j], fd)
					}
				}
			}
			t.Logf("max error %.2e", worst)
		})
	}
}

// TestLowRankTrainerOutputConvention checks the forward pass against the
// model: o_t = Output(x_{t+1}) with x_{t+1} = Step(x_t), the output read
// from the state after the update. It also checks the loss against an
// independent evaluation of Σ w (o − y)² / T, and that b_out is shared.
func TestLowRankTrainerOutputConvention(t *testing.T) {
	tr := lowRankTestTrainer(t, 20, 2, nil, 4)
	act := &task.Activation{Delay: 6, Resp: 2, Weighting: "balanced"}
	b := act.Batch(nil)
	st, err := tr.Evaluate(b)
	if err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), tr.X0...)
	nx, o := make([]float64, len(x)), make([]float64, 1)
	var loss float64
	for s := 0; s < b.Steps; s++ {
		tr.Net.Step(nx, x, nil)
		x, nx = nx, x
		tr.Net.Output(o, x)
		if got := tr.Outputs()[s]; math.Abs(got-o[0]) > 1e-14 {
			t.Fatalf("step %d: trainer output %v, model Output(x_{t+1}) %v", s, got, o[0])
		}
		e := o[0] - b.Y[s]
		loss += b.W[s] * e * e
	}
	loss /= float64(b.Steps)
	if math.Abs(loss-st.Loss) > 1e-14 {
		t.Errorf("loss %v, independent %v", st.Loss, loss)
	}
	// Balanced weights of T = 6, 2 responses: 0.25 on the zeros, 0.75 on
	// the ones.
	if b.W[0] != 0.25 || b.W[6] != 0.75 {
		t.Errorf("weights %v, want 0.25 on target 0 and 0.75 on target 1", b.W)
	}
	tr.Params()[4].Value[0] += 1
	if tr.Net.BOut != tr.Params()[4].Value[0] {
		t.Error("b_out is not shared with the network")
	}
}

// TestLowRankTrainerLearns checks that 400 epochs of plain SGD (lr 0.1,
// full batch, the class-balanced weighted MSE) on the delayed activation
// task (T = 6, no post period) reduce the loss by at least half and that
// the loss decreases across the run.
func TestLowRankTrainerLearns(t *testing.T) {
	const epochs = 400
	tr := lowRankTestTrainer(t, 100, 2, &SGD{LR: 0.1}, 1)
	b := (&task.Activation{Delay: 6, Resp: 2, Weighting: "balanced"}).Batch(nil)
	var first, mid, last LowRankStats
	for e := 0; e < epochs; e++ {
		st, err := tr.Epoch(b)
		if err != nil {
			t.Fatal(err)
		}
		switch e {
		case 0:
			first = st
		case epochs / 2:
			mid = st
		}
		last = st
	}
	final, _ := tr.Evaluate(b)
	t.Logf("loss %.5f → %.5f → %.5f (final %.5f, accuracy %.2f), outputs %.3f",
		first.Loss, mid.Loss, last.Loss, final.Loss, final.Accuracy, tr.Outputs())
	if !(final.Loss < 0.5*first.Loss) || !(last.Loss < mid.Loss) {
		t.Errorf("loss %.5f → %.5f → %.5f, want a steady decrease to below half", first.Loss, mid.Loss, final.Loss)
	}
}

// TestLowRankTrainerErrors checks the error paths.
func TestLowRankTrainerErrors(t *testing.T) {
	rng := model.NewRNG(1, 0)
	net := model.RandomLowRank(5, 2, rng)
	if _, err := NewLowRankTrainer(net, nil, make([]float64, 4)); err == nil {
		t.Error("x0 of the wrong length: no error")
	}
	tr, err := NewLowRankTrainer(net, nil, make([]float64, 5))
	if err != nil {
		t.Fatal(err)
	}
	b := (&task.Activation{Delay: 3, Resp: 2}).Batch(nil)
	if _, err := tr.Epoch(b); err == nil {
		t.Error("Epoch without optimiser: no error")
	}
	if _, err := tr.Evaluate(task.NewChoice().Batch(rng)); err == nil {
		t.Error("batch with inputs: no error")
	}
	tr.Opt = &SGD{LR: 0.1}
	net.WOut[0] = math.Inf(1)
	if _, err := tr.Epoch(b); err == nil {
		t.Error("infinite parameter: no error")
	}
}
