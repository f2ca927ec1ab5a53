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

// resumable is a session the resume tests drive.
type resumable interface {
	Session
	Units() int
	Network() *saved.Network
}

// checkResumeSameBytes trains one session without interruption, and
// another from the same config interrupted after stopAt units and resumed
// from its checkpoint; the final network files must be identical.
func checkResumeSameBytes(t *testing.T, fresh func() (resumable, error), resume func(string) (resumable, int, error), every, stopAt int) {
	t.Helper()
	dir := t.TempDir()
	final := func(s resumable, name string) []byte {
		if err := saved.WriteNative(name, s.Network()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(name)
		return b
	}
	a, err := fresh()
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), a, RunOptions{Dir: filepath.Join(dir, "a"), Total: a.Units(), CheckpointEvery: every}); err != nil {
		t.Fatal(err)
	}
	want := final(a, filepath.Join(dir, "a.npz"))
	b, _ := fresh()
	ctx, cancel := context.WithCancel(context.Background())
	runDir := filepath.Join(dir, "b")
	err = Run(ctx, b, RunOptions{Dir: runDir, Total: b.Units(), CheckpointEvery: every,
		Progress: func(m Metrics, _ int) {
			if m.Step == stopAt {
				cancel()
			}
		}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted run returned %v, want ErrInterrupted", err)
	}
	c, done, err := resume(filepath.Join(runDir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if done != stopAt {
		t.Fatalf("resumed after %d units, want %d", done, stopAt)
	}
	if err := Run(context.Background(), c, RunOptions{Dir: runDir, Total: c.Units(), Start: done, CheckpointEvery: every}); err != nil {
		t.Fatal(err)
	}
	if got := final(c, filepath.Join(dir, "c.npz")); !bytes.Equal(got, want) {
		t.Error("the resumed run's network file differs from the uninterrupted run's")
	}
}
