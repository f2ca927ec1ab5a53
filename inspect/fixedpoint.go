package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// Method is the optimiser [FindFixedPoints] uses on q.
type Method int

const (
	// TrustRegion (the default) is a damped Newton method on F(x) = 0 with
	// the analytic Jacobian: the Newton step −Jac⁻¹F, clipped to a trust
	// radius and backtracked until q decreases, falling back to the
	// Levenberg–Marquardt step −(JacᵀJac + μI)⁻¹JacᵀF when Jac is singular
	// or the Newton step fails. When Newton steps stop lowering q by more
	// than 1 % (near-singular Jac on a slow manifold, or a positive minimum
	// of q), the candidate continues with Levenberg–Marquardt steps alone
	// until q < TolQ or no step lowers q. Candidates are solved in batches of
	// Settings.Batch in input order; a candidate stops as soon as it comes
	// within TolUnique of a point already converged, and before its own
	// solve it first tries chord steps x ← x − Jac(x*)⁻¹F(x) with the stored
	// factorisation of the two nearest converged points x* (cheap, O(N²)
	// each). Unique points are then polished by Newton steps.
	TrustRegion Method = iota
	// Adam is FixedPointFinder's method: all candidates are optimised jointly
	// on the mean of q by Adam (β = 0.9, 0.999, ε = 1e-8, lr 1.0) with
	// PyTorch's ReduceLROnPlateau (factor 0.95, patience 2, relative
	// threshold 1e-4), stopping when every q < TolQ, when the mean q changes
	// by less than TolDQ·lr, or after MaxIters iterations.
	Adam
)

