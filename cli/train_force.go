package cli

import (
	"path/filepath"

	"attractor/saved"
	"attractor/train"
)

// forceSignalJob is FORCE learning of a signal (sinusoid, foursine).
type forceSignalJob struct{ *train.ForceSignalSession }

func (j forceSignalJob) Unit() string               { return "chunk" }
func (j forceSignalJob) SetProgram(p saved.Program) { j.Program = p }
func (j forceSignalJob) StepsPerUnit() int          { return j.Cfg.Chunk }

// Finish reports the training MAE over the last 2000 steps (as the peer
// script does) and the MAE of a test run with learning off.
func (j forceSignalJob) Finish(dir string) (map[string]any, error) {
	cfg := j.Cfg
	trainMAE, err := train.MeanLastLoss(filepath.Join(dir, train.MetricsFile), j.Units(), max(1, 2000/cfg.Chunk))
	if err != nil {
		return nil, err
	}
	sig, _ := cfg.Signal()
	testMAE, err := j.Force.TestSignal(sig, cfg.Test)
	if err != nil {
		return nil, err
	}
	return map[string]any{"program": "attractor-force", "n": cfg.Hidden, "steps": cfg.Steps, "every": cfg.Every,
		"train_mae_last2000": trainMAE, "test_mae": testMAE}, nil
}

// forceSPMJob is FORCE learning of the sequential pattern-matching task.
type forceSPMJob struct {
	*train.ForceSPMSession
	testSeeds int
}

func (j forceSPMJob) Unit() string               { return "trial" }
func (j forceSPMJob) SetProgram(p saved.Program) { j.Program = p }

// Finish runs the trainability test of docs/science.md §3.3 and reports the
// spec's criterion (test_rmse_max, trainable) and the authors' code's
// looser normalisation (code_test_rmse_max, code_trainable).
func (j forceSPMJob) Finish(dir string) (map[string]any, error) {
	seeds := j.testSeeds
	if seeds <= 0 {
		seeds = 10
	}
	res, err := train.TestSPM(j.Force.Net, j.Task, j.Force.State(), seeds, j.Cfg.Seed, 0.01)
	if err != nil {
		return nil, err
	}
	return map[string]any{"program": "attractor-force-spm", "n": j.Cfg.Hidden, "trials": j.Cfg.Trials, "offset": j.Cfg.Offset,
		"test_trials": len(res.RMSE), "test_rmse_max": res.Max, "trainable": res.Trainable,
		"code_test_rmse_max": res.CodeMax, "code_trainable": res.CodeTrainable}, nil
}
