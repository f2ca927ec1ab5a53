package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"attractor/model"
)

// LandscapeProblem is an ordered family of networks — checkpoints along
// training, or networks along one parameter of a sweep — whose attractor
// landscape is followed from one to the next.
type LandscapeProblem struct {
	// Nets are the networks in order; all have the same state size.
	Nets []model.Network
	// Steps is the training step (or parameter value) of each network.
	Steps []float64
	// Input is the input held fixed during the search and the simulations
	// (nil: zero input).
	Input []float64
	// Starts returns fresh initial states for network i, usually states
	// sampled along its trajectories under task inputs (fixed-point-finder's
	// sample_states). They seed the fixed-point search and are the
	// trajectory-sampled starts of the basin fractions.
	Starts func(ctx context.Context, i int, net model.Network) ([][]float64, error)
	// Seeds, if set, returns more initial states for network i that seed
	// the fixed-point search alone (they are not simulated and not in the
	// basin fractions), such as trajectory states displaced by noise, which
	// bring the search near the saddles between the attractors that the
	// trajectories themselves do not visit; a warm-started census takes
	// Fresh of them.
	Seeds func(ctx context.Context, i int, net model.Network) ([][]float64, error)
}

// LandscapeSettings tunes [Landscape]. A zero field takes the default shown;
// a nil *LandscapeSettings means all defaults.
type LandscapeSettings struct {
	// Fixed are the settings of each fixed-point search (nil: defaults).
	Fixed *FixedPointSettings
	// Cold disables the warm start: every census then searches from all
	// its fresh starts (what one inspect per checkpoint would do).
	Cold bool
	// Fresh (16) is the number of fresh starts added to the previous
	// checkpoint's points and cycle states in a warm-started search; the
	// first network, and every network when Cold is set, uses all of them.
	Fresh int
	// MatchTol (0.1) is the largest RMS distance ‖a − b‖/√N at which a
	// point (or cycle) of one checkpoint continues one of the previous.
	MatchTol float64
	// PairTol (0.5) is the largest RMS distance between the two points of
	// a saddle-node pair, between a pitchfork's parent and its children,
	// and between a Hopf point and its cycle.
	PairTol float64
	// RunSteps (2000) is the length of every forward simulation, in steps
	// of the network, and WindowSteps (200) the final window Settle judges.
	RunSteps, WindowSteps int
	// Basins, when set, adds the basin fractions of each checkpoint
	// (trajectory-sampled starts, and the Gaussian cloud and noise levels
	// of BasinSettings).
	Basins bool
	// BasinSettings are the settings of those fractions.
	BasinSettings BasinSettings
	// Progress, if set, is called after each network's census.
	Progress func(done, total int)
}

func (s *LandscapeSettings) fill() {
	if s.Fresh <= 0 {
		s.Fresh = 16
	}
	vdDefault(&s.MatchTol, 0.1)
	vdDefault(&s.PairTol, 0.5)
	if s.RunSteps <= 0 {
		s.RunSteps = 2000
	}
	if s.WindowSteps <= 0 {
		s.WindowSteps = 200
	}
}

// LandscapePoint is one fixed point of a checkpoint, with the branch it
// belongs to across checkpoints.
type LandscapePoint struct {
	ID           int        `json:"id"` // branch: the same ID at successive checkpoints is one continued point
	Kind         string     `json:"kind"`
	UnstableDims int        `json:"unstable_dims"`
	Leading      [2]float64 `json:"leading"` // leading eigenvalue (re, im) in the result's convention
	Q            float64    `json:"q"`
	X            []float64  `json:"x"`
	Readout      []float64  `json:"readout,omitempty"`
}

// LandscapeCycle is one limit cycle of a checkpoint.
type LandscapeCycle struct {
	ID        int       `json:"id"`
	Period    float64   `json:"period"`    // model time units (steps for a map)
	Amplitude float64   `json:"amplitude"` // RMS radius of the orbit about its mean, /√N
	X         []float64 `json:"x"`         // a state on the orbit
	orbit     [][]float64
}

