package analysis

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// CensusSettings configures [Census]. [DefaultSettings] holds the
// defaults; every field is used as given.
type CensusSettings struct {
	// Starts is the number of starting states of the first round (64).
	Starts int `json:"starts"`
	// Adaptive keeps doubling the starts (each round adds as many as all
	// rounds before it) until a round finds no new stable point and no new
	// attractor in forward simulation (true). Without it, Starts is the
	// whole census.
	Adaptive bool `json:"adaptive"`
	// Budget is the largest number of starts in all (4096); a census that
	// would need more stops there and says so.
	Budget int `json:"budget"`
	// Noise is the standard deviation of the Gaussian noise added to the
	// states taken from the trajectories, as a fraction of the
	// trajectories' RMS spread per unit (0.1), as FixedPointFinder's
	// sample_states adds noise_scale.
	Noise float64 `json:"noise"`
	// Cloud is the fraction of starts drawn from the random cloud (0.25): a
	// Gaussian per unit with the trajectories' mean and standard deviation.
	Cloud float64 `json:"cloud"`
	// SimSteps is the longest forward simulation of every start, in steps
	// (1000); a start whose state stops moving (‖Δx‖/√N < 1e-8 per step)
	// ends early.
	SimSteps int `json:"sim_steps"`
	// Method is the fixed-point optimiser: "trust-region" (default) or
	// "adam".
	Method string `json:"method"`
	// GrowingOnly computes only the growing and marginal eigenvalues of
	// every point (and at least the leading one), which decide its kind:
	// enough for a summary, tens of milliseconds at N = 1000 against half
	// a second for a full spectrum.
	GrowingOnly bool `json:"growing_only,omitempty"`
	// QSlow is q_slow, the speed q below which a point the search left at
	// q ≥ 1e-12 counts as a slow point rather than as not converged, in
	// the census and in the verdict's slow-point search (1e-4, ours:
	// docs/science.md §1.5, §10). Zero takes the default; otherwise it
	// must exceed the convergence threshold 1e-12.
	QSlow float64 `json:"q_slow"`
}

// defaultQSlow is CensusSettings.QSlow's default.
const defaultQSlow = 1e-4

// qSlow returns QSlow, or its default when zero.
func (cs *CensusSettings) qSlow() float64 {
	if cs.QSlow == 0 {
		return defaultQSlow
	}
	return cs.QSlow
}

// check returns an error naming the first census setting out of range.
func (cs *CensusSettings) check() error {
	if q := cs.QSlow; q != 0 && !(q > inspect.DefaultFixedPointSettings().TolQ && !math.IsInf(q, 1)) {
		return fmt.Errorf("analysis: census setting q_slow = %g is out of range: want a finite value above the convergence threshold 1e-12 (see analysis.CensusSettings)", q)
	}
	return nil
}

// Sources of starting states.
const (
	SourceTrajectory = "trajectory" // a state of the protocol's trajectories plus noise
	SourceCloud      = "cloud"      // the random cloud
	SourceFile       = "file"       // the file's inits array
)

// Point is one fixed or slow point of a census, as FixedPointFinder keeps
// it: the state xstar, the input held, q, the class and the spectrum, with
// how many starts of each source ended on it.
type Point struct {
	inspect.FixedPoint
	Input   []float64
	Sources map[string]int
}

// Attractor is one attractor found by forward simulation of the starts:
// a fixed point the simulation settled on (Kind "FP", matched to a census
// point when one is within 0.01 in ‖Δx‖/√N) or a limit cycle ("LC"), with
// the number of starts that reached it.
type Attractor struct {
	Kind   string `json:"kind"`
	Point  int    `json:"point"` // index of the census point (−1: none)
	Starts int    `json:"starts"`
	X      []float64

	orbit [][]float64 // one period of a cycle's states
	tol   float64     // distance within which a state lies on the orbit
}

