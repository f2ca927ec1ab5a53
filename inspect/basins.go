package inspect

import (
	"context"
	"errors"
	"math"

	"attractor/model"
)

// Attractor is one attractor of a network as [BasinFractions] knows it: a
// stable point (one state) or a limit cycle (states along its orbit).
type Attractor struct {
	Label  string
	ID     int
	Cycle  bool
	States [][]float64
}

// BasinProblem asks where starts end: the network, the input held fixed,
// the attractors, and the trajectory-sampled starts.
type BasinProblem struct {
	Net        model.Network
	Input      []float64
	Attractors []Attractor
	// Starts are states sampled along the network's trajectories, and
	// StartsFrom says so in the report ("trajectories" when empty).
	Starts     [][]float64
	StartsFrom string
	// Ends, if not nil, are where Starts end after RunSteps steps, when
	// the caller has simulated them already.
	Ends [][]float64
}

// BasinSettings tunes [BasinFractions]. A zero field takes the default
// shown; a nil *BasinSettings means all defaults.
type BasinSettings struct {
	// RunSteps (2000) is the simulation from each start, in steps.
	RunSteps int
	// Tol (0.1) is the largest RMS distance ‖x − a‖/√N from the end state
	// to an attractor's nearest state at which the start counts as ending
	// there; farther ends count as "other" (not yet settled, a slow point,
	// an attractor not in the list).
	Tol float64
	// Cloud (0.5) is the width w of the Gaussian cloud N(c, w²·I) about the
	// centroid c of the starts that is sampled as a second set of starts,
	// CloudStarts (256) of them; a negative Cloud disables it.
	Cloud       float64
	CloudStarts int
	// Noise (0.05, 0.1, 0.2, 0.5) are the σ of the noisy starts x + N(0, σ²·I)
	// from every trajectory-sampled start x: how the fractions change with
	// noise. A nil Noise takes the default; an empty non-nil one none.
	Noise []float64
	// Z (1.96) is the normal quantile of the Wilson intervals (95 %).
	Z float64
	// Seed seeds the cloud and the noise.
	Seed uint64
}

func (s *BasinSettings) fill() {
	if s.RunSteps <= 0 {
		s.RunSteps = 2000
	}
	vdDefault(&s.Tol, 0.1)
	vdDefault(&s.Cloud, 0.5)
	if s.CloudStarts <= 0 {
		s.CloudStarts = 256
	}
	if s.Noise == nil {
		s.Noise = []float64{0.05, 0.1, 0.2, 0.5}
	}
	vdDefault(&s.Z, 1.96)
}

// BasinFraction is the share of starts that ended at one attractor, with
// its Wilson score interval.
type BasinFraction struct {
	Label    string  `json:"label"`
	ID       int     `json:"id"`
	Cycle    bool    `json:"cycle,omitempty"`
	Count    int     `json:"count"`
	Fraction float64 `json:"fraction"`
	Low      float64 `json:"ci_low"`
	High     float64 `json:"ci_high"`
}

// BasinSet is the fractions of one set of starts.
type BasinSet struct {
	// Starts says where the starts came from: "trajectories" (or the
	// problem's StartsFrom), "cloud" or "trajectories+noise"; Width is the
	// cloud's w or the noise's σ.
	Starts    string          `json:"starts"`
	Width     float64         `json:"width,omitempty"`
	N         int             `json:"n"`
	Fractions []BasinFraction `json:"fractions"`
	// Other counts the starts that ended at none of the attractors.
	Other BasinFraction `json:"other"`
}

// BasinReport is the outcome of [BasinFractions].
type BasinReport struct {
	Confidence float64    `json:"confidence"` // of the intervals, 0.95
	Trajectory BasinSet   `json:"trajectory"`
	Cloud      *BasinSet  `json:"cloud,omitempty"`
	Noise      []BasinSet `json:"noise,omitempty"`
}

