// The TrustRegion method of FindFixedPoints: inexact Newton steps in a
// trust region, Levenberg–Marquardt on q where Newton stagnates, and the
// chord capture of candidates by points already converged. Its settings
// are FixedPointSettings.Batch, NoCapture and MaxIters (200 per candidate).

package inspect

import (
	"context"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"

	"attractor/internal/gemm"
	"attractor/model"
)

// fpKnown is a converged point visible to later batches, with the LU
// factorisation of its Jacobian for chord capture.
type fpKnown struct {
	x  []float64
	q  float64
	lu *fpLU // LU of Jac(x); nil when not available (slow points, storage cap)
}

// fpMaxStoredLU bounds the memory of the stored factorisations, in
// float64 values (256 MiB).
const fpMaxStoredLU = 32 << 20

// fpRunTrustRegion runs the TrustRegion method over all candidates in
// batches; point indices in Captured candidates refer to known.
func fpRunTrustRegion(ctx context.Context, p FixedPointProblem, s *FixedPointSettings, res *FixedPointResult) ([]fpCandidate, error) {
	k := len(p.Inits)
	n := p.Net.Dims().State
	cands := make([]fpCandidate, k)
	workers := make([]*fpWorker, s.Concurrency)
	var rate *fpRateShared
	if _, ok := p.Net.(model.RateFlow); ok && !s.DenseNormal {
		rate = &fpRateShared{}
	}
	for i := range workers {
		workers[i] = fpNewWorker(p.Net.Clone(), p.Input)
		if rate != nil {
			workers[i].rate = &fpRate{shared: rate, d: make([]float64, n)}
		}
	}
	var known []fpKnown
	maxLU := max(1, min(64, fpMaxStoredLU/(n*n)))
	storedLU := 0
	// Batches grow 2, 4, … up to Batch, so that the first converged points
	// are known before many candidates are solved in full.
	size := min(2, s.Batch)
	for b0 := 0; b0 < k; b0, size = b0+size, min(2*size, s.Batch) {
		b1 := min(b0+size, k)
		out := make([]fpCandidate, b1-b0)
		snapshot := known
		if err := fpEach(ctx, workers, b1-b0, func(w *fpWorker, i int) {
			out[i] = w.solve(ctx, p.Inits[b0+i], snapshot, s)
		}); err != nil {
			return nil, err
		}
		// Gather in input order; new points are factorised (and polished
		// with the factorisation) afterwards, in parallel.
		var fresh []int
		for i := range out {
			c := out[i]
			res.Iterations += c.iters
			if c.status == Converged || c.status == SlowPoint {
				j := fpNearest(known, c.x, s.TolUnique)
				if j >= 0 {
					if c.q < known[j].q {
						known[j].x, known[j].q = c.x, c.q
					}
				} else {
					known = append(known, fpKnown{x: c.x, q: c.q})
					if c.status == Converged {
						fresh = append(fresh, len(known)-1)
					}
				}
			}
			cands[b0+i] = c
		}
		if len(fresh) > 0 && (!s.NoCapture || !s.NoPolish) {
			if err := fpEach(ctx, workers, len(fresh), func(w *fpWorker, i int) {
				kn := &known[fresh[i]]
				w.sys.jacobian(w.jac, kn.x)
				lu := w.luScratch()
				if !lu.factor(w.jac) {
					return
				}
				if !s.NoPolish {
					kn.q = w.chordPolish(kn.x, lu)
				}
				if !s.NoCapture {
					kn.lu = lu.clone()
				}
			}); err != nil {
				return nil, err
			}
			for _, j := range fresh {
				if known[j].lu != nil {
					if storedLU >= maxLU {
						known[j].lu = nil
					} else {
						storedLU++
					}
				}
			}
		}
	}
	// Captured candidates point at known[j]: give them that state so the
	// final merge places them with it. Converged candidates that founded a
	// known point take its polished state and q.
	for i := range cands {
		if cands[i].status == Captured {
			cands[i].x = known[cands[i].point].x
		}
	}
	for j := range known {
		for i := range cands {
			if (cands[i].status == Converged || cands[i].status == SlowPoint) && &cands[i].x[0] == &known[j].x[0] {
				cands[i].q = known[j].q
			}
		}
	}
	return cands, nil
}