// CensusResult is the outcome of [Census].
type CensusResult struct {
	Points     []Point
	Convention inspect.Convention
	Method     inspect.Method
	Input      []float64
	Attractors []Attractor
	// Cycles are the limit cycles the simulations reached, one entry per
	// start (NewReport merges and describes them).
	Cycles      []Cycle
	Coverage    Coverage
	Starts      map[string]int // starts by source
	Rounds      []int          // starts of every round
	InitsFrom   string         // how the starts were made
	Unsettled   int            // starts whose simulation neither settled nor reached a cycle
	Converged   int
	Captured    int
	Slow        int
	NotConv     int
	NonFinite   int
	Outliers    int
	Candidates  int
	stableCount int
}

// Coverage says how completely a census has sampled the stable points:
// with n starts, f1 points reached from exactly one start and f2 from
// exactly two, the Good–Turing estimate of the unseen mass is f1/n and
// the Chao1 estimate of the number of stable points is S + f1²/(2 f2)
// (S + f1(f1−1)/2 when f2 = 0).
type Coverage struct {
	Starts     int     `json:"starts"`
	Stable     int     `json:"stable"`
	Singletons int     `json:"singletons"`
	Doubletons int     `json:"doubletons"`
	Unseen     float64 `json:"good_turing_unseen"`
	Chao1      float64 `json:"chao1"`
	Rounds     int     `json:"rounds"`
	Converged  bool    `json:"converged"`  // the last round found nothing new
	BudgetHit  bool    `json:"budget_hit"` // the census stopped at its budget
	Adaptive   bool    `json:"adaptive"`
	Budget     int     `json:"budget"`
}

// State says in words how the census ended: it converged (a doubling found
// nothing new), hit its budget, or was a fixed census.
func (c Coverage) State() string {
	switch {
	case c.BudgetHit:
		return fmt.Sprintf("stopped at its budget of %d starts while still finding new points", c.Budget)
	case !c.Adaptive:
		return "a fixed census of " + strconv.Itoa(c.Starts) + " starts"
	case c.Converged:
		return "complete: the last doubling found nothing new"
	}
	return "incomplete"
}

// censusSettle is the speed per step (‖Δx‖/√N) below which a forward
// simulation has settled: a point whose slowest mode contracts by 0.4 %
// per step (the GRU flip-flops' 0.996) is then within 3e-6 of it, far
// inside the 0.01 that tells attractors apart.
const censusSettle = 1e-8

// censusMaxSettle bounds the unsettled starts of one round classified by
// inspect.Settle (each costs a long run).
const censusMaxSettle = 8

