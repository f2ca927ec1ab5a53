package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"attractor/model"
	"attractor/saved"
)

// TestSeqResumeSameBytes interrupts GRU and LSTM training and resumes it;
// the final network file must equal the uninterrupted run's.
func TestSeqResumeSameBytes(t *testing.T) {
	for _, fam := range []model.Family{model.FamilyGRU, model.FamilyLSTM} {
		cfg := DefaultSeq()
		cfg.Family, cfg.Hidden, cfg.Steps, cfg.Batch, cfg.Epochs, cfg.Seed = fam, 8, 30, 8, 10, 5
		if fam == model.FamilyLSTM {
			cfg.Task, cfg.Bits = "lastk", 1
		}
		dir := t.TempDir()
		final := func(s *SeqSession, name string) []byte {
			if err := saved.WriteNative(name, s.Network()); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(name)
			return b
		}
		a, err := NewSeqSession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := Run(context.Background(), a, RunOptions{Dir: filepath.Join(dir, "a"), Total: a.Units(), CheckpointEvery: 4}); err != nil {
			t.Fatal(err)
		}
		want := final(a, filepath.Join(dir, "a.npz"))
		b, _ := NewSeqSession(cfg)
		ctx, cancel := context.WithCancel(context.Background())
		runDir := filepath.Join(dir, "b")
		err = Run(ctx, b, RunOptions{Dir: runDir, Total: b.Units(), CheckpointEvery: 4,
			Progress: func(m Metrics, _ int) {
				if m.Step == 6 {
					cancel()
				}
			}})
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("%s: got %v, want ErrInterrupted", fam, err)
		}
		c, done, err := ResumeSeq(filepath.Join(runDir, CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		if done != 6 {
			t.Fatalf("%s: resumed after %d epochs, want 6", fam, done)
		}
		if err := Run(context.Background(), c, RunOptions{Dir: runDir, Total: c.Units(), Start: done, CheckpointEvery: 4}); err != nil {
			t.Fatal(err)
		}
		if got := final(c, filepath.Join(dir, "c.npz")); !bytes.Equal(got, want) {
			t.Errorf("%s: resumed run's network file differs from the uninterrupted run's", fam)
		}
	}
}
