package analysis

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"attractor/internal/tasknet"
	"attractor/model"
	"attractor/saved"
	"attractor/train"
	"attractor/train/task"
)

// taskNet returns the (untrained) network and manifest a trainer writes
// for the named task (see tasknet.New).
func taskNet(t testing.TB, name string, tweak func(any)) *saved.Network {
	return tasknet.New(t, name, tweak)
}

// protoInputs returns the inputs of every step of a trial of condition c,
// with nil rows as zero vectors of width in.
func protoInputs(p *Protocol, c, in int) [][]float64 {
	rows := make([][]float64, p.Steps(c))
	for t := range rows {
		rows[t] = make([]float64, in)
		copy(rows[t], p.Input(c, t))
	}
	return rows
}

// batchInputs returns the inputs of trial k of b.
func batchInputs(b *task.Batch, k int) [][]float64 {
	rows := make([][]float64, b.Steps)
	for t := range rows {
		rows[t] = append([]float64(nil), b.In(t, k)...)
	}
	return rows
}

func sameRows(t *testing.T, what string, got, want [][]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d steps, want %d", what, len(got), len(want))
	}
	for i := range got {
		if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
			t.Fatalf("%s: step %d input %v, want %v", what, i, got[i], want[i])
		}
	}
}

// Every task a trainer writes gets its own protocol (not the free-running
// fallback), with zero input held during the delay, so that the fixed-point
// search sees what the network sees in the delay.
func TestProtocolForEveryTask(t *testing.T) {
	for _, tc := range []struct {
		name  string
		conds int
	}{{"dcdt", 2}, {"flipflop", 8}, {"lastk", 8}, {"spm", 16}, {"choice", 6}} {
		t.Run(tc.name, func(t *testing.T) {
			n := taskNet(t, tc.name, func(c any) {
				if s, ok := c.(*train.SeqConfig); ok {
					s.Bits = 3
				}
			})
			p := mustProtocol(t, n)
			if p.Task != tc.name || len(p.Conditions) != tc.conds {
				t.Fatalf("task %q with %d conditions (%s), want %q with %d", p.Task, len(p.Conditions), p.Note, tc.name, tc.conds)
			}
			names := map[string]bool{}
			for c, cd := range p.Conditions {
				if cd.Hold != nil {
					t.Errorf("condition %d holds input %v in the delay, want zero", c, cd.Hold)
				}
				for s := len(cd.Cue); s < p.DelayEnd(c); s++ {
					if p.Input(c, s) != nil {
						t.Fatalf("condition %d: input at delay step %d", c, s)
					}
				}
				if len(cd.X0) != n.Net.Dims().State {
					t.Errorf("condition %d: x0 of length %d", c, len(cd.X0))
				}
				names[cd.Name] = true
			}
			if len(names) != tc.conds {
				t.Errorf("condition names are not distinct: %v", names)
			}
			if p.Note == "" {
				t.Error("no note")
			}
		})
	}
}

// DCDT trials are task.DCDT's, step for step, at the trained delay and
// after 'D' (5 ms longer), with and without the post period.
func TestProtocolDCDTMatchesTask(t *testing.T) {
	for _, post := range []bool{false, true} {
		for _, delay := range []int{0, 160} {
			n := taskNet(t, "dcdt", func(c any) { c.(*train.LeakyConfig).DelayMS, c.(*train.LeakyConfig).Post = delay, post })
			p := mustProtocol(t, n)
			for _, ms := range []int{delay, delay + 5, delay + 10} {
				d := task.NewDCDT(ms, post)
				b := d.Batch(nil)
				for c := range 2 {
					sameRows(t, fmt.Sprintf("post %v delay %d ms class %d", post, ms, c), protoInputs(&p, c, 2), batchInputs(b, c*d.PerClass))
				}
				if got, want := p.DelayText(), fmt.Sprintf("%d ms", ms); got != want {
					t.Errorf("delay text %q, want %q", got, want)
				}
				p.SetDelay(p.NextDelay(true))
			}
			p.SetDelay(p.NextDelay(false))
			if p.Delay != delay/5+2 {
				t.Errorf("after 'd' the delay is %d steps, want %d", p.Delay, delay/5+2)
			}
		}
	}
}

// Each flip-flop condition is one pulse that, by the task's rule (bit i
// set when channel i last saw +1), sets the state its name says, then
// zero input for the rest of a training trial.
func TestProtocolFlipFlop(t *testing.T) {
	n := taskNet(t, "flipflop", func(c any) { c.(*train.SeqConfig).Bits = 3 })
	p := mustProtocol(t, n)
	seen := map[int]bool{}
	for c, cd := range p.Conditions {
		if p.Steps(c) != 100 {
			t.Errorf("condition %d lasts %d steps, want the trained 100", c, p.Steps(c))
		}
		state := 0
		for t := range p.Steps(c) {
			for i, v := range p.Input(c, t) {
				if v > 0 {
					state |= 1 << i
				} else if v < 0 {
					state &^= 1 << i
				}
			}
		}
		if cd.Name != "state "+signs(state, 3) {
			t.Errorf("condition %q sets state %03b", cd.Name, state)
		}
		seen[state] = true
	}
	if len(seen) != 8 {
		t.Errorf("%d distinct memory states, want 8", len(seen))
	}
	if ps := patterns(10); len(ps) != 16 || ps[0] != 0 || ps[15] != 1023 {
		t.Errorf("10-bit patterns %v, want 16 from 0 to 1023", ps)
	}
}