// Census finds the fixed points of net with the input s.Input held, from
// starting states along the protocol's trajectories plus noise and from a
// random cloud (or from the file's inits array when it has one), and
// simulates every start forward to find the attractors the search should
// contain. With s.Census.Adaptive the starts double until a round finds no
// new stable point and no new attractor, or the budget is reached. file
// may be nil.
func Census(ctx context.Context, net model.Network, file *saved.Network, p *Protocol, s *Settings) (*CensusResult, error) {
	cs := &s.Census
	d := net.Dims()
	if s.Input != nil && len(s.Input) != d.Input {
		return nil, fmt.Errorf("analysis: --input has %d values, the network takes %d inputs", len(s.Input), d.Input)
	}
	if err := cs.check(); err != nil {
		return nil, err
	}
	fps := inspect.DefaultFixedPointSettings()
	fps.Concurrency = s.Concurrency
	fps.GrowingOnly = cs.GrowingOnly
	fps.QSlow = cs.qSlow()
	fps.DenseNormal = censusLegacy
	switch cs.Method {
	case "", "trust-region":
		fps.Method = inspect.TrustRegion
	case "adam":
		fps.Method = inspect.Adam
		fps.MaxIters = 5000
	default:
		return nil, fmt.Errorf("analysis: fixed-point method %q: want trust-region or adam", cs.Method)
	}
	r := &CensusResult{Input: s.Input, Starts: map[string]int{}, Method: fps.Method}
	var fileInits [][]float64
	if file != nil {
		for _, t := range file.Extra {
			if t.Name == "inits" && len(t.Shape) == 2 && t.Shape[1] == d.State && len(t.Data) == t.Shape[0]*d.State {
				for i := range t.Shape[0] {
					fileInits = append(fileInits, t.Data[i*d.State:(i+1)*d.State])
				}
			}
		}
	}
	var pool [][]float64
	var mean, std []float64
	var spread float64
	if fileInits == nil {
		var err error
		pool, err = trajectoryPool(ctx, net, p)
		if err != nil {
			return nil, err
		}
		if len(pool) == 0 {
			return nil, fmt.Errorf("analysis: every trajectory of the protocol diverged; no starting states")
		}
		mean, std, spread = poolStats(pool)
		r.InitsFrom = fmt.Sprintf("states along the %d conditions' trajectories plus noise (σ = %.3g, %g × their RMS spread) and a random cloud (%g%% of the starts) with their mean and spread per unit",
			len(p.Conditions), cs.Noise*spread, cs.Noise, 100*cs.Cloud)
	} else {
		r.InitsFrom = "the file's inits array"
	}
	// An associative memory has many spurious (mixture) states besides its
	// patterns: every round on the gallery's Hopfield network finds new
	// stable points, and almost every start of its gated network reaches a
	// fixed point of its own, so a doubling census runs to its budget
	// (4096 starts, more than 6 CPU-minutes on each before issue 18). It
	// gets one round of cs.Starts instead.
	adaptive := cs.Adaptive && p.Source != "associative"
	if p.Source == "associative" {
		r.InitsFrom += "; each start relaxed by forward simulation before the search"
		if cs.Adaptive {
			r.InitsFrom += fmt.Sprintf("; one round of %d starts, not doubled: an associative memory's spurious (mixture) states are too many for a census to converge on", cs.Starts)
		}
	}
	total := 0
	size := cs.Starts
	for round := 0; ; round++ {
		var starts [][]float64
		var src []string
		if fileInits != nil {
			starts = fileInits
			for range starts {
				src = append(src, SourceFile)
			}
		} else {
			var nTraj int
			starts, nTraj = drawStarts(model.NewRNG(s.Seed, uint64(1000+round)), pool, mean, std, spread, size, *cs)
			for i := range starts {
				if i < nTraj {
					src = append(src, SourceTrajectory)
				} else {
					src = append(src, SourceCloud)
				}
			}
		}
		newPts, newAtt, err := r.round(ctx, net, fps, starts, src, s, p.Source == "associative")
		if err != nil {
			return nil, err
		}
		total += len(starts)
		r.Rounds = append(r.Rounds, len(starts))
		if s.Progress != nil {
			s.Progress("census", total, total)
		}
		if fileInits != nil || !adaptive {
			r.Coverage.Converged = round > 0 && newPts == 0 && newAtt == 0
			break
		}
		if round > 0 && newPts == 0 && newAtt == 0 {
			r.Coverage.Converged = true
			break
		}
		size = total
		if total+size > cs.Budget {
			r.Coverage.BudgetHit = true
			break
		}
	}
	r.coverage(total, cs)
	r.Coverage.Adaptive = adaptive
	return r, nil
}

