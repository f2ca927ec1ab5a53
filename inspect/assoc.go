package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"attractor/model"
)

// This file holds the associative-memory analyses of science spec §6.2 and
// §7.2: pattern overlaps, retrieval from a corrupted pattern, the α × m(0)
// phase diagram (Goto et al. 2025, Fig 1) and the P = 2 flow diagram
// (Fig 4). They work on the two Hebbian families of package model, the
// graded Amari–Hopfield network [model.Hopfield] and the gated network
// [model.Gated] (a [LOW] reconstruction, spec §6.1).

// OverlapKind selects how the overlap of a state with a pattern ξ is
// normalised (science spec §6.2; the paper does not give the normalisation,
// so all three are offered). With φ = tanh(βx), β = 10, they agree to
// < 1e−3 at a retrieval state.
type OverlapKind int

const (
	// OverlapRaw is m = (1/N) Σ_i ξ_i φ_i, the default [MED]. It is the
	// overlap of [model.Patterns.Overlaps] and the one split into closed and
	// active parts, m = m_F + m_A.
	OverlapRaw OverlapKind = iota
	// OverlapCosine is m_cos = ξ·φ / (√N ‖φ‖), the cosine of the angle
	// between ξ and φ (|ξ| = √N); 0 when φ = 0. The §6.4 table uses it.
	OverlapCosine
	// OverlapSign is m_sgn = (1/N) Σ_i ξ_i sgn(φ_i), sgn(0) = 0; for
	// φ = tanh(βx) with β > 0, sgn(φ_i) = sgn(x_i).
	OverlapSign
)

// String returns "raw", "cosine" or "sign".
func (k OverlapKind) String() string {
	switch k {
	case OverlapRaw:
		return "raw"
	case OverlapCosine:
		return "cosine"
	case OverlapSign:
		return "sign"
	}
	return fmt.Sprintf("OverlapKind(%d)", int(k))
}

// Of returns the overlap of kind k between the pattern xi (entries ±1) and
// the rates phi = φ(x), both of length N. It panics if the lengths differ
// or are zero, or if k is unknown. It does not allocate.
func (k OverlapKind) Of(xi, phi []float64) float64 {
	n := len(xi)
	if n == 0 || len(phi) != n {
		panic(fmt.Sprintf("inspect: OverlapKind.Of: lengths %d and %d", len(xi), len(phi)))
	}
	var s float64
	switch k {
	case OverlapRaw:
		for i, v := range phi {
			s += xi[i] * v
		}
		return s / float64(n)
	case OverlapCosine:
		var q float64
		for i, v := range phi {
			s += xi[i] * v
			q += v * v
		}
		if q == 0 {
			return 0
		}
		return s / (math.Sqrt(float64(n)) * math.Sqrt(q))
	case OverlapSign:
		for i, v := range phi {
			switch {
			case v > 0:
				s += xi[i]
			case v < 0:
				s -= xi[i]
			}
		}
		return s / float64(n)
	}
	panic(fmt.Sprintf("inspect: OverlapKind.Of: unknown kind %d", int(k)))
}

// TailMean returns the mean of the last ⌈frac·len(m)⌉ entries of m (at
// least one), the steady-state overlap m_ss of science spec §6.2 when m is
// a time course sampled at every step and frac = 0.1. It returns NaN for an
// empty m and panics unless 0 < frac ≤ 1.
func TailMean(m []float64, frac float64) float64 {
	if !(frac > 0 && frac <= 1) {
		panic(fmt.Sprintf("inspect: TailMean: frac = %v outside (0, 1]", frac))
	}
	if len(m) == 0 {
		return math.NaN()
	}
	k := assocTailLen(len(m), frac)
	var s float64
	for _, v := range m[len(m)-k:] {
		s += v
	}
	return s / float64(k)
}

// assocTailLen returns ⌈frac·n⌉ clamped to [1, n].
func assocTailLen(n int, frac float64) int {
	k := int(math.Ceil(frac*float64(n) - 1e-9))
	return max(1, min(n, k))
}

// Defaults of the associative-memory analyses (science spec §6.2–§6.3 and
// §10 item 15).
const (
	// DefaultRetrievalT is the run length T = 2000 (model time) of the Fig 1
	// and Fig 4 captions [MED].
	DefaultRetrievalT = 2000
	// DefaultTail is the fraction of the run averaged for m_ss (the last
	// 10 %) [MED].
	DefaultTail = 0.1
	// DefaultSamples is the number of samples kept of a time course.
	DefaultSamples = 200
	// assocMaxSteps bounds the Euler steps of one run.
	assocMaxSteps = 100_000_000
	// assocCheckEvery is how often (in steps) a run polls its context.
	assocCheckEvery = 64
)

