package analysis

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/mat"

	"attractor/inspect"
	"attractor/model"
)

// Slow manifolds and ghosts.
//
// A network with a continuous memory holds it on a curve of marginally
// stable or very slow points (a line attractor), which a fixed-point
// search returns as a handful of isolated points along the curve. A
// network can also hold a memory for the length of its training trials on
// a slow point that is no fixed point at all: the ghost of a stable point
// that vanished in a saddle-node bifurcation, from which the state drifts
// away over long holds. [Manifolds] finds the first from the census's
// points and [DriftFrom] tells the second from an attractor.

// SlowSettings are the thresholds of the slow-manifold test and the
// ghost check ([Manifolds], [DriftFrom]); [DefaultSettings] holds the
// defaults, which docs/science.md §9.1 gives with the reasons for each.
// None comes from a paper: the test is ours. Every field is used as given
// and must be positive.
type SlowSettings struct {
	// Tau is the shortest time constant, in steps, of a census point's
	// leading mode for the point to count as slow: |ln|μ|| ≤ 1/Tau for a
	// map, |Re λ|·dt ≤ 1/Tau for a flow (100: the delay of the typical
	// working-memory trial; a mode slower than that holds the memory for
	// a trial).
	Tau float64 `json:"tau_steps"`
	// Samples is the number of states tested between two slow points, and
	// Relax the steps each relaxes first, so that the fast modes have
	// decayed by e^{−Relax/τ_fast} (8 and 100).
	Samples int `json:"samples"`
	Relax   int `json:"relax_steps"`
	// Speed is the largest speed ‖Δx‖/√N per step of a relaxed sample on
	// a slow manifold (1e-3 = 1/(10·Tau): along 10 % of a unit of state
	// the sample moves for at least a trial of Tau steps).
	Speed float64 `json:"speed"`
	// Gap is the largest gap, as a fraction of the segment, between the
	// relaxed samples' positions along the segment (0.35): on a manifold
	// the samples stay spread out; between isolated attractors they
	// collapse onto the ends (or a saddle) and leave a gap.
	Gap float64 `json:"gap"`
	// Neighbours is how many nearest slow points each is paired with (3).
	Neighbours int `json:"neighbours"`
	// MinPoints is the fewest census points a manifold joins (3): two
	// points and the samples between them lie on one segment whatever the
	// dynamics, so their principal components say nothing about a curve
	// (and the gallery's flip-flop GRU joins a stable point to a nearby
	// slow point with a saturated, marginal unit that way).
	MinPoints int `json:"min_points"`
	// MostPoints bounds the slow points the test pairs up (64), and Extend
	// the samples added beyond each end of a manifold (16).
	MostPoints int `json:"most_points"`
	Extend     int `json:"extend"`
	// Local is the number of nearest manifold states (points and samples)
	// that give the curve's local tangent at a point (4), and EigenMaxN
	// the largest network whose eigenvectors are computed for the
	// eigenvector alignment (300).
	Local     int `json:"local"`
	EigenMaxN int `json:"eigen_max_n"`
	// DriftSteps is the longest simulation from a slow point (20,000
	// steps: 200 trials of the typical 100-step delay), cut for large
	// networks to DriftWork/N² steps (a step costs about N² multiply-adds,
	// so 2e9 keeps a point to a second or two), never below 1,000; and
	// DriftMost the most slow points simulated (32).
	DriftSteps int     `json:"drift_steps"`
	DriftWork  float64 `json:"drift_work"`
	DriftMost  int     `json:"drift_most"`
}

// defaultSlow returns the default thresholds of the slow-manifold test.
func defaultSlow() SlowSettings {
	return SlowSettings{Tau: 100, Samples: 8, Relax: 100, Speed: 1e-3, Gap: 0.35, Neighbours: 3, MinPoints: 3,
		MostPoints: 64, Extend: 16, Local: 4, EigenMaxN: 300, DriftSteps: 20000, DriftWork: 2e9, DriftMost: 32}
}