// round searches from starts and simulates them forward, merging what it
// finds into r; it returns the numbers of new stable points and new
// attractors.
//
// With relax (the associative protocol) every start is simulated forward
// first and the search starts from where the simulation ended: an
// associative memory's stable points are what relaxation reaches, and a
// search from a relaxed state converges at once, where one from the
// noisy start spent up to 200 Levenberg–Marquardt steps of an N×N (2N×2N
// for the gated network) system on it.
func (r *CensusResult) round(ctx context.Context, net model.Network, fps *inspect.FixedPointSettings, starts [][]float64, src []string, s *Settings, relax bool) (newStable, newAtt int, err error) {
	var known [][]float64
	knownNow := func() {
		known = known[:0]
		for _, pt := range r.Points {
			if pt.Kind == inspect.Stable {
				known = append(known, pt.X)
			}
		}
		for _, a := range r.Attractors {
			if a.Kind == "FP" {
				known = append(known, a.X)
			}
		}
	}
	from := starts
	var ends [][]float64
	var settled []bool
	if relax {
		knownNow()
		if ends, settled, err = simulateAll(ctx, net, starts, s.Input, s.Census.SimSteps, known, s.Concurrency); err != nil {
			return 0, 0, err
		}
		from = make([][]float64, len(starts))
		for i, x := range ends {
			from[i] = starts[i]
			if x != nil {
				from[i] = x
			}
		}
	}
	res, err := inspect.FindFixedPoints(ctx, inspect.FixedPointProblem{Net: net, Input: s.Input, Inits: from}, fps)
	if err != nil {
		return 0, 0, err
	}
	r.Convention = res.Convention
	r.Candidates += len(starts)
	r.Converged += res.Converged
	r.Captured += res.Captured
	r.Slow += res.Slow
	r.NotConv += res.NotConverged
	r.NonFinite += res.NonFinite
	r.Outliers += res.DistanceOutliers
	for _, sv := range src {
		r.Starts[sv]++
	}
	// Merge the round's points into the census by TolUnique, keeping the
	// lower q, and count the starts of every source on each.
	index := make([]int, len(res.Points))
	for i, fp := range res.Points {
		index[i] = -1
		for j := range r.Points {
			if dist2(fp.X, r.Points[j].X) < fps.TolUnique {
				index[i] = j
				if fp.Q < r.Points[j].Q {
					cnt, srcs := r.Points[j].Count, r.Points[j].Sources
					r.Points[j].FixedPoint = fp
					r.Points[j].Count, r.Points[j].Sources = cnt, srcs
				}
				break
			}
		}
		if index[i] < 0 {
			fp.Count = 0
			r.Points = append(r.Points, Point{FixedPoint: fp, Input: s.Input, Sources: map[string]int{}})
			index[i] = len(r.Points) - 1
			if fp.Kind == inspect.Stable {
				newStable++
			}
		}
	}
	for i, c := range res.Candidates {
		if c.Point >= 0 && c.Point < len(index) {
			pt := &r.Points[index[c.Point]]
			pt.Count++
			pt.Sources[src[i]]++
		}
	}
	// Forward simulation of every start; a run that comes close to a known
	// attractor (a stable point of the census, or a fixed point an earlier
	// run settled on) ends there.
	if !relax {
		knownNow()
		if ends, settled, err = simulateAll(ctx, net, starts, s.Input, s.Census.SimSteps, known, s.Concurrency); err != nil {
			return 0, 0, err
		}
	}
	unsettled := 0
	for i, x := range ends {
		switch {
		case x == nil: // diverged
		case settled[i]:
			if r.addAttractor("FP", x) {
				newAtt++
			}
		case unsettled < censusMaxSettle:
			unsettled++
			a, err := inspect.Settle(ctx, net, x, s.Input, float64(s.Census.SimSteps)*vdt(net), float64(s.Census.SimSteps)*vdt(net)/4, s.asymptotic())
			if err != nil {
				return 0, 0, err
			}
			switch a.Kind {
			case inspect.EndFixedPoint:
				if r.addAttractor("FP", a.X) {
					newAtt++
				}
			case inspect.EndLimitCycle:
				r.Cycles = addCycle(r.Cycles, a, fmt.Sprintf("census start %d", r.Candidates-len(starts)+i+1))
				r.Cycles[len(r.Cycles)-1].Input = s.Input
				if r.addCycleAttractor(net, a, s.Input) {
					newAtt++
				}
			default:
				r.Unsettled++
			}
		default:
			r.Unsettled++
		}
	}
	return newStable, newAtt, nil
}

