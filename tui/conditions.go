package tui

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// This file maps a network's task (saved.Manifest.Task) to the trials the
// UI runs: the conditions and the delay. To support a new task, add a
// function to protocols.

// Condition is one trial condition: where the state starts and what input
// the network gets. A trial is the cue, then the delay (Protocol.Delay
// steps of the input Hold), then the steps after the delay, such as a
// second stimulus or a response window.
type Condition struct {
	Name string
	X0   []float64   // initial state
	Cue  [][]float64 // inputs of the steps before the delay, one per step (may be empty; a nil row is zero input)
	Hold []float64   // input during the delay (nil: zero input)
	// After are the inputs of the steps after the delay, one per step (a
	// nil row is zero input); past them the input is Hold again.
	After [][]float64
}

// Input returns the input at step t of the trial, ignoring the steps after
// the delay (nil for zero input); see [Protocol.Input].
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
	// DelayStep is the change of the delay, in steps, of one 'd' or 'D';
	// 0 changes it by a factor of 3/4 or 4/3 instead.
	DelayStep int
	// Dt and Unit give the length of a step in the task's time unit (5
	// "ms" for the delayed cue discrimination, 0.1 "τ" for pattern
	// matching); a zero Dt counts the delay in steps.
	Dt   float64
	Unit string

	// verdict says which mechanism classifier applies (see verdict.go).
	verdict verdictSpec
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

// protocols maps a task name to the function building its protocol.
var protocols = map[string]func(n *saved.Network, task json.RawMessage, rng *model.RNG) (Protocol, error){
	"signal":   signalProtocol,
	"dcdt":     dcdtProtocol,
	"flipflop": flipflopProtocol,
	"lastk":    lastkProtocol,
	"spm":      spmProtocol,
	"choice":   choiceProtocol,
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
	p.Dt, p.Unit = condTimeUnit(n.Net)
	return p
}

// condTimeUnit returns the step length and time unit of a network whose
// unit is known: milliseconds for the leaky network, τ for the rate
// network; otherwise 0 and "" (the delay is counted in steps).
func condTimeUnit(net model.Network) (float64, string) {
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
	if x := n.EndState(); x != nil {
		x0 = x
	}
	p := Protocol{Task: "signal", Note: fmt.Sprintf("signal generator (%s, period %g): one free-running condition", t.Target, t.Period),
		Conditions: []Condition{{Name: "free run", X0: x0}}}
	p.Delay = stepsFor(n.Net, 2*t.Period)
	p.MinDelay = max(1, p.Delay/16)
	p.MaxDelay = p.Delay * 16
	p.Dt, p.Unit = condTimeUnit(n.Net)
	return p, nil
}

// taskConfig decodes the "config" object of a task record into cfg, which
// holds the task's defaults (fields the record lacks keep them).
func taskConfig(raw json.RawMessage, cfg any) error {
	rec := struct {
		Config any `json:"config"`
	}{Config: cfg}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("task record: %w", err)
	}
	return nil
}

// condCheckInputs reports a network whose input size is not the task's.
func condCheckInputs(n *saved.Network, name string, inputs int) error {
	if d := n.Net.Dims(); d.Input != inputs {
		return fmt.Errorf("the %s task has %d input channels but the network takes %d", name, inputs, d.Input)
	}
	return nil
}

// condBatchRows copies the inputs of trial k of b over steps [from, to);
// an all-zero row becomes nil (zero input).
func condBatchRows(b *task.Batch, k, from, to int) [][]float64 {
	rows := make([][]float64, 0, to-from)
	for t := from; t < to; t++ {
		u := b.In(t, k)
		zero := true
		for _, v := range u {
			zero = zero && v == 0
		}
		if zero {
			rows = append(rows, nil)
		} else {
			rows = append(rows, append([]float64(nil), u...))
		}
	}
	return rows
}

// condSigns formats bits as a pattern of + and − (bit i of v is the i-th
// sign, + when set).
func condSigns(v, bits int) string {
	var b strings.Builder
	for i := range bits {
		if v&(1<<i) != 0 {
			b.WriteByte('+')
		} else {
			b.WriteString("−")
		}
	}
	return b.String()
}

// condPatterns returns the bit patterns of the conditions of a task with
// 2^bits memory states: all of them, or 16 spread evenly when there are
// more.
func condPatterns(bits int) []int {
	const most = 16
	if bits < 5 {
		ps := make([]int, 1<<bits)
		for i := range ps {
			ps[i] = i
		}
		return ps
	}
	total := math.Ldexp(1, bits)
	ps := make([]int, most)
	for i := range ps {
		ps[i] = int(float64(i) * (total - 1) / (most - 1))
	}
	return ps
}

// condDelayLimits sets the delay's limits: from min to 16 times the
// trained delay (at least max).
func condDelayLimits(p *Protocol, lo, hi int) {
	p.MinDelay = lo
	p.MaxDelay = max(hi, 16*p.Delay)
}

