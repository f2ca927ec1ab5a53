package model

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// sigmoid is the logistic function 1/(1+e^{−x}), written to avoid overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// mulVecAdd sets dst = beta·dst + W·x for a dense W. With beta = 0, dst is
// overwritten. It does not allocate.
func mulVecAdd(dst []float64, w *mat.Dense, x []float64, beta float64) {
	raw := w.RawMatrix()
	blas64.Gemv(blas.NoTrans, 1, raw,
		blas64.Vector{N: len(x), Inc: 1, Data: x}, beta,
		blas64.Vector{N: len(dst), Inc: 1, Data: dst})
}

// mulTransVecAdd sets dst = beta·dst + Wᵀ·x for a dense W.
func mulTransVecAdd(dst []float64, w *mat.Dense, x []float64, beta float64) {
	raw := w.RawMatrix()
	blas64.Gemv(blas.Trans, 1, raw,
		blas64.Vector{N: len(x), Inc: 1, Data: x}, beta,
		blas64.Vector{N: len(dst), Inc: 1, Data: dst})
}

// cloneDense returns a copy of m, or nil for a nil m.
func cloneDense(m *mat.Dense) *mat.Dense {
	if m == nil {
		return nil
	}
	return mat.DenseCopyOf(m)
}

// checkFiniteDense is CheckFinite for a matrix (nil is allowed).
func checkFiniteDense(param string, m *mat.Dense) error {
	if m == nil {
		return nil
	}
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		if err := CheckFinite(param, row); err != nil {
			e := err.(*NonFiniteError)
			e.Index += i * raw.Cols
			return e
		}
	}
	return nil
}
