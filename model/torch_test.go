package model

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

var (
	_ Network = (*TorchRNN)(nil)
	_ Network = (*GRU)(nil)
	_ Network = (*LSTM)(nil)
)

// torchFamilies lists the three families with their gate counts, fixture
// files, constructors and random constructors.
var torchFamilies = []struct {
	family  Family
	gates   int
	fixture string
	state   StateVar
	newNet  func(TorchParams) (Network, error)
	random  func(h, i, o int, rng *RNG) Network
}{
	{FamilyTorchRNN, 1, "rnn_tanh_forward_grad.json", StateHidden,
		func(p TorchParams) (Network, error) { return NewTorchRNN(p) },
		func(h, i, o int, rng *RNG) Network { return RandomTorchRNN(h, i, o, rng) }},
	{FamilyGRU, 3, "gru_forward_grad.json", StateHidden,
		func(p TorchParams) (Network, error) { return NewGRU(p) },
		func(h, i, o int, rng *RNG) Network { return RandomGRU(h, i, o, rng) }},
	{FamilyLSTM, 4, "lstm_forward_grad.json", StateHiddenCell,
		func(p TorchParams) (Network, error) { return NewLSTM(p) },
		func(h, i, o int, rng *RNG) Network { return RandomLSTM(h, i, o, rng) }},
}

// torchTestDense converts a fixture array of shape [r, c] to a matrix.
func torchTestDense(t *testing.T, a fixArray) *mat.Dense {
	t.Helper()
	if len(a.Shape) != 2 || a.Shape[0]*a.Shape[1] != len(a.Data) {
		t.Fatalf("fixture array has shape %v and %d values, want a matrix", a.Shape, len(a.Data))
	}
	return mat.NewDense(a.Shape[0], a.Shape[1], append([]float64(nil), a.Data...))
}

// torchTestParams returns the recurrent-layer parameters of a fixture.
func torchTestParams(t *testing.T, f *fixture) TorchParams {
	t.Helper()
	get := func(name string) fixArray {
		a, ok := f.Params[name]
		if !ok {
			t.Fatalf("fixture %s has no parameter %s", f.Kind, name)
		}
		return a
	}
	return TorchParams{
		WeightIH: torchTestDense(t, get(ParamWeightIH)),
		WeightHH: torchTestDense(t, get(ParamWeightHH)),
		BiasIH:   append([]float64(nil), get(ParamBiasIH).Data...),
		BiasHH:   append([]float64(nil), get(ParamBiasHH).Data...),
	}
}

// TestTorchFixtures runs each family over the 25-step, 3-sequence batch of
// the PyTorch 1.13 float64 fixture from (h0, c0) and compares every output
// h_t and the final h_n (and c_n) with torch's to 1e-10 relative.
func TestTorchFixtures(t *testing.T) {
	const tol = 1e-10
	for _, fam := range torchFamilies {
		t.Run(string(fam.family), func(t *testing.T) {
			f := loadFixture(t, fam.fixture)
			if f.Kind != string(fam.family) {
				t.Fatalf("fixture kind %q, want %q", f.Kind, fam.family)
			}
			net, err := fam.newNet(torchTestParams(t, f))
			if err != nil {
				t.Fatal(err)
			}
			H, I := f.HiddenSize, f.InputSize
			if d := net.Dims(); d.Input != I || d.Output != 0 {
				t.Fatalf("Dims = %+v, want input %d, output 0", d, I)
			}
			lstm := fam.family == FamilyLSTM
			S := H
			if lstm {
				S = 2 * H
			}
			var maxRel, maxAbsRel float64 // relClose metric and plain |d|/|want|
			compare := func(what string, got, want []float64) {
				for i := range want {
					d := math.Abs(got[i] - want[i])
					maxRel = math.Max(maxRel, d/math.Max(1, math.Abs(want[i])))
					if want[i] != 0 {
						maxAbsRel = math.Max(maxAbsRel, d/math.Abs(want[i]))
					}
					if !relClose(got[i], want[i], tol) {
						t.Errorf("%s[%d] = %.17g, torch %.17g", what, i, got[i], want[i])
					}
				}
			}
			x, next := make([]float64, S), make([]float64, S)
			for b := 0; b < f.Batch; b++ {
				copy(x, f.H0.Data[b*H:(b+1)*H])
				if lstm {
					copy(x[H:], f.C0.Data[b*H:(b+1)*H])
				}
				for s := 0; s < f.SeqLen; s++ {
					u := f.Input.Data[(s*f.Batch+b)*I : (s*f.Batch+b+1)*I]
					net.Step(next, x, u)
					x, next = next, x
					compare(fmt.Sprintf("batch %d step %d: h", b, s), x[:H], f.Output.Data[(s*f.Batch+b)*H:(s*f.Batch+b+1)*H])
				}
				compare(fmt.Sprintf("batch %d: h_n", b), x[:H], f.HN.Data[b*H:(b+1)*H])
				if lstm {
					compare(fmt.Sprintf("batch %d: c_n", b), x[H:], f.CN.Data[b*H:(b+1)*H])
				}
			}
			t.Logf("%s: max error vs torch %.3g relative to max(1,|want|), %.3g relative to |want|", fam.family, maxRel, maxAbsRel)
		})
	}
}

