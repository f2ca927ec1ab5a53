package model

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// BatchStepper is a [Network] that steps many states at once, with one
// matrix product per step for the recurrent term instead of one
// matrix–vector product per state: forward simulation of hundreds of
// starting states at N = 1000 runs at the speed of a GEMM rather than of
// memory.
type BatchStepper interface {
	Network
	// StepBatch writes f(x_k, u) for every row x_k of the row-major
	// k×State matrix x into the same row of dst (k×State, not aliasing
	// x). Each row is what Step writes up to the rounding of the
	// recurrent product, which is summed in the order of its columns
	// whatever k is: a row's result does not depend on the other rows.
	StepBatch(dst, x []float64, k int, u []float64)
}

// StepBatch writes the Euler steps of the k states in the rows of x into
// dst (see [BatchStepper]). The recurrent term J φ(x) of all rows is one
// product J·Φᵀ (blas64.Gemm) when J is a [DenseRecurrent]; a sparse J
// steps row by row.
func (c *CTRNN) StepBatch(dst, x []float64, k int, u []float64) {
	checkLen("CTRNN.StepBatch", "dst", dst, k*c.n)
	checkLen("CTRNN.StepBatch", "x", x, k*c.n)
	checkInput("CTRNN.StepBatch", u, c.nIn)
	n := c.n
	d, ok := c.J.(*DenseRecurrent)
	if !ok || k < 2 {
		for r := range k {
			c.Step(dst[r*n:(r+1)*n], x[r*n:(r+1)*n], u)
		}
		return
	}
	// phiT holds φ(x_r) in column r (N×w); prod = J·phiT (N×w). The
	// width w is at least 8, the last columns zero: blas64's installed
	// Dgemm (inspect's tile) takes narrower products back to gonum's slower
	// loop, with the same bits.
	w := max(k, 8)
	if cap(c.batch) < 2*n*w {
		c.batch = make([]float64, 2*n*w)
	}
	phiT, prod := c.batch[:n*w], c.batch[n*w:2*n*w]
	c.rOK = false // c.r is scratch here
	for r := range k {
		c.ctrnnPhi(c.r, nil, x[r*n:(r+1)*n])
		for i, v := range c.r {
			phiT[i*w+r] = v
		}
	}
	for r := k; r < w; r++ {
		for i := range n {
			phiT[i*w+r] = 0
		}
	}
	raw := d.m.RawMatrix()
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, raw,
		blas64.General{Rows: n, Cols: w, Stride: w, Data: phiT}, 0,
		blas64.General{Rows: n, Cols: w, Stride: w, Data: prod})
	for r := range k {
		xr, dr := x[r*n:(r+1)*n], dst[r*n:(r+1)*n]
		for i := range dr {
			c.r[i] = phiT[i*w+r]
			dr[i] = prod[i*w+r]
		}
		c.ctrnnReadoutsOf(c.r)
		c.ctrnnVelocityTail(dr, xr, u)
		for i, xi := range xr {
			dr[i] = xi + c.DT*dr[i]
		}
	}
}
