package task

import (
	"math"

	"attractor/model"
)

// LastK is the last-k recall task of docs/science.md §2.2 [PROPOSAL]: a random
// binary sequence of LIn bits arrives on input channel 0 as ±1, with an end
// flag on channel 1 at the last bit; the input is then zero for Delay steps,
// after which the K outputs must report the last K bits (±1) for Report
// steps. Only the report steps are scored. K = 1 is a 1-bit memory; K = 3 is
// a flip-flop analogue. Test-time delays are set by changing Delay.
type LastK struct {
	LIn, Delay, K, Report int
	Size                  int // trials per batch
}

// NewLastK returns the proposed defaults: 20 input bits, delay 20, report 5
// steps, batches of 64.
func NewLastK(k int) *LastK { return &LastK{LIn: 20, Delay: 20, K: k, Report: 5, Size: 64} }

// Name returns "lastk".
func (l *LastK) Name() string { return "lastk" }

// Validate reports invalid lengths.
func (l *LastK) Validate() error {
	switch {
	case l.K <= 0 || l.K > l.LIn:
		return &ConfigError{"lastk", "k", "must be in 1…LIn"}
	case l.Delay < 0:
		return &ConfigError{"lastk", "delay", "must be non-negative"}
	case l.Report <= 0:
		return &ConfigError{"lastk", "report", "must be positive"}
	case l.Size <= 0:
		return &ConfigError{"lastk", "batch", "must be positive"}
	}
	return nil
}

// Batch draws Size trials; a trial's class is its last K bits as a number.
func (l *LastK) Batch(rng *model.RNG) *Batch {
	if err := l.Validate(); err != nil {
		panic(err)
	}
	T := l.LIn + l.Delay + l.Report
	b := NewBatch(T, l.Size, 2, l.K)
	b.Dt, b.Unit = 1, "step"
	bits := make([]float64, l.LIn)
	for trial := 0; trial < l.Size; trial++ {
		for i := range bits {
			bits[i] = -1
			if rng.Float64() < 0.5 {
				bits[i] = 1
			}
			b.In(i, trial)[0] = bits[i]
		}
		b.In(l.LIn-1, trial)[1] = 1
		class := 0
		for k := 0; k < l.K; k++ {
			v := bits[l.LIn-l.K+k]
			if v > 0 {
				class |= 1 << k
			}
			for t := l.LIn + l.Delay; t < T; t++ {
				b.Target(t, trial)[k] = v
				b.Weight(t, trial)[k] = 1
			}
		}
		b.Class[trial] = class
	}
	b.Windows = []Window{{"sequence", 0, l.LIn}, {"delay", l.LIn, l.LIn + l.Delay}, {"report", l.LIn + l.Delay, T}}
	b.Score = b.Windows[2]
	return b
}

// Hold is the sinusoid-hold task of docs/science.md §2.2 [PROPOSAL]: the input is
// sin(2π t/Period + φ) for Drive steps (random phase φ per trial), then zero
// for Delay steps; the target follows the input while it is on and then
// holds the last input value. Every step is scored.
type Hold struct {
	Drive, Delay int
	Period       float64 // in steps
	Size         int
}

// NewHold returns the proposed defaults: drive 20 steps of period 10, delay
// 20, batches of 64.
func NewHold() *Hold { return &Hold{Drive: 20, Delay: 20, Period: 10, Size: 64} }

// Name returns "hold".
func (h *Hold) Name() string { return "hold" }

// Validate reports invalid lengths or period.
func (h *Hold) Validate() error {
	switch {
	case h.Drive <= 0:
		return &ConfigError{"hold", "drive", "must be positive"}
	case h.Delay < 0:
		return &ConfigError{"hold", "delay", "must be non-negative"}
	case !(h.Period > 0):
		return &ConfigError{"hold", "period", "must be positive"}
	case h.Size <= 0:
		return &ConfigError{"hold", "batch", "must be positive"}
	}
	return nil
}

// Batch draws Size trials with random phases.
func (h *Hold) Batch(rng *model.RNG) *Batch {
	if err := h.Validate(); err != nil {
		panic(err)
	}
	T := h.Drive + h.Delay
	b := NewBatch(T, h.Size, 1, 1)
	b.Dt, b.Unit = 1, "step"
	for trial := 0; trial < h.Size; trial++ {
		phase := 2 * math.Pi * rng.Float64()
		last := 0.0
		for t := 0; t < T; t++ {
			if t < h.Drive {
				last = math.Sin(2*math.Pi*float64(t)/h.Period + phase)
				b.In(t, trial)[0] = last
			}
			b.Target(t, trial)[0] = last
			b.Weight(t, trial)[0] = 1
		}
	}
	b.Windows = []Window{{"drive", 0, h.Drive}, {"delay", h.Drive, T}}
	b.Score = b.Windows[1]
	return b
}