// assocNet is a Hebbian network of package model: *model.Hopfield or
// *model.Gated.
type assocNet struct {
	net   model.Network
	gated *model.Gated // nil for a Hopfield network
	pat   *model.Patterns
	beta  float64
	dt    float64
	x0    float64 // X0Scale (1 for Hopfield)
	z0m   float64 // Z0Mean
	z0s   float64 // Z0Std
}

// assocWrap checks that net is a Hopfield or Gated network.
func assocWrap(net model.Network) (assocNet, error) {
	switch v := net.(type) {
	case *model.Hopfield:
		return assocNet{net: v, pat: v.Patterns(), beta: v.Config().Beta, dt: v.Dt(), x0: 1}, nil
	case *model.Gated:
		c := v.Config()
		return assocNet{net: v, gated: v, pat: v.Patterns(), beta: c.Beta, dt: c.DT, x0: c.X0Scale, z0m: c.Z0Mean, z0s: c.Z0Std}, nil
	case nil:
		return assocNet{}, errors.New("nil network")
	}
	return assocNet{}, fmt.Errorf("a %s network is not an associative memory (want hopfield or gated)", net.Family())
}

// n returns the number of neurons N.
func (a *assocNet) n() int { n, _ := a.pat.Dims(); return n }

// start writes a noisy start of pattern mu into dst (length Dims().State):
// x(0) = X0Scale·s with s = NoisyPattern(mu, m0) drawn from rx, and for a
// gated network z_i(0) = Z0Mean + Z0Std·N(0, 1) drawn from rz (if rz is
// nil, z is left unchanged).
func (a *assocNet) start(dst []float64, mu int, m0 float64, rx, rz *model.RNG) {
	n := a.n()
	x := dst[:n]
	a.pat.NoisyPattern(x, mu, m0, rx)
	if a.x0 != 1 {
		for i := range x {
			x[i] *= a.x0
		}
	}
	if a.gated != nil && rz != nil {
		for i := n; i < 2*n; i++ {
			dst[i] = a.z0m + a.z0s*rz.Norm()
		}
	}
}

// NoisyStart returns an initial state of net, a *model.Hopfield or
// *model.Gated, near pattern mu (zero-based) with expected overlap m0
// (science spec §6.1 and §10 item 12, [PROPOSAL]): x(0) = X0Scale·s where s
// is ξ^μ with each sign flipped with probability (1 − m0)/2, drawn from
// model.NewRNG(seed, 0); a gated network also gets z(0) ~ N(Z0Mean,
// Z0Std²) from model.NewRNG(seed, 1). X0Scale is 1 for a Hopfield network.
func NoisyStart(net model.Network, mu int, m0 float64, seed uint64) ([]float64, error) {
	a, err := assocWrap(net)
	if err != nil {
		return nil, fmt.Errorf("inspect: NoisyStart: %w", err)
	}
	if err := assocCheckStart(a, mu, m0); err != nil {
		return nil, fmt.Errorf("inspect: NoisyStart: %w", err)
	}
	dst := make([]float64, net.Dims().State)
	a.start(dst, mu, m0, model.NewRNG(seed, 0), model.NewRNG(seed, 1))
	return dst, nil
}

// assocCheckStart validates a pattern index and an initial overlap.
func assocCheckStart(a assocNet, mu int, m0 float64) error {
	if _, p := a.pat.Dims(); mu < 0 || mu >= p {
		return fmt.Errorf("pattern index %d outside [0, %d)", mu, p)
	}
	if !(m0 >= -1 && m0 <= 1) {
		return fmt.Errorf("m0 = %v outside [−1, 1]", m0)
	}
	return nil
}

// RetrievalSettings configures [Retrieve] and [RetrieveFrom]. Zero fields
// take the defaults shown.
type RetrievalSettings struct {
	// Pattern is the zero-based index μ of the pattern to retrieve (ξ¹ is 0).
	Pattern int
	// M0 is the expected initial overlap m₀ of the noisy start used by
	// Retrieve (ignored by RetrieveFrom). The zero value starts from an
	// uncorrelated state; use 1 to start exactly at the pattern.
	M0 float64
	// Seed selects the random start of Retrieve (see [NoisyStart]).
	Seed uint64
	// T is the run length in model time (DefaultRetrievalT = 2000); the
	// run takes round(T/dt) Euler steps of the network's own dt.
	T float64
	// Tail is the fraction of the run, at its end, whose every-step overlap
	// is averaged into m_ss (DefaultTail = 0.1).
	Tail float64
	// Samples is the number of time-course samples kept (DefaultSamples =
	// 200) besides t = 0 and t = T; a negative value keeps only those two.
	Samples int
	// Kind is the overlap reported in M, M0, MT and MSS (OverlapRaw).
	Kind OverlapKind
}

