package model

import (
	"math"
	"testing"
)

// TestCTRNNPhiCache checks that remembering φ of the last state changes
// no result: a network reading the output of every state it steps to
// gives the bits of a fresh clone that computes everything anew, also
// after W_o is changed in place (as FORCE does), after φ is switched,
// with StepBatch in between and with x changed in place by one ulp.
func TestCTRNNPhiCache(t *testing.T) {
	for _, sparse := range []bool{true, false} {
		net := ctrnnTestNet(t, 40, sparse, true, 5)
		rng := NewRNG(9, 0)
		x := NormalVector(40, 1, rng)
		u := []float64{0.3, -0.2}
		y, o, want, wantO := make([]float64, 40), make([]float64, 3), make([]float64, 40), make([]float64, 3)
		same := func(step int, what string, a, b []float64) {
			t.Helper()
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					t.Fatalf("sparse %v, step %d, %s: element %d is %v, fresh %v", sparse, step, what, i, a[i], b[i])
				}
			}
		}
		for step := range 60 {
			switch step {
			case 20:
				net.WO.Set(3, 0, net.WO.At(3, 0)+0.5)
			case 30:
				net.Phi = CTRNNReLU
			case 40:
				// φ(x) is remembered, then StepBatch leaves φ of its
				// last row, another state, in the scratch.
				net.Output(o, x)
				batch := make([]float64, 2*40)
				net.StepBatch(batch, append(append([]float64(nil), x...), NormalVector(40, 1, rng)...), 2, u)
			}
			fresh := net.Clone().(*CTRNN)
			net.Output(o, x)
			fresh.Output(wantO, x)
			same(step, "output", o, wantO)
			if step == 50 {
				x[5] = math.Nextafter(x[5], math.Inf(1))
			}
			fresh = net.Clone().(*CTRNN)
			net.Step(y, x, u)
			fresh.Step(want, x, u)
			same(step, "step", y, want)
			x, y = y, x
		}
	}
}
