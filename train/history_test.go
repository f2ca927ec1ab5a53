package train

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
)

// BenchmarkRunHistory times 200 epochs of the gallery's flip-flop GRU
// (3 bits, 24 units, batch 64) with and without the log-spaced history
// (10 per decade: 24 networks written), so the cost of the history is the
// ratio of the two.
func BenchmarkRunHistory(b *testing.B) {
	const epochs = 200
	for _, per := range []int{0, 10} {
		b.Run(fmt.Sprintf("history=%d", per), func(b *testing.B) {
			for b.Loop() {
				cfg := DefaultSeq()
				cfg.Bits, cfg.Hidden, cfg.Epochs, cfg.Seed = 3, 24, epochs, 1
				s, err := NewSeqSession(cfg)
				if err != nil {
					b.Fatal(err)
				}
				err = Run(context.Background(), s, RunOptions{Dir: b.TempDir(), Total: epochs,
					History: LogSchedule(epochs, per)})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLogSchedule checks the schedule: 10 per decade over 1000 units are
// the rounded powers 10^(i/10) without repeats, then 1000.
func TestLogSchedule(t *testing.T) {
	got := fmt.Sprint(LogSchedule(1000, 10))
	want := "[1 2 3 4 5 6 8 10 13 16 20 25 32 40 50 63 79 100 126 158 200 251 316 398 501 631 794 1000]"
	if got != want {
		t.Errorf("LogSchedule(1000, 10) = %s, want %s", got, want)
	}
	if LogSchedule(1000, 0) != nil || fmt.Sprint(LogSchedule(1, 5)) != "[1]" {
		t.Errorf("LogSchedule(1000, 0) = %v, LogSchedule(1, 5) = %v", LogSchedule(1000, 0), LogSchedule(1, 5))
	}
}

// TestRunHistory trains 20 epochs with a history of 10 per decade: the
// files are those of the schedule, each loads as a network whose train.done
// is its step, and RunNetwork picks the checkpoint, then the final network
// once run.json says the run finished.
func TestRunHistory(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultSeq()
	cfg.Bits, cfg.Hidden, cfg.Epochs, cfg.Batch = 1, 4, 20, 4
	s, err := NewSeqSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := RunNetwork(dir); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("RunNetwork before the first checkpoint: %v, want ErrNoCheckpoint", err)
	}
	want := LogSchedule(20, 10)
	if err := Run(context.Background(), s, RunOptions{Dir: dir, Total: 20, History: want}); err != nil {
		t.Fatal(err)
	}
	hs, err := ReadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, h := range hs {
		got = append(got, h.Step)
		n, err := saved.ReadNative(h.Path)
		if err != nil {
			t.Fatal(err)
		}
		if d := extras(n)["train.done"]; len(d) != 1 || int(d[0]) != h.Step {
			t.Errorf("%s: train.done %v, want %d", h.Path, d, h.Step)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("history steps %v, want %v", got, want)
	}
	file, which, err := RunNetwork(dir)
	if err != nil || file != filepath.Join(dir, CheckpointFile) || !strings.Contains(which, "after 20") {
		t.Errorf("RunNetwork: %q, %q, %v; want the checkpoint after 20", file, which, err)
	}
	out := filepath.Join(dir, "final.npz")
	if err := saved.WriteNative(out, s.Network()); err != nil {
		t.Fatal(err)
	}
	if err := WriteRunRecord(dir, &RunRecord{Task: "flipflop", Out: out, Unit: "epoch", Units: 20, Status: StatusFinished}); err != nil {
		t.Fatal(err)
	}
	if file, which, err := RunNetwork(dir); err != nil || file != out || !strings.Contains(which, "final") {
		t.Errorf("RunNetwork of a finished run: %q, %q, %v; want the final network", file, which, err)
	}
}
