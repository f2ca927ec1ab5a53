package inspect

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCAResult is a principal component analysis of a set of states: the
// mean, the leading principal axes and the variance along each.
type PCAResult struct {
	// Mean is the mean state, of length N.
	Mean []float64
	// Components holds the k principal axes as rows of length N, unit
	// vectors ordered by decreasing variance. Each axis is signed so that
	// its entry of largest magnitude is positive (the lowest index wins a
	// tie), which makes the result independent of the sign choices of the
	// decomposition.
	Components [][]float64
	// Variance is the variance of the data along each component (the
	// eigenvalues of the sample covariance, normalised by M−1).
	Variance []float64
	// TotalVariance is the trace of the sample covariance, the variance of
	// the data summed over all N directions.
	TotalVariance float64
}

// ErrPCAData is returned (wrapped) by [PCA] for data it cannot analyse.
var ErrPCAData = errors.New("inspect: PCA data")

// PCA computes the k leading principal components of the M states data[i]
// (each of length N), centred on their mean. The covariance is
// C = X̃ᵀX̃/(M−1) with X̃ the centred M×N data; its eigen-decomposition comes
// from the thin singular value decomposition of X̃ (σ² /(M−1) = variances)
// when M ≤ N and from mat.EigenSym of C otherwise, so the cost is about
// min(M, N)²·max(M, N). k is reduced to min(k, M, N). PCA returns an error
// wrapping [ErrPCAData] for fewer than two states, states of unequal length
// or of length 0, k < 1, or a NaN or infinite value, and an error when the
// decomposition fails.
func PCA(data [][]float64, k int) (*PCAResult, error) {
	m := len(data)
	if m < 2 {
		return nil, fmt.Errorf("%w: %d states, need at least 2", ErrPCAData, m)
	}
	n := len(data[0])
	if n == 0 {
		return nil, fmt.Errorf("%w: states have length 0", ErrPCAData)
	}
	if k < 1 {
		return nil, fmt.Errorf("%w: k = %d components, want at least 1", ErrPCAData, k)
	}
	k = min(k, m, n)
	mean := make([]float64, n)
	for i, x := range data {
		if len(x) != n {
			return nil, fmt.Errorf("%w: state %d has length %d, want %d", ErrPCAData, i, len(x), n)
		}
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: state %d holds %v at index %d", ErrPCAData, i, v, j)
			}
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(m)
	}
	xc := mat.NewDense(m, n, nil)
	raw := xc.RawMatrix()
	var total float64
	for i, x := range data {
		row := raw.Data[i*raw.Stride : i*raw.Stride+n]
		for j, v := range x {
			row[j] = v - mean[j]
			total += row[j] * row[j]
		}
	}
	scale := 1 / float64(m-1)
	res := &PCAResult{Mean: mean, TotalVariance: total * scale,
		Components: make([][]float64, k), Variance: make([]float64, k)}
	if m <= n {
		var svd mat.SVD
		if !svd.Factorize(xc, mat.SVDThinV) {
			return nil, errors.New("inspect: PCA: singular value decomposition failed")
		}
		s := svd.Values(nil)
		var v mat.Dense
		svd.VTo(&v)
		for c := range k {
			res.Variance[c] = s[c] * s[c] * scale
			res.Components[c] = mat.Col(nil, c, &v)
		}
	} else {
		cov := mat.NewSymDense(n, nil)
		cov.SymOuterK(scale, xc.T())
		var es mat.EigenSym
		if !es.Factorize(cov, true) {
			return nil, errors.New("inspect: PCA: symmetric eigen-decomposition failed")
		}
		vals := es.Values(nil) // ascending
		var v mat.Dense
		es.VectorsTo(&v)
		for c := range k {
			j := n - 1 - c
			res.Variance[c] = max(0, vals[j])
			res.Components[c] = mat.Col(nil, j, &v)
		}
	}
	for _, u := range res.Components {
		pcaFixSign(u)
	}
	return res, nil
}

// pcaFixSign flips u so that its entry of largest magnitude is positive.
func pcaFixSign(u []float64) {
	best := 0
	for i, v := range u {
		if math.Abs(v) > math.Abs(u[best]) {
			best = i
		}
	}
	if u[best] < 0 {
		for i := range u {
			u[i] = -u[i]
		}
	}
}

// K returns the number of components.
func (p *PCAResult) K() int { return len(p.Components) }

// ExplainedRatio returns the fraction of the total variance explained by
// component c, or 0 when the data have no variance.
func (p *PCAResult) ExplainedRatio(c int) float64 {
	if !(p.TotalVariance > 0) {
		return 0
	}
	return p.Variance[c] / p.TotalVariance
}

// Project writes the coordinates of the state x along the components,
// dst[c] = Components[c]·(x − Mean), into dst, which is grown if it is
// shorter than K(), and returns dst[:K()]. It does not allocate when dst is
// long enough. A NaN or infinite entry of x gives non-finite coordinates;
// they are not an error (plots drop them). It panics if len(x) differs from
// len(Mean).
func (p *PCAResult) Project(dst, x []float64) []float64 {
	if len(x) != len(p.Mean) {
		panic(fmt.Sprintf("inspect: PCAResult.Project: state has length %d, want %d", len(x), len(p.Mean)))
	}
	k := len(p.Components)
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	for c, u := range p.Components {
		var s float64
		for j, v := range x {
			s += u[j] * (v - p.Mean[j])
		}
		dst[c] = s
	}
	return dst
}
