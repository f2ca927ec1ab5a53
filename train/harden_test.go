package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scriptSession returns the metrics of a script, one per unit, and saves
// a small file.
type scriptSession struct {
	ms   []Metrics
	done int
}

func (s *scriptSession) Step(ctx context.Context) (Metrics, error) {
	m := s.ms[s.done]
	s.done++
	return m, nil
}

func (s *scriptSession) Save(name string, done int) error {
	return os.WriteFile(name, []byte("checkpoint"), 0o644)
}

// TestRunNonFiniteMetricIsDivergence: a NaN anywhere in a unit's metrics
// (here the gradient norm, with a finite loss) stops the run as diverged,
// naming the step and the last good checkpoint, instead of failing to log.
func TestRunNonFiniteMetricIsDivergence(t *testing.T) {
	for _, bad := range []Metrics{
		{Loss: 0.5, GradNorm: math.NaN()},
		{Loss: 0.5, Accuracy: math.Inf(1)},
		{Loss: 0.5, Extra: map[string]float64{"reliability": math.NaN()}},
	} {
		dir := t.TempDir()
		s := &scriptSession{ms: []Metrics{{Loss: 1}, {Loss: 0.9}, {Loss: 0.8}, bad, {Loss: 0.7}}}
		err := Run(context.Background(), s, RunOptions{Dir: dir, Total: 5, CheckpointEvery: 2})
		var de *DivergedError
		if !errors.As(err, &de) {
			t.Fatalf("%+v: error %v, want a *DivergedError", bad, err)
		}
		ck := filepath.Join(dir, CheckpointFile)
		if de.Step != 4 || de.Checkpoint != ck || !strings.Contains(err.Error(), "step 4") || !strings.Contains(err.Error(), ck) {
			t.Errorf("%+v: %v, want step 4 and checkpoint %s named", bad, err, ck)
		}
	}
}

// TestRunFiniteBlowUpIsDivergence: a loss that grows a million-fold (a GRU
// at learning rate 1e6 reaches 3.8e13 from about 0.7) is divergence, not
// success.
func TestRunFiniteBlowUpIsDivergence(t *testing.T) {
	dir := t.TempDir()
	s := &scriptSession{ms: []Metrics{{Loss: 0.7}, {Loss: 2}, {Loss: 40}, {Loss: 9e4}, {Loss: 3.8e13}, {Loss: 1e14}}}
	err := Run(context.Background(), s, RunOptions{Dir: dir, Total: 6, CheckpointEvery: 2})
	var de *DivergedError
	if !errors.As(err, &de) || de.Step != 5 || !strings.Contains(err.Error(), "3.8e+13") || !strings.Contains(err.Error(), CheckpointFile) {
		t.Fatalf("error %v, want divergence at step 5 naming the loss and the checkpoint", err)
	}
	// Ordinary ups and downs are not divergence.
	s = &scriptSession{ms: []Metrics{{Loss: 0.7}, {Loss: 5}, {Loss: 0.01}, {Loss: 30}, {Loss: 1e-6}}}
	if err := Run(context.Background(), s, RunOptions{Dir: t.TempDir(), Total: 5}); err != nil {
		t.Errorf("a noisy but bounded loss: %v", err)
	}
}

// TestRunResumeMarker: a resumed run marks the log, and ReadMetrics gives
// every step once, the resumed run's.
func TestRunResumeMarker(t *testing.T) {
	dir := t.TempDir()
	ms := []Metrics{{Loss: 5}, {Loss: 4}, {Loss: 3}, {Loss: 2}, {Loss: 1}}
	// The first run logged 4 units but checkpointed after 2 (then died).
	if err := Run(context.Background(), &scriptSession{ms: ms}, RunOptions{Dir: dir, Total: 4, CheckpointEvery: 2}); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, MetricsFile)
	// A crash cut the last line short.
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"step": 5, "lo`)
	f.Close()
	again := []Metrics{{Loss: 2.5}, {Loss: 1.5}, {Loss: 0.5}}
	if err := Run(context.Background(), &scriptSession{ms: again}, RunOptions{Dir: dir, Start: 2, Total: 5}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if !strings.Contains(string(b), `{"resume":2}`) {
		t.Errorf("no resume marker in the log:\n%s", b)
	}
	got, _, err := ReadMetrics(log, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{5, 4, 2.5, 1.5, 0.5}
	if len(got) != len(want) {
		t.Fatalf("read %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, m := range got {
		if m.Step != i+1 || m.Loss != want[i] {
			t.Errorf("line %d: step %d loss %v, want step %d loss %v", i, m.Step, m.Loss, i+1, want[i])
		}
	}
}

// TestRunRecord: run.json is checked on reading, and the output it names
// is overwritten only if it is absent or the file the record identifies.
func TestRunRecord(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "net.npz")
	rec := &RunRecord{Task: "flipflop", Method: "bptt", Out: out, Args: []string{"train", "flipflop", "-o", "net.npz"}}
	if err := rec.NoteOut(); err != nil || rec.OutSHA256 != "" {
		t.Fatalf("no output yet: %v, %q", err, rec.OutSHA256)
	}
	if err := WriteRunRecord(dir, rec); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRunRecord(dir)
	if err != nil || got.Out != out || got.Task != "flipflop" || len(got.Args) != 4 {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if err := got.CheckOut(); err != nil {
		t.Errorf("absent output: %v", err)
	}
	os.WriteFile(out, []byte("the network this run wrote"), 0o644)
	if err := got.NoteOut(); err != nil {
		t.Fatal(err)
	}
	if err := got.CheckOut(); err != nil {
		t.Errorf("the run's own output: %v", err)
	}
	os.WriteFile(out, []byte("someone else's file"), 0o644)
	if err := got.CheckOut(); err == nil || !strings.Contains(err.Error(), out) {
		t.Errorf("a replaced output: %v, want a refusal naming it", err)
	}
	for _, bad := range []string{
		`{"task": "flipflop", "out": "relative.npz"}`,
		`{"task": "flipflop", "out": "/a/../b.npz"}`,
		`{"task": "", "out": "/a.npz"}`,
		`{"task": "flipflop", "out": "/a.npz", "out_sha256": "zz"}`,
		`{"task": "flipflop", "out": "/a.npz", "args": "train"}`,
		`[1, 2]`,
	} {
		if _, err := ParseRunRecord("run.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), "run.json") {
			t.Errorf("%s: error %v, want one naming run.json", bad, err)
		}
	}
}
