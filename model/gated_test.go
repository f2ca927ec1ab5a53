package model

import (
	"errors"
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gatedTestNet returns a gated network on fresh random patterns.
func gatedTestNet(t *testing.T, n, p int, gamma float64, form ConnForm, seed uint64) *Gated {
	t.Helper()
	rng := NewRNG(seed, 0)
	pat := RandomPatterns(n, p, rng)
	cfg := DefaultGatedConfig()
	cfg.Gamma = gamma
	cfg.Form = form
	g, err := RandomGated(pat, cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGate(t *testing.T) {
	for _, z := range []float64{-3, -1e-9, 0, 1e-9, 2} {
		if g, dg := Gate(0, z); g != 0.5 || dg != 0 {
			t.Errorf("Gate(0, %v) = %v, %v; want ½, 0", z, g, dg)
		}
		want := 0.0
		if z > 0 {
			want = 1
		}
		if g, dg := Gate(math.Inf(1), z); g != want || dg != 0 {
			t.Errorf("Gate(∞, %v) = %v, %v; want %v, 0", z, g, dg, want)
		}
		for _, gamma := range []float64{0.5, 10} {
			g, dg := Gate(gamma, z)
			if want := 1 / (1 + math.Exp(-gamma*z)); math.Abs(g-want) > 1e-15 {
				t.Errorf("Gate(%v, %v) = %v, want %v", gamma, z, g, want)
			}
			const eps = 1e-6
			gp, _ := Gate(gamma, z+eps)
			gm, _ := Gate(gamma, z-eps)
			if fd := (gp - gm) / (2 * eps); math.Abs(dg-fd) > 1e-7 {
				t.Errorf("Gate'(%v, %v) = %v, finite difference %v", gamma, z, dg, fd)
			}
		}
	}
}

// gatedTestState returns a state with x ~ N(0, 0.05²) (so that tanh(10x) is
// graded) and z ~ N(0, 1), with |z_i| ≥ 1e-3.
func gatedTestState(n int, rng *RNG) []float64 {
	s := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		s[i] = 0.05 * rng.Norm()
		z := rng.Norm()
		if math.Abs(z) < 1e-3 {
			z = math.Copysign(1e-3, z)
		}
		s[n+i] = z
	}
	return s
}

// TestGatedJacobians is EC-32 for the gated network. For γ = ∞ the state
// keeps |z_i| ≥ 1e-3 so that the central differences do not straddle z = 0.
func TestGatedJacobians(t *testing.T) {
	for _, gamma := range []float64{0, 2.5, 10, math.Inf(1)} {
		for _, form := range []ConnForm{ConnDense, ConnPatterns} {
			g := gatedTestNet(t, 30, 4, gamma, form, 21)
			s := gatedTestState(30, NewRNG(22, 0))
			checkJacobians(t, g, s, nil)
		}
	}
	// The two forms agree.
	a := gatedTestNet(t, 30, 4, 10, ConnDense, 23)
	b := gatedTestNet(t, 30, 4, 10, ConnPatterns, 23)
	s := gatedTestState(30, NewRNG(24, 0))
	ja, jb := mat.NewDense(60, 60, nil), mat.NewDense(60, 60, nil)
	a.Jacobian(ja, s, nil)
	b.Jacobian(jb, s, nil)
	if !mat.EqualApprox(ja, jb, 1e-12) {
		t.Error("dense and pattern-form gated Jacobians differ")
	}
}

// TestEC33GammaZero: with γ = 0, G ≡ ½ and the x-dynamics is the ungated
// Amari–Hopfield dynamics with time rescaled by 2, so K gated steps of dt
// equal K ungated steps of dt/2 (½·dt·F = (dt/2)·F exactly in binary
// floating point). The z-layer does not feed back when γ = 0.
func TestEC33GammaZero(t *testing.T) {
	for _, form := range []ConnForm{ConnDense, ConnPatterns} {
		const n, p, steps = 200, 16, 1000
		g := gatedTestNet(t, n, p, 0, form, 33)
		gc := g.Config()
		h, err := NewHopfield(g.Patterns(), HopfieldConfig{Beta: gc.Beta, Tau: gc.TauX, DT: gc.DT / 2, Form: form})
		if err != nil {
			t.Fatal(err)
		}
		s := make([]float64, 2*n)
		g.InitialState(s, 0, 0.55, NewRNG(34, 0))
		x := append([]float64(nil), s[:n]...)
		sn, xn := make([]float64, 2*n), make([]float64, n)
		var worst float64
		for k := 0; k < steps; k++ {
			g.Step(sn, s, nil)
			h.Step(xn, x, nil)
			s, sn = sn, s
			x, xn = xn, x
			worst = math.Max(worst, hopfieldMaxAbsDiff(s[:n], x))
		}
		m := make([]float64, p)
		g.Output(m, s)
		t.Logf("EC-33 %v: gated γ=0 (dt=%v) to t=%v vs ungated (dt=%v) to t=%v: max |Δx| = %g over %d steps, m(end) = %.4f",
			form, gc.DT, steps*gc.DT, gc.DT/2, steps*gc.DT/2, worst, steps, m[0])
		if worst != 0 {
			t.Errorf("%v: γ=0 trajectory differs from the time-rescaled ungated one by %g (expected bit-for-bit)", form, worst)
		}
	}
}

// TestEC34Frozen: with γ = ∞ a Step leaves x_i exactly unchanged when
// z_i ≤ 0, and near a fixed point the (x, z) velocity Jacobian has at least
// #closed zero eigenvalues.
func TestEC34Frozen(t *testing.T) {
	const n, p = 100, 5
	g := gatedTestNet(t, n, p, math.Inf(1), ConnAuto, 34)
	rng := NewRNG(35, 0)
	s := make([]float64, 2*n)
	g.InitialState(s, 0, 0.8, rng)
	s[n+3], s[n+4] = 0, math.Copysign(0, -1) // z = ±0 is closed
	next := make([]float64, 2*n)
	g.Step(next, s, nil)
	var closed, moved int
	for i := 0; i < n; i++ {
		if s[n+i] <= 0 {
			closed++
			if next[i] != s[i] {
				t.Errorf("closed neuron %d (z = %v) moved: %v → %v", i, s[n+i], s[i], next[i])
			}
		} else if next[i] != s[i] {
			moved++
		}
	}
	t.Logf("EC-34 step: %d closed neurons unchanged exactly, %d of %d open neurons moved", closed, moved, n-closed)
	if closed == 0 || moved == 0 {
		t.Fatalf("degenerate test state: %d closed, %d open moved", closed, moved)
	}

	// Relax to a gated fixed point.
	for k := 0; k < 2000; k++ { // T = 400
		g.Step(next, s, nil)
		s, next = next, s
	}
	vel := make([]float64, 2*n)
	g.Velocity(vel, s, nil)
	var speed, minAbsZ float64
	minAbsZ = math.Inf(1)
	closed = 0
	for i := 0; i < n; i++ {
		speed = math.Max(speed, math.Abs(vel[i]))
		speed = math.Max(speed, math.Abs(vel[n+i]))
		minAbsZ = math.Min(minAbsZ, math.Abs(s[n+i]))
		if s[n+i] <= 0 {
			closed++
		}
	}
	m := make([]float64, p)
	g.Output(m, s)
	if speed > 1e-8 {
		t.Fatalf("not at rest after T=400: max |F| = %g", speed)
	}
	jac := mat.NewDense(2*n, 2*n, nil)
	g.VelocityJacobian(jac, s, nil)
	var eig mat.Eigen
	if !eig.Factorize(jac, mat.EigenNone) {
		t.Fatal("eigendecomposition failed")
	}
	var zeros int
	maxRe := math.Inf(-1)
	for _, l := range eig.Values(nil) {
		if cmplx.Abs(l) < 1e-10 {
			zeros++
		} else {
			maxRe = math.Max(maxRe, real(l))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(jac, mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	rank := svd.Rank(1e-10)
	t.Logf("EC-34 fixed point: max |F| = %.2g, min |z_i| = %.3g, m1 = %.4f, closed = %d, |λ| < 1e-10: %d, rank = %d of %d, max Re λ (others) = %.3g",
		speed, minAbsZ, m[0], closed, zeros, rank, 2*n, maxRe)
	if zeros < closed {
		t.Errorf("%d zero eigenvalues, want ≥ %d (#closed)", zeros, closed)
	}
	if rank > 2*n-closed {
		t.Errorf("rank %d, want ≤ %d", rank, 2*n-closed)
	}
}

func TestGatedInterface(t *testing.T) {
	g := gatedTestNet(t, 40, 3, 10, ConnAuto, 41)
	var _ Flow = g
	if d := g.Dims(); d != (Dims{State: 80, Input: 0, Output: 3}) {
		t.Errorf("Dims = %+v", d)
	}
	if g.Family() != FamilyGated || g.StateVar() != StateCurrentGate || g.Dt() != 0.2 {
		t.Errorf("Family/StateVar/Dt = %v/%v/%v", g.Family(), g.StateVar(), g.Dt())
	}
	s := gatedTestState(40, NewRNG(42, 0))
	g.InputJacobian(nil, s, nil)
	g.InputJacobian(&mat.Dense{}, s, nil)
	// Output and the closed/active split.
	m := make([]float64, 3)
	g.Output(m, s)
	for mu := 0; mu < 3; mu++ {
		mF, mA := g.ClosedActiveOverlap(s, mu)
		if math.Abs(mF+mA-m[mu]) > 1e-14 {
			t.Errorf("m_F + m_A = %v, m = %v", mF+mA, m[mu])
		}
	}
	// Clone.
	c := g.Clone()
	a, b := make([]float64, 80), make([]float64, 80)
	g.Step(a, s, nil)
	c.Step(b, s, nil)
	if hopfieldMaxAbsDiff(a, b) != 0 {
		t.Error("Clone steps differently")
	}
	// W statistics: variance g_W²/N.
	big := gatedTestNet(t, 400, 3, 10, ConnAuto, 43)
	var ss float64
	raw := big.W().RawMatrix()
	for _, v := range raw.Data {
		ss += v * v
	}
	v := ss / float64(len(raw.Data))
	t.Logf("W variance × N = %.4f (want 1)", v*400)
	if math.Abs(v*400-1) > 0.02 {
		t.Errorf("W variance × N = %v, want 1 ± 0.02", v*400)
	}
}

func TestGatedDeterminism(t *testing.T) {
	run := func() []float64 {
		g := gatedTestNet(t, 50, 4, math.Inf(1), ConnAuto, 51)
		s := make([]float64, 100)
		g.InitialState(s, 2, 0.55, NewRNG(52, 0))
		next := make([]float64, 100)
		for k := 0; k < 100; k++ {
			g.Step(next, s, nil)
			s, next = next, s
		}
		return s
	}
	a, b := run(), run()
	if hopfieldMaxAbsDiff(a, b) != 0 {
		t.Error("same seed gave different trajectories")
	}
}

func TestGatedInitialState(t *testing.T) {
	const n = 2000
	pat := RandomPatterns(n, 2, NewRNG(61, 0))
	cfg := DefaultGatedConfig()
	cfg.X0Scale = 0.1
	cfg.Z0Mean, cfg.Z0Std = 2, 0.5
	// A zero W is enough here; only InitialState is tested.
	g, err := NewGated(pat, mat.NewDense(n, n, nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float64, 2*n)
	g.InitialState(s, 1, 0.55, NewRNG(62, 0))
	var m, zm, zv float64
	for i := 0; i < n; i++ {
		if math.Abs(s[i]) != 0.1 {
			t.Fatalf("x_%d(0) = %v, want ±0.1", i, s[i])
		}
		m += pat.At(i, 1) * s[i] / 0.1
		zm += s[n+i]
	}
	m /= n
	zm /= n
	for i := 0; i < n; i++ {
		zv += (s[n+i] - zm) * (s[n+i] - zm)
	}
	zv /= n
	t.Logf("InitialState: sign overlap %.4f (m0 0.55), z mean %.4f (2), z sd %.4f (0.5)", m, zm, math.Sqrt(zv))
	if math.Abs(m-0.55) > 4*math.Sqrt((1-0.55*0.55)/n) || math.Abs(zm-2) > 4*0.5/math.Sqrt(n) || math.Abs(math.Sqrt(zv)-0.5) > 4*0.5/math.Sqrt(2*n) {
		t.Error("InitialState statistics off")
	}
}

func TestGatedErrors(t *testing.T) {
	pat := RandomPatterns(10, 2, NewRNG(1, 0))
	w := mat.NewDense(10, 10, nil)
	var nf *NonFiniteError
	for _, tc := range []struct {
		name  string
		mod   func(*GatedConfig)
		param string // "" for a plain error
	}{
		{"Gamma NaN", func(c *GatedConfig) { c.Gamma = math.NaN() }, "Gamma"},
		{"Gamma < 0", func(c *GatedConfig) { c.Gamma = -1 }, ""},
		{"Beta NaN", func(c *GatedConfig) { c.Beta = math.NaN() }, "Beta"},
		{"TauZ 0", func(c *GatedConfig) { c.TauZ = 0 }, ""},
		{"GW Inf", func(c *GatedConfig) { c.GW = math.Inf(1) }, "GW"},
		{"Z0Mean NaN", func(c *GatedConfig) { c.Z0Mean = math.NaN() }, "Z0Mean"},
	} {
		cfg := DefaultGatedConfig()
		tc.mod(&cfg)
		for name, err := range map[string]error{
			"NewGated":    func() error { _, err := NewGated(pat, w, cfg); return err }(),
			"RandomGated": func() error { _, err := RandomGated(pat, cfg, NewRNG(1, 1)); return err }(),
		} {
			if err == nil {
				t.Errorf("%s %s: no error", name, tc.name)
				continue
			}
			isNF := errors.As(err, &nf)
			if (tc.param == "") == isNF || (isNF && nf.Param != tc.param) {
				t.Errorf("%s %s: err = %v", name, tc.name, err)
			}
		}
	}
	// Non-finite W.
	w.Set(2, 3, math.NaN())
	_, err := NewGated(pat, w, DefaultGatedConfig())
	if !errors.As(err, &nf) || nf.Param != "W" || nf.Index != 23 {
		t.Errorf("NaN W: err = %v, want *NonFiniteError for W at 23", err)
	}
	if _, err := NewGated(pat, mat.NewDense(10, 9, nil), DefaultGatedConfig()); err == nil {
		t.Error("10×9 W accepted")
	}
	// γ = +Inf is allowed.
	if _, err := NewGated(pat, mat.NewDense(10, 10, nil), DefaultGatedConfig()); err != nil {
		t.Errorf("default config (γ = ∞): %v", err)
	}
}

func TestGatedNoAlloc(t *testing.T) {
	for _, form := range []ConnForm{ConnDense, ConnPatterns} {
		g := gatedTestNet(t, 40, 4, 10, form, 71)
		s := gatedTestState(40, NewRNG(72, 0))
		dst := make([]float64, 80)
		m := make([]float64, 4)
		jac := mat.NewDense(80, 80, nil)
		for name, f := range map[string]func(){
			"Step":             func() { g.Step(dst, s, nil) },
			"Velocity":         func() { g.Velocity(dst, s, nil) },
			"Jacobian":         func() { g.Jacobian(jac, s, nil) },
			"VelocityJacobian": func() { g.VelocityJacobian(jac, s, nil) },
			"Output":           func() { g.Output(m, s) },
		} {
			if a := testing.AllocsPerRun(20, f); a != 0 {
				t.Errorf("%v %s: %v allocs", form, name, a)
			}
		}
	}
}
