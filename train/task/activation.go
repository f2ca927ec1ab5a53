package task

import "attractor/model"

// Activation is the delayed activation task of the rank-2 experiments of
// Kurtkaya et al. (docs/science.md §5.2): no input; the network starts from a
// fixed state and must output 0 for Delay steps, then 1 for Resp steps, then
// (post variant) 0 for Post steps. The sequence length is L = Delay + Resp +
// Post.
//
// Weighting selects the loss weights: "delay" (the post study) gives weight
// 1 − Delay/L on the delay steps and Delay/L on the rest; "balanced" (the
// rank-K example) gives target-0 entries the fraction of target-1 entries
// and vice versa.
type Activation struct {
	Delay, Resp, Post int
	Weighting         string // "delay" (default) or "balanced"
}

// Name returns "activation".
func (a *Activation) Name() string { return "activation" }

// Validate reports non-positive lengths or an unknown weighting.
func (a *Activation) Validate() error {
	switch {
	case a.Delay < 0:
		return &ConfigError{"activation", "delay", "must be non-negative"}
	case a.Resp <= 0:
		return &ConfigError{"activation", "resp", "must be positive"}
	case a.Post < 0:
		return &ConfigError{"activation", "post", "must be non-negative"}
	case a.Weighting != "" && a.Weighting != "delay" && a.Weighting != "balanced":
		return &ConfigError{"activation", "weighting", `must be "delay" or "balanced"`}
	}
	return nil
}

// Batch returns the single trial of the task (the task is deterministic).
// It panics if the configuration is invalid.
func (a *Activation) Batch(_ *model.RNG) *Batch {
	if err := a.Validate(); err != nil {
		panic(err)
	}
	L := a.Delay + a.Resp + a.Post
	b := NewBatch(L, 1, 0, 1)
	b.Dt, b.Unit = 1, "step"
	ones := float64(a.Resp) / float64(L)
	for t := 0; t < L; t++ {
		on := t >= a.Delay && t < a.Delay+a.Resp
		if on {
			b.Target(t, 0)[0] = 1
		}
		var w float64
		if a.Weighting == "balanced" {
			if on {
				w = 1 - ones
			} else {
				w = ones
			}
		} else if t < a.Delay {
			w = 1 - float64(a.Delay)/float64(L)
		} else {
			w = float64(a.Delay) / float64(L)
		}
		b.Weight(t, 0)[0] = w
	}
	b.Windows = []Window{{"delay", 0, a.Delay}, {"response", a.Delay, a.Delay + a.Resp}}
	if a.Post > 0 {
		b.Windows = append(b.Windows, Window{"post", a.Delay + a.Resp, L})
	}
	b.Score = Window{"score", a.Delay, a.Delay + a.Resp}
	return b
}
