package model

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// hopfieldRandVec returns n normal variates with standard deviation sd.
func hopfieldRandVec(n int, sd float64, rng *RNG) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = sd * rng.Norm()
	}
	return v
}

// hopfieldMaxAbsDiff returns max_i |a_i − b_i|.
func hopfieldMaxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func TestRandomPatterns(t *testing.T) {
	p := RandomPatterns(500, 7, NewRNG(1, 0))
	n, count := p.Dims()
	if n != 500 || count != 7 || p.Alpha() != 7.0/500 {
		t.Fatalf("Dims = (%d, %d), Alpha = %v", n, count, p.Alpha())
	}
	var plus int
	for i := 0; i < n; i++ {
		for mu := 0; mu < count; mu++ {
			switch p.At(i, mu) {
			case 1:
				plus++
			case -1:
			default:
				t.Fatalf("ξ_%d^%d = %v, want ±1", i, mu, p.At(i, mu))
			}
		}
	}
	// Fraction of +1 is ½ within 4 binomial standard errors.
	total := float64(n * count)
	if f := float64(plus) / total; math.Abs(f-0.5) > 4*math.Sqrt(0.25/total) {
		t.Errorf("fraction of +1 = %v, want 0.5", f)
	}
	// Prefix property and determinism.
	q := RandomPatterns(500, 9, NewRNG(1, 0))
	for i := 0; i < n; i++ {
		for mu := 0; mu < count; mu++ {
			if p.At(i, mu) != q.At(i, mu) {
				t.Fatalf("RandomPatterns(500, 9) differs from RandomPatterns(500, 7) at (%d, %d)", i, mu)
			}
		}
	}
	if mat.Equal(p.Matrix(), RandomPatterns(500, 7, NewRNG(2, 0)).Matrix()) {
		t.Error("different seeds gave the same patterns")
	}
}

func TestOrthogonalPair(t *testing.T) {
	for _, n := range []int{2, 10, 1000} {
		p := OrthogonalPair(n, NewRNG(uint64(n), 3))
		var dot float64
		for i := 0; i < n; i++ {
			a, b := p.At(i, 0), p.At(i, 1)
			if math.Abs(a) != 1 || math.Abs(b) != 1 {
				t.Fatalf("n=%d: non-binary entry (%v, %v)", n, a, b)
			}
			dot += a * b // Σ s_i: zero iff s is balanced
		}
		if dot != 0 {
			t.Errorf("n=%d: ξ¹·ξ² = %v, want exactly 0", n, dot)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("OrthogonalPair(7) did not panic")
		}
	}()
	OrthogonalPair(7, NewRNG(1, 1))
}

func TestNewPatternsErrors(t *testing.T) {
	xi := mat.NewDense(3, 2, []float64{1, -1, 1, 1, -1, -1})
	p, err := NewPatterns(xi)
	if err != nil {
		t.Fatal(err)
	}
	xi.Set(0, 0, -1) // NewPatterns copies
	if p.At(0, 0) != 1 {
		t.Error("NewPatterns did not copy its argument")
	}
	xi.Set(2, 1, math.NaN())
	_, err = NewPatterns(xi)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Param != "xi" || nf.Index != 5 {
		t.Errorf("NaN pattern: err = %v, want *NonFiniteError for xi at index 5", err)
	}
	xi.Set(2, 1, 0.5)
	if _, err := NewPatterns(xi); err == nil || errors.As(err, &nf) {
		t.Errorf("non-binary pattern: err = %v, want a plain error", err)
	}
	if _, err := NewPatterns(&mat.Dense{}); err == nil {
		t.Error("empty patterns accepted")
	}
}

// TestHebbian checks J against the defining sum, entry by entry.
func TestHebbian(t *testing.T) {
	p := RandomPatterns(30, 4, NewRNG(5, 0))
	j := p.Hebbian()
	for i := 0; i < 30; i++ {
		for k := 0; k < 30; k++ {
			want := 0.0
			if i != k {
				for mu := 0; mu < 4; mu++ {
					want += p.At(i, mu) * p.At(k, mu)
				}
				want /= 30
			}
			if math.Abs(j.At(i, k)-want) > 1e-15 {
				t.Fatalf("J[%d,%d] = %v, want %v", i, k, j.At(i, k), want)
			}
		}
	}
}