// addAttractor counts a start that reached x, a fixed point or a state on
// a cycle, and reports whether x is a new attractor.
func (r *CensusResult) addAttractor(kind string, x []float64) bool {
	for i := range r.Attractors {
		a := &r.Attractors[i]
		if a.Kind == kind && rmsDist(a.X, x) < distinctTol {
			a.Starts++
			return false
		}
	}
	pt := -1
	if kind == "FP" {
		for j := range r.Points {
			if rmsDist(r.Points[j].X, x) < distinctTol {
				pt = j
				break
			}
		}
	}
	r.Attractors = append(r.Attractors, Attractor{Kind: kind, Point: pt, Starts: 1, X: append([]float64(nil), x...)})
	return true
}

// addCycleAttractor counts a start that reached the limit cycle a and
// reports whether the cycle is new: its state lies on no known cycle's
// orbit (within 0.01 in ‖Δx‖/√N, or half the largest step along that
// orbit when the orbit moves farther in one step).
func (r *CensusResult) addCycleAttractor(net model.Network, a *inspect.Asymptote, u []float64) bool {
	for i := range r.Attractors {
		at := &r.Attractors[i]
		if at.Kind != "LC" {
			continue
		}
		for _, y := range at.orbit {
			if rmsDist(a.X, y) < at.tol {
				at.Starts++
				return false
			}
		}
	}
	steps := max(1, int(math.Round(a.Period/vdt(net))))
	orbit := make([][]float64, 0, steps+1)
	x := append([]float64(nil), a.X...)
	tol := cycleTol
	for range steps + 1 {
		orbit = append(orbit, x)
		y := make([]float64, len(x))
		net.Step(y, x, u)
		tol = max(tol, rmsDist(x, y)/2)
		x = y
	}
	r.Attractors = append(r.Attractors, Attractor{Kind: "LC", Point: -1, Starts: 1, X: append([]float64(nil), a.X...), orbit: orbit, tol: tol})
	return true
}

// coverage fills r.Coverage from the stable points' counts.
func (r *CensusResult) coverage(total int, cs *CensusSettings) {
	c := &r.Coverage
	c.Starts, c.Rounds, c.Adaptive, c.Budget = total, len(r.Rounds), cs.Adaptive, cs.Budget
	for i := range r.Points {
		if r.Points[i].Kind != inspect.Stable {
			continue
		}
		c.Stable++
		switch r.Points[i].Count {
		case 1:
			c.Singletons++
		case 2:
			c.Doubletons++
		}
	}
	// Attractors found by simulation only are matched to points again now
	// that the census is complete.
	for i := range r.Attractors {
		a := &r.Attractors[i]
		if a.Kind == "FP" && a.Point < 0 {
			for j := range r.Points {
				if rmsDist(r.Points[j].X, a.X) < distinctTol {
					a.Point = j
					break
				}
			}
		}
	}
	if total > 0 {
		c.Unseen = float64(c.Singletons) / float64(total)
	}
	f1, f2 := float64(c.Singletons), float64(c.Doubletons)
	if f2 > 0 {
		c.Chao1 = float64(c.Stable) + f1*f1/(2*f2)
	} else {
		c.Chao1 = float64(c.Stable) + f1*(f1-1)/2
	}
}

// censusNear is the ‖Δx‖/√N within which a simulation that reaches a
// known attractor (a stable fixed point: every multiplier inside the unit
// circle, so a state this close is in its linear basin) ends there, in
// the slow-point transits of slow.go.
const censusNear = 1e-3

// censusReach is the ‖Δx‖/√N within which the census's forward
// simulation of a start ends on a known stable point: distinctTol, the
// distance within which the census counts two end states as one
// attractor, so a start stopped here is counted where a start run on
// until it settled is. It was censusNear (1e-3), checked every 8 steps,
// until issue 18: at 1e-2, checked at every step, the simulations of the
// peer's N = 1000 network take half the steps. TestCensusFastPathMatches
// and (tag science) TestCensusFastPathMatchesAll find the same points and
// attractors on every gallery and test network; the starts the old
// census left unsettled after SimSteps (a slowly contracting point, such
// as gallery 02's, approached to within 1e-2 but not 1e-3) are now
// counted on the attractor they reached.
const censusReach = distinctTol

