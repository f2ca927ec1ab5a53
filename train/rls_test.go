package train

import (
	"math"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// TestRLSAlgebra pins EC-10: for N = 20, after K updates P equals
// (Σ_k r_k r_kᵀ + α I)⁻¹ to 1e-8; e₊ = e₋ (1 − rᵀ P_new r) to 1e-10
// relative; 0 < rᵀ P r < 1; and with w(0) = 0 the first update gives
// e₊ = −α f/(α + rᵀ r).
func TestRLSAlgebra(t *testing.T) {
	const n, alpha = 20, 1.0
	rng := model.NewRNG(42, 0)
	s := NewRLS(n, alpha)
	w := make([]float64, n)
	gram := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		gram.SetSym(i, i, alpha)
	}
	r := make([]float64, n)
	for step := 0; step < 200; step++ {
		for i := range r {
			r[i] = math.Tanh(1.5 * rng.Norm())
		}
		f := math.Sin(0.1 * float64(step))
		eMinus := dot(w, r) - f
		k, c := s.Update(r)
		for i := range w {
			w[i] -= c * eMinus * k[i]
		}
		ePlus := dot(w, r) - f
		pr := mat.NewVecDense(n, nil)
		pr.MulVec(s.P(), mat.NewVecDense(n, r))
		rPr := mat.Dot(pr, mat.NewVecDense(n, r))
		if !(rPr > 0 && rPr < 1) {
			t.Fatalf("step %d: rᵀ P r = %v, want in (0, 1)", step, rPr)
		}
		if want := eMinus * (1 - rPr); math.Abs(ePlus-want) > 1e-10*math.Max(math.Abs(want), 1e-300) && math.Abs(ePlus-want) > 1e-14 {
			t.Fatalf("step %d: e₊ = %v, want e₋(1 − rᵀPr) = %v", step, ePlus, want)
		}
		if step == 0 {
			if want := -alpha * f / (alpha + dot(r, r)); math.Abs(ePlus-want) > 1e-12 {
				t.Fatalf("first update: e₊ = %v, want −αf/(α + rᵀr) = %v", ePlus, want)
			}
		}
		gram.SymRankOne(gram, 1, mat.NewVecDense(n, r))
	}
	var inv mat.Dense
	if err := inv.Inverse(gram); err != nil {
		t.Fatal(err)
	}
	var diff mat.Dense
	diff.Sub(s.P(), &inv)
	if d := mat.Norm(&diff, math.Inf(1)); d > 1e-8 {
		t.Errorf("P differs from (Σ r rᵀ + αI)⁻¹ by %v (max abs)", d)
	}
}

// TestRLSTriangleRoundTrip checks that a restored state continues exactly.
func TestRLSTriangleRoundTrip(t *testing.T) {
	rng := model.NewRNG(1, 0)
	a, b := NewRLS(7, 2), NewRLS(7, 2)
	r := make([]float64, 7)
	draw := func() {
		for i := range r {
			r[i] = rng.Norm()
		}
	}
	for i := 0; i < 5; i++ {
		draw()
		a.Update(r)
	}
	if err := b.SetTriangle(a.Triangle()); err != nil {
		t.Fatal(err)
	}
	draw()
	ka, ca := a.Update(r)
	kb, cb := b.Update(r)
	if ca != cb {
		t.Fatalf("c %v vs %v", ca, cb)
	}
	for i := range ka {
		if ka[i] != kb[i] {
			t.Fatalf("k differs at %d", i)
		}
	}
	if err := b.SetTriangle(make([]float64, 3)); err == nil {
		t.Error("short triangle accepted")
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func BenchmarkRLSUpdate(b *testing.B) {
	for _, n := range []int{300, 1000} {
		b.Run("N="+itoa(n), func(b *testing.B) {
			rng := model.NewRNG(1, 0)
			s := NewRLS(n, 1)
			r := make([]float64, n)
			for i := range r {
				r[i] = math.Tanh(rng.Norm())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Update(r)
			}
		})
	}
}

func itoa(n int) string {
	return strconv.Itoa(n)
}
