package train

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// ForceSPMConfig configures FORCE training of a Ghazizadeh & Ching network
// on the sequential pattern-matching task (docs/science.md §3).
type ForceSPMConfig struct {
	Hidden  int     `json:"hidden"`  // N (paper 1000; 200–300 for interactive use)
	Density float64 `json:"density"` // connection density p of J
	G       float64 `json:"g"`       // gain g
	FB      float64 `json:"fb"`      // feedback scale: σ_f = 1/fb [LOW]
	Alpha   float64 `json:"alpha"`   // RLS regulariser α (1)
	Trials  int     `json:"trials"`  // training trials (README example 3500)
	Native  bool    `json:"native"`  // native FORCE instead of the restricted kernel
	Seed    uint64  `json:"seed"`
	// Offset is added to both coordinates of both synthetic digit means
	// (task.SPM.Mean; the stimuli and the memory targets move with them).
	// The default, 0.7, is a deliberate departure from docs/science.md §3.2's
	// [PROPOSAL] means μ₀ = (−1, 0.5), μ₁ = (1, −0.5): those are mirror
	// images, μ₁ = −μ₀, and a tanh network without biases and with linear
	// feedback is odd, (x, u) ↦ (−x, −u), so trials (0,0) and (1,1) drive
	// it into mirror-image states while their targets 0.5 and 1.5 are not
	// mirror images, and (0,1), (1,0) need an even output. FORCE then
	// mostly never learns the output (22 of 27 networks at N = 300). With
	// 0.7 the means are μ₀ = (−0.3, 1.2), μ₁ = (1.7, 0.2): the same
	// separation and spread, no mirror symmetry, and training output errors
	// of 0.005–0.03 at fb = 1, N = 300 (see /work/notes/force-trainability.md).
	// Set 0 to get the proposal's means; an offset that makes a mean
	// component zero (±0.5, ±1) is rejected, since FORCE updates only
	// where the target is nonzero. Offset 0 is left out of the manifest, so
	// files trained before the offset existed read back as offset 0.
	Offset float64 `json:"offset,omitempty"`
}

// DefaultForceSPM returns an interactive-size configuration: N = 300,
// g = 1.5, fb = 1, p = 0.2 (the proposed DFP exemplar, docs/science.md §10
// item 3), α = 1, 3500 trials, and digit means offset by 0.7 (not the
// proposal's mirror-image means; see ForceSPMConfig.Offset).
func DefaultForceSPM() ForceSPMConfig {
	return ForceSPMConfig{Hidden: 300, Density: 0.2, G: 1.5, FB: 1, Alpha: 1, Trials: 3500, Offset: DefaultSPMOffset}
}

// DefaultSPMOffset is the default digit-mean offset of SPM training
// (ForceSPMConfig.Offset), which breaks the mirror symmetry of the
// proposed synthetic digits.
const DefaultSPMOffset = 0.7

// Validate reports an invalid configuration.
func (c ForceSPMConfig) Validate() error {
	switch {
	case c.Hidden < 1:
		return fmt.Errorf("hidden size %d must be positive", c.Hidden)
	case !(c.Density > 0 && c.Density <= 1):
		return fmt.Errorf("density %v must be in (0, 1]", c.Density)
	case !(c.FB > 0) || math.IsInf(c.FB, 0):
		return fmt.Errorf("feedback scale fb = %v must be positive", c.FB)
	case !(c.Alpha > 0):
		return fmt.Errorf("α = %v must be positive", c.Alpha)
	case c.Trials < 1:
		return fmt.Errorf("trials %d must be positive", c.Trials)
	case math.IsNaN(c.Offset) || math.IsInf(c.Offset, 0):
		return fmt.Errorf("digit-mean offset %v must be finite", c.Offset)
	}
	if c.Offset != 0 {
		if err := c.spmTask().Validate(); err != nil {
			return fmt.Errorf("digit-mean offset %v: %w", c.Offset, err)
		}
	}
	return nil
}