// censusLegacy makes the census simulate every start alone with
// censusNear and form the search's normal equations from the dense
// Jacobian (inspect's DenseNormal), as before issue 18;
// TestCensusFastPathMatches compares the two.
var censusLegacy = false

// simulate runs net from x0 with input u for at most steps steps and
// returns the last state and whether it stopped moving, or the known
// attractor it came within near of (checked every every steps: 1, or 8
// as before issue 18 with censusLegacy); nil when it diverged.
func simulate(net model.Network, x0, u []float64, steps int, known [][]float64, near float64, every int) ([]float64, bool) {
	x := append([]float64(nil), x0...)
	y := make([]float64, len(x))
	for t := range steps {
		if t%every == 0 {
			for _, k := range known {
				if rmsDist(x, k) < near {
					return k, true
				}
			}
		}
		net.Step(y, x, u)
		var s float64
		for i := range x {
			dd := y[i] - x[i]
			s += dd * dd
		}
		x, y = y, x
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, false
		}
		if math.Sqrt(s/float64(len(x))) < censusSettle {
			return x, true
		}
	}
	return x, false
}

// censusBlock is the number of starts a [model.BatchStepper] steps
// together in the census's forward simulation: enough rows for the
// recurrent product to run as a matrix product (a GEMM) rather than at
// the speed of memory, few enough for blocks to share the cores.
const censusBlock = 64

// simulateAll runs simulate from every start, with the same stopping
// rules (censusReach, checked at every step; censusNear, every 8 steps,
// one start at a time with censusLegacy). A network that is a
// [model.BatchStepper] steps blocks of censusBlock starts together,
// dropping each start from its block when it stops; its rows' results do
// not depend on the other rows, so the ends do not depend on the blocks
// or on procs.
func simulateAll(ctx context.Context, net model.Network, starts [][]float64, u []float64, steps int, known [][]float64, procs int) ([][]float64, []bool, error) {
	ends := make([][]float64, len(starts))
	settled := make([]bool, len(starts))
	near, every := censusReach, 1
	if censusLegacy {
		near, every = censusNear, 8
	}
	if _, ok := net.(model.BatchStepper); !ok || censusLegacy {
		err := parallelFor(ctx, len(starts), procs, func(i int) error {
			ends[i], settled[i] = simulate(net.Clone(), starts[i], u, steps, known, near, every)
			return nil
		})
		return ends, settled, err
	}
	blocks := (len(starts) + censusBlock - 1) / censusBlock
	err := parallelFor(ctx, blocks, procs, func(b int) error {
		lo, hi := b*censusBlock, min(len(starts), (b+1)*censusBlock)
		return simulateBlock(ctx, net.Clone().(model.BatchStepper), starts[lo:hi], u, steps, known, ends[lo:hi], settled[lo:hi])
	})
	return ends, settled, err
}

