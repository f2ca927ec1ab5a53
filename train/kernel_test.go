package train

import (
	"fmt"
	"math"
	"testing"

	"attractor/model"
)

func kernRandSlice(rng *model.RNG, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.Norm()
	}
	return s
}

// kernWithGo runs f with the assembly kernels switched off.
func kernWithGo(f func()) {
	saved := kernUseAsm
	kernUseAsm = false
	defer func() { kernUseAsm = saved }()
	f()
}

func TestKernTanhAccuracy(t *testing.T) {
	rng := model.NewRNG(3, 4)
	var worst float64
	xs := []float64{0, 1e-300, -1e-12, 1e-8, 0.1, 0.34657, 0.5, -0.7, 1, 3, -5, 18.9, 19.5, 20, 25, -700, math.Inf(1), math.Inf(-1)}
	for i := 0; i < 200000; i++ {
		xs = append(xs, rng.Norm()*math.Pow(10, rng.Uniform(-6, 1.3)))
	}
	for _, x := range xs {
		got, want := kernTanh(x), math.Tanh(x)
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if e := math.Abs(got-want) / ulp; e > worst {
			worst = e
		}
	}
	t.Logf("kernTanh: max error %.2f ulp against math.Tanh (itself ≤ 1–2 ulp)", worst)
	if worst > 4 {
		t.Errorf("kernTanh error %.2f ulp, want ≤ 4", worst)
	}
	if v := kernTanh(math.NaN()); !math.IsNaN(v) {
		t.Errorf("kernTanh(NaN) = %v", v)
	}
}

// TestKernElementwiseAsmMatchesGo checks the AVX-512 and AVX2 element-wise
// kernels against the Go loops bit for bit, on lengths with and without a
// four-element tail, with a NaN and an infinity among the inputs, and that
// nothing past n is written.
func TestKernElementwiseAsmMatchesGo(t *testing.T) {
	saved := kernUseAVX512
	defer func() { kernUseAVX512 = saved }()
	for _, avx512 := range []bool{false, true} {
		if !kernUseAsm {
			t.Log("no AVX2/FMA on this CPU: the assembly kernels were not run")
			break
		}
		if avx512 && !saved {
			t.Log("no AVX-512 on this CPU: its kernels were not run")
			continue
		}
		kernUseAVX512 = avx512
		for _, n := range []int{104, 100, 4, 8, 12, 16} {
			t.Run(fmt.Sprintf("avx512=%v/n=%d", avx512, n), func(t *testing.T) { testKernElementwise(t, n) })
		}
	}
}

func testKernElementwise(t *testing.T, n int) {
	rng := model.NewRNG(5, uint64(n))
	const pad = 8 // elements past n, which must stay untouched
	pre := kernRandSlice(rng, n+pad)
	for i := range pre {
		pre[i] *= math.Pow(10, rng.Uniform(-5, 1.5))
	}
	pre[1] = math.NaN()
	pre[min(7, n-1)] = math.Inf(-1)
	xPrev := kernRandSlice(rng, n+pad)
	g := kernRandSlice(rng, n+pad)
	run := func() (xn, h, dpre, gOut []float64) {
		xn, h, dpre, gOut = make([]float64, n+pad), make([]float64, n+pad), make([]float64, n+pad), make([]float64, n+pad)
		for _, s := range [][]float64{xn, h, dpre, gOut} {
			for i := n; i < n+pad; i++ {
				s[i] = 42
			}
		}
		kernLeakyFwd(n, xn, xPrev, h, pre, 0.3)
		kernLeakyBwd(n, dpre, gOut, g, h, 0.3)
		return
	}
	xa, ha, da, ga := run()
	var xg, hg, dg, gg []float64
	kernWithGo(func() { xg, hg, dg, gg = run() })
	for name, p := range map[string][2][]float64{"xNext": {xa, xg}, "h": {ha, hg}, "dpre": {da, dg}, "gOut": {ga, gg}} {
		for i := range p[0] {
			if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
				t.Fatalf("%s[%d]: asm %v, Go %v", name, i, p[0][i], p[1][i])
			}
			if i >= n && p[0][i] != 42 {
				t.Fatalf("%s[%d] past n = %d was written: %v", name, i, n, p[0][i])
			}
		}
	}
	if !math.IsNaN(ha[1]) || ha[min(7, n-1)] != -1 {
		t.Errorf("tanh(NaN) = %v, tanh(−Inf) = %v", ha[1], ha[min(7, n-1)])
	}
}

// TestKernNormalsMatchScalar checks kernNormals (AVX-512 where the CPU has
// it) against the scalar leakyNormal loop bit for bit, over enough rows that
// the rejected draws redone in Go (about 1.2 %) number in the hundreds.
func TestKernNormalsMatchScalar(t *testing.T) {
	if !(kernUseAsm && kernUseAVX512) {
		t.Log("no AVX-512 on this CPU: kernNormals ran its scalar loop")
	}
	rng := model.NewRNG(7, 7)
	rej := make([]uint8, 16)
	slow := 0
	for row := 0; row < 400; row++ {
		n := []int{100, 104, 8, 3, 0, 127}[row%6]
		s0, scale := rng.Uint64(), []float64{1, 0.001, -2.5}[row%3]
		got := make([]float64, n)
		kernNormals(got, s0, scale, rej)
		for k := range got {
			st := s0 + uint64(k)*leakyGamma
			want := scale * leakyNormal(st)
			if math.Float64bits(got[k]) != math.Float64bits(want) {
				t.Fatalf("row %d (n %d) element %d: %v, scalar %v", row, n, k, got[k], want)
			}
			u := leakyHash(st)
			hz := int64(int32(u >> 32))
			if uint64(max(hz, -hz)) >= uint64(leakyZig.kn[u&127]) {
				slow++
			}
		}
	}
	if slow < 100 {
		t.Errorf("only %d draws took the slow path: the test does not exercise it", slow)
	}
	t.Logf("%d draws took the slow path", slow)
}