// spmTask returns the task with the configured digit-mean offset.
func (c ForceSPMConfig) spmTask() *task.SPM {
	spm := task.NewSPM()
	for d := range spm.Mean {
		spm.Mean[d][0] += c.Offset
		spm.Mean[d][1] += c.Offset
	}
	return spm
}

// ForceSPMSession trains on SPM trials, one trial per unit; it implements
// Session. Trial types come from a stream of the seed fixed in advance
// (stream 1), stimuli from stream 2, whose state is checkpointed.
type ForceSPMSession struct {
	Cfg     ForceSPMConfig
	Force   *Force
	Task    *task.SPM
	Program saved.Program
	History []saved.HistoryPoint
	types   []int
	stim    *model.RNG
	done    int
}

// NewForceSPMSession builds the network (model.RandomGhazizadeh from stream
// 0 of the seed, then x(0) = 0.1·N(0, 1)) and the trainer.
func NewForceSPMSession(cfg ForceSPMConfig) (*ForceSPMSession, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := model.NewRNG(cfg.Seed, 0)
	net, err := model.RandomGhazizadeh(cfg.Hidden, cfg.Density, cfg.G, cfg.FB, rng)
	if err != nil {
		return nil, err
	}
	f, err := NewForce(net, cfg.Alpha, 2, model.NormalVector(cfg.Hidden, 0.1, rng))
	if err != nil {
		return nil, err
	}
	f.Native = cfg.Native
	return &ForceSPMSession{Cfg: cfg, Force: f, Task: cfg.spmTask(),
		types: task.TrialTypes(cfg.Trials, model.NewRNG(cfg.Seed, 1)), stim: model.NewRNG(cfg.Seed, 2)}, nil
}

// Units returns the number of training trials.
func (s *ForceSPMSession) Units() int { return s.Cfg.Trials }

// Step trains one trial; the loss is the response-window RMSE of z_o
// before each update, the accuracy the fraction of the trial's updates
// whose |e₋| < 0.05.
func (s *ForceSPMSession) Step(ctx context.Context) (Metrics, error) {
	b := s.Task.Trials(s.types[s.done:s.done+1], s.stim)
	st, err := s.Force.TrainSequence(b)
	if err != nil {
		return Metrics{}, fmt.Errorf("trial %d: %w", s.done+1, err)
	}
	s.done++
	if s.done%historyEvery(s.Units()) == 0 || s.done == s.Units() {
		s.History = append(s.History, saved.HistoryPoint{Step: s.done, Loss: st.RMSEO})
	}
	return Metrics{Loss: st.RMSEO, Extra: map[string]float64{"rmse_d": st.RMSED}}, nil
}

// Network returns the network with its manifest and, as the extra array
// saved.EndStateName ("train.x"), the state at the end of the last trained trial: the trials
// are concatenated without reset, so the authors' test (TestSPM) and
// `attractor inspect` start from there, not from the origin, where a
// trained network can settle on an untrained branch.
func (s *ForceSPMSession) Network() *saved.Network {
	seed := s.Cfg.Seed
	x := append([]float64(nil), s.Force.State()...)
	return &saved.Network{Net: s.Force.Net, Manifest: saved.Manifest{
		Seed: &seed, Train: trainManifest("force-spm", s.Cfg), Task: taskManifest("spm", s.Task),
		History: s.History, Program: s.Program},
		Extra: []saved.Tensor{{Name: saved.EndStateName, Shape: []int{len(x)}, DType: saved.Float64, Data: x}}}
}

// Save writes the network and the trainer's state (FORCE state, stimulus
// stream, trials done) as a native checkpoint.
func (s *ForceSPMSession) Save(name string, done int) error {
	n := s.Network()
	n.Extra = nil // forceExtras holds train.x with the rest of the trainer's state
	return saveCheckpoint(name, n, forceExtras(s.Force), nil, s.stim, s.done)
}

