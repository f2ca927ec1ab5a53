package task

import (
	"fmt"

	"attractor/model"
)

// Env is an episodic environment with a vector observation and discrete
// actions, for reinforcement learning (science spec §4.2). An episode
// starts with Reset and ends when Step reports done; every random draw comes
// from the rng given to Reset, so an episode is a deterministic function of
// the rng state and the actions.
type Env interface {
	// ObsSize is the length of the observation vector.
	ObsSize() int
	// Actions is the number of discrete actions 0…Actions()−1.
	Actions() int
	// Horizon is the largest number of steps an episode can take.
	Horizon() int
	// Reset starts an episode and writes its first observation into obs.
	Reset(obs []float64, rng *model.RNG)
	// Step applies action and returns the reward and whether the episode
	// has ended; unless done, it writes the next observation into obs.
	Step(obs []float64, action int) (reward float64, done bool)
	// Clone returns an independent environment with the same settings
	// (its episode state is not copied).
	Clone() Env
}

// T-maze observation channels and actions.
const (
	TMazeObsCueLeft  = 0 // 1 on the first step if the cued arm is the left one
	TMazeObsCueRight = 1 // 1 on the first step if the cued arm is the right one
	TMazeObsCorridor = 2 // 1 while the agent is in the stem, before the junction
	TMazeObsJunction = 3 // 1 while the agent is at the junction
	TMazeObsSize     = 4

	TMazeForward = 0 // move one cell along the stem
	TMazeLeft    = 1 // turn into the left arm (only at the junction)
	TMazeRight   = 2 // turn into the right arm (only at the junction)
	TMazeActions = 3
)

// TMaze is the spatial working-memory task proposed for the TRNN (science
// spec §4.2 [PROPOSAL]): a cue-location memory T-maze. At the start one of
// the two arms is cued (left or right, drawn uniformly from the rng); the
// cue is visible only in the first observation. The agent then walks a
// corridor of Delay cells (action TMazeForward moves one cell; turning in
// the corridor bumps into the wall and leaves it in place) to the junction,
// where TMazeLeft or TMazeRight enters an arm and ends the episode with
// reward +1 if it is the cued arm and 0 otherwise (TMazeForward at the
// junction bumps). An episode that has not chosen an arm after Horizon()
// steps ends with reward 0. All other steps give reward 0.
//
// The observation has TMazeObsSize channels: cue-left and cue-right
// (one-hot, first step only), corridor and junction (one-hot position
// type). With an optimal policy an episode takes Delay + 1 steps: Delay
// forward moves, then the turn, Delay steps after the cue disappeared.
//
// A TMaze value holds the state of one episode; use Clone for parallel
// episodes.
type TMaze struct {
	Delay    int // corridor length: forward moves from the cue to the junction (≥ 0)
	MaxSteps int // episode horizon; 0 means 2·(Delay+1) + 2

	cue, pos, t int
	done        bool
}

// NewTMaze returns a T-maze with a corridor of delay cells and the default
// horizon.
func NewTMaze(delay int) *TMaze { return &TMaze{Delay: delay} }

// Name returns "tmaze".
func (m *TMaze) Name() string { return "tmaze" }

// Validate reports a negative delay or a horizon too short for an optimal
// episode.
func (m *TMaze) Validate() error {
	switch {
	case m.Delay < 0:
		return &ConfigError{"tmaze", "delay", "must be non-negative"}
	case m.MaxSteps != 0 && m.MaxSteps < m.Delay+1:
		return &ConfigError{"tmaze", "max-steps", fmt.Sprintf("must be at least delay+1 = %d", m.Delay+1)}
	}
	return nil
}

// ObsSize returns TMazeObsSize.
func (m *TMaze) ObsSize() int { return TMazeObsSize }

// Actions returns TMazeActions.
func (m *TMaze) Actions() int { return TMazeActions }

// Horizon returns MaxSteps, or 2·(Delay+1) + 2 when it is 0.
func (m *TMaze) Horizon() int {
	if m.MaxSteps > 0 {
		return m.MaxSteps
	}
	return 2*(m.Delay+1) + 2
}

// Cue returns the cued arm of the current episode: 0 left, 1 right.
func (m *TMaze) Cue() int { return m.cue }

// Reset draws the cued arm (one rng.IntN(2) draw), puts the agent at the
// start of the corridor and writes the first observation, with the cue.
// It panics if the configuration is invalid.
func (m *TMaze) Reset(obs []float64, rng *model.RNG) {
	if err := m.Validate(); err != nil {
		panic(err)
	}
	m.cue, m.pos, m.t, m.done = rng.IntN(2), 0, 0, false
	m.observe(obs)
	obs[TMazeObsCueLeft+m.cue] = 1
}

// observe writes the position channels into obs (cue channels 0).
func (m *TMaze) observe(obs []float64) {
	if len(obs) != TMazeObsSize {
		panic(model.ShapeError{Op: "TMaze", Arg: "obs", Want: TMazeObsSize, Got: len(obs)})
	}
	clear(obs)
	if m.pos < m.Delay {
		obs[TMazeObsCorridor] = 1
	} else {
		obs[TMazeObsJunction] = 1
	}
}

// Step applies action (TMazeForward, TMazeLeft or TMazeRight) and returns
// the reward and whether the episode ended. It panics on an unknown action
// or a step after the end.
func (m *TMaze) Step(obs []float64, action int) (float64, bool) {
	if m.done {
		panic("task: TMaze.Step after the end of the episode")
	}
	if action < 0 || action >= TMazeActions {
		panic(fmt.Sprintf("task: TMaze.Step: action %d out of range [0, %d)", action, TMazeActions))
	}
	m.t++
	atJunction := m.pos >= m.Delay
	switch {
	case action == TMazeForward && !atJunction:
		m.pos++
	case action != TMazeForward && atJunction:
		m.done = true
		if action-TMazeLeft == m.cue {
			return 1, true
		}
		return 0, true
	}
	if m.t >= m.Horizon() {
		m.done = true
		return 0, true
	}
	m.observe(obs)
	return 0, false
}

// Clone returns a T-maze with the same settings and no episode.
func (m *TMaze) Clone() Env { return &TMaze{Delay: m.Delay, MaxSteps: m.MaxSteps} }