// simulateBlock is simulate for the starts of one block, stepped together
// with StepBatch; it writes each start's end and whether it settled.
func simulateBlock(ctx context.Context, net model.BatchStepper, starts [][]float64, u []float64, steps int, known [][]float64, ends [][]float64, settled []bool) error {
	n := net.Dims().State
	x := make([]float64, len(starts)*n)
	y := make([]float64, len(starts)*n)
	active := make([]int, len(starts)) // start of each row of x
	for i, x0 := range starts {
		copy(x[i*n:], x0)
		active[i] = i
	}
	// keep compacts the rows for which stay(row) holds to the front of x.
	keep := func(stay func(r int) bool) {
		k := 0
		for r, i := range active {
			if !stay(r) {
				continue
			}
			if k != r {
				copy(x[k*n:(k+1)*n], x[r*n:(r+1)*n])
			}
			active[k] = i
			k++
		}
		active = active[:k]
	}
	for t := 0; t < steps && len(active) > 0; t++ {
		if t%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if len(known) > 0 {
			keep(func(r int) bool {
				xr := x[r*n : (r+1)*n]
				for _, k := range known {
					if rmsDist(xr, k) < censusReach {
						ends[active[r]], settled[active[r]] = k, true
						return false
					}
				}
				return true
			})
		}
		k := len(active)
		net.StepBatch(y[:k*n], x[:k*n], k, u)
		x, y = y, x
		keep(func(r int) bool {
			xr, yr := x[r*n:(r+1)*n], y[r*n:(r+1)*n]
			var s float64
			for i := range xr {
				dd := xr[i] - yr[i]
				s += dd * dd
			}
			switch {
			case math.IsNaN(s) || math.IsInf(s, 0):
				ends[active[r]] = nil
				return false
			case math.Sqrt(s/float64(n)) < censusSettle:
				ends[active[r]], settled[active[r]] = append([]float64(nil), xr...), true
				return false
			}
			return true
		})
	}
	for r, i := range active {
		ends[i] = append([]float64(nil), x[r*n:(r+1)*n]...)
	}
	return nil
}

// drawStarts draws n starting states as a census round does: the first
// (returned as nTraj) are states of pool displaced by Gaussian noise of
// cs.Noise times the pool's RMS spread, the rest (the cs.Cloud fraction)
// from a Gaussian per unit with the pool's mean and standard deviation.
func drawStarts(rng *model.RNG, pool [][]float64, mean, std []float64, spread float64, n int, cs CensusSettings) (starts [][]float64, nTraj int) {
	nTraj = n - int(math.Round(cs.Cloud*float64(n)))
	starts = make([][]float64, n)
	for i := range starts {
		x := make([]float64, len(pool[0]))
		if i < nTraj {
			copy(x, pool[rng.IntN(len(pool))])
			for j := range x {
				x[j] += cs.Noise * spread * rng.Norm()
			}
		} else {
			for j := range x {
				x[j] = mean[j] + std[j]*rng.Norm()
			}
		}
		starts[i] = x
	}
	return starts, nTraj
}

// trajectoryPool returns at most 4096 states, spread evenly, of the
// trajectories of every condition of p (each stops at its first
// non-finite state).
func trajectoryPool(ctx context.Context, net model.Network, p *Protocol) ([][]float64, error) {
	const most = 4096
	n := net.Dims().State
	var all [][]float64
	for c := range p.Conditions {
		x := append([]float64(nil), p.Conditions[c].X0...)
		all = append(all, x)
		for t := range p.Steps(c) {
			if t%256 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			y := make([]float64, n)
			net.Step(y, x, p.Input(c, t))
			if !finite(y) {
				break
			}
			all = append(all, y)
			x = y
		}
	}
	stride := max(1, (len(all)+most-1)/most)
	var pool [][]float64
	for i := 0; i < len(all); i += stride {
		pool = append(pool, all[i])
	}
	return pool, nil
}

// poolStats returns the mean and standard deviation per unit of the pool
// and its RMS spread (the root of the mean variance).
func poolStats(pool [][]float64) (mean, std []float64, spread float64) {
	n := len(pool[0])
	mean, std = make([]float64, n), make([]float64, n)
	for _, x := range pool {
		for i, v := range x {
			mean[i] += v / float64(len(pool))
		}
	}
	var tot float64
	for _, x := range pool {
		for i, v := range x {
			d := v - mean[i]
			std[i] += d * d / float64(len(pool))
		}
	}
	for i := range std {
		tot += std[i]
		std[i] = math.Sqrt(std[i])
	}
	return mean, std, math.Sqrt(tot / float64(n))
}

func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// dist2 returns the Euclidean distance ‖x − y‖.
func dist2(x, y []float64) float64 {
	var s float64
	for i := range x {
		d := x[i] - y[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// vdt returns the length of a step: Dt of a flow, 1 for a map.
func vdt(net model.Network) float64 {
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		return f.Dt()
	}
	return 1
}
