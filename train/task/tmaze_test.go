package task

import (
	"testing"

	"attractor/model"
)

// TestTMazeEpisodes plays scripted policies and checks observations,
// rewards and episode ends against the rules written out by hand.
func TestTMazeEpisodes(t *testing.T) {
	const delay = 3
	m := NewTMaze(delay)
	if m.Horizon() != 2*(delay+1)+2 {
		t.Fatalf("horizon %d", m.Horizon())
	}
	obs := make([]float64, m.ObsSize())
	rng := model.NewRNG(5, 0)
	seen := [2]bool{}
	for ep := 0; ep < 20; ep++ {
		m.Reset(obs, rng)
		cue := m.Cue()
		seen[cue] = true
		want := []float64{0, 0, 1, 0}
		want[cue] = 1
		if !tmazeEqual(obs, want) {
			t.Fatalf("first observation %v, want %v", obs, want)
		}
		// A bump in the corridor keeps the agent in place.
		if r, done := m.Step(obs, TMazeLeft+1-cue); r != 0 || done || !tmazeEqual(obs, []float64{0, 0, 1, 0}) {
			t.Fatalf("bump in corridor: r %v done %v obs %v", r, done, obs)
		}
		for k := 0; k < delay; k++ {
			r, done := m.Step(obs, TMazeForward)
			if r != 0 || done {
				t.Fatalf("forward %d: r %v done %v", k, r, done)
			}
		}
		if !tmazeEqual(obs, []float64{0, 0, 0, 1}) {
			t.Fatalf("at junction: obs %v", obs)
		}
		if r, done := m.Step(obs, TMazeForward); r != 0 || done {
			t.Fatalf("forward at junction: r %v done %v", r, done)
		}
		arm := TMazeLeft + cue
		if ep%2 == 1 {
			arm = TMazeLeft + 1 - cue
		}
		r, done := m.Step(obs, arm)
		if !done || (ep%2 == 0 && r != 1) || (ep%2 == 1 && r != 0) {
			t.Fatalf("episode %d cue %d arm %d: r %v done %v", ep, cue, arm, r, done)
		}
	}
	if !seen[0] || !seen[1] {
		t.Error("only one cue in 20 episodes")
	}
}

// TestTMazeHorizonAndDeterminism checks the timeout, the zero-delay maze
// (cue and junction in the first observation) and that equal rng states
// give equal cues.
func TestTMazeHorizonAndDeterminism(t *testing.T) {
	m := &TMaze{Delay: 2, MaxSteps: 4}
	obs := make([]float64, TMazeObsSize)
	m.Reset(obs, model.NewRNG(1, 0))
	for k := 1; k <= 4; k++ {
		r, done := m.Step(obs, TMazeForward)
		if r != 0 || done != (k == 4) {
			t.Fatalf("step %d: r %v done %v", k, r, done)
		}
	}
	z := NewTMaze(0)
	z.Reset(obs, model.NewRNG(1, 0))
	if obs[TMazeObsJunction] != 1 || obs[TMazeObsCueLeft]+obs[TMazeObsCueRight] != 1 {
		t.Errorf("zero delay first observation %v", obs)
	}
	a, b := model.NewRNG(9, 3), model.NewRNG(9, 3)
	c := z.Clone().(*TMaze)
	for k := 0; k < 10; k++ {
		z.Reset(obs, a)
		c.Reset(obs, b)
		if z.Cue() != c.Cue() {
			t.Fatal("same rng state, different cues")
		}
	}
	if err := (&TMaze{Delay: 3, MaxSteps: 2}).Validate(); err == nil {
		t.Error("horizon shorter than the corridor: no error")
	}
}

func tmazeEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
