package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ctrnnTestNet builds a small CTRNN with every term switched on (or off):
// dense or sparse J, optional feedback, input, bias and τ ≠ 1.
func ctrnnTestNet(t testing.TB, n int, sparse, feedback bool, seed uint64) *CTRNN {
	t.Helper()
	rng := NewRNG(seed, 1)
	var j Recurrent
	if sparse {
		j = SparseGaussian(n, 0.2, 1, rng)
	} else {
		j = NewDenseRecurrent(DenseGaussian(n, 1, rng))
	}
	p := CTRNNParams{
		G:   1.3,
		J:   j,
		WIn: ctrnnNormalDense(n, 2, 0.5, rng),
		WO:  ctrnnNormalDense(n, 1, 1/math.Sqrt(float64(n)), rng),
		WD:  ctrnnNormalDense(n, 2, 1/math.Sqrt(float64(n)), rng),
		B:   NormalVector(n, 0.2, rng),
		Tau: 1.7,
		DT:  0.1,
	}
	if feedback {
		p.WF = ctrnnNormalDense(n, 1, 1, rng)
		p.WFD = ctrnnNormalDense(n, 2, 1, rng)
	}
	net, err := NewCTRNN(p)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestCTRNNJacobians is EC-32 for the CTRNN: analytic Jacobians against
// central finite differences, dense and sparse J, with and without
// feedback, and Step against the Euler step of Velocity.
func TestCTRNNJacobians(t *testing.T) {
	for _, tc := range []struct {
		name             string
		sparse, feedback bool
	}{
		{"dense", false, false},
		{"dense+feedback", false, true},
		{"sparse", true, false},
		{"sparse+feedback", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := ctrnnTestNet(t, 12, tc.sparse, tc.feedback, 7)
			rng := NewRNG(99, 0)
			x := NormalVector(12, 1, rng)
			u := NormalVector(2, 1, rng)
			checkJacobians(t, net, x, u)
			checkJacobians(t, net, x, nil)
		})
	}
}

// TestCTRNNFeedbackJacobian checks the closed form of the velocity
// Jacobian, (−I + J_T diag(φ'))/τ with J_T from EffectiveJ, at a random x.
func TestCTRNNFeedbackJacobian(t *testing.T) {
	net := ctrnnTestNet(t, 9, false, true, 3)
	x := NormalVector(9, 1, NewRNG(5, 0))
	got := mat.NewDense(9, 9, nil)
	net.VelocityJacobian(got, x, nil)
	jt := net.EffectiveJ()
	want := mat.NewDense(9, 9, nil)
	for i := 0; i < 9; i++ {
		for j := 0; j < 9; j++ {
			d := 1 - math.Pow(math.Tanh(x[j]), 2)
			v := jt.At(i, j) * d
			if i == j {
				v--
			}
			want.Set(i, j, v/net.Tau)
		}
	}
	if e := relFrobenius(got, want); e > 1e-13 {
		t.Errorf("velocity Jacobian differs from (−I + J_T diag φ')/τ by %.3g", e)
	}
}

// TestCTRNNSparseDenseAgree checks that the same J stored dense and sparse
// gives the same Step, velocity Jacobian and output.
func TestCTRNNSparseDenseAgree(t *testing.T) {
	sp := ctrnnTestNet(t, 40, true, true, 11)
	p := CTRNNParams{G: sp.G, J: NewDenseRecurrent(sp.J.(*CSR).Dense()), WF: sp.WF, WFD: sp.WFD,
		WIn: sp.WIn, WO: sp.WO, WD: sp.WD, B: sp.B, Tau: sp.Tau, DT: sp.DT}
	de, err := NewCTRNN(p)
	if err != nil {
		t.Fatal(err)
	}
	rng := NewRNG(1, 2)
	x := NormalVector(40, 1, rng)
	u := NormalVector(2, 1, rng)
	a, b := make([]float64, 40), make([]float64, 40)
	for k := 0; k < 50; k++ {
		sp.Step(a, x, u)
		de.Step(b, x, u)
		for i := range a {
			if !relClose(a[i], b[i], 1e-12) {
				t.Fatalf("step %d: sparse Step[%d] = %v, dense %v", k, i, a[i], b[i])
			}
		}
		copy(x, a)
	}
	ja, jb := mat.NewDense(40, 40, nil), mat.NewDense(40, 40, nil)
	sp.Jacobian(ja, x, u)
	de.Jacobian(jb, x, u)
	if e := relFrobenius(ja, jb); e > 1e-14 {
		t.Errorf("sparse and dense Jacobians differ by %.3g", e)
	}
}