// fpNearest returns the index of the known point nearest to x within tol,
// or −1.
func fpNearest(known []fpKnown, x []float64, tol float64) int {
	best, bd := -1, tol
	for j := range known {
		if d := fpDist(known[j].x, x); d <= bd {
			best, bd = j, d
		}
	}
	return best
}

// solve runs the TrustRegion search from x0.
func (w *fpWorker) solve(ctx context.Context, x0 []float64, known []fpKnown, s *FixedPointSettings) fpCandidate {
	r := fpCandidate{point: -1}
	if !fpFinite(x0) {
		r.status, r.q = NonFinite, math.NaN()
		return r
	}
	x := w.x
	copy(x, x0)
	q := w.sys.residual(w.f, x)
	if !fpFinite(w.f) {
		r.status, r.q = NonFinite, math.NaN()
		return r
	}
	iters := 0
	// Chord capture against the two nearest converged points.
	if !s.NoCapture && len(known) > 0 {
		j, it := w.capture(x, known, s)
		if j >= 0 {
			r.status, r.point, r.iters = Captured, j, it
			r.q = w.sys.residual(w.f, x)
			return r
		}
		iters += it
		copy(x, x0)
		q = w.sys.residual(w.f, x)
	}
	delta := math.Max(math.Sqrt(float64(w.n)), fpNorm(x))
	lmMu := 1e-3
	stall := 0
	// gaussNewton is set once Newton steps stagnate: from then on the
	// candidate minimises q by Levenberg–Marquardt steps, which converge to
	// a local minimum of q also where q > 0 (a slow point), until no step
	// lowers q. Near a point with multipliers close to 1 (a slow manifold)
	// Newton steps on F = 0 lower q only slowly although q keeps falling.
	gaussNewton := false
	// minimum is set when the search stops because no step lowers q any
	// more: only then is a q ≥ TolQ a slow point (a local minimum of q).
	// A search stopped by MaxIters while q still falls is NotConverged.
	minimum := false
	status := NotConverged
	for ; iters < s.MaxIters; iters++ {
		if ctx.Err() != nil {
			break
		}
		if q < s.TolQ {
			status = Converged
			break
		}
		if !s.NoCapture {
			if j := fpNearest(known, x, s.TolUnique); j >= 0 {
				r.status, r.point, r.iters, r.q = Captured, j, iters, q
				r.x = append([]float64(nil), x...)
				return r
			}
		}
		w.sys.jacobian(w.jac, x)
		if gaussNewton {
			accepted, qn := w.lmStep(x, q, &lmMu)
			if !accepted {
				minimum = true
				break // no step lowers q: a local minimum of q
			}
			dq := q - qn
			copy(x, w.xn)
			copy(w.f, w.fn)
			q = qn
			if dq < s.TolDQ || dq < 1e-12*q {
				stall++
				if stall >= 10 {
					iters++
					minimum = true
					break // q is at its rounding floor
				}
			} else {
				stall = 0
			}
			continue
		}
		// Inexact Newton step: GMRES to the forcing tolerance
		// η = clamp(|F|, 1e-10, 1e-2); the dense LU step when GMRES stalls.
		for i := range w.g {
			w.g[i] = -w.f[i]
		}
		fn := math.Sqrt(2 * q)
		ok := w.gmres(w.p, w.g, math.Min(1e-2, math.Max(fn, 1e-10))) <= 0.5
		if !ok {
			lu := w.luScratch()
			if ok = lu.factor(w.jac); ok {
				copy(w.p, w.g)
				lu.solve(w.p)
			} else {
				r.singular++
			}
		}
		qn := math.Inf(1)
		accepted := false
		if ok {
			pn := fpNorm(w.p)
			scale := 1.0
			if pn > delta {
				scale = delta / pn
			}
			t := scale
			for try := 0; try < 10; try++ {
				for i := range x {
					w.xn[i] = x[i] + t*w.p[i]
				}
				qn = w.sys.residual(w.fn, w.xn)
				// Armijo on q: the directional derivative along p is about −2q.
				if qn <= q*(1-2e-4*t) {
					accepted = true
					break
				}
				t *= 0.5
			}
			if accepted {
				if t == 1 || t == scale && scale < 1 {
					delta = math.Max(delta, 2*t*pn)
				} else {
					delta = math.Max(t*pn, 1e-8)
				}
			}
		}
		if !accepted {
			// Levenberg–Marquardt: (JᵀJ + μ·max diag I) p = −JᵀF.
			accepted, qn = w.lmStep(x, q, &lmMu)
		}
		if !accepted {
			minimum = true
			break // no descent: a minimum of q (slow point) or failure
		}
		dq := q - qn
		copy(x, w.xn)
		copy(w.f, w.fn)
		q = qn
		if dq < s.TolDQ || dq < 1e-2*q {
			stall++
			if stall >= 3 {
				gaussNewton, stall = true, 0
			}
		} else {
			stall = 0
		}
	}
	if q < s.TolQ {
		status = Converged
	} else if q < s.QSlow && minimum {
		status = SlowPoint
	}
	if !fpFinite(x) || math.IsNaN(q) {
		status = NonFinite
	}
	r.iters, r.q, r.status = iters, q, status
	switch status {
	case Converged:
		// Polished later with the factorisation of its Jacobian.
		r.x = append([]float64(nil), x...)
	case SlowPoint:
		if !s.NoPolish {
			r.q = w.polish(x, q)
		}
		r.x = append([]float64(nil), x...)
	case NotConverged:
		r.x = append([]float64(nil), x...)
	}
	return r
}

