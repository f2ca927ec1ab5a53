package inspect

import (
	"context"
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// vdtPatterns returns k mutually orthogonal balanced ±1 patterns of length
// n (n a multiple of 2^k): pattern c is the sign of bit c of the index.
func vdtPatterns(n, k int) [][]float64 {
	ps := make([][]float64, k)
	for c := range ps {
		ps[c] = make([]float64, n)
		for i := range ps[c] {
			if (i>>c)&1 == 0 {
				ps[c][i] = 1
			} else {
				ps[c][i] = -1
			}
		}
	}
	return ps
}

// vdtLowRank returns the CTRNN τẋ = −x + J tanh x with J = (1/N) M A Mᵀ
// for ±1 patterns M (N×K) and a K×K matrix A (row-major), τ = 1, dt = 0.1,
// a readout z = (1/N) m₁ᵀ tanh x and one input along m₁.
func vdtLowRank(t testing.TB, n int, a []float64) (*model.CTRNN, [][]float64) {
	t.Helper()
	k := int(math.Sqrt(float64(len(a))))
	ms := vdtPatterns(n, k)
	j := mat.NewDense(n, n, nil)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			var s float64
			for p := 0; p < k; p++ {
				for q := 0; q < k; q++ {
					s += ms[p][r] * a[p*k+q] * ms[q][c]
				}
			}
			j.Set(r, c, s/float64(n))
		}
	}
	wo := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		wo.Set(i, 0, ms[0][i]/float64(n))
	}
	// One input channel driving along m₁: W_in u = u m₁, so κ̇₁ gains u.
	win := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		win.Set(i, 0, ms[0][i])
	}
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewRecurrent(j), WO: wo, WIn: win, Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	return net, ms
}

