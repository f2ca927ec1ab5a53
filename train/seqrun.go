package train

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// SeqConfig configures gradient training of a torch-style network (RNN,
// GRU, LSTM) or a TRNN on a sequence task: the N-bit flip-flop, last-k
// recall, or delayed choice with variable encoding time.
type SeqConfig struct {
	Family model.Family `json:"family"` // rnn_tanh, gru, lstm or trnn
	// Vanilla selects the TRNN's degenerate vanilla configuration (no
	// self-inhibition, full connectivity, one module).
	Vanilla bool    `json:"vanilla,omitempty"`
	Task    string  `json:"task"`   // "flipflop", "lastk" or "choice"
	Hidden  int     `json:"hidden"` // H (64)
	Bits    int     `json:"bits"`   // flip-flop channels, or k of last-k recall (3)
	Steps   int     `json:"steps"`  // flip-flop trial length (100)
	Delay   int     `json:"delay"`  // last-k delay (20)
	Batch   int     `json:"batch"`  // trials per epoch (64)
	Epochs  int     `json:"epochs"` // epochs (500)
	LR      float64 `json:"lr"`     // Adam learning rate (1e-2)
	Clip    float64 `json:"clip"`   // gradient-norm clip (1)
	Seed    uint64  `json:"seed"`
}

// DefaultSeq returns the 3-bit flip-flop GRU of the EC-30 check: hidden 64,
// 100-step trials, batches of 64, Adam 1e-2, clip 1, 500 epochs.
func DefaultSeq() SeqConfig {
	return SeqConfig{Family: model.FamilyGRU, Task: "flipflop", Hidden: 64, Bits: 3, Steps: 100, Delay: 20,
		Batch: 64, Epochs: 500, LR: 1e-2, Clip: 1}
}

// TaskOf returns the configured task.
func (c SeqConfig) TaskOf() (task.Task, error) {
	switch c.Task {
	case "flipflop":
		f := task.NewFlipFlop(c.Bits)
		f.Steps, f.Size = c.Steps, c.Batch
		return f, f.Validate()
	case "lastk":
		l := task.NewLastK(c.Bits)
		l.Delay, l.Size = c.Delay, c.Batch
		return l, l.Validate()
	case "choice":
		ch := task.NewChoice()
		ch.Delay, ch.Size = c.Delay, c.Batch
		return ch, ch.Validate()
	}
	return nil, fmt.Errorf("unknown sequence task %q (flipflop, lastk, choice)", c.Task)
}

// Validate reports an invalid configuration.
func (c SeqConfig) Validate() error {
	switch {
	case c.Family != model.FamilyTorchRNN && c.Family != model.FamilyGRU && c.Family != model.FamilyLSTM && c.Family != model.FamilyTRNN:
		return fmt.Errorf("family %q: want rnn_tanh, gru, lstm or trnn", c.Family)
	case c.Hidden < 1 || c.Epochs < 1:
		return fmt.Errorf("hidden %d and epochs %d must be positive", c.Hidden, c.Epochs)
	case !(c.LR > 0) || c.Clip < 0:
		return fmt.Errorf("learning rate %v must be positive and clip %v non-negative", c.LR, c.Clip)
	}
	_, err := c.TaskOf()
	return err
}

// epochTrainer is a BPTT trainer of sequence batches (SeqTrainer,
// TRNNTrainer).
type epochTrainer interface {
	Epoch(*task.Batch) (SeqStats, error)
	Evaluate(*task.Batch) (SeqStats, error)
}

// SeqSession trains by BPTT, one epoch on a fresh batch per unit; it
// implements Session. Draws: the network from stream 0 of the seed, the
// batches from stream 1 (checkpointed).
type SeqSession struct {
	Cfg     SeqConfig
	Net     model.Network
	Opt     Optimizer
	Program saved.Program
	History []saved.HistoryPoint
	trainer epochTrainer
	task    task.Task
	rng     *model.RNG
	done    int
}

// NewSeqSession builds the network and trainer.
func NewSeqSession(cfg SeqConfig) (*SeqSession, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tk, _ := cfg.TaskOf()
	b := tk.Batch(model.NewRNG(0, 0))
	in, out := b.Inputs, b.Outputs
	rng := model.NewRNG(cfg.Seed, 0)
	var net model.Network
	switch cfg.Family {
	case model.FamilyTorchRNN:
		net = model.RandomTorchRNN(cfg.Hidden, in, out, rng)
	case model.FamilyGRU:
		net = model.RandomGRU(cfg.Hidden, in, out, rng)
	case model.FamilyLSTM:
		net = model.RandomLSTM(cfg.Hidden, in, out, rng)
	default:
		tc := model.DefaultTRNNConfig()
		if cfg.Vanilla {
			tc = model.VanillaConfig()
		}
		t, err := model.RandomTRNN(cfg.Hidden, in, out, tc, rng)
		if err != nil {
			return nil, err
		}
		net = t
	}
	return newSeqSession(cfg, net, model.NewRNG(cfg.Seed, 1))
}

