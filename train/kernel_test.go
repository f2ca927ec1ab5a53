package train

import (
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

func TestKernElementwiseAsmMatchesGo(t *testing.T) {
	rng := model.NewRNG(5, 6)
	const n = 104
	pre := kernRandSlice(rng, n)
	for i := range pre {
		pre[i] *= math.Pow(10, rng.Uniform(-5, 1.5))
	}
	pre[3], pre[7] = math.NaN(), math.Inf(-1)
	xPrev := kernRandSlice(rng, n)
	g := kernRandSlice(rng, n)
	run := func() (xn, h, dpre, gOut []float64) {
		xn, h, dpre, gOut = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
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
		}
	}
	if !math.IsNaN(ha[3]) || ha[7] != -1 {
		t.Errorf("tanh(NaN) = %v, tanh(−Inf) = %v", ha[3], ha[7])
	}
}
