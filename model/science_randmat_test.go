//go:build science

package model

import (
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"attractor/internal/repro"
)

// Random-matrix and chaos checks EC-01…EC-04 of the science spec (§8 A).
// They need N = 1000 eigendecompositions and long simulations, so they run
// only with -tags science.

// randmatEigenvalues returns the eigenvalues of m (values only).
func randmatEigenvalues(t *testing.T, m mat.Matrix) []complex128 {
	t.Helper()
	var eig mat.Eigen
	if !eig.Factorize(m, mat.EigenNone) {
		t.Fatal("Eigen.Factorize failed")
	}
	return eig.Values(nil)
}

// randmatDisk summarises a spectrum against the circular law of radius g.
type randmatDisk struct {
	inDisk, inHalf, maxAbs, meanSq float64
}

func randmatSummarise(ev []complex128, g float64) randmatDisk {
	var s randmatDisk
	for _, l := range ev {
		a := cmplx.Abs(l)
		if a <= g {
			s.inDisk++
		}
		if a <= g/2 {
			s.inHalf++
		}
		s.maxAbs = max(s.maxAbs, a)
		s.meanSq += a * a
	}
	n := float64(len(ev))
	s.inDisk /= n
	s.inHalf /= n
	s.meanSq /= n
	return s
}

// randmatCheckCircularLaw asserts the EC-01/EC-02 tolerances.
func randmatCheckCircularLaw(t *testing.T, id string, ev []complex128, g float64, seed int64, setup string) {
	t.Helper()
	s := randmatSummarise(ev, g)
	rec := repro.New(t, id, "model", setup)
	rec.Measure("fraction |λ| ≤ g", "", "≥ 0.97 ([OURS] 0.987)", "≥ 0.97").Add(s.inDisk, seed)
	rec.Measure("max |λ|", "", "∈ [1.45, 1.60]", "∈ [1.45, 1.60]").Add(s.maxAbs, seed)
	rec.Measure("fraction |λ| ≤ g/2", "", "0.25", "± 0.03").Add(s.inHalf, seed)
	rec.Measure("mean |λ|²", "", "g²/2 = 1.125", "± 5 %").Add(s.meanSq, seed)
	t.Logf("%s: fraction |λ| ≤ g = %.4f, max|λ| = %.4f, fraction |λ| ≤ g/2 = %.4f, mean|λ|² = %.4f (theory 1, ≈g, 0.25, %.4f)",
		id, s.inDisk, s.maxAbs, s.inHalf, s.meanSq, g*g/2)
	if s.inDisk < 0.97 {
		t.Errorf("%s: fraction |λ| ≤ g = %.4f, want ≥ 0.97", id, s.inDisk)
	}
	if s.maxAbs < 1.45 || s.maxAbs > 1.60 {
		t.Errorf("%s: max|λ| = %.4f, want in [1.45, 1.60]", id, s.maxAbs)
	}
	if math.Abs(s.inHalf-0.25) > 0.03 {
		t.Errorf("%s: fraction |λ| ≤ g/2 = %.4f, want 0.25 ± 0.03", id, s.inHalf)
	}
	if math.Abs(s.meanSq/(g*g/2)-1) > 0.05 {
		t.Errorf("%s: mean|λ|² = %.4f, want %.4f ± 5 %%", id, s.meanSq, g*g/2)
	}
}

// TestEC01CircularLawDense: J_ij ~ N(0, g²/N), N = 1000, g = 1.5.
func TestEC01CircularLawDense(t *testing.T) {
	const n, g = 1000, 1.5
	j := DenseGaussian(n, g, NewRNG(1, 0))
	randmatCheckCircularLaw(t, "EC-01", randmatEigenvalues(t, j), g, 1, "dense J, N = 1000, g = 1.5")
}

// TestEC02CircularLawSparse: density p = 0.1, nonzeros N(0, g²/(pN)).
func TestEC02CircularLawSparse(t *testing.T) {
	const n, p, g = 1000, 0.1, 1.5
	j := SparseGaussian(n, p, g, NewRNG(2, 0))
	randmatCheckCircularLaw(t, "EC-02", randmatEigenvalues(t, j), g, 2, "sparse J, N = 1000, p = 0.1, g = 1.5")
}