// LandscapeCheckpoint is the census of one network.
type LandscapeCheckpoint struct {
	Step    float64          `json:"step"`
	Stable  int              `json:"stable"`
	Saddles int              `json:"saddles"`
	Cycles  int              `json:"cycles"`
	Points  []LandscapePoint `json:"points"`
	Orbits  []LandscapeCycle `json:"cycle_list"`
	// Search is the census's cost: starts, iterations and wall time.
	Search struct {
		Inits      int     `json:"inits"`
		Warm       int     `json:"warm"`
		Iterations int     `json:"iterations"`
		Seconds    float64 `json:"seconds"`
	} `json:"search"`
	Basins *BasinReport `json:"basins,omitempty"`

	// n is the network's state size; ends are where the starts ended
	// after RunSteps steps.
	n    int
	ends [][]float64
	// warmTo[j] is the index in Points where the warm start from point j
	// of the previous checkpoint ended (−1: nowhere); nil for a cold census.
	warmTo []int
}

// Event kinds of a landscape.
const (
	EventBirth      = "birth"       // a stable point appears (Via says how)
	EventDeath      = "death"       // a stable point disappears without a saddle
	EventSaddleNode = "saddle-node" // a stable point and a saddle merge and vanish
	EventPitchfork  = "pitchfork"   // a stable point turns saddle and two stable points split off it
	EventHopf       = "hopf"        // a stable point loses stability to a complex pair (a cycle is born about it)
	EventLoss       = "stability-loss"
	EventGain       = "stability-gain"
	EventCycleBirth = "cycle-birth"
	EventCycleDeath = "cycle-death"
)

// LandscapeEvent is a change of the landscape between two successive
// checkpoints: it happened after From and by Step.
type LandscapeEvent struct {
	Step float64 `json:"step"`
	From float64 `json:"from"`
	Kind string  `json:"kind"`
	// Via names the bifurcation that gave a birth ("saddle-node",
	// "pitchfork") when one was seen.
	Via string `json:"via,omitempty"`
	// Points are the branch IDs involved (for cycle events, cycle IDs).
	Points []int `json:"points"`
	// Cycle is the ID of the cycle a Hopf point gave birth to, when one
	// was found.
	Cycle *int `json:"cycle,omitempty"`
}

// LandscapeResult is the outcome of [Landscape].
type LandscapeResult struct {
	Convention  Convention            `json:"-"`
	Checkpoints []LandscapeCheckpoint `json:"checkpoints"`
	Events      []LandscapeEvent      `json:"events"`
	Runtime     time.Duration         `json:"-"`
}

// Landscape follows the fixed points and limit cycles of p.Nets from one
// network to the next, in the manner of Attractors.jl's global
// continuation (Datseris, Rossi & Wagemakers 2023) with training step as
// the parameter:
//
//  1. the census of network i searches fixed points from the previous
//     network's points and cycle states (warm start) plus Fresh new starts;
//     forward simulations from every fresh start (RunSteps steps) find the
//     stable points by simulation too and, with [Settle], the limit cycles;
//  2. points and cycles are matched to the previous network's by distance
//     (nearest pairs first, within MatchTol), so a branch keeps its ID;
//  3. the changes between successive networks become events, told apart by
//     the eigen-structure: a stable point lost together with a nearby
//     saddle is a saddle-node; one that turns saddle along a real mode
//     while two stable points appear beside it is a pitchfork; one that
//     turns unstable along a complex pair is a Hopf point (with the cycle
//     born about it when one is found); cycles are born and die.
//
// An event's Step is the first network that shows it; it happened between
// From and Step, so its resolution is the spacing of the networks.
func Landscape(ctx context.Context, p LandscapeProblem, s *LandscapeSettings) (*LandscapeResult, error) {
	if len(p.Nets) == 0 {
		return nil, errors.New("inspect: landscape of no networks")
	}
	if len(p.Steps) != len(p.Nets) {
		return nil, fmt.Errorf("inspect: landscape: %d steps for %d networks", len(p.Steps), len(p.Nets))
	}
	if p.Starts == nil {
		return nil, errors.New("inspect: landscape: no Starts")
	}
	t0 := time.Now()
	c := NewContinuation(p.Input, s)
	for i, net := range p.Nets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		starts, err := p.Starts(ctx, i, net)
		if err != nil {
			return nil, fmt.Errorf("inspect: landscape: starts of network %d: %w", i, err)
		}
		var seeds [][]float64
		if p.Seeds != nil {
			if seeds, err = p.Seeds(ctx, i, net); err != nil {
				return nil, fmt.Errorf("inspect: landscape: seeds of network %d: %w", i, err)
			}
		}
		if err := c.Add(ctx, net, p.Steps[i], starts, seeds); err != nil {
			return nil, fmt.Errorf("inspect: landscape: network %d (step %g): %w", i, p.Steps[i], err)
		}
		if c.set.Progress != nil {
			c.set.Progress(i+1, len(p.Nets))
		}
	}
	res := c.Result()
	res.Runtime = time.Since(t0)
	return res, nil
}