// check returns an error naming the first setting that is out of range.
func (s *SlowSettings) check() error {
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"tau_steps", s.Tau > 0}, {"samples", s.Samples > 0}, {"relax_steps", s.Relax >= 0}, {"speed", s.Speed > 0},
		{"gap", s.Gap > 0 && s.Gap <= 1}, {"neighbours", s.Neighbours > 0}, {"min_points", s.MinPoints >= 2},
		{"most_points", s.MostPoints >= 2}, {"extend", s.Extend >= 0}, {"local", s.Local > 0}, {"eigen_max_n", s.EigenMaxN >= 0},
		{"drift_steps", s.DriftSteps > 0}, {"drift_work", s.DriftWork > 0}, {"drift_most", s.DriftMost >= 0},
	} {
		if !f.ok {
			return fmt.Errorf("analysis: slow-manifold setting %s is out of range (see analysis.SlowSettings)", f.name)
		}
	}
	return nil
}

// Manifold is a slow manifold in a report: a connected set of slow or
// marginal census points joined by states that stay slow after relaxing.
type Manifold struct {
	// Dimension is the number of principal components of the manifold's
	// states needed for 90 % of their variance.
	Dimension int `json:"dimension"`
	// Explained is the fraction of the variance along each component, up
	// to Dimension+1.
	Explained []float64 `json:"explained_variance"`
	// Extent is the range of the states' projections on the first
	// component (2-norm, state units).
	Extent float64 `json:"extent"`
	// Points are the indices of the census points on it (fixed_points).
	Points []int `json:"fixed_points"`
	// States are the relaxed samples between and beyond them, ordered along the first
	// component, and Speeds their speeds ‖Δx‖/√N per step.
	States [][]float64 `json:"states"`
	Speeds []float64   `json:"speeds"`
	// SlowMin and SlowMax are the range of the points' leading eigenvalue
	// (real parts), in Convention.
	SlowMin    float64 `json:"slow_eigenvalue_min"`
	SlowMax    float64 `json:"slow_eigenvalue_max"`
	Convention string  `json:"convention"`
	// Alignment is the mean |cos| between the relaxed samples' velocities
	// and the first component (the flow on a slow curve runs along it);
	// null when every sample is at rest.
	Alignment any `json:"velocity_alignment"`
	// EigenAlignment is the mean |cos| between each point's slow
	// eigenvector (the leading mode of its Jacobian) and the curve's local
	// tangent there (the first principal axis of its Local nearest states
	// on the manifold, SlowSettings); null above EigenMaxN state
	// variables, where the eigenvectors cost too much.
	EigenAlignment any `json:"eigenvector_alignment"`
}

// eigenAlignment returns the mean |cos| between the slow eigenvectors of
// the points at pts and the local tangents of the curve through all.
func eigenAlignment(net model.Network, pts, all [][]float64, u []float64, set *SlowSettings) any {
	n := net.Dims().State
	if n > set.EigenMaxN {
		return nil
	}
	jac := mat.NewDense(n, n, nil)
	var sum float64
	used := 0
	for _, x := range pts {
		net.Jacobian(jac, x, u)
		var eig mat.Eigen
		if !eig.Factorize(jac, mat.EigenRight) {
			continue
		}
		vals := eig.Values(nil)
		best := 0
		for k, v := range vals {
			if real(v) > real(vals[best]) {
				best = k
			}
		}
		if imag(vals[best]) != 0 {
			continue
		}
		var vecs mat.CDense
		eig.VectorsTo(&vecs)
		v := make([]float64, n)
		for i := range v {
			v[i] = real(vecs.At(i, best))
		}
		near := append([][]float64(nil), all...)
		sort.SliceStable(near, func(a, b int) bool { return dist2(near[a], x) < dist2(near[b], x) })
		axis, _ := principal(near[:min(len(near), set.Local+1)])
		var c, vv float64
		for i := range v {
			c += v[i] * axis[i]
			vv += v[i] * v[i]
		}
		sum += math.Abs(c) / math.Sqrt(vv)
		used++
	}
	if used == 0 {
		return nil
	}
	return sum / float64(used)
}

// slowPoint reports whether a census point's leading mode is slow (time
// constant at least tau steps) with at most one growing mode.
func slowPoint(p *inspect.FixedPoint, dt, tau float64) bool {
	if len(p.Eigenvalues.Values) == 0 || p.UnstableDims > 1 {
		return false
	}
	l := p.Eigenvalues.Leading()
	var rate float64 // per step
	if p.Eigenvalues.Convention == inspect.DiscreteMap {
		rate = math.Log(cmplx.Abs(l))
	} else {
		rate = real(l) * dt
	}
	return math.Abs(rate) <= 1/tau
}