// torchTestVec returns n normal values times scale.
func torchTestVec(rng *RNG, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.Norm()
	}
	return v
}

// TestTorchJacobians checks EC-32 for every family: the analytic state and
// input Jacobians equal central finite differences at several random states
// and inputs, for networks with PyTorch's default initialisation, with
// weights scaled up into the saturating regime, and with the fixtures'
// weights.
func TestTorchJacobians(t *testing.T) {
	for _, fam := range torchFamilies {
		t.Run(string(fam.family), func(t *testing.T) {
			rng := NewRNG(32, 1)
			nets := map[string]Network{}
			nets["default"] = fam.random(7, 3, 2, rng)
			big := fam.random(7, 3, 0, rng)
			p := torchTestParamsOf(big)
			p.WeightHH.Scale(4, p.WeightHH)
			p.WeightIH.Scale(4, p.WeightIH)
			nets["gain 4"] = big
			fixNet, err := fam.newNet(torchTestParams(t, loadFixture(t, fam.fixture)))
			if err != nil {
				t.Fatal(err)
			}
			nets["fixture"] = fixNet
			for name, net := range nets {
				d := net.Dims()
				for k := 0; k < 5; k++ {
					x := torchTestVec(rng, d.State, 0.8)
					var u []float64
					if k > 0 { // k == 0 checks nil (zero) input
						u = torchTestVec(rng, d.Input, 1)
					}
					t.Run(fmt.Sprintf("%s/%d", name, k), func(t *testing.T) {
						checkJacobians(t, net, x, u)
					})
				}
			}
		})
	}
}

// torchTestParamsOf returns the parameters of a network of this file.
func torchTestParamsOf(net Network) *TorchParams {
	switch n := net.(type) {
	case *TorchRNN:
		return &n.TorchParams
	case *GRU:
		return &n.TorchParams
	case *LSTM:
		return &n.TorchParams
	}
	panic("not a torch network")
}

// torchTestScratch returns the scratch slices of a network of this file.
func torchTestScratch(net Network) [][]float64 {
	switch n := net.(type) {
	case *TorchRNN:
		return [][]float64{n.a}
	case *GRU:
		return [][]float64{n.gi, n.gh}
	case *LSTM:
		return [][]float64{n.gates, n.c, n.tc}
	}
	panic("not a torch network")
}