// Continuation follows a landscape one network at a time, for a caller
// that gets its networks one by one (a UI following a training run):
// [Landscape] is a loop over its Add. A Continuation is not safe for
// concurrent use; the results of Result share nothing that a later Add
// changes.
type Continuation struct {
	input             []float64
	set               LandscapeSettings
	res               LandscapeResult
	nextID, nextCycle int
}

// NewContinuation returns an empty continuation with the input held fixed
// (nil: zero input) and settings s (nil: defaults; Progress is not
// called).
func NewContinuation(input []float64, s *LandscapeSettings) *Continuation {
	c := &Continuation{input: input}
	if s != nil {
		c.set = *s
	}
	c.set.fill()
	return c
}

// Clone returns a copy of c that can be continued independently: Add on
// one does not change the other, so a continuation can be kept (cached)
// and continued by several callers.
func (c *Continuation) Clone() *Continuation {
	d := *c
	d.res.Checkpoints = append([]LandscapeCheckpoint(nil), c.res.Checkpoints...)
	d.res.Events = append([]LandscapeEvent(nil), c.res.Events...)
	return &d
}

// Len returns the number of networks added.
func (c *Continuation) Len() int { return len(c.res.Checkpoints) }

// Add takes the census of net, the next network (at step), from its fresh
// starts, its seeds (see [LandscapeProblem]; may be nil) and the previous
// network's points (the warm start), matches its
// points and cycles to the previous ones and records the events between
// the two. On an error, a cancelled ctx included, the continuation is left
// as it was.
func (c *Continuation) Add(ctx context.Context, net model.Network, step float64, starts, seeds [][]float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(c.res.Checkpoints) > 0 {
		if n0, n := c.res.Checkpoints[0].n, net.Dims().State; n != n0 {
			return fmt.Errorf("%d state variables, the first network has %d", n, n0)
		}
	}
	if len(starts) == 0 {
		return errors.New("no starts")
	}
	var prev *LandscapeCheckpoint
	if k := len(c.res.Checkpoints); k > 0 {
		prev = &c.res.Checkpoints[k-1]
	}
	set := &c.set
	warm := !set.Cold && prev != nil
	t0 := time.Now()
	ck, conv, err := landscapeCensus(ctx, net, c.input, starts, seeds, prev, warm, set)
	if err != nil {
		return err
	}
	ck.Step, ck.n = step, net.Dims().State
	nextID, nextCycle := c.nextID, c.nextCycle
	var events []LandscapeEvent
	if prev == nil {
		for k := range ck.Points {
			ck.Points[k].ID = nextID
			nextID++
		}
		for k := range ck.Orbits {
			ck.Orbits[k].ID = nextCycle
			nextCycle++
		}
	} else {
		events = landscapeMatch(prev, ck, set, &nextID, &nextCycle)
	}
	if set.Basins {
		bs := set.BasinSettings
		if bs.RunSteps == 0 || bs.RunSteps == set.RunSteps {
			bs.RunSteps = set.RunSteps
		}
		ck.Basins, err = BasinFractions(ctx, BasinProblem{Net: net, Input: c.input, Starts: starts,
			Ends: ck.ends, Attractors: ck.attractors()}, &bs)
		if err != nil {
			return fmt.Errorf("basins: %w", err)
		}
	}
	c.res.Convention = conv
	c.res.Checkpoints = append(c.res.Checkpoints, *ck)
	c.res.Events = append(c.res.Events, events...)
	c.res.Runtime += time.Since(t0)
	c.nextID, c.nextCycle = nextID, nextCycle
	return nil
}

