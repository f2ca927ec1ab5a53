package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// lowRankTestNet returns a rank-k network whose connectivity is strong
// enough (m scaled by 3) to put tanh in its nonlinear range, and a bias.
func lowRankTestNet(n, k int, seed uint64) *LowRank {
	rng := NewRNG(seed, 1)
	l := RandomLowRank(n, k, rng)
	l.M.Scale(3*math.Sqrt(float64(n)), l.M) // m entries of order 3: m κ of order 1
	for i := range l.B {
		l.B[i] = 0.2 * rng.Norm()
	}
	return l
}

// TestLowRankMatchesLeaky checks that the O(NK) step equals the step of a
// Leaky network with W_rec = m n (formed by hand), b_rec = b, to 1e-12, and
// that the Jacobians agree too.
func TestLowRankMatchesLeaky(t *testing.T) {
	for _, k := range []int{1, 2, 5} {
		const n = 60
		lr := lowRankTestNet(n, k, uint64(k))
		w := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				var s float64
				for q := 0; q < k; q++ {
					s += lr.M.At(i, q) * lr.N.At(q, j)
				}
				w.Set(i, j, s)
			}
		}
		full, err := NewLeaky(LeakyParams{WRec: w, BRec: append([]float64(nil), lr.B...), DT: lr.DT, Tau: lr.Tau})
		if err != nil {
			t.Fatal(err)
		}
		x := leakyTestVec(NewRNG(9, uint64(k)), n, 0.3)
		a, b := make([]float64, n), make([]float64, n)
		var worst float64
		for step := 0; step < 20; step++ {
			lr.Step(a, x, nil)
			full.Step(b, x, nil)
			for i := range a {
				worst = math.Max(worst, math.Abs(a[i]-b[i])/math.Max(1, math.Abs(b[i])))
			}
			copy(x, a)
		}
		if worst > 1e-12 {
			t.Errorf("K = %d: LowRank and Leaky(W = m n) steps differ by %.3g, want <= 1e-12", k, worst)
		}
		ja, jb := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
		lr.Jacobian(ja, x, nil)
		full.Jacobian(jb, x, nil)
		if !mat.EqualApprox(ja, jb, 1e-12) {
			t.Errorf("K = %d: Jacobians differ", k)
		}
	}
}

// TestLowRankJacobians is EC-32 for the rank-K network.
func TestLowRankJacobians(t *testing.T) {
	for _, k := range []int{1, 2, 4} {
		l := lowRankTestNet(40, k, 10+uint64(k))
		x := leakyTestVec(NewRNG(11, uint64(k)), 40, 0.3)
		checkJacobians(t, l, x, nil)
	}
}

// TestLowRankLatentFlow checks the Mastrogiuseppe–Ostojic identity that
// makes κ = n x a closed system: n x' = (1−a) κ + a n tanh(m κ + b) for any
// x, and the output formula sigmoid(W_outᵀ κ + b_out).
func TestLowRankLatentFlow(t *testing.T) {
	const n, k = 50, 2
	l := lowRankTestNet(n, k, 12)
	x := leakyTestVec(NewRNG(13, 0), n, 0.5)
	kappa, kNext := make([]float64, k), make([]float64, k)
	l.Kappa(kappa, x)
	for q := 0; q < k; q++ { // κ by hand
		var s float64
		for j := 0; j < n; j++ {
			s += l.N.At(q, j) * x[j]
		}
		if !relClose(kappa[q], s, 1e-13) {
			t.Fatalf("Kappa[%d] = %v, want %v", q, kappa[q], s)
		}
	}
	next := make([]float64, n)
	l.Step(next, x, nil)
	l.Kappa(kNext, next)
	a := l.Alpha()
	for q := 0; q < k; q++ {
		var s float64
		for i := 0; i < n; i++ {
			z := l.B[i]
			for p := 0; p < k; p++ {
				z += l.M.At(i, p) * kappa[p]
			}
			s += l.N.At(q, i) * math.Tanh(z)
		}
		if want := (1-a)*kappa[q] + a*s; !relClose(kNext[q], want, 1e-12) {
			t.Errorf("κ'[%d] = %v, want %v", q, kNext[q], want)
		}
	}
	o := make([]float64, 1)
	l.Output(o, x)
	z := l.BOut
	for q := range kappa {
		z += l.WOut[q] * kappa[q]
	}
	if want := 1 / (1 + math.Exp(-z)); !relClose(o[0], want, 1e-14) {
		t.Errorf("Output = %v, want %v", o[0], want)
	}
	if d := l.Dims(); d.State != n || d.Input != 0 || d.Output != 1 || l.Rank() != k {
		t.Errorf("Dims = %+v, Rank = %d", d, l.Rank())
	}
}

