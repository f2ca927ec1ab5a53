package model

// The readouts z_o = W_oᵀ r + b_o and z_d = W_dᵀ r of a CTRNN with a few
// output columns (the tasks' 1 output and 2 latent readouts) in one pass
// over r with a register accumulator per column: gonum's Gemv runs one
// pass per matrix, each a chain of N dependent additions. Every column is
// summed as gonum's GemvT sums it — from zero, adding r_i·W[i, j] for
// i = 0, 1, … in turn, each product and sum rounded — so the bits are the
// same (TestCTRNNReadoutsMatchGemv).

// ctrnnReadoutsFast fills c.zo and c.zd from r when the layout is one it
// takes (1 or 2 output columns and at most 2 latent ones) and reports
// whether it did.
func (c *CTRNN) ctrnnReadoutsFast(r []float64) bool {
	if c.WO == nil || c.nOut > 2 || c.nD > 2 || (c.nD > 0 && c.WD == nil) {
		return false
	}
	o := c.WO.RawMatrix()
	if o.Rows != len(r) {
		return false
	}
	var d []float64
	ld := 0
	if c.nD > 0 {
		dr := c.WD.RawMatrix()
		if dr.Rows != len(r) {
			return false
		}
		d, ld = dr.Data, dr.Stride
	}
	lo := o.Stride
	var o0, o1, d0, d1 float64
	switch {
	case c.nOut == 1 && c.nD == 0:
		for i, ri := range r {
			o0 += ri * o.Data[i*lo]
		}
	case c.nOut == 1 && c.nD == 1:
		for i, ri := range r {
			o0 += ri * o.Data[i*lo]
			d0 += ri * d[i*ld]
		}
	case c.nOut == 1 && c.nD == 2:
		for i, ri := range r {
			o0 += ri * o.Data[i*lo]
			d0 += ri * d[i*ld]
			d1 += ri * d[i*ld+1]
		}
	case c.nOut == 2 && c.nD == 0:
		for i, ri := range r {
			o0 += ri * o.Data[i*lo]
			o1 += ri * o.Data[i*lo+1]
		}
	default:
		return false
	}
	c.zo[0] = o0
	if c.nOut == 2 {
		c.zo[1] = o1
	}
	if c.nD > 0 {
		c.zd[0] = d0
		if c.nD == 2 {
			c.zd[1] = d1
		}
	}
	for i, b := range c.BO {
		c.zo[i] += b
	}
	return true
}