// Result returns the landscape of the networks added so far.
func (c *Continuation) Result() *LandscapeResult {
	r := c.res
	r.Checkpoints = append([]LandscapeCheckpoint(nil), c.res.Checkpoints...)
	r.Events = append([]LandscapeEvent{}, c.res.Events...)
	return &r
}

// attractors lists the checkpoint's stable points and cycles for the basin
// fractions, labelled by their branch IDs.
func (ck *LandscapeCheckpoint) attractors() []Attractor {
	var out []Attractor
	for _, p := range ck.Points {
		if p.Kind == Stable.String() {
			out = append(out, Attractor{Label: fmt.Sprintf("point %d", p.ID), ID: p.ID, States: [][]float64{p.X}})
		}
	}
	for _, c := range ck.Orbits {
		out = append(out, Attractor{Label: fmt.Sprintf("cycle %d", c.ID), ID: c.ID, Cycle: true, States: c.orbit})
	}
	return out
}

// landscapeCensus finds the fixed points and cycles of one network.
func landscapeCensus(ctx context.Context, net model.Network, input []float64, starts, seeds [][]float64,
	prev *LandscapeCheckpoint, warm bool, set *LandscapeSettings) (*LandscapeCheckpoint, Convention, error) {
	ck := &LandscapeCheckpoint{}
	n := net.Dims().State
	var inits [][]float64
	fresh := starts
	if warm {
		for _, p := range prev.Points {
			inits = append(inits, append([]float64(nil), p.X...))
		}
		for _, c := range prev.Orbits {
			inits = append(inits, append([]float64(nil), c.X...))
		}
		ck.Search.Warm = len(inits)
		fresh = landscapeSpread(starts, set.Fresh)
		seeds = landscapeSpread(seeds, set.Fresh)
	}
	inits = append(inits, fresh...)
	inits = append(inits, seeds...)
	// Where every start ends: the attractors found by simulation (their
	// distinct ends seed the search too, so none reached is missed), the
	// starts of the cycle test, and the trajectory basin fractions.
	ends := make([][]float64, len(starts))
	for k, x0 := range starts {
		e, err := landscapeRun(ctx, net, x0, input, set.RunSteps)
		if err != nil {
			return nil, 0, err
		}
		ends[k] = e
	}
	ck.ends = ends
	var distinct [][]float64
	for _, e := range ends {
		if !fpFinite(e) {
			continue
		}
		seen := false
		for _, d := range distinct {
			if rms(d, e) <= set.MatchTol/2 {
				seen = true
				break
			}
		}
		if !seen {
			distinct = append(distinct, e)
		}
	}
	inits = append(inits, distinct...)
	t0 := time.Now()
	fs := DefaultFixedPointSettings()
	if set.Fixed != nil {
		*fs = *set.Fixed
	}
	// Warm starts sit near points, far from the centroid of the fresh
	// ones: they must not be dropped as distance outliers.
	fs.KeepDistanceOutliers = fs.KeepDistanceOutliers || warm
	fr, err := FindFixedPoints(ctx, FixedPointProblem{Net: net, Input: input, Inits: inits}, fs)
	if err != nil {
		return nil, 0, err
	}
	ck.Search.Inits = len(inits)
	ck.Search.Iterations = fr.Iterations
	ck.Search.Seconds = time.Since(t0).Seconds()
	out := make([]float64, net.Dims().Output)
	index := make([]int, len(fr.Points)) // in ck.Points, or −1
	for k, p := range fr.Points {
		index[k] = -1
		if p.Kind == Slow {
			continue // a slow point is not a fixed point of the landscape
		}
		index[k] = len(ck.Points)
		lp := LandscapePoint{Kind: p.Kind.String(), UnstableDims: p.UnstableDims, Q: p.Q, X: p.X}
		if l := p.Eigenvalues.Leading(); !math.IsNaN(real(l)) {
			lp.Leading = [2]float64{real(l), imag(l)}
		}
		if len(out) > 0 {
			net.Output(out, p.X)
			lp.Readout = append([]float64(nil), out...)
		}
		ck.Points = append(ck.Points, lp)
		switch {
		case p.Kind == Stable:
			ck.Stable++
		case p.UnstableDims > 0:
			ck.Saddles++
		}
	}
	// Where each previous point's warm start ended: its continuation.
	if warm {
		ck.warmTo = make([]int, len(prev.Points))
		for j := range prev.Points {
			ck.warmTo[j] = -1
			if c := fr.Candidates[j]; c.Point >= 0 {
				ck.warmTo[j] = index[c.Point]
			}
		}
	}
	// Cycles: the ends that are near no stable point, judged by Settle,
	// and the previous checkpoint's cycles followed by simulation.
	var cands [][]float64
	for _, e := range distinct {
		if fpFinite(e) && landscapeNearestStable(ck.Points, e) > set.MatchTol {
			cands = append(cands, e)
		}
	}
	if warm {
		for _, c := range prev.Orbits {
			cands = append(cands, c.X)
		}
	}
	dt := vdDt(net)
	for _, x0 := range cands {
		if landscapeOnCycle(ck.Orbits, x0) <= set.MatchTol {
			continue
		}
		a, err := Settle(ctx, net, x0, input, float64(set.RunSteps)*dt, float64(set.WindowSteps)*dt, nil)
		if err != nil {
			return nil, 0, err
		}
		if a.Kind != EndLimitCycle {
			continue
		}
		orb, err := landscapeOrbit(ctx, net, a.X, input, a.Period/dt)
		if err != nil {
			return nil, 0, err
		}
		if landscapeOnCycle(ck.Orbits, a.X) <= set.MatchTol {
			continue
		}
		ck.Orbits = append(ck.Orbits, LandscapeCycle{Period: a.Period, Amplitude: landscapeAmplitude(orb, n), X: a.X, orbit: orb})
	}
	ck.Cycles = len(ck.Orbits)
	return ck, fr.Convention, nil
}

