package inspect

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/internal/repro"
	"attractor/model"
)

// TestEC27Map checks eig((1−a)I + a diag(φ')W) = 1 + a·eig(−I + diag(φ')W)
// to 1e-10, and that ToRates inverts ToMultipliers.
func TestEC27Map(t *testing.T) {
	const n, a = 60, 0.2
	rng := model.NewRNG(27, 0)
	w := mat.NewDense(n, n, nil)
	dphi := make([]float64, n)
	for i := 0; i < n; i++ {
		t := math.Tanh(rng.Norm())
		dphi[i] = 1 - t*t
		for j := 0; j < n; j++ {
			w.Set(i, j, 1.3*rng.Norm()/math.Sqrt(n))
		}
	}
	dt := mat.NewDense(n, n, nil)
	ct := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := dphi[i] * w.At(i, j)
			ct.Set(i, j, v)
			dt.Set(i, j, a*v)
		}
		ct.Set(i, i, ct.At(i, i)-1)
		dt.Set(i, i, dt.At(i, i)+1-a)
	}
	lam, err := Eigenvalues(nil, ct)
	if err != nil {
		t.Fatal(err)
	}
	mu, err := Eigenvalues(nil, dt)
	if err != nil {
		t.Fatal(err)
	}
	if d := fptMatchComplex(ToMultipliers(nil, lam, a), mu); d > 1e-10 {
		t.Errorf("EC-27: multipliers differ from 1 + a·λ by %g", d)
	}
	back := ToRates(nil, mu, a)
	if d := fptMatchComplex(back, lam); d > 1e-9 {
		t.Errorf("ToRates(ToMultipliers) differs by %g", d)
	}
}

// TestClassify checks the kinds and counts for both conventions.
func TestClassify(t *testing.T) {
	cases := []struct {
		vals       []complex128
		conv       Convention
		kind       Kind
		unst, marg int
	}{
		{[]complex128{-1, -0.5 + 2i, -0.5 - 2i}, ContinuousTime, Stable, 0, 0},
		{[]complex128{1, -1, -2}, ContinuousTime, Saddle, 1, 0},
		{[]complex128{1, 0.5, 0.1 + 1i, 0.1 - 1i}, ContinuousTime, Unstable, 4, 0},
		{[]complex128{-1, 0.0005}, ContinuousTime, Marginal, 0, 1},
		{[]complex128{0.5, 0.9i, -0.9i}, DiscreteMap, Stable, 0, 0},
		{[]complex128{1.2, 0.5}, DiscreteMap, Saddle, 1, 0},
		{[]complex128{-1.0002, 0.3}, DiscreteMap, Marginal, 0, 1},
		{[]complex128{2, -3}, DiscreteMap, Unstable, 2, 0},
	}
	for _, c := range cases {
		k, u, m := Spectrum{Values: c.vals, Convention: c.conv}.Classify(1e-3)
		if k != c.kind || u != c.unst || m != c.marg {
			t.Errorf("%v %v: got %v, %d, %d; want %v, %d, %d", c.conv, c.vals, k, u, m, c.kind, c.unst, c.marg)
		}
	}
}

// TestSpectrumHelpers checks sorting, leading value, time constants and String.
func TestSpectrumHelpers(t *testing.T) {
	s := Spectrum{Values: []complex128{-2, -0.5 - 1i, 0.25, -0.5 + 1i}, Convention: ContinuousTime}
	s.Sort()
	want := []complex128{0.25, -0.5 + 1i, -0.5 - 1i, -2}
	for i := range want {
		if s.Values[i] != want[i] {
			t.Fatalf("sorted %v, want %v", s.Values, want)
		}
	}
	if s.Leading() != 0.25 {
		t.Errorf("leading %v", s.Leading())
	}
	tc := s.TimeConstants(nil)
	for i, w := range []float64{4, 2, 2, 0.5} {
		if math.Abs(tc[i]-w) > 1e-15 {
			t.Errorf("time constants %v", tc)
		}
	}
	d := Spectrum{Values: []complex128{0.5, -2}, Convention: DiscreteMap}
	if l := d.Leading(); l != -2 {
		t.Errorf("DT leading %v, want −2", l)
	}
	if tcd := d.TimeConstants(nil); math.Abs(tcd[0]-1/math.Ln2) > 1e-12 {
		t.Errorf("DT time constant %v, want 1/ln 2", tcd[0])
	}
	if !strings.Contains(s.String(), "continuous-time") || !strings.Contains(d.String(), "multiplier") {
		t.Errorf("String: %q / %q", s.String(), d.String())
	}
	if math.Abs(TimeConstant(-0.1+3i)-10) > 1e-12 || !math.IsInf(TimeConstant(2i), 1) {
		t.Error("TimeConstant")
	}
	if _, err := Eigenvalues(nil, mat.NewDense(2, 3, nil)); err == nil {
		t.Error("Eigenvalues of a non-square matrix: no error")
	}
}

