package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"attractor/train"
)

func TestSweepTrimMetrics(t *testing.T) {
	line := func(step int, loss string) string {
		return `{"step":` + string(rune('0'+step)) + `,"loss":` + loss + "}\n"
	}
	for _, tc := range []struct {
		name, log string
		done      int
		want      string // "" means an error
	}{
		{"exact", line(1, "1") + line(2, "2"), 2, line(1, "1") + line(2, "2")},
		{"past the checkpoint", line(1, "1") + line(2, "2") + line(3, "3"), 2, line(1, "1") + line(2, "2")},
		{"half a line", line(1, "1") + line(2, "2") + `{"step":3,"lo`, 2, line(1, "1") + line(2, "2")},
		{"logged twice: the last wins", line(1, "1") + line(2, "2") + line(2, "5"), 2, line(1, "1") + line(2, "5")},
		{"a unit missing", line(1, "1") + line(3, "3"), 3, ""},
		{"garbage", line(1, "1") + "nonsense\n", 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "metrics.jsonl")
			if err := os.WriteFile(name, []byte(tc.log), 0o644); err != nil {
				t.Fatal(err)
			}
			err := sweepTrimMetrics(name, tc.done)
			got, _ := os.ReadFile(name)
			switch {
			case tc.want == "" && err == nil:
				t.Fatalf("no error; log now %q", got)
			case tc.want != "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && string(got) != tc.want:
				t.Fatalf("log %q, want %q", got, tc.want)
			}
			if strings.Contains(string(got), ".trim") {
				t.Fatal("temporary left")
			}
		})
	}
}

// resumeCancel, when set, is called by the "dcdt-interrupt" trainer's
// jobs after unit resumeCancelAt of every session built from scratch.
var (
	resumeCancel   func()
	resumeCancelAt int
)

// resumeJob is a leaky DCDT session that interrupts its sweep once.
type resumeJob struct{ *train.LeakySession }

func (j resumeJob) Step(ctx context.Context) (train.Metrics, error) {
	m, err := j.LeakySession.Step(ctx)
	if len(j.Network().Extra[0].Data) == resumeCancelAt && resumeCancel != nil {
		resumeCancel()
	}
	return m, err
}

func init() {
	base, _ := trainerFor("dcdt")
	t := base
	t.New = func(cfg map[string]any) (Job, error) {
		j, err := base.New(cfg)
		if err != nil {
			return nil, err
		}
		return resumeJob{j.(*train.LeakySession)}, nil
	}
	t.Resume = base.Resume
	RegisterTrainer("dcdt-interrupt", t)
}

// TestSweepResumeInterrupted interrupts a sweep of two real leaky DCDT
// networks when one of them has done 7 of its 20 epochs (as Ctrl-C or
// Slurm's SIGTERM would); the next run continues both from their checkpoints, and the
// network files and results equal an uninterrupted sweep's byte for byte.
func TestSweepResumeInterrupted(t *testing.T) {
	const src = `task = "dcdt-interrupt"
seeds = 2
[base]
hidden = 8
delay_ms = 40
epochs = 20
`
	files := func(s *Sweep) map[string][]byte {
		out := map[string][]byte{}
		for i := 0; i < s.Spec.Len(); i++ {
			for _, f := range []string{ResultFile, NetworkFile} {
				b, err := os.ReadFile(filepath.Join(s.NetDir(i), f))
				if err != nil {
					t.Fatal(err)
				}
				out[fmt.Sprint(i, f)] = b
			}
		}
		return out
	}
	ref, err := Create(t.TempDir(), mustSpec(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	s, err := Create(t.TempDir(), mustSpec(t, src))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	resumeCancel, resumeCancelAt = cancel, 7
	defer func() { resumeCancel = nil }()
	if _, err := s.Run(ctx, RunOptions{Workers: 2}); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	resumeCancel = nil
	var resumed []int
	var mu sync.Mutex
	s.OnResume = func(i, done int) {
		mu.Lock()
		defer mu.Unlock()
		resumed = append(resumed, done)
	}
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if len(resumed) != 2 || min(resumed[0], resumed[1]) < 1 || max(resumed[0], resumed[1]) < 7 || max(resumed[0], resumed[1]) >= 20 {
		t.Fatalf("resumed after %v epochs, want both networks, one after 7 or more of 20", resumed)
	}
	t.Logf("resumed after %v of 20 epochs", resumed)
	want, got := files(ref), files(s)
	for k, w := range want {
		if !bytes.Equal(w, got[k]) {
			t.Fatalf("%s differs from the uninterrupted sweep's", k)
		}
	}
	// The metrics log of a resumed network holds every epoch once.
	ms, _, err := train.ReadMetrics(filepath.Join(s.NetDir(0), "work.1", train.MetricsFile), 0)
	if err == nil {
		t.Fatalf("work directory left behind with %d metrics", len(ms))
	}
}