// dcdtProtocol is the delayed cue discrimination of Kurtkaya et al.
// (task.DCDT): two conditions, one per cue class, with the inputs of
// task.DCDT.Batch — the cue, the delay and the reaction (and post) window,
// all without input after the cue. The state starts at 0, the mean of the
// trainer's random r₀. 'd' and 'D' change the delay in steps of DtMS
// (5 ms), as the trainer's DelayMS; the search for fixed points holds the
// delay's zero input.
func dcdtProtocol(n *saved.Network, raw json.RawMessage, _ *model.RNG) (Protocol, error) {
	d := task.NewDCDT(0, false)
	if err := taskConfig(raw, d); err != nil {
		return Protocol{}, err
	}
	d.PerClass = 1
	if err := d.Validate(); err != nil {
		return Protocol{}, err
	}
	if err := condCheckInputs(n, "dcdt", 2); err != nil {
		return Protocol{}, err
	}
	b := d.Batch(nil)
	cue, _ := b.Window("cue")
	delay, _ := b.Window("delay")
	p := Protocol{Task: "dcdt", Delay: delay.Len(), DelayStep: 1, Dt: float64(d.DtMS), Unit: "ms"}
	x0 := make([]float64, n.Net.Dims().State)
	for k := range 2 {
		p.Conditions = append(p.Conditions, Condition{
			Name:  fmt.Sprintf("class %d", b.Class[k]),
			X0:    x0,
			Cue:   condBatchRows(b, k, cue.Start, cue.End),
			After: condBatchRows(b, k, delay.End, b.Steps),
		})
	}
	_, _, react, _ := d.Steps()
	p.verdict = verdictSpec{scheme: verdictKurtkaya, memory: []int{0, 1}, scoreFrom: 0, scoreLen: react}
	condDelayLimits(&p, 0, 80)
	p.Note = fmt.Sprintf("delayed cue discrimination: 2 cue classes, cue %d ms, delay %d ms, reaction %d ms", d.CueMS, d.DelayMS, d.ReactMS)
	if d.PostMS > 0 {
		p.Note += fmt.Sprintf(", post %d ms", d.PostMS)
	}
	p.Note += "; x₀ = 0; fixed points with zero input"
	return p, nil
}

// flipflopProtocol is the N-bit flip-flop (task.FlipFlop): one condition
// per memory state (2^Bits, at most 16), set by one step with a pulse on
// every channel (+1 for a set bit, −1 for a clear one) from x₀ = 0,
// followed by zero input for the rest of a training trial.
func flipflopProtocol(n *saved.Network, raw json.RawMessage, _ *model.RNG) (Protocol, error) {
	f := task.NewFlipFlop(3)
	if err := taskConfig(raw, f); err != nil {
		return Protocol{}, err
	}
	if err := f.Validate(); err != nil {
		return Protocol{}, err
	}
	if f.Bits > 62 {
		return Protocol{}, fmt.Errorf("flipflop: %d bits is too many", f.Bits)
	}
	if err := condCheckInputs(n, "flipflop", f.Bits); err != nil {
		return Protocol{}, err
	}
	x0 := make([]float64, n.Net.Dims().State)
	p := Protocol{Task: "flipflop", Delay: max(1, f.Steps-1), Dt: 1, Unit: "step"}
	for _, s := range condPatterns(f.Bits) {
		u := make([]float64, f.Bits)
		for i := range u {
			u[i] = -1
			if s&(1<<i) != 0 {
				u[i] = 1
			}
		}
		p.Conditions = append(p.Conditions, Condition{Name: "state " + condSigns(s, f.Bits), X0: x0, Cue: [][]float64{u}})
	}
	condDelayLimits(&p, 1, 64)
	p.Note = fmt.Sprintf("%d-bit flip-flop: %d memory states, each set by one pulse on every channel, then zero input; x₀ = 0",
		f.Bits, len(p.Conditions))
	return p, nil
}

// lastkProtocol is last-k recall (task.LastK): one condition per pattern
// of the last K bits (2^K, at most 16). The LIn − K earlier bits are one
// fixed random sequence shared by every condition (from the UI's stream);
// the end flag marks the last bit; the delay and the report window have
// zero input.
func lastkProtocol(n *saved.Network, raw json.RawMessage, rng *model.RNG) (Protocol, error) {
	l := task.NewLastK(1)
	if err := taskConfig(raw, l); err != nil {
		return Protocol{}, err
	}
	if err := l.Validate(); err != nil {
		return Protocol{}, err
	}
	if l.K > 62 {
		return Protocol{}, fmt.Errorf("lastk: k = %d is too many", l.K)
	}
	if err := condCheckInputs(n, "lastk", 2); err != nil {
		return Protocol{}, err
	}
	prefix := make([]float64, l.LIn-l.K)
	for i := range prefix {
		prefix[i] = -1
		if rng.Float64() < 0.5 {
			prefix[i] = 1
		}
	}
	x0 := make([]float64, n.Net.Dims().State)
	p := Protocol{Task: "lastk", Delay: l.Delay, Dt: 1, Unit: "step"}
	for _, s := range condPatterns(l.K) {
		cue := make([][]float64, l.LIn)
		for t := range cue {
			bit := 0.0
			if t < len(prefix) {
				bit = prefix[t]
			} else if s&(1<<(t-len(prefix))) != 0 {
				bit = 1
			} else {
				bit = -1
			}
			cue[t] = []float64{bit, 0}
		}
		cue[l.LIn-1][1] = 1
		p.Conditions = append(p.Conditions, Condition{Name: "last " + condSigns(s, l.K), X0: x0, Cue: cue,
			After: make([][]float64, l.Report)})
	}
	condDelayLimits(&p, 0, 64)
	p.Note = fmt.Sprintf("last-%d recall: %d conditions by the last %d bits (a fixed random prefix of %d bits), delay %d, report %d steps; x₀ = 0",
		l.K, len(p.Conditions), l.K, len(prefix), l.Delay, l.Report)
	return p, nil
}