// BasinFractions simulates the network from every start and counts where
// each ends, in the manner of Attractors.jl's basins_fractions: the
// fraction of starts in each attractor's basin, for the trajectory-sampled
// starts, for a Gaussian cloud of stated width about their centroid, and
// for the trajectory starts displaced by noise of each σ. Each fraction
// carries a Wilson score interval (Wilson 1927), which stays inside [0, 1]
// and is sound for fractions near 0 or 1 with few starts.
func BasinFractions(ctx context.Context, p BasinProblem, s *BasinSettings) (*BasinReport, error) {
	if p.Net == nil || len(p.Starts) == 0 {
		return nil, errors.New("inspect: basin fractions need a network and starts")
	}
	var set BasinSettings
	if s != nil {
		set = *s
	}
	set.fill()
	rep := &BasinReport{Confidence: 2*normalCDF(set.Z) - 1}
	var err error
	if p.Ends != nil && len(p.Ends) != len(p.Starts) {
		return nil, errors.New("inspect: basin fractions: Ends and Starts differ in length")
	}
	if rep.Trajectory, err = basinCount(ctx, p, p.Starts, p.Ends, &set); err != nil {
		return nil, err
	}
	from := p.StartsFrom
	if from == "" {
		from = "trajectories"
	}
	rep.Trajectory.Starts = from
	n := p.Net.Dims().State
	rng := model.NewRNG(set.Seed, 0x62617369)
	if set.Cloud > 0 {
		c := make([]float64, n)
		for _, x := range p.Starts {
			for j, v := range x {
				c[j] += v / float64(len(p.Starts))
			}
		}
		cloud := basinDisplace(make([][]float64, set.CloudStarts), func(int) []float64 { return c }, set.Cloud, rng)
		bs, err := basinCount(ctx, p, cloud, nil, &set)
		if err != nil {
			return nil, err
		}
		bs.Starts, bs.Width = "cloud", set.Cloud
		rep.Cloud = &bs
	}
	for _, sigma := range set.Noise {
		noisy := basinDisplace(make([][]float64, len(p.Starts)), func(i int) []float64 { return p.Starts[i] }, sigma, rng)
		bs, err := basinCount(ctx, p, noisy, nil, &set)
		if err != nil {
			return nil, err
		}
		bs.Starts, bs.Width = from+"+noise", sigma
		rep.Noise = append(rep.Noise, bs)
	}
	return rep, nil
}

// basinDisplace fills dst[i] with center(i) + N(0, sd²·I) and returns it.
func basinDisplace(dst [][]float64, center func(i int) []float64, sd float64, rng *model.RNG) [][]float64 {
	for i := range dst {
		c := center(i)
		x := model.NormalVector(len(c), sd, rng)
		for j := range x {
			x[j] += c[j]
		}
		dst[i] = x
	}
	return dst
}

// basinCount simulates from every start (unless ends holds where they
// end) and counts the ends by attractor.
func basinCount(ctx context.Context, p BasinProblem, starts, ends [][]float64, set *BasinSettings) (BasinSet, error) {
	counts := make([]int, len(p.Attractors))
	other := 0
	for i, x0 := range starts {
		var e []float64
		if ends != nil {
			e = ends[i]
		} else {
			var err error
			if e, err = landscapeRun(ctx, p.Net, x0, p.Input, set.RunSteps); err != nil {
				return BasinSet{}, err
			}
		}
		best, at := set.Tol, -1
		if fpFinite(e) {
			for k, a := range p.Attractors {
				if d := orbitDist(a.States, e); d <= best {
					best, at = d, k
				}
			}
		}
		if at < 0 {
			other++
		} else {
			counts[at]++
		}
	}
	bs := BasinSet{N: len(starts), Fractions: []BasinFraction{}}
	for k, a := range p.Attractors {
		f := wilsonFraction(counts[k], len(starts), set.Z)
		f.Label, f.ID, f.Cycle = a.Label, a.ID, a.Cycle
		bs.Fractions = append(bs.Fractions, f)
	}
	bs.Other = wilsonFraction(other, len(starts), set.Z)
	bs.Other.Label, bs.Other.ID = "other", -1
	return bs, nil
}

// wilsonFraction returns k/n with the Wilson score interval at quantile z:
// (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
func wilsonFraction(k, n int, z float64) BasinFraction {
	if n == 0 {
		return BasinFraction{Fraction: math.NaN(), Low: 0, High: 1}
	}
	nf := float64(n)
	ph := float64(k) / nf
	z2 := z * z
	den := 1 + z2/nf
	mid := (ph + z2/(2*nf)) / den
	half := z * math.Sqrt(ph*(1-ph)/nf+z2/(4*nf*nf)) / den
	return BasinFraction{Count: k, Fraction: ph, Low: math.Max(0, mid-half), High: math.Min(1, mid+half)}
}

// normalCDF is Φ(z).
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