func TestTorchDims(t *testing.T) {
	for _, fam := range torchFamilies {
		net := fam.random(5, 3, 2, NewRNG(1, 0))
		want := Dims{State: 5, Input: 3, Output: 2}
		if fam.family == FamilyLSTM {
			want.State = 10
		}
		if got := net.Dims(); got != want {
			t.Errorf("%s: Dims = %+v, want %+v", fam.family, got, want)
		}
		if got := net.Family(); got != fam.family {
			t.Errorf("Family = %q, want %q", got, fam.family)
		}
		if got := net.StateVar(); got != fam.state {
			t.Errorf("%s: StateVar = %q, want %q", fam.family, got, fam.state)
		}
		p := torchTestParamsOf(net)
		if r, c := p.WeightHH.Dims(); r != 5*fam.gates || c != 5 {
			t.Errorf("%s: WeightHH is %d×%d, want %d×5", fam.family, r, c, 5*fam.gates)
		}
		if r, c := p.WeightIH.Dims(); r != 5*fam.gates || c != 3 {
			t.Errorf("%s: WeightIH is %d×%d, want %d×3", fam.family, r, c, 5*fam.gates)
		}
	}
}

// TestTorchOutput compares Output with W_out h + b_out computed by gonum's
// mat package.
func TestTorchOutput(t *testing.T) {
	for _, fam := range torchFamilies {
		rng := NewRNG(5, 0)
		net := fam.random(6, 2, 3, rng)
		p := torchTestParamsOf(net)
		x := torchTestVec(rng, net.Dims().State, 1)
		var want mat.VecDense
		want.MulVec(p.WOut, mat.NewVecDense(6, x[:6]))
		want.AddVec(&want, mat.NewVecDense(3, p.BOut))
		got := make([]float64, 3)
		net.Output(got, x)
		for i := range got {
			if !relClose(got[i], want.AtVec(i), 1e-14) {
				t.Errorf("%s: Output[%d] = %v, want %v", fam.family, i, got[i], want.AtVec(i))
			}
		}
		// A network without readout writes nothing.
		none := fam.random(6, 2, 0, rng)
		none.Output(nil, x)
	}
}

// TestTorchNoInput checks a network with no input channels: nil WeightIH,
// and Step with nil u equals Step of the same recurrent weights with zero
// input.
func TestTorchNoInput(t *testing.T) {
	for _, fam := range torchFamilies {
		rng := NewRNG(6, 0)
		with := fam.random(4, 2, 0, rng)
		p := *torchTestParamsOf(with)
		p.WeightIH = nil
		without, err := fam.newNet(p)
		if err != nil {
			t.Fatal(err)
		}
		if d := without.Dims(); d.Input != 0 {
			t.Errorf("%s: Dims().Input = %d, want 0", fam.family, d.Input)
		}
		x := torchTestVec(rng, with.Dims().State, 1)
		a, b := make([]float64, len(x)), make([]float64, len(x))
		with.Step(a, x, []float64{0, 0})
		without.Step(b, x, nil)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: no-input step [%d] = %v, zero-input step %v", fam.family, i, b[i], a[i])
			}
		}
		checkJacobians(t, without, x, nil)
	}
}

// TestTorchNonFinite puts a NaN or an infinity into each parameter in turn
// and expects the constructor to return a *NonFiniteError naming it.
func TestTorchNonFinite(t *testing.T) {
	params := []struct {
		name string
		get  func(p *TorchParams) []float64
	}{
		{ParamWeightIH, func(p *TorchParams) []float64 { return p.WeightIH.RawMatrix().Data }},
		{ParamWeightHH, func(p *TorchParams) []float64 { return p.WeightHH.RawMatrix().Data }},
		{ParamBiasIH, func(p *TorchParams) []float64 { return p.BiasIH }},
		{ParamBiasHH, func(p *TorchParams) []float64 { return p.BiasHH }},
		{ParamWOut, func(p *TorchParams) []float64 { return p.WOut.RawMatrix().Data }},
		{ParamBOut, func(p *TorchParams) []float64 { return p.BOut }},
	}
	for _, fam := range torchFamilies {
		for k, pr := range params {
			for _, bad := range []float64{math.NaN(), math.Inf(-1)} {
				p := *torchTestParamsOf(fam.random(3, 2, 2, NewRNG(uint64(k), 0)))
				data := pr.get(&p)
				idx := (k + 1) % len(data)
				data[idx] = bad
				_, err := fam.newNet(p)
				var nf *NonFiniteError
				if !errors.As(err, &nf) {
					t.Errorf("%s with %v in %s: error %v, want a *NonFiniteError", fam.family, bad, pr.name, err)
					continue
				}
				if nf.Param != pr.name || nf.Index != idx || !(math.IsNaN(nf.Value) == math.IsNaN(bad)) {
					t.Errorf("%s: NonFiniteError %+v, want param %s index %d value %v", fam.family, *nf, pr.name, idx, bad)
				}
				if !strings.Contains(err.Error(), pr.name) {
					t.Errorf("%s: error %q does not name %s", fam.family, err, pr.name)
				}
			}
		}
	}
}