// TestCTRNNOriginJacobian is the EC-03 identity: at x = 0 with τ = 1 and
// zero readouts, VelocityJacobian equals −I + gJ exactly.
func TestCTRNNOriginJacobian(t *testing.T) {
	for _, p := range []float64{0.1, 0.5} { // sparse and dense storage
		net, err := RandomGhazizadeh(60, p, 0.8, 1, NewRNG(4, 0))
		if err != nil {
			t.Fatal(err)
		}
		got := mat.NewDense(60, 60, nil)
		net.VelocityJacobian(got, make([]float64, 60), nil)
		want := mat.NewDense(60, 60, nil)
		for i := 0; i < 60; i++ {
			for j := 0; j < 60; j++ {
				v := net.G * net.J.At(i, j)
				if i == j {
					v -= 1
				}
				want.Set(i, j, v)
			}
		}
		if !mat.Equal(got, want) {
			t.Errorf("p = %v: VelocityJacobian(0) != −I + gJ (max diff %.3g)", p, ctrnnMaxAbsDiff(got, want))
		}
		if _, dense := net.J.(*DenseRecurrent); dense != (p >= SparseDensityThreshold) {
			t.Errorf("p = %v: J stored as %T", p, net.J)
		}
	}
}

func ctrnnMaxAbsDiff(a, b *mat.Dense) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, math.Inf(1))
}

// TestCTRNNHandComputed checks Velocity and Output against values worked
// out by hand for a 2-neuron network.
func TestCTRNNHandComputed(t *testing.T) {
	// J = [[0, 1], [−1, 0]], g = 2, W_f = (1, 0)ᵀ, W_o = (0, 1)ᵀ, W_in = (0, 1)ᵀ, b = (0.5, 0), τ = 2.
	j := NewDenseRecurrent(mat.NewDense(2, 2, []float64{0, 1, -1, 0}))
	net, err := NewCTRNN(CTRNNParams{
		G: 2, J: j,
		WF:  mat.NewDense(2, 1, []float64{1, 0}),
		WO:  mat.NewDense(2, 1, []float64{0, 1}),
		WIn: mat.NewDense(2, 1, []float64{0, 1}),
		B:   []float64{0.5, 0},
		Tau: 2, DT: 0.1,
	})
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, -0.7}
	r0, r1 := math.Tanh(0.3), math.Tanh(-0.7)
	z := r1
	want := []float64{
		(-0.3 + 2*r1 + z + 0.5) / 2,
		(0.7 - 2*r0 + 1.5) / 2,
	}
	got := make([]float64, 2)
	net.Velocity(got, x, []float64{1.5})
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-14 {
			t.Errorf("Velocity[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	out := make([]float64, 1)
	net.Output(out, x)
	if out[0] != z {
		t.Errorf("Output = %v, want %v", out[0], z)
	}
	if d := net.Dims(); d != (Dims{State: 2, Input: 1, Output: 1}) {
		t.Errorf("Dims = %+v", d)
	}
}

// TestCTRNNEffectiveJ checks J_T = gJ + W_f W_oᵀ + W_fd W_dᵀ entrywise.
func TestCTRNNEffectiveJ(t *testing.T) {
	net := ctrnnTestNet(t, 7, true, true, 13)
	jt := net.EffectiveJ()
	for i := 0; i < 7; i++ {
		for j := 0; j < 7; j++ {
			want := net.G*net.J.At(i, j) + net.WF.At(i, 0)*net.WO.At(j, 0)
			for k := 0; k < 2; k++ {
				want += net.WFD.At(i, k) * net.WD.At(j, k)
			}
			if math.Abs(jt.At(i, j)-want) > 1e-14 {
				t.Fatalf("J_T(%d,%d) = %v, want %v", i, j, jt.At(i, j), want)
			}
		}
	}
}

// TestCTRNNClone checks that a clone gives the same results and does not
// share scratch space.
func TestCTRNNClone(t *testing.T) {
	net := ctrnnTestNet(t, 20, false, true, 2)
	cl := net.Clone().(*CTRNN)
	if &cl.r[0] == &net.r[0] {
		t.Fatal("clone shares scratch space")
	}
	x := NormalVector(20, 1, NewRNG(3, 3))
	a, b := make([]float64, 20), make([]float64, 20)
	net.Step(a, x, nil)
	cl.Step(b, x, nil)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("clone Step[%d] = %v, want %v", i, b[i], a[i])
		}
	}
}

