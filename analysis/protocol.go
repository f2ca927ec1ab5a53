package analysis

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// Condition is one trial condition: where the state starts, what input
// the network gets, and how the trial is scored. A trial is the cue, then
// the delay (Protocol.Delay steps of the input Hold), then the steps after
// the delay, such as a second stimulus or a response window.
type Condition struct {
	Name string
	X0   []float64   // initial state
	Cue  [][]float64 // inputs of the steps before the delay, one per step (may be empty; a nil row is zero input)
	Hold []float64   // input during the delay (nil: zero input)
	// After are the inputs of the steps after the delay, one per step (a
	// nil row is zero input); past them the input is Hold again.
	After [][]float64
	// Memory is the memory condition held in the delay (for example the
	// first digit of a pattern-matching trial): conditions with equal
	// Memory should be remembered alike.
	Memory int
	// Channel is the readout channel that scores the trial and Target the
	// value it should have there (NaN: none; the perturbation curves then
	// measure the error against the unperturbed trial).
	Channel int
	Target  float64
}

// Input returns the input at step t of the trial, ignoring the steps after
// the delay (nil for zero input); see [Protocol.Input].
func (c *Condition) Input(t int) []float64 {
	if t < len(c.Cue) {
		return c.Cue[t]
	}
	return c.Hold
}

// Scheme names the mechanism classifier that applies to a protocol.
type Scheme int

// Classifiers.
const (
	// SchemeEnd is the end behaviour of every condition (inspect.Settle
	// from the end of its delay): a description, not a published
	// classifier.
	SchemeEnd Scheme = iota
	// SchemeGhazizadeh is Ghazizadeh & Ching's DFP/IFP/LC/Mix (sequential
	// pattern matching).
	SchemeGhazizadeh
	// SchemeKurtkaya is Kurtkaya et al.'s learning gate and PSD ratio
	// (delayed cue discrimination).
	SchemeKurtkaya
)

// Protocol is how a network's trials are run: the conditions, the delay
// and how the verdict reads them. The command line, the terminal UI and
// the sweeps use the same protocol for the same file and seed.
type Protocol struct {
	Task string // the task's name, or "" when the file names none
	// Source says where the conditions come from: "task", "associative",
	// "generic" (the file names no task) or "inputs FILE".
	Source     string
	Note       string // how the conditions were made, shown to the user
	Conditions []Condition
	Delay      int // steps of the delay, after the cue
	MinDelay   int
	MaxDelay   int
	// DelayStep is the change of the delay, in steps, of one 'd' or 'D';
	// 0 changes it by a factor of 3/4 or 4/3 instead.
	DelayStep int
	// Dt and Unit give the length of a step in the task's time unit (5
	// "ms" for the delayed cue discrimination, 0.1 "τ" for pattern
	// matching); a zero Dt counts the delay in steps.
	Dt   float64
	Unit string

	// Scheme is the verdict's classifier.
	Scheme Scheme
	// ScoreFrom and ScoreLen are the scored window of a trial, in steps
	// from the end of the delay (ScoreLen 0: the trial is not scored).
	ScoreFrom, ScoreLen int
	// Encodings are the output targets f_o of pattern matching.
	Encodings []float64
	// Bases are the trial-end states of the Ghazizadeh classifier (the
	// authors' initial conditions); FromTraining says they follow from the
	// file's end-of-training state rather than the origin.
	Bases        [][]float64
	FromTraining bool
}

// Steps returns the steps of a trial of condition c: cue, delay and the
// steps after the delay.
func (p *Protocol) Steps(c int) int {
	cd := &p.Conditions[c]
	return len(cd.Cue) + p.Delay + len(cd.After)
}

// Input returns the input at step t of a trial of condition c (nil for
// zero input).
func (p *Protocol) Input(c, t int) []float64 {
	cd := &p.Conditions[c]
	switch {
	case t < len(cd.Cue):
		return cd.Cue[t]
	case t < len(cd.Cue)+p.Delay:
		return cd.Hold
	case t < len(cd.Cue)+p.Delay+len(cd.After):
		return cd.After[t-len(cd.Cue)-p.Delay]
	}
	return cd.Hold
}

// DelayEnd returns the step at which the delay of condition c ends, the
// time at which its memory is probed.
func (p *Protocol) DelayEnd(c int) int { return len(p.Conditions[c].Cue) + p.Delay }

// SetDelay sets the delay, clamped to [MinDelay, MaxDelay], and returns it.
func (p *Protocol) SetDelay(d int) int {
	p.Delay = max(p.MinDelay, min(p.MaxDelay, d))
	return p.Delay
}

// NextDelay returns the delay one 'D' (longer) or 'd' (shorter) press
// asks for: DelayStep steps more or less, or 4/3 (plus one step) or 3/4 of
// it without a step. The caller clamps it with SetDelay.
func (p *Protocol) NextDelay(longer bool) int {
	switch {
	case p.DelayStep > 0 && longer:
		return p.Delay + p.DelayStep
	case p.DelayStep > 0:
		return p.Delay - p.DelayStep
	case longer:
		return p.Delay*4/3 + 1
	}
	return p.Delay * 3 / 4
}

