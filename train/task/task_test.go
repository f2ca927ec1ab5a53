package task

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"attractor/model"
)

// TestDCDTTensors pins EC-22: delay 160 ms gives 48 steps, weights 10/48 on
// steps 0–37 and 38/48 on 38–47, accuracy window [37, 47); with the post
// period 54 steps with the last 16 weighted 1 − 16/54.
func TestDCDTTensors(t *testing.T) {
	for _, tc := range []struct {
		post             bool
		steps, nLast     int
		scoreLo, scoreHi int
	}{
		{false, 48, 10, 37, 47},
		{true, 54, 16, 37, 47},
	} {
		b := NewDCDT(160, tc.post).Batch(nil)
		if b.Steps != tc.steps || b.Size != 128 || b.Inputs != 2 || b.Outputs != 2 {
			t.Fatalf("post=%v: batch %d steps × %d trials × %d→%d, want %d × 128 × 2→2", tc.post, b.Steps, b.Size, b.Inputs, b.Outputs, tc.steps)
		}
		wEarly := float64(tc.nLast) / float64(tc.steps)
		for st := 0; st < b.Steps; st++ {
			want := wEarly
			if st >= tc.steps-tc.nLast {
				want = 1 - wEarly
			}
			for trial := 0; trial < b.Size; trial++ {
				for _, w := range b.Weight(st, trial) {
					if w != want {
						t.Fatalf("post=%v step %d: weight %v, want %v", tc.post, st, w, want)
					}
				}
			}
		}
		if b.Score.Start != tc.scoreLo || b.Score.End != tc.scoreHi {
			t.Errorf("post=%v: score window [%d,%d), want [%d,%d)", tc.post, b.Score.Start, b.Score.End, tc.scoreLo, tc.scoreHi)
		}
		// Class 0 cue on channel 1, class 1 on channel 0; target in the reaction window.
		for trial, class := range []int{0, 127} {
			ch := 1 - b.Class[class]
			if got := b.In(0, class)[ch]; got != 1 {
				t.Errorf("trial %d: cue channel %d = %v", trial, ch, got)
			}
			if got := b.In(6, class)[ch]; got != 0 {
				t.Errorf("trial %d: input after the cue = %v", trial, got)
			}
			if got := b.Target(38, class)[ch]; got != 1 {
				t.Errorf("trial %d: reaction target = %v", trial, got)
			}
			if got := b.Target(37, class)[ch]; got != 0 {
				t.Errorf("trial %d: delay target = %v", trial, got)
			}
		}
		if tc.post {
			if got := b.Target(48, 0)[1]; got != 0 {
				t.Errorf("post target = %v, want 0", got)
			}
		}
	}
}

func TestDCDTDelays(t *testing.T) {
	// Every sweep delay l·20 ms, l = 0…20, gives 6 + 4l + 10 steps.
	for l := 0; l <= 20; l++ {
		d := NewDCDT(20*l, false)
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if b := d.Batch(nil); b.Steps != 16+4*l {
			t.Errorf("delay %d ms: %d steps, want %d", 20*l, b.Steps, 16+4*l)
		}
	}
	var ce *ConfigError
	if err := NewDCDT(162, false).Validate(); !errors.As(err, &ce) || ce.Field != "delay" {
		t.Errorf("delay 162 ms: got %v, want a delay ConfigError", err)
	}
}