// fill applies the defaults and validates the settings.
func (s *RetrievalSettings) fill() error {
	if s.T == 0 {
		s.T = DefaultRetrievalT
	}
	if s.Tail == 0 {
		s.Tail = DefaultTail
	}
	if s.Samples == 0 {
		s.Samples = DefaultSamples
	}
	if !(s.T > 0) || math.IsInf(s.T, 0) {
		return fmt.Errorf("run length T = %v, want finite and > 0", s.T)
	}
	if !(s.Tail > 0 && s.Tail <= 1) {
		return fmt.Errorf("tail fraction %v outside (0, 1]", s.Tail)
	}
	if s.Kind < OverlapRaw || s.Kind > OverlapSign {
		return fmt.Errorf("unknown overlap kind %d", int(s.Kind))
	}
	return nil
}

// Retrieval is the outcome of one retrieval run (science spec §6.2).
type Retrieval struct {
	// Times are the sample times t (model time), starting at 0 and ending
	// at T.
	Times []float64
	// M is the overlap m(t) of the requested kind with the retrieved pattern
	// at each sample time.
	M []float64
	// MF and MA are the closed and active parts of the raw overlap at each
	// sample time, m_F = (1/N) Σ_{z_i ≤ 0} ξ_i φ(x_i) and m_A over z_i > 0,
	// so MF + MA is the raw overlap (binary-gate split, whatever γ is).
	// Gated networks only; nil for a Hopfield network.
	MF, MA []float64
	// Closed is the fraction of closed gates, #{i : z_i ≤ 0}/N, at each
	// sample time (gated networks only).
	Closed []float64
	// M0, MT and MSS are m(0), m(T) and the steady-state overlap m_ss, the
	// mean of m over the every-step values of the last Tail of the run.
	M0, MT, MSS float64
	// Steps is the number of Euler steps taken.
	Steps int
	// Final is the state at time T.
	Final []float64
}

// Retrieve runs net, a *model.Hopfield or *model.Gated, from the noisy
// start [NoisyStart](net, s.Pattern, s.M0, s.Seed) for time s.T and returns
// the overlap time course and m_ss. The result depends only on the network
// and the settings. net's scratch space is used, so net must not be used
// concurrently (pass a Clone). A cancelled ctx stops the run within a few
// dozen steps and returns ctx.Err().
func Retrieve(ctx context.Context, net model.Network, s *RetrievalSettings) (*Retrieval, error) {
	var set RetrievalSettings
	if s != nil {
		set = *s
	}
	a, err := assocWrap(net)
	if err != nil {
		return nil, fmt.Errorf("inspect: Retrieve: %w", err)
	}
	if err := assocCheckStart(a, set.Pattern, set.M0); err != nil {
		return nil, fmt.Errorf("inspect: Retrieve: %w", err)
	}
	x0 := make([]float64, net.Dims().State)
	a.start(x0, set.Pattern, set.M0, model.NewRNG(set.Seed, 0), model.NewRNG(set.Seed, 1))
	r, err := assocRun(ctx, a, x0, &set, true)
	if err != nil {
		return nil, fmt.Errorf("inspect: Retrieve: %w", err)
	}
	return r, nil
}

// RetrieveFrom is [Retrieve] from the given initial state x0 (length
// Dims().State, not modified); s.M0 and s.Seed are ignored.
func RetrieveFrom(ctx context.Context, net model.Network, x0 []float64, s *RetrievalSettings) (*Retrieval, error) {
	var set RetrievalSettings
	if s != nil {
		set = *s
	}
	a, err := assocWrap(net)
	if err != nil {
		return nil, fmt.Errorf("inspect: RetrieveFrom: %w", err)
	}
	if err := assocCheckStart(a, set.Pattern, 0); err != nil {
		return nil, fmt.Errorf("inspect: RetrieveFrom: %w", err)
	}
	if len(x0) != net.Dims().State {
		return nil, fmt.Errorf("inspect: RetrieveFrom: initial state has length %d, want %d", len(x0), net.Dims().State)
	}
	if !fpFinite(x0) {
		return nil, errors.New("inspect: RetrieveFrom: initial state is not finite")
	}
	r, err := assocRun(ctx, a, append([]float64(nil), x0...), &set, true)
	if err != nil {
		return nil, fmt.Errorf("inspect: RetrieveFrom: %w", err)
	}
	return r, nil
}

