package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestCTRNNStepBatch checks StepBatch against Step row by row: dense J
// (one matrix product; the rows may differ from Step only by the
// rounding of J φ(x), so by a few ulps of the step's size) and sparse J
// (row by row: the same bits), with feedback, input and bias; and that a
// row's result does not depend on the other rows of the batch.
func TestCTRNNStepBatch(t *testing.T) {
	for _, tc := range []struct {
		name             string
		sparse, feedback bool
	}{
		{"dense", false, false},
		{"dense+feedback", false, true},
		{"sparse+feedback", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n, k = 37, 9
			net := ctrnnTestNet(t, n, tc.sparse, tc.feedback, 3)
			rng := NewRNG(5, 0)
			x := make([]float64, k*n)
			for i := range x {
				x[i] = 2 * rng.Norm()
			}
			u := []float64{0.3, -0.7}
			got := make([]float64, k*n)
			net.Clone().(*CTRNN).StepBatch(got, x, k, u)
			want := make([]float64, n)
			for r := range k {
				net.Step(want, x[r*n:(r+1)*n], u)
				for i, w := range want {
					g := got[r*n+i]
					// The recurrent sum has n terms of size ≤ |J||φ| ≤ a few:
					// its rounding is at most n·ε times the largest term.
					if tol := 1e-13 * (1 + math.Abs(w)); math.Abs(g-w) > tol || (tc.sparse && g != w) {
						t.Fatalf("row %d unit %d: StepBatch %v, Step %v", r, i, g, w)
					}
				}
			}
			// The same rows in a batch of 3 give the same bits.
			sub := make([]float64, 3*n)
			net.StepBatch(sub, x[4*n:7*n], 3, u)
			for i, v := range sub {
				if v != got[4*n+i] {
					t.Fatalf("row %d unit %d: %v in a batch of 3, %v in a batch of %d", 4+i/n, i%n, v, got[4*n+i], k)
				}
			}
		})
	}
}

// TestCTRNNRateForm checks RateWeights and RateGain against
// VelocityJacobian: (−I + W diag(d))/τ is the Jacobian, up to rounding,
// for dense and sparse J, with and without feedback, tanh and ReLU.
func TestCTRNNRateForm(t *testing.T) {
	for _, tc := range []struct {
		name             string
		sparse, feedback bool
		relu             bool
	}{
		{"dense", false, false, false},
		{"dense+feedback", false, true, false},
		{"sparse+feedback", true, true, false},
		{"dense+feedback relu", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 23
			net := ctrnnTestNet(t, n, tc.sparse, tc.feedback, 11)
			if tc.relu {
				net.Phi = CTRNNReLU
			}
			rng := NewRNG(2, 0)
			x := make([]float64, n)
			for i := range x {
				x[i] = rng.Norm()
			}
			var rf RateFlow = net
			w, tau := rf.RateWeights()
			d := make([]float64, n)
			rf.RateGain(d, x, nil)
			jac := mat.NewDense(n, n, nil)
			net.VelocityJacobian(jac, x, nil)
			for i := range n {
				for j := range n {
					want := jac.At(i, j)
					got := w.At(i, j) * d[j] / tau
					if i == j {
						got -= 1 / tau
					}
					if math.Abs(got-want) > 1e-13*(1+math.Abs(want)) {
						t.Fatalf("(%d, %d): rate form %v, VelocityJacobian %v", i, j, got, want)
					}
				}
			}
		})
	}
}