// DelayText formats the delay in the task's time unit ("160 ms") or in
// steps.
func (p *Protocol) DelayText() string {
	if p.Dt > 0 && p.Unit != "" && p.Unit != "step" {
		return strconv.FormatFloat(float64(p.Delay)*p.Dt, 'g', 4, 64) + " " + p.Unit
	}
	if p.Delay == 1 {
		return "1 step"
	}
	return strconv.Itoa(p.Delay) + " steps"
}

// Trials returns the conditions as inspect trials: the cue is the
// stimulus window (input noise and interruption act on it), the delay the
// window an extended delay lengthens, and the score window ScoreFrom
// steps after the end of the delay.
func (p *Protocol) Trials() []inspect.Trial {
	trials := make([]inspect.Trial, len(p.Conditions))
	for c := range p.Conditions {
		cd := &p.Conditions[c]
		steps := p.Steps(c)
		in := make([][]float64, steps)
		for t := range in {
			in[t] = p.Input(c, t)
		}
		end := p.DelayEnd(c)
		tr := inspect.Trial{Name: cd.Name, Inputs: in, X0: cd.X0, Condition: cd.Memory,
			Stimulus: inspect.StepWindow{Start: 0, End: len(cd.Cue)},
			Delay:    inspect.StepWindow{Start: len(cd.Cue), End: end},
			Channel:  cd.Channel, Target: cd.Target}
		if p.ScoreLen > 0 {
			from := min(steps, end+p.ScoreFrom)
			tr.Score = inspect.StepWindow{Start: from, End: min(steps, from+p.ScoreLen)}
		}
		trials[c] = tr
	}
	return trials
}

// Digest returns a short hash of everything in p that an analysis reads
// (conditions, delay, scoring and the verdict's bases), for cache keys.
// Floats print in their shortest exact form, so different protocols give
// different text.
func (p *Protocol) Digest() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v", *p))
	return fmt.Sprintf("%x", sum[:8])
}

// builder makes the protocol of one task from its record.
type builder func(n *saved.Network, task json.RawMessage, seed uint64) (Protocol, error)

// protocols maps a task name to the function building its protocol.
var protocols = map[string]builder{
	"signal":   signalProtocol,
	"dcdt":     dcdtProtocol,
	"flipflop": flipflopProtocol,
	"lastk":    lastkProtocol,
	"spm":      spmProtocol,
	"choice":   choiceProtocol,
}

// Tasks returns the names of the tasks the registry knows, sorted.
func Tasks() []string {
	var out []string
	for k := range protocols {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TaskName returns the "name" field of a task record, or "".
func TaskName(task json.RawMessage) string {
	var t struct {
		Name string `json:"name"`
	}
	if len(task) == 0 || json.Unmarshal(task, &t) != nil {
		return ""
	}
	return t.Name
}

// ProtocolFor returns the trials to run for network n, decoded from its
// manifest's task, with every random draw (stimulus samples, random
// prefixes) from seed. A Hopfield or gated network without a task gets
// the associative protocol; any other file without a task, or with one
// this build does not know, gets the generic protocol of its input
// dimension. A task record that does not fit the network is an error
// naming the field.
func ProtocolFor(n *saved.Network, seed uint64) (Protocol, error) {
	if n == nil || n.Net == nil {
		return Protocol{}, fmt.Errorf("analysis: no network")
	}
	name := TaskName(n.Manifest.Task)
	if f, ok := protocols[name]; ok {
		p, err := f(n, n.Manifest.Task, seed)
		if err != nil {
			return Protocol{}, fmt.Errorf("manifest task %s: %w", name, err)
		}
		p.Source = "task"
		return p, nil
	}
	switch n.Net.Family() {
	case model.FamilyHopfield, model.FamilyGated:
		if name == "" {
			return associativeProtocol(n, seed)
		}
	}
	p := GenericProtocol(n.Net, n.EndState(), seed)
	if name != "" {
		p.Task = name
		p.Note = fmt.Sprintf("task %q has no trial protocol in this build: %s", name, p.Note)
	}
	return p, nil
}

// stepsFor converts a span of model time to steps: time/dt for a flow,
// the span itself (taken as steps) for a discrete map.
func stepsFor(net model.Network, span float64) int {
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		return max(1, int(math.Round(span/f.Dt())))
	}
	return max(1, int(span))
}

// TimeUnit returns the step length and time unit of a network whose unit
// is known: milliseconds for the leaky network, τ for the rate network;
// otherwise 0 and "" (the delay is counted in steps).
func TimeUnit(net model.Network) (float64, string) {
	f, ok := net.(model.Flow)
	if !ok || !(f.Dt() > 0) {
		return 0, ""
	}
	switch net.Family() {
	case model.FamilyLeaky:
		return f.Dt(), "ms"
	case model.FamilyCTRNN:
		return f.Dt(), "τ"
	}
	return 0, ""
}
