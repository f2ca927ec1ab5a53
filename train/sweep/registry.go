package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"attractor/saved"
	"attractor/train"
)

// Job is one network's training as a sweep drives it: a train.Session
// with its length and the network it produces.
type Job interface {
	train.Session
	// Units is the number of training units (epochs or trials).
	Units() int
	// Network returns the network with its manifest as it stands.
	Network() *saved.Network
}

// Trainer builds jobs for one task from configuration maps (the spec's
// base with a network's swept values set, or the flags of `attractor
// train`; TOML integers arrive as int64, floats as float64). The registry
// of trainers (RegisterTrainer, TrainerOf) is the one map from task names
// to training code, for sweeps and the command line alike.
type Trainer struct {
	// Method names how the task is trained, "force" or "bptt" (the
	// command line's --method).
	Method string
	// Fields lists the configuration keys the trainer accepts; a spec
	// naming another key is rejected at load time. Nil accepts any key.
	Fields []string
	// Check validates a configuration without building the network
	// (optional).
	Check func(cfg map[string]any) error
	// New builds the job.
	New func(cfg map[string]any) (Job, error)
	// Resume (optional) rebuilds a job from a checkpoint its Save wrote
	// and returns the units done; the job must then train to the same
	// bytes as an uninterrupted one. With it, a network whose worker was
	// killed continues from its last checkpoint (written every tenth of
	// its units) instead of from scratch.
	Resume func(checkpoint string) (Job, int, error)
}

// Analysis is run on every trained network of a sweep; its figures are
// stored in the network's result under its name. A figure "class" (a
// string) becomes the network's class in censuses and phase diagrams; when
// several analyses set one, the last listed wins.
type Analysis struct {
	// Tasks lists the tasks the analysis understands (nil: any).
	Tasks []string
	Run   func(ctx context.Context, in AnalysisInput) (map[string]any, error)
}

// AnalysisInput is what an analysis sees of a trained network.
type AnalysisInput struct {
	Task    string
	Config  map[string]any // the training configuration
	Options map[string]any // the spec's [analysis.NAME] table
	Job     Job            // the trained session
	Network *saved.Network // as it will be saved
	RunDir  string         // holds train.MetricsFile, one line per unit
	// Previous holds the figures of the analyses listed before this one
	// in the spec, by name (as they will be written), so that an analysis
	// can depend on an earlier one (the mechanism verdict runs only on
	// networks the trainability test passed).
	Previous map[string]map[string]any
}

var (
	registryMu sync.RWMutex
	trainers   = map[string]Trainer{}
	analyses   = map[string]Analysis{}
)

// RegisterTrainer makes a trainer available to specifications under the
// task name; a later registration replaces an earlier one.
func RegisterTrainer(task string, t Trainer) {
	registryMu.Lock()
	defer registryMu.Unlock()
	trainers[task] = t
}

// RegisterAnalysis makes an analysis available under name.
func RegisterAnalysis(name string, a Analysis) {
	registryMu.Lock()
	defer registryMu.Unlock()
	analyses[name] = a
}

// TrainerOf returns the trainer registered under the task name.
func TrainerOf(task string) (Trainer, bool) { return trainerFor(task) }

func trainerFor(task string) (Trainer, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	t, ok := trainers[task]
	return t, ok
}

func analysisFor(name string) (Analysis, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	a, ok := analyses[name]
	return a, ok
}

// TrainerNames returns the registered task names, sorted.
func TrainerNames() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return sortedKeys(trainers)
}

// AnalysisNames returns the registered analysis names, sorted.
func AnalysisNames() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return sortedKeys(analyses)
}