// TestTorchBadShapes expects constructors to reject inconsistent shapes with
// an error naming the parameter.
func TestTorchBadShapes(t *testing.T) {
	cases := []struct {
		param string
		edit  func(p *TorchParams, g int)
	}{
		{ParamWeightHH, func(p *TorchParams, g int) { p.WeightHH = nil }},
		{ParamWeightHH, func(p *TorchParams, g int) { p.WeightHH = mat.NewDense(4*g+1, 4, nil) }},
		{ParamWeightHH, func(p *TorchParams, g int) { p.WeightHH = mat.NewDense(4*g, 5, nil) }},
		{ParamWeightIH, func(p *TorchParams, g int) { p.WeightIH = mat.NewDense(4*g-1, 2, nil) }},
		{ParamBiasIH, func(p *TorchParams, g int) { p.BiasIH = p.BiasIH[1:] }},
		{ParamBiasHH, func(p *TorchParams, g int) { p.BiasHH = append(p.BiasHH, 0) }},
		{ParamWOut, func(p *TorchParams, g int) { p.WOut = mat.NewDense(2, 3, nil) }},
		{ParamBOut, func(p *TorchParams, g int) { p.BOut = p.BOut[:1] }},
		{ParamBOut, func(p *TorchParams, g int) { p.WOut, p.BOut = nil, []float64{1} }},
	}
	for _, fam := range torchFamilies {
		for i, c := range cases {
			p := *torchTestParamsOf(fam.random(4, 2, 2, NewRNG(2, 0)))
			c.edit(&p, fam.gates)
			net, err := fam.newNet(p)
			if err == nil {
				t.Errorf("%s case %d: no error (net %v), want one naming %s", fam.family, i, net, c.param)
				continue
			}
			if !strings.Contains(err.Error(), c.param) {
				t.Errorf("%s case %d: error %q does not name %s", fam.family, i, err, c.param)
			}
		}
	}
}

// TestTorchNilBiases checks that nil biases mean torch's bias=False.
func TestTorchNilBiases(t *testing.T) {
	for _, fam := range torchFamilies {
		rng := NewRNG(3, 0)
		full := fam.random(4, 2, 1, rng)
		p := torchTestParamsOf(full)
		clear(p.BiasIH)
		clear(p.BiasHH)
		clear(p.BOut)
		q := *p
		q.BiasIH, q.BiasHH, q.BOut = nil, nil, nil
		nob, err := fam.newNet(q)
		if err != nil {
			t.Fatal(err)
		}
		x := torchTestVec(rng, full.Dims().State, 1)
		u := torchTestVec(rng, 2, 1)
		a, b := make([]float64, len(x)), make([]float64, len(x))
		full.Step(a, x, u)
		nob.Step(b, x, u)
		ya, yb := make([]float64, 1), make([]float64, 1)
		full.Output(ya, x)
		nob.Output(yb, x)
		if ya[0] != yb[0] {
			t.Errorf("%s: output %v with nil biases, %v with zero biases", fam.family, yb[0], ya[0])
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: step [%d] = %v with nil biases, %v with zero biases", fam.family, i, b[i], a[i])
			}
		}
	}
}

// torchTestPanic returns the ShapeError f panics with, or fails.
func torchTestPanic(t *testing.T, what string, f func()) (se ShapeError) {
	t.Helper()
	defer func() {
		v := recover()
		e, ok := v.(ShapeError)
		if !ok {
			t.Errorf("%s: panic value %v (%T), want a ShapeError", what, v, v)
		}
		se = e
	}()
	f()
	return se
}