// lmStep tries Levenberg–Marquardt steps from x (with F in w.f and the
// Jacobian in w.jac), adapting mu, and leaves an accepted point in w.xn,
// w.fn.
func (w *fpWorker) lmStep(x []float64, q float64, mu *float64) (bool, float64) {
	n := w.n
	if w.jtjData == nil {
		w.jtjData = make([]float64, n*n)
		w.lmFactor = make([]float64, n*n)
	}
	// The normal equations are the worker's own: their products may use
	// fused multiply–adds (gemm.Fused), twice as fast as gonum's rounding.
	defer gemm.Fused(w.jtjData, w.lmFactor)()
	raw := w.jac.RawMatrix()
	// g = JᵀF
	blas64.Gemv(blas.Trans, 1, raw, blas64.Vector{N: n, Inc: 1, Data: w.f}, 0, blas64.Vector{N: n, Inc: 1, Data: w.g})
	if w.rate != nil {
		w.rate.normal(w.jtjData, w.sys.net.(model.RateFlow), x, w.sys.u)
	} else {
		jtj := blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: w.jtjData}
		blas64.Syrk(blas.Trans, 1, raw, 0, jtj)
	}
	maxd := 0.0
	for i := 0; i < n; i++ {
		maxd = math.Max(maxd, w.jtjData[i*n+i])
	}
	if maxd == 0 || math.IsNaN(maxd) || math.IsInf(maxd, 0) {
		return false, q
	}
	for try := 0; try < 12; try++ {
		copy(w.lmFactor, w.jtjData)
		for i := 0; i < n; i++ {
			w.lmFactor[i*n+i] += *mu * maxd
		}
		t, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: w.lmFactor})
		if ok {
			for i := range w.p {
				w.p[i] = -w.g[i]
			}
			v := blas64.Vector{N: n, Inc: 1, Data: w.p}
			blas64.Trsv(blas.Trans, t, v)
			blas64.Trsv(blas.NoTrans, t, v)
			for i := range x {
				w.xn[i] = x[i] + w.p[i]
			}
			qn := w.sys.residual(w.fn, w.xn)
			if qn < q {
				*mu = math.Max(*mu/3, 1e-12)
				return true, qn
			}
		}
		*mu *= 4
	}
	return false, q
}