// TestSPMTimeline pins the step bookkeeping of EC-14: 350 steps per trial
// (100/50/100/50/50), kernel weights only in the delays (z_d) and the
// response (z_o), trial types balanced.
func TestSPMTimeline(t *testing.T) {
	s := NewSPM()
	if s.TrialSteps() != 350 {
		t.Fatalf("trial steps %d, want 350", s.TrialSteps())
	}
	b := s.Sequence(8, model.NewRNG(1, 0))
	if b.Steps != 8*350 {
		t.Fatalf("steps %d", b.Steps)
	}
	count := [4]int{}
	for _, m := range b.Marks {
		count[m.Class]++
	}
	if count != [4]int{2, 2, 2, 2} {
		t.Errorf("trial types %v, want 2 of each", count)
	}
	for k, m := range b.Marks {
		d1, d2 := m.Class/2, m.Class%2
		var nd, no, nin int
		for st := m.Step; st < m.Step+350; st++ {
			w, y, u := b.Weight(st, 0), b.Target(st, 0), b.In(st, 0)
			local := st - m.Step
			if u[0] != 0 || u[1] != 0 {
				nin++
				if !(local < 100 || (local >= 150 && local < 250)) {
					t.Fatalf("trial %d: input at local step %d", k, local)
				}
			}
			if w[1] == 1 {
				nd++
				d := d1
				if local >= 250 {
					d = d2
				}
				if y[1] != s.Mean[d][0] || y[2] != s.Mean[d][1] {
					t.Fatalf("trial %d step %d: z_d target %v, want mean of digit %d", k, local, y[1:], d)
				}
			}
			if w[0] == 1 {
				no++
				if y[0] != s.Encoding[d1+d2] {
					t.Fatalf("trial %d: z_o target %v, want %v", k, y[0], s.Encoding[d1+d2])
				}
				if local < 300 {
					t.Fatalf("trial %d: z_o scored at local step %d", k, local)
				}
			}
		}
		if nd != 100 || no != 50 || nin != 200 {
			t.Errorf("trial %d: %d z_d-scored, %d z_o-scored, %d input steps; want 100, 50, 200", k, nd, no, nin)
		}
	}
}

func TestSPMLatentsCSV(t *testing.T) {
	s := NewSPM()
	err := s.ReadLatentsCSV("lat.csv", strings.NewReader("digit,x,y\n0,1,2\n0,3,4\n1,-1,-2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Mean[0] != [2]float64{2, 3} || s.Mean[1] != [2]float64{-1, -2} {
		t.Errorf("means %v", s.Mean)
	}
	for _, bad := range []string{"0,1,2\n", "0,1,2\n2,1,1\n", "0,1,x\n1,1,1\n", "0,1\n"} {
		if err := NewSPM().ReadLatentsCSV("bad.csv", strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "bad.csv") {
			t.Errorf("%q: error %v, want one naming bad.csv", bad, err)
		}
	}
}

func TestFlipFlop(t *testing.T) {
	f := NewFlipFlop(3)
	b := f.Batch(model.NewRNG(7, 0))
	pulses := 0
	for trial := 0; trial < b.Size; trial++ {
		for c := 0; c < 3; c++ {
			held := 0.0
			for st := 0; st < b.Steps; st++ {
				if u := b.In(st, trial)[c]; u != 0 {
					if u != 1 && u != -1 {
						t.Fatalf("pulse %v", u)
					}
					held = u
					pulses++
				}
				if y := b.Target(st, trial)[c]; y != held {
					t.Fatalf("trial %d ch %d step %d: target %v, want held %v", trial, c, st, y, held)
				}
			}
		}
	}
	// 64 trials × 3 channels × 100 steps × 0.05 = 960 expected pulses.
	if pulses < 800 || pulses > 1120 {
		t.Errorf("%d pulses, expected about 960", pulses)
	}
}

func TestLastKAndHold(t *testing.T) {
	l := NewLastK(3)
	b := l.Batch(model.NewRNG(3, 0))
	for trial := 0; trial < b.Size; trial++ {
		for k := 0; k < 3; k++ {
			want := b.In(l.LIn-3+k, trial)[0]
			for st := 0; st < b.Steps; st++ {
				y, w := b.Target(st, trial)[k], b.Weight(st, trial)[k]
				if st >= l.LIn+l.Delay {
					if y != want || w != 1 {
						t.Fatalf("report step %d: target %v weight %v, want %v, 1", st, y, w, want)
					}
				} else if w != 0 {
					t.Fatalf("step %d scored before the report", st)
				}
			}
		}
	}
	h := NewHold()
	hb := h.Batch(model.NewRNG(3, 0))
	for trial := 0; trial < hb.Size; trial++ {
		last := hb.In(h.Drive-1, trial)[0]
		if got := hb.Target(hb.Steps-1, trial)[0]; got != last {
			t.Fatalf("held target %v, want last input %v", got, last)
		}
	}
}

func TestChoice(t *testing.T) {
	c := NewChoice()
	b := c.Batch(model.NewRNG(5, 0))
	seen := map[int]bool{}
	for trial := 0; trial < b.Size; trial++ {
		enc := 0
		for b.In(enc, trial)[b.Class[trial]] == 1 {
			enc++
		}
		seen[enc] = true
		goAt := enc + c.Delay
		if b.In(goAt, trial)[2] != 1 {
			t.Fatalf("trial %d: no go cue at %d", trial, goAt)
		}
		scored := 0
		for st := 0; st < b.Steps; st++ {
			if b.Weight(st, trial)[0] > 0 {
				scored++
				if st < goAt || b.Target(st, trial)[b.Class[trial]] != 1 {
					t.Fatalf("trial %d: bad scored step %d", trial, st)
				}
			}
		}
		if scored != c.Resp {
			t.Fatalf("trial %d: %d scored steps, want %d", trial, scored, c.Resp)
		}
	}
	if len(seen) != 3 {
		t.Errorf("encoding times seen %v, want all of %v", seen, c.Encode)
	}
}

func TestActivation(t *testing.T) {
	a := &Activation{Delay: 6, Resp: 2, Post: 6}
	b := a.Batch(nil)
	if b.Steps != 14 {
		t.Fatalf("steps %d", b.Steps)
	}
	var wsum float64
	for st := 0; st < b.Steps; st++ {
		y, w := b.Target(st, 0)[0], b.Weight(st, 0)[0]
		if (st >= 6 && st < 8) != (y == 1) {
			t.Errorf("step %d: target %v", st, y)
		}
		want := 6.0 / 14
		if st < 6 {
			want = 1 - 6.0/14
		}
		if w != want {
			t.Errorf("step %d: weight %v, want %v", st, w, want)
		}
		wsum += w
	}
	bal := (&Activation{Delay: 30, Resp: 10, Weighting: "balanced"}).Batch(nil)
	var w0, w1 float64
	for st := 0; st < bal.Steps; st++ {
		if bal.Target(st, 0)[0] == 1 {
			w1 += bal.Weight(st, 0)[0]
		} else {
			w0 += bal.Weight(st, 0)[0]
		}
	}
	if math.Abs(w0-w1) > 1e-12 {
		t.Errorf("balanced weights: total %v on 0-targets vs %v on 1-targets", w0, w1)
	}
}

// TestDeterministic checks that every random task gives identical batches
// for the same seed and different ones for another seed.
func TestDeterministic(t *testing.T) {
	for _, tk := range []Task{NewFlipFlop(3), NewLastK(1), NewHold(), NewChoice(), NewSPM()} {
		a, b, c := tk.Batch(model.NewRNG(9, 0)), tk.Batch(model.NewRNG(9, 0)), tk.Batch(model.NewRNG(10, 0))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: same seed, different batches", tk.Name())
		}
		if reflect.DeepEqual(a.U, c.U) {
			t.Errorf("%s: different seeds, same inputs", tk.Name())
		}
	}
}

