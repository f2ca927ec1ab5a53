package train

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// bpttFixArray is one array of a PyTorch fixture: shape and row-major data.
type bpttFixArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// bpttFixture is testdata/*_forward_grad.json for the torch families.
type bpttFixture struct {
	Kind        string                  `json:"kind"`
	InputSize   int                     `json:"input_size"`
	HiddenSize  int                     `json:"hidden_size"`
	SeqLen      int                     `json:"seq_len"`
	Batch       int                     `json:"batch"`
	Params      map[string]bpttFixArray `json:"params"`
	Grads       map[string]bpttFixArray `json:"grads"`
	Input       bpttFixArray            `json:"input"`
	H0          bpttFixArray            `json:"h0"`
	C0          bpttFixArray            `json:"c0"`
	Output      bpttFixArray            `json:"output"`
	HN          bpttFixArray            `json:"h_n"`
	CN          bpttFixArray            `json:"c_n"`
	LossWeights bpttFixArray            `json:"loss_weights"`
	LossValue   float64                 `json:"loss_value"`
}

func bpttLoadFixture(t *testing.T, name string) *bpttFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var f bpttFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &f
}

// bpttFixtureNet builds the fixture's network (no readout) from its
// state_dict.
func bpttFixtureNet(t *testing.T, f *bpttFixture) model.Network {
	t.Helper()
	dense := func(a bpttFixArray) *mat.Dense {
		return mat.NewDense(a.Shape[0], a.Shape[1], append([]float64(nil), a.Data...))
	}
	p := model.TorchParams{
		WeightIH: dense(f.Params[model.ParamWeightIH]),
		WeightHH: dense(f.Params[model.ParamWeightHH]),
		BiasIH:   append([]float64(nil), f.Params[model.ParamBiasIH].Data...),
		BiasHH:   append([]float64(nil), f.Params[model.ParamBiasHH].Data...),
	}
	var net model.Network
	var err error
	switch f.Kind {
	case "rnn_tanh":
		net, err = model.NewTorchRNN(p)
	case "gru":
		net, err = model.NewGRU(p)
	case "lstm":
		net, err = model.NewLSTM(p)
	default:
		t.Fatalf("unknown fixture kind %q", f.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// bpttRelErr returns the largest |got_i − want_i| relative to the largest
// |want_j| (norm), and the largest entry-wise relative error
// |got_i − want_i| / |want_i| among entries with |want_i| at least 1e-3 of
// the largest (entry).
func bpttRelErr(got, want []float64) (norm, entry float64) {
	var scale float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i, w := range want {
		d := math.Abs(got[i] - w)
		norm = math.Max(norm, d/math.Max(scale, 1e-300))
		if math.Abs(w) >= 1e-3*scale {
			entry = math.Max(entry, d/math.Abs(w))
		}
	}
	return norm, entry
}

// TestSeqTrainerMatchesTorch checks the forward pass and the gradients of
// sum(loss_weights * output) + sum(h_n ** 2) against PyTorch 1.13 for the
// tanh RNN, the GRU and the LSTM (fixtures made in float64 by real torch).
// Backward gets dL/dh_t = loss_weights_t for every step and the extra
// dL/dh_n = 2 h_n.
func TestSeqTrainerMatchesTorch(t *testing.T) {
	for _, name := range []string{"rnn_tanh", "gru", "lstm"} {
		t.Run(name, func(t *testing.T) {
			f := bpttLoadFixture(t, name+"_forward_grad.json")
			net := bpttFixtureNet(t, f)
			tr, err := NewSeqTrainer(net, nil)
			if err != nil {
				t.Fatal(err)
			}
			var c0 []float64
			if name == "lstm" {
				c0 = f.C0.Data
			}
			hs := tr.Forward(f.Input.Data, f.SeqLen, f.Batch, f.H0.Data, c0)
			if n, _ := bpttRelErr(hs, f.Output.Data); n > 1e-10 {
				t.Errorf("output: max error %.3g relative to the largest |h|, want ≤ 1e-10", n)
			}
			hn := hs[(f.SeqLen-1)*f.Batch*f.HiddenSize:]
			if n, _ := bpttRelErr(hn, f.HN.Data); n > 1e-10 {
				t.Errorf("h_n: max error %.3g, want ≤ 1e-10", n)
			}
			if name == "lstm" {
				cn := tr.cs[f.SeqLen*f.Batch*f.HiddenSize : (f.SeqLen+1)*f.Batch*f.HiddenSize]
				if n, _ := bpttRelErr(cn, f.CN.Data); n > 1e-10 {
					t.Errorf("c_n: max error %.3g, want ≤ 1e-10", n)
				}
			}
			var loss float64
			dHN := make([]float64, len(hn))
			for i, v := range hs {
				loss += f.LossWeights.Data[i] * v
			}
			for i, v := range hn {
				loss += v * v
				dHN[i] = 2 * v
			}
			if math.Abs(loss-f.LossValue) > 1e-10*math.Max(1, math.Abs(f.LossValue)) {
				t.Errorf("loss %.15g, torch %.15g", loss, f.LossValue)
			}
			ZeroGrad(tr.Params())
			tr.Backward(f.LossWeights.Data, dHN, nil)
			if got := len(tr.Params()); got != 4 {
				t.Fatalf("%d parameters without readout, want 4", got)
			}
			for _, p := range tr.Params() {
				want, ok := f.Grads[p.Name]
				if !ok {
					t.Fatalf("fixture has no gradient for %s", p.Name)
				}
				n, e := bpttRelErr(p.Grad, want.Data)
				t.Logf("%-13s max error %.2e relative to the largest entry, %.2e entry-wise", p.Name, n, e)
				if n > 1e-8 || e > 1e-8 {
					t.Errorf("%s: gradient error %.3g (norm) / %.3g (entry-wise), want ≤ 1e-8", p.Name, n, e)
				}
			}
		})
	}
}

// bpttTinyBatch returns a small random batch with some zero weights, ±1
// targets (or one-hot targets when oneHot) and random inputs.
func bpttTinyBatch(steps, size, in, out int, oneHot bool, rng *model.RNG) *task.Batch {
	b := task.NewBatch(steps, size, in, out)
	for i := range b.U {
		b.U[i] = rng.Uniform(-1, 1)
	}
	for r := 0; r < steps*size; r++ {
		y, w := b.Y[r*out:(r+1)*out], b.W[r*out:(r+1)*out]
		if oneHot {
			y[rng.IntN(out)] = 1
		}
		for k := range y {
			if !oneHot {
				y[k] = rng.Uniform(-1, 1)
			}
			if rng.Float64() < 0.75 {
				w[k] = rng.Uniform(0.5, 1.5)
			}
		}
	}
	return b
}

// TestSeqTrainerFiniteDifferences compares the analytic gradient of the full
// training loss, readout included, with central differences (ε = 1e-6) for
// every parameter entry of a tiny network of each family, for both losses.
func TestSeqTrainerFiniteDifferences(t *testing.T) {
	const (
		hid, in, out, steps, size = 3, 2, 3, 6, 2
		eps, tol                  = 1e-6, 1e-7
	)
	makers := []struct {
		name string
		make func(rng *model.RNG) model.Network
	}{
		{"rnn_tanh", func(rng *model.RNG) model.Network { return model.RandomTorchRNN(hid, in, out, rng) }},
		{"gru", func(rng *model.RNG) model.Network { return model.RandomGRU(hid, in, out, rng) }},
		{"lstm", func(rng *model.RNG) model.Network { return model.RandomLSTM(hid, in, out, rng) }},
	}
	for _, m := range makers {
		for _, loss := range []SeqLoss{SeqMSE, SeqCrossEntropy} {
			t.Run(fmt.Sprintf("%s/%v", m.name, loss), func(t *testing.T) {
				rng := model.NewRNG(7, 0)
				net := m.make(rng)
				// Scale the weights up so the gates leave their linear range.
				tr, err := NewSeqTrainer(net, nil)
				if err != nil {
					t.Fatal(err)
				}
				tr.Loss = loss
				for _, p := range tr.Params() {
					for i := range p.Value {
						p.Value[i] *= 3
					}
				}
				b := bpttTinyBatch(steps, size, in, out, loss == SeqCrossEntropy, rng)
				if _, err := tr.Gradients(b); err != nil {
					t.Fatal(err)
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
				for i, p := range tr.Params() {
					for j := range p.Value {
						v := p.Value[j]
						p.Value[j] = v + eps
						lp := lossAt()
						p.Value[j] = v - eps
						lm := lossAt()
						p.Value[j] = v
						fd := (lp - lm) / (2 * eps)
						d := math.Abs(fd-grads[i][j]) / math.Max(1, math.Abs(fd))
						worst = math.Max(worst, d)
						if d > tol {
							t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, j, grads[i][j], fd)
						}
					}
				}
				t.Logf("max error %.2e", worst)
			})
		}
	}
}

// TestSeqTrainerSharesMemory checks that the parameters are views of the
// network's matrices and that Forward agrees with the network's own Step.
func TestSeqTrainerSharesMemory(t *testing.T) {
	rng := model.NewRNG(3, 0)
	nets := []model.Network{
		model.RandomTorchRNN(5, 2, 2, rng), model.RandomGRU(5, 2, 2, rng), model.RandomLSTM(5, 2, 2, rng),
	}
	for _, net := range nets {
		t.Run(string(net.Family()), func(t *testing.T) {
			tr, err := NewSeqTrainer(net, nil)
			if err != nil {
				t.Fatal(err)
			}
			names := []string{model.ParamWeightIH, model.ParamWeightHH, model.ParamBiasIH, model.ParamBiasHH, model.ParamWOut, model.ParamBOut}
			if len(tr.Params()) != len(names) {
				t.Fatalf("%d params, want %d", len(tr.Params()), len(names))
			}
			for i, p := range tr.Params() {
				if p.Name != names[i] {
					t.Errorf("param %d is %s, want %s", i, p.Name, names[i])
				}
				p.Value[0] += 0.25
			}
			// The change must be visible to the network: compare Step with
			// the trainer's forward pass, which reads the same memory.
			steps, size := 4, 2
			b := bpttTinyBatch(steps, size, 2, 2, false, rng)
			hs := tr.Forward(b.U, steps, size, nil, nil)
			d := net.Dims()
			x, nx := make([]float64, d.State), make([]float64, d.State)
			for trial := 0; trial < size; trial++ {
				clear(x)
				for s := 0; s < steps; s++ {
					net.Step(nx, x, b.In(s, trial))
					x, nx = nx, x
					h := hs[(s*size+trial)*5 : (s*size+trial+1)*5]
					for j := range h {
						if math.Abs(h[j]-x[j]) > 1e-13 {
							t.Fatalf("step %d trial %d: Forward h[%d] = %v, Step %v", s, trial, j, h[j], x[j])
						}
					}
				}
			}
		})
	}
}

// TestSeqTrainerBackwardUpstream checks Backward with arbitrary upstream
// gradients — dL/dh_t for every step, dL/dh_n and, for the LSTM, dL/dc_n —
// from a non-zero initial state, against central differences of
// L = Σ_t ⟨dH_t, h_t⟩ + ⟨dHN, h_T⟩ + ⟨dCN, c_T⟩.
func TestSeqTrainerBackwardUpstream(t *testing.T) {
	const hid, in, steps, size, eps = 4, 3, 5, 2, 1e-6
	rng := model.NewRNG(11, 0)
	for _, net := range []model.Network{
		model.RandomTorchRNN(hid, in, 0, rng), model.RandomGRU(hid, in, 0, rng), model.RandomLSTM(hid, in, 0, rng),
	} {
		t.Run(string(net.Family()), func(t *testing.T) {
			tr, err := NewSeqTrainer(net, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tr.Params() {
				for i := range p.Value {
					p.Value[i] *= 2.5
				}
			}
			draw := func(n int) []float64 {
				v := make([]float64, n)
				for i := range v {
					v[i] = rng.Uniform(-1, 1)
				}
				return v
			}
			u, h0, c0 := draw(steps*size*in), draw(size*hid), draw(size*hid)
			dH, dHN, dCN := draw(steps*size*hid), draw(size*hid), draw(size*hid)
			loss := func() float64 {
				hs := tr.Forward(u, steps, size, h0, c0)
				var l float64
				for i, v := range hs {
					l += dH[i] * v
				}
				for i, v := range hs[(steps-1)*size*hid:] {
					l += dHN[i] * v
				}
				if net.Family() == model.FamilyLSTM {
					for i, v := range tr.cs[steps*size*hid : (steps+1)*size*hid] {
						l += dCN[i] * v
					}
				}
				return l
			}
			loss()
			ZeroGrad(tr.Params())
			tr.Backward(dH, dHN, dCN)
			for _, p := range tr.Params() {
				for j := range p.Value {
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
		})
	}
}