// Last-k conditions differ only in their last K bits, which encode the
// condition as the task defines its class; the end flag marks the last
// bit; the trial is as long as the task's.
func TestProtocolLastK(t *testing.T) {
	n := taskNet(t, "lastk", func(c any) { c.(*train.SeqConfig).Bits = 2 })
	p := mustProtocol(t, n)
	l := task.NewLastK(2)
	b := l.Batch(model.NewRNG(1, 1))
	if len(p.Conditions) != 4 {
		t.Fatalf("%d conditions, want 4", len(p.Conditions))
	}
	classes := map[int]bool{}
	for c, cd := range p.Conditions {
		if p.Steps(c) != b.Steps {
			t.Errorf("condition %d: %d steps, want %d", c, p.Steps(c), b.Steps)
		}
		class := 0
		for k := range l.K {
			if cd.Cue[l.LIn-l.K+k][0] > 0 {
				class |= 1 << k
			}
		}
		if cd.Name != "last "+signs(class, 2) {
			t.Errorf("condition %q has class %02b", cd.Name, class)
		}
		classes[class] = true
		for s, u := range cd.Cue {
			if (u[1] == 1) != (s == l.LIn-1) || (u[0] != 1 && u[0] != -1) {
				t.Errorf("condition %d step %d: input %v", c, s, u)
			}
			if s < l.LIn-l.K && u[0] != p.Conditions[0].Cue[s][0] {
				t.Errorf("condition %d: prefix bit %d differs from condition 1's", c, s)
			}
		}
	}
	if len(classes) != 4 {
		t.Errorf("classes %v, want all 4", classes)
	}
}

// SPM trials are the authors' test: task.SPM.Trials of the 4 types from
// each of 4 initial conditions (stimulus stream 100 + 4·IC + type), the
// initial conditions chained from the end of training; extending delay 1
// moves stimulus 2 and the response later by as many steps.
func TestProtocolSPMMatchesTask(t *testing.T) {
	n := taskNet(t, "spm", nil)
	p := mustProtocol(t, n)
	if len(p.Conditions) != 16 || len(p.Bases) != 4 || !p.FromTraining {
		t.Fatalf("%d conditions, %d bases, from training %v; want 16, 4, true", len(p.Conditions), len(p.Bases), p.FromTraining)
	}
	s := task.NewSPM() // with the default digit-mean offset the network was trained with
	for d := range s.Mean {
		s.Mean[d][0] += train.DefaultSPMOffset
		s.Mean[d][1] += train.DefaultSPMOffset
	}
	_, dl, _ := s.EpochSteps()
	for ic := range 4 {
		for typ := range 4 {
			c := 4*ic + typ
			b := s.Trials([]int{typ}, model.NewRNG(1, uint64(100+4*ic+typ)))
			want := batchInputs(b, 0)
			sameRows(t, fmt.Sprintf("IC %d type %d", ic, typ), protoInputs(&p, c, 2), want)
			if fmt.Sprint(p.Conditions[c].X0) != fmt.Sprint(p.Bases[ic]) {
				t.Errorf("condition %d does not start from base %d", c, ic)
			}
			if p.Conditions[c].Memory != typ/2 || p.Conditions[c].Target != b.Target(b.Steps-1, 0)[0] {
				t.Errorf("condition %d: memory %d target %v", c, p.Conditions[c].Memory, p.Conditions[c].Target)
			}
			q := p
			q.SetDelay(q.NextDelay(true))
			extra := q.Delay - dl
			if extra <= 0 {
				t.Fatalf("'D' did not extend delay 1: %d → %d", dl, q.Delay)
			}
			got := protoInputs(&q, c, 2)
			st, _ := b.Window("stimulus 1")
			d1, _ := b.Window("delay 1")
			longer := append(append(append([][]float64(nil), want[:d1.End]...), make([][]float64, extra)...), want[d1.End:]...)
			for i := d1.End; i < d1.End+extra; i++ {
				longer[i] = make([]float64, 2)
			}
			sameRows(t, fmt.Sprintf("type %d, delay 1 of %d steps", typ, q.Delay), got, longer)
			if st.Len() != len(p.Conditions[c].Cue) {
				t.Errorf("cue of %d steps, want stimulus 1's %d", len(p.Conditions[c].Cue), st.Len())
			}
			tr := q.Trials()[c]
			if tr.Score.Start != len(got)-1 || tr.Score.Len() != 1 {
				t.Errorf("score window %+v, want the last step %d", tr.Score, len(got)-1)
			}
		}
	}
	if got := p.DelayText(); got != "5 τ" {
		t.Errorf("delay text %q, want 5 τ", got)
	}
}

// A task record the network does not fit, or cannot be decoded, is an
// error that names the task and the field.
func TestProtocolMismatch(t *testing.T) {
	n := taskNet(t, "spm", nil)
	other := taskNet(t, "flipflop", func(c any) { c.(*train.SeqConfig).Bits = 3 })
	n.Manifest.Task = other.Manifest.Task
	if _, err := ProtocolFor(n, 1); err == nil || !strings.Contains(err.Error(), "flipflop") || !strings.Contains(err.Error(), "input") {
		t.Errorf("mismatched task: %v", err)
	}
	n.Manifest.Task = json.RawMessage(`{"name":"dcdt","config":{"DelayMS":7}}`)
	if _, err := ProtocolFor(n, 1); err == nil || !strings.Contains(err.Error(), "dcdt") {
		t.Errorf("invalid dcdt record: %v", err)
	}
}

func mustProtocol(t testing.TB, n *saved.Network) Protocol {
	t.Helper()
	p, err := ProtocolFor(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