func TestTorchShapePanics(t *testing.T) {
	for _, fam := range torchFamilies {
		net := fam.random(4, 2, 3, NewRNG(4, 0))
		S := net.Dims().State
		x, u, ok := make([]float64, S), make([]float64, 2), make([]float64, S)
		jac, ijac := mat.NewDense(S, S, nil), mat.NewDense(S, 2, nil)
		cases := []struct {
			name, arg string
			f         func()
		}{
			{"Step short dst", "dst", func() { net.Step(make([]float64, S-1), x, u) }},
			{"Step long dst", "dst", func() { net.Step(make([]float64, S+1), x, u) }},
			{"Step x", "x", func() { net.Step(ok, x[:S-1], u) }},
			{"Step u", "u", func() { net.Step(ok, x, u[:1]) }},
			{"Jacobian dst", "dst", func() { net.Jacobian(mat.NewDense(S, S+1, nil), x, u) }},
			{"Jacobian x", "x", func() { net.Jacobian(jac, x[:S-1], u) }},
			{"InputJacobian dst", "dst", func() { net.InputJacobian(mat.NewDense(S, 3, nil), x, u) }},
			{"InputJacobian u", "u", func() { net.InputJacobian(ijac, x, make([]float64, 3)) }},
			{"Output dst", "dst", func() { net.Output(make([]float64, 2), x) }},
			{"Output x", "x", func() { net.Output(make([]float64, 3), x[:1]) }},
		}
		for _, c := range cases {
			if se := torchTestPanic(t, string(fam.family)+" "+c.name, c.f); se.Arg != c.arg {
				t.Errorf("%s %s: ShapeError %+v, want arg %s", fam.family, c.name, se, c.arg)
			}
		}
	}
}