// assocRun integrates a from x (which it overwrites) and measures the
// overlaps. With keep unset only M0, MT, MSS, Steps and Final are filled.
func assocRun(ctx context.Context, a assocNet, x []float64, s *RetrievalSettings, keep bool) (*Retrieval, error) {
	if err := s.fill(); err != nil {
		return nil, err
	}
	dt := a.dt
	steps := int(math.Round(s.T / dt))
	if steps < 1 {
		steps = 1
	}
	if steps > assocMaxSteps {
		return nil, fmt.Errorf("T/dt = %.3g steps exceeds the limit of %d", s.T/dt, assocMaxSteps)
	}
	n := a.n()
	xi := make([]float64, n)
	a.pat.Pattern(xi, s.Pattern)
	phi := make([]float64, n)
	overlap := func(st []float64) float64 {
		for i, v := range st[:n] {
			phi[i] = math.Tanh(a.beta * v)
		}
		return s.Kind.Of(xi, phi)
	}
	r := &Retrieval{Steps: steps}
	every := steps + 1 // no intermediate samples
	if s.Samples > 0 {
		every = max(1, (steps+s.Samples-1)/s.Samples)
	}
	record := func(k int, st []float64, m float64) {
		if !keep {
			return
		}
		r.Times = append(r.Times, float64(k)*dt)
		r.M = append(r.M, m)
		if a.gated != nil {
			mf, ma := a.gated.ClosedActiveOverlap(st, s.Pattern)
			r.MF = append(r.MF, mf)
			r.MA = append(r.MA, ma)
			closed := 0
			for _, z := range st[n:] {
				if z <= 0 {
					closed++
				}
			}
			r.Closed = append(r.Closed, float64(closed)/float64(n))
		}
	}
	r.M0 = overlap(x)
	record(0, x, r.M0)
	tail := assocTailLen(steps, s.Tail)
	next := make([]float64, len(x))
	var sum float64
	for k := 1; k <= steps; k++ {
		if k%assocCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		a.net.Step(next, x, nil)
		x, next = next, x
		sampled := k%every == 0 || k == steps
		if k <= steps-tail && !sampled {
			continue
		}
		m := overlap(x)
		if k > steps-tail {
			sum += m
		}
		if sampled {
			record(k, x, m)
		}
		if k == steps {
			r.MT = m
		}
	}
	if !fpFinite(x) {
		return nil, errors.New("the state became non-finite")
	}
	r.MSS = sum / float64(tail)
	r.Final = x
	return r, nil
}

// MemoryModel describes an associative network to be rebuilt with fresh
// random patterns (and, for the gated model, a fresh gate coupling W) for
// every run of a [PhaseDiagram]: the number of neurons and the parameters.
type MemoryModel struct {
	// N is the number of neurons.
	N int
	// Gated selects the gated network with parameters Gate; otherwise the
	// graded Hopfield network with parameters Hopfield is used.
	Gated    bool
	Hopfield model.HopfieldConfig
	Gate     model.GatedConfig
}

// HopfieldMemory returns the Hopfield model of n neurons with parameters
// cfg.
func HopfieldMemory(n int, cfg model.HopfieldConfig) MemoryModel {
	return MemoryModel{N: n, Hopfield: cfg}
}

// GatedMemory returns the gated model of n neurons with parameters cfg.
func GatedMemory(n int, cfg model.GatedConfig) MemoryModel {
	return MemoryModel{N: n, Gated: true, Gate: cfg}
}

// MemoryModelOf returns the model of net, a *model.Hopfield or
// *model.Gated: its number of neurons and parameters (its patterns and W
// are not kept).
func MemoryModelOf(net model.Network) (MemoryModel, error) {
	switch v := net.(type) {
	case *model.Hopfield:
		n, _ := v.Patterns().Dims()
		return HopfieldMemory(n, v.Config()), nil
	case *model.Gated:
		n, _ := v.Patterns().Dims()
		return GatedMemory(n, v.Config()), nil
	}
	_, err := assocWrap(net)
	return MemoryModel{}, fmt.Errorf("inspect: MemoryModelOf: %w", err)
}

// Dt returns the Euler step of the model.
func (m MemoryModel) Dt() float64 {
	if m.Gated {
		return m.Gate.DT
	}
	return m.Hopfield.DT
}

// String describes the model, such as "gated γ=∞ β=10 N=1000".
func (m MemoryModel) String() string {
	if m.Gated {
		g := "∞"
		if !math.IsInf(m.Gate.Gamma, 1) {
			g = fmt.Sprintf("%g", m.Gate.Gamma)
		}
		return fmt.Sprintf("gated γ=%s β=%g N=%d", g, m.Gate.Beta, m.N)
	}
	return fmt.Sprintf("hopfield β=%g N=%d", m.Hopfield.Beta, m.N)
}

// Build returns the network storing p, whose length must be N. A gated
// model draws its W from rng. A ConnAuto connectivity form becomes
// ConnPatterns (the O(NP) form, which never forms the N×N J).
func (m MemoryModel) Build(p *model.Patterns, rng *model.RNG) (model.Network, error) {
	if p == nil {
		return nil, errors.New("inspect: MemoryModel.Build: nil patterns")
	}
	if n, _ := p.Dims(); n != m.N {
		return nil, fmt.Errorf("inspect: MemoryModel.Build: patterns of length %d, want N = %d", n, m.N)
	}
	if m.Gated {
		c := m.Gate
		if c.Form == model.ConnAuto {
			c.Form = model.ConnPatterns
		}
		return model.RandomGated(p, c, rng)
	}
	c := m.Hopfield
	if c.Form == model.ConnAuto {
		c.Form = model.ConnPatterns
	}
	return model.NewHopfield(p, c)
}