// TestHebbianMulVec checks the O(NP) product against the dense
// zero-diagonal Hebbian product, including P > N.
func TestHebbianMulVec(t *testing.T) {
	rng := NewRNG(7, 0)
	for _, tc := range []struct{ n, p int }{{200, 5}, {200, 50}, {100, 300}, {1, 1}} {
		pat := RandomPatterns(tc.n, tc.p, rng)
		phi := hopfieldRandVec(tc.n, 1, rng)
		got := make([]float64, tc.n)
		pat.HebbianMulVec(got, phi, make([]float64, tc.p))
		want := make([]float64, tc.n)
		mulVecAdd(want, pat.Hebbian(), phi, 0)
		d := hopfieldMaxAbsDiff(got, want)
		t.Logf("N=%d P=%d: max |Jφ(pattern) − Jφ(dense)| = %.2g", tc.n, tc.p, d)
		if d > 1e-12 {
			t.Errorf("N=%d P=%d: pattern-form product differs by %g", tc.n, tc.p, d)
		}
		work := make([]float64, tc.p)
		if a := testing.AllocsPerRun(10, func() { pat.HebbianMulVec(got, phi, work) }); a != 0 {
			t.Errorf("HebbianMulVec: %v allocs", a)
		}
	}
}

func TestOverlapsAndNoisyPattern(t *testing.T) {
	rng := NewRNG(9, 0)
	const n = 20000
	pat := RandomPatterns(n, 3, rng)
	s := make([]float64, n)
	m := make([]float64, 3)
	for _, m0 := range []float64{1, 0.55, 0, -1} {
		pat.NoisyPattern(s, 1, m0, rng)
		pat.Overlaps(m, s)
		var want float64
		for i := 0; i < n; i++ {
			want += pat.At(i, 1) * s[i]
		}
		want /= n
		if math.Abs(m[1]-want) > 1e-12 {
			t.Errorf("Overlaps = %v, direct sum %v", m[1], want)
		}
		// Expected overlap m0, variance (1 − m0²)/N.
		tol := 4*math.Sqrt((1-m0*m0)/n) + 1e-12
		t.Logf("m0 = %v: overlap %.4f, other patterns %.4f %.4f", m0, m[1], m[0], m[2])
		if math.Abs(m[1]-m0) > tol {
			t.Errorf("m0 = %v: overlap %v outside ± %v", m0, m[1], tol)
		}
	}
}

