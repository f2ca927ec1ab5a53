package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// This file builds the protocols of the tasks the trainers write. To
// support a new task, add a function to protocols.

// signalProtocol is a network trained to generate a signal (FORCE: sine,
// the sum of four sines, …): one condition without input, run for two
// periods of the target. It starts from the trainer's last state when the
// file holds it (train.x of a checkpoint), otherwise from a random state.
func signalProtocol(n *saved.Network, raw json.RawMessage, seed uint64) (Protocol, error) {
	var t struct {
		Target string  `json:"target"`
		Period float64 `json:"period"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return Protocol{}, err
	}
	if !(t.Period > 0) || math.IsInf(t.Period, 0) {
		t.Period = 60 // the trainer's default
	}
	if t.Target == "foursine" {
		t.Period = 120
	}
	d := n.Net.Dims()
	x0 := model.NormalVector(d.State, 0.5, model.NewRNG(seed, streamProtocol))
	if x := n.EndState(); x != nil {
		x0 = x
	}
	p := Protocol{Task: "signal", Note: fmt.Sprintf("signal generator (%s, period %g): one free-running condition", t.Target, t.Period),
		Conditions: []Condition{{Name: "free run", X0: x0, Target: math.NaN()}}}
	p.Delay = stepsFor(n.Net, 2*t.Period)
	p.MinDelay = max(1, p.Delay/16)
	p.MaxDelay = p.Delay * 16
	p.Dt, p.Unit = TimeUnit(n.Net)
	p.ScoreFrom, p.ScoreLen = -1, 1
	return p, nil
}

// Random streams of the protocols, all from the caller's seed.
const (
	streamProtocol = 0x7569 // random starts and prefixes
	streamSPMBases = 50     // stimuli of the trials that make the SPM bases
	streamSPMTrial = 100    // stimuli of SPM trial (base b, type k): stream 100 + 4b + k
)

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

// checkDims reports a network whose input or output size does not fit the
// task (outputs < 0: any).
func checkDims(n *saved.Network, name string, inputs, outputs int) error {
	d := n.Net.Dims()
	if d.Input != inputs {
		return fmt.Errorf("the %s task has %d input channels but the network takes %d", name, inputs, d.Input)
	}
	if outputs >= 0 && d.Output < outputs {
		return fmt.Errorf("the %s task needs %d readout channels; the network has %d", name, outputs, d.Output)
	}
	return nil
}

// batchRows copies the inputs of trial k of b over steps [from, to); an
// all-zero row becomes nil (zero input).
func batchRows(b *task.Batch, k, from, to int) [][]float64 {
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

// signs formats bits as a pattern of + and − (bit i of v is the i-th
// sign, + when set).
func signs(v, bits int) string {
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

// patterns returns the bit patterns of the conditions of a task with
// 2^bits memory states: all of them, or 16 spread evenly when there are
// more.
func patterns(bits int) []int {
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

// delayLimits sets the delay's limits: from lo to 16 times the trained
// delay (at least hi).
func delayLimits(p *Protocol, lo, hi int) {
	p.MinDelay = lo
	p.MaxDelay = max(hi, 16*p.Delay)
}

// dcdtProtocol is the delayed cue discrimination of Kurtkaya et al.
// (task.DCDT): two conditions, one per cue class, with the inputs of
// task.DCDT.Batch — the cue, the delay and the reaction (and post) window,
// all without input after the cue. The state starts at 0, the mean of the
// trainer's random r₀. A trial is scored by the output of the class's
// channel over the reaction window against 1. 'd' and 'D' change the delay
// in steps of DtMS (5 ms), as the trainer's DelayMS.
func dcdtProtocol(n *saved.Network, raw json.RawMessage, _ uint64) (Protocol, error) {
	d := task.NewDCDT(0, false)
	if err := taskConfig(raw, d); err != nil {
		return Protocol{}, err
	}
	d.PerClass = 1
	if err := d.Validate(); err != nil {
		return Protocol{}, err
	}
	if err := checkDims(n, "dcdt", 2, 2); err != nil {
		return Protocol{}, err
	}
	b := d.Batch(nil)
	cue, _ := b.Window("cue")
	delay, _ := b.Window("delay")
	react, _ := b.Window("reaction")
	p := Protocol{Task: "dcdt", Delay: delay.Len(), DelayStep: 1, Dt: float64(d.DtMS), Unit: "ms"}
	x0 := make([]float64, n.Net.Dims().State)
	for k := range 2 {
		class := b.Class[k]
		p.Conditions = append(p.Conditions, Condition{
			Name:    fmt.Sprintf("class %d", class),
			X0:      x0,
			Cue:     batchRows(b, k, cue.Start, cue.End),
			After:   batchRows(b, k, delay.End, b.Steps),
			Memory:  class,
			Channel: 1 - class,
			Target:  1,
		})
	}
	p.Scheme = SchemeKurtkaya
	p.ScoreFrom, p.ScoreLen = react.Start-delay.End, react.Len()
	delayLimits(&p, 0, 80)
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
// followed by zero input for the rest of a training trial. A trial is
// scored by readout channel 0 at the last step against bit 0's sign.
func flipflopProtocol(n *saved.Network, raw json.RawMessage, _ uint64) (Protocol, error) {
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
	if err := checkDims(n, "flipflop", f.Bits, -1); err != nil {
		return Protocol{}, err
	}
	x0 := make([]float64, n.Net.Dims().State)
	p := Protocol{Task: "flipflop", Delay: max(1, f.Steps-1), Dt: 1, Unit: "step"}
	for _, s := range patterns(f.Bits) {
		u := make([]float64, f.Bits)
		for i := range u {
			u[i] = -1
			if s&(1<<i) != 0 {
				u[i] = 1
			}
		}
		p.Conditions = append(p.Conditions, Condition{Name: "state " + signs(s, f.Bits), X0: x0, Cue: [][]float64{u},
			Memory: s & 1, Target: u[0]})
	}
	p.ScoreFrom, p.ScoreLen = -1, 1
	delayLimits(&p, 1, 64)
	p.Note = fmt.Sprintf("%d-bit flip-flop: %d memory states, each set by one pulse on every channel, then zero input; x₀ = 0",
		f.Bits, len(p.Conditions))
	return p, nil
}

// lastkProtocol is last-k recall (task.LastK): one condition per pattern
// of the last K bits (2^K, at most 16). The LIn − K earlier bits are one
// fixed random sequence shared by every condition (from the seed's
// stream); the end flag marks the last bit; the delay and the report
// window have zero input. A trial is scored by readout channel 0 over the
// report window against the unperturbed trial.
func lastkProtocol(n *saved.Network, raw json.RawMessage, seed uint64) (Protocol, error) {
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
	if err := checkDims(n, "lastk", 2, -1); err != nil {
		return Protocol{}, err
	}
	rng := model.NewRNG(seed, streamProtocol)
	prefix := make([]float64, l.LIn-l.K)
	for i := range prefix {
		prefix[i] = -1
		if rng.Float64() < 0.5 {
			prefix[i] = 1
		}
	}
	x0 := make([]float64, n.Net.Dims().State)
	p := Protocol{Task: "lastk", Delay: l.Delay, Dt: 1, Unit: "step"}
	for _, s := range patterns(l.K) {
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
		p.Conditions = append(p.Conditions, Condition{Name: "last " + signs(s, l.K), X0: x0, Cue: cue,
			After: make([][]float64, l.Report), Memory: s, Target: math.NaN()})
	}
	p.ScoreFrom, p.ScoreLen = 0, l.Report
	delayLimits(&p, 0, 64)
	p.Note = fmt.Sprintf("last-%d recall: %d conditions by the last %d bits (a fixed random prefix of %d bits), delay %d, report %d steps; x₀ = 0",
		l.K, len(p.Conditions), l.K, len(prefix), l.Delay, l.Report)
	return p, nil
}

// spmProtocol is sequential pattern matching (task.SPM) of Ghazizadeh &
// Ching, as the authors test a network: 16 conditions, the 4 trial types
// 2·d₁ + d₂ from each of 4 initial conditions. The initial conditions
// (the Ghazizadeh classifier's bases) are the ends of one trial of each
// type run in turn from the state at the end of training (the file's
// train.x, as train.TestSPM does) or, without it, each from the origin.
// Stimulus samples come from the seed (stream 50 for the bases, 100 + 4b
// + k for type k from base b). The delay the keys change is delay 1,
// between the two stimuli; stimulus 2, delay 2 and the response follow
// it; a trial is scored by z_o at its last step against the response
// target. (The UI ran 4 trials from one start before; the command line
// 16: the 16 are the authors' test, so every entry point now runs them.)
func spmProtocol(n *saved.Network, raw json.RawMessage, seed uint64) (Protocol, error) {
	s := task.NewSPM()
	if err := taskConfig(raw, s); err != nil {
		return Protocol{}, err
	}
	if err := s.Validate(); err != nil {
		return Protocol{}, err
	}
	if err := checkDims(n, "spm", 2, 1); err != nil {
		return Protocol{}, err
	}
	net := n.Net
	N := net.Dims().State
	st, dl, rs := s.EpochSteps()
	p := Protocol{Task: "spm", Delay: dl, Dt: s.Dt, Unit: "τ", Scheme: SchemeGhazizadeh,
		ScoreFrom: st + dl + rs - 1, ScoreLen: 1, Encodings: s.Encoding[:]}
	cond := func(b *task.Batch, x0 []float64, typ int, name string) Condition {
		st1, _ := b.Window("stimulus 1")
		d1, _ := b.Window("delay 1")
		return Condition{Name: name, X0: append([]float64(nil), x0...),
			Cue: batchRows(b, 0, st1.Start, st1.End), After: batchRows(b, 0, d1.End, b.Steps),
			Memory: typ / 2, Target: b.Target(b.Steps-1, 0)[0]}
	}
	xEnd := n.EndState()
	p.FromTraining = xEnd != nil
	for typ := range 4 {
		b := s.Trials([]int{typ}, model.NewRNG(seed, streamSPMBases))
		x0 := make([]float64, N)
		if xEnd != nil {
			x0 = xEnd
			if typ > 0 {
				x0 = p.Bases[typ-1]
			}
		}
		c := cond(b, x0, typ, "")
		one := p
		one.Conditions = []Condition{c}
		_, ends, err := inspect.TrialProbes(context.Background(), net, one.Trials())
		if err != nil {
			return Protocol{}, err
		}
		p.Bases = append(p.Bases, ends[0])
	}
	for ic, x0 := range p.Bases {
		for typ := range 4 {
			b := s.Trials([]int{typ}, model.NewRNG(seed, uint64(streamSPMTrial+4*ic+typ)))
			p.Conditions = append(p.Conditions, cond(b, x0, typ,
				fmt.Sprintf("type %d (d₁=%d, d₂=%d) from IC %d", typ, typ/2, typ%2, ic+1)))
		}
	}
	delayLimits(&p, 1, 64)
	from := "the ends of trials run from the origin (the file holds no end-of-training state, train.x)"
	if p.FromTraining {
		from = "the ends of one trial of each type run in turn from the end of training (train.x), as the authors' test"
	}
	p.Note = fmt.Sprintf("sequential pattern matching: 16 trials, 4 types (d₁, d₂) from 4 initial conditions, %s; the keys change delay 1 (%g τ); fixed points with zero input",
		from, s.Delay)
	return p, nil
}

// choiceProtocol is delayed choice with variable encoding time
// (task.Choice): one condition per cue and encoding time, then the delay,
// the go cue and the response window, from x₀ = 0. A trial is scored by
// readout channel 0 over the response window against the unperturbed
// trial.
func choiceProtocol(n *saved.Network, raw json.RawMessage, _ uint64) (Protocol, error) {
	c := task.NewChoice()
	if err := taskConfig(raw, c); err != nil {
		return Protocol{}, err
	}
	if err := c.Validate(); err != nil {
		return Protocol{}, err
	}
	if err := checkDims(n, "choice", 3, -1); err != nil {
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
			p.Conditions = append(p.Conditions, Condition{Name: fmt.Sprintf("cue %d for %d", cue, enc), X0: x0, Cue: rows, After: after,
				Memory: cue, Target: math.NaN()})
		}
	}
	p.ScoreFrom, p.ScoreLen = 0, c.Resp
	delayLimits(&p, 0, 64)
	p.Note = fmt.Sprintf("delayed choice: %d conditions (2 cues × encoding times), delay %d, go cue and %d response steps; x₀ = 0",
		len(p.Conditions), c.Delay, c.Resp)
	return p, nil
}