// landscapeSpread returns k of xs spread evenly over them (all if fewer).
func landscapeSpread(xs [][]float64, k int) [][]float64 {
	if len(xs) <= k {
		return xs
	}
	out := make([][]float64, k)
	for i := range out {
		out[i] = xs[i*len(xs)/k]
	}
	return out
}

// landscapeRun simulates net from x0 for steps steps and returns the end
// state (non-finite when the run diverged).
func landscapeRun(ctx context.Context, net model.Network, x0, input []float64, steps int) ([]float64, error) {
	x := append([]float64(nil), x0...)
	y := make([]float64, len(x))
	for t := 0; t < steps; t++ {
		if t%vdCtxEvery == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		net.Step(y, x, input)
		x, y = y, x
		if t%64 == 0 && !fpFinite(x) {
			break
		}
	}
	return x, nil
}

// landscapeOrbit returns the states of one period (steps, rounded up) of
// the cycle through x0, at most 512 of them.
func landscapeOrbit(ctx context.Context, net model.Network, x0, input []float64, steps float64) ([][]float64, error) {
	k := max(1, int(math.Ceil(steps)))
	every := max(1, k/512)
	x := append([]float64(nil), x0...)
	orb := [][]float64{append([]float64(nil), x...)}
	y := make([]float64, len(x))
	for t := 1; t <= k; t++ {
		if t%vdCtxEvery == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		net.Step(y, x, input)
		x, y = y, x
		if t%every == 0 {
			orb = append(orb, append([]float64(nil), x...))
		}
	}
	return orb, nil
}