// TestCTRNNNoAlloc checks that the hot methods do not allocate.
func TestCTRNNNoAlloc(t *testing.T) {
	for _, sparse := range []bool{false, true} {
		net := ctrnnTestNet(t, 30, sparse, true, 1)
		x := NormalVector(30, 1, NewRNG(1, 1))
		u := []float64{0.1, -0.2}
		dst := make([]float64, 30)
		out := make([]float64, 3)
		jac := mat.NewDense(30, 30, nil)
		ju := mat.NewDense(30, 2, nil)
		for name, f := range map[string]func(){
			"Step":             func() { net.Step(dst, x, u) },
			"Velocity":         func() { net.Velocity(dst, x, u) },
			"Jacobian":         func() { net.Jacobian(jac, x, u) },
			"VelocityJacobian": func() { net.VelocityJacobian(jac, x, u) },
			"InputJacobian":    func() { net.InputJacobian(ju, x, u) },
			"Output":           func() { net.Output(out, x) },
		} {
			if a := testing.AllocsPerRun(20, f); a != 0 {
				t.Errorf("sparse=%v: %s allocates %v times per call", sparse, name, a)
			}
		}
	}
}

// TestNewCTRNNErrors checks that bad parameters are reported, naming the
// parameter.
func TestNewCTRNNErrors(t *testing.T) {
	good := func() CTRNNParams {
		rng := NewRNG(1, 0)
		return CTRNNParams{
			G: 1, J: NewDenseRecurrent(DenseGaussian(5, 1, rng)),
			WF: ctrnnNormalDense(5, 1, 1, rng), WO: ctrnnNormalDense(5, 1, 1, rng),
			WIn: ctrnnNormalDense(5, 2, 1, rng), B: make([]float64, 5), Tau: 1, DT: 0.1,
		}
	}
	if _, err := NewCTRNN(good()); err != nil {
		t.Fatalf("good parameters rejected: %v", err)
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		mod    func(p *CTRNNParams)
		param  string // for a NonFiniteError
		substr string // for a shape error
	}{
		{"NaN J", func(p *CTRNNParams) { p.J.(*DenseRecurrent).Matrix().Set(2, 3, nan) }, "J", ""},
		{"Inf W_in", func(p *CTRNNParams) { p.WIn.Set(4, 1, math.Inf(1)) }, "W_in", ""},
		{"NaN W_f", func(p *CTRNNParams) { p.WF.Set(0, 0, nan) }, "W_f", ""},
		{"NaN W_o", func(p *CTRNNParams) { p.WO.Set(1, 0, nan) }, "W_o", ""},
		{"NaN b", func(p *CTRNNParams) { p.B[3] = nan }, "b", ""},
		{"NaN g", func(p *CTRNNParams) { p.G = nan }, "g", ""},
		{"NaN tau", func(p *CTRNNParams) { p.Tau = nan }, "tau", ""},
		{"W_in rows", func(p *CTRNNParams) { p.WIn = mat.NewDense(4, 2, nil) }, "", "W_in"},
		{"W_f cols", func(p *CTRNNParams) { p.WF = mat.NewDense(5, 2, nil) }, "", "W_f"},
		{"W_f without W_o", func(p *CTRNNParams) { p.WO = nil }, "", "W_f"},
		{"W_fd without W_d", func(p *CTRNNParams) { p.WFD = mat.NewDense(5, 2, nil) }, "", "W_fd"},
		{"b length", func(p *CTRNNParams) { p.B = make([]float64, 3) }, "", "b has length"},
		{"nil J", func(p *CTRNNParams) { p.J = nil }, "", "J"},
		{"tau zero", func(p *CTRNNParams) { p.Tau = 0 }, "", "tau"},
		{"dt negative", func(p *CTRNNParams) { p.DT = -0.1 }, "", "dt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.mod(&p)
			_, err := NewCTRNN(p)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.param != "" {
				var nf *NonFiniteError
				if !errors.As(err, &nf) || nf.Param != tc.param {
					t.Fatalf("error %v, want NonFiniteError for %s", err, tc.param)
				}
				return
			}
			if !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("error %q does not mention %q", err, tc.substr)
			}
		})
	}
}