// String returns "trust-region" or "adam".
func (m Method) String() string {
	switch m {
	case TrustRegion:
		return "trust-region"
	case Adam:
		return "adam"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// FixedPointProblem is a fixed-point search: the network, the input held
// fixed during the search, and the initial states.
type FixedPointProblem struct {
	// Net is the network. When it is a [model.Flow] the search solves
	// F(x, u) = 0 for its velocity F and reports continuous-time
	// eigenvalues; otherwise it solves f(x, u) − x = 0 for its step f and
	// reports discrete-map multipliers.
	Net model.Network
	// Input is the frozen input u (nil means zero input).
	Input []float64
	// Inits are the initial states, each of length Net.Dims().State,
	// usually sampled from trajectories with a little noise.
	Inits [][]float64
}

// FixedPointSettings tunes [FindFixedPoints]. A zero field takes the
// default shown, which for the shared fields is FixedPointFinder's (Golub &
// Sussillo 2018); a nil *FixedPointSettings means all defaults.
type FixedPointSettings struct {
	Method Method // TrustRegion

	TolQ      float64 // 1e-12: a candidate with q < TolQ has converged to a fixed point
	TolDQ     float64 // 1e-20: Adam stops when |Δ mean q| < TolDQ·lr; TrustRegion stops a candidate when q falls by less
	MaxIters  int     // 5000 for Adam, 200 per candidate for TrustRegion
	TolUnique float64 // 1e-3: points closer than this (2-norm) are one point, keeping the lower q
	QSlow     float64 // 1e-4: TolQ ≤ q < QSlow is a slow point; q ≥ QSlow did not converge

	// KeepDistanceOutliers disables FixedPointFinder's default exclusion of
	// points whose distance to the centroid of Inits, divided by the mean
	// init-to-centroid distance, is at least OutlierDistanceScale.
	KeepDistanceOutliers bool
	OutlierDistanceScale float64 // 10

	// TolMarginal is the tolerance on Re λ (continuous time) or |μ| − 1
	// (discrete map) within which a mode counts as marginal. Default 1e-3.
	TolMarginal float64

	LearningRate float64 // Adam: 1.0
	LRFactor     float64 // Adam: ReduceLROnPlateau factor 0.95
	LRPatience   int     // Adam: ReduceLROnPlateau patience 2

	Batch     int  // TrustRegion: largest batch of candidates solved at once, 8; results do not depend on Concurrency
	NoCapture bool // TrustRegion: disable the early merging of candidates into converged points
	NoPolish  bool // skip the Newton polishing of the unique points
	NoSpectra bool // skip the eigenvalues (Kind is then decided by q only: Stable or Slow)
	// GrowingOnly computes, instead of the full spectrum, only the
	// eigenvalues with growth above −10·TolMarginal (and at least the
	// leading one) with [GrowingEigenvalues]: enough for Kind,
	// UnstableDims and MarginalDims, and at N = 1000 tens of times faster
	// than the full spectrum when few modes grow.
	GrowingOnly bool
	Concurrency int // goroutines; 0 means runtime.GOMAXPROCS(0)
}

// DefaultFixedPointSettings returns the settings with every default filled in.
func DefaultFixedPointSettings() *FixedPointSettings {
	s := &FixedPointSettings{}
	s.fill()
	return s
}

// fill replaces zero fields by their defaults.
func (s *FixedPointSettings) fill() {
	setF := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setF(&s.TolQ, 1e-12)
	setF(&s.TolDQ, 1e-20)
	setF(&s.TolUnique, 1e-3)
	setF(&s.QSlow, 1e-4)
	setF(&s.OutlierDistanceScale, 10)
	setF(&s.TolMarginal, 1e-3)
	setF(&s.LearningRate, 1.0)
	setF(&s.LRFactor, 0.95)
	if s.LRPatience == 0 {
		s.LRPatience = 2
	}
	if s.MaxIters == 0 {
		s.MaxIters = 200
		if s.Method == Adam {
			s.MaxIters = 5000
		}
	}
	if s.Batch <= 0 {
		s.Batch = 8
	}
	if s.Concurrency <= 0 {
		s.Concurrency = runtime.GOMAXPROCS(0)
	}
}

// Status is how the search of one candidate ended.
type Status int

const (
	// Converged: q < TolQ.
	Converged Status = iota
	// Captured: the candidate came within TolUnique of a point already
	// converged and stopped there (TrustRegion only).
	Captured
	// SlowPoint: the search stopped at TolQ ≤ q < QSlow. TrustRegion
	// reports it only at a local minimum of q (no step lowers q); Adam
	// whenever its final q is in that range.
	SlowPoint
	// NotConverged: the search stopped with q ≥ QSlow, or (TrustRegion)
	// at the iteration limit while q was still falling.
	NotConverged
	// NonFinite: the initial state, or an iterate, held a NaN or infinity.
	NonFinite
)

// String returns the lower-case name of the status.
func (s Status) String() string {
	switch s {
	case Converged:
		return "converged"
	case Captured:
		return "captured"
	case SlowPoint:
		return "slow"
	case NotConverged:
		return "not converged"
	case NonFinite:
		return "non-finite"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Candidate is the outcome of the search from one initial state.
type Candidate struct {
	Status Status
	Q      float64 // q at the end of its search (the lowest reached by TrustRegion)
	Iters  int     // iterations spent on it (Adam: the joint iteration count)
	// Singular counts iterations whose Jacobian was numerically singular
	// (reciprocal condition number below 1e-14).
	Singular int
	// Point is the index in Result.Points of the point the candidate ended
	// at, or −1 (not converged, non-finite, or a dropped distance outlier).
	Point int
}

// FixedPoint is one unique fixed or slow point.
type FixedPoint struct {
	X []float64 // the state
	Q float64   // the speed ½|F(X)|²
	// Kind is the class: Slow when Q ≥ TolQ, otherwise decided by the
	// spectrum (Stable when NoSpectra is set).
	Kind Kind
	// UnstableDims and MarginalDims count the growing and marginal modes.
	UnstableDims, MarginalDims int
	// Eigenvalues is the spectrum of the Jacobian at X, sorted from the most
	// unstable mode: rates of ∂F/∂x for a Flow, multipliers of ∂f/∂x for a
	// plain Network. Empty when NoSpectra is set; only the growing and
	// marginal modes, and at least the leading one, when GrowingOnly is set.
	Eigenvalues Spectrum
	// Count is the number of candidates that ended at this point.
	Count int
}

// FixedPointResult is the outcome of [FindFixedPoints].
type FixedPointResult struct {
	// Points are the unique fixed and slow points, in the order in which
	// their first candidate appears in Inits.
	Points []FixedPoint
	// Candidates holds the outcome for every initial state, in input order.
	Candidates []Candidate
	// Convention is that of the eigenvalues in Points.
	Convention Convention
	Method     Method
	// Iterations is the number of joint iterations (Adam) or the total over
	// candidates (TrustRegion).
	Iterations int
	// Counts of candidates by outcome.
	Converged, Captured, Slow, NotConverged, NonFinite int
	// DistanceOutliers is the number of unique points dropped as distance
	// outliers (see [ExcludeDistanceOutliers]).
	DistanceOutliers int
	// BestQ is the lowest q among candidates that did not converge (NaN if
	// all converged or were non-finite).
	BestQ float64
	// Runtime is the wall time of the search.
	Runtime time.Duration
}

// ErrNoInits is returned when a problem has no initial states.
var ErrNoInits = errors.New("inspect: fixed-point problem has no initial states")

// FindFixedPoints searches for fixed and slow points of p.Net with the input
// frozen at p.Input, starting from every state of p.Inits.
//
// It minimises q(x) = ½|F(x)|² with gradient Jac(x)ᵀF(x), where F is the
// velocity of a Flow (continuous-time convention, in the model's time
// units) or F(x) = f(x) − x for a plain Network. Points closer than
// TolUnique are merged keeping the lower q, distance outliers are dropped,
// the unique points are polished by Newton steps, and each is classified
// from its Jacobian spectrum. The search is parallel over candidates (one
// Clone of the network per goroutine) and its result does not depend on
// Concurrency. The context is checked every iteration; on cancellation
// FindFixedPoints returns ctx.Err() (a single eigenvalue decomposition,
// about a second at N = 1000, is not interrupted). Non-finite states,
// non-convergence and
// singular Jacobians are reported in the result, never as a panic.
func FindFixedPoints(ctx context.Context, p FixedPointProblem, s *FixedPointSettings) (*FixedPointResult, error) {
	start := time.Now()
	var set FixedPointSettings
	if s != nil {
		set = *s
	}
	set.fill()
	if p.Net == nil {
		return nil, errors.New("inspect: fixed-point problem has no network")
	}
	if len(p.Inits) == 0 {
		return nil, ErrNoInits
	}
	d := p.Net.Dims()
	for i, x := range p.Inits {
		if len(x) != d.State {
			return nil, fmt.Errorf("inspect: init %d has length %d, want %d", i, len(x), d.State)
		}
	}
	if p.Input != nil && len(p.Input) != d.Input {
		return nil, fmt.Errorf("inspect: input has length %d, want %d", len(p.Input), d.Input)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conv := DiscreteMap
	if _, ok := p.Net.(model.Flow); ok {
		conv = ContinuousTime
	}
	res := &FixedPointResult{Convention: conv, Method: set.Method}

	var cands []fpCandidate
	var err error
	switch set.Method {
	case TrustRegion:
		cands, err = fpRunTrustRegion(ctx, p, &set, res)
	case Adam:
		cands, err = fpRunAdam(ctx, p, &set, res)
	default:
		return nil, fmt.Errorf("inspect: unknown method %v", set.Method)
	}
	if err != nil {
		return nil, err
	}
	if err := fpFinish(ctx, p, &set, res, cands); err != nil {
		return nil, err
	}
	res.Runtime = time.Since(start)
	return res, nil
}

// fpCandidate is the internal outcome of one candidate's search.
type fpCandidate struct {
	x        []float64 // final state (nil for non-finite)
	q        float64
	status   Status
	iters    int
	singular int
	point    int // index into the search's point list for Captured, else −1
}

// fpSystem evaluates F and its Jacobian for one goroutine.
type fpSystem struct {
	net  model.Network
	flow model.Flow // nil for a plain map
	u    []float64
	n    int
	tmp  []float64
}

func fpNewSystem(net model.Network, u []float64) *fpSystem {
	s := &fpSystem{net: net, u: u, n: net.Dims().State}
	s.flow, _ = net.(model.Flow)
	s.tmp = make([]float64, s.n)
	return s
}

// residual writes F(x) into dst and returns q = ½|F|².
func (s *fpSystem) residual(dst, x []float64) float64 {
	if s.flow != nil {
		s.flow.Velocity(dst, x, s.u)
	} else {
		s.net.Step(dst, x, s.u)
		for i := range dst {
			dst[i] -= x[i]
		}
	}
	return 0.5 * fpDot(dst, dst)
}

// jacobian writes ∂F/∂x at x into dst.
func (s *fpSystem) jacobian(dst *mat.Dense, x []float64) {
	if s.flow != nil {
		s.flow.VelocityJacobian(dst, x, s.u)
		return
	}
	s.net.Jacobian(dst, x, s.u)
	raw := dst.RawMatrix()
	for i := 0; i < s.n; i++ {
		raw.Data[i*raw.Stride+i]--
	}
}

// spectrumJacobian writes the Jacobian whose eigenvalues are reported:
// ∂F/∂x for a flow, ∂f/∂x for a map.
func (s *fpSystem) spectrumJacobian(dst *mat.Dense, x []float64) {
	if s.flow != nil {
		s.flow.VelocityJacobian(dst, x, s.u)
		return
	}
	s.net.Jacobian(dst, x, s.u)
}

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
	for i := range workers {
		workers[i] = fpNewWorker(p.Net.Clone(), p.Input)
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

// fpEach runs fn(w, i) for i in [0, n) over the workers, handing out
// indices in order; the outcome of each i must not depend on which worker
// runs it.
func fpEach(ctx context.Context, workers []*fpWorker, n int, fn func(w *fpWorker, i int)) error {
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, w := range workers[:min(len(workers), n)] {
		wg.Add(1)
		go func(w *fpWorker) {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(w, i)
			}
		}(w)
	}
	wg.Wait()
	return ctx.Err()
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
	raw := w.jac.RawMatrix()
	// g = JᵀF
	blas64.Gemv(blas.Trans, 1, raw, blas64.Vector{N: n, Inc: 1, Data: w.f}, 0, blas64.Vector{N: n, Inc: 1, Data: w.g})
	jtj := blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: w.jtjData}
	blas64.Syrk(blas.Trans, 1, raw, 0, jtj)
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
		var wg sync.WaitGroup
		for wi, w := range workers {
			wg.Add(1)
			go func(wi int, w *fpWorker) {
				defer wg.Done()
				for i := wi; i < k; i += len(workers) {
					if !active[i] {
						continue
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
				}
			}(wi, w)
		}
		wg.Wait()
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

// fpFinish merges candidates into unique points, polishes them (Adam),
// drops distance outliers, computes spectra and fills res.
func fpFinish(ctx context.Context, p FixedPointProblem, s *FixedPointSettings, res *FixedPointResult, cands []fpCandidate) error {
	res.BestQ = math.NaN()
	var idx []int // candidates that take part in the merge
	for i, c := range cands {
		switch c.status {
		case Converged:
			res.Converged++
		case Captured:
			res.Captured++
		case SlowPoint:
			res.Slow++
		case NotConverged:
			res.NotConverged++
		case NonFinite:
			res.NonFinite++
		}
		if c.status == NotConverged || c.status == SlowPoint {
			if math.IsNaN(res.BestQ) || c.q < res.BestQ {
				res.BestQ = c.q
			}
		}
		if c.status == Converged || c.status == Captured || c.status == SlowPoint {
			idx = append(idx, i)
		}
	}
	// Captured candidates carry the state of their point and must not win
	// the representative: give them q = +Inf for the merge.
	xs := make([][]float64, len(idx))
	qs := make([]float64, len(idx))
	for j, i := range idx {
		xs[j] = cands[i].x
		qs[j] = cands[i].q
		if cands[i].status == Captured {
			qs[j] = math.Inf(1)
		}
	}
	rep := fpMergeIndex(xs, qs, s.TolUnique)
	reps := fpRepresentatives(rep)
	pts := make([]FixedPoint, len(reps))
	ptOf := make(map[int]int, len(reps))
	for pi, r := range reps {
		pts[pi] = FixedPoint{X: append([]float64(nil), xs[r]...), Q: qs[r]}
		ptOf[r] = pi
	}
	for j := range idx {
		pts[ptOf[rep[j]]].Count++
	}
	sys := fpNewSystem(p.Net.Clone(), p.Input)
	for pi := range pts {
		pts[pi].Q = sys.residual(make([]float64, len(pts[pi].X)), pts[pi].X)
	}
	// Adam: polish the unique points, then merge again.
	candPoint := make([]int, len(pts)) // point index before the second merge → after
	for i := range candPoint {
		candPoint[i] = i
	}
	if s.Method == Adam && !s.NoPolish && len(pts) > 0 {
		if err := fpParallel(ctx, p, s, len(pts), func(w *fpWorker, i int) {
			pts[i].Q = w.polish(pts[i].X, pts[i].Q)
		}); err != nil {
			return err
		}
		px := make([][]float64, len(pts))
		pq := make([]float64, len(pts))
		for i := range pts {
			px[i], pq[i] = pts[i].X, pts[i].Q
		}
		rep2 := fpMergeIndex(px, pq, s.TolUnique)
		reps2 := fpRepresentatives(rep2)
		pts2 := make([]FixedPoint, len(reps2))
		at := make(map[int]int, len(reps2))
		for pi, r := range reps2 {
			pts2[pi] = pts[r]
			pts2[pi].Count = 0
			at[r] = pi
		}
		for i := range pts {
			candPoint[i] = at[rep2[i]]
			pts2[candPoint[i]].Count += pts[i].Count
		}
		pts = pts2
	}
	// Distance outliers.
	keep := make([]bool, len(pts))
	for i := range keep {
		keep[i] = true
	}
	if !s.KeepDistanceOutliers {
		keep = fpOutlierMask(pts, p.Inits, s.OutlierDistanceScale)
	}
	final := make([]int, len(pts))
	var out []FixedPoint
	for i := range pts {
		if keep[i] {
			final[i] = len(out)
			out = append(out, pts[i])
		} else {
			final[i] = -1
			res.DistanceOutliers++
		}
	}
	for i := range cands {
		cands[i].point = -1
	}
	for j, i := range idx {
		cands[i].point = final[candPoint[ptOf[rep[j]]]]
	}
	// Spectra and kinds.
	if !s.NoSpectra && len(out) > 0 {
		errs := make([]error, len(out))
		if err := fpParallel(ctx, p, s, len(out), func(w *fpWorker, i int) {
			w.sys.spectrumJacobian(w.jac, out[i].X)
			var vals []complex128
			var err error
			if s.GrowingOnly {
				vals, err = GrowingEigenvalues(nil, w.jac, res.Convention, -10*s.TolMarginal)
			} else {
				vals, err = Eigenvalues(nil, w.jac)
			}
			errs[i] = err
			sp := Spectrum{Values: vals, Convention: res.Convention}
			if f, ok := p.Net.(model.Flow); ok {
				sp.Dt = f.Dt()
			}
			sp.Sort()
			out[i].Eigenvalues = sp
			out[i].Kind, out[i].UnstableDims, out[i].MarginalDims = sp.Classify(s.TolMarginal)
			if out[i].Kind == Unstable && len(vals) < w.n {
				// The modes left out are stable.
				out[i].Kind = Saddle
			}
		}); err != nil {
			return err
		}
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	} else {
		for i := range out {
			out[i].Eigenvalues.Convention = res.Convention
		}
	}
	for i := range out {
		if out[i].Q >= s.TolQ {
			out[i].Kind = Slow
		}
	}
	// Order points by their first candidate in input order.
	first := make([]int, len(out))
	for i := range first {
		first[i] = math.MaxInt
	}
	for i := len(cands) - 1; i >= 0; i-- {
		if pt := cands[i].point; pt >= 0 {
			first[pt] = i
		}
	}
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return first[order[a]] < first[order[b]] })
	inv := make([]int, len(out))
	sorted := make([]FixedPoint, len(out))
	for newI, oldI := range order {
		sorted[newI] = out[oldI]
		inv[oldI] = newI
	}
	for i := range cands {
		if pt := cands[i].point; pt >= 0 {
			cands[i].point = inv[pt]
		}
	}
	res.Points = sorted
	res.Candidates = make([]Candidate, len(cands))
	for i, c := range cands {
		res.Candidates[i] = Candidate{Status: c.status, Q: c.q, Iters: c.iters, Singular: c.singular, Point: c.point}
	}
	return ctx.Err()
}

// fpParallel runs fn(w, i) for i in [0, n) over Concurrency workers.
func fpParallel(ctx context.Context, p FixedPointProblem, s *FixedPointSettings, n int, fn func(w *fpWorker, i int)) error {
	nw := min(s.Concurrency, n)
	var wg sync.WaitGroup
	for wi := 0; wi < nw; wi++ {
		wg.Add(1)
		go func(wi int) {
			defer wg.Done()
			w := fpNewWorker(p.Net.Clone(), p.Input)
			for i := wi; i < n; i += nw {
				if ctx.Err() != nil {
					return
				}
				fn(w, i)
			}
		}(wi)
	}
	wg.Wait()
	return ctx.Err()
}

// fpMergeIndex returns, for every point, the index of its representative:
// points are visited by increasing q (ties in input order) and each joins
// the first kept point within tol (2-norm), or is kept itself.
func fpMergeIndex(xs [][]float64, qs []float64, tol float64) []int {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return fpLess(qs[order[a]], qs[order[b]]) })
	rep := make([]int, len(xs))
	var kept []int
	for _, i := range order {
		rep[i] = i
		for _, j := range kept {
			if fpDist(xs[i], xs[j]) <= tol {
				rep[i] = j
				break
			}
		}
		if rep[i] == i {
			kept = append(kept, i)
		}
	}
	return rep
}

// fpLess orders q values with NaN last.
func fpLess(a, b float64) bool {
	if math.IsNaN(b) {
		return !math.IsNaN(a)
	}
	return a < b
}

// fpRepresentatives lists the representatives of rep in increasing order.
func fpRepresentatives(rep []int) []int {
	var out []int
	for i, r := range rep {
		if r == i {
			out = append(out, i)
		}
	}
	return out
}

// MergeUnique merges points closer than tol (Euclidean norm of the
// difference of X) as FixedPointFinder does: visiting points by increasing
// Q, each point joins the first kept point within tol, so that among
// duplicates the one with the lowest Q is kept (science spec EC-31). The
// Count of a kept point becomes the sum of the Counts it absorbed (a zero
// Count counts as 1). Kept points are returned by increasing Q.
func MergeUnique(points []FixedPoint, tol float64) []FixedPoint {
	xs := make([][]float64, len(points))
	qs := make([]float64, len(points))
	for i := range points {
		xs[i], qs[i] = points[i].X, points[i].Q
	}
	rep := fpMergeIndex(xs, qs, tol)
	counts := make(map[int]int)
	for i, r := range rep {
		counts[r] += max(points[i].Count, 1)
	}
	var out []FixedPoint
	for _, r := range fpRepresentatives(rep) {
		pt := points[r]
		pt.Count = counts[r]
		out = append(out, pt)
	}
	sort.SliceStable(out, func(a, b int) bool { return fpLess(out[a].Q, out[b].Q) })
	return out
}

// ExcludeDistanceOutliers drops the points whose distance to the centroid
// of inits, divided by the mean distance of the inits to that centroid, is
// at least scale (FixedPointFinder's outlier_distance_scale, default 10;
// science spec EC-31). It returns the kept points, in order, and the
// number dropped. With no inits, or inits all at one state, nothing is
// dropped.
func ExcludeDistanceOutliers(points []FixedPoint, inits [][]float64, scale float64) (kept []FixedPoint, dropped int) {
	keep := fpOutlierMask(points, inits, scale)
	for i, k := range keep {
		if k {
			kept = append(kept, points[i])
		} else {
			dropped++
		}
	}
	return kept, dropped
}

// fpOutlierMask reports which points ExcludeDistanceOutliers keeps.
func fpOutlierMask(points []FixedPoint, inits [][]float64, scale float64) []bool {
	keep := make([]bool, len(points))
	for i := range keep {
		keep[i] = true
	}
	if len(inits) == 0 {
		return keep
	}
	n := len(inits[0])
	centroid := make([]float64, n)
	cnt := 0
	for _, x := range inits {
		if !fpFinite(x) {
			continue
		}
		cnt++
		for j, v := range x {
			centroid[j] += v
		}
	}
	if cnt == 0 {
		return keep
	}
	for j := range centroid {
		centroid[j] /= float64(cnt)
	}
	mean := 0.0
	for _, x := range inits {
		if fpFinite(x) {
			mean += fpDist(x, centroid)
		}
	}
	mean /= float64(cnt)
	if mean == 0 {
		return keep
	}
	for i := range points {
		if len(points[i].X) == n && fpDist(points[i].X, centroid)/mean >= scale {
			keep[i] = false
		}
	}
	return keep
}

func fpDot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

func fpNorm(a []float64) float64 { return math.Sqrt(fpDot(a, a)) }

func fpDist(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

func fpFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
