package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"time"

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
	// DenseNormal forms TrustRegion's Levenberg–Marquardt normal equations
	// JᵀJ by the O(N³) product of the dense Jacobian also for a
	// [model.RateFlow], whose JᵀJ is otherwise formed from WᵀW in O(N²)
	// per step (the path before issue 18, kept for comparison).
	DenseNormal bool
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

// fpEach runs fn(w, i) for i in [0, n) over the workers; the outcome of
// each i must not depend on which worker runs it.
func fpEach(ctx context.Context, workers []*fpWorker, n int, fn func(w *fpWorker, i int)) error {
	return parallelFor(ctx, n, len(workers), nil, func(w, i int) error { fn(workers[w], i); return nil })
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
	workers := make([]*fpWorker, poolSize(n, s.Concurrency))
	for i := range workers {
		workers[i] = fpNewWorker(p.Net.Clone(), p.Input)
	}
	return fpEach(ctx, workers, n, fn)
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