// ResumeForceSPM rebuilds a session from a checkpoint written by Save.
func ResumeForceSPM(name string) (*ForceSPMSession, int, error) {
	var cfg ForceSPMConfig
	ck, err := loadCheckpoint(name, "force-spm", &cfg)
	if err != nil {
		return nil, 0, err
	}
	if ck.rng == nil || ck.done > cfg.Trials {
		return nil, 0, fmt.Errorf("%s: checkpoint lacks the stimulus stream or is past the last trial", name)
	}
	f, err := restoreForce(name, ck.net.Net, cfg.Alpha, 2, ck.extra)
	if err != nil {
		return nil, 0, err
	}
	f.Native = cfg.Native
	spm := task.NewSPM()
	tk := struct {
		Config *task.SPM `json:"config"`
	}{Config: spm}
	if err := json.Unmarshal(ck.net.Manifest.Task, &tk); err != nil {
		return nil, 0, fmt.Errorf("%s: task: %w", name, err)
	}
	return &ForceSPMSession{Cfg: cfg, Force: f, Task: spm, History: ck.net.Manifest.History,
		types: task.TrialTypes(cfg.Trials, model.NewRNG(cfg.Seed, 1)), stim: ck.rng, done: ck.done}, ck.done, nil
}

// SPMTestResult is the outcome of the trainability test of docs/science.md §3.3.
type SPMTestResult struct {
	RMSE      []float64 // response-window RMSE of z_o per test trial
	Max       float64   // the largest
	Trainable bool      // every trial below the threshold
	Threshold float64

	// CodeMax is the largest error as the authors' error_rate computes it:
	// sqrt(Σ_{t∈T_r} (z_o − f_o)² / M) with M = 16·seeds the number of test
	// trials (160) instead of the response length (50), so CodeMax =
	// Max·sqrt(50/M) (about 0.56·Max at 10 seeds). CodeTrainable is
	// CodeMax < Threshold: the code's criterion, looser than the spec's.
	CodeMax       float64
	CodeTrainable bool
}

// TestSPM runs the code's test protocol with learning off: the four
// trial-end states (one trial of each type from the current state) as
// initial conditions × 4 trial types × seeds stimulus realisations; a
// network is trainable when every response-window RMSE of z_o is below
// threshold (paper: 0.01, with 10 seeds: 160 trials). The authors' code
// normalises the error differently; see SPMTestResult.CodeMax.
func TestSPM(net *model.CTRNN, spm *task.SPM, x []float64, seeds int, seed uint64, threshold float64) (SPMTestResult, error) {
	res := SPMTestResult{Threshold: threshold}
	f, err := forceNew(net, 1, 2, x, false)
	if err != nil {
		return res, err
	}
	// Trial-end initial conditions.
	var ics [][]float64
	for typ := 0; typ < 4; typ++ {
		b := spm.Trials([]int{typ}, model.NewRNG(seed, 50))
		for t := 0; t < b.Steps; t++ {
			f.Advance(b.In(t, 0))
		}
		ics = append(ics, append([]float64(nil), f.State()...))
	}
	resp, _ := spm.Trials([]int{0}, model.NewRNG(0, 0)).Window("response")
	for k := 0; k < seeds; k++ {
		for _, ic := range ics {
			for typ := 0; typ < 4; typ++ {
				g, _ := forceNew(net, 1, 2, ic, false)
				b := spm.Trials([]int{typ}, model.NewRNG(seed, uint64(100+k)))
				var se float64
				for t := 0; t < b.Steps; t++ {
					g.Advance(b.In(t, 0))
					if t >= resp.Start && t < resp.End {
						e := g.zo[0] - b.Target(t, 0)[0]
						se += e * e
					}
				}
				r := math.Sqrt(se / float64(resp.Len()))
				if math.IsNaN(r) {
					r = math.Inf(1)
				}
				res.RMSE = append(res.RMSE, r)
				res.Max = math.Max(res.Max, r)
			}
		}
	}
	res.Trainable = res.Max < threshold
	if len(res.RMSE) > 0 {
		res.CodeMax = res.Max * math.Sqrt(float64(resp.Len())/float64(len(res.RMSE)))
	}
	res.CodeTrainable = res.CodeMax < threshold
	return res, nil
}
