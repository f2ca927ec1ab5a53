package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"reflect"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"attractor/internal/repro"
	"attractor/model"
)

// fptCTRNN returns the flow dx/dt = −x + J tanh(x) (τ = 1, dt = 0.1).
func fptCTRNN(t testing.TB, j *mat.Dense) *model.CTRNN {
	t.Helper()
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(j), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// fptMapOnly hides the Flow methods of a network, so that the finder sees
// the discrete map x ← f(x).
type fptMapOnly struct{ model.Network }

func (m fptMapOnly) Clone() model.Network { return fptMapOnly{m.Network.Clone()} }

// fptRank1 returns J = (λ/N) m mᵀ with m_i = ±1 drawn from rng (EC-28).
func fptRank1(n int, lambda float64, rng *model.RNG) (*mat.Dense, []float64) {
	m := make([]float64, n)
	for i := range m {
		m[i] = 1
		if rng.Float64() < 0.5 {
			m[i] = -1
		}
	}
	j := mat.NewDense(n, n, nil)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			j.Set(r, c, lambda/float64(n)*m[r]*m[c])
		}
	}
	return j, m
}

// fptKappa solves κ = λ tanh κ for the positive root by bisection (the
// independent derivation of κ* for EC-28).
func fptKappa(lambda float64) float64 {
	lo, hi := 1e-9, lambda+1
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if lambda*math.Tanh(mid)-mid > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// fptRank1Inits returns k states c·m + σξ with c uniform in [−3, 3].
func fptRank1Inits(k int, m []float64, sigma float64, rng *model.RNG) [][]float64 {
	inits := make([][]float64, k)
	for i := range inits {
		c := rng.Uniform(-3, 3)
		x := make([]float64, len(m))
		for j := range x {
			x[j] = c*m[j] + sigma*rng.Norm()
		}
		inits[i] = x
	}
	return inits
}

// fptPeerNet reimplements the --make recipe of
// /work/shared/bench/fixedpoints_torch.py with model.RNG: J = g χ + M Nᵀ/n
// (g = 0.8, rank-2 part with outliers near 2.0 and 1.6), and k initial
// states sampled from 16 noisy trajectories of 400 Euler steps (dt = 0.1)
// every 25 steps, plus N(0, 0.05²) noise.
func fptPeerNet(n, k int, seed uint64) (*mat.Dense, [][]float64) {
	rng := model.NewRNG(seed, 0)
	const g, dt = 0.8, 0.1
	mm := mat.NewDense(n, 2, nil)
	nv := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		mm.Set(i, 0, rng.Norm())
		mm.Set(i, 1, rng.Norm())
	}
	for i := 0; i < n; i++ {
		nv.Set(i, 0, 2.0*mm.At(i, 0)+0.5*rng.Norm())
		nv.Set(i, 1, 1.6*mm.At(i, 1)+0.5*rng.Norm())
	}
	j := mat.NewDense(n, n, nil)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			j.Set(r, c, g*rng.Norm()/math.Sqrt(float64(n)))
		}
	}
	var lr mat.Dense
	lr.Mul(mm, nv.T())
	lr.Scale(1/float64(n), &lr)
	j.Add(j, &lr)
	var states [][]float64
	x := make([]float64, n)
	th := make([]float64, n)
	jt := mat.NewVecDense(n, nil)
	for tr := 0; tr < 16; tr++ {
		for i := range x {
			x[i] = 2 * rng.Norm()
		}
		for t := 0; t < 400; t++ {
			for i := range x {
				th[i] = math.Tanh(x[i])
			}
			jt.MulVec(j, mat.NewVecDense(n, th))
			for i := range x {
				x[i] += dt * (-x[i] + jt.AtVec(i))
			}
			if t%25 == 0 {
				states = append(states, append([]float64(nil), x...))
			}
		}
	}
	inits := make([][]float64, k)
	for i := range inits {
		s := states[rng.IntN(len(states))]
		v := make([]float64, n)
		for c := range v {
			v[c] = s[c] + 0.05*rng.Norm()
		}
		inits[i] = v
	}
	return j, inits
}