func TestSignals(t *testing.T) {
	if v := (Sine{Period: 60, Amp: 1}).At(15); math.Abs(v-1) > 1e-15 {
		t.Errorf("sine at a quarter period = %v", v)
	}
	// The four-sinusoid target has period 120 τ.
	f := FourSine{}
	for _, tt := range []float64{0, 7.3, 55} {
		if d := f.At(tt) - f.At(tt+120); math.Abs(d) > 1e-12 {
			t.Errorf("FourSine not 120-periodic at %v: %v", tt, d)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"flipflop bits", (&FlipFlop{Bits: 0, Steps: 1, PPulse: 0.1, Size: 1}).Validate()},
		{"flipflop p", (&FlipFlop{Bits: 1, Steps: 1, PPulse: math.NaN(), Size: 1}).Validate()},
		{"lastk k", (&LastK{LIn: 2, K: 3, Report: 1, Size: 1}).Validate()},
		{"choice encode", (&Choice{Resp: 1, Size: 1}).Validate()},
		{"activation weighting", (&Activation{Resp: 1, Weighting: "x"}).Validate()},
		{"spm zero encoding", func() error { s := NewSPM(); s.Encoding[0] = 0; return s.Validate() }()},
	} {
		var ce *ConfigError
		if !errors.As(tc.err, &ce) {
			t.Errorf("%s: got %v, want a ConfigError", tc.name, tc.err)
		}
	}
}
