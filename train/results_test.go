package train

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestResults runs tiny sessions to the end and checks the figures each
// reports: the keys of its peer script, consistent with each other (the
// trainability flags follow the RMSE against the 0.01 threshold), and a
// FORCE signal run whose metrics log is missing an error naming the log.
func TestResults(t *testing.T) {
	ctx := context.Background()

	seq := DefaultSeq()
	seq.Bits, seq.Hidden, seq.Epochs, seq.Seed = 1, 8, 3, 1
	ss, err := NewSeqSession(seq)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, ss, RunOptions{Dir: t.TempDir(), Total: seq.Epochs}); err != nil {
		t.Fatal(err)
	}
	r, err := ss.Results()
	if err != nil {
		t.Fatal(err)
	}
	if r["program"] != "attractor-bptt" || r["epochs"] != 3 {
		t.Errorf("seq: %v", r)
	}
	if acc, ok := r["heldout_accuracy"].(float64); !ok || acc < 0 || acc > 1 {
		t.Errorf("seq: held-out accuracy %v", r["heldout_accuracy"])
	}

	spm := DefaultForceSPM()
	spm.Hidden, spm.Trials = 40, 4
	ps, err := NewForceSPMSession(spm)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, ps, RunOptions{Dir: t.TempDir(), Total: spm.Trials}); err != nil {
		t.Fatal(err)
	}
	r, err = ps.Results(1)
	if err != nil {
		t.Fatal(err)
	}
	rmse, code := r["test_rmse_max"].(float64), r["code_test_rmse_max"].(float64)
	if r["program"] != "attractor-force-spm" || r["test_trials"] == 0 || math.IsNaN(rmse) ||
		r["trainable"] != (rmse <= 0.01) || r["code_trainable"] != (code <= 0.01) {
		t.Errorf("spm: %v", r)
	}

	sig := DefaultForceSignal()
	sig.Hidden, sig.Steps, sig.Chunk, sig.Test = 40, 400, 100, 100
	fs, err := NewForceSignalSession(sig)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Run(ctx, fs, RunOptions{Dir: dir, Total: fs.Units()}); err != nil {
		t.Fatal(err)
	}
	r, err = fs.Results(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mae, ok := r["train_mae_last2000"].(float64); r["program"] != "attractor-force" || !ok || !(mae >= 0) || !(r["test_mae"].(float64) >= 0) {
		t.Errorf("signal: %v", r)
	}
	if _, err := fs.Results(t.TempDir()); err == nil || !strings.Contains(err.Error(), MetricsFile) {
		t.Errorf("no metrics log: %v", err)
	}
}