// TestAnalyzeOriginDiag checks the origin analysis on a known spectrum.
func TestAnalyzeOriginDiag(t *testing.T) {
	// Eigenvalues 2, 1.5, 0.3, ±0.7i (a rotation block) and −1.2.
	m := mat.NewDense(6, 6, nil)
	m.Set(0, 0, 2)
	m.Set(1, 1, 1.5)
	m.Set(2, 2, 0.3)
	m.Set(3, 4, 0.7)
	m.Set(4, 3, -0.7)
	m.Set(5, 5, -1.2)
	a, err := AnalyzeOrigin(m, 0.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Outliers) != 5 || a.RealOutliersAboveOne != 2 || cmplx.Abs(a.LambdaMax-1) > 1e-12 {
		t.Errorf("outliers %v, real>1 %d, λmax %v", a.Outliers, a.RealOutliersAboveOne, a.LambdaMax)
	}
}

// fptEC29 checks EC-29 at size n: J = gχ + (λ/N) m mᵀ, g = 0.5, λ = 1.5,
// has exactly one eigenvalue outside radius 0.5 + margin, real, at 1.5 ± 0.1.
func fptEC29(t *testing.T, n int, margin float64, rec ...*repro.Record) {
	const g, lambda = 0.5, 1.5
	rng := model.NewRNG(29, 0)
	m := make([]float64, n)
	ss := 0.0
	for i := range m {
		m[i] = rng.Norm()
		ss += m[i] * m[i]
	}
	for i := range m {
		m[i] *= math.Sqrt(float64(n) / ss)
	}
	j := mat.NewDense(n, n, nil)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			j.Set(r, c, g*rng.Norm()/math.Sqrt(float64(n))+lambda/float64(n)*m[r]*m[c])
		}
	}
	a, err := AnalyzeOrigin(j, g, margin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("N = %d: outliers %v, λmax(A₀) = %v, real outliers > 1: %d", n, a.Outliers, a.LambdaMax, a.RealOutliersAboveOne)
	for _, r := range rec {
		r.Measure(fmt.Sprintf("eigenvalues outside radius %g", g+margin), "", "exactly one", "exactly one").Add(float64(len(a.Outliers)), -1)
		for _, o := range a.Outliers {
			r.Measure("outlier, real part", "", "1.5", "1.5 ± 0.1").Add(real(o), -1)
			r.Measure("outlier, imaginary part", "", "0 (real)", "exactly 0").Add(imag(o), -1)
		}
	}
	if len(a.Outliers) != 1 || imag(a.Outliers[0]) != 0 || math.Abs(real(a.Outliers[0])-lambda) > 0.1 {
		t.Errorf("EC-29: outliers %v, want one real at 1.5 ± 0.1", a.Outliers)
	}
	if a.RealOutliersAboveOne != 1 || math.Abs(real(a.LambdaMax)-(real(a.Outliers[0])-1)) > 1e-12 {
		t.Errorf("EC-29: λmax %v, real outliers > 1: %d", a.LambdaMax, a.RealOutliersAboveOne)
	}
}

// TestEC29Outlier runs EC-29 at N = 400 with radius 0.5 + 0.08 (finite-size
// edge); N = 1000 with the spec's 0.05 runs under the science tag.
func TestEC29Outlier(t *testing.T) { fptEC29(t, 400, 0.08) }

// TestEC31Bookkeeping checks merging (2-norm, lower q kept, counts summed)
// and the distance-outlier rule.
func TestEC31Bookkeeping(t *testing.T) {
	pts := []FixedPoint{
		{X: []float64{0, 0}, Q: 1e-10},
		{X: []float64{0.0006, 0.0006}, Q: 1e-14, Count: 2}, // 2-norm 8.5e-4 ≤ 1e-3: merged, lower q kept
		{X: []float64{0.0014, 0.0014}, Q: 1e-12},           // 1.13e-3 from the second: a separate point
		{X: []float64{5, 5}, Q: 1e-13},
	}
	got := MergeUnique(pts, 1e-3)
	if len(got) != 3 {
		t.Fatalf("merged to %d points, want 3: %+v", len(got), got)
	}
	if got[0].Q != 1e-14 || got[0].Count != 3 || got[0].X[0] != 0.0006 {
		t.Errorf("first kept %+v, want the q = 1e-14 point with count 3", got[0])
	}
	// Inits at (±1, 0): centroid 0, mean distance 1.
	inits := [][]float64{{1, 0}, {-1, 0}}
	cand := []FixedPoint{{X: []float64{9.99, 0}}, {X: []float64{10, 0}}, {X: []float64{0, -20}}}
	kept, dropped := ExcludeDistanceOutliers(cand, inits, 10)
	if dropped != 2 || len(kept) != 1 || kept[0].X[0] != 9.99 {
		t.Errorf("kept %+v, dropped %d; want only the point at 9.99", kept, dropped)
	}
}