// PhaseSettings configures [PhaseDiagramOf]. Zero fields take the defaults
// shown (science spec §10 item 15, [PROPOSAL]).
type PhaseSettings struct {
	// Alphas are the memory loads α = P/N (x-axis); P = round(α·N), at
	// least 1. Default 0.02, 0.04, …, 0.5.
	Alphas []float64
	// M0s are the initial overlaps m₀ (y-axis). Default 0.05, 0.10, …, 1.0.
	M0s []float64
	// Runs is the number of runs per cell (10), each with its own patterns,
	// W, x(0) and z(0).
	Runs int
	// T, Tail and Kind are as in RetrievalSettings (2000, 0.1, raw).
	T    float64
	Tail float64
	Kind OverlapKind
	// Seed selects all random draws. Run r of the cell (α_j, m0_i) draws its
	// patterns and W from streams that depend on (j, r) only and its x(0)
	// and z(0) from streams that depend on (j, i, r), so two models with the
	// same seed see the same patterns and flips (common random numbers).
	Seed uint64
	// Concurrency is the number of goroutines (0: runtime.GOMAXPROCS(0)).
	// The result does not depend on it.
	Concurrency int
	// Progress, if non-nil, is called (from one goroutine at a time) after
	// each run with the number of runs done and the total.
	Progress func(done, total int)
}

// StepGrid returns the values lo, lo+step, …, up to hi (inclusive within
// step/1000), each rounded to 12 significant digits (and values within
// 1e-9·step of zero set to 0) so that 0.1+0.2 prints as 0.3. It returns nil unless step > 0, lo ≤ hi and the grid has at
// most 1,000,000 points.
func StepGrid(lo, hi, step float64) []float64 {
	if !(step > 0) || !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	kf := math.Floor((hi-lo)/step + 1e-3)
	if !(kf < 1e6) {
		return nil
	}
	k := int(kf)
	out := make([]float64, 0, k+1)
	for i := 0; i <= k; i++ {
		v := lo + float64(i)*step
		if math.Abs(v) < 1e-9*step {
			v = 0 // −0.9 + 3·0.3 is −1.1e-16
		}
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
		out = append(out, v)
	}
	return out
}

// fill applies the defaults and validates.
func (s *PhaseSettings) fill() error {
	if s.Alphas == nil {
		s.Alphas = StepGrid(0.02, 0.5, 0.02)
	}
	if s.M0s == nil {
		s.M0s = StepGrid(0.05, 1, 0.05)
	}
	if s.Runs == 0 {
		s.Runs = 10
	}
	if len(s.Alphas) == 0 || len(s.M0s) == 0 || s.Runs < 0 {
		return fmt.Errorf("empty grid (%d α, %d m0, %d runs)", len(s.Alphas), len(s.M0s), s.Runs)
	}
	for _, a := range s.Alphas {
		if !(a > 0) || math.IsInf(a, 0) {
			return fmt.Errorf("memory load α = %v, want finite and > 0", a)
		}
	}
	for _, m := range s.M0s {
		if !(m >= -1 && m <= 1) {
			return fmt.Errorf("m0 = %v outside [−1, 1]", m)
		}
	}
	if len(s.Alphas) > 1<<16 || len(s.M0s) > 1<<16 || s.Runs > 1<<20 {
		return errors.New("grid too large")
	}
	r := RetrievalSettings{T: s.T, Tail: s.Tail, Kind: s.Kind}
	if err := r.fill(); err != nil {
		return err
	}
	s.T, s.Tail = r.T, r.Tail
	return nil
}

// PhaseDiagram is the steady-state overlap over a grid of memory loads α
// and initial overlaps m₀ (science spec §6.2, Fig 1). Cell (i, j) is
// M0s[i], Alphas[j]; the per-cell slices have len(M0s)·len(Alphas) entries
// in row-major order, index i·len(Alphas) + j.
type PhaseDiagram struct {
	// Model describes the network ("" for a difference of two diagrams).
	Model string
	// Alphas and M0s are the grid; P[j] = round(Alphas[j]·N) is the number
	// of stored patterns of column j.
	Alphas, M0s []float64
	P           []int
	Runs        int
	// T, Tail and Kind are the settings used.
	T, Tail float64
	Kind    OverlapKind
	// Mean and Std are the mean and the sample standard deviation (0 for
	// one run) over the runs of m_ss in each cell.
	Mean, Std []float64
	// Start is the mean measured m(0) of each cell.
	Start []float64
	// Closed is the mean final fraction of closed gates of each cell
	// (gated models; nil otherwise).
	Closed []float64
	// Values are the m_ss of every run, index (i·len(Alphas) + j)·Runs + r.
	Values []float64
}