// spmStimulusSeed seeds the stimulus samples of the pattern-matching
// conditions; every condition gets the same stream, so they differ only
// in their digits.
const spmStimulusSeed = 0x73706d

// spmProtocol is sequential pattern matching (task.SPM) of Ghazizadeh &
// Ching: the 4 trial types 2·d₁ + d₂, with the inputs of task.SPM.Trials
// for a fixed stimulus seed. The delay the keys change is delay 1, between
// the two stimuli; stimulus 2, delay 2 and the response follow it. Every
// condition starts from the trainer's last state (train.x) when the file
// holds it, otherwise from x₀ = 0.1·N(0, 1) as the trainer's first.
func spmProtocol(n *saved.Network, raw json.RawMessage, rng *model.RNG) (Protocol, error) {
	s := task.NewSPM()
	if err := taskConfig(raw, s); err != nil {
		return Protocol{}, err
	}
	if err := s.Validate(); err != nil {
		return Protocol{}, err
	}
	if err := condCheckInputs(n, "spm", 2); err != nil {
		return Protocol{}, err
	}
	N := n.Net.Dims().State
	x0, from := model.NormalVector(N, 0.1, rng), "x₀ = 0.1·N(0, 1)"
	if x := n.EndState(); x != nil {
		x0, from = x, "x₀ = the trainer's last state"
	}
	_, dl, _ := s.EpochSteps()
	p := Protocol{Task: "spm", Delay: dl, Dt: s.Dt, Unit: "τ"}
	for typ := range 4 {
		b := s.Trials([]int{typ}, model.NewRNG(spmStimulusSeed, 0))
		st1, _ := b.Window("stimulus 1")
		d1, _ := b.Window("delay 1")
		p.Conditions = append(p.Conditions, Condition{
			Name:  fmt.Sprintf("digits %d,%d", typ/2, typ%2),
			X0:    x0,
			Cue:   condBatchRows(b, 0, st1.Start, st1.End),
			After: condBatchRows(b, 0, d1.End, b.Steps),
		})
	}
	st, _, rs := s.EpochSteps()
	p.verdict = verdictSpec{scheme: verdictGhazizadeh, memory: []int{0, 0, 1, 1},
		scoreFrom: st + dl + rs - 1, scoreLen: 1, encodings: s.Encoding[:]}
	for typ := range 4 {
		p.verdict.targets = append(p.verdict.targets, s.Encoding[typ/2+typ%2])
	}
	condDelayLimits(&p, 1, 64)
	p.Note = fmt.Sprintf("sequential pattern matching: 4 trial types (d₁, d₂), fixed stimulus samples; the keys change delay 1 (%g τ); %s; fixed points with zero input",
		s.Delay, from)
	return p, nil
}

// choiceProtocol is delayed choice with variable encoding time
// (task.Choice): one condition per cue and encoding time, then the delay,
// the go cue and the response window, from x₀ = 0.
func choiceProtocol(n *saved.Network, raw json.RawMessage, _ *model.RNG) (Protocol, error) {
	c := task.NewChoice()
	if err := taskConfig(raw, c); err != nil {
		return Protocol{}, err
	}
	if err := c.Validate(); err != nil {
		return Protocol{}, err
	}
	if err := condCheckInputs(n, "choice", 3); err != nil {
		return Protocol{}, err
	}
	x0 := make([]float64, n.Net.Dims().State)
	p := Protocol{Task: "choice", Delay: c.Delay, Dt: 1, Unit: "step"}
	encs := c.Encode
	if len(encs) > 8 {
		encs = encs[:8]
	}
	for cue := range 2 {
		for _, enc := range encs {
			rows := make([][]float64, enc)
			for t := range rows {
				rows[t] = make([]float64, 3)
				rows[t][cue] = 1
			}
			after := make([][]float64, c.Resp)
			after[0] = []float64{0, 0, 1}
			p.Conditions = append(p.Conditions, Condition{Name: fmt.Sprintf("cue %d for %d", cue, enc), X0: x0, Cue: rows, After: after})
		}
	}
	condDelayLimits(&p, 0, 64)
	p.Note = fmt.Sprintf("delayed choice: %d conditions (2 cues × encoding times), delay %d, go cue and %d response steps; x₀ = 0",
		len(p.Conditions), c.Delay, c.Resp)
	return p, nil
}
