package train

import (
	"math"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/internal/cputime"
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

// BenchmarkRLSUpdate times one RLS update (the pass over P's triangle)
// with the AVX-512 row kernel and with the Go loop, and reports updates per
// CPU second and the triangle's bytes read and written per CPU second.
func BenchmarkRLSUpdate(b *testing.B) {
	for _, n := range []int{300, 1000} {
		for _, kern := range []string{"avx512", "go"} {
			if kern == "avx512" && !(kernUseAsm && kernUseAVX512) {
				continue
			}
			b.Run("N="+itoa(n)+"/"+kern, func(b *testing.B) {
				saved := kernUseAVX512
				defer func() { kernUseAVX512 = saved }()
				kernUseAVX512 = kern == "avx512"
				rng := model.NewRNG(1, 0)
				s := NewRLS(n, 1)
				r := make([]float64, n)
				for i := range r {
					r[i] = math.Tanh(rng.Norm())
				}
				b.ReportAllocs()
				s.Update(r)
				cpu0 := cputime.Process()
				for b.Loop() {
					s.Update(r)
				}
				cpu := (cputime.Process() - cpu0).Seconds()
				b.ReportMetric(float64(b.N)/cpu, "updates/cpu-s")
				b.ReportMetric(2*8*float64(n*(n+1)/2)*float64(b.N)/cpu/1e9, "GB/cpu-s")
			})
		}
	}
}

func itoa(n int) string {
	return strconv.Itoa(n)
}

// TestRLSUpdateAsmMatchesGo runs the same updates with the AVX-512 row
// kernel and with the Go loop and compares P, k and c bit for bit, for
// sizes whose rows end with and without a remainder of eight.
func TestRLSUpdateAsmMatchesGo(t *testing.T) {
	if !(kernUseAsm && kernUseAVX512) {
		t.Skip("no AVX-512 on this CPU: RLS.Update runs only its Go loop")
	}
	for _, n := range []int{1000, 37, 9, 8} {
		run := func(asm bool) (*RLS, []float64, float64) {
			saved := kernUseAVX512
			kernUseAVX512 = asm
			defer func() { kernUseAVX512 = saved }()
			rng := model.NewRNG(11, uint64(n))
			s := NewRLS(n, 1)
			r := make([]float64, n)
			var k []float64
			var c float64
			for step := 0; step < 6; step++ {
				for i := range r {
					r[i] = math.Tanh(1.5 * rng.Norm())
				}
				k, c = s.Update(r)
			}
			s.Flush()
			return s, append([]float64(nil), k...), c
		}
		sa, ka, ca := run(true)
		sg, kg, cg := run(false)
		if math.Float64bits(ca) != math.Float64bits(cg) {
			t.Fatalf("N=%d: c %v (asm), %v (Go)", n, ca, cg)
		}
		for i := range ka {
			if math.Float64bits(ka[i]) != math.Float64bits(kg[i]) {
				t.Fatalf("N=%d: k[%d] %v (asm), %v (Go)", n, i, ka[i], kg[i])
			}
		}
		ta, tg := sa.Triangle(), sg.Triangle()
		for i := range ta {
			if math.Float64bits(ta[i]) != math.Float64bits(tg[i]) {
				t.Fatalf("N=%d: triangle element %d %v (asm), %v (Go)", n, i, ta[i], tg[i])
			}
		}
	}
}