// At returns the mean and standard deviation of m_ss at M0s[i], Alphas[j].
func (d *PhaseDiagram) At(i, j int) (mean, std float64) {
	c := i*len(d.Alphas) + j
	return d.Mean[c], d.Std[c]
}

// assocStream numbers the random streams of a phase-diagram run: what
// (patterns 0, W 1, x(0) 2, z(0) 3), column j, row i (0xFFFF for draws
// shared by a column) and run r.
func assocStream(what, j, i, r int) uint64 {
	return uint64(what)<<60 | uint64(j)<<44 | uint64(i)<<28 | uint64(r)
}

// PhaseDiagramOf runs m for every cell of the α × m₀ grid of s, s.Runs
// times, in parallel, and returns the mean and spread of m_ss (science spec
// §6.2 Fig 1, §10 item 15). Each run stores P = round(α·N) fresh random
// patterns, starts from pattern ξ¹ with each sign flipped with probability
// (1 − m₀)/2 and runs for time T. The result is the same for any
// Concurrency. A cancelled ctx returns ctx.Err().
func PhaseDiagramOf(ctx context.Context, m MemoryModel, s *PhaseSettings) (*PhaseDiagram, error) {
	var set PhaseSettings
	if s != nil {
		set = *s
	}
	if err := set.fill(); err != nil {
		return nil, fmt.Errorf("inspect: PhaseDiagramOf: %w", err)
	}
	if m.N < 1 {
		return nil, fmt.Errorf("inspect: PhaseDiagramOf: N = %d", m.N)
	}
	// Validate the parameters once, on a tiny network.
	if _, err := (MemoryModel{N: 1, Gated: m.Gated, Hopfield: m.Hopfield, Gate: m.Gate}).Build(
		model.RandomPatterns(1, 1, model.NewRNG(0, 0)), model.NewRNG(0, 0)); err != nil {
		return nil, fmt.Errorf("inspect: PhaseDiagramOf: %w", err)
	}
	na, nm, runs := len(set.Alphas), len(set.M0s), set.Runs
	d := &PhaseDiagram{
		Model: m.String(), Alphas: append([]float64(nil), set.Alphas...), M0s: append([]float64(nil), set.M0s...),
		P: make([]int, na), Runs: runs, T: set.T, Tail: set.Tail, Kind: set.Kind,
		Mean: make([]float64, na*nm), Std: make([]float64, na*nm), Start: make([]float64, na*nm),
		Values: make([]float64, na*nm*runs),
	}
	for j, a := range set.Alphas {
		d.P[j] = max(1, int(math.Round(a*float64(m.N))))
	}
	closed := make([]float64, na*nm*runs)
	start := make([]float64, na*nm*runs)
	rs := RetrievalSettings{T: set.T, Tail: set.Tail, Kind: set.Kind, Samples: -1}
	job := func(k int) error {
		r := k % runs
		c := k / runs
		i, j := c/na, c%na
		pat := model.RandomPatterns(m.N, d.P[j], model.NewRNG(set.Seed, assocStream(0, j, 0xFFFF, r)))
		net, err := m.Build(pat, model.NewRNG(set.Seed, assocStream(1, j, 0xFFFF, r)))
		if err != nil {
			return err
		}
		a, err := assocWrap(net)
		if err != nil {
			return err
		}
		x := make([]float64, net.Dims().State)
		a.start(x, 0, set.M0s[i], model.NewRNG(set.Seed, assocStream(2, j, i, r)), model.NewRNG(set.Seed, assocStream(3, j, i, r)))
		rs := rs
		res, err := assocRun(ctx, a, x, &rs, false)
		if err != nil {
			return err
		}
		d.Values[k] = res.MSS
		start[k] = res.M0
		if a.gated != nil {
			cl := 0
			for _, z := range res.Final[m.N:] {
				if z <= 0 {
					cl++
				}
			}
			closed[k] = float64(cl) / float64(m.N)
		}
		return nil
	}
	if err := assocParallel(ctx, na*nm*runs, set.Concurrency, job, set.Progress); err != nil {
		return nil, fmt.Errorf("inspect: PhaseDiagramOf: %w", err)
	}
	if m.Gated {
		d.Closed = make([]float64, na*nm)
	}
	for c := range d.Mean {
		vs := d.Values[c*runs : (c+1)*runs]
		d.Mean[c], d.Std[c] = assocMeanStd(vs)
		d.Start[c], _ = assocMeanStd(start[c*runs : (c+1)*runs])
		if d.Closed != nil {
			d.Closed[c], _ = assocMeanStd(closed[c*runs : (c+1)*runs])
		}
	}
	return d, nil
}

