package train

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// trnnTestNet returns a small TRNN with random non-zero biases (so that no
// pre-activation sits at ReLU's kink) and weights scaled by gain.
func trnnTestNet(t testing.TB, n, in, out int, cfg model.TRNNConfig, gain float64, seed uint64) *model.TRNN {
	t.Helper()
	rng := model.NewRNG(seed, 0)
	net, err := model.RandomTRNN(n, in, out, cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	net.W.Scale(gain, net.W)
	for i := range net.B {
		net.B[i] = rng.Uniform(-0.5, 0.5)
	}
	for i := range net.C {
		net.C[i] = rng.Uniform(-0.5, 0.5)
	}
	return net
}

// trnnMinAbsPre returns the smallest |z_t| of any unit, step and trial of
// the trainer's last forward pass on u, recomputed from the recorded states.
func trnnMinAbsPre(tr *TRNNTrainer, u []float64, steps, size int) float64 {
	net := tr.Net
	N, I := tr.n, tr.in
	s := net.Config().SelfInhibition
	z := make([]float64, N)
	m := math.Inf(1)
	for t := 0; t < steps; t++ {
		for b := 0; b < size; b++ {
			h := tr.hs[(t*size+b)*N : (t*size+b+1)*N]
			zv := mat.NewVecDense(N, z)
			zv.MulVec(net.W, mat.NewVecDense(N, append([]float64(nil), h...)))
			for i := range z {
				z[i] += net.B[i] - s*h[i]
				if net.U != nil {
					for k := 0; k < I; k++ {
						z[i] += net.U.At(i, k) * u[(t*size+b)*I+k]
					}
				}
				m = math.Min(m, math.Abs(z[i]))
			}
		}
	}
	return m
}

// TestTRNNTrainerFiniteDifferences compares the analytic gradient of the
// training loss with central differences (ε = 1e-6) for every trainable
// entry (inside the masks) of small TRNNs — the hierarchical sparse default
// and the vanilla baseline, with tanh and with ReLU (checked to stay at
// least 1e-4 from the kink) — for both losses, and checks that the gradient
// is exactly 0 outside the masks.
func TestTRNNTrainerFiniteDifferences(t *testing.T) {
	const (
		n, in, out, steps, size = 9, 2, 2, 7, 3
		eps, tol                = 1e-6, 1e-7
	)
	for _, arch := range []string{"trnn", "vanilla"} {
		for _, act := range []model.TRNNActivation{model.TRNNTanh, model.TRNNReLU} {
			for _, loss := range []SeqLoss{SeqMSE, SeqCrossEntropy} {
				t.Run(fmt.Sprintf("%s/%v/%v", arch, act, loss), func(t *testing.T) {
					cfg := model.DefaultTRNNConfig()
					cfg.ConnProb = 0.7
					if arch == "vanilla" {
						cfg = model.VanillaConfig()
					}
					cfg.Activation = act
					net := trnnTestNet(t, n, in, out, cfg, 2.5, 5)
					tr, err := NewTRNNTrainer(net, nil)
					if err != nil {
						t.Fatal(err)
					}
					tr.Loss = loss
					b := bpttTinyBatch(steps, size, in, out, loss == SeqCrossEntropy, model.NewRNG(6, 0))
					if _, err := tr.Gradients(b); err != nil {
						t.Fatal(err)
					}
					if act == model.TRNNReLU {
						if m := trnnMinAbsPre(tr, b.U, steps, size); m < 1e-4 {
							t.Fatalf("a pre-activation is %.2g from ReLU's kink; pick another seed", m)
						} else {
							t.Logf("min |z| = %.3g", m)
						}
					}
					grads := make([][]float64, len(tr.Params()))
					for i, p := range tr.Params() {
						grads[i] = append([]float64(nil), p.Grad...)
					}
					lossAt := func() float64 {
						st, err := tr.Evaluate(b)
						if err != nil {
							t.Fatal(err)
						}
						return st.Loss
					}
					var worst float64
					checked := 0
					for i, p := range tr.Params() {
						for j := range p.Value {
							if p.Mask != nil && p.Mask[j] == 0 {
								if grads[i][j] != 0 {
									t.Errorf("%s[%d] is outside the mask but has gradient %v", p.Name, j, grads[i][j])
								}
								continue
							}
							v := p.Value[j]
							p.Value[j] = v + eps
							lp := lossAt()
							p.Value[j] = v - eps
							lm := lossAt()
							p.Value[j] = v
							fd := (lp - lm) / (2 * eps)
							d := math.Abs(fd-grads[i][j]) / math.Max(1, math.Abs(fd))
							worst = math.Max(worst, d)
							checked++
							if d > tol {
								t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, j, grads[i][j], fd)
							}
						}
					}
					t.Logf("%d entries, max error %.2e", checked, worst)
				})
			}
		}
	}
}