// fptEC28 runs the rank-1 bistability check (science spec EC-28) at size n,
// adding what it measures to rec when one is given.
func fptEC28(t *testing.T, n int, rec ...*repro.Record) {
	want := map[float64]float64{1.5: 1.28784, 2: 1.91501, 3: 2.98470}
	kappaName := func(lambda float64) string {
		return fmt.Sprintf("|κ| − κ*(%g) of the finder's ±κ*m (κ* = %.5f)", lambda, want[lambda])
	}
	for _, r := range rec {
		for _, lambda := range []float64{1.5, 2, 3} { // the report's short column shows the first measures
			r.Measure(kappaName(lambda), "", "0", "± 1e-4")
		}
	}
	measure := func(name, published, tol string, v float64) {
		for _, r := range rec {
			r.Measure(name, "", published, tol).Add(v, -1)
		}
	}
	for _, lambda := range []float64{0.5, 0.9, 1.5, 2, 3} {
		t.Run(fmt.Sprintf("lambda=%g", lambda), func(t *testing.T) {
			rng := model.NewRNG(28, uint64(lambda*10))
			j, m := fptRank1(n, lambda, rng)
			net := fptCTRNN(t, j)
			inits := fptRank1Inits(100, m, 0.1, rng)
			res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if lambda < 1 {
				measure(fmt.Sprintf("unique fixed points at λ = %g", lambda), "1 (the origin)", "exactly 1, the stable origin", float64(len(res.Points)))
				if len(res.Points) != 1 || fpNorm(res.Points[0].X) > 1e-8 || res.Points[0].Kind != Stable {
					t.Fatalf("λ = %g: want only the stable origin, got %d points %+v", lambda, len(res.Points), fptSummary(res))
				}
				return
			}
			if lambda == 2 {
				measure("unique fixed points at λ = 2 (from 100 noisy starts)", "3", "exactly 3", float64(len(res.Points)))
			}
			if len(res.Points) != 3 {
				t.Fatalf("λ = %g: %d unique points, want 3: %v", lambda, len(res.Points), fptSummary(res))
			}
			kstar := fptKappa(lambda)
			if math.Abs(kstar-want[lambda]) > 1e-4 {
				t.Errorf("bisection κ*(%g) = %.6f, spec %.5f", lambda, kstar, want[lambda])
			}
			var signs []float64
			for _, p := range res.Points {
				if p.Q > 1e-20 {
					t.Errorf("point q = %g, want polished below 1e-20", p.Q)
				}
				if fpNorm(p.X) < 1e-8 {
					// The origin: a saddle with one unstable direction, eigenvalue λ − 1.
					lead := p.Eigenvalues.Leading()
					if p.Kind != Saddle || p.UnstableDims != 1 || cmplx.Abs(lead-complex(lambda-1, 0)) > 1e-8 {
						t.Errorf("origin: kind %v, %d unstable, leading %v; want saddle, 1, %g", p.Kind, p.UnstableDims, lead, lambda-1)
					}
					continue
				}
				// κ from the projection on m; every component must agree.
				kappa := fpDot(p.X, m) / float64(n)
				measure(kappaName(lambda), "0", "± 1e-4", math.Abs(kappa)-want[lambda])
				maxDev := 0.0
				for i := range m {
					maxDev = math.Max(maxDev, math.Abs(p.X[i]-kappa*m[i]))
				}
				if math.Abs(math.Abs(kappa)-want[lambda]) > 1e-4 || maxDev > 1e-8 {
					t.Errorf("λ = %g: |κ| = %.6f (max deviation from κm %.2g), want %.5f", lambda, math.Abs(kappa), maxDev, want[lambda])
				}
				if p.Kind != Stable {
					t.Errorf("λ = %g: ±κ*m is %v, want stable", lambda, p.Kind)
				}
				signs = append(signs, math.Copysign(1, kappa))
				t.Logf("λ = %g: κ = %.8f (bisection %.8f), leading eigenvalue %.6g", lambda, kappa, kstar, p.Eigenvalues.Leading())
			}
			if len(signs) != 2 || signs[0] == signs[1] {
				t.Errorf("want +κ*m and −κ*m, got signs %v", signs)
			}
		})
	}
}

// TestEC28Rank1 checks EC-28 at N = 200 (N = 1000 runs under the science tag).
func TestEC28Rank1(t *testing.T) { fptEC28(t, 200) }

func fptSummary(res *FixedPointResult) string {
	s := fmt.Sprintf("conv %d capt %d slow %d notconv %d nan %d outl %d iters %d bestQ %.3g;",
		res.Converged, res.Captured, res.Slow, res.NotConverged, res.NonFinite, res.DistanceOutliers, res.Iterations, res.BestQ)
	for _, p := range res.Points {
		s += fmt.Sprintf(" [%v unst=%d q=%.2g |x|=%.4f n=%d]", p.Kind, p.UnstableDims, p.Q, fpNorm(p.X), p.Count)
	}
	return s
}

