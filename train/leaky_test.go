package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"attractor/internal/gemm"
	"attractor/model"
	"attractor/train/task"

	"gonum.org/v1/gonum/mat"
)

type leakyArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type leakyFixture struct {
	Alpha     float64               `json:"alpha"`
	Input     int                   `json:"input_size"`
	Hidden    int                   `json:"hidden_size"`
	Output    int                   `json:"output_size"`
	Steps     int                   `json:"seq_len"`
	Batch     int                   `json:"batch"`
	Params    map[string]leakyArray `json:"params"`
	U         leakyArray            `json:"input"`
	R0        leakyArray            `json:"r0"`
	Rates     leakyArray            `json:"rates"`
	Out       leakyArray            `json:"output"`
	Target    leakyArray            `json:"target"`
	Mask      leakyArray            `json:"mask"`
	LossValue float64               `json:"loss_value"`
	Grads     map[string]leakyArray `json:"grads"`
}

func leakyLoadFixture(t *testing.T) *leakyFixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/leaky_rnn_forward_grad.json")
	if err != nil {
		t.Fatal(err)
	}
	var f leakyFixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// leakyMaxRelErr returns max |got − want| / max(|want|, 1e-3·max|want|).
func leakyMaxRelErr(got, want []float64) float64 {
	var scale, e float64
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i, w := range want {
		e = math.Max(e, math.Abs(got[i]-w)/math.Max(math.Abs(w), 1e-3*scale))
	}
	return e
}

// TestLeakyFixture checks the forward pass and all six gradients against
// the PyTorch fixture (outputs read after the update, masked mean loss, no
// noise, the fixture's r0), with the assembly and the pure-Go kernels.
func TestLeakyFixture(t *testing.T) {
	f := leakyLoadFixture(t)
	for _, asm := range []bool{true, false} {
		if asm && !kernHaveAVX2FMA() {
			continue
		}
		saved := kernUseAsm
		kernUseAsm = asm
		p := func(name string) leakyArray { return f.Params[name] }
		dense := func(name string) *mat.Dense {
			a := p(name)
			return mat.NewDense(a.Shape[0], a.Shape[1], append([]float64(nil), a.Data...))
		}
		net, err := model.NewLeaky(model.LeakyParams{
			WIn: dense(model.ParamLeakyWIn), BIn: append([]float64(nil), p(model.ParamLeakyBIn).Data...),
			WRec: dense(model.ParamLeakyWRec), BRec: append([]float64(nil), p(model.ParamLeakyBRec).Data...),
			WOut: dense(model.ParamLeakyWOut), BOut: append([]float64(nil), p(model.ParamLeakyBOut).Data...),
			DT: f.Alpha, Tau: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewLeakyTrainer(net, nil)
		if err != nil {
			t.Fatal(err)
		}
		tr.Noise, tr.OutputAfterUpdate, tr.Loss = 0, true, LeakyLossWeightMean
		T, B, O, N := f.Steps, f.Batch, f.Output, f.Hidden
		b := task.NewBatch(T, B, f.Input, O)
		copy(b.U, f.U.Data)
		copy(b.Y, f.Target.Data)
		for i, m := range f.Mask.Data {
			for q := 0; q < O; q++ {
				b.W[i*O+q] = m
			}
		}
		st, err := tr.Gradients(b, f.R0.Data, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Rates r_1 … r_T and outputs o_t = out(r_{t+1}) from the scratch.
		c := tr.chunks[0]
		rates := make([]float64, 0, T*B*N)
		outs := make([]float64, 0, T*B*O)
		for s := 1; s <= T; s++ {
			for bi := 0; bi < B; bi++ {
				row := c.x[(s*B+bi)*tr.xw:]
				rates = append(rates, row[tr.p0:tr.p0+N]...)
				outs = append(outs, c.o[(s*B+bi)*O:(s*B+bi+1)*O]...)
			}
		}
		eR, eO := leakyMaxRelErr(rates, f.Rates.Data), leakyMaxRelErr(outs, f.Out.Data)
		eL := math.Abs(st.Loss-f.LossValue) / f.LossValue
		if eR > 1e-10 || eO > 1e-10 || eL > 1e-10 {
			t.Errorf("asm=%v: forward errors: rates %.2g, outputs %.2g, loss %.2g (want ≤ 1e-10)", asm, eR, eO, eL)
		}
		var worst float64
		for _, prm := range tr.Params() {
			want, ok := f.Grads[prm.Name]
			if !ok {
				t.Fatalf("fixture has no gradient for %s", prm.Name)
			}
			e := leakyMaxRelErr(prm.Grad, want.Data)
			worst = math.Max(worst, e)
			if e > 1e-8 {
				t.Errorf("asm=%v: gradient of %s: max relative error %.2g, want ≤ 1e-8", asm, prm.Name, e)
			}
		}
		if len(tr.Params()) != 6 {
			t.Errorf("%d parameters, want 6", len(tr.Params()))
		}
		t.Logf("asm=%v: max relative error rates %.2g, outputs %.2g, loss %.2g, gradients %.2g", asm, eR, eO, eL, worst)
		kernUseAsm = saved
	}
}

// leakyTinyNet returns a random network of n units with 2 inputs and 2
// outputs, and a batch of the given shape with random inputs, targets in
// [0, 1] and weights, scored on every weighted step.
func leakyTinyNet(n, steps, size int, seed uint64) (*model.Leaky, *task.Batch) {
	rng := model.NewRNG(seed, 7)
	net := model.RandomKurtkaya(n, 2, 2, rng)
	wr := net.WRec.RawMatrix().Data
	for i := range wr {
		wr[i] *= 2.5 // strong recurrence, so the gradient travels far
	}
	b := task.NewBatch(steps, size, 2, 2)
	for i := range b.U {
		b.U[i] = rng.Norm()
	}
	for i := range b.Y {
		b.Y[i] = rng.Float64()
		b.W[i] = rng.Float64()
	}
	return net, b
}

// TestLeakyFiniteDifferences compares every gradient entry with central
// differences (ε = 1e-6) of the loss with the same noise and initial state,
// for both readouts, both readout times and both normalisations; the batch
// of 5 trials exercises the kernels' row tails.
func TestLeakyFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		name   string
		linear bool
		after  bool
		loss   LeakyLoss
	}{
		{"sigmoid/before/mean", false, false, LeakyLossMean},
		{"sigmoid/after/weightmean", false, true, LeakyLossWeightMean},
		{"linear/before/mean", true, false, LeakyLossMean},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net, b := leakyTinyNet(6, 7, 5, 11)
			if tc.linear {
				net.Readout = model.LeakyLinear
			}
			tr, err := NewLeakyTrainer(net, nil)
			if err != nil {
				t.Fatal(err)
			}
			tr.Noise, tr.InitStd, tr.OutputAfterUpdate, tr.Loss = 0.05, 0.5, tc.after, tc.loss
			loss := func() float64 {
				st, err := tr.Evaluate(b, model.NewRNG(3, 3))
				if err != nil {
					t.Fatal(err)
				}
				return st.Loss
			}
			if _, err := tr.Gradients(b, nil, model.NewRNG(3, 3)); err != nil {
				t.Fatal(err)
			}
			const eps = 1e-6
			var worst float64
			for _, p := range tr.Params() {
				for i := range p.Value {
					v := p.Value[i]
					p.Value[i] = v + eps
					lp := loss()
					p.Value[i] = v - eps
					lm := loss()
					p.Value[i] = v
					fd := (lp - lm) / (2 * eps)
					e := math.Abs(fd-p.Grad[i]) / math.Max(math.Abs(fd), 1e-4)
					worst = math.Max(worst, e)
					if e > 1e-5 {
						t.Errorf("%s[%d]: analytic %.10g, central difference %.10g", p.Name, i, p.Grad[i], fd)
					}
				}
			}
			t.Logf("max relative deviation from central differences: %.2g", worst)
		})
	}
}

