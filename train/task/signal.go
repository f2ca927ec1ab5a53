package task

import "math"

// Signal is a target that is a function of time, for FORCE learning.
type Signal interface {
	// At returns the target at time t (in the model's time units).
	At(t float64) float64
}

// Sine is A·sin(2π t/Period), the target of the FORCE speed comparison.
type Sine struct{ Period, Amp float64 }

// At returns the sinusoid at time t.
func (s Sine) At(t float64) float64 { return s.Amp * math.Sin(2*math.Pi*t/s.Period) }

// FourSine is the periodic target of Sussillo & Abbott (2009, Fig 2),
// docs/science.md §7.1, with time in units of τ:
//
//	f(t) = [1.3 sin(πt/60) + 0.65 sin(2πt/60) + (1.3/6) sin(3πt/60) + (1.3/3) sin(4πt/60)] / 1.5
type FourSine struct{}

// At returns the target at time t.
func (FourSine) At(t float64) float64 {
	w := math.Pi * t / 60
	return (1.3*math.Sin(w) + 0.65*math.Sin(2*w) + (1.3/6)*math.Sin(3*w) + (1.3/3)*math.Sin(4*w)) / 1.5
}