func newSeqSession(cfg SeqConfig, net model.Network, rng *model.RNG) (*SeqSession, error) {
	tk, err := cfg.TaskOf()
	if err != nil {
		return nil, err
	}
	loss := SeqMSE
	if cfg.Task == "choice" {
		loss = SeqCrossEntropy
	}
	opt := NewAdam(cfg.LR)
	var tr epochTrainer
	if t, ok := net.(*model.TRNN); ok {
		tt, err := NewTRNNTrainer(t, opt)
		if err != nil {
			return nil, err
		}
		tt.ClipNorm, tt.Loss = cfg.Clip, loss
		tr = tt
	} else {
		st, err := NewSeqTrainer(net, opt)
		if err != nil {
			return nil, err
		}
		st.ClipNorm, st.Loss = cfg.Clip, loss
		tr = st
	}
	return &SeqSession{Cfg: cfg, Net: net, Opt: opt, trainer: tr, task: tk, rng: rng}, nil
}

// Units returns the number of epochs.
func (s *SeqSession) Units() int { return s.Cfg.Epochs }

// Step trains one epoch.
func (s *SeqSession) Step(ctx context.Context) (Metrics, error) {
	st, err := s.trainer.Epoch(s.task.Batch(s.rng))
	if err != nil {
		return Metrics{}, fmt.Errorf("epoch %d: %w", s.done+1, err)
	}
	s.done++
	if s.done%historyEvery(s.Units()) == 0 || s.done == s.Units() {
		s.History = append(s.History, saved.HistoryPoint{Step: s.done, Loss: st.Loss, Accuracy: st.Accuracy})
	}
	return Metrics{Loss: st.Loss, Accuracy: st.Accuracy, GradNorm: st.GradNorm}, nil
}

// Evaluate scores the network on a held-out batch (stream 2 of the seed,
// 256 trials).
func (s *SeqSession) Evaluate() (SeqStats, error) {
	cfg := s.Cfg
	cfg.Batch = 256
	tk, _ := cfg.TaskOf()
	return s.trainer.Evaluate(tk.Batch(model.NewRNG(cfg.Seed, 2)))
}

// Network returns the network with its manifest.
func (s *SeqSession) Network() *saved.Network {
	seed := s.Cfg.Seed
	return &saved.Network{Net: s.Net, Manifest: saved.Manifest{
		Seed: &seed, Train: trainManifest("bptt", s.Cfg), Task: taskManifest(s.task.Name(), s.task),
		History: s.History, Program: s.Program}}
}

// Save writes the network, the optimiser state, the batch stream and the
// epoch count as a native checkpoint.
func (s *SeqSession) Save(name string, done int) error {
	return saveCheckpoint(name, s.Network(), nil, s.Opt, s.rng, s.done)
}

// ResumeSeq rebuilds a session from a checkpoint written by Save.
func ResumeSeq(name string) (*SeqSession, int, error) {
	var cfg SeqConfig
	ck, err := loadCheckpoint(name, "bptt", &cfg)
	if err != nil {
		return nil, 0, err
	}
	if ck.rng == nil {
		return nil, 0, fmt.Errorf("%s: checkpoint lacks the batch stream", name)
	}
	s, err := newSeqSession(cfg, ck.net.Net, ck.rng)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	if err := ck.restoreOptimizer(name, s.Opt); err != nil {
		return nil, 0, err
	}
	s.done, s.History = ck.done, ck.net.Manifest.History
	return s, s.done, nil
}

// optimizerExtras stores an optimiser's state as extra arrays
// "train.opt.<key>", in a fixed order.
func optimizerExtras(o Optimizer) []saved.Tensor {
	st := o.State()
	keys := make([]string, 0, len(st))
	for k := range st {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ts []saved.Tensor
	for _, k := range keys {
		ts = append(ts, saved.Tensor{Name: "train.opt." + k, Shape: []int{len(st[k])}, DType: saved.Float64, Data: st[k]})
	}
	return ts
}

// optimizerState inverts optimizerExtras.
func optimizerState(ex map[string][]float64) map[string][]float64 {
	st := map[string][]float64{}
	for k, v := range ex {
		if rest, ok := strings.CutPrefix(k, "train.opt."); ok {
			st[rest] = v
		}
	}
	return st
}
