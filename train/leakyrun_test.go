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

// TestLeakyResumeSameBytes interrupts DCDT training and resumes it; the
// final network file must equal the uninterrupted run's.
func TestLeakyResumeSameBytes(t *testing.T) {
	cfg := DefaultLeaky()
	cfg.Hidden, cfg.DelayMS, cfg.Epochs, cfg.Seed = 12, 40, 10, 3
	dir := t.TempDir()
	final := func(s *LeakySession, name string) []byte {
		if err := saved.WriteNative(name, s.Network()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(name)
		return b
	}
	a, err := NewLeakySession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), a, RunOptions{Dir: filepath.Join(dir, "a"), Total: a.Units(), CheckpointEvery: 3}); err != nil {
		t.Fatal(err)
	}
	want := final(a, filepath.Join(dir, "a.npz"))
	b, _ := NewLeakySession(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	runDir := filepath.Join(dir, "b")
	err = Run(ctx, b, RunOptions{Dir: runDir, Total: b.Units(), CheckpointEvery: 3,
		Progress: func(m Metrics, _ int) {
			if m.Step == 5 {
				cancel()
			}
		}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("got %v, want ErrInterrupted", err)
	}
	c, done, err := ResumeLeaky(filepath.Join(runDir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), c, RunOptions{Dir: runDir, Total: c.Units(), Start: done, CheckpointEvery: 3}); err != nil {
		t.Fatal(err)
	}
	if got := final(c, filepath.Join(dir, "c.npz")); !bytes.Equal(got, want) {
		t.Error("resumed DCDT run's network file differs from the uninterrupted run's")
	}
	if cfg := DefaultLeaky(); cfg.Epochs != 3000 {
		t.Errorf("lr 0.01 gives %d epochs, want max(1000, 30/lr) = 3000", cfg.Epochs)
	}
}