// TestTRNNTrainerBackwardUpstream checks Backward with arbitrary upstream
// gradients dL/dh_t and dL/dh_T from a non-zero initial state, for a TRNN
// without readout, against central differences of
// L = Σ_t ⟨dH_t, h_t⟩ + ⟨dHN, h_T⟩.
func TestTRNNTrainerBackwardUpstream(t *testing.T) {
	const n, in, steps, size, eps = 6, 3, 5, 2, 1e-6
	cfg := model.DefaultTRNNConfig()
	cfg.Activation = model.TRNNTanh
	cfg.ConnProb = 1
	net := trnnTestNet(t, n, in, 0, cfg, 2, 9)
	tr, err := NewTRNNTrainer(net, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Params()) != 3 {
		t.Fatalf("%d parameters without readout, want 3 (W, U, b)", len(tr.Params()))
	}
	rng := model.NewRNG(10, 0)
	draw := func(k int) []float64 {
		v := make([]float64, k)
		for i := range v {
			v[i] = rng.Uniform(-1, 1)
		}
		return v
	}
	u, h0, dH, dHN := draw(steps*size*in), draw(size*n), draw(steps*size*n), draw(size*n)
	loss := func() float64 {
		hs := tr.Forward(u, steps, size, h0)
		var l float64
		for i, v := range hs {
			l += dH[i] * v
		}
		for i, v := range hs[(steps-1)*size*n:] {
			l += dHN[i] * v
		}
		return l
	}
	loss()
	ZeroGrad(tr.Params())
	tr.Backward(dH, dHN)
	for _, p := range tr.Params() {
		for j := range p.Value {
			if p.Mask != nil && p.Mask[j] == 0 {
				continue
			}
			v := p.Value[j]
			p.Value[j] = v + eps
			lp := loss()
			p.Value[j] = v - eps
			lm := loss()
			p.Value[j] = v
			fd := (lp - lm) / (2 * eps)
			if math.Abs(fd-p.Grad[j]) > 1e-7*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, j, p.Grad[j], fd)
			}
		}
	}
}