// landscapeAmplitude is the RMS distance of the orbit's states from their
// mean, divided by √n.
func landscapeAmplitude(orb [][]float64, n int) float64 {
	mean := make([]float64, n)
	for _, x := range orb {
		for j, v := range x {
			mean[j] += v / float64(len(orb))
		}
	}
	var s float64
	for _, x := range orb {
		d := fpDist(x, mean)
		s += d * d
	}
	return math.Sqrt(s/float64(len(orb))) / math.Sqrt(float64(n))
}

// rms returns ‖a − b‖/√N.
func rms(a, b []float64) float64 { return fpDist(a, b) / math.Sqrt(float64(len(a))) }

// landscapeNearestStable returns the RMS distance from x to the nearest
// stable point (+Inf when there is none).
func landscapeNearestStable(pts []LandscapePoint, x []float64) float64 {
	d := math.Inf(1)
	for _, p := range pts {
		if p.Kind == Stable.String() {
			d = math.Min(d, rms(p.X, x))
		}
	}
	return d
}

// landscapeOnCycle returns the RMS distance from x to the nearest state of
// any of the cycles' orbits (+Inf when there are none).
func landscapeOnCycle(cs []LandscapeCycle, x []float64) float64 {
	d := math.Inf(1)
	for _, c := range cs {
		d = math.Min(d, orbitDist(c.orbit, x))
	}
	return d
}

// orbitDist returns the RMS distance from x to the nearest state of orb.
func orbitDist(orb [][]float64, x []float64) float64 {
	d := math.Inf(1)
	for _, y := range orb {
		d = math.Min(d, rms(y, x))
	}
	return d
}

