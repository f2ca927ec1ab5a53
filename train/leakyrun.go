package train

import (
	"context"
	"fmt"
	"math"

	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// LeakyConfig configures full-batch BPTT of the leaky rate network on the
// delayed cue-discrimination task, the setting of Kurtkaya et al.'s sweeps
// (docs/science.md §5): N = 100, SGD with momentum 0.9 and weight decay 1e-7,
// noise σ_n = 0.001, r_0 = tanh(N(0, 0.1²)), epochs max(1000, 30/lr)
// (max(1000, 100/lr) with the post-reaction period).
type LeakyConfig struct {
	Hidden      int     `json:"hidden"`
	DelayMS     int     `json:"delay_ms"`
	Post        bool    `json:"post"`
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`
	WeightDecay float64 `json:"weight_decay"`
	Epochs      int     `json:"epochs"`
	Noise       float64 `json:"noise"`
	InitStd     float64 `json:"init_std"`
	Seed        uint64  `json:"seed"`
	// Threads does not change the results (fixed reduction order); it is
	// kept in the configuration only as a record.
	Threads int `json:"threads"`
}

// DefaultLeaky returns Kurtkaya et al.'s configuration with a 160 ms delay
// and lr = 0.01.
func DefaultLeaky() LeakyConfig {
	c := LeakyConfig{Hidden: 100, DelayMS: 160, LR: 0.01, Momentum: 0.9, WeightDecay: 1e-7, Noise: 0.001, InitStd: 0.1, Threads: 1}
	c.Epochs = c.KurtkayaEpochs()
	return c
}

// KurtkayaEpochs returns the reference code's epoch count for the learning
// rate: max(1000, 30/lr), or max(1000, 100/lr) with the post period.
func (c LeakyConfig) KurtkayaEpochs() int {
	k := 30.0
	if c.Post {
		k = 100
	}
	return max(1000, int(math.Ceil(k/c.LR)))
}

// Validate reports an invalid configuration.
func (c LeakyConfig) Validate() error {
	switch {
	case c.Hidden < 1 || c.Epochs < 1:
		return fmt.Errorf("hidden %d and epochs %d must be positive", c.Hidden, c.Epochs)
	case !(c.LR > 0) || c.Momentum < 0 || c.WeightDecay < 0 || c.Noise < 0 || c.InitStd < 0:
		return fmt.Errorf("learning rate %v must be positive; momentum, weight decay, noise and init std non-negative", c.LR)
	}
	return task.NewDCDT(c.DelayMS, c.Post).Validate()
}

// LeakySession trains on the full DCDT batch, one epoch per unit; it
// implements Session. Draws: the network (model.RandomKurtkaya) from stream
// 0 of the seed; initial states and noise from stream 1 (checkpointed).
type LeakySession struct {
	Cfg     LeakyConfig
	Trainer *LeakyTrainer
	Program saved.Program
	History []saved.HistoryPoint
	batch   *task.Batch
	rng     *model.RNG
	done    int
	last    LeakyStats
	// acc and rel are the per-epoch accuracy and reliability, the series
	// the learning gate of §5.5 reads; they are saved with the network.
	acc, rel []float64
}

// NewLeakySession builds the network and trainer.
func NewLeakySession(cfg LeakyConfig) (*LeakySession, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	net := model.RandomKurtkaya(cfg.Hidden, 2, 2, model.NewRNG(cfg.Seed, 0))
	return newLeakySession(cfg, net, model.NewRNG(cfg.Seed, 1))
}

func newLeakySession(cfg LeakyConfig, net *model.Leaky, rng *model.RNG) (*LeakySession, error) {
	tr, err := NewLeakyTrainer(net, &SGD{LR: cfg.LR, Momentum: cfg.Momentum, WeightDecay: cfg.WeightDecay})
	if err != nil {
		return nil, err
	}
	tr.Noise, tr.InitStd, tr.Threads = cfg.Noise, cfg.InitStd, max(1, cfg.Threads)
	return &LeakySession{Cfg: cfg, Trainer: tr, batch: task.NewDCDT(cfg.DelayMS, cfg.Post).Batch(nil), rng: rng}, nil
}

// Units returns the number of epochs.
func (s *LeakySession) Units() int { return s.Cfg.Epochs }

// Step trains one epoch; Extra carries the reliability of §5.4.
func (s *LeakySession) Step(ctx context.Context) (Metrics, error) {
	st, err := s.Trainer.Epoch(s.batch, s.rng)
	if err != nil {
		return Metrics{}, fmt.Errorf("epoch %d: %w", s.done+1, err)
	}
	s.done++
	s.last = st
	s.acc, s.rel = append(s.acc, st.Accuracy), append(s.rel, st.Reliability)
	if s.done%historyEvery(s.Units()) == 0 || s.done == s.Units() {
		s.History = append(s.History, saved.HistoryPoint{Step: s.done, Loss: st.Loss, Accuracy: st.Accuracy})
	}
	return Metrics{Loss: st.Loss, Accuracy: st.Accuracy, GradNorm: st.GradNorm,
		Extra: map[string]float64{"reliability": st.Reliability}}, nil
}

// Last returns the statistics of the last epoch trained.
func (s *LeakySession) Last() LeakyStats { return s.last }

// Evaluate runs the batch forward once more (fresh noise from stream 2 of
// the seed) and returns its statistics.
func (s *LeakySession) Evaluate() (LeakyStats, error) {
	return s.Trainer.Evaluate(s.batch, model.NewRNG(s.Cfg.Seed, 2))
}

// Network returns the network with its manifest.
func (s *LeakySession) Network() *saved.Network {
	seed := s.Cfg.Seed
	return &saved.Network{Net: s.Trainer.Net, Manifest: saved.Manifest{
		Seed: &seed, Train: trainManifest("bptt-leaky", s.Cfg), Task: taskManifest("dcdt", task.NewDCDT(s.Cfg.DelayMS, s.Cfg.Post)),
		History: s.History, Program: s.Program},
		Extra: []saved.Tensor{
			{Name: AccuracySeries, Shape: []int{len(s.acc)}, DType: saved.Float64, Data: append([]float64(nil), s.acc...)},
			{Name: ReliabilitySeries, Shape: []int{len(s.rel)}, DType: saved.Float64, Data: append([]float64(nil), s.rel...)},
		}}
}

// The names of the per-epoch accuracy and reliability series saved with a
// leaky network trained on the DCDT (extra arrays of the network file).
const (
	AccuracySeries    = "train.accuracy"
	ReliabilitySeries = "train.reliability"
)

// Save writes the network, the optimiser state, the noise stream and the
// epoch count as a native checkpoint.
func (s *LeakySession) Save(name string, done int) error {
	return saveCheckpoint(name, s.Network(), nil, s.Trainer.Opt, s.rng, s.done)
}

// ResumeLeaky rebuilds a session from a checkpoint written by Save.
func ResumeLeaky(name string) (*LeakySession, int, error) {
	var cfg LeakyConfig
	ck, err := loadCheckpoint(name, "bptt-leaky", &cfg)
	if err != nil {
		return nil, 0, err
	}
	net, ok := ck.net.Net.(*model.Leaky)
	if !ok || ck.rng == nil {
		return nil, 0, fmt.Errorf("%s: not a leaky-network checkpoint with its noise stream", name)
	}
	s, err := newLeakySession(cfg, net, ck.rng)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	if err := ck.restoreOptimizer(name, s.Trainer.Opt); err != nil {
		return nil, 0, err
	}
	s.done, s.History = ck.done, ck.net.Manifest.History
	s.acc, s.rel = ck.extra[AccuracySeries], ck.extra[ReliabilitySeries]
	if len(s.acc) != s.done || len(s.rel) != s.done {
		return nil, 0, fmt.Errorf("%s: checkpoint has %d/%d per-epoch accuracies/reliabilities for %d epochs", name, len(s.acc), len(s.rel), s.done)
	}
	return s, s.done, nil
}

// LearningSeries returns the per-epoch accuracy and reliability saved with
// a network trained by LeakySession, or, for other files, the accuracy at
// the history's checkpoints and no reliability.
func LearningSeries(n *saved.Network) (acc, rel []float64) {
	for _, t := range n.Extra {
		switch t.Name {
		case AccuracySeries:
			acc = t.Data
		case ReliabilitySeries:
			rel = t.Data
		}
	}
	if acc != nil && rel != nil && len(acc) == len(rel) {
		return acc, rel
	}
	acc, rel = nil, nil
	for _, h := range n.Manifest.History {
		acc = append(acc, h.Accuracy)
	}
	return acc, nil
}
