package model

import (
	"math"
	"testing"
)

// TestCTRNNReadoutsMatchGemv checks that the one-pass readouts give the
// bits of gonum's Gemv (mulTransVecAdd) for every layout they take, with
// and without b_o, on rates holding zeros of both signs.
func TestCTRNNReadoutsMatchGemv(t *testing.T) {
	rng := NewRNG(11, 0)
	for _, n := range []int{1, 5, 300, 1001} {
		for _, l := range [][2]int{{1, 0}, {1, 1}, {1, 2}, {2, 0}} {
			for _, bias := range []bool{false, true} {
				p := CTRNNParams{G: 1, J: NewDenseRecurrent(DenseGaussian(n, 1, rng)), Tau: 1, DT: 0.1,
					WO: ctrnnNormalDense(n, l[0], 1, rng)}
				if l[1] > 0 {
					p.WD = ctrnnNormalDense(n, l[1], 1, rng)
				}
				if bias {
					p.BO = NormalVector(l[0], 1, rng)
				}
				c, err := NewCTRNN(p)
				if err != nil {
					t.Fatal(err)
				}
				r := NormalVector(n, 1, rng)
				r[0] = math.Copysign(0, -1)
				if n > 2 {
					r[2] = 0
				}
				if !c.ctrnnReadoutsFast(r) {
					t.Fatalf("N %d layout %v: the one-pass readouts did not take it", n, l)
				}
				zo, zd := append([]float64(nil), c.zo...), append([]float64(nil), c.zd...)
				mulTransVecAdd(c.zo, c.WO, r, 0)
				for i, b := range c.BO {
					c.zo[i] += b
				}
				if c.WD != nil {
					mulTransVecAdd(c.zd, c.WD, r, 0)
				}
				for i := range zo {
					if math.Float64bits(zo[i]) != math.Float64bits(c.zo[i]) {
						t.Errorf("N %d layout %v bias %v: z_o[%d] %v, Gemv %v", n, l, bias, i, zo[i], c.zo[i])
					}
				}
				for i := range zd {
					if math.Float64bits(zd[i]) != math.Float64bits(c.zd[i]) {
						t.Errorf("N %d layout %v: z_d[%d] %v, Gemv %v", n, l, i, zd[i], c.zd[i])
					}
				}
			}
		}
	}
}
