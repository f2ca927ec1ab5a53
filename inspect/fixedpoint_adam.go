// The Adam method of FindFixedPoints: FixedPointFinder's joint Adam
// descent on the mean q of all candidates, with ReduceLROnPlateau. Its
// settings are FixedPointSettings.LearningRate, LRFactor, LRPatience,
// TolDQ and MaxIters (5000 joint iterations).

package inspect

import (
	"context"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// fpRunAdam runs FixedPointFinder's joint Adam optimisation.
func fpRunAdam(ctx context.Context, p FixedPointProblem, s *FixedPointSettings, res *FixedPointResult) ([]fpCandidate, error) {
	k := len(p.Inits)
	n := p.Net.Dims().State
	cands := make([]fpCandidate, k)
	active := make([]bool, k)
	nActive := 0
	xs := make([][]float64, k)
	m1 := make([][]float64, k)
	m2 := make([][]float64, k)
	qs := make([]float64, k)
	for i, x0 := range p.Inits {
		cands[i].point = -1
		if !fpFinite(x0) {
			cands[i].status, cands[i].q = NonFinite, math.NaN()
			continue
		}
		active[i] = true
		nActive++
		xs[i] = append([]float64(nil), x0...)
		m1[i], m2[i] = make([]float64, n), make([]float64, n)
	}
	workers := make([]*fpWorker, s.Concurrency)
	for i := range workers {
		workers[i] = fpNewWorker(p.Net.Clone(), p.Input)
	}
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	lr := s.LearningRate
	best := math.Inf(1)
	bad := 0
	prev := math.NaN()
	iters := 0
	for iters < s.MaxIters && nActive > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step := iters + 1
		bc1 := 1 - math.Pow(beta1, float64(step))
		bc2 := 1 - math.Pow(beta2, float64(step))
		scale := 1 / float64(nActive)
		if err := fpEach(ctx, workers, k, func(w *fpWorker, i int) {
			if !active[i] {
				return
			}
			x := xs[i]
			qs[i] = w.sys.residual(w.f, x)
			w.sys.jacobian(w.jac, x)
			blas64.Gemv(blas.Trans, scale, w.jac.RawMatrix(), blas64.Vector{N: n, Inc: 1, Data: w.f}, 0, blas64.Vector{N: n, Inc: 1, Data: w.g})
			a, b := m1[i], m2[i]
			for j, g := range w.g {
				a[j] = beta1*a[j] + (1-beta1)*g
				b[j] = beta2*b[j] + (1-beta2)*g*g
				x[j] -= lr / bc1 * a[j] / (math.Sqrt(b[j])/math.Sqrt(bc2) + eps)
			}
		}); err != nil {
			return nil, err
		}
		iters++
		// Loss, in input order; freeze candidates that went non-finite.
		loss, maxq := 0.0, 0.0
		for i := range qs {
			if !active[i] {
				continue
			}
			if math.IsNaN(qs[i]) || math.IsInf(qs[i], 0) || !fpFinite(xs[i]) {
				active[i] = false
				nActive--
				cands[i].status, cands[i].q, cands[i].iters = NonFinite, math.NaN(), iters
				continue
			}
			loss += qs[i]
			maxq = math.Max(maxq, qs[i])
		}
		if nActive == 0 {
			break
		}
		loss *= scale
		// ReduceLROnPlateau(mode min, threshold 1e-4 rel, cooldown 0, eps 1e-8).
		if loss < best*(1-1e-4) {
			best, bad = loss, 0
		} else {
			bad++
		}
		if bad > s.LRPatience {
			if nl := lr * s.LRFactor; lr-nl > 1e-8 {
				lr = nl
			}
			bad = 0
		}
		if maxq < s.TolQ || (!math.IsNaN(prev) && math.Abs(prev-loss) < s.TolDQ*lr) {
			break
		}
		prev = loss
	}
	res.Iterations = iters
	// Final q of every active candidate, then status.
	w := workers[0]
	for i := range cands {
		if !active[i] {
			continue
		}
		q := w.sys.residual(w.f, xs[i])
		c := &cands[i]
		c.x, c.q, c.iters = xs[i], q, iters
		switch {
		case math.IsNaN(q) || math.IsInf(q, 0):
			c.status, c.x = NonFinite, nil
		case q < s.TolQ:
			c.status = Converged
		case q < s.QSlow:
			c.status = SlowPoint
		default:
			c.status = NotConverged
		}
	}
	return cands, nil
}
