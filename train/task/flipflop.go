package task

import "attractor/model"

// FlipFlop is the N-bit flip-flop of Sussillo & Barak (2013): each of Bits
// input channels carries occasional pulses of +1 or −1 (probability PPulse
// per step and channel, sign equally likely); the matching output must hold
// the sign of the most recent pulse on its channel, and 0 before the first.
// A network that solves it has 2^Bits stable fixed points (EC-30).
type FlipFlop struct {
	Bits   int     // number of channels (3)
	Steps  int     // trial length (100)
	PPulse float64 // pulse probability per step and channel (0.05)
	Size   int     // trials per batch (64)
}

// NewFlipFlop returns the 3-bit flip-flop with 100-step trials, pulse
// probability 0.05 and batches of 64.
func NewFlipFlop(bits int) *FlipFlop {
	return &FlipFlop{Bits: bits, Steps: 100, PPulse: 0.05, Size: 64}
}

// Name returns "flipflop".
func (f *FlipFlop) Name() string { return "flipflop" }

// Validate reports invalid sizes or probability.
func (f *FlipFlop) Validate() error {
	switch {
	case f.Bits <= 0:
		return &ConfigError{"flipflop", "bits", "must be positive"}
	case f.Steps <= 0:
		return &ConfigError{"flipflop", "steps", "must be positive"}
	case f.Size <= 0:
		return &ConfigError{"flipflop", "batch", "must be positive"}
	case !(f.PPulse > 0 && f.PPulse <= 1):
		return &ConfigError{"flipflop", "p-pulse", "must be in (0, 1]"}
	}
	return nil
}

// Batch draws Size trials. Every step is scored with weight 1. The class of
// a trial is the final memory state as a bit pattern (bit i set when channel
// i last saw +1).
func (f *FlipFlop) Batch(rng *model.RNG) *Batch {
	if err := f.Validate(); err != nil {
		panic(err)
	}
	b := NewBatch(f.Steps, f.Size, f.Bits, f.Bits)
	b.Dt, b.Unit = 1, "step"
	for trial := 0; trial < f.Size; trial++ {
		for c := 0; c < f.Bits; c++ {
			held := 0.0
			for t := 0; t < f.Steps; t++ {
				if rng.Float64() < f.PPulse {
					held = 1
					if rng.Float64() < 0.5 {
						held = -1
					}
					b.In(t, trial)[c] = held
				}
				b.Target(t, trial)[c] = held
				b.Weight(t, trial)[c] = 1
			}
		}
		class := 0
		for c := 0; c < f.Bits; c++ {
			if b.Target(f.Steps-1, trial)[c] > 0 {
				class |= 1 << c
			}
		}
		b.Class[trial] = class
	}
	b.Windows = []Window{{"trial", 0, f.Steps}}
	b.Score = Window{"score", 0, f.Steps}
	return b
}