// hopfieldTestNets returns a dense and a pattern-form network on the same
// patterns.
func hopfieldTestNets(t *testing.T, n, p int, beta float64, seed uint64) (dense, pform *Hopfield) {
	t.Helper()
	pat := RandomPatterns(n, p, NewRNG(seed, 0))
	cfg := DefaultHopfieldConfig()
	cfg.Beta = beta
	cfg.Form = ConnDense
	dense, err := NewHopfield(pat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Form = ConnPatterns
	pform, err = NewHopfield(pat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dense, pform
}

// TestHopfieldJacobians is EC-32 for both connectivity forms.
func TestHopfieldJacobians(t *testing.T) {
	for _, beta := range []float64{1, 3, 10} {
		dense, pform := hopfieldTestNets(t, 40, 6, beta, 11)
		x := hopfieldRandVec(40, 0.5/beta, NewRNG(12, 0))
		checkJacobians(t, dense, x, nil)
		checkJacobians(t, pform, x, nil)
		// Both forms give the same Jacobian.
		a, b := mat.NewDense(40, 40, nil), mat.NewDense(40, 40, nil)
		dense.Jacobian(a, x, nil)
		pform.Jacobian(b, x, nil)
		if !mat.EqualApprox(a, b, 1e-12) {
			t.Errorf("β=%v: dense and pattern-form Jacobians differ", beta)
		}
	}
}

func TestHopfieldFormsAgree(t *testing.T) {
	dense, pform := hopfieldTestNets(t, 300, 20, 10, 13)
	if dense.Config().Form != ConnDense || pform.Config().Form != ConnPatterns {
		t.Fatalf("forms %v, %v", dense.Config().Form, pform.Config().Form)
	}
	x := make([]float64, 300)
	pform.Patterns().NoisyPattern(x, 0, 0.4, NewRNG(14, 0))
	a, b := append([]float64(nil), x...), append([]float64(nil), x...)
	ta, tb := make([]float64, 300), make([]float64, 300)
	var worst float64
	for k := 0; k < 200; k++ {
		dense.Step(ta, a, nil)
		pform.Step(tb, b, nil)
		a, ta = ta, a
		b, tb = tb, b
		worst = math.Max(worst, hopfieldMaxAbsDiff(a, b))
	}
	t.Logf("dense vs pattern form over 200 steps: max |Δx| = %.2g", worst)
	if worst > 1e-10 {
		t.Errorf("dense and pattern-form trajectories differ by %g", worst)
	}
	// ConnAuto picks the pattern form for P < N/4 only.
	for _, tc := range []struct {
		n, p int
		want ConnForm
	}{{100, 24, ConnPatterns}, {100, 25, ConnDense}} {
		h, err := NewHopfield(RandomPatterns(tc.n, tc.p, NewRNG(1, 1)), DefaultHopfieldConfig())
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Config().Form; got != tc.want {
			t.Errorf("N=%d P=%d: auto form %v, want %v", tc.n, tc.p, got, tc.want)
		}
	}
}

func TestHopfieldInterface(t *testing.T) {
	dense, pform := hopfieldTestNets(t, 50, 3, 10, 15)
	for _, h := range []*Hopfield{dense, pform} {
		var _ Flow = h
		if d := h.Dims(); d != (Dims{State: 50, Input: 0, Output: 3}) {
			t.Errorf("Dims = %+v", d)
		}
		if h.Family() != FamilyHopfield || h.StateVar() != StateCurrent || h.Dt() != 0.2 {
			t.Errorf("Family/StateVar/Dt = %v/%v/%v", h.Family(), h.StateVar(), h.Dt())
		}
		x := make([]float64, 50)
		h.InputJacobian(nil, x, nil) // no input: nil and empty dst are accepted
		h.InputJacobian(&mat.Dense{}, x, nil)
		func() {
			defer func() {
				if _, ok := recover().(ShapeError); !ok {
					t.Error("InputJacobian with a 50×1 dst did not panic with a ShapeError")
				}
			}()
			h.InputJacobian(mat.NewDense(50, 1, nil), x, nil)
		}()
		// At x = 2ξ² the overlap with ξ² is tanh(20) ≈ 1.
		h.Patterns().Pattern(x, 1)
		for i := range x {
			x[i] *= 2
		}
		m := make([]float64, 3)
		h.Output(m, x)
		if math.Abs(m[1]-math.Tanh(20)) > 1e-14 {
			t.Errorf("overlap at 2ξ² = %v, want tanh(20)", m[1])
		}
		// Clone shares parameters and computes the same step.
		c := h.Clone()
		a, b := make([]float64, 50), make([]float64, 50)
		h.Step(a, x, nil)
		c.Step(b, x, nil)
		if hopfieldMaxAbsDiff(a, b) != 0 {
			t.Error("Clone steps differently")
		}
	}
}

func TestHopfieldConfigErrors(t *testing.T) {
	pat := RandomPatterns(10, 2, NewRNG(1, 0))
	var nf *NonFiniteError
	for _, tc := range []struct {
		name   string
		mod    func(*HopfieldConfig)
		finite bool // a plain error rather than NonFiniteError
	}{
		{"Beta", func(c *HopfieldConfig) { c.Beta = math.NaN() }, false},
		{"Tau", func(c *HopfieldConfig) { c.Tau = math.Inf(1) }, false},
		{"DT", func(c *HopfieldConfig) { c.DT = math.NaN() }, false},
		{"Tau", func(c *HopfieldConfig) { c.Tau = 0 }, true},
		{"Form", func(c *HopfieldConfig) { c.Form = 7 }, true},
	} {
		cfg := DefaultHopfieldConfig()
		tc.mod(&cfg)
		_, err := NewHopfield(pat, cfg)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if got := errors.As(err, &nf); got == tc.finite || (got && nf.Param != tc.name) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestHopfieldNoAlloc(t *testing.T) {
	dense, pform := hopfieldTestNets(t, 60, 5, 10, 17)
	x := hopfieldRandVec(60, 0.3, NewRNG(18, 0))
	dst := make([]float64, 60)
	m := make([]float64, 5)
	jac := mat.NewDense(60, 60, nil)
	for _, h := range []*Hopfield{dense, pform} {
		for name, f := range map[string]func(){
			"Step":             func() { h.Step(dst, x, nil) },
			"Velocity":         func() { h.Velocity(dst, x, nil) },
			"Jacobian":         func() { h.Jacobian(jac, x, nil) },
			"VelocityJacobian": func() { h.VelocityJacobian(jac, x, nil) },
			"Output":           func() { h.Output(m, x) },
		} {
			if a := testing.AllocsPerRun(20, f); a != 0 {
				t.Errorf("%v %s: %v allocs", h.Config().Form, name, a)
			}
		}
	}
}

// TestEC06Crosstalk: at a stored pattern the fraction of i with ξ_i¹ h_i < 0
// is ½ erfc(1/√(2α)) (Hertz, Krogh & Palmer Table 2.1).
func TestEC06Crosstalk(t *testing.T) {
	const n, runs = 2000, 10
	rng := NewRNG(606, 0)
	h := make([]float64, n)
	xi1 := make([]float64, n)
	for _, tc := range []struct{ alpha, table float64 }{
		{0.105, 0.0010}, {0.138, 0.0036}, {0.185, 0.0100}, {0.37, 0.0501}, {0.61, 0.1002},
	} {
		p := int(math.Round(tc.alpha * n))
		var wrong int
		for r := 0; r < runs; r++ {
			pat := RandomPatterns(n, p, rng)
			pat.Pattern(xi1, 0)
			pat.HebbianMulVec(h, xi1, make([]float64, p))
			for i := range h {
				// N ξ_i h_i is an integer; < −½ avoids counting rounding of 0.
				if xi1[i]*h[i]*n < -0.5 {
					wrong++
				}
			}
		}
		want := 0.5 * math.Erfc(1/math.Sqrt(2*tc.alpha))
		if math.Abs(want-tc.table) > 5e-5 {
			t.Fatalf("α=%v: theory %v disagrees with the table %v", tc.alpha, want, tc.table)
		}
		trials := float64(n * runs)
		got := float64(wrong) / trials
		se := math.Sqrt(want * (1 - want) / trials)
		t.Logf("EC-06 α=%.3f (P=%d): error fraction %.5f, theory %.5f, |Δ|/s.e. = %.2f", tc.alpha, p, got, want, math.Abs(got-want)/se)
		if math.Abs(got-want) > 3*se {
			t.Errorf("α=%v: error fraction %v, want %v ± %v", tc.alpha, got, want, 3*se)
		}
	}
}

// TestEC08ExactStorage: with N = 1000 all P ≤ N/(4 ln N) patterns are exact
// fixed points of sign(Jξ) w.h.p., and P = 72 essentially never.
func TestEC08ExactStorage(t *testing.T) {
	const n, runs = 1000, 20
	rng := NewRNG(808, 0)
	xi := make([]float64, n)
	h := make([]float64, n)
	for _, tc := range []struct {
		p        int
		min, max int // allowed range of realisations with all patterns exact
	}{{30, 18, runs}, {36, 18, runs}, {72, 0, 1}} {
		var exact int
		for r := 0; r < runs; r++ {
			pat := RandomPatterns(n, tc.p, rng)
			work := make([]float64, tc.p)
			all := true
			for mu := 0; mu < tc.p && all; mu++ {
				pat.Pattern(xi, mu)
				pat.HebbianMulVec(h, xi, work)
				for i := range h {
					if xi[i]*h[i]*n < 0.5 { // sign(h_i) ≠ ξ_i, or h_i = 0
						all = false
						break
					}
				}
			}
			if all {
				exact++
			}
		}
		t.Logf("EC-08 N=%d P=%d: all patterns exact fixed points in %d/%d realisations", n, tc.p, exact, runs)
		if exact < tc.min || exact > tc.max {
			t.Errorf("P=%d: %d/%d realisations exact, want in [%d, %d]", tc.p, exact, runs, tc.min, tc.max)
		}
	}
}

// TestEC09NoRetrievalUnitGain: with β = 1 the overlap decays from ξ¹.
func TestEC09NoRetrievalUnitGain(t *testing.T) {
	const n, p = 1000, 50 // α = 0.05
	pat := RandomPatterns(n, p, NewRNG(909, 0))
	cfg := DefaultHopfieldConfig()
	cfg.Beta = 1
	h, err := NewHopfield(pat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h.Config().Form != ConnPatterns {
		t.Fatalf("form %v, want the pattern form", h.Config().Form)
	}
	x := make([]float64, n)
	pat.Pattern(x, 0)
	next := make([]float64, n)
	m := make([]float64, p)
	steps := int(math.Round(200 / h.Dt()))
	for k := 0; k < steps; k++ {
		h.Step(next, x, nil)
		x, next = next, x
	}
	h.Output(m, x)
	h.Velocity(next, x, nil)
	t.Logf("EC-09 β=1 α=0.05: m_ss = m(200) = %.4f, speed ‖F‖/√N = %.2g", m[0], mat.Norm(mat.NewVecDense(n, next), 2)/math.Sqrt(n))
	if !(m[0] < 0.5) {
		t.Errorf("m_ss = %v, want < 0.5", m[0])
	}
	// Control: β = 10 retrieves from the same start (m = tanh(10 m) has m ≈ 1).
	cfg.Beta = 10
	h10, _ := NewHopfield(pat, cfg)
	pat.Pattern(x, 0)
	for k := 0; k < steps; k++ {
		h10.Step(next, x, nil)
		x, next = next, x
	}
	h10.Output(m, x)
	t.Logf("EC-09 control β=10: m(200) = %.4f", m[0])
	if m[0] < 0.9 {
		t.Errorf("β=10 control: m = %v, want retrieval > 0.9", m[0])
	}
}
