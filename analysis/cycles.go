package analysis

import (
	"context"
	"math"

	"attractor/inspect"
	"attractor/model"
)

// Cycle is one limit cycle: its period, its amplitude, the probes that
// reached it and, on request, its Floquet multipliers and the largest
// Lyapunov exponent of the orbit.
type Cycle struct {
	// Period is the period in Unit ("steps", or the model's time unit);
	// PeriodSteps is it in steps, rounded.
	Period      float64 `json:"period"`
	PeriodSteps int     `json:"period_steps"`
	Unit        string  `json:"unit"`
	// Amplitude is the RMS distance of the orbit's states from their mean,
	// per unit (‖x − x̄‖/√N averaged over one period); ReadoutAmplitude is
	// the largest half peak-to-peak swing of a readout channel over one
	// period (absent without a readout).
	Amplitude        float64  `json:"amplitude"`
	ReadoutAmplitude *float64 `json:"readout_amplitude,omitempty"`
	// Probes names the conditions or probes whose forward simulation ended
	// on this cycle.
	Probes []string `json:"probes"`
	// X is one state on the cycle and Input the input held there (nil:
	// zero).
	X     []float64 `json:"x"`
	Input []float64 `json:"input,omitempty"`
	// Floquet are the multipliers of the monodromy matrix over one period
	// (discrete-map multipliers; one is ≈ 1, along the orbit), sorted by
	// decreasing modulus, on request.
	Floquet [][2]float64 `json:"floquet,omitempty"`
	// Lyapunov is the largest Lyapunov exponent from X, per Unit (≈ 0 on
	// a stable cycle), on request.
	Lyapunov *float64 `json:"lyapunov,omitempty"`

	floquet []complex128
}

// CycleSettings says which costly descriptions of a cycle are computed.
type CycleSettings struct {
	// Floquet computes the Floquet multipliers (for N ≤ 400: the monodromy
	// matrix costs one N×N×N product per step of the period).
	Floquet bool `json:"floquet"`
	// Lyapunov computes the largest Lyapunov exponent on every cycle.
	Lyapunov bool `json:"lyapunov"`
}

// addCycle appends the limit cycle a reached from probe name.
func addCycle(cs []Cycle, a *inspect.Asymptote, name string) []Cycle {
	return append(cs, Cycle{Period: a.Period, Probes: []string{name}, X: append([]float64(nil), a.X...), floquet: a.Floquet})
}

// cycleTol is the ‖Δx‖/√N within which a state lies on a known cycle.
const cycleTol = 1e-2

// describeCycles merges the cycles that are one orbit (a state of one
// within cycleTol of the other's orbit, or half the largest step along it) and fills in every cycle's period
// in steps, amplitude and, on request, its Lyapunov exponent.
func describeCycles(ctx context.Context, net model.Network, cs []Cycle, s *Settings) ([]Cycle, error) {
	dt, unit := vdt(net), PeriodUnit(net)
	d := net.Dims()
	var out []Cycle
	var orbits [][][]float64
	var tols []float64
next:
	for _, c := range cs {
		for i, orb := range orbits {
			for _, y := range orb {
				if rmsDist(c.X, y) < tols[i] {
					out[i].Probes = append(out[i].Probes, c.Probes...)
					continue next
				}
			}
		}
		steps := max(1, int(math.Round(c.Period/dt)))
		c.PeriodSteps, c.Unit = steps, unit
		x := append([]float64(nil), c.X...)
		y := make([]float64, d.State)
		orb := make([][]float64, 0, steps)
		lo, hi := make([]float64, d.Output), make([]float64, d.Output)
		for i := range lo {
			lo[i], hi[i] = math.Inf(1), math.Inf(-1)
		}
		out1 := make([]float64, d.Output)
		mean := make([]float64, d.State)
		tol := cycleTol
		for range steps {
			orb = append(orb, append([]float64(nil), x...))
			for i, v := range x {
				mean[i] += v / float64(steps)
			}
			net.Output(out1, x)
			for i, v := range out1 {
				lo[i], hi[i] = min(lo[i], v), max(hi[i], v)
			}
			net.Step(y, x, c.Input)
			tol = max(tol, rmsDist(x, y)/2)
			x, y = y, x
		}
		for _, s := range orb {
			c.Amplitude += rmsDist(s, mean) / float64(steps)
		}
		if d.Output > 0 {
			ra := 0.0
			for i := range lo {
				ra = max(ra, (hi[i]-lo[i])/2)
			}
			c.ReadoutAmplitude = &ra
		}
		if s.Cycles.Floquet {
			for _, m := range c.floquet {
				c.Floquet = append(c.Floquet, [2]float64{real(m), imag(m)})
			}
		}
		if s.Cycles.Lyapunov {
			l, err := inspect.Lyapunov(ctx, net, c.X, c.Input, nil)
			if err != nil {
				return nil, err
			}
			c.Lyapunov = &l
		}
		out = append(out, c)
		orbits = append(orbits, orb)
		tols = append(tols, tol)
	}
	return out, nil
}

// PeriodUnit names the unit of the times inspect.Settle reports for net:
// the model's time unit for a flow ("τ", "ms", or "model time units"),
// "steps" for a map.
func PeriodUnit(net model.Network) string {
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		if _, u := TimeUnit(net); u != "" {
			return u
		}
		return "model time units"
	}
	return "steps"
}