// TestTRNNTrainerMatchesStep checks that Forward agrees with the network's
// own Step and readout (the parameters are shared memory) after a change
// made through the Params.
func TestTRNNTrainerMatchesStep(t *testing.T) {
	const n, in, out, steps, size = 12, 3, 2, 6, 3
	for _, act := range []model.TRNNActivation{model.TRNNTanh, model.TRNNReLU} {
		cfg := model.DefaultTRNNConfig()
		cfg.Activation = act
		cfg.ConnProb = 0.5
		net := trnnTestNet(t, n, in, out, cfg, 1.5, 3)
		tr, err := NewTRNNTrainer(net, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tr.Params() {
			for j := range p.Value {
				if p.Mask == nil || p.Mask[j] != 0 {
					p.Value[j] *= 1.1
				}
			}
		}
		b := bpttTinyBatch(steps, size, in, out, false, model.NewRNG(4, 0))
		if _, err := tr.Evaluate(b); err != nil {
			t.Fatal(err)
		}
		hs, ys := tr.States(), tr.Outputs()
		x, nx, y := make([]float64, n), make([]float64, n), make([]float64, out)
		for trial := 0; trial < size; trial++ {
			clear(x)
			for s := 0; s < steps; s++ {
				net.Step(nx, x, b.In(s, trial))
				x, nx = nx, x
				net.Output(y, x)
				r := s*size + trial
				for j := range x {
					if math.Abs(hs[r*n+j]-x[j]) > 1e-13 {
						t.Fatalf("%v step %d trial %d: Forward h[%d] = %v, Step %v", act, s, trial, j, hs[r*n+j], x[j])
					}
				}
				for k := range y {
					if math.Abs(ys[r*out+k]-y[k]) > 1e-13 {
						t.Fatalf("%v step %d trial %d: readout %v, Output %v", act, s, trial, ys[r*out+k], y[k])
					}
				}
			}
		}
	}
}

// TestTRNNTrainerMasksAndWorkers trains a TRNN for a few Adam epochs with
// 1, 2 and 3 workers on one fixed batch: the parameters must be bit-for-bit identical, the
// loss must fall, and every entry outside the masks of W, U and V must still
// be exactly 0.
func TestTRNNTrainerMasksAndWorkers(t *testing.T) {
	const n, epochs = 30, 25
	ch := task.NewChoice()
	ch.Delay, ch.Encode, ch.Size = 5, []int{2, 4}, 16
	var ref [][]float64
	for _, workers := range []int{1, 2, 3} {
		net := trnnTestNet(t, n, 3, 2, model.DefaultTRNNConfig(), 1, 8)
		tr, err := NewTRNNTrainer(net, NewAdam(1e-2))
		if err != nil {
			t.Fatal(err)
		}
		tr.Loss, tr.ClipNorm, tr.Workers = SeqCrossEntropy, 1, workers
		batch := ch.Batch(model.NewRNG(2, 0))
		var first, last float64
		for e := 0; e < epochs; e++ {
			st, err := tr.Epoch(batch)
			if err != nil {
				t.Fatal(err)
			}
			if e == 0 {
				first = st.Loss
			}
			last = st.Loss
		}
		if !(last < first) {
			t.Errorf("workers %d: loss %.4f → %.4f, want a decrease", workers, first, last)
		}
		for _, p := range tr.Params() {
			for j, m := range p.Mask {
				if m == 0 && p.Value[j] != 0 {
					t.Fatalf("%s[%d] = %v outside the mask", p.Name, j, p.Value[j])
				}
			}
		}
		if _, err := model.NewTRNN(net.TRNNParams, net.Config()); err != nil {
			t.Errorf("trained network breaks the architecture: %v", err)
		}
		var vals [][]float64
		for _, p := range tr.Params() {
			vals = append(vals, append([]float64(nil), p.Value...))
		}
		if ref == nil {
			ref = vals
			t.Logf("loss %.4f → %.4f", first, last)
			continue
		}
		for i := range vals {
			for j := range vals[i] {
				if vals[i][j] != ref[i][j] {
					t.Fatalf("workers %d: %s[%d] = %v, workers 1: %v", workers, tr.Params()[i].Name, j, vals[i][j], ref[i][j])
				}
			}
		}
	}
}

// TestTRNNTrainerErrors checks the error paths.
func TestTRNNTrainerErrors(t *testing.T) {
	net := trnnTestNet(t, 6, 2, 2, model.VanillaConfig(), 1, 1)
	tr, err := NewTRNNTrainer(net, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bpttTinyBatch(3, 2, 2, 2, false, model.NewRNG(1, 0))
	if _, err := tr.Epoch(b); err == nil {
		t.Error("Epoch without optimiser: no error")
	}
	bad := bpttTinyBatch(3, 2, 3, 2, false, model.NewRNG(1, 0))
	if _, err := tr.Gradients(bad); err == nil {
		t.Error("wrong input count: no error")
	}
	zero := bpttTinyBatch(3, 2, 2, 2, false, model.NewRNG(1, 0))
	clear(zero.W)
	if _, err := tr.Gradients(zero); err == nil {
		t.Error("zero weights: no error")
	}
	if _, err := NewTRNNTrainer(nil, nil); err == nil {
		t.Error("nil network: no error")
	}
	tr.Opt = NewAdam(1e-3)
	net.B[0] = math.NaN()
	if _, err := tr.Epoch(b); err == nil {
		t.Error("NaN parameter: no error")
	}
}
