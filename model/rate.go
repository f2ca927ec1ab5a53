package model

import "gonum.org/v1/gonum/mat"

// RateFlow is a [Flow] whose velocity Jacobian has the rate-network form
//
//	∂F/∂x = (−I + W diag(d(x)))/τ
//
// with a fixed N×N matrix W and a gain vector d(x) (φ'(x) for a CTRNN).
// The fixed-point search uses it to form the Levenberg–Marquardt normal
// equations (∂F/∂x)ᵀ(∂F/∂x) = (I − D Wᵀ − W D + D WᵀW D)/τ² from WᵀW,
// computed once, in O(N²) per step instead of the O(N³) product.
type RateFlow interface {
	Flow
	// RateWeights returns W, a new dense matrix, and τ.
	RateWeights() (w *mat.Dense, tau float64)
	// RateGain writes d(x) into dst.
	RateGain(dst, x, u []float64)
}

// RateWeights returns W = g J + W_f W_oᵀ + W_fd W_dᵀ (J_T of
// [CTRNN.VelocityJacobian]) as a new dense matrix, and τ.
func (c *CTRNN) RateWeights() (*mat.Dense, float64) {
	w := mat.NewDense(c.n, c.n, nil)
	ones := make([]float64, c.n)
	for i := range ones {
		ones[i] = 1
	}
	c.J.AddMulDiagTo(w, c.G, ones)
	for _, fb := range [][2]*mat.Dense{{c.WF, c.WO}, {c.WFD, c.WD}} {
		if fb[0] == nil || fb[1] == nil {
			continue
		}
		var p mat.Dense
		p.Mul(fb[0], fb[1].T())
		w.Add(w, &p)
	}
	return w, c.Tau
}

// RateGain writes φ'(x) into dst.
func (c *CTRNN) RateGain(dst, x, u []float64) {
	checkLen("CTRNN.RateGain", "dst", dst, c.n)
	checkLen("CTRNN.RateGain", "x", x, c.n)
	c.ctrnnPhi(nil, dst, x)
}