// TestLeakyDeterministic trains a few epochs with 1, 2 and 3 threads and
// with the AVX-512, AVX2 and pure-Go kernels, on a small network (three
// chunks of 64, 64 and 22 trials) and on the benchmark's DCDT network
// (N = 100); the parameters must agree bit for bit.
func TestLeakyDeterministic(t *testing.T) {
	type kernels struct{ asm, avx512 bool }
	set := func(k kernels) func() {
		saved, saved512, savedGemm := kernUseAsm, kernUseAVX512, gemm.HaveAVX512
		kernUseAsm, kernUseAVX512, gemm.HaveAVX512 = k.asm, k.avx512, k.avx512
		return func() { kernUseAsm, kernUseAVX512, gemm.HaveAVX512 = saved, saved512, savedGemm }
	}
	best := kernels{kernHaveAVX2FMA(), kernHaveAVX512()}
	variants := []struct {
		threads int
		k       kernels
	}{{2, best}, {3, best}, {1, kernels{kernHaveAVX2FMA(), false}}, {2, kernels{false, false}}}
	if !best.avx512 {
		t.Log("no AVX-512 on this CPU: compared the AVX2 and Go kernels only")
	}
	for _, tc := range []struct {
		name   string
		epochs int
		setup  func() (*LeakyTrainer, *task.Batch, *model.RNG)
	}{
		{"tiny", 4, func() (*LeakyTrainer, *task.Batch, *model.RNG) {
			net, b := leakyTinyNet(21, 9, 150, 5)
			tr, err := NewLeakyTrainer(net, &SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 1e-7})
			if err != nil {
				t.Fatal(err)
			}
			return tr, b, model.NewRNG(9, 9)
		}},
		{"dcdt", 2, func() (*LeakyTrainer, *task.Batch, *model.RNG) { return leakyDCDTSetup(t, 1) }},
	} {
		train := func(threads int, k kernels) []float64 {
			defer set(k)()
			tr, b, rng := tc.setup()
			tr.Threads = threads
			for e := 0; e < tc.epochs; e++ {
				if _, err := tr.Epoch(b, rng); err != nil {
					t.Fatal(err)
				}
			}
			var all []float64
			for _, p := range tr.Params() {
				all = append(all, p.Value...)
			}
			return all
		}
		ref := train(1, best)
		for _, v := range variants {
			got := train(v.threads, v.k)
			for i := range ref {
				if math.Float64bits(got[i]) != math.Float64bits(ref[i]) {
					t.Fatalf("%s: threads=%d %+v: parameter %d is %v, with 1 thread and %+v %v", tc.name, v.threads, v.k, i, got[i], best, ref[i])
				}
			}
		}
	}
}