// landscapeMatch gives the points and cycles of cur the IDs of the branches
// of prev they continue (nearest pairs first, within MatchTol), new IDs to
// the others, and returns the events between the two.
func landscapeMatch(prev, cur *LandscapeCheckpoint, set *LandscapeSettings, nextID, nextCycle *int) []LandscapeEvent {
	// Points.
	type pair struct {
		i, j int
		d    float64
		warm bool
	}
	// A warm start that ended within PairTol continues its point (the
	// finder followed it, however far training moved it); then the nearest
	// pairs within MatchTol.
	var pairs []pair
	for i, j := range cur.warmTo {
		if j >= 0 {
			if d := rms(prev.Points[i].X, cur.Points[j].X); d <= set.PairTol {
				pairs = append(pairs, pair{i, j, d, true})
			}
		}
	}
	for i, a := range prev.Points {
		for j, b := range cur.Points {
			if d := rms(a.X, b.X); d <= set.MatchTol {
				pairs = append(pairs, pair{i, j, d, false})
			}
		}
	}
	sort.SliceStable(pairs, func(a, b int) bool {
		if pairs[a].warm != pairs[b].warm {
			return pairs[a].warm
		}
		return pairs[a].d < pairs[b].d
	})
	from := make([]int, len(cur.Points)) // index in prev, or −1
	to := make([]int, len(prev.Points))  // index in cur, or −1
	for i := range from {
		from[i] = -1
	}
	for i := range to {
		to[i] = -1
	}
	for _, p := range pairs {
		if to[p.i] < 0 && from[p.j] < 0 {
			to[p.i], from[p.j] = p.j, p.i
		}
	}
	for j := range cur.Points {
		if from[j] >= 0 {
			cur.Points[j].ID = prev.Points[from[j]].ID
		} else {
			cur.Points[j].ID = *nextID
			*nextID++
		}
	}
	// Cycles: a cycle continues one whose orbit passes near its state.
	cfrom := make([]int, len(cur.Orbits))
	cto := make([]int, len(prev.Orbits))
	for i := range cto {
		cto[i] = -1
	}
	for j, c := range cur.Orbits {
		cfrom[j] = -1
		best := set.MatchTol
		for i, o := range prev.Orbits {
			if cto[i] >= 0 {
				continue
			}
			if d := math.Min(orbitDist(o.orbit, c.X), orbitDist(c.orbit, o.X)); d <= best {
				best, cfrom[j] = d, i
			}
		}
		if cfrom[j] >= 0 {
			cto[cfrom[j]] = j
			cur.Orbits[j].ID = prev.Orbits[cfrom[j]].ID
		} else {
			cur.Orbits[j].ID = *nextCycle
			*nextCycle++
		}
	}

	ev := func(kind, via string, ids ...int) LandscapeEvent {
		return LandscapeEvent{Step: cur.Step, From: prev.Step, Kind: kind, Via: via, Points: ids}
	}
	stable := func(p LandscapePoint) bool { return p.Kind == Stable.String() }
	// A point on the stability boundary (marginal) has not lost stability
	// yet: the loss is seen when it turns unstable.
	holds := func(p LandscapePoint) bool { return stable(p) || p.Kind == Marginal.String() }
	saddle := func(p LandscapePoint) bool { return p.UnstableDims > 0 }
	var out []LandscapeEvent
	usedPrev := make([]bool, len(prev.Points)) // saddles already paired
	usedCur := make([]bool, len(cur.Points))
	bornCycle := make([]bool, len(cur.Orbits))
	for j := range cur.Orbits {
		bornCycle[j] = cfrom[j] < 0
	}

	// Continued points that changed stability.
	for i, a := range prev.Points {
		j := to[i]
		if j < 0 {
			continue
		}
		b := cur.Points[j]
		switch {
		case holds(a) && saddle(b):
			if b.Leading[1] != 0 {
				e := ev(EventHopf, "", a.ID)
				for k, c := range cur.Orbits {
					if bornCycle[k] && orbitDist(c.orbit, b.X) <= set.PairTol+c.Amplitude {
						id := c.ID
						e.Cycle = &id
						break
					}
				}
				out = append(out, e)
				continue
			}
			var kids []int
			for k, c := range cur.Points {
				if from[k] < 0 && stable(c) && rms(c.X, b.X) <= set.PairTol {
					kids = append(kids, k)
				}
			}
			if len(kids) >= 2 {
				ids := []int{a.ID}
				for _, k := range kids {
					ids = append(ids, cur.Points[k].ID)
					usedCur[k] = true
					out = append(out, ev(EventBirth, EventPitchfork, cur.Points[k].ID))
				}
				out = append(out, ev(EventPitchfork, "", ids...))
				continue
			}
			out = append(out, ev(EventLoss, "", a.ID))
		case saddle(a) && stable(b):
			out = append(out, ev(EventGain, "", a.ID))
		}
	}
	// Lost stable points: with a lost saddle beside them, a saddle-node.
	for i, a := range prev.Points {
		if to[i] >= 0 || !stable(a) {
			continue
		}
		if mate := landscapeMate(prev.Points, a.X, to, usedPrev, set.PairTol); mate >= 0 {
			usedPrev[mate] = true
			out = append(out, ev(EventSaddleNode, "", a.ID, prev.Points[mate].ID))
		} else {
			out = append(out, ev(EventDeath, "", a.ID))
		}
	}
	// New stable points: with a new saddle beside them, born in a
	// saddle-node.
	for j, b := range cur.Points {
		if from[j] >= 0 || usedCur[j] || !stable(b) {
			continue
		}
		if mate := landscapeMate(cur.Points, b.X, from, usedCur, set.PairTol); mate >= 0 {
			usedCur[mate] = true
			out = append(out, ev(EventBirth, EventSaddleNode, b.ID, cur.Points[mate].ID))
		} else {
			out = append(out, ev(EventBirth, "", b.ID))
		}
	}
	for j, c := range cur.Orbits {
		if bornCycle[j] {
			out = append(out, ev(EventCycleBirth, "", c.ID))
		}
	}
	for i, o := range prev.Orbits {
		if cto[i] < 0 {
			out = append(out, ev(EventCycleDeath, "", o.ID))
		}
	}
	return out
}

// landscapeMate returns the index of the saddle of pts nearest to x within
// tol that has no partner at the other checkpoint (link[k] < 0) and is not
// used yet, or −1.
func landscapeMate(pts []LandscapePoint, x []float64, link []int, used []bool, tol float64) int {
	mate, best := -1, tol
	for k, s := range pts {
		if link[k] < 0 && !used[k] && s.UnstableDims > 0 {
			if d := rms(x, s.X); d <= best {
				mate, best = k, d
			}
		}
	}
	return mate
}
