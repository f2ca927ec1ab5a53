package task

import (
	"fmt"

	"attractor/model"
)

// DCDT is the delayed cue-discrimination task of Kurtkaya et al. (docs/science.md
// §5.2). A cue on one of two input channels, (0,1) for class 0 and (1,0) for
// class 1, lasts CueMS; the inputs are then zero for a delay of DelayMS and a
// reaction window of ReactMS, during which the target is the cue pattern, and
// for an optional post-reaction period PostMS with target zero.
//
// All durations are converted to steps with integer arithmetic (DtMS = 5 ms:
// cue 6, reaction 10, post 6, delay DelayMS/5 steps). The reference code's
// float conversion shifts the accuracy window by one step at 300 and 320 ms;
// this implementation uses the nominal window.
//
// Loss weights (§5.4): with n_last the reaction plus post steps and T the
// trial length, every step but the last n_last has weight n_last/T and the
// last n_last steps have weight 1 − n_last/T. Accuracy is scored on
// [(cue+delay) − 1, (cue+delay+reaction) − 1), the reference window for
// outputs read out before each step's update.
type DCDT struct {
	DelayMS  int // delay length in ms, a multiple of DtMS (0…400 in the sweeps)
	DtMS     int // step length in ms (5)
	CueMS    int // cue length in ms (30)
	ReactMS  int // reaction window in ms (50)
	PostMS   int // post-reaction period in ms (0 for none, 30 in the post sweeps)
	PerClass int // trials per class in a batch (64)
}

// NewDCDT returns the task with the reference durations and the given delay,
// with or without the 30 ms post-reaction period.
func NewDCDT(delayMS int, post bool) *DCDT {
	d := &DCDT{DelayMS: delayMS, DtMS: 5, CueMS: 30, ReactMS: 50, PerClass: 64}
	if post {
		d.PostMS = 30
	}
	return d
}

// Name returns "dcdt".
func (d *DCDT) Name() string { return "dcdt" }

// Validate reports a duration that is negative or not a multiple of the step.
func (d *DCDT) Validate() error {
	if d.DtMS <= 0 {
		return &ConfigError{"dcdt", "dt", "must be positive"}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"delay", d.DelayMS}, {"cue", d.CueMS}, {"reaction", d.ReactMS}, {"post", d.PostMS}} {
		if f.v < 0 || f.v%d.DtMS != 0 {
			return &ConfigError{"dcdt", f.name, fmt.Sprintf("must be a non-negative multiple of the step (%d ms)", d.DtMS)}
		}
	}
	if d.CueMS == 0 || d.ReactMS == 0 {
		return &ConfigError{"dcdt", "cue/reaction", "must be positive"}
	}
	if d.PerClass <= 0 {
		return &ConfigError{"dcdt", "per-class", "must be positive"}
	}
	return nil
}

// Steps returns the step counts of the cue, delay, reaction and post epochs.
func (d *DCDT) Steps() (cue, delay, react, post int) {
	return d.CueMS / d.DtMS, d.DelayMS / d.DtMS, d.ReactMS / d.DtMS, d.PostMS / d.DtMS
}

// Batch returns the full batch: PerClass trials of class 0 then PerClass of
// class 1. The trials are identical within a class (they differ in training
// only by the noise and initial state); rng is not used. It panics if the
// configuration is invalid (call Validate first).
func (d *DCDT) Batch(_ *model.RNG) *Batch {
	if err := d.Validate(); err != nil {
		panic(err)
	}
	cue, delay, react, post := d.Steps()
	T := cue + delay + react + post
	B := 2 * d.PerClass
	b := NewBatch(T, B, 2, 2)
	b.Dt, b.Unit = float64(d.DtMS), "ms"
	nLast := react + post
	wEarly := float64(nLast) / float64(T)
	for trial := 0; trial < B; trial++ {
		class := trial / d.PerClass
		b.Class[trial] = class
		ch := 1 - class // class 0 → channel 1, class 1 → channel 0
		for t := 0; t < T; t++ {
			if t < cue {
				b.In(t, trial)[ch] = 1
			}
			if t >= cue+delay && t < cue+delay+react {
				b.Target(t, trial)[ch] = 1
			}
			w := wEarly
			if t >= T-nLast {
				w = 1 - wEarly
			}
			ws := b.Weight(t, trial)
			ws[0], ws[1] = w, w
		}
	}
	b.Windows = []Window{{"cue", 0, cue}, {"delay", cue, cue + delay}, {"reaction", cue + delay, cue + delay + react}}
	if post > 0 {
		b.Windows = append(b.Windows, Window{"post", cue + delay + react, T})
	}
	b.Score = Window{"score", cue + delay - 1, cue + delay + react - 1}
	return b
}
