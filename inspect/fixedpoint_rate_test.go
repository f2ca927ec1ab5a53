package inspect

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// rateTestNet is a Ghazizadeh-style CTRNN: sparse random J at gain g,
// one output and two latent readouts fed back, τ = 1, dt = 0.1.
func rateTestNet(t testing.TB, n int, g float64) *model.CTRNN {
	t.Helper()
	rng := model.NewRNG(21, 0)
	dense := func(r, c int, s float64) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				m.Set(i, j, s*rng.Norm())
			}
		}
		return m
	}
	net, err := model.NewCTRNN(model.CTRNNParams{G: g, J: model.SparseGaussian(n, 0.2, 1, rng),
		WO: dense(n, 1, 1/math.Sqrt(float64(n))), WF: dense(n, 1, 1),
		WD: dense(n, 2, 1/math.Sqrt(float64(n))), WFD: dense(n, 2, 1), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestRateNormalMatchesSyrk checks the normal equations formed from WᵀW
// against the product JᵀJ of the dense velocity Jacobian: the same
// matrix up to the rounding of sums of N products of entries of size
// |W|², so within 1e-12 of its largest entry.
func TestRateNormalMatchesSyrk(t *testing.T) {
	const n = 70
	net := rateTestNet(t, n, 1.5)
	rng := model.NewRNG(4, 0)
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Norm()
	}
	jac := mat.NewDense(n, n, nil)
	net.VelocityJacobian(jac, x, nil)
	want := make([]float64, n*n)
	blas64.Syrk(blas.Trans, 1, jac.RawMatrix(), 0, blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: want})
	got := make([]float64, n*n)
	r := &fpRate{shared: &fpRateShared{}, d: make([]float64, n)}
	r.normal(got, net, x, nil)
	big := 0.0
	for _, v := range want {
		big = math.Max(big, math.Abs(v))
	}
	for i := range n {
		for j := i; j < n; j++ {
			if d := math.Abs(got[i*n+j] - want[i*n+j]); d > 1e-12*big {
				t.Fatalf("(%d, %d): from WᵀW %v, JᵀJ %v (largest entry %v)", i, j, got[i*n+j], want[i*n+j], big)
			}
		}
	}
}

// TestRateNormalSearchMatches compares the TrustRegion search with the
// normal equations formed from WᵀW against the dense product (the path
// before issue 18, DenseNormal) on a network where most candidates stall
// and take Levenberg–Marquardt steps: the same points (states within
// TolUnique), kinds and counts, and the same status and point for every
// candidate.
func TestRateNormalSearchMatches(t *testing.T) {
	const n = 60
	net := rateTestNet(t, n, 1.3)
	rng := model.NewRNG(9, 0)
	inits := make([][]float64, 48)
	for i := range inits {
		inits[i] = make([]float64, n)
		for j := range inits[i] {
			inits[i][j] = 1.5 * rng.Norm()
		}
	}
	var res [2]*FixedPointResult
	for k, dense := range []bool{false, true} {
		s := DefaultFixedPointSettings()
		s.DenseNormal = dense
		r, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, s)
		if err != nil {
			t.Fatal(err)
		}
		res[k] = r
	}
	fast, old := res[0], res[1]
	// The two paths round differently, so a candidate whose q differs in
	// its bits took Levenberg–Marquardt steps: the test needs some.
	differ := 0
	for i := range fast.Candidates {
		if fast.Candidates[i].Q != old.Candidates[i].Q {
			differ++
		}
	}
	if differ == 0 {
		t.Fatalf("no candidate's q differs between the paths: no Levenberg–Marquardt step was compared (%d converged, %d captured, %d not converged)", old.Converged, old.Captured, old.NotConverged)
	}
	if len(fast.Points) != len(old.Points) {
		t.Fatalf("%d points, %d with the dense normal equations", len(fast.Points), len(old.Points))
	}
	for i := range fast.Points {
		p, q := fast.Points[i], old.Points[i]
		if p.Kind != q.Kind || p.Count != q.Count || fpDist(p.X, q.X) >= DefaultFixedPointSettings().TolUnique {
			t.Errorf("point %d: %v ×%d; dense %v ×%d, ‖Δx‖ %.3g", i, p.Kind, p.Count, q.Kind, q.Count, fpDist(p.X, q.X))
		}
	}
	for i := range fast.Candidates {
		if fast.Candidates[i].Status != old.Candidates[i].Status || fast.Candidates[i].Point != old.Candidates[i].Point {
			t.Errorf("candidate %d: %v at %d; dense %v at %d", i, fast.Candidates[i].Status, fast.Candidates[i].Point, old.Candidates[i].Status, old.Candidates[i].Point)
		}
	}
	t.Logf("%d points; %d converged, %d captured, %d slow, %d not converged; %d candidates' q differ in their bits", len(fast.Points), fast.Converged, fast.Captured, fast.Slow, fast.NotConverged, differ)
}
