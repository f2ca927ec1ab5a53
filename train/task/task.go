package task

import (
	"fmt"

	"attractor/model"
)

// Window is a named half-open range of steps [Start, End) of a trial.
type Window struct {
	Name       string
	Start, End int
}

// Len returns the number of steps in the window.
func (w Window) Len() int { return w.End - w.Start }

// Batch is a set of trials of equal length, stored time-major: element
// (t, b, c) of U is at U[(t*Size+b)*Inputs+c], and likewise for Y and W with
// Outputs channels.
type Batch struct {
	Steps   int       // steps per trial
	Size    int       // trials in the batch
	Inputs  int       // input channels
	Outputs int       // target channels
	Dt      float64   // step length in the task's time unit (see Unit)
	Unit    string    // time unit of Dt, such as "ms" or "τ"
	U       []float64 // inputs, Steps×Size×Inputs
	Y       []float64 // targets, Steps×Size×Outputs
	W       []float64 // loss weights, Steps×Size×Outputs (0 = not scored)
	Class   []int     // condition of each trial (task specific; -1 if none)
	Windows []Window  // the task's epochs, such as cue, delay, reaction
	// Score is the window over which accuracy is measured; a zero window
	// means the steps with a non-zero weight.
	Score Window
	// Marks are the trial starts of a sequence of concatenated trials.
	Marks []Mark
}

// Mark is the start step and condition of one trial in a sequence.
type Mark struct {
	Step, Class int
}

// NewBatch returns a zeroed batch of the given shape.
func NewBatch(steps, size, inputs, outputs int) *Batch {
	b := &Batch{Steps: steps, Size: size, Inputs: inputs, Outputs: outputs,
		U:     make([]float64, steps*size*inputs),
		Y:     make([]float64, steps*size*outputs),
		W:     make([]float64, steps*size*outputs),
		Class: make([]int, size),
	}
	for i := range b.Class {
		b.Class[i] = -1
	}
	return b
}

// In returns the input vector of trial b at step t (a view, not a copy).
func (b *Batch) In(t, trial int) []float64 {
	i := (t*b.Size + trial) * b.Inputs
	return b.U[i : i+b.Inputs]
}

// Target returns the target vector of trial b at step t (a view).
func (b *Batch) Target(t, trial int) []float64 {
	i := (t*b.Size + trial) * b.Outputs
	return b.Y[i : i+b.Outputs]
}

// Weight returns the loss weights of trial b at step t (a view).
func (b *Batch) Weight(t, trial int) []float64 {
	i := (t*b.Size + trial) * b.Outputs
	return b.W[i : i+b.Outputs]
}

// Window returns the window called name, and whether there is one.
func (b *Batch) Window(name string) (Window, bool) {
	for _, w := range b.Windows {
		if w.Name == name {
			return w, true
		}
	}
	return Window{}, false
}

// Task generates batches of trials.
type Task interface {
	// Name is the task's name on the command line, such as "dcdt".
	Name() string
	// Batch draws a batch of trials; every random draw comes from rng (a
	// task without randomness ignores it).
	Batch(rng *model.RNG) *Batch
}

// ConfigError reports an invalid task parameter.
type ConfigError struct {
	Task, Field string
	Msg         string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("task %s: %s: %s", e.Task, e.Field, e.Msg)
}
