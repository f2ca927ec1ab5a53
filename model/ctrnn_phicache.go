package model

import "math"

// A CTRNN remembers the last state whose rates φ(x) it computed: a
// simulation that reads the output of every state it steps to (Output(x),
// then Step from x) computes φ(x) once instead of twice. Only φ is kept:
// the readouts depend on W_o and W_d, which a trainer may change between
// calls, and are recomputed every time. The state is compared bit for
// bit, so the result is the same as computing φ again.

// phiCached reports whether c.r holds φ(x).
func (c *CTRNN) phiCached(x []float64) bool {
	if !c.rOK || c.rPhi != c.Phi || len(x) != len(c.rx) {
		return false
	}
	for i, v := range x {
		if math.Float64bits(v) != math.Float64bits(c.rx[i]) {
			return false
		}
	}
	return true
}

// rememberPhi records that c.r holds φ(x).
func (c *CTRNN) rememberPhi(x []float64) {
	if len(c.rx) != len(x) {
		c.rOK = false
		return
	}
	copy(c.rx, x)
	c.rOK, c.rPhi = true, c.Phi
}
