package train

import "path/filepath"

// The figures a finished run reports (the summary of `attractor train` and
// its --json line): each session's post-training evaluation, under the
// names its peer script prints.

// Results evaluates the trained network with fresh noise and returns the
// final epoch's loss, accuracy and reliability beside the evaluation's
// (eval_accuracy, eval_reliability), with the run's size and settings.
func (s *LeakySession) Results() (map[string]any, error) {
	ev, err := s.Evaluate()
	if err != nil {
		return nil, err
	}
	last := s.Last()
	return map[string]any{"program": "attractor-dcdt", "n": s.Cfg.Hidden, "delay_ms": s.Cfg.DelayMS,
		"epochs": s.Cfg.Epochs, "lr": s.Cfg.LR, "threads": s.Cfg.Threads,
		"final_loss": last.Loss, "accuracy": last.Accuracy, "reliability": last.Reliability,
		"eval_accuracy": ev.Accuracy, "eval_reliability": ev.Reliability}, nil
}

// Results returns the training MAE over the last 2000 steps (as the peer
// script reports it), read from the metrics log of the run directory dir,
// and the MAE of a test run of Cfg.Test steps with learning off.
func (s *ForceSignalSession) Results(dir string) (map[string]any, error) {
	cfg := s.Cfg
	trainMAE, err := MeanLastLoss(filepath.Join(dir, MetricsFile), s.Units(), max(1, 2000/cfg.Chunk))
	if err != nil {
		return nil, err
	}
	sig, _ := cfg.Signal()
	testMAE, err := s.Force.TestSignal(sig, cfg.Test)
	if err != nil {
		return nil, err
	}
	return map[string]any{"program": "attractor-force", "n": cfg.Hidden, "steps": cfg.Steps, "every": cfg.Every,
		"train_mae_last2000": trainMAE, "test_mae": testMAE}, nil
}

// Results runs the trainability test of docs/science.md §3.3 ([TestSPM],
// testSeeds test seeds, 10 when ≤ 0, RMSE threshold 0.01) and returns the
// spec's criterion (test_rmse_max, trainable) and the authors' code's
// looser normalisation (code_test_rmse_max, code_trainable).
func (s *ForceSPMSession) Results(testSeeds int) (map[string]any, error) {
	if testSeeds <= 0 {
		testSeeds = 10
	}
	res, err := TestSPM(s.Force.Net, s.Task, s.Force.State(), testSeeds, s.Cfg.Seed, 0.01)
	if err != nil {
		return nil, err
	}
	return map[string]any{"program": "attractor-force-spm", "n": s.Cfg.Hidden, "trials": s.Cfg.Trials, "offset": s.Cfg.Offset,
		"test_trials": len(res.RMSE), "test_rmse_max": res.Max, "trainable": res.Trainable,
		"code_test_rmse_max": res.CodeMax, "code_trainable": res.CodeTrainable}, nil
}

// Results scores the network on a held-out batch of 256 trials
// (heldout_loss, heldout_accuracy).
func (s *SeqSession) Results() (map[string]any, error) {
	st, err := s.Evaluate()
	if err != nil {
		return nil, err
	}
	return map[string]any{"program": "attractor-bptt", "family": string(s.Cfg.Family), "hidden": s.Cfg.Hidden,
		"epochs": s.Cfg.Epochs, "heldout_loss": st.Loss, "heldout_accuracy": st.Accuracy}, nil
}
