package model

import (
	"errors"
	"math"
	"math/cmplx"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// leakyTestVec returns n values N(0, sd²) from rng.
func leakyTestVec(rng *RNG, n int, sd float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = sd * rng.Norm()
	}
	return v
}

// leakyTestFixtureNet builds the Leaky network of the PyTorch fixture.
func leakyTestFixtureNet(t *testing.T, f *fixture, readout LeakyReadout) *Leaky {
	t.Helper()
	dense := func(name string) *mat.Dense {
		a, ok := f.Params[name]
		if !ok || len(a.Shape) != 2 || a.Shape[0]*a.Shape[1] != len(a.Data) {
			t.Fatalf("fixture parameter %s missing or not a matrix", name)
		}
		return mat.NewDense(a.Shape[0], a.Shape[1], append([]float64(nil), a.Data...))
	}
	vec := func(name string) []float64 {
		a, ok := f.Params[name]
		if !ok {
			t.Fatalf("fixture parameter %s missing", name)
		}
		return append([]float64(nil), a.Data...)
	}
	l, err := NewLeaky(LeakyParams{
		WIn: dense(ParamLeakyWIn), BIn: vec(ParamLeakyBIn),
		WRec: dense(ParamLeakyWRec), BRec: vec(ParamLeakyBRec),
		WOut: dense(ParamLeakyWOut), BOut: vec(ParamLeakyBOut),
		DT: f.Alpha, Tau: 1, Readout: readout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLeakyFixture runs the 30-step, 3-trial batch of the PyTorch fixture
// leaky_rnn_forward_grad.json from r0 and compares every rate r_{k+1} and
// every output with the reference to 1e-10 relative. It also establishes
// which state the fixture's output is read from: the rate after the
// update (o_k = Output(r_{k+1})) matches, the rate before does not.
func TestLeakyFixture(t *testing.T) {
	f := loadFixture(t, "leaky_rnn_forward_grad.json")
	if f.Alpha != 0.5 {
		t.Fatalf("fixture alpha = %v, want 0.5", f.Alpha)
	}
	l := leakyTestFixtureNet(t, f, LeakySigmoid)
	d := l.Dims()
	T, B := f.SeqLen, f.Batch
	if d.State != f.HiddenSize || d.Input != f.InputSize || d.Output != f.OutputSize {
		t.Fatalf("Dims = %+v, fixture sizes N=%d I=%d O=%d", d, f.HiddenSize, f.InputSize, f.OutputSize)
	}
	if len(f.Rates.Data) != T*B*d.State || len(f.Output.Data) != T*B*d.Output ||
		len(f.Input.Data) != T*B*d.Input || len(f.R0.Data) != B*d.State {
		t.Fatal("fixture arrays have unexpected sizes")
	}
	var errRate, errAfter, errBefore float64
	relErr := func(got, want float64) float64 { return math.Abs(got-want) / math.Max(1, math.Abs(want)) }
	r := make([]float64, d.State)
	next := make([]float64, d.State)
	oAfter, oBefore := make([]float64, d.Output), make([]float64, d.Output)
	for b := 0; b < B; b++ {
		copy(r, f.R0.Data[b*d.State:(b+1)*d.State])
		for k := 0; k < T; k++ {
			u := f.Input.Data[(k*B+b)*d.Input : (k*B+b+1)*d.Input]
			l.Output(oBefore, r)
			l.Step(next, r, u)
			r, next = next, r
			l.Output(oAfter, r)
			want := f.Rates.Data[(k*B+b)*d.State : (k*B+b+1)*d.State]
			for i := range r {
				errRate = math.Max(errRate, relErr(r[i], want[i]))
			}
			wantO := f.Output.Data[(k*B+b)*d.Output : (k*B+b+1)*d.Output]
			for i := range wantO {
				errAfter = math.Max(errAfter, relErr(oAfter[i], wantO[i]))
				errBefore = math.Max(errBefore, relErr(oBefore[i], wantO[i]))
			}
		}
	}
	t.Logf("max relative error: rates %.3g, outputs from r_{k+1} %.3g (outputs from r_k would be off by %.3g)", errRate, errAfter, errBefore)
	if errRate > 1e-10 {
		t.Errorf("rates differ from the fixture by %.3g relative, want <= 1e-10", errRate)
	}
	if errAfter > 1e-10 {
		t.Errorf("outputs Output(r_{k+1}) differ from the fixture by %.3g relative, want <= 1e-10", errAfter)
	}
	if errBefore < 1e-3 {
		t.Errorf("outputs from r_k also match the fixture (%.3g): the test cannot tell which state is read", errBefore)
	}
}

// TestLeakyJacobians is EC-32 for the leaky network with both readouts,
// with and without input.
func TestLeakyJacobians(t *testing.T) {
	for _, tc := range []struct {
		name    string
		readout LeakyReadout
		in      int
		nilU    bool
	}{
		{"sigmoid", LeakySigmoid, 3, false},
		{"linear", LeakyLinear, 3, false},
		{"nil input", LeakySigmoid, 3, true},
		{"no input channels", LeakyLinear, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := NewRNG(7, 0)
			l := RandomKurtkaya(30, tc.in, 2, rng)
			l.Readout = tc.readout
			// A larger W_rec so that tanh is well into its nonlinear range.
			l.WRec.Scale(3, l.WRec)
			x := leakyTestVec(rng, 30, 0.5)
			var u []float64
			if !tc.nilU {
				u = leakyTestVec(rng, tc.in, 1)
			}
			checkJacobians(t, l, x, u)
		})
	}
}

// TestLeakyReadouts checks both readouts against W_out r + b_out written
// out by hand.
func TestLeakyReadouts(t *testing.T) {
	rng := NewRNG(8, 0)
	l := RandomKurtkaya(10, 2, 3, rng)
	x := leakyTestVec(rng, 10, 1)
	lin := make([]float64, 3)
	for o := range lin {
		lin[o] = l.BOut[o]
		for j := range x {
			lin[o] += l.WOut.At(o, j) * x[j]
		}
	}
	got := make([]float64, 3)
	l.Output(got, x)
	for o := range got {
		if want := 1 / (1 + math.Exp(-lin[o])); !relClose(got[o], want, 1e-14) {
			t.Errorf("sigmoid readout[%d] = %v, want %v", o, got[o], want)
		}
	}
	l.Readout = LeakyLinear
	l.Output(got, x)
	for o := range got {
		if !relClose(got[o], lin[o], 1e-14) {
			t.Errorf("linear readout[%d] = %v, want %v", o, got[o], lin[o])
		}
	}
	if LeakySigmoid.String() != "sigmoid" || LeakyLinear.String() != "linear" {
		t.Error("LeakyReadout.String")
	}
}

// TestLeakyHandComputed checks one step of a 2-unit network against values
// worked out by hand.
func TestLeakyHandComputed(t *testing.T) {
	l, err := NewLeaky(LeakyParams{
		WIn:  mat.NewDense(2, 1, []float64{1, -1}),
		BIn:  []float64{0.1, 0},
		WRec: mat.NewDense(2, 2, []float64{0, 2, -1, 0}),
		BRec: []float64{0, 0.2},
		DT:   5, Tau: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	x, u := []float64{0.3, -0.4}, []float64{0.5}
	// pre = (2·(−0.4) + 0.5 + 0.1, −0.3 − 0.5 + 0.2) = (−0.2, −0.6)
	want := []float64{0.5*0.3 + 0.5*math.Tanh(-0.2), 0.5*(-0.4) + 0.5*math.Tanh(-0.6)}
	got := make([]float64, 2)
	l.Step(got, x, u)
	for i := range got {
		if !relClose(got[i], want[i], 1e-15) {
			t.Errorf("Step[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	l.Velocity(got, x, u)
	for i, w := range []float64{(math.Tanh(-0.2) - 0.3) / 10, (math.Tanh(-0.6) + 0.4) / 10} {
		if !relClose(got[i], w, 1e-15) {
			t.Errorf("Velocity[%d] = %v, want %v", i, got[i], w)
		}
	}
	if l.Alpha() != 0.5 || l.Dt() != 5 || l.StateVar() != StateRate || l.Family() != FamilyLeaky {
		t.Error("Alpha, Dt, StateVar or Family wrong")
	}
}

// leakyEigenvalues returns the eigenvalues of the square m.
func leakyEigenvalues(t *testing.T, m mat.Matrix) []complex128 {
	t.Helper()
	var e mat.Eigen
	if !e.Factorize(m, mat.EigenNone) {
		t.Fatal("eigendecomposition failed")
	}
	return e.Values(nil)
}

// leakyMatchEig pairs each value of a with the nearest unused value of b
// and returns the largest distance of a pair.
func leakyMatchEig(a, b []complex128) float64 {
	used := make([]bool, len(b))
	var worst float64
	for _, va := range a {
		best, bi := math.Inf(1), -1
		for j, vb := range b {
			if d := cmplx.Abs(va - vb); !used[j] && d < best {
				best, bi = d, j
			}
		}
		used[bi] = true
		worst = math.Max(worst, best)
	}
	return worst
}

// TestEC27 checks the DT/CT spectral map of science spec §1.4 (EC-27): for
// a random W and r*, the eigenvalues of the step Jacobian
// (1−a)I + a diag(φ')W equal 1 + a·eig(−I + diag(φ')W) to 1e-10. The
// continuous-time matrix is built here by hand from W and r*, independently
// of the package.
func TestEC27(t *testing.T) {
	const n = 100
	for _, a := range []float64{0.5, 0.25} {
		rng := NewRNG(27, uint64(a*100))
		l := RandomKurtkaya(n, 2, 2, rng)
		l.Tau = l.DT / a
		l.WRec.Scale(2, l.WRec) // g ≈ 2: a spectrum well outside the unit disk
		r := leakyTestVec(rng, n, 0.5)
		u := leakyTestVec(rng, 2, 1)
		step := mat.NewDense(n, n, nil)
		l.Jacobian(step, r, u)
		ct := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			z := l.BRec[i] + l.BIn[i] + l.WIn.At(i, 0)*u[0] + l.WIn.At(i, 1)*u[1]
			for j := 0; j < n; j++ {
				z += l.WRec.At(i, j) * r[j]
			}
			d := 1 - math.Tanh(z)*math.Tanh(z)
			for j := 0; j < n; j++ {
				ct.Set(i, j, d*l.WRec.At(i, j))
			}
			ct.Set(i, i, ct.At(i, i)-1)
		}
		dt := leakyEigenvalues(t, step)
		mu := leakyEigenvalues(t, ct)
		mapped := make([]complex128, n)
		for i, m := range mu {
			mapped[i] = 1 + complex(a, 0)*m
		}
		e := leakyMatchEig(dt, mapped)
		t.Logf("a = %v: max |λ_DT − (1 + a μ_CT)| = %.3g", a, e)
		if e > 1e-10 {
			t.Errorf("a = %v: eigenvalues differ by %.3g, want <= 1e-10", a, e)
		}
		// The Flow form: eig(Jacobian) = 1 + Dt·eig(VelocityJacobian).
		vj := mat.NewDense(n, n, nil)
		l.VelocityJacobian(vj, r, u)
		vel := leakyEigenvalues(t, vj)
		for i, v := range vel {
			vel[i] = 1 + complex(l.Dt(), 0)*v
		}
		if e := leakyMatchEig(dt, vel); e > 1e-10 {
			t.Errorf("a = %v: eig(Jacobian) and 1 + dt·eig(VelocityJacobian) differ by %.3g", a, e)
		}
	}
}

// TestRandomKurtkaya checks the initialisation of science spec §1.2/§5.1:
// Xavier bounds, zero diagonal, Var(W_rec) = 1/N, PyTorch bias bounds,
// a = 0.5, and determinism per seed.
func TestRandomKurtkaya(t *testing.T) {
	const n, in, out = 100, 2, 2
	l := RandomKurtkaya(n, in, out, NewRNG(1, 0))
	if l.Alpha() != 0.5 || l.DT != 5 || l.Tau != 10 || l.Readout != LeakySigmoid {
		t.Errorf("a = %v, DT = %v, Tau = %v, readout %v", l.Alpha(), l.DT, l.Tau, l.Readout)
	}
	check := func(name string, m *mat.Dense, rows, cols int) {
		r, c := m.Dims()
		if r != rows || c != cols {
			t.Fatalf("%s is %d×%d, want %d×%d", name, r, c, rows, cols)
		}
		bound := math.Sqrt(6 / float64(rows+cols))
		var mx float64
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				mx = math.Max(mx, math.Abs(m.At(i, j)))
			}
		}
		if mx >= bound || mx < 0.9*bound {
			t.Errorf("%s: max |w| = %v, want just below the Xavier bound %v", name, mx, bound)
		}
	}
	check(ParamLeakyWIn, l.WIn, n, in)
	check(ParamLeakyWRec, l.WRec, n, n)
	check(ParamLeakyWOut, l.WOut, out, n)
	var sum, sum2 float64
	for i := 0; i < n; i++ {
		if l.WRec.At(i, i) != 0 {
			t.Fatalf("W_rec[%d,%d] = %v, want 0", i, i, l.WRec.At(i, i))
		}
		for j := 0; j < n; j++ {
			if i != j {
				v := l.WRec.At(i, j)
				sum += v
				sum2 += v * v
			}
		}
	}
	cnt := float64(n*n - n)
	variance := sum2/cnt - (sum/cnt)*(sum/cnt)
	// Var U(−c, c) = c²/3 = 2/(2N) = 1/N; the sample of 9900 values has a
	// relative standard error of about 1.1 %.
	if math.Abs(variance*n-1) > 0.05 {
		t.Errorf("Var(W_rec) = %v, want 1/N = %v", variance, 1.0/n)
	}
	for _, b := range []struct {
		name  string
		v     []float64
		fanIn int
	}{{ParamLeakyBIn, l.BIn, in}, {ParamLeakyBRec, l.BRec, n}, {ParamLeakyBOut, l.BOut, n}} {
		k := 1 / math.Sqrt(float64(b.fanIn))
		for i, v := range b.v {
			if math.Abs(v) >= k {
				t.Errorf("%s[%d] = %v outside ±1/√fan_in = %v", b.name, i, v, k)
			}
		}
	}
	same := RandomKurtkaya(n, in, out, NewRNG(1, 0))
	other := RandomKurtkaya(n, in, out, NewRNG(2, 0))
	if !mat.Equal(l.WRec, same.WRec) || !mat.Equal(l.WIn, same.WIn) || !mat.Equal(l.WOut, same.WOut) ||
		!leakyFloatsEqual(l.BRec, same.BRec) || !leakyFloatsEqual(l.BOut, same.BOut) {
		t.Error("the same seed gave different networks")
	}
	if mat.Equal(l.WRec, other.WRec) {
		t.Error("different seeds gave the same W_rec")
	}
}

// leakyFloatsEqual reports whether a and b are identical.
func leakyFloatsEqual(a, b []float64) bool {
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

// TestNewLeakyErrors checks that bad parameters are reported naming the
// parameter, and NaN or Inf as a *NonFiniteError.
func TestNewLeakyErrors(t *testing.T) {
	good := func() LeakyParams {
		l := RandomKurtkaya(4, 2, 3, NewRNG(3, 0))
		return l.LeakyParams
	}
	if _, err := NewLeaky(good()); err != nil {
		t.Fatalf("good parameters: %v", err)
	}
	for _, tc := range []struct {
		name      string
		mod       func(p *LeakyParams)
		want      string
		nonFinite bool
	}{
		{"missing W_rec", func(p *LeakyParams) { p.WRec = nil }, ParamLeakyWRec, false},
		{"non-square W_rec", func(p *LeakyParams) { p.WRec = mat.NewDense(4, 3, nil) }, ParamLeakyWRec, false},
		{"W_in rows", func(p *LeakyParams) { p.WIn = mat.NewDense(3, 2, nil) }, ParamLeakyWIn, false},
		{"W_out cols", func(p *LeakyParams) { p.WOut = mat.NewDense(3, 5, nil) }, ParamLeakyWOut, false},
		{"W_in bias", func(p *LeakyParams) { p.BIn = make([]float64, 3) }, ParamLeakyBIn, false},
		{"W_rec bias", func(p *LeakyParams) { p.BRec = make([]float64, 5) }, ParamLeakyBRec, false},
		{"W_out bias", func(p *LeakyParams) { p.BOut = make([]float64, 2) }, ParamLeakyBOut, false},
		{"zero DT", func(p *LeakyParams) { p.DT = 0 }, "DT", false},
		{"negative Tau", func(p *LeakyParams) { p.Tau = -1 }, "Tau", false},
		{"readout", func(p *LeakyParams) { p.Readout = 7 }, "readout", false},
		{"NaN W_rec", func(p *LeakyParams) { p.WRec.Set(1, 2, math.NaN()) }, ParamLeakyWRec, true},
		{"Inf W_in", func(p *LeakyParams) { p.WIn.Set(0, 1, math.Inf(1)) }, ParamLeakyWIn, true},
		{"NaN W_out", func(p *LeakyParams) { p.WOut.Set(2, 0, math.NaN()) }, ParamLeakyWOut, true},
		{"NaN bias", func(p *LeakyParams) { p.BRec[3] = math.NaN() }, ParamLeakyBRec, true},
		{"NaN readout bias", func(p *LeakyParams) { p.BOut[0] = math.NaN() }, ParamLeakyBOut, true},
		{"Inf Tau", func(p *LeakyParams) { p.Tau = math.Inf(1) }, "Tau", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.mod(&p)
			_, err := NewLeaky(p)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
			var nf *NonFiniteError
			if got := errors.As(err, &nf); got != tc.nonFinite {
				t.Errorf("errors.As(*NonFiniteError) = %v, want %v (%v)", got, tc.nonFinite, err)
			} else if got && nf.Param != tc.want {
				t.Errorf("NonFiniteError.Param = %q, want %q", nf.Param, tc.want)
			}
		})
	}
	// nil biases and no readout are allowed.
	p := good()
	p.BIn, p.BRec, p.WOut, p.BOut = nil, nil, nil, nil
	l, err := NewLeaky(p)
	if err != nil {
		t.Fatal(err)
	}
	if d := l.Dims(); d.Output != 0 || len(l.BIn) != 4 || len(l.BRec) != 4 {
		t.Errorf("nil biases: Dims %+v, |b_in| %d, |b_rec| %d", d, len(l.BIn), len(l.BRec))
	}
}

// TestLeakyShapePanics checks that wrong lengths panic with a ShapeError.
func TestLeakyShapePanics(t *testing.T) {
	l := RandomKurtkaya(5, 2, 1, NewRNG(4, 0))
	x := make([]float64, 5)
	for name, f := range map[string]func(){
		"Step dst":      func() { l.Step(make([]float64, 4), x, nil) },
		"Step x":        func() { l.Step(make([]float64, 5), x[:4], nil) },
		"Step u":        func() { l.Step(make([]float64, 5), x, make([]float64, 3)) },
		"Jacobian dst":  func() { l.Jacobian(mat.NewDense(5, 4, nil), x, nil) },
		"InputJacobian": func() { l.InputJacobian(mat.NewDense(5, 3, nil), x, nil) },
		"Output dst":    func() { l.Output(make([]float64, 2), x) },
	} {
		func() {
			defer func() {
				if _, ok := recover().(ShapeError); !ok {
					t.Errorf("%s: no ShapeError panic", name)
				}
			}()
			f()
		}()
	}
}

// TestLeakyClone checks that a clone agrees with the original and does not
// share its scratch.
func TestLeakyClone(t *testing.T) {
	rng := NewRNG(5, 0)
	l := RandomKurtkaya(12, 2, 2, rng)
	c := l.Clone().(*Leaky)
	if &c.pre[0] == &l.pre[0] {
		t.Fatal("clone shares scratch")
	}
	if c.WRec != l.WRec {
		t.Error("clone does not share W_rec")
	}
	x, u := leakyTestVec(rng, 12, 0.5), leakyTestVec(rng, 2, 1)
	a, b := make([]float64, 12), make([]float64, 12)
	l.Step(a, x, u)
	c.Step(b, x, u)
	if !leakyFloatsEqual(a, b) {
		t.Error("clone steps differently")
	}
}

// TestLeakyNoAlloc checks that the hot methods do not allocate.
func TestLeakyNoAlloc(t *testing.T) {
	rng := NewRNG(6, 0)
	l := RandomKurtkaya(20, 3, 2, rng)
	x, u, dst, y := leakyTestVec(rng, 20, 0.5), leakyTestVec(rng, 3, 1), make([]float64, 20), make([]float64, 2)
	jac, ijac := mat.NewDense(20, 20, nil), mat.NewDense(20, 3, nil)
	for name, f := range map[string]func(){
		"Step":             func() { l.Step(dst, x, u) },
		"Step nil u":       func() { l.Step(dst, x, nil) },
		"Velocity":         func() { l.Velocity(dst, x, u) },
		"Jacobian":         func() { l.Jacobian(jac, x, u) },
		"VelocityJacobian": func() { l.VelocityJacobian(jac, x, u) },
		"InputJacobian":    func() { l.InputJacobian(ijac, x, u) },
		"Output":           func() { l.Output(y, x) },
	} {
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("Leaky.%s: %v allocations per call, want 0", name, a)
		}
	}
}
