package inspect

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"attractor/internal/cputime"
	"attractor/model"
)

// specLeadingFromFull returns the first k values of the full spectrum of
// m, sorted by growth under conv (the reference for LeadingEigenvalues).
func specLeadingFromFull(t testing.TB, m mat.Matrix, k int, conv Convention) []complex128 {
	t.Helper()
	var e mat.Eigen
	if !e.Factorize(m, mat.EigenNone) {
		t.Fatal("mat.Eigen failed")
	}
	all := e.Values(nil)
	Spectrum{Values: all, Convention: conv}.Sort()
	return all[:k]
}

// TestEigenvaluesMatchesMatEigen checks the direct path (Dgebal, Dgehrd,
// the multishift QR of hessqr.go with LAPACK's parameters) against
// mat.Eigen (gonum's Dhseqr) on random nonsymmetric matrices, with a
// rank-one outlier at the larger sizes: N = 700 chases 64 shifts with
// accumulated reflectors (kacc22 = 2) where gonum chases 4, N = 120 takes
// 10 shifts. Sorted in the same order the two spectra must agree to
// rounding amplified by the eigenvalues' conditioning (√N for a Gaussian
// matrix); 1e-10 is about 10⁴ ulp.
func TestEigenvaluesMatchesMatEigen(t *testing.T) {
	rng := model.NewRNG(11, 0)
	for _, n := range []int{120, 300, 700} {
		a := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				a.Set(i, j, rng.Norm()/math.Sqrt(float64(n)))
			}
		}
		if n > 120 {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					a.Set(i, j, a.At(i, j)+1.8/float64(n))
				}
			}
		}
		got, err := Eigenvalues(nil, a)
		if err != nil {
			t.Fatal(err)
		}
		want := specLeadingFromFull(t, a, n, ContinuousTime)
		tol := 1e-12
		if n > 120 {
			tol = 1e-10
		}
		if d := fptMatchComplex(got, want); d > tol {
			t.Errorf("N = %d: eigenvalues differ from mat.Eigen by %g", n, d)
		}
	}
	if _, err := Eigenvalues(nil, mat.NewDense(2, 2, []float64{1, math.NaN(), 0, 1})); err == nil {
		t.Error("NaN matrix: no error")
	}
}

// TestLeadingEigenvalues checks the Arnoldi values against the leading
// values of the full spectrum: at the fixed points of the peer's network
// (N = 300; rates of ∂F/∂x and multipliers of ∂f/∂x), and on a random
// Gaussian matrix, whose rightmost values are crowded at the edge of the
// circular-law disk (the hard case; a fallback to the full spectrum is
// allowed there, the values must agree either way).
func TestLeadingEigenvalues(t *testing.T) {
	j, inits := fptPeerNet(300, 64, 1)
	net := fptCTRNN(t, j)
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, &FixedPointSettings{NoSpectra: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) < 3 {
		t.Fatalf("only %d points", len(res.Points))
	}
	jac := mat.NewDense(300, 300, nil)
	for _, p := range res.Points {
		for _, c := range []Convention{ContinuousTime, DiscreteMap} {
			if c == ContinuousTime {
				net.VelocityJacobian(jac, p.X, nil)
			} else {
				net.Jacobian(jac, p.X, nil)
			}
			const k = 8
			start := time.Now()
			got, err := LeadingEigenvalues(nil, jac, k, c)
			el := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			want := specLeadingFromFull(t, jac, k, c)
			if d := fptMatchComplex(got, want); d > 1e-8 {
				t.Errorf("|x| = %.3f, %v: leading values differ by %g:\n got %v\nwant %v", fpNorm(p.X), c, d, got, want)
			}
			t.Logf("|x| = %.3f, %v: leading %.6g in %v", fpNorm(p.X), c, got[0], el)
		}
	}
	rng := model.NewRNG(12, 0)
	const n = 400
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a.Set(i, j, rng.Norm()/math.Sqrt(n))
		}
	}
	for _, k := range []int{1, 5, 150} {
		got, err := LeadingEigenvalues(nil, a, k, ContinuousTime)
		if err != nil {
			t.Fatal(err)
		}
		want := specLeadingFromFull(t, a, k, ContinuousTime)
		// Values at the cut may differ by the conjugate partner.
		if d := fptMatchComplex(got[:k-1], want[:k-1]); k > 1 && d > 1e-8 || len(got) != k || math.Abs(real(got[k-1])-real(want[k-1])) > 1e-8 {
			t.Errorf("random matrix, k = %d: leading values differ:\n got %v\nwant %v", k, got, want)
		}
	}
	if _, err := LeadingEigenvalues(nil, mat.NewDense(2, 3, nil), 1, ContinuousTime); err == nil {
		t.Error("non-square: no error")
	}
}

// BenchmarkEigenvalues times the eigenvalues of a 1000×1000 nonsymmetric
// matrix (the Jacobian at the origin of the peer's network, −I + J) by
// mat.Eigen, by the direct values-only path, by Arnoldi for the 4
// rightmost (two outliers and two at the crowded bulk edge, the slow case)
// and by GrowingEigenvalues with floor −0.01 (what FindFixedPoints uses
// with GrowingOnly). Compare with numpy.linalg.eigvals (BENCHMARKS.md).
func BenchmarkEigenvalues(b *testing.B) {
	for _, n := range []int{300, 1000} {
		j, _, _ := fptPeerFile(b, n, 256)
		net := fptCTRNN(b, j)
		jac := mat.NewDense(n, n, nil)
		net.VelocityJacobian(jac, make([]float64, n), nil)
		b.Run(fmt.Sprintf("N=%d/mat.Eigen", n), func(b *testing.B) {
			cpu0 := cputime.Process()
			for i := 0; i < b.N; i++ {
				var e mat.Eigen
				if !e.Factorize(jac, mat.EigenNone) {
					b.Fatal("failed")
				}
			}
			b.ReportMetric((cputime.Process()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
		b.Run(fmt.Sprintf("N=%d/hessenberg-qr", n), func(b *testing.B) {
			cpu0 := cputime.Process()
			for i := 0; i < b.N; i++ {
				if _, err := Eigenvalues(nil, jac); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cputime.Process()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
		b.Run(fmt.Sprintf("N=%d/arnoldi-4", n), func(b *testing.B) {
			var v []complex128
			for i := 0; i < b.N; i++ {
				var err error
				if v, err = LeadingEigenvalues(v, jac, 4, ContinuousTime); err != nil {
					b.Fatal(err)
				}
			}
			if cmplx.Abs(v[0]) == 0 {
				b.Fatal("zero")
			}
		})
		b.Run(fmt.Sprintf("N=%d/growing", n), func(b *testing.B) {
			var v []complex128
			for i := 0; i < b.N; i++ {
				var err error
				if v, err = GrowingEigenvalues(v, jac, ContinuousTime, -0.01); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(v)), "values")
		})
	}
}