// Minus returns the difference d − ref of two diagrams on the same grid
// with the same number of runs (Fig 1c: Δm_ss = m_ss^{γ→∞} − m_ss^{γ=0}).
// The differences are taken run by run, so with the same seed (common
// patterns and flips) Std is the spread of the paired differences.
// Start and Closed are taken from d.
func (d *PhaseDiagram) Minus(ref *PhaseDiagram) (*PhaseDiagram, error) {
	if ref == nil || len(d.Alphas) != len(ref.Alphas) || len(d.M0s) != len(ref.M0s) || d.Runs != ref.Runs {
		return nil, errors.New("inspect: PhaseDiagram.Minus: different grids")
	}
	for j := range d.Alphas {
		if d.Alphas[j] != ref.Alphas[j] {
			return nil, errors.New("inspect: PhaseDiagram.Minus: different α grids")
		}
	}
	for i := range d.M0s {
		if d.M0s[i] != ref.M0s[i] {
			return nil, errors.New("inspect: PhaseDiagram.Minus: different m0 grids")
		}
	}
	out := *d
	out.Model = fmt.Sprintf("(%s) − (%s)", d.Model, ref.Model)
	out.Values = make([]float64, len(d.Values))
	out.Mean = make([]float64, len(d.Mean))
	out.Std = make([]float64, len(d.Std))
	for k := range out.Values {
		out.Values[k] = d.Values[k] - ref.Values[k]
	}
	for c := range out.Mean {
		out.Mean[c], out.Std[c] = assocMeanStd(out.Values[c*d.Runs : (c+1)*d.Runs])
	}
	return &out, nil
}

// assocMeanStd returns the mean and the sample standard deviation (n − 1)
// of v; the deviation is 0 for fewer than two values.
func assocMeanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	var q float64
	for _, x := range v {
		q += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(q / float64(len(v)-1))
}

// assocParallel runs job(k) for k in [0, n) on up to workers goroutines
// (0: GOMAXPROCS), handing out indices in order, and reports progress after
// each job. It stops at the first error or when ctx is cancelled.
func assocParallel(ctx context.Context, n, workers int, job func(k int) error, progress func(done, total int)) error {
	return parallelFor(ctx, n, workers, progress, func(_, k int) error { return job(k) })
}

// FlowSettings configures [FlowDiagram]. Zero fields take the defaults
// shown.
type FlowSettings struct {
	// Grid are the values of m₊ = m₁ + m₂ and of m₋ = m₁ − m₂ at which
	// initial conditions are placed (the full product). Default −0.9, −0.6,
	// …, 0.9 (49 initial conditions).
	Grid []float64
	// T is the run length (DefaultRetrievalT = 2000).
	T float64
	// Arrow is the time of the short displacement m(Arrow) − m(0) drawn as
	// an arrow (default 2; the velocity at a ±1 start is nearly zero
	// because φ'(±1) ≈ 0 for β = 10).
	Arrow float64
	// Tol is the distance (in the (m₁, m₂) plane) below which two end
	// points count as one (default 1e-3).
	Tol float64
	// Seed selects z(0), shared by all runs (model.NewRNG(Seed, 1)), and the
	// flips of run k (model.NewRNG(Seed, 2+k)).
	Seed uint64
	// Concurrency is the number of goroutines (0: GOMAXPROCS); the result
	// does not depend on it.
	Concurrency int
}

// FlowRun is one run of a flow diagram. Overlaps are raw, m_μ = (1/N) Σ_i
// ξ_i^μ φ(x_i), written (m₁, m₂).
type FlowRun struct {
	// Target is the requested (m₊, m₋).
	Target [2]float64
	// Start, Arrow and End are (m₁, m₂) at times 0, Arrow and T.
	Start, Arrow, End [2]float64
}

// Displacement returns ‖m(T) − m(0)‖, the background of Fig 4.
func (r FlowRun) Displacement() float64 {
	return math.Hypot(r.End[0]-r.Start[0], r.End[1]-r.Start[1])
}

// PointCluster is a group of points within a tolerance of its first
// member, Center.
type PointCluster struct {
	Center [2]float64
	Count  int
}

// FlowResult is a P = 2 flow diagram (science spec §6.2 Fig 4): runs from a
// grid of initial conditions and their distinct end points.
type FlowResult struct {
	Runs []FlowRun
	// Ends are the distinct end points, see [DistinctPoints].
	Ends []PointCluster
}

// DistinctPoints groups points by leader clustering: each point joins the
// first existing cluster whose center (its first member) lies within
// Euclidean distance tol, or starts a new one. The result depends on the
// order of pts but is deterministic; its length is the number of distinct
// end points of EC-38.
func DistinctPoints(pts [][2]float64, tol float64) []PointCluster {
	var cl []PointCluster
outer:
	for _, p := range pts {
		for k := range cl {
			if math.Hypot(p[0]-cl[k].Center[0], p[1]-cl[k].Center[1]) <= tol {
				cl[k].Count++
				continue outer
			}
		}
		cl = append(cl, PointCluster{Center: p, Count: 1})
	}
	return cl
}