// TestCTRNNNonFiniteIndex checks the flat index reported for a bad J entry
// in sparse storage.
func TestCTRNNNonFiniteIndex(t *testing.T) {
	j, err := NewCSR(4, []int{0, 2}, []int{1, 3}, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	j.val[1] = math.Inf(-1) // corrupt after construction
	_, err = NewCTRNN(CTRNNParams{G: 1, J: j, Tau: 1, DT: 0.1})
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Index != 2*4+3 {
		t.Fatalf("error %v, want NonFiniteError at flat index 11", err)
	}
}

// TestCTRNNShapePanics checks that wrong lengths panic with a ShapeError.
func TestCTRNNShapePanics(t *testing.T) {
	net := ctrnnTestNet(t, 6, false, false, 1)
	for name, f := range map[string]func(){
		"Step dst":         func() { net.Step(make([]float64, 5), make([]float64, 6), nil) },
		"Step x":           func() { net.Step(make([]float64, 6), make([]float64, 7), nil) },
		"Step u":           func() { net.Step(make([]float64, 6), make([]float64, 6), []float64{1}) },
		"Jacobian dst":     func() { net.Jacobian(mat.NewDense(6, 5, nil), make([]float64, 6), nil) },
		"InputJacobian":    func() { net.InputJacobian(mat.NewDense(6, 1, nil), make([]float64, 6), nil) },
		"Output dst":       func() { net.Output(make([]float64, 2), make([]float64, 6)) },
		"VelocityJac x":    func() { net.VelocityJacobian(mat.NewDense(6, 6, nil), make([]float64, 3), nil) },
		"CSR.MulVecTo":     func() { SparseGaussian(6, 0.5, 1, NewRNG(1, 1)).MulVecTo(make([]float64, 6), make([]float64, 5)) },
		"NewRecurrent 2x3": func() { NewRecurrent(mat.NewDense(2, 3, nil)) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if _, ok := r.(ShapeError); !ok {
					t.Errorf("recovered %v, want a ShapeError", r)
				}
			}()
			f()
		})
	}
}