// StructTrainer makes a Trainer from a configuration struct C with JSON
// tags: a configuration map is encoded as JSON and decoded over
// defaults() with unknown fields rejected; prepare (optional) then adjusts
// the result knowing which keys were given (e.g. derived defaults),
// validate checks it and build makes the job.
func StructTrainer[C any](defaults func() C, prepare func(c *C, given map[string]any), validate func(C) error, build func(C) (Job, error)) Trainer {
	decode := func(m map[string]any) (C, error) {
		c := defaults()
		b, err := json.Marshal(m)
		if err != nil {
			return c, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return c, fmt.Errorf("field %s wants a %s", te.Field, te.Type)
			}
			return c, err
		}
		if prepare != nil {
			prepare(&c, m)
		}
		return c, nil
	}
	var fields []string
	t := reflect.TypeOf(defaults())
	for i := 0; i < t.NumField(); i++ {
		if tag := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]; tag != "" && tag != "-" {
			fields = append(fields, tag)
		}
	}
	sort.Strings(fields)
	return Trainer{
		Fields: fields,
		Check: func(m map[string]any) error {
			c, err := decode(m)
			if err != nil {
				return err
			}
			return validate(c)
		},
		New: func(m map[string]any) (Job, error) {
			c, err := decode(m)
			if err != nil {
				return nil, err
			}
			if err := validate(c); err != nil {
				return nil, err
			}
			return build(c)
		},
	}
}

// Program is recorded in every saved network's manifest by the sweep
// (jobs whose sessions have a Program field); the command line sets it.
var Program saved.Program

func init() {
	// The trainability test of docs/science.md §3.3: learning off, 4 trial-end
	// initial conditions × 4 trial types × test_seeds stimulus seeds; every
	// response-window RMSE must be below threshold ("trainable", the
	// spec's criterion). The authors' code normalises the error by the
	// number of test trials instead of the response length
	// ("code_trainable", looser with 10 seeds; train.SPMTestResult). The
	// option criterion = "spec" (default) or "code" picks the one that
	// sets the class, which the mechanism analysis then follows.
	RegisterAnalysis("trainability", Analysis{Tasks: []string{"spm"},
		Run: func(ctx context.Context, in AnalysisInput) (map[string]any, error) {
			s, ok := in.Job.(*train.ForceSPMSession)
			if !ok {
				return nil, fmt.Errorf("trainability needs a FORCE SPM session, not %T", in.Job)
			}
			seeds, err := OptInt(in.Options, "test_seeds", 10)
			if err != nil {
				return nil, err
			}
			thr, err := OptFloat(in.Options, "threshold", 0.01)
			if err != nil {
				return nil, err
			}
			crit, err := TrainabilityCriterion(in.Options)
			if err != nil {
				return nil, err
			}
			res, err := train.TestSPM(s.Force.Net, s.Task, s.Force.State(), seeds, s.Cfg.Seed, thr)
			if err != nil {
				return nil, err
			}
			pass := 0
			for _, e := range res.RMSE {
				if e < thr {
					pass++
				}
			}
			ok = res.Trainable
			if crit == "code" {
				ok = res.CodeTrainable
			}
			class := "untrainable"
			if ok {
				class = "trainable"
			}
			return map[string]any{"trainable": res.Trainable, "test_rmse_max": finiteOr(res.Max, -1),
				"code_trainable": res.CodeTrainable, "code_test_rmse_max": finiteOr(res.CodeMax, -1),
				"test_trials": len(res.RMSE), "test_trials_passed": pass, "criterion": crit, "class": class}, nil
		}})

	// The learning check of docs/science.md §5.5 step 1 on the per-epoch
	// accuracy and reliability (Metrics.Extra["reliability"]).
	RegisterAnalysis("learning", Analysis{Tasks: []string{"dcdt"},
		Run: func(ctx context.Context, in AnalysisInput) (map[string]any, error) {
			ms, _, err := train.ReadMetrics(filepath.Join(in.RunDir, train.MetricsFile), 0)
			if err != nil {
				return nil, err
			}
			acc := make([]float64, len(ms))
			rel := make([]float64, len(ms))
			for i, m := range ms {
				acc[i], rel[i] = m.Accuracy, m.Extra["reliability"]
			}
			lc := LearningCheck(acc, rel)
			return map[string]any{"learned": lc.Learned, "stable": lc.Stable, "first_epoch": lc.First,
				"final_accuracy": lc.FinalAccuracy, "final_reliability": lc.FinalReliability, "class": lc.Class}, nil
		}})
}

