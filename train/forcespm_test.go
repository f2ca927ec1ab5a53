package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"attractor/saved"
)

// TestForceSPMResumeSameBytes interrupts SPM training and resumes it; the
// final network file must equal the uninterrupted run's.
func TestForceSPMResumeSameBytes(t *testing.T) {
	cfg := DefaultForceSPM()
	cfg.Hidden, cfg.Trials, cfg.Seed = 40, 12, 7
	dir := t.TempDir()
	final := func(s *ForceSPMSession, name string) []byte {
		if err := saved.WriteNative(name, s.Network()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(name)
		return b
	}
	a, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), a, RunOptions{Dir: filepath.Join(dir, "a"), Total: a.Units(), CheckpointEvery: 5}); err != nil {
		t.Fatal(err)
	}
	want := final(a, filepath.Join(dir, "a.npz"))

	b, _ := NewForceSPMSession(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	runDir := filepath.Join(dir, "b")
	err = Run(ctx, b, RunOptions{Dir: runDir, Total: b.Units(), CheckpointEvery: 5,
		Progress: func(m Metrics, _ int) {
			if m.Step == 8 {
				cancel()
			}
		}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	c, done, err := ResumeForceSPM(filepath.Join(runDir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if done != 8 {
		t.Fatalf("resumed after %d trials, want 8", done)
	}
	if err := Run(context.Background(), c, RunOptions{Dir: runDir, Total: c.Units(), Start: done, CheckpointEvery: 5}); err != nil {
		t.Fatal(err)
	}
	if got := final(c, filepath.Join(dir, "c.npz")); !bytes.Equal(got, want) {
		t.Error("resumed SPM run's network file differs from the uninterrupted run's")
	}
	res, err := TestSPM(c.Force.Net, c.Task, c.Force.State(), 2, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RMSE) != 2*4*4 || res.Max <= 0 {
		t.Errorf("test protocol ran %d trials (want 32), max RMSE %v", len(res.RMSE), res.Max)
	}
}