// capture tries chord iterations x ← x − Jac(x*)⁻¹F(x) toward the two
// known points x* nearest to x (those with a stored factorisation). On
// success it returns the index of the point and leaves x within TolUnique
// of it; otherwise it returns −1 and x is undefined. It also returns the
// chord steps spent.
func (w *fpWorker) capture(x []float64, known []fpKnown, s *FixedPointSettings) (int, int) {
	type cand struct {
		j int
		d float64
	}
	var near [2]cand
	nn := 0
	for j := range known {
		if known[j].lu == nil {
			continue
		}
		d := fpDist(known[j].x, x)
		switch {
		case nn < 2:
			near[nn] = cand{j, d}
			nn++
			if nn == 2 && near[1].d < near[0].d {
				near[0], near[1] = near[1], near[0]
			}
		case d < near[0].d:
			near[1], near[0] = near[0], cand{j, d}
		case d < near[1].d:
			near[1] = cand{j, d}
		}
	}
	x0 := w.xn
	copy(x0, x)
	steps := 0
	for _, c := range near[:nn] {
		kp := known[c.j]
		copy(x, x0)
		prev := math.Inf(1)
		for it := 0; it < 30; it++ {
			steps++
			w.sys.residual(w.p, x)
			kp.lu.solve(w.p)
			sn := fpNorm(w.p)
			if !(sn < 0.9*prev) && it >= 2 || math.IsNaN(sn) {
				break
			}
			prev = sn
			for i := range x {
				x[i] -= w.p[i]
			}
			if fpDist(x, kp.x) <= s.TolUnique {
				return c.j, steps
			}
		}
	}
	copy(x, x0)
	return -1, steps
}

// fpRateShared holds what the workers of one search share for a
// model.RateFlow: W, Wᵀ and M = WᵀW (upper triangle), made on first use
// (many searches never take a Levenberg–Marquardt step).
type fpRateShared struct {
	once     sync.Once
	w, wt, m []float64
	inv2     float64
}

// fpRate forms a worker's normal equations from the shared matrices.
type fpRate struct {
	shared *fpRateShared
	d      []float64
}

// normal writes the upper triangle of JᵀJ, J = (−I + W D)/τ the velocity
// Jacobian at x of net, D = diag(d(x)), into dst (N×N, row-major):
//
//	(JᵀJ)_ij = (δ_ij − d_i W_ji − W_ij d_j + d_i M_ij d_j)/τ²,  M = WᵀW,
//
// O(N²) against the O(N³) product. The two agree to rounding
// (TestRateNormalMatchesSyrk).
func (r *fpRate) normal(dst []float64, net model.RateFlow, x, u []float64) {
	sh := r.shared
	n := len(r.d)
	sh.once.Do(func() {
		w, tau := net.RateWeights()
		sh.w = w.RawMatrix().Data
		if st := w.RawMatrix().Stride; st != n {
			sh.w = make([]float64, n*n)
			for i := range n {
				copy(sh.w[i*n:(i+1)*n], w.RawMatrix().Data[i*st:i*st+n])
			}
		}
		sh.wt = make([]float64, n*n)
		for i := range n {
			for j := range n {
				sh.wt[j*n+i] = sh.w[i*n+j]
			}
		}
		sh.m = make([]float64, n*n)
		blas64.Syrk(blas.Trans, 1, blas64.General{Rows: n, Cols: n, Stride: n, Data: sh.w}, 0,
			blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: sh.m})
		sh.inv2 = 1 / (tau * tau)
	})
	d := r.d
	net.RateGain(d, x, u)
	for i := range n {
		di := d[i]
		row := dst[i*n : (i+1)*n]
		wi, wti, mi := sh.w[i*n:(i+1)*n], sh.wt[i*n:(i+1)*n], sh.m[i*n:(i+1)*n]
		for j := i; j < n; j++ {
			dj := d[j]
			row[j] = sh.inv2 * (di*mi[j]*dj - di*wti[j] - wi[j]*dj)
		}
		row[i] += sh.inv2
	}
}
