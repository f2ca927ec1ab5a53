package train

import (
	"context"
	"encoding/json"
	"fmt"

	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// ForceSignalConfig configures FORCE training of a Sussillo–Abbott network
// on a target signal, the configuration of the peer script force_numpy.py.
type ForceSignalConfig struct {
	Hidden  int     `json:"hidden"`  // N (1000)
	Density float64 `json:"density"` // connection density p of J (0.1)
	G       float64 `json:"g"`       // gain g (1.5)
	Alpha   float64 `json:"alpha"`   // RLS regulariser α (1)
	Every   int     `json:"every"`   // steps between updates (2)
	Steps   int     `json:"steps"`   // training Euler steps
	Test    int     `json:"test"`    // test steps with learning off
	Chunk   int     `json:"chunk"`   // steps per logged unit (100)
	Target  string  `json:"target"`  // "sine" or "foursine"
	Period  float64 `json:"period"`  // sine period in τ (60)
	Seed    uint64  `json:"seed"`
	// FeedbackMix is γ of the mixed feedback γ f + (1 − γ) z during
	// training (Sussillo & Abbott 2009 Fig 4A; Force.FeedbackMix); 0 is
	// ordinary FORCE and is left out of the manifest.
	FeedbackMix float64 `json:"feedback_mix,omitempty"`
}

// DefaultForceSignal returns the peer's defaults.
func DefaultForceSignal() ForceSignalConfig {
	return ForceSignalConfig{Hidden: 1000, Density: 0.1, G: 1.5, Alpha: 1, Every: 2, Steps: 20000, Test: 5000,
		Chunk: 100, Target: "sine", Period: 60}
}

// Signal returns the configured target.
func (c ForceSignalConfig) Signal() (task.Signal, error) {
	switch c.Target {
	case "sine":
		if !(c.Period > 0) {
			return nil, fmt.Errorf("sine period %v must be positive", c.Period)
		}
		return task.Sine{Period: c.Period, Amp: 1}, nil
	case "foursine":
		return task.FourSine{}, nil
	}
	return nil, fmt.Errorf("unknown target %q (sine or foursine)", c.Target)
}

// Validate reports an invalid configuration.
func (c ForceSignalConfig) Validate() error {
	switch {
	case c.Hidden < 1:
		return fmt.Errorf("hidden size %d must be positive", c.Hidden)
	case !(c.Density > 0 && c.Density <= 1):
		return fmt.Errorf("density %v must be in (0, 1]", c.Density)
	case c.Steps < 0 || c.Test < 0:
		return fmt.Errorf("steps %d and test %d must be non-negative", c.Steps, c.Test)
	case c.Chunk < 1:
		return fmt.Errorf("chunk %d must be positive", c.Chunk)
	case !(c.Alpha > 0) || c.Every < 1:
		return fmt.Errorf("α = %v and update interval %d; want α > 0 and interval ≥ 1", c.Alpha, c.Every)
	case !(c.FeedbackMix >= 0 && c.FeedbackMix <= 1):
		return fmt.Errorf("feedback mix γ = %v must be in [0, 1]", c.FeedbackMix)
	}
	_, err := c.Signal()
	return err
}

// ForceSignalSession trains by FORCE on a signal, one chunk of steps per
// unit; it implements Session.
type ForceSignalSession struct {
	Cfg     ForceSignalConfig
	Force   *Force
	Program saved.Program
	History []saved.HistoryPoint
	sig     task.Signal
}

// NewForceSignalSession builds the network and trainer from the seed.
// Draws: the network (model.RandomSussilloAbbott), then x(0) ~ 0.5·N(0, 1).
func NewForceSignalSession(cfg ForceSignalConfig) (*ForceSignalSession, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sig, _ := cfg.Signal()
	rng := model.NewRNG(cfg.Seed, 0)
	net, err := model.RandomSussilloAbbott(cfg.Hidden, cfg.Density, cfg.G, rng)
	if err != nil {
		return nil, err
	}
	f, err := NewForce(net, cfg.Alpha, cfg.Every, model.NormalVector(cfg.Hidden, 0.5, rng))
	if err != nil {
		return nil, err
	}
	f.FeedbackMix = cfg.FeedbackMix
	return &ForceSignalSession{Cfg: cfg, Force: f, sig: sig}, nil
}

// SetFeedbackMix sets γ of the mixed feedback γ f + (1 − γ) z for the rest
// of training (Cfg.FeedbackMix); it must lie in [0, 1].
func (s *ForceSignalSession) SetFeedbackMix(gamma float64) error {
	if !(gamma >= 0 && gamma <= 1) {
		return fmt.Errorf("feedback mix γ = %v must be in [0, 1]", gamma)
	}
	s.Cfg.FeedbackMix = gamma
	s.Force.FeedbackMix = gamma
	return nil
}

// Units returns the number of logged units of the training phase.
func (s *ForceSignalSession) Units() int { return (s.Cfg.Steps + s.Cfg.Chunk - 1) / s.Cfg.Chunk }

// Step trains one chunk and reports its mean |e₋| as the loss.
func (s *ForceSignalSession) Step(ctx context.Context) (Metrics, error) {
	n := min(s.Cfg.Chunk, s.Cfg.Steps-s.Force.Steps())
	st, err := s.Force.TrainSignal(s.sig, n, 0)
	if err != nil {
		return Metrics{}, err
	}
	if unit := (s.Force.Steps() + s.Cfg.Chunk - 1) / s.Cfg.Chunk; unit%historyEvery(s.Units()) == 0 || unit == s.Units() {
		s.History = append(s.History, saved.HistoryPoint{Step: s.Force.Steps(), Loss: st.MAE})
	}
	return Metrics{Loss: st.MAE, Extra: map[string]float64{"updates": float64(st.Updates)}}, nil
}

// Network returns the network with its manifest.
func (s *ForceSignalSession) Network() *saved.Network {
	seed := s.Cfg.Seed
	return &saved.Network{Net: s.Force.Net, Manifest: saved.Manifest{
		Seed: &seed, Train: trainManifest("force", s.Cfg),
		Task:    signalManifest(s.Cfg),
		History: s.History, Program: s.Program}}
}

// Save writes the network and the trainer's state (state x, fed-back
// readout z, P's upper triangle, step count) as a native checkpoint.
func (s *ForceSignalSession) Save(name string, done int) error {
	return saveCheckpoint(name, s.Network(), forceExtras(s.Force), nil, nil, done)
}

// ResumeForceSignal rebuilds a session from a checkpoint written by Save.
func ResumeForceSignal(name string) (*ForceSignalSession, int, error) {
	var cfg ForceSignalConfig
	ck, err := loadCheckpoint(name, "force", &cfg)
	if err != nil {
		return nil, 0, err
	}
	f, err := restoreForce(name, ck.net.Net, cfg.Alpha, cfg.Every, ck.extra)
	if err != nil {
		return nil, 0, err
	}
	sig, err := cfg.Signal()
	if err != nil {
		return nil, 0, err
	}
	f.FeedbackMix = cfg.FeedbackMix
	return &ForceSignalSession{Cfg: cfg, Force: f, sig: sig, History: ck.net.Manifest.History}, ck.done, nil
}

// signalManifest is the task record of a signal: {"name": "signal",
// "target": …, "period": …}.
func signalManifest(c ForceSignalConfig) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"name": "signal", "target": c.Target, "period": c.Period})
	return b
}

// historyEvery returns the units between history points: about 100 points
// over a run.
func historyEvery(units int) int { return max(1, units/100) }