// TestCSR checks the sparse matrix against its dense copy: triplets with
// duplicates, products, transpose product, AddMulDiagTo and storage choice.
func TestCSR(t *testing.T) {
	c, err := NewCSR(3, []int{2, 0, 0, 2, 1}, []int{0, 2, 2, 1, 1}, []float64{4, 1, 2, -3, 5})
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewDense(3, 3, []float64{0, 0, 3, 0, 5, 0, 4, -3, 0})
	if !mat.Equal(c, want) || !mat.Equal(c.Dense(), want) {
		t.Fatalf("CSR = %v, want %v", mat.Formatted(c), mat.Formatted(want))
	}
	if c.NNZ() != 4 {
		t.Errorf("NNZ = %d, want 4 (duplicates summed)", c.NNZ())
	}
	x := []float64{1, 2, -1}
	got := make([]float64, 3)
	c.MulVecTo(got, x)
	if w := []float64{-3, 10, -2}; !floatsEqual(got, w) {
		t.Errorf("J x = %v, want %v", got, w)
	}
	c.MulTransVecTo(got, x)
	if w := []float64{-4, 13, 3}; !floatsEqual(got, w) {
		t.Errorf("Jᵀ x = %v, want %v", got, w)
	}
	for _, r := range []Recurrent{c, NewDenseRecurrent(want)} {
		dst := mat.NewDense(3, 3, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1})
		r.AddMulDiagTo(dst, 2, []float64{1, 0.5, -1})
		w := mat.NewDense(3, 3, []float64{1, 1, -5, 1, 6, 1, 9, -2, 1})
		if !mat.Equal(dst, w) {
			t.Errorf("%T AddMulDiagTo = %v, want %v", r, mat.Formatted(dst), mat.Formatted(w))
		}
	}
	for _, bad := range []struct {
		rows, cols []int
		vals       []float64
	}{
		{[]int{3}, []int{0}, []float64{1}},
		{[]int{0}, []int{-1}, []float64{1}},
		{[]int{0, 1}, []int{0}, []float64{1, 2}},
	} {
		if _, err := NewCSR(3, bad.rows, bad.cols, bad.vals); err == nil {
			t.Errorf("NewCSR(%v, %v, %v) gave no error", bad.rows, bad.cols, bad.vals)
		}
	}
	if _, err := NewCSR(3, []int{0}, []int{0}, []float64{math.NaN()}); !errors.As(err, new(*NonFiniteError)) {
		t.Errorf("NaN value: error %v, want NonFiniteError", err)
	}
	// Storage choice: 4/9 > 0.3 → dense; a 10×10 with 5 entries → CSR.
	if _, ok := NewRecurrent(c).(*DenseRecurrent); !ok {
		t.Error("NewRecurrent kept a 44 percent dense matrix sparse")
	}
	d := mat.NewDense(10, 10, nil)
	for i := 0; i < 5; i++ {
		d.Set(i, 9-i, float64(i+1))
	}
	r := NewRecurrent(d)
	if _, ok := r.(*CSR); !ok || !mat.Equal(r, d) {
		t.Errorf("NewRecurrent of a 5%%-dense matrix gave %T", r)
	}
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// randmatNet is the untrained CT network ẋ = −x + gJ tanh x of EC-04:
// dense J_ij ~ N(0, 1/N), τ = 1, dt = 0.1.
func randmatNet(t *testing.T, n int, g float64, seed uint64) (*CTRNN, []float64) {
	t.Helper()
	rng := NewRNG(seed, 0)
	j := DenseGaussian(n, 1, rng)
	net, err := NewCTRNN(CTRNNParams{G: g, J: NewDenseRecurrent(j), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	return net, NormalVector(n, 1, rng) // x(0) ~ N(0, 1)
}

// randmatRun advances x by steps Euler steps in place.
func randmatRun(net *CTRNN, x, tmp []float64, steps int) {
	for k := 0; k < steps; k++ {
		net.Step(tmp, x, nil)
		copy(x, tmp)
	}
}

// TestEC04SubCriticalDecay is the fast part of EC-04 (SCS 1988): g = 0.5 → ‖x(50)‖/‖x(0)‖ < 1e−9; g = 0.9 →
// ‖x(100)‖/‖x(0)‖ < 1e−4 (N = 200).
func TestEC04SubCriticalDecay(t *testing.T) {
	for _, c := range []struct {
		g, tEnd, bound float64
	}{{0.5, 50, 1e-9}, {0.9, 100, 1e-4}} {
		net, x := randmatNet(t, 200, c.g, 4)
		n0 := floats.Norm(x, 2)
		randmatRun(net, x, make([]float64, 200), int(math.Round(c.tEnd/net.DT)))
		ratio := floats.Norm(x, 2) / n0
		t.Logf("EC-04 g = %v, N = 200: ‖x(%v)‖/‖x(0)‖ = %.3g (bound %.0g)", c.g, c.tEnd, ratio, c.bound)
		if !(ratio < c.bound) {
			t.Errorf("EC-04 g = %v: ratio %.3g, want < %.0g", c.g, ratio, c.bound)
		}
	}
}

// TestCTRNNReLUAndOutputBias checks the ReLU transfer function (PsychRNN's
// default) and the output bias, by finite differences away from the kink
// and by hand on two neurons.
func TestCTRNNReLUAndOutputBias(t *testing.T) {
	rng := NewRNG(8, 0)
	n := 7
	wo := mat.NewDense(n, 2, nil)
	wf := mat.NewDense(n, 2, nil)
	win := mat.NewDense(n, 3, nil)
	for _, m := range []*mat.Dense{wo, wf, win} {
		r, c := m.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				m.Set(i, j, 0.3*rng.Norm())
			}
		}
	}
	net, err := NewCTRNN(CTRNNParams{Phi: CTRNNReLU, G: 1.1, J: NewRecurrent(DenseGaussian(n, 1, rng)),
		WO: wo, WF: wf, WIn: win, BO: []float64{0.5, -0.25}, Tau: 1.5, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Norm()
		if math.Abs(x[i]) < 0.05 {
			x[i] = 0.5 // keep finite differences off the kink
		}
	}
	checkJacobians(t, net, x, []float64{0.1, -0.2, 0.3})
	out := make([]float64, 2)
	net.Output(out, x)
	for k := 0; k < 2; k++ {
		want := net.BO[k]
		for i, v := range x {
			want += wo.At(i, k) * math.Max(v, 0)
		}
		if math.Abs(out[k]-want) > 1e-14 {
			t.Errorf("z_o[%d] = %v, want %v", k, out[k], want)
		}
	}
	if _, err := NewCTRNN(CTRNNParams{J: NewRecurrent(DenseGaussian(n, 1, rng)), WO: wo, BO: []float64{1}, Tau: 1, DT: 0.1}); err == nil {
		t.Error("output bias of the wrong length accepted")
	}
}
