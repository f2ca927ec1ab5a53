// The Newton machinery shared by the TrustRegion method and the final
// polishing of the unique points of either method: the dense LU and
// GMRES solves of Jac·p = −F, and the per-goroutine worker that holds them.

package inspect

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// fpLU is a dense LU factorisation with cheap O(N²) solves.
type fpLU struct {
	n    int
	a    blas64.General
	ipiv []int
}

func fpNewLU(n int) *fpLU {
	return &fpLU{n: n, a: blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)},
		ipiv: make([]int, n)}
}

// factor factorises m (gonum's blocked Dgetrf) and reports whether it is
// numerically non-singular (smallest |pivot| ≥ 1e-14 × largest).
func (f *fpLU) factor(m *mat.Dense) bool {
	raw := m.RawMatrix()
	for i := 0; i < f.n; i++ {
		copy(f.a.Data[i*f.n:(i+1)*f.n], raw.Data[i*raw.Stride:i*raw.Stride+f.n])
	}
	if !lapack64.Getrf(f.a, f.ipiv) {
		return false
	}
	// A cheap singularity test on the pivots of U (a condition estimate
	// costs as much as a quarter of the factorisation).
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < f.n; i++ {
		d := math.Abs(f.a.Data[i*f.n+i])
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	return hi > 0 && !math.IsInf(hi, 0) && !math.IsNaN(hi) && lo >= 1e-14*hi
}

// clone returns a copy of the factorisation.
func (f *fpLU) clone() *fpLU {
	g := &fpLU{n: f.n, a: f.a, ipiv: append([]int(nil), f.ipiv...)}
	g.a.Data = append([]float64(nil), f.a.Data...)
	return g
}

// solve overwrites b with A⁻¹b. It only reads f, so one factorisation may
// serve several goroutines. The triangular solves are blocked so that
// almost all the work is in matrix–vector products (gonum's Dtrsv runs at
// about a quarter of Dgemv's speed).
func (f *fpLU) solve(b []float64) {
	for i, p := range f.ipiv {
		if p != i {
			b[i], b[p] = b[p], b[i]
		}
	}
	const nb = 64
	n, a := f.n, f.a.Data
	// L y = b, L unit lower triangular, forward by blocks of rows.
	for i0 := 0; i0 < n; i0 += nb {
		i1 := min(i0+nb, n)
		if i0 > 0 {
			blas64.Gemv(blas.NoTrans, -1, blas64.General{Rows: i1 - i0, Cols: i0, Stride: n, Data: a[i0*n:]},
				blas64.Vector{N: i0, Inc: 1, Data: b}, 1, blas64.Vector{N: i1 - i0, Inc: 1, Data: b[i0:i1]})
		}
		for i := i0; i < i1; i++ {
			row := a[i*n+i0 : i*n+i]
			s := b[i]
			for j, v := range row {
				s -= v * b[i0+j]
			}
			b[i] = s
		}
	}
	// U x = y, backward by blocks of rows.
	for i1 := n; i1 > 0; i1 -= nb {
		i0 := max(i1-nb, 0)
		if i1 < n {
			blas64.Gemv(blas.NoTrans, -1, blas64.General{Rows: i1 - i0, Cols: n - i1, Stride: n, Data: a[i0*n+i1:]},
				blas64.Vector{N: n - i1, Inc: 1, Data: b[i1:]}, 1, blas64.Vector{N: i1 - i0, Inc: 1, Data: b[i0:i1]})
		}
		for i := i1 - 1; i >= i0; i-- {
			row := a[i*n+i+1 : i*n+i1]
			s := b[i]
			for j, v := range row {
				s -= v * b[i+1+j]
			}
			b[i] = s / a[i*n+i]
		}
	}
}

// fpGMRESMax is the largest Krylov dimension of one GMRES solve (no
// restarts); a solve that has not reduced the residual by half within it
// falls back to the dense LU step.
const fpGMRESMax = 160

// fpWorker holds one goroutine's network clone and scratch space.
type fpWorker struct {
	sys               *fpSystem
	n                 int
	jac               *mat.Dense
	lu                *fpLU
	f, fn, p, xn, g   []float64
	x                 []float64
	jtjData, lmFactor []float64
	// rate, when set, forms the normal equations of a model.RateFlow.
	rate *fpRate
	// GMRES scratch: the Krylov basis (rows of kv), the Hessenberg
	// matrix after Givens rotations (column-major kh), the rotations and
	// the rotated right-hand side.
	kv, kh, kc, ks, kg, ky []float64
}

func fpNewWorker(net model.Network, u []float64) *fpWorker {
	n := net.Dims().State
	w := &fpWorker{sys: fpNewSystem(net, u), n: n, jac: mat.NewDense(n, n, nil)}
	w.f, w.fn, w.p, w.xn, w.g, w.x = make([]float64, n), make([]float64, n), make([]float64, n),
		make([]float64, n), make([]float64, n), make([]float64, n)
	return w
}

// luScratch returns the worker's LU scratch, allocating it on first use.
func (w *fpWorker) luScratch() *fpLU {
	if w.lu == nil {
		w.lu = fpNewLU(w.n)
	}
	return w.lu
}

// gmres approximately solves jac·p = b for p (started at 0) by GMRES
// without restarts, stopping when |b − jac·p| ≤ eta·|b| or after
// min(N, fpGMRESMax) iterations, and returns the relative residual
// reached. The Krylov basis is orthogonalised by classical Gram–Schmidt
// applied twice (two matrix–vector products per pass).
func (w *fpWorker) gmres(p, b []float64, eta float64) float64 {
	n := w.n
	m := min(n, fpGMRESMax)
	if w.kv == nil {
		w.kv = make([]float64, (m+1)*n)
		w.kh = make([]float64, (m+1)*m)
		w.kc, w.ks, w.kg, w.ky = make([]float64, m), make([]float64, m), make([]float64, m+1), make([]float64, m+1)
	}
	clear(p)
	beta := fpNorm(b)
	if beta == 0 || math.IsNaN(beta) || math.IsInf(beta, 0) {
		return 0
	}
	jac := w.jac.RawMatrix()
	for i, v := range b {
		w.kv[i] = v / beta
	}
	clear(w.kg)
	w.kg[0] = beta
	k := 0
	res := beta
	for k < m && res > eta*beta {
		v := w.kv[(k+1)*n : (k+2)*n]
		blas64.Gemv(blas.NoTrans, 1, jac, blas64.Vector{N: n, Inc: 1, Data: w.kv[k*n : (k+1)*n]}, 0, blas64.Vector{N: n, Inc: 1, Data: v})
		basis := blas64.General{Rows: k + 1, Cols: n, Stride: n, Data: w.kv[:(k+1)*n]}
		h := w.kh[k*(m+1) : k*(m+1)+k+2]
		clear(h)
		for pass := 0; pass < 2; pass++ {
			c := w.ky[:k+1]
			blas64.Gemv(blas.NoTrans, 1, basis, blas64.Vector{N: n, Inc: 1, Data: v}, 0, blas64.Vector{N: k + 1, Inc: 1, Data: c})
			blas64.Gemv(blas.Trans, -1, basis, blas64.Vector{N: k + 1, Inc: 1, Data: c}, 1, blas64.Vector{N: n, Inc: 1, Data: v})
			for i, ci := range c {
				h[i] += ci
			}
		}
		hn := fpNorm(v)
		h[k+1] = hn
		// Apply the previous rotations, then a new one that zeroes h[k+1].
		for i := 0; i < k; i++ {
			a, bb := h[i], h[i+1]
			h[i], h[i+1] = w.kc[i]*a+w.ks[i]*bb, -w.ks[i]*a+w.kc[i]*bb
		}
		r := math.Hypot(h[k], h[k+1])
		if r == 0 || math.IsNaN(r) {
			break
		}
		w.kc[k], w.ks[k] = h[k]/r, h[k+1]/r
		h[k], h[k+1] = r, 0
		w.kg[k+1] = -w.ks[k] * w.kg[k]
		w.kg[k] *= w.kc[k]
		res = math.Abs(w.kg[k+1])
		k++
		if hn <= 1e-14*r { // happy breakdown: the Krylov space is invariant
			break
		}
		for i := range v {
			v[i] /= hn
		}
	}
	// Back substitution for y, then p = V y.
	y := w.ky[:k]
	for i := k - 1; i >= 0; i-- {
		s := w.kg[i]
		for j := i + 1; j < k; j++ {
			s -= w.kh[j*(m+1)+i] * y[j]
		}
		y[i] = s / w.kh[i*(m+1)+i]
	}
	if k > 0 {
		blas64.Gemv(blas.Trans, 1, blas64.General{Rows: k, Cols: n, Stride: n, Data: w.kv[:k*n]},
			blas64.Vector{N: k, Inc: 1, Data: y}, 0, blas64.Vector{N: n, Inc: 1, Data: p})
	}
	return res / beta
}

// chordPolish takes chord steps x ← x − A⁻¹F(x) with the factorisation lu
// of the Jacobian A at (or one step from) x while they lower q (at most
// 8) and returns the final q.
func (w *fpWorker) chordPolish(x []float64, lu *fpLU) float64 {
	q := w.sys.residual(w.f, x)
	for it := 0; it < 8 && q > 0; it++ {
		copy(w.p, w.f)
		lu.solve(w.p)
		for i := range x {
			w.xn[i] = x[i] - w.p[i]
		}
		qn := w.sys.residual(w.fn, w.xn)
		if !(qn < q) {
			break
		}
		copy(x, w.xn)
		copy(w.f, w.fn)
		done := qn > 1e-3*q || qn < 1e-28
		q = qn
		if done {
			break // at the rounding floor
		}
	}
	return q
}

// polish takes Newton steps from x while they lower q (at most 4) and
// returns the final q.
func (w *fpWorker) polish(x []float64, q float64) float64 {
	w.sys.residual(w.f, x)
	lu := w.luScratch()
	for it := 0; it < 4 && q > 0; it++ {
		w.sys.jacobian(w.jac, x)
		if !lu.factor(w.jac) {
			break
		}
		for i := range w.p {
			w.p[i] = -w.f[i]
		}
		lu.solve(w.p)
		for i := range x {
			w.xn[i] = x[i] + w.p[i]
		}
		qn := w.sys.residual(w.fn, w.xn)
		if !(qn < q) {
			break
		}
		copy(x, w.xn)
		copy(w.f, w.fn)
		done := qn > 1e-3*q || qn < 1e-28
		q = qn
		if done {
			break // at the rounding floor
		}
	}
	return q
}