// fptSameSet reports whether a and b hold the same points (within tol).
func fptSameSet(a, b []FixedPoint, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
	for _, p := range a {
		found := false
		for j, r := range b {
			if !used[j] && fpDist(p.X, r.X) < tol && p.Kind == r.Kind {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// fptPeer runs both methods on the peer construction and compares them.
func fptPeer(t *testing.T, n, k int) {
	j, inits := fptPeerNet(n, k, 1)
	net := fptCTRNN(t, j)
	prob := FixedPointProblem{Net: net, Inits: inits}
	results := map[Method]*FixedPointResult{}
	for _, m := range []Method{TrustRegion, Adam} {
		start := time.Now()
		res, err := FindFixedPoints(context.Background(), prob, &FixedPointSettings{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		results[m] = res
		stable := 0
		for _, p := range res.Points {
			if p.Kind == Stable {
				stable++
			}
		}
		t.Logf("N = %d, K = %d, %v: %d unique points, %d stable, %v (%v)", n, k, m, len(res.Points), stable, fptSummary(res), time.Since(start))
	}
	a, b := results[TrustRegion], results[Adam]
	if len(a.Points) < 3 {
		t.Errorf("trust-region found only %d points", len(a.Points))
	}
	if !fptSameSet(a.Points, b.Points, 1e-6) {
		t.Errorf("methods disagree:\n trust-region %s\n adam %s", fptSummary(a), fptSummary(b))
	}
}

// TestPeerNetwork runs the default method on the peer's construction at
// N = 300, K = 256, where the peer (FixedPointFinder's Adam in PyTorch)
// reports 5 unique fixed points, 2 of them stable. The network is odd
// (F(−x) = −F(x)), so the points must come as the origin plus ± pairs.
// The comparison with Adam at this size runs under the science tag.
func TestPeerNetwork(t *testing.T) {
	j, inits := fptPeerNet(300, 256, 1)
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: fptCTRNN(t, j), Inits: inits}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v: %s", res.Runtime, fptSummary(res))
	stable, origin := 0, 0
	for _, p := range res.Points {
		if p.Kind == Stable {
			stable++
		}
		if fpNorm(p.X) < 1e-8 {
			origin++
			continue
		}
		mirror := false
		for _, r := range res.Points {
			d := 0.0
			for i := range p.X {
				d += (p.X[i] + r.X[i]) * (p.X[i] + r.X[i])
			}
			mirror = mirror || math.Sqrt(d) < 1e-8 && r.Kind == p.Kind
		}
		if !mirror {
			t.Errorf("point with |x| = %.4f (%v) has no mirror image", fpNorm(p.X), p.Kind)
		}
	}
	if len(res.Points) != 5 || stable != 2 || origin != 1 {
		t.Errorf("want 5 unique points, 2 stable, the origin among them: %s", fptSummary(res))
	}
	// GrowingOnly must classify alike, with the leading values of the
	// full spectra.
	grow, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: fptCTRNN(t, j), Inits: inits}, &FixedPointSettings{GrowingOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if !fptSameSet(res.Points, grow.Points, 1e-8) {
		t.Fatalf("GrowingOnly changed the points:\n full %s\n growing %s", fptSummary(res), fptSummary(grow))
	}
	for i, p := range grow.Points {
		f := res.Points[i]
		if p.UnstableDims != f.UnstableDims || p.MarginalDims != f.MarginalDims || len(p.Eigenvalues.Values) == 0 {
			t.Errorf("point %d: growing-only %d unstable %d marginal, full %d, %d", i, p.UnstableDims, p.MarginalDims, f.UnstableDims, f.MarginalDims)
			continue
		}
		k := len(p.Eigenvalues.Values)
		if d := fptMatchComplex(p.Eigenvalues.Values[:k], f.Eigenvalues.Values[:k]); d > 1e-8 {
			t.Errorf("point %d: growing values differ from the full spectrum by %g", i, d)
		}
		if k > p.UnstableDims+p.MarginalDims+1 && specGrowth(p.Eigenvalues.Values[k-1], ContinuousTime) <= -10*1e-3 {
			t.Errorf("point %d: %d values returned, last %v below the floor", i, k, p.Eigenvalues.Values[k-1])
		}
	}
}

// TestMethodsAgree checks that TrustRegion and Adam find the same set on
// the rank-1 network (λ = 2, N = 50).
func TestMethodsAgree(t *testing.T) {
	rng := model.NewRNG(7, 0)
	j, m := fptRank1(50, 2, rng)
	prob := FixedPointProblem{Net: fptCTRNN(t, j), Inits: fptRank1Inits(40, m, 0.1, rng)}
	a, err := FindFixedPoints(context.Background(), prob, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FindFixedPoints(context.Background(), prob, &FixedPointSettings{Method: Adam})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Points) != 3 || !fptSameSet(a.Points, b.Points, 1e-8) {
		t.Errorf("methods disagree:\n trust-region %s\n adam %s", fptSummary(a), fptSummary(b))
	}
}

// TestMapConvention checks that a plain Network (the Euler map of the same
// flow) gives the same points, with multipliers 1 + dt·λ (EC-27).
func TestMapConvention(t *testing.T) {
	j, inits := fptPeerNet(100, 32, 1)
	net := fptCTRNN(t, j)
	ct, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dt, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: fptMapOnly{net}, Inits: inits}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ct.Convention != ContinuousTime || dt.Convention != DiscreteMap {
		t.Fatalf("conventions %v, %v", ct.Convention, dt.Convention)
	}
	if len(ct.Points) == 0 || !fptSameSet(ct.Points, dt.Points, 1e-6) {
		t.Fatalf("flow and map disagree:\n flow %s\n map %s", fptSummary(ct), fptSummary(dt))
	}
	for _, p := range ct.Points {
		for _, r := range dt.Points {
			if fpDist(p.X, r.X) > 1e-6 {
				continue
			}
			mu := ToMultipliers(nil, p.Eigenvalues.Values, 0.1)
			if d := fptMatchComplex(mu, r.Eigenvalues.Values); d > 1e-10 {
				t.Errorf("multipliers differ from 1 + dt·λ by %g", d)
			}
			if p.UnstableDims != r.UnstableDims {
				t.Errorf("unstable dims %d (flow) vs %d (map)", p.UnstableDims, r.UnstableDims)
			}
		}
	}
}

// fptMatchComplex returns the largest distance in a greedy nearest matching
// of a to b (Inf when the lengths differ).
func fptMatchComplex(a, b []complex128) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	used := make([]bool, len(b))
	worst := 0.0
	for _, v := range a {
		bj, bd := -1, math.Inf(1)
		for j, w := range b {
			if !used[j] && cmplx.Abs(v-w) < bd {
				bj, bd = j, cmplx.Abs(v-w)
			}
		}
		used[bj] = true
		worst = math.Max(worst, bd)
	}
	return worst
}

// TestDeterministicConcurrency checks that 1 and 2 goroutines give
// identical results for both methods (Adam capped at 150 iterations to
// keep the test short; it still finds points after polishing).
func TestDeterministicConcurrency(t *testing.T) {
	j, inits := fptPeerNet(80, 40, 3)
	net := fptCTRNN(t, j)
	for _, m := range []Method{TrustRegion, Adam} {
		var got [2]*FixedPointResult
		for c := 1; c <= 2; c++ {
			res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits},
				&FixedPointSettings{Method: m, Concurrency: c, Batch: 4, MaxIters: 150})
			if err != nil {
				t.Fatal(err)
			}
			res.Runtime = 0
			got[c-1] = res
		}
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("%v: results differ between 1 and 2 goroutines:\n%s\n%s", m, fptSummary(got[0]), fptSummary(got[1]))
		}
		if len(got[0].Points) == 0 {
			t.Errorf("%v: no points", m)
		}
	}
}