// relax runs net from x with input u for steps steps and returns the state
// and its speed ‖Δx‖/√N per step; nil when it diverged.
func relax(net model.Network, x, u []float64, steps int) ([]float64, float64) {
	x = append([]float64(nil), x...)
	y := make([]float64, len(x))
	for range steps {
		net.Step(y, x, u)
		x, y = y, x
	}
	net.Step(y, x, u)
	if !finite(y) {
		return nil, 0
	}
	return x, rmsDist(x, y)
}

// Manifolds finds the slow manifolds among the census's points with the
// thresholds set (nil: the defaults): every pair of slow points (each with
// its set.Neighbours nearest slow neighbours) is joined when set.Samples
// states evenly spaced between them, each relaxed set.Relax steps, are
// slow and stay spread along the segment; the connected groups of
// set.MinPoints or more points are manifolds. Isolated attractors, even
// slow ones, are not joined: the states between them fall onto one end or
// the other.
func Manifolds(ctx context.Context, net model.Network, c *CensusResult, set *SlowSettings) ([]Manifold, error) {
	if set == nil {
		d := defaultSlow()
		set = &d
	}
	if err := set.check(); err != nil {
		return nil, err
	}
	dt := vdt(net)
	var cand []int
	for i := range c.Points {
		if len(cand) < set.MostPoints && slowPoint(&c.Points[i].FixedPoint, dt, set.Tau) {
			cand = append(cand, i)
		}
	}
	if len(cand) < 2 {
		return nil, nil
	}
	type edge struct {
		a, b    int
		states  [][]float64
		speeds  []float64
		joined  bool
		checked bool
	}
	var pairs []*edge
	seen := map[[2]int]bool{}
	for _, i := range cand {
		others := append([]int(nil), cand...)
		sort.SliceStable(others, func(p, q int) bool {
			return dist2(c.Points[i].X, c.Points[others[p]].X) < dist2(c.Points[i].X, c.Points[others[q]].X)
		})
		k := 0
		for _, j := range others {
			if j == i || k >= set.Neighbours {
				continue
			}
			k++
			key := [2]int{min(i, j), max(i, j)}
			if !seen[key] {
				seen[key] = true
				pairs = append(pairs, &edge{a: key[0], b: key[1]})
			}
		}
	}
	err := parallelFor(ctx, len(pairs), 0, func(e int) error {
		p := pairs[e]
		n := net.Clone()
		xa, xb := c.Points[p.a].X, c.Points[p.b].X
		d := make([]float64, len(xa))
		var dd float64
		for i := range d {
			d[i] = xb[i] - xa[i]
			dd += d[i] * d[i]
		}
		ts := []float64{0, 1}
		for k := 1; k <= set.Samples; k++ {
			f := float64(k) / float64(set.Samples+1)
			x := make([]float64, len(xa))
			for i := range x {
				x[i] = xa[i] + f*d[i]
			}
			y, v := relax(n, x, c.Input, set.Relax)
			if y == nil || v > set.Speed {
				return nil
			}
			var t float64
			for i := range y {
				t += (y[i] - xa[i]) * d[i] / dd
			}
			ts = append(ts, t)
			p.states = append(p.states, y)
			p.speeds = append(p.speeds, v)
		}
		sort.Float64s(ts)
		for k := 1; k < len(ts); k++ {
			if ts[k]-ts[k-1] > set.Gap {
				return nil
			}
		}
		p.joined = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Connected groups by union-find.
	parent := map[int]int{}
	var find func(int) int
	find = func(i int) int {
		if _, ok := parent[i]; !ok {
			parent[i] = i
		}
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for _, p := range pairs {
		if p.joined {
			parent[find(p.a)] = find(p.b)
		}
	}
	groups := map[int][]int{}
	for _, i := range cand {
		groups[find(i)] = append(groups[find(i)], i)
	}
	var out []Manifold
	for _, i := range cand {
		g := groups[find(i)]
		if len(g) < set.MinPoints || g[0] != i {
			continue
		}
		in := map[int]bool{}
		for _, j := range g {
			in[j] = true
		}
		m := Manifold{Points: g, Convention: c.Convention.String(), SlowMin: math.Inf(1), SlowMax: math.Inf(-1)}
		var xs [][]float64
		for _, j := range g {
			xs = append(xs, c.Points[j].X)
			l := real(c.Points[j].Eigenvalues.Leading())
			m.SlowMin, m.SlowMax = math.Min(m.SlowMin, l), math.Max(m.SlowMax, l)
		}
		var sts [][]float64
		var sps []float64
		for _, p := range pairs {
			if p.joined && in[p.a] {
				sts = append(sts, p.states...)
				sps = append(sps, p.speeds...)
			}
		}
		m.EigenAlignment = eigenAlignment(net.Clone(), append([][]float64(nil), xs...), append(append([][]float64(nil), xs...), sts...), c.Input, set)
		ext, extSp := extend(net.Clone(), append(xs, sts...), c.Input, set)
		sts, sps = append(sts, ext...), append(sps, extSp...)
		xs = append(xs, sts...)
		axis, expl := principal(xs)
		m.Explained = expl
		cum := 0.0
		for k, e := range expl {
			cum += e
			if cum >= 0.9 {
				m.Dimension = k + 1
				break
			}
		}
		if len(expl) > m.Dimension+1 {
			m.Explained = expl[:m.Dimension+1]
		}
		proj := func(x []float64) float64 {
			var s float64
			for i := range x {
				s += x[i] * axis[i]
			}
			return s
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range xs {
			lo, hi = math.Min(lo, proj(x)), math.Max(hi, proj(x))
		}
		m.Extent = hi - lo
		order := make([]int, len(sts))
		for k := range order {
			order[k] = k
		}
		sort.SliceStable(order, func(a, b int) bool { return proj(sts[order[a]]) < proj(sts[order[b]]) })
		n := net.Clone()
		var cs float64
		moving := 0
		y := make([]float64, net.Dims().State)
		for _, k := range order {
			m.States = append(m.States, sts[k])
			m.Speeds = append(m.Speeds, sps[k])
			n.Step(y, sts[k], c.Input)
			var vv, va float64
			for i := range y {
				v := y[i] - sts[k][i]
				vv += v * v
				va += v * axis[i]
			}
			if vv > 1e-24 {
				cs += math.Abs(va) / math.Sqrt(vv)
				moving++
			}
		}
		m.Alignment = nil
		if moving > 0 {
			m.Alignment = cs / float64(moving)
		}
		out = append(out, m)
	}
	return out, nil
}

// principal returns the first principal axis (unit) of xs and the
// fractions of the variance along every component, largest first.
func principal(xs [][]float64) ([]float64, []float64) {
	n := len(xs[0])
	mean := make([]float64, n)
	for _, x := range xs {
		for i, v := range x {
			mean[i] += v / float64(len(xs))
		}
	}
	cov := mat.NewSymDense(n, nil)
	for _, x := range xs {
		for i := range n {
			for j := i; j < n; j++ {
				cov.SetSym(i, j, cov.At(i, j)+(x[i]-mean[i])*(x[j]-mean[j]))
			}
		}
	}
	var es mat.EigenSym
	if !es.Factorize(cov, true) {
		axis := make([]float64, n)
		axis[0] = 1
		return axis, []float64{1}
	}
	vals := es.Values(nil) // ascending
	var vec mat.Dense
	es.VectorsTo(&vec)
	var tot float64
	for _, v := range vals {
		tot += math.Max(v, 0)
	}
	expl := make([]float64, n)
	for k := range n {
		if tot > 0 {
			expl[k] = math.Max(vals[n-1-k], 0) / tot
		}
	}
	return mat.Col(nil, n-1, &vec), expl
}

// Drift is where the forward simulation from a slow point ends: at an
// attractor after some steps (a ghost, or a saddle's way out) or nowhere
// within the steps simulated (the point holds, as an attractor does).
type Drift struct {
	// Attractor is the index of the attractor reached (attractors), −1
	// when none was reached.
	Attractor int `json:"attractor"`
	// Steps is the step at which the state came within censusNear of it,
	// and Time the same in model time units (Steps·dt; steps for a map).
	Steps int     `json:"steps"`
	Time  float64 `json:"time"`
	// Lengths are trial lengths in steps (doubling from 64) and Moved the
	// distance ‖x(t) − x*‖/√N from the point after each.
	Lengths []int     `json:"trial_lengths"`
	Moved   []float64 `json:"moved"`
	// Simulated is the number of steps simulated.
	Simulated int `json:"simulated"`
}

// DriftFrom simulates net from x with input u for at most steps steps,
// records how far the state has moved after each trial length (64, 128,
// … steps) and ends when it comes within censusNear of one of the
// attractors' states, or comes to rest elsewhere (speed below
// censusSettle per step).
func DriftFrom(net model.Network, x0, u []float64, attractors [][]float64, steps int) Drift {
	d := Drift{Attractor: -1}
	x := append([]float64(nil), x0...)
	y := make([]float64, len(x))
	next := 64
	for t := 1; t <= steps; t++ {
		net.Step(y, x, u)
		x, y = y, x
		if !finite(x) {
			d.Simulated = t
			return d
		}
		if t == next {
			d.Lengths = append(d.Lengths, t)
			d.Moved = append(d.Moved, rmsDist(x, x0))
			next *= 2
		}
		for k, a := range attractors {
			if a != nil && rmsDist(x, a) < censusNear {
				d.Attractor, d.Steps, d.Simulated = k, t, t
				d.Time = float64(t) * vdt(net)
				return d
			}
		}
		if rmsDist(x, y) < censusSettle {
			d.Simulated = t // at rest, on no known attractor
			return d
		}
	}
	d.Simulated = steps
	return d
}

// driftLength returns the steps simulated from a slow point of an
// N-state network: DriftSteps, cut to DriftWork/N², at least 1,000.
func (s *SlowSettings) driftLength(n int) int {
	return max(1000, min(s.DriftSteps, int(s.DriftWork/float64(n*n))))
}

// slowReport adds the slow manifolds and the drift of every slow point to
// r, and a note for each.
func slowReport(ctx context.Context, r *Report, net model.Network, c *CensusResult) error {
	set := &r.Settings.Slow
	ms, err := Manifolds(ctx, net, c, set)
	if err != nil {
		return err
	}
	r.Manifolds = []Manifold{}
	if ms != nil {
		r.Manifolds = ms
	}
	var att [][]float64
	for _, a := range c.Attractors {
		if a.Kind == "FP" {
			att = append(att, a.X)
		} else {
			att = append(att, nil)
		}
	}
	var slow []int
	for i := range c.Points {
		if c.Points[i].Kind == inspect.Slow && len(slow) < set.DriftMost {
			slow = append(slow, i)
		}
	}
	drifts := make([]Drift, len(slow))
	err = parallelFor(ctx, len(slow), 0, func(k int) error {
		x := c.Points[slow[k]].X
		own := make([][]float64, len(att))
		for j, a := range att {
			if a != nil && rmsDist(a, x) >= censusNear {
				own[j] = a
			}
		}
		drifts[k] = DriftFrom(net.Clone(), x, c.Input, own, set.driftLength(len(x)))
		return nil
	})
	if err != nil {
		return err
	}
	for k, i := range slow {
		r.FixedPoints[i].Drift = &drifts[k]
	}
	return nil
}

// extend continues a manifold through states xs beyond both ends along
// its first principal axis: a step of 1/16 of its extent outward from the
// outermost state, relaxed set.Relax steps, is kept while it is slow and
// does not fall back, for at most set.Extend steps. A slow manifold does not end at its outermost
// fixed point: the states beyond it that drift back slowly are on it too
// (a trained line attractor's stable ends sit inside the range it holds).
func extend(net model.Network, xs [][]float64, u []float64, set *SlowSettings) (states [][]float64, speeds []float64) {
	axis, _ := principal(xs)
	proj := func(x []float64) float64 {
		var s float64
		for i := range x {
			s += x[i] * axis[i]
		}
		return s
	}
	lo, hi := 0, 0
	for k, x := range xs {
		if proj(x) < proj(xs[lo]) {
			lo = k
		}
		if proj(x) > proj(xs[hi]) {
			hi = k
		}
	}
	h := (proj(xs[hi]) - proj(xs[lo])) / 16
	if !(h > 0) {
		return nil, nil
	}
	for _, end := range []struct {
		x    []float64
		sign float64
	}{{xs[lo], -1}, {xs[hi], 1}} {
		x := end.x
		for range set.Extend {
			y := make([]float64, len(x))
			for i := range y {
				y[i] = x[i] + end.sign*h*axis[i]
			}
			z, v := relax(net, y, u, set.Relax)
			if z == nil || v > set.Speed || end.sign*(proj(z)-proj(x)) < h/4 {
				break
			}
			states, speeds = append(states, z), append(speeds, v)
			x = z
		}
	}
	return states, speeds
}