// TrainabilityCriterion returns the option criterion of the trainability
// test: "spec" (every response RMSE below the threshold, the default) or
// "code" (the authors' normalisation, train.SPMTestResult.CodeTrainable).
func TrainabilityCriterion(opts map[string]any) (string, error) {
	v, ok := opts["criterion"]
	if !ok {
		return "spec", nil
	}
	if s, ok := v.(string); ok && (s == "spec" || s == "code") {
		return s, nil
	}
	return "", fmt.Errorf("option criterion = %v must be \"spec\" or \"code\"", v)
}

// LearningResult is the outcome of LearningCheck.
type LearningResult struct {
	Learned                         bool
	Stable                          bool    // the stab criterion
	First                           int     // first epoch (1-based) with acc > 0.8 and rel > 0.8, or 0
	FinalAccuracy, FinalReliability float64 // means over the last 10 % of epochs
	Class                           string  // "learned", "no_learn" (class 0) or "unstable" (class 3)
}

// LearningCheck applies Kurtkaya et al.'s learning criterion (docs/science.md
// §5.5 step 1, sort_data.py) to per-epoch accuracy and reliability: e* is
// the first epoch with acc > 0.8 and rel > 0.8; stab holds when, from e*
// on, (#acc<0.6 + #rel<0.6)/(#acc>0.6 + #rel>0.6) < 0.1 (false when e*
// does not exist); learned = mean acc and mean rel over the last 10 % of
// epochs > 0.8 and stab. Not learned is "unstable" when stab fails after
// e* exists, else "no_learn".
func LearningCheck(acc, rel []float64) LearningResult {
	var r LearningResult
	n := len(acc)
	if n == 0 || len(rel) != n {
		r.Class = "no_learn"
		return r
	}
	first := -1
	for e := 0; e < n; e++ {
		if acc[e] > 0.8 && rel[e] > 0.8 {
			first = e
			break
		}
	}
	r.Stable = true // stab = 1 when the criterion is never reached
	if first >= 0 {
		r.First = first + 1
		var bad, good float64
		for e := first; e < n; e++ {
			for _, v := range []float64{acc[e], rel[e]} {
				if v < 0.6 {
					bad++
				}
				if v > 0.6 {
					good++
				}
			}
		}
		r.Stable = good > 0 && bad/good < 0.1
	}
	k := max(1, n/10)
	for e := n - k; e < n; e++ {
		r.FinalAccuracy += acc[e] / float64(k)
		r.FinalReliability += rel[e] / float64(k)
	}
	r.Learned = r.FinalAccuracy > 0.8 && r.FinalReliability > 0.8 && r.Stable
	switch {
	case r.Learned:
		r.Class = "learned"
	case first >= 0 && !r.Stable:
		r.Class = "unstable"
	default:
		r.Class = "no_learn"
	}
	return r
}

func finiteOr(v, alt float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return alt
	}
	return v
}

// OptInt reads the integer option key of an analysis's options (the spec's
// [analysis.NAME] table), def when it is absent.
func OptInt(opts map[string]any, key string, def int) (int, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("option %s = %v must be an integer", key, v)
	}
	return int(n), nil
}

// OptFloat reads the numeric option key (an integer or a float), def when
// it is absent.
func OptFloat(opts map[string]any, key string, def float64) (float64, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	f, ok := number(v)
	if !ok {
		return 0, fmt.Errorf("option %s = %v must be a number", key, v)
	}
	return f, nil
}

// OptBool reads the boolean option key, def when it is absent.
func OptBool(opts map[string]any, key string, def bool) (bool, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("option %s = %v must be true or false", key, v)
	}
	return b, nil
}