// TestCancel checks that a cancelled context returns ctx.Err() promptly.
func TestCancel(t *testing.T) {
	j, inits := fptPeerNet(300, 64, 4)
	net := fptCTRNN(t, j)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FindFixedPoints(ctx, FixedPointProblem{Net: net, Inits: inits}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("pre-cancelled: err = %v, want context.Canceled", err)
	}
	for _, m := range []Method{TrustRegion, Adam} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		start := time.Now()
		_, err := FindFixedPoints(ctx, FixedPointProblem{Net: net, Inits: inits}, &FixedPointSettings{Method: m})
		el := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v: err = %v, want context.DeadlineExceeded", m, err)
		}
		if el > time.Second {
			t.Errorf("%v: returned %v after a 30 ms deadline", m, el)
		}
	}
}

// TestNonFiniteInit checks that NaN and Inf inits are reported, not
// panicked on, and that the other inits still find their points.
func TestNonFiniteInit(t *testing.T) {
	rng := model.NewRNG(5, 0)
	j, m := fptRank1(50, 2, rng)
	net := fptCTRNN(t, j)
	inits := fptRank1Inits(10, m, 0.1, rng)
	inits[3][7] = math.NaN()
	inits[5][0] = math.Inf(1)
	for _, meth := range []Method{TrustRegion, Adam} {
		res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, &FixedPointSettings{Method: meth})
		if err != nil {
			t.Fatal(err)
		}
		if res.NonFinite != 2 || res.Candidates[3].Status != NonFinite || res.Candidates[5].Status != NonFinite ||
			res.Candidates[3].Point != -1 {
			t.Errorf("%v: non-finite inits not reported: %s %+v", meth, fptSummary(res), res.Candidates)
		}
		if len(res.Points) == 0 {
			t.Errorf("%v: no points from the finite inits", meth)
		}
	}
}

