package task

import "attractor/model"

// Choice is the delayed choice task with variable encoding time proposed for
// the TRNN comparison (docs/science.md §4.2 [PROPOSAL]): one of two cues (input
// channels 0 and 1, one-hot) is shown for an encoding time drawn from
// Encode, then the inputs are zero for Delay steps, then a go cue on
// channel 2 for one step opens a response window of Resp steps in which the
// two outputs must choose the cue (cross-entropy on a softmax of the
// outputs; the target is one-hot). Trials are aligned at the start and
// padded at the end with unscored steps, so the batch has one length.
type Choice struct {
	Encode []int // encoding times in steps, drawn uniformly per trial ({5, 10, 20})
	Delay  int   // delay in steps (40)
	Resp   int   // response window in steps (10)
	Size   int   // trials per batch (64)
}

// NewChoice returns the proposed defaults.
func NewChoice() *Choice { return &Choice{Encode: []int{5, 10, 20}, Delay: 40, Resp: 10, Size: 64} }

// Name returns "choice".
func (c *Choice) Name() string { return "choice" }

// Validate reports invalid lengths.
func (c *Choice) Validate() error {
	if len(c.Encode) == 0 {
		return &ConfigError{"choice", "encode", "needs at least one encoding time"}
	}
	for _, e := range c.Encode {
		if e <= 0 {
			return &ConfigError{"choice", "encode", "encoding times must be positive"}
		}
	}
	switch {
	case c.Delay < 0:
		return &ConfigError{"choice", "delay", "must be non-negative"}
	case c.Resp <= 0:
		return &ConfigError{"choice", "resp", "must be positive"}
	case c.Size <= 0:
		return &ConfigError{"choice", "batch", "must be positive"}
	}
	return nil
}

// Batch draws Size trials; a trial's class is its cue (0 or 1). Only the
// response window of each trial is scored (weight 1).
func (c *Choice) Batch(rng *model.RNG) *Batch {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	maxEnc := 0
	for _, e := range c.Encode {
		maxEnc = max(maxEnc, e)
	}
	T := maxEnc + c.Delay + c.Resp
	b := NewBatch(T, c.Size, 3, 2)
	b.Dt, b.Unit = 1, "step"
	for trial := 0; trial < c.Size; trial++ {
		cue := rng.IntN(2)
		enc := c.Encode[rng.IntN(len(c.Encode))]
		b.Class[trial] = cue
		for t := 0; t < enc; t++ {
			b.In(t, trial)[cue] = 1
		}
		goAt := enc + c.Delay
		b.In(goAt, trial)[2] = 1
		for t := goAt; t < goAt+c.Resp; t++ {
			b.Target(t, trial)[cue] = 1
			w := b.Weight(t, trial)
			w[0], w[1] = 1, 1
		}
	}
	b.Windows = []Window{{"cue", 0, maxEnc}, {"delay", maxEnc, maxEnc + c.Delay}, {"response", maxEnc + c.Delay, T}}
	return b
}