// TestRandomLowRank checks the initialisation of science spec §5.3 (sample
// variances of m, n, W_out within sampling error, b = 0, a = 0.5) and
// determinism per seed.
func TestRandomLowRank(t *testing.T) {
	const n, k = 1000, 4
	l := RandomLowRank(n, k, NewRNG(14, 0))
	variance := func(v []float64) float64 {
		var s, s2 float64
		for _, x := range v {
			s += x
			s2 += x * x
		}
		m := s / float64(len(v))
		return s2/float64(len(v)) - m*m
	}
	// 4000 normal samples: relative standard error of the variance √(2/4000) ≈ 2.2 %.
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{ParamLowRankM, l.M}, {ParamLowRankN, l.N}} {
		if v := variance(m.m.RawMatrix().Data); math.Abs(v*n-1) > 0.1 {
			t.Errorf("Var(%s) = %v, want 1/N = %v", m.name, v, 1.0/n)
		}
	}
	for i, b := range l.B {
		if b != 0 {
			t.Fatalf("b[%d] = %v, want 0", i, b)
		}
	}
	if l.Alpha() != 0.5 {
		t.Errorf("a = %v, want 0.5", l.Alpha())
	}
	// W_out ~ N(0, 1/K) and b_out ~ N(0, 1): check over many seeds.
	var w2, b2 float64
	const seeds = 2000
	for s := 0; s < seeds; s++ {
		l := RandomLowRank(3, 2, NewRNG(uint64(s), 7))
		w2 += l.WOut[0]*l.WOut[0] + l.WOut[1]*l.WOut[1]
		b2 += l.BOut * l.BOut
	}
	if v := w2 / (2 * seeds); math.Abs(v-0.5) > 0.05 {
		t.Errorf("Var(W_out) = %v, want 1/2", v)
	}
	if v := b2 / seeds; math.Abs(v-1) > 0.1 {
		t.Errorf("Var(b_out) = %v, want 1", v)
	}
	same := RandomLowRank(n, k, NewRNG(14, 0))
	if !mat.Equal(l.M, same.M) || !mat.Equal(l.N, same.N) || !leakyFloatsEqual(l.WOut, same.WOut) || l.BOut != same.BOut {
		t.Error("the same seed gave different networks")
	}
	if other := RandomLowRank(n, k, NewRNG(15, 0)); mat.Equal(l.M, other.M) {
		t.Error("different seeds gave the same m")
	}
}

// TestNewLowRankErrors checks shape errors naming the parameter and
// *NonFiniteError for NaN or Inf.
func TestNewLowRankErrors(t *testing.T) {
	good := func() LowRankParams {
		return RandomLowRank(6, 2, NewRNG(16, 0)).LowRankParams
	}
	if _, err := NewLowRank(good()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		mod       func(p *LowRankParams)
		want      string
		nonFinite bool
	}{
		{"missing m", func(p *LowRankParams) { p.M = nil }, ParamLowRankM, false},
		{"missing n", func(p *LowRankParams) { p.N = nil }, ParamLowRankN, false},
		{"n shape", func(p *LowRankParams) { p.N = mat.NewDense(2, 5, nil) }, ParamLowRankN, false},
		{"b length", func(p *LowRankParams) { p.B = make([]float64, 5) }, ParamLowRankB, false},
		{"W_out length", func(p *LowRankParams) { p.WOut = make([]float64, 3) }, ParamLowRankWOut, false},
		{"DT", func(p *LowRankParams) { p.DT = 0 }, "DT", false},
		{"NaN m", func(p *LowRankParams) { p.M.Set(3, 1, math.NaN()) }, ParamLowRankM, true},
		{"Inf n", func(p *LowRankParams) { p.N.Set(1, 3, math.Inf(-1)) }, ParamLowRankN, true},
		{"NaN b", func(p *LowRankParams) { p.B[0] = math.NaN() }, ParamLowRankB, true},
		{"NaN W_out", func(p *LowRankParams) { p.WOut[1] = math.NaN() }, ParamLowRankWOut, true},
		{"NaN b_out", func(p *LowRankParams) { p.BOut = math.NaN() }, ParamLowRankBOut, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.mod(&p)
			_, err := NewLowRank(p)
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
}

// TestLowRankNoAlloc checks that the hot methods do not allocate and that a
// clone agrees with the original.
func TestLowRankNoAlloc(t *testing.T) {
	l := lowRankTestNet(30, 2, 17)
	x, dst, y, kap := leakyTestVec(NewRNG(18, 0), 30, 0.3), make([]float64, 30), make([]float64, 1), make([]float64, 2)
	jac := mat.NewDense(30, 30, nil)
	for name, f := range map[string]func(){
		"Step":             func() { l.Step(dst, x, nil) },
		"Velocity":         func() { l.Velocity(dst, x, nil) },
		"Jacobian":         func() { l.Jacobian(jac, x, nil) },
		"VelocityJacobian": func() { l.VelocityJacobian(jac, x, nil) },
		"InputJacobian":    func() { l.InputJacobian(nil, x, nil) },
		"Output":           func() { l.Output(y, x) },
		"Kappa":            func() { l.Kappa(kap, x) },
	} {
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("LowRank.%s: %v allocations per call, want 0", name, a)
		}
	}
	c := l.Clone().(*LowRank)
	if &c.pre[0] == &l.pre[0] || &c.kappa[0] == &l.kappa[0] {
		t.Fatal("clone shares scratch")
	}
	other := make([]float64, 30)
	l.Step(dst, x, nil)
	c.Step(other, x, nil)
	if !leakyFloatsEqual(dst, other) {
		t.Error("clone steps differently")
	}
	func() {
		defer func() {
			if _, ok := recover().(ShapeError); !ok {
				t.Error("Step with an input did not panic with a ShapeError")
			}
		}()
		l.Step(dst, x, []float64{1})
	}()
}