// TestLeakyNonFinite checks that a NaN weight makes Epoch fail naming the
// loss, without touching the parameters.
func TestLeakyNonFinite(t *testing.T) {
	net, b := leakyTinyNet(8, 5, 4, 1)
	tr, err := NewLeakyTrainer(net, &SGD{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	net.WRec.Set(0, 1, math.NaN())
	before := append([]float64(nil), tr.Params()[0].Value...)
	_, err = tr.Epoch(b, model.NewRNG(1, 1))
	var nf *model.NonFiniteError
	if !errors.As(err, &nf) || nf.Param != "loss" {
		t.Fatalf("error %v, want a NonFiniteError naming the loss", err)
	}
	for i, v := range tr.Params()[0].Value {
		if v != before[i] {
			t.Fatal("parameters changed after a failed epoch")
		}
	}
}

// TestLeakyNormal checks moments and tail mass of the counter-based normal
// variates.
func TestLeakyNormal(t *testing.T) {
	const n = 2000000
	var s1, s2, s4 float64
	var beyond2, beyond35 int
	for i := uint64(0); i < n; i++ {
		x := leakyNormal(12345 + i*leakyGamma)
		s1 += x
		s2 += x * x
		s4 += x * x * x * x
		if math.Abs(x) > 2 {
			beyond2++
		}
		if math.Abs(x) > 3.5 {
			beyond35++
		}
	}
	mean, v, kurt := s1/n, s2/n, s4/n
	p2, p35 := float64(beyond2)/n, float64(beyond35)/n
	// P(|Z| > 2) = 0.0455003, P(|Z| > 3.5) = 4.6525e-4.
	if math.Abs(mean) > 0.004 || math.Abs(v-1) > 0.005 || math.Abs(kurt-3) > 0.03 ||
		math.Abs(p2-0.0455003) > 0.0008 || math.Abs(p35-4.6525e-4) > 8e-5 {
		t.Errorf("mean %.4f, var %.4f, E x⁴ %.4f, P(|x|>2) %.5f, P(|x|>3.5) %.6f", mean, v, kurt, p2, p35)
	}
}

// TestLeakyDCDTLearns trains the DCDT network (N = 32, 16 trials per class,
// 40 ms delay) for 150 epochs and checks that the loss falls and the
// accuracy rises.
func TestLeakyDCDTLearns(t *testing.T) {
	d := task.NewDCDT(40, false)
	d.PerClass = 16
	b := d.Batch(nil)
	rng := model.NewRNG(2, 0)
	net := model.RandomKurtkaya(32, 2, 2, rng)
	tr, err := NewLeakyTrainer(net, &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 1e-7})
	if err != nil {
		t.Fatal(err)
	}
	first, err := tr.Epoch(b, rng)
	if err != nil {
		t.Fatal(err)
	}
	var st LeakyStats
	for e := 0; e < 150; e++ {
		if st, err = tr.Epoch(b, rng); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("loss %.4f → %.4f, accuracy %.3f → %.3f, reliability %.3f", first.Loss, st.Loss, first.Accuracy, st.Accuracy, st.Reliability)
	if st.Loss > 0.6*first.Loss || st.Accuracy < 0.9 {
		t.Errorf("did not learn: loss %.4f → %.4f, accuracy %.3f", first.Loss, st.Loss, st.Accuracy)
	}
}

// ExampleLeakyTrainer trains a small network on the delayed
// cue-discrimination task with Kurtkaya et al.'s optimiser.
func ExampleLeakyTrainer() {
	d := task.NewDCDT(40, false) // 40 ms delay: 6 + 8 + 10 = 24 steps
	d.PerClass = 16
	batch := d.Batch(nil)
	rng := model.NewRNG(2, 0)
	net := model.RandomKurtkaya(32, 2, 2, rng) // Xavier init, a = 0.5
	tr, err := NewLeakyTrainer(net, &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 1e-7})
	if err != nil {
		panic(err)
	}
	tr.Threads = 2 // same bits as 1 thread
	var st LeakyStats
	for epoch := 0; epoch < 150; epoch++ {
		if st, err = tr.Epoch(batch, rng); err != nil {
			panic(err) // a NaN loss or gradient, named in err
		}
	}
	fmt.Printf("loss %.3f, accuracy %.2f\n", st.Loss, st.Accuracy)
	// Output: loss 0.007, accuracy 0.95
}