// vdtRandomNet is the untrained network of EC-04: ẋ = −x + gJ tanh x with
// J_ij ~ N(0, 1/N), τ = 1, dt = 0.1, and a random readout.
func vdtRandomNet(t testing.TB, n int, g float64, seed uint64) *model.CTRNN {
	t.Helper()
	rng := model.NewRNG(seed, 0)
	wo := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		wo.Set(i, 0, rng.Norm()/math.Sqrt(float64(n)))
	}
	net, err := model.NewCTRNN(model.CTRNNParams{G: g, J: model.NewRecurrent(model.DenseGaussian(n, 1, rng)), WO: wo, Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// vdtKappa solves κ = λ tanh κ for the positive root by bisection.
func vdtKappa(lambda float64) float64 {
	lo, hi := 1e-9, lambda+1
	for i := 0; i < 200; i++ {
		m := (lo + hi) / 2
		if m-lambda*math.Tanh(m) < 0 {
			lo = m
		} else {
			hi = m
		}
	}
	return (lo + hi) / 2
}

func TestSettleBistableRank1(t *testing.T) {
	const n = 64
	net, ms := vdtLowRank(t, n, []float64{2})
	kstar := vdtKappa(2) // 1.91501 (science spec §1.6)
	for _, sign := range []float64{1, -1} {
		x0 := make([]float64, n)
		for i := range x0 {
			x0[i] = sign * 0.3 * ms[0][i]
		}
		a, err := Settle(context.Background(), net, x0, nil, 350, 70, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != EndFixedPoint {
			t.Fatalf("sign %v: kind %v (var %g, speed %g), want FP", sign, a.Kind, a.MaxReadoutVar, a.Speed)
		}
		for i, v := range a.X {
			if math.Abs(v-sign*kstar*ms[0][i]) > 1e-6 {
				t.Fatalf("x[%d] = %v, want %v", i, v, sign*kstar*ms[0][i])
			}
		}
		// The readout z = (1/N) mᵀ tanh x = ±tanh κ*.
		if math.Abs(a.Readout[0]-sign*math.Tanh(kstar)) > 1e-6 {
			t.Errorf("readout %v, want %v", a.Readout[0], sign*math.Tanh(kstar))
		}
		// From 0.3 m to κ* m the drift is |κ* − 0.3|.
		if math.Abs(a.MaxDrift-(kstar-0.3)) > 1e-3 {
			t.Errorf("max drift %v, want %v", a.MaxDrift, kstar-0.3)
		}
		if !math.IsNaN(a.Lyapunov) || a.Floquet != nil {
			t.Errorf("FP result carries Lyapunov %v or Floquet %v", a.Lyapunov, a.Floquet)
		}
	}
}

// vdtReducedPeriod simulates the exact 2-D reduction of the rank-2 network
// (x = κ₁m₁ + κ₂m₂ with balanced orthogonal ±1 patterns), with the same
// Euler step, and measures the period from upward zero crossings of κ₁
// (linear interpolation) after a long transient.
func vdtReducedPeriod(a []float64, dt float64) float64 {
	k1, k2 := 0.1, 0.0
	f := func(k1, k2 float64) (float64, float64) {
		var s1, s2 float64
		for _, p := range [][2]float64{{1, 1}, {1, -1}, {-1, 1}, {-1, -1}} {
			th := math.Tanh(p[0]*k1 + p[1]*k2)
			s1 += p[0] * th / 4
			s2 += p[1] * th / 4
		}
		return -k1 + a[0]*s1 + a[1]*s2, -k2 + a[2]*s1 + a[3]*s2
	}
	var cross []float64
	for step := 0; step < 200000; step++ {
		d1, d2 := f(k1, k2)
		n1, n2 := k1+dt*d1, k2+dt*d2
		if step > 50000 && k1 < 0 && n1 >= 0 {
			cross = append(cross, float64(step)+(-k1)/(n1-k1))
		}
		k1, k2 = n1, n2
	}
	return (cross[len(cross)-1] - cross[0]) / float64(len(cross)-1) * dt
}

func TestSettleLimitCycleRank2(t *testing.T) {
	const n = 64
	// A = ρ R(θ): outliers ρ e^{±iθ} = 1.6 ± 1.2i, an unstable focus at
	// the origin (Re − 1 = 0.6 > 0) whose growth is stopped by the
	// saturation: a stable limit cycle in span(m₁, m₂).
	a := []float64{1.6, -1.2, 1.2, 1.6}
	net, ms := vdtLowRank(t, n, a)
	want := vdtReducedPeriod(a, 0.1)
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = 0.1*ms[0][i] + 0.01*math.Sin(float64(i))
	}
	as, err := Settle(context.Background(), net, x0, nil, 350, 70, nil)
	if err != nil {
		t.Fatal(err)
	}
	if as.Kind != EndLimitCycle {
		t.Fatalf("kind %v (ACF peak %v at %d steps, return %v), want LC", as.Kind, as.ACFPeak, as.PeriodSteps, as.ReturnDist)
	}
	if math.Abs(as.Period-want)/want > 5e-3 {
		t.Errorf("period %v, reduced model %v", as.Period, want)
	}
	if as.ReturnDist > 1e-3 || as.ACFPeak < 0.9 {
		t.Errorf("return %v, ACF peak %v", as.ReturnDist, as.ACFPeak)
	}
	if len(as.Floquet) != n {
		t.Fatalf("%d Floquet multipliers, want %d", len(as.Floquet), n)
	}
	if d := cmplx.Abs(as.TangentMultiplier - 1); d > 2e-2 {
		t.Errorf("tangent multiplier %v, want ≈ 1", as.TangentMultiplier)
	}
	// Every other multiplier contracts: the cycle is stable.
	var above int
	for _, m := range as.Floquet {
		if cmplx.Abs(m) > 1-1e-3 {
			above++
		}
	}
	if above != 1 {
		t.Errorf("%d multipliers with |μ| ≥ 1 − 1e-3, want 1 (the tangent): %v", above, as.Floquet[:3])
	}
	t.Logf("period %.5f (reduced %.5f), ACF peak %.4f, return %.2e, tangent μ %.4f, next |μ| %.4f",
		as.Period, want, as.ACFPeak, as.ReturnDist, as.TangentMultiplier, cmplx.Abs(as.Floquet[1]))
}

// TestEC04 checks the g = 0.5 convergence of EC-04 at N = 200 and a
// positive Lyapunov exponent at g = 2.
func TestEC04(t *testing.T) {
	const n = 200
	rng := model.NewRNG(4, 1)
	x0 := model.NormalVector(n, 1, rng)
	net := vdtRandomNet(t, n, 0.5, 4)
	a, err := Settle(context.Background(), net, x0, nil, 50, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := fpNorm(a.X) / fpNorm(x0); r > 1e-9 {
		t.Errorf("g = 0.5: ‖x(50)‖/‖x(0)‖ = %g, want < 1e-9", r)
	}
	if a.Kind != EndFixedPoint {
		t.Errorf("g = 0.5: kind %v", a.Kind)
	}
	chaos := vdtRandomNet(t, n, 2, 5)
	a, err = Settle(context.Background(), chaos, x0, nil, 100, 70, &AsymptoticSettings{Lyapunov: LyapunovSettings{Blocks: 60}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != EndOther || a.Extended {
		t.Fatalf("g = 2: kind %v, extended %v; want other, not run again (chaotic)", a.Kind, a.Extended)
	}
	if !(a.Lyapunov > 0.03 && a.Lyapunov < 0.3) {
		t.Errorf("g = 2: largest Lyapunov exponent %v, want ≈ 0.1 (EC-04) and > 0", a.Lyapunov)
	}
	t.Logf("g = 2, N = %d: λ_max = %.4f per τ (EC-04 N = 1000: 0.105)", n, a.Lyapunov)
}

func TestSettleDivergedAndErrors(t *testing.T) {
	net, _ := vdtLowRank(t, 8, []float64{2})
	x0 := make([]float64, 8)
	x0[3] = math.NaN()
	a, err := Settle(context.Background(), net, x0, nil, 10, 2, nil)
	if err != nil || a.Kind != EndDiverged {
		t.Errorf("NaN start: %v, %v; want EndDiverged", a, err)
	}
	if _, err := Settle(context.Background(), net, make([]float64, 3), nil, 10, 2, nil); err == nil {
		t.Error("wrong state length: no error")
	}
	if _, err := Settle(context.Background(), net, make([]float64, 8), nil, -1, 2, nil); err == nil {
		t.Error("negative run: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Settle(ctx, net, make([]float64, 8), nil, 10, 2, nil); err == nil {
		t.Error("cancelled context: no error")
	}
}

func TestLyapunovStableNegative(t *testing.T) {
	net, ms := vdtLowRank(t, 16, []float64{2})
	x0 := append([]float64(nil), ms[0]...)
	l, err := Lyapunov(context.Background(), net, x0, nil, &LyapunovSettings{Blocks: 50, Transient: 50})
	if err != nil {
		t.Fatal(err)
	}
	// At the stable point κ* m every mode decays; the slowest at rate
	// λ(1 − tanh²κ*) − 1 = 0.166 − 1 along m, −1 elsewhere; the separation
	// aligns with the slowest decaying direction. For the Euler map the
	// rate is ln(1 + dt·λ)/dt; the first block's projection onto that
	// direction costs about ln(proj)/(50·10).
	lambda := 2*(1-math.Pow(math.Tanh(vdtKappa(2)), 2)) - 1
	want := math.Log(1+0.1*lambda) / 0.1
	if math.Abs(l-want) > 0.01 {
		t.Errorf("Lyapunov exponent %v at a stable point, want %v", l, want)
	}
}

// vdtLoops is a map whose orbit winds three nearly equal loops before it
// closes: the state is (cos 3ψ, sin 3ψ, ε cos ψ, ε sin ψ) and a step
// advances ψ by δ, so one loop of the first pair takes 2π/(3δ) steps and
// the orbit returns after three of them.
type vdtLoops struct{ delta, eps float64 }

func (l *vdtLoops) Family() model.Family     { return model.FamilyCTRNN }
func (l *vdtLoops) Dims() model.Dims         { return model.Dims{State: 4, Input: 1, Output: 1} }
func (l *vdtLoops) StateVar() model.StateVar { return model.StateCurrent }
func (l *vdtLoops) Step(dst, x, _ []float64) {
	psi := math.Atan2(x[3], x[2]) + l.delta
	dst[0], dst[1] = math.Cos(3*psi), math.Sin(3*psi)
	dst[2], dst[3] = l.eps*math.Cos(psi), l.eps*math.Sin(psi)
}
func (l *vdtLoops) Jacobian(dst *mat.Dense, _, _ []float64)      { dst.Zero() }
func (l *vdtLoops) InputJacobian(dst *mat.Dense, _, _ []float64) { dst.Zero() }
func (l *vdtLoops) Output(dst, x []float64)                      { dst[0] = x[0] }
func (l *vdtLoops) Clone() model.Network                         { c := *l; return &c }

func TestSettleSeveralLoops(t *testing.T) {
	// One loop is 100.5 steps (not a whole number), the orbit 301.5.
	net := &vdtLoops{delta: 2 * math.Pi / 301.5, eps: 0.05}
	x0 := []float64{1, 0, net.eps, 0}
	set := &AsymptoticSettings{FloquetMaxN: -1}
	a, err := Settle(context.Background(), net, x0, nil, 2000, 700, set)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != EndLimitCycle {
		t.Fatalf("kind %v (ACF peak %v at %d steps, return %v), want LC", a.Kind, a.ACFPeak, a.PeriodSteps, a.ReturnDist)
	}
	if math.Abs(a.Period-301.5) > 0.05 {
		t.Errorf("period %v steps, want 301.5 (three loops)", a.Period)
	}
	// The first loop alone does not return: the state differs by the
	// second pair, ε·|e^{i·2π/3} − 1|/2 = 0.0433 per √N.
	p1, d1 := vdReturn(func() [][]float64 {
		tr := make([][]float64, 0, 400)
		x := append([]float64(nil), x0...)
		for range 400 {
			y := make([]float64, 4)
			net.Step(y, x, nil)
			tr, x = append(tr, y), y
		}
		return tr
	}(), 100)
	if math.Abs(p1-100.5) > 0.5 || math.Abs(d1/2-net.eps*math.Sqrt(3)/2) > 2e-3 {
		t.Errorf("one loop: period %v, return %v per √N, want ≈ 100.5 and 0.0433", p1, d1/2)
	}
}

func TestSettleExtendsSlowCycles(t *testing.T) {
	const n = 64
	// Outliers 1.03 ± 1.2i: a focus at the origin that grows slowly (Re − 1
	// = 0.03) onto a small stable cycle, reached only after a long transient.
	a := []float64{1.03, -1.2, 1.2, 1.03}
	net, ms := vdtLowRank(t, n, a)
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = 0.02 * ms[0][i]
	}
	short, err := Settle(context.Background(), net, x0, nil, 100, 20, &AsymptoticSettings{ExtendRun: -1, FloquetMaxN: -1})
	if err != nil {
		t.Fatal(err)
	}
	if short.Kind != EndOther || short.Extended {
		t.Fatalf("without extension: kind %v (return %v), extended %v; want other", short.Kind, short.ReturnDist, short.Extended)
	}
	long, err := Settle(context.Background(), net, x0, nil, 100, 20, &AsymptoticSettings{FloquetMaxN: -1})
	if err != nil {
		t.Fatal(err)
	}
	if long.Kind != EndLimitCycle || !long.Extended || math.Abs(long.Time-500) > 0.1 {
		t.Fatalf("with extension: kind %v (return %v), extended %v, time %v; want LC after 500", long.Kind, long.ReturnDist, long.Extended, long.Time)
	}
	if want := vdtReducedPeriod(a, 0.1); math.Abs(long.Period-want)/want > 5e-3 {
		t.Errorf("period %v, reduced model %v", long.Period, want)
	}
}

// A small oscillation that decays slowly into a stable focus returns
// within ReturnTol after one turn but loses amplitude: not a cycle.
func TestSettleDampedSpiralIsNoCycle(t *testing.T) {
	const n = 64
	// Outliers 0.99 ± 0.3i: the origin is a stable focus with a period of
	// about 21; Euler's step (dt = 0.1) leaves a decay rate of 0.0055 per τ.
	net, ms := vdtLowRank(t, n, []float64{0.99, -0.3, 0.3, 0.99})
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = 1e-3 * ms[0][i]
	}
	a, err := Settle(context.Background(), net, x0, nil, 100, 20, &AsymptoticSettings{FloquetMaxN: -1})
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind == EndLimitCycle || a.ReturnDist >= 1e-3 {
		t.Fatalf("kind %v, return %v: want a return within tolerance and no cycle", a.Kind, a.ReturnDist)
	}
	// Without the amplitude test the spiral passes for a cycle.
	loose, err := Settle(context.Background(), net, x0, nil, 100, 20, &AsymptoticSettings{FloquetMaxN: -1, AmplitudeTol: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if loose.Kind != EndLimitCycle {
		t.Errorf("without the amplitude test: kind %v, want LC (the case the test exists for)", loose.Kind)
	}
	// Between the centres of the compared stretches (125 time units after
	// the run is extended to 500) the amplitude falls by about e^{−0.69}.
	if !(a.AmplitudeRatio < 0.9) {
		t.Errorf("amplitude ratio %v, want < 0.9", a.AmplitudeRatio)
	}
	// The cycle of TestSettleLimitCycleRank2 keeps its amplitude.
	lc, ms2 := vdtLowRank(t, n, []float64{1.6, -1.2, 1.2, 1.6})
	for i := range x0 {
		x0[i] = 0.1 * ms2[0][i]
	}
	b, err := Settle(context.Background(), lc, x0, nil, 350, 70, &AsymptoticSettings{FloquetMaxN: -1})
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != EndLimitCycle || math.Abs(b.AmplitudeRatio-1) > 5e-3 {
		t.Errorf("cycle: kind %v, amplitude ratio %v; want LC with ratio 1", b.Kind, b.AmplitudeRatio)
	}
	t.Logf("spiral: kind %v, extended %v, return %.2e, amplitude ratio %.3f; cycle ratio %.6f", a.Kind, a.Extended, a.ReturnDist, a.AmplitudeRatio, b.AmplitudeRatio)
}