// TestEC03SubCritical: g = 0.8 dense, N = 1000: max|λ(J)| = 0.8 ± 0.05 and
// the Jacobian at the origin of a CTRNN, −I + gJ (τ = 1), has
// max Re λ ≈ −0.2 < 0.
func TestEC03SubCritical(t *testing.T) {
	const n, g = 1000, 0.8
	rng := NewRNG(3, 0)
	j := DenseGaussian(n, 1, rng) // unit variance; the gain is the field G
	net, err := NewCTRNN(CTRNNParams{G: g, J: NewDenseRecurrent(j), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	var gj mat.Dense
	gj.Scale(g, j)
	s := randmatSummarise(randmatEigenvalues(t, &gj), g)
	jac := mat.NewDense(n, n, nil)
	net.VelocityJacobian(jac, make([]float64, n), nil)
	maxRe := math.Inf(-1)
	for _, l := range randmatEigenvalues(t, jac) {
		maxRe = max(maxRe, real(l))
	}
	rec := repro.New(t, "EC-03", "model", "dense J, N = 1000, g = 0.8")
	rec.Measure("max |λ(gJ)|", "", "≈ 0.8 ([OURS] 0.819)", "0.8 ± 0.05").Add(s.maxAbs, 3)
	rec.Measure("max Re λ(−I + gJ)", "1/τ", "≈ −0.2", "−0.2 ± 0.05").Add(maxRe, 3)
	t.Logf("EC-03: max|λ(gJ)| = %.4f (want 0.8 ± 0.05), max Re λ(−I + gJ) = %.4f (want ≈ −0.2)", s.maxAbs, maxRe)
	if math.Abs(s.maxAbs-g) > 0.05 {
		t.Errorf("EC-03: max|λ| = %.4f, want 0.8 ± 0.05", s.maxAbs)
	}
	if maxRe >= 0 || math.Abs(maxRe+0.2) > 0.05 {
		t.Errorf("EC-03: max Re λ of the origin Jacobian = %.4f, want −0.2 ± 0.05 (< 0)", maxRe)
	}
}

// TestEC04Chaos: g = 1.5, N = 1000: RMS(x) > 0.5 throughout t ∈ [100, 1000]
// and the largest Lyapunov exponent (Benettin: d₀ = 1e−7, renormalise every
// 10 time units, 100 blocks after a 100-unit transient) is positive.
func TestEC04Chaos(t *testing.T) {
	const n, g = 1000, 1.5
	const d0, block, blocks, transient = 1e-7, 10.0, 100, 100.0
	net, x := randmatNet(t, n, g, 5)
	tmp := make([]float64, n)
	stepsPerBlock := int(math.Round(block / net.DT))
	randmatRun(net, x, tmp, int(math.Round(transient/net.DT)))

	// Perturbed copy at distance d0 in a random direction.
	y := NormalVector(n, 1, NewRNG(6, 0))
	floats.Scale(d0/floats.Norm(y, 2), y)
	floats.Add(y, x)
	minRMS := math.Inf(1)
	var sumLog float64
	diff := make([]float64, n)
	for b := 0; b < blocks; b++ {
		for k := 0; k < stepsPerBlock; k++ {
			net.Step(tmp, x, nil)
			copy(x, tmp)
			net.Step(tmp, y, nil)
			copy(y, tmp)
			if tNow := transient + float64(b*stepsPerBlock+k+1)*net.DT; tNow <= 1000+1e-9 {
				minRMS = min(minRMS, floats.Norm(x, 2)/math.Sqrt(n))
			}
		}
		floats.SubTo(diff, y, x)
		d := floats.Norm(diff, 2)
		sumLog += math.Log(d / d0)
		floats.AddScaledTo(y, x, d0/d, diff)
	}
	lyap := sumLog / (blocks * block)
	t.Logf("EC-04 g = 1.5, N = 1000: min RMS(x) on [100, 1000] = %.4f (want > 0.5), largest Lyapunov exponent = %.4f per τ (want > 0; spec [OURS] 0.021–0.035)",
		minRMS, lyap)
	rec := repro.New(t, "EC-04", "model", "g = 1.5, N = 1000, dt = 0.1, Benettin d₀ = 1e-7, 100 blocks of 10 τ after 100 τ")
	rec.Measure("min RMS(x) on t ∈ [100, 1000]", "", "> 0.5 ([OURS] 0.76–0.77)", "> 0.5").Add(minRMS, 5)
	rec.Measure("largest Lyapunov exponent", "1/τ", "> 0 ([OURS] 0.021–0.035)", "> 0").Add(lyap, 5)
	if !(minRMS > 0.5) {
		t.Errorf("EC-04: min RMS(x) = %.4f, want > 0.5", minRMS)
	}
	if !(lyap > 0) {
		t.Errorf("EC-04: largest Lyapunov exponent %.4f, want > 0", lyap)
	}
}