// TestProblemErrors checks the errors for malformed problems.
func TestProblemErrors(t *testing.T) {
	net := fptCTRNN(t, mat.NewDense(3, 3, nil))
	cases := []struct {
		name string
		p    FixedPointProblem
	}{
		{"no net", FixedPointProblem{Inits: [][]float64{{0, 0, 0}}}},
		{"no inits", FixedPointProblem{Net: net}},
		{"short init", FixedPointProblem{Net: net, Inits: [][]float64{{0, 0}}}},
		{"bad input", FixedPointProblem{Net: net, Input: []float64{1}, Inits: [][]float64{{0, 0, 0}}}},
	}
	for _, c := range cases {
		if _, err := FindFixedPoints(context.Background(), c.p, nil); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestSlowPointGhost checks a ghost: dx/dt = −x + λ tanh(x) − c just past
// the saddle-node has no fixed point near the knee, so q has a positive
// local minimum there and the finder must report a slow point, not hang.
func TestSlowPointGhost(t *testing.T) {
	// 1-D flow x' = −x + 2 tanh(x) + b. Without b, −x + 2 tanh x has a
	// local minimum −0.5328 at x = −acosh(√2) = −0.8814; with b just above
	// 0.5328 the two negative fixed points have vanished (saddle-node), and
	// only a ghost with q = ½(0.001)² remains, plus the stable point near 2.3.
	b := 0.5328 + 0.001
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(mat.NewDense(1, 1, []float64{2})),
		B: []float64{b}, Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: [][]float64{{-0.9}, {-0.85}, {2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var slow, fixed int
	for _, p := range res.Points {
		switch p.Kind {
		case Slow:
			slow++
			if math.Abs(p.X[0]+0.8814) > 0.01 {
				t.Errorf("ghost at %g, want near −0.881", p.X[0])
			}
		case Stable:
			fixed++
		}
	}
	if slow != 1 || fixed != 1 {
		t.Errorf("want one slow point and one stable point: %s", fptSummary(res))
	}
}

// ExampleFindFixedPoints finds the three fixed points of a rank-1 network
// dx/dt = −x + (2/N) m mᵀ tanh(x): the saddle at the origin and the two
// stable states ±κ*m with κ* = 2 tanh κ* ≈ 1.91501.
func ExampleFindFixedPoints() {
	const n = 40
	rng := model.NewRNG(1, 0)
	j, m := fptRank1(n, 2, rng)
	net, _ := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(j), Tau: 1, DT: 0.1})
	inits := fptRank1Inits(20, m, 0.1, rng)
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(res.Points), "unique points")
	for _, p := range res.Points {
		kappa := fpDot(p.X, m) / n
		if math.Abs(kappa) < 1e-9 {
			kappa = 0
		}
		fmt.Printf("%-6v κ = %+.5f, %d unstable, leading rate %.4f\n",
			p.Kind, kappa, p.UnstableDims, real(p.Eigenvalues.Leading()))
	}
	// Output:
	// 3 unique points
	// stable κ = +1.91501, 0 unstable, leading rate -0.8336
	// saddle κ = +0.00000, 1 unstable, leading rate 1.0000
	// stable κ = -1.91501, 0 unstable, leading rate -0.8336
}
