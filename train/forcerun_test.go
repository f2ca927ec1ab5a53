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

// TestForceSignalResumeSameBytes interrupts FORCE training, resumes it from
// the checkpoint and compares the final network file with that of an
// uninterrupted run, byte for byte.
func TestForceSignalResumeSameBytes(t *testing.T) {
	cfg := DefaultForceSignal()
	cfg.Hidden, cfg.Steps, cfg.Chunk, cfg.Seed = 40, 1000, 50, 3
	final := func(s *ForceSignalSession, name string) []byte {
		if err := saved.WriteNative(name, s.Network()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(name)
		return b
	}
	dir := t.TempDir()
	a, err := NewForceSignalSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), a, RunOptions{Dir: filepath.Join(dir, "a"), Total: a.Units(), CheckpointEvery: 4}); err != nil {
		t.Fatal(err)
	}
	want := final(a, filepath.Join(dir, "a.npz"))

	b, _ := NewForceSignalSession(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	runDir := filepath.Join(dir, "b")
	err = Run(ctx, b, RunOptions{Dir: runDir, Total: b.Units(), CheckpointEvery: 4,
		Progress: func(m Metrics, _ int) {
			if m.Step == 7 {
				cancel()
			}
		}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	c, done, err := ResumeForceSignal(filepath.Join(runDir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if done != 7 {
		t.Fatalf("resumed after %d units, want 7", done)
	}
	if err := Run(context.Background(), c, RunOptions{Dir: runDir, Total: c.Units(), Start: done, CheckpointEvery: 4}); err != nil {
		t.Fatal(err)
	}
	if got := final(c, filepath.Join(dir, "c.npz")); !bytes.Equal(got, want) {
		t.Error("resumed FORCE run's network file differs from the uninterrupted run's")
	}
}