// FlowDiagram runs net, a *model.Hopfield or *model.Gated storing P = 2
// patterns (science spec §6.2 Fig 4: orthogonal, see
// model.OrthogonalPair), from a grid of initial conditions in
// (m₊, m₋) = (m₁ + m₂, m₁ − m₂) and returns the start, short-time and end
// overlaps of each run and the distinct end points (EC-38). Patterns, W and
// z(0) are fixed; only x(0) varies: x(0) = X0Scale·s where s_i = ξ¹_i
// flipped with probability (1 − m₊)/2 where ξ¹_i = ξ²_i and (1 − m₋)/2
// where ξ¹_i = −ξ²_i, so that for orthogonal patterns E[m₁ ± m₂] = m±
// (times tanh β). The network itself is not used concurrently (each
// goroutine runs a Clone).
func FlowDiagram(ctx context.Context, net model.Network, s *FlowSettings) (*FlowResult, error) {
	var set FlowSettings
	if s != nil {
		set = *s
	}
	if set.Grid == nil {
		set.Grid = StepGrid(-0.9, 0.9, 0.3)
	}
	if set.T == 0 {
		set.T = DefaultRetrievalT
	}
	if set.Arrow == 0 {
		set.Arrow = 2
	}
	if set.Tol == 0 {
		set.Tol = 1e-3
	}
	a, err := assocWrap(net)
	if err != nil {
		return nil, fmt.Errorf("inspect: FlowDiagram: %w", err)
	}
	n, p := a.pat.Dims()
	if p != 2 {
		return nil, fmt.Errorf("inspect: FlowDiagram: the network stores %d patterns, want 2", p)
	}
	if !(set.T > 0) || math.IsInf(set.T, 0) || !(set.Arrow > 0) || !(set.Arrow <= set.T) || !(set.Tol >= 0) {
		return nil, fmt.Errorf("inspect: FlowDiagram: bad T = %v, Arrow = %v or Tol = %v", set.T, set.Arrow, set.Tol)
	}
	for _, v := range set.Grid {
		if !(v >= -1 && v <= 1) {
			return nil, fmt.Errorf("inspect: FlowDiagram: grid value %v outside [−1, 1]", v)
		}
	}
	dt := a.dt
	steps := max(1, int(math.Round(set.T/dt)))
	arrow := max(1, min(steps, int(math.Round(set.Arrow/dt))))
	if steps > assocMaxSteps {
		return nil, fmt.Errorf("inspect: FlowDiagram: T/dt exceeds %d steps", assocMaxSteps)
	}
	dim := net.Dims().State
	// z(0) shared by all runs.
	z0 := make([]float64, dim)
	if a.gated != nil {
		rz := model.NewRNG(set.Seed, 1)
		for i := n; i < dim; i++ {
			z0[i] = a.z0m + a.z0s*rz.Norm()
		}
	}
	xi1 := make([]float64, n)
	xi2 := make([]float64, n)
	a.pat.Pattern(xi1, 0)
	a.pat.Pattern(xi2, 1)
	g := len(set.Grid)
	res := &FlowResult{Runs: make([]FlowRun, g*g)}
	job := func(k int) error {
		c := net.Clone()
		mp, mm := set.Grid[k/g], set.Grid[k%g]
		x := append([]float64(nil), z0...)
		rx := model.NewRNG(set.Seed, 2+uint64(k))
		qp, qm := (1-mp)/2, (1-mm)/2
		for i := 0; i < n; i++ {
			v := xi1[i]
			q := qp
			if xi1[i] != xi2[i] {
				q = qm
			}
			if rx.Float64() < q {
				v = -v
			}
			x[i] = a.x0 * v
		}
		run := FlowRun{Target: [2]float64{mp, mm}}
		var out [2]float64
		c.Output(out[:], x)
		run.Start = out
		next := make([]float64, dim)
		for t := 1; t <= steps; t++ {
			if t%assocCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			c.Step(next, x, nil)
			x, next = next, x
			if t == arrow {
				c.Output(out[:], x)
				run.Arrow = out
			}
		}
		if !fpFinite(x) {
			return errors.New("the state became non-finite")
		}
		c.Output(out[:], x)
		run.End = out
		res.Runs[k] = run
		return nil
	}
	if err := assocParallel(ctx, g*g, set.Concurrency, job, nil); err != nil {
		return nil, fmt.Errorf("inspect: FlowDiagram: %w", err)
	}
	ends := make([][2]float64, len(res.Runs))
	for k, r := range res.Runs {
		ends[k] = r.End
	}
	res.Ends = DistinctPoints(ends, set.Tol)
	return res, nil
}
