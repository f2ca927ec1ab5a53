package tui

import (
	"encoding/json"
	"fmt"
	"math"

	"attractor/model"
	"attractor/saved"
)

// This file maps a network's task (saved.Manifest.Task) to the trials the
// UI runs: the conditions and the delay. To support a new task, add a
// function to protocols.

// Condition is one trial condition: where the state starts and what input
// the network gets.
type Condition struct {
	Name string
	X0   []float64   // initial state
	Cue  [][]float64 // inputs of the steps before the delay, one per step (may be empty)
	Hold []float64   // input during the delay (nil: zero input)
}

// Input returns the input at step t of the trial (nil for zero input).
func (c *Condition) Input(t int) []float64 {
	if t < len(c.Cue) {
		return c.Cue[t]
	}
	return c.Hold
}

// Protocol is how the UI runs trials of a network.
type Protocol struct {
	Task       string // the task's name, or "" when the file names none
	Note       string // how the conditions were made, shown to the user
	Conditions []Condition
	Delay      int // steps of the delay, after the cue
	MinDelay   int
	MaxDelay   int
}

// Steps returns the steps of a trial of condition c: cue plus delay.
func (p *Protocol) Steps(c int) int { return len(p.Conditions[c].Cue) + p.Delay }

// SetDelay sets the delay, clamped to [MinDelay, MaxDelay], and returns it.
func (p *Protocol) SetDelay(d int) int {
	p.Delay = max(p.MinDelay, min(p.MaxDelay, d))
	return p.Delay
}

// protocols maps a task name to the function building its protocol.
var protocols = map[string]func(n *saved.Network, task json.RawMessage, rng *model.RNG) (Protocol, error){
	"signal": signalProtocol,
}

// taskName returns the "name" field of a task configuration, or "".
func taskName(task json.RawMessage) string {
	var t struct {
		Name string `json:"name"`
	}
	if len(task) == 0 || json.Unmarshal(task, &t) != nil {
		return ""
	}
	return t.Name
}

// ProtocolFor returns the trials to run for network n, decoded from its
// manifest's task. A task this build does not know, or none, gives a
// free-running protocol: four conditions that start from random states.
// Random draws come from the manifest's seed (1 when it has none).
func ProtocolFor(n *saved.Network) Protocol {
	seed := uint64(1)
	if n.Manifest.Seed != nil {
		seed = *n.Manifest.Seed
	}
	rng := model.NewRNG(seed, 0x7569) // the UI's own stream
	name := taskName(n.Manifest.Task)
	if f, ok := protocols[name]; ok {
		p, err := f(n, n.Manifest.Task, rng)
		if err == nil {
			return p
		}
		fp := freeProtocol(n, rng, 4)
		fp.Note = fmt.Sprintf("task %q: %v; free-running instead", name, err)
		return fp
	}
	p := freeProtocol(n, rng, 4)
	if name != "" {
		p.Task = name
		p.Note = fmt.Sprintf("task %q has no trial protocol in the UI yet: free-running from 4 random initial states", name)
	}
	return p
}

// stepsFor converts a span of model time to steps: time/dt for a flow,
// the span itself (taken as steps) for a discrete map.
func stepsFor(net model.Network, span float64) int {
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		return max(1, int(math.Round(span/f.Dt())))
	}
	return max(1, int(span))
}

// freeProtocol runs the network without input from k random initial states
// x0 ~ N(0, 0.5²) per dimension, for 20 time units (a flow) or 100 steps.
func freeProtocol(n *saved.Network, rng *model.RNG, k int) Protocol {
	d := n.Net.Dims()
	p := Protocol{Note: fmt.Sprintf("no task in the file: free-running from %d random initial states", k)}
	for i := range k {
		p.Conditions = append(p.Conditions, Condition{
			Name: fmt.Sprintf("x0 #%d", i+1),
			X0:   model.NormalVector(d.State, 0.5, rng),
		})
	}
	span := 100.0
	if _, ok := n.Net.(model.Flow); ok {
		span = 20
	}
	p.Delay = stepsFor(n.Net, span)
	p.MinDelay = max(1, p.Delay/16)
	p.MaxDelay = p.Delay * 16
	return p
}

// signalProtocol is a network trained to generate a signal (FORCE): one
// condition without input, run for two periods of the target. It starts
// from the trainer's last state when the file holds it (train.x of a
// checkpoint), otherwise from a random state.
func signalProtocol(n *saved.Network, task json.RawMessage, rng *model.RNG) (Protocol, error) {
	var t struct {
		Target string  `json:"target"`
		Period float64 `json:"period"`
	}
	if err := json.Unmarshal(task, &t); err != nil {
		return Protocol{}, err
	}
	if !(t.Period > 0) || math.IsInf(t.Period, 0) {
		t.Period = 60 // the trainer's default
	}
	if t.Target == "foursine" {
		t.Period = 120
	}
	d := n.Net.Dims()
	x0 := model.NormalVector(d.State, 0.5, rng)
	for _, e := range n.Extra {
		if e.Name == "train.x" && len(e.Data) == d.State {
			x0 = append([]float64(nil), e.Data...)
		}
	}
	p := Protocol{Task: "signal", Note: fmt.Sprintf("signal generator (%s, period %g): one free-running condition", t.Target, t.Period),
		Conditions: []Condition{{Name: "free run", X0: x0}}}
	p.Delay = stepsFor(n.Net, 2*t.Period)
	p.MinDelay = max(1, p.Delay/16)
	p.MaxDelay = p.Delay * 16
	return p, nil
}
