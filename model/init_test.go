package model

import (
	"encoding/json"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSparseGaussianRowVariance is EC-05: for N = 1000, p = 0.1 the mean
// over rows of Σ_j J_ij² is g² within 3 %, and the density is p.
func TestSparseGaussianRowVariance(t *testing.T) {
	const n, p = 1000, 0.1
	for _, g := range []float64{1, 1.5} {
		j := SparseGaussian(n, p, g, NewRNG(3, 0))
		var ss float64
		j.DoNonZero(func(_, _ int, v float64) { ss += v * v })
		mean := ss / n
		t.Logf("EC-05 g = %v: mean_i Σ_j J_ij² = %.4f (g² = %.4f), density %.4f", g, mean, g*g, j.Density())
		if math.Abs(mean/(g*g)-1) > 0.03 {
			t.Errorf("EC-05 g = %v: mean row sum of squares %.4f, want %.4f ± 3%%", g, mean, g*g)
		}
		// Binomial(10⁶, 0.1): standard deviation of the density 3e-4.
		if math.Abs(j.Density()-p) > 0.002 {
			t.Errorf("density %.4f, want %v", j.Density(), p)
		}
	}
}

// TestDenseGaussianMoments checks mean 0 and variance g²/N of the entries.
func TestDenseGaussianMoments(t *testing.T) {
	const n, g = 400, 1.5
	m := DenseGaussian(n, g, NewRNG(8, 0))
	var s, ss float64
	for _, v := range m.RawMatrix().Data {
		s += v
		ss += v * v
	}
	k := float64(n * n)
	mean, variance := s/k, ss/k
	// 160000 samples of std g/√N: standard error of the mean (g/√N)/400 ≈ 1.9e-4,
	// relative standard error of the variance √(2/160000) ≈ 0.35 %.
	if math.Abs(mean) > 5*g/math.Sqrt(float64(n))/math.Sqrt(k) {
		t.Errorf("mean %.3g, want 0", mean)
	}
	if math.Abs(variance*n/(g*g)-1) > 0.02 {
		t.Errorf("variance·N/g² = %.4f, want 1", variance*n/(g*g))
	}
}

// TestInitDeterministic checks that every initialiser gives identical
// values for the same seed and different values for another seed.
func TestInitDeterministic(t *testing.T) {
	type gen func(seed uint64) []float64
	flat := func(m mat.Matrix) []float64 { return mat.DenseCopyOf(m).RawMatrix().Data }
	for name, f := range map[string]gen{
		"DenseGaussian":   func(s uint64) []float64 { return flat(DenseGaussian(30, 1.5, NewRNG(s, 0))) },
		"SparseGaussian":  func(s uint64) []float64 { return flat(SparseGaussian(30, 0.1, 1.5, NewRNG(s, 0))) },
		"XavierUniform":   func(s uint64) []float64 { return flat(XavierUniform(20, 30, true, NewRNG(s, 0))) },
		"TorchLinearBias": func(s uint64) []float64 { return TorchLinearBias(30, 100, NewRNG(s, 0)) },
		"Orthogonal":      func(s uint64) []float64 { return flat(Orthogonal(10, NewRNG(s, 0))) },
		"NormalVector":    func(s uint64) []float64 { return NormalVector(30, 0.1, NewRNG(s, 0)) },
		"RandomGhazizadeh": func(s uint64) []float64 {
			net, err := RandomGhazizadeh(30, 0.2, 1.5, 5, NewRNG(s, 0))
			if err != nil {
				t.Fatal(err)
			}
			return append(append(append(flat(net.J), flat(net.WF)...), flat(net.WFD)...), flat(net.WIn)...)
		},
		"RandomSussilloAbbott": func(s uint64) []float64 {
			net, err := RandomSussilloAbbott(30, 0.1, 1.5, NewRNG(s, 0))
			if err != nil {
				t.Fatal(err)
			}
			return append(flat(net.J), flat(net.WF)...)
		},
	} {
		a, b, c := f(42), f(42), f(43)
		if !floatsEqual(a, b) {
			t.Errorf("%s: same seed gave different values", name)
		}
		if floatsEqual(a, c) {
			t.Errorf("%s: different seeds gave the same values", name)
		}
	}
}

// TestXavierAndBias checks the bounds, the zero diagonal and the variance
// a²/3 of the uniform initialisers (spec §1.2: a = 0.1732 for 100×100).
func TestXavierAndBias(t *testing.T) {
	w := XavierUniform(100, 100, true, NewRNG(1, 0))
	a := math.Sqrt(6.0 / 200)
	if math.Abs(a-0.1732) > 1e-4 {
		t.Fatalf("a = %v", a)
	}
	var ss float64
	for i := 0; i < 100; i++ {
		for j := 0; j < 100; j++ {
			v := w.At(i, j)
			if i == j && v != 0 {
				t.Fatalf("diagonal (%d,%d) = %v, want 0", i, j, v)
			}
			if math.Abs(v) >= a {
				t.Fatalf("|W(%d,%d)| = %v ≥ %v", i, j, v, a)
			}
			ss += v * v
		}
	}
	// Var = a²/3 = 0.01 over 9900 off-diagonal entries (±2.5 % at 3σ).
	if v := ss / 9900; math.Abs(v/0.01-1) > 0.04 {
		t.Errorf("Xavier variance %.5f, want 0.01", v)
	}
	b := TorchLinearBias(1000, 16, NewRNG(2, 0))
	lo, hi := 0.0, 0.0
	for _, v := range b {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo < -0.25 || hi >= 0.25 || lo > -0.24 || hi < 0.24 {
		t.Errorf("bias range [%v, %v], want within and filling [−0.25, 0.25)", lo, hi)
	}
}

// TestOrthogonal checks QᵀQ = I.
func TestOrthogonal(t *testing.T) {
	q := Orthogonal(25, NewRNG(5, 0))
	var p mat.Dense
	p.Mul(q.T(), q)
	for i := 0; i < 25; i++ {
		for j := 0; j < 25; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(p.At(i, j)-want) > 1e-12 {
				t.Fatalf("QᵀQ(%d,%d) = %v", i, j, p.At(i, j))
			}
		}
	}
}

// TestRandomNetworks checks the shapes and parameter distributions of the
// two canonical networks (spec §3.1 and §7.1).
func TestRandomNetworks(t *testing.T) {
	const n = 500
	gz, err := RandomGhazizadeh(n, 0.1, 1.5, 5, NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if d := gz.Dims(); d != (Dims{State: n, Input: 2, Output: 3}) {
		t.Errorf("Ghazizadeh Dims = %+v", d)
	}
	if gz.G != 1.5 || gz.Tau != 1 || gz.DT != 0.1 || gz.B != nil {
		t.Errorf("Ghazizadeh G, τ, dt, b = %v %v %v %v", gz.G, gz.Tau, gz.DT, gz.B)
	}
	if mat.Norm(gz.WO, 1) != 0 || mat.Norm(gz.WD, 1) != 0 {
		t.Error("Ghazizadeh W_o, W_d not zero")
	}
	if _, ok := gz.J.(*CSR); !ok {
		t.Errorf("p = 0.1: J stored as %T, want *CSR", gz.J)
	}
	std := func(m *mat.Dense) float64 {
		var ss float64
		raw := m.RawMatrix()
		for _, v := range raw.Data {
			ss += v * v
		}
		return math.Sqrt(ss / float64(len(raw.Data)))
	}
	for _, c := range []struct {
		name      string
		m         *mat.Dense
		want, tol float64
	}{
		{"W_f", gz.WF, 0.2, 0.1}, // 500 samples: ±3σ ≈ 9.5 %
		{"W_fd", gz.WFD, 0.2, 0.07},
		{"W_in", gz.WIn, 0.02, 0.07},
	} {
		if s := std(c.m); math.Abs(s/c.want-1) > c.tol {
			t.Errorf("Ghazizadeh %s std %.4f, want %v", c.name, s, c.want)
		}
	}
	// Unit-variance J rows: mean Σ_j J_ij² = 1 (g enters through G).
	var ss float64
	gz.J.DoNonZero(func(_, _ int, v float64) { ss += v * v })
	if m := ss / n; math.Abs(m-1) > 0.05 {
		t.Errorf("Ghazizadeh mean row Σ J² = %v, want 1", m)
	}
	dense, err := RandomGhazizadeh(50, 0.6, 1.2, 20, NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dense.J.(*DenseRecurrent); !ok {
		t.Errorf("p = 0.6: J stored as %T, want *DenseRecurrent", dense.J)
	}

	sa, err := RandomSussilloAbbott(n, 0.1, 1.5, NewRNG(2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if d := sa.Dims(); d != (Dims{State: n, Input: 0, Output: 1}) {
		t.Errorf("Sussillo–Abbott Dims = %+v", d)
	}
	if sa.WFD != nil || sa.WD != nil || sa.WIn != nil || mat.Norm(sa.WO, 1) != 0 {
		t.Error("Sussillo–Abbott: want only W_f feedback and zero w")
	}
	lo, hi := 0.0, 0.0
	for i := 0; i < n; i++ {
		lo, hi = min(lo, sa.WF.At(i, 0)), max(hi, sa.WF.At(i, 0))
	}
	if lo < -1 || hi >= 1 || lo > -0.95 || hi < 0.95 {
		t.Errorf("J^Gz range [%v, %v], want U(−1, 1)", lo, hi)
	}

	for name, f := range map[string]func() error{
		"n = 0":    func() error { _, err := RandomGhazizadeh(0, 0.1, 1, 1, NewRNG(1, 0)); return err },
		"p = 0":    func() error { _, err := RandomSussilloAbbott(10, 0, 1, NewRNG(1, 0)); return err },
		"p > 1":    func() error { _, err := RandomGhazizadeh(10, 1.5, 1, 1, NewRNG(1, 0)); return err },
		"fb = 0":   func() error { _, err := RandomGhazizadeh(10, 0.5, 1, 0, NewRNG(1, 0)); return err },
		"g = NaN":  func() error { _, err := RandomSussilloAbbott(10, 0.5, math.NaN(), NewRNG(1, 0)); return err },
		"fb = NaN": func() error { _, err := RandomGhazizadeh(10, 0.5, 1, math.NaN(), NewRNG(1, 0)); return err },
	} {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// eigFixture is testdata/eig_random_300.json: a 300×300 Gaussian matrix
// and its eigenvalues from LAPACK (scipy.linalg.eigvals), sorted by real
// then imaginary part.
type eigFixture struct {
	G      float64   `json:"g"`
	N      int       `json:"n"`
	Matrix fixArray  `json:"matrix"`
	Re     []float64 `json:"eigenvalues_real"`
	Im     []float64 `json:"eigenvalues_imag"`
}

// ctrnnSortEig sorts eigenvalues by real part, then imaginary part, treating
// real parts within tol as equal (the two members of a conjugate pair have
// equal real parts only up to rounding).
func ctrnnSortEig(v []complex128, tol float64) {
	sort.Slice(v, func(a, b int) bool {
		ra, rb := real(v[a]), real(v[b])
		if math.Abs(ra-rb) > tol {
			return ra < rb
		}
		return imag(v[a]) < imag(v[b])
	})
}

// TestEigFixture checks that gonum's nonsymmetric eigensolver reproduces
// LAPACK's eigenvalues of the fixture matrix to 1e-8.
func TestEigFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "eig_random_300.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f eigFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	n := f.N
	if len(f.Matrix.Data) != n*n || len(f.Re) != n || len(f.Im) != n {
		t.Fatalf("fixture sizes: matrix %d, eigenvalues %d/%d, n = %d", len(f.Matrix.Data), len(f.Re), len(f.Im), n)
	}
	var eig mat.Eigen
	if !eig.Factorize(mat.NewDense(n, n, f.Matrix.Data), mat.EigenNone) {
		t.Fatal("Eigen.Factorize failed")
	}
	got := eig.Values(nil)
	want := make([]complex128, n)
	for i := range want {
		want[i] = complex(f.Re[i], f.Im[i])
	}
	const tieTol = 1e-9
	ctrnnSortEig(got, tieTol)
	ctrnnSortEig(want, tieTol)
	var maxErr, maxAbs float64
	for i := range got {
		maxErr = max(maxErr, cmplx.Abs(got[i]-want[i]))
		maxAbs = max(maxAbs, cmplx.Abs(want[i]))
	}
	t.Logf("max |λ_gonum − λ_LAPACK| = %.3g over %d eigenvalues (spectral radius %.4f, g = %v)", maxErr, n, maxAbs, f.G)
	if maxErr > 1e-8 {
		t.Errorf("max eigenvalue error %.3g, want ≤ 1e-8", maxErr)
	}
}
