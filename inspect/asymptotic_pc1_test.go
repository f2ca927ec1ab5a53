package inspect

import (
	"math"
	"testing"

	"attractor/model"
)

// TestPC1KernelsMatch checks that the four-row kernels of the power
// iteration give the bits of one row at a time (fpDot, then p[t]·c[t]
// added row after row), for row counts that are and are not multiples of
// four.
func TestPC1KernelsMatch(t *testing.T) {
	rng := model.NewRNG(4, 0)
	for _, m := range []int{1, 3, 4, 7, 64, 203} {
		n := 300
		c := make([][]float64, m)
		for i := range c {
			c[i] = model.NormalVector(n, 1, rng)
		}
		v := model.NormalVector(n, 1, rng)
		p, want := make([]float64, m), make([]float64, m)
		vdDots(p, c, v)
		for i := range c {
			want[i] = fpDot(c[i], v)
		}
		for i := range p {
			if math.Float64bits(p[i]) != math.Float64bits(want[i]) {
				t.Fatalf("m %d: dot %d is %v, one at a time %v", m, i, p[i], want[i])
			}
		}
		got, ref := append([]float64(nil), v...), append([]float64(nil), v...)
		vdAddCombination(got, p, c)
		for r := range c {
			for i, ci := range c[r] {
				ref[i] += p[r] * ci
			}
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(ref[i]) {
				t.Fatalf("m %d: element %d is %v, one row at a time %v", m, i, got[i], ref[i])
			}
		}
	}
}