// TestTorchClone checks that a clone gives the same results, shares the
// parameters, owns its scratch, and can run on another goroutine.
func TestTorchClone(t *testing.T) {
	for _, fam := range torchFamilies {
		rng := NewRNG(8, 0)
		net := fam.random(6, 3, 2, rng)
		cl := net.Clone()
		if cl.Family() != net.Family() || cl.Dims() != net.Dims() {
			t.Fatalf("%s: clone is %s %+v", fam.family, cl.Family(), cl.Dims())
		}
		p, q := torchTestParamsOf(net), torchTestParamsOf(cl)
		if p.WeightHH != q.WeightHH || p.WeightIH != q.WeightIH || &p.BiasHH[0] != &q.BiasHH[0] || p.WOut != q.WOut {
			t.Errorf("%s: clone does not share the parameters", fam.family)
		}
		for i, s := range torchTestScratch(net) {
			if &s[0] == &torchTestScratch(cl)[i][0] {
				t.Errorf("%s: clone shares scratch slice %d", fam.family, i)
			}
		}
		S := net.Dims().State
		xs := make([][]float64, 20)
		us := make([][]float64, 20)
		want := make([][]float64, 20)
		for k := range xs {
			xs[k] = torchTestVec(rng, S, 1)
			us[k] = torchTestVec(rng, 3, 1)
			want[k] = make([]float64, S)
			net.Step(want[k], xs[k], us[k])
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for g := range errs {
			c := net.Clone()
			wg.Add(1)
			go func() {
				defer wg.Done()
				dst := make([]float64, S)
				jac := mat.NewDense(S, S, nil)
				for rep := 0; rep < 50; rep++ {
					for k := range xs {
						c.Jacobian(jac, xs[(k+1)%len(xs)], us[k])
						c.Step(dst, xs[k], us[k])
						for i := range dst {
							if dst[i] != want[k][i] {
								errs[g] = fmt.Errorf("goroutine %d: step %d [%d] = %v, want %v", g, k, i, dst[i], want[k][i])
								return
							}
						}
					}
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("%s: %v", fam.family, err)
			}
		}
	}
}

// TestTorchRandomDeterminism checks that the same seed gives identical
// weights, another seed different ones, and that every value lies in
// torch's default range [−1/√H, 1/√H).
func TestTorchRandomDeterminism(t *testing.T) {
	const H = 9
	k := 1 / math.Sqrt(H)
	for _, fam := range torchFamilies {
		a := torchTestParamsOf(fam.random(H, 3, 2, NewRNG(11, 4)))
		b := torchTestParamsOf(fam.random(H, 3, 2, NewRNG(11, 4)))
		c := torchTestParamsOf(fam.random(H, 3, 2, NewRNG(12, 4)))
		all := func(p *TorchParams) [][]float64 {
			return [][]float64{p.WeightIH.RawMatrix().Data, p.WeightHH.RawMatrix().Data, p.BiasIH, p.BiasHH, p.WOut.RawMatrix().Data, p.BOut}
		}
		av, bv, cv := all(a), all(b), all(c)
		same := true
		var lo, hi float64
		for i := range av {
			for j := range av[i] {
				if av[i][j] != bv[i][j] {
					t.Fatalf("%s: same seed gives different parameter %d[%d]: %v, %v", fam.family, i, j, av[i][j], bv[i][j])
				}
				if av[i][j] != cv[i][j] {
					same = false
				}
				if v := av[i][j]; v < -k || v >= k {
					t.Errorf("%s: parameter %d[%d] = %v outside [−1/√H, 1/√H)", fam.family, i, j, v)
				}
				lo, hi = math.Min(lo, av[i][j]), math.Max(hi, av[i][j])
			}
		}
		if same {
			t.Errorf("%s: seeds 11 and 12 give identical parameters", fam.family)
		}
		if lo > -0.8*k || hi < 0.8*k {
			t.Errorf("%s: parameters span [%v, %v], want most of [−%v, %v)", fam.family, lo, hi, k, k)
		}
	}
}

// TestLSTMSetForgetBias checks that the forget gate at h = 0 with no input
// is σ(1) after SetForgetBias(1), and that the other gates are untouched.
func TestLSTMSetForgetBias(t *testing.T) {
	const H = 5
	l := RandomLSTM(H, 2, 0, NewRNG(9, 0))
	before := append([]float64(nil), l.BiasIH...)
	l.SetForgetBias(1)
	x := make([]float64, 2*H)
	l.Step(make([]float64, 2*H), x, nil)
	for j := 0; j < H; j++ {
		if got, want := l.gates[H+j], 1/(1+math.Exp(-1)); math.Abs(got-want) > 1e-15 {
			t.Errorf("forget gate %d = %v, want σ(1) = %v", j, got, want)
		}
	}
	for i, v := range l.BiasIH {
		if (i < H || i >= 2*H) && v != before[i] {
			t.Errorf("BiasIH[%d] changed from %v to %v", i, before[i], v)
		}
	}
}

// TestTorchNoAlloc checks that Step, Jacobian, InputJacobian and Output do
// not allocate.
func TestTorchNoAlloc(t *testing.T) {
	for _, fam := range torchFamilies {
		rng := NewRNG(10, 0)
		net := fam.random(20, 3, 2, rng)
		S := net.Dims().State
		x, u, dst, y := torchTestVec(rng, S, 1), torchTestVec(rng, 3, 1), make([]float64, S), make([]float64, 2)
		jac, ijac := mat.NewDense(S, S, nil), mat.NewDense(S, 3, nil)
		for name, f := range map[string]func(){
			"Step":          func() { net.Step(dst, x, u) },
			"Step nil u":    func() { net.Step(dst, x, nil) },
			"Jacobian":      func() { net.Jacobian(jac, x, u) },
			"InputJacobian": func() { net.InputJacobian(ijac, x, u) },
			"Output":        func() { net.Output(y, x) },
		} {
			if a := testing.AllocsPerRun(20, f); a != 0 {
				t.Errorf("%s.%s: %v allocations per call, want 0", fam.family, name, a)
			}
		}
	}
}
