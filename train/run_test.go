package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"attractor/model"
	"attractor/saved"
)

// toySession is a stand-in for a trainer: its parameter takes a noisy
// gradient step per unit, so any mistake in checkpointing the parameter,
// the optimiser or the random stream changes the final bytes.
type toySession struct {
	p        *Param
	opt      *SGD
	rng      *model.RNG
	nanAt    int // unit at which the loss becomes NaN (0: never)
	done     int
	cancel   func() // called after the unit cancelAt
	cancelAt int
}

func newToy() *toySession {
	return &toySession{
		p:   &Param{Name: "w", Value: []float64{1, -2, 3}, Grad: make([]float64, 3)},
		opt: &SGD{LR: 0.1, Momentum: 0.9},
		rng: model.NewRNG(5, 0),
	}
}

func (s *toySession) Step(ctx context.Context) (Metrics, error) {
	s.done++
	if s.done == s.nanAt {
		return Metrics{Loss: math.NaN()}, nil
	}
	var loss float64
	for i, v := range s.p.Value {
		s.p.Grad[i] = v + 0.01*s.rng.Norm()
		loss += v * v
	}
	s.opt.Step([]*Param{s.p})
	if s.cancel != nil && s.done == s.cancelAt {
		s.cancel()
	}
	return Metrics{Loss: loss}, nil
}

// Save writes the parameter, optimiser state and RNG state.
func (s *toySession) Save(name string, done int) error {
	return saved.WriteFileAtomic(name, func(w io.Writer) error {
		rs, _ := s.rng.MarshalBinary()
		st := s.opt.State()
		fmt.Fprintf(w, "%d\n%x\n", done, rs)
		for _, k := range []string{"step", "momentum/w"} {
			binary.Write(w, binary.LittleEndian, st[k])
		}
		return binary.Write(w, binary.LittleEndian, s.p.Value)
	}, 0o644)
}

func loadToy(t *testing.T, name string) (*toySession, int) {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	s := newToy()
	var done int
	var rs []byte
	r := bytes.NewReader(b)
	if _, err := fmt.Fscanf(r, "%d\n%x\n", &done, &rs); err != nil {
		t.Fatal(err)
	}
	if err := s.rng.UnmarshalBinary(rs); err != nil {
		t.Fatal(err)
	}
	step, mom := make([]float64, 1), make([]float64, 3)
	binary.Read(r, binary.LittleEndian, step)
	binary.Read(r, binary.LittleEndian, mom)
	binary.Read(r, binary.LittleEndian, s.p.Value)
	if err := s.opt.SetState(map[string][]float64{"step": step, "momentum/w": mom}); err != nil {
		t.Fatal(err)
	}
	return s, done
}

// TestRunResumeSameBytes interrupts a run, resumes it from its checkpoint,
// and compares the final checkpoint with that of an uninterrupted run.
func TestRunResumeSameBytes(t *testing.T) {
	full := t.TempDir()
	if err := Run(context.Background(), newToy(), RunOptions{Dir: full, Total: 20, CheckpointEvery: 5}); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(full, CheckpointFile))

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	s := newToy()
	s.cancel, s.cancelAt = cancel, 7
	err := Run(ctx, s, RunOptions{Dir: dir, Total: 20, CheckpointEvery: 5})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted run returned %v, want ErrInterrupted", err)
	}
	s2, done := loadToy(t, filepath.Join(dir, CheckpointFile))
	if done != 7 {
		t.Fatalf("interrupt checkpoint after %d units, want 7", done)
	}
	if err := Run(context.Background(), s2, RunOptions{Dir: dir, Total: 20, Start: done, CheckpointEvery: 5}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if !bytes.Equal(got, want) {
		t.Errorf("resumed run's final checkpoint differs from the uninterrupted run's")
	}
	ms, _, err := ReadMetrics(filepath.Join(dir, MetricsFile), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 20 || ms[19].Step != 20 {
		t.Errorf("metrics log has %d lines ending at step %d, want 20", len(ms), ms[len(ms)-1].Step)
	}
}

// TestRunDiverges checks that a NaN loss stops the run, names the step and
// keeps the last good checkpoint untouched.
func TestRunDiverges(t *testing.T) {
	dir := t.TempDir()
	s := newToy()
	s.nanAt = 9
	err := Run(context.Background(), s, RunOptions{Dir: dir, Total: 20, CheckpointEvery: 4})
	var de *DivergedError
	if !errors.As(err, &de) {
		t.Fatalf("got %v, want a DivergedError", err)
	}
	if de.Step != 9 || !strings.Contains(err.Error(), "step 9") || !strings.Contains(err.Error(), CheckpointFile) {
		t.Errorf("error %q should name step 9 and the kept checkpoint", err)
	}
	_, done := loadToy(t, filepath.Join(dir, CheckpointFile))
	if done != 8 {
		t.Errorf("kept checkpoint is after %d units, want 8", done)
	}
}

// TestReadMetricsFollows reads a log while it grows, including a partial
// last line.
func TestReadMetricsFollows(t *testing.T) {
	name := filepath.Join(t.TempDir(), MetricsFile)
	os.WriteFile(name, []byte(`{"step":1,"loss":2,"accuracy":0,"wall_s":0.1}`+"\n"+`{"step":2,"lo`), 0o644)
	ms, off, err := ReadMetrics(name, 0)
	if err != nil || len(ms) != 1 || ms[0].Step != 1 {
		t.Fatalf("got %v %v", ms, err)
	}
	f, _ := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`ss":1.5,"accuracy":0.5,"wall_s":0.2}` + "\n")
	f.Close()
	ms, _, err = ReadMetrics(name, off)
	if err != nil || len(ms) != 1 || ms[0].Step != 2 || ms[0].Loss != 1.5 {
		t.Fatalf("after growth got %v %v", ms, err)
	}
}

// countingToy counts the checkpoints Run asks for.
type countingToy struct {
	*toySession
	saves []int
}

func (c *countingToy) Save(name string, done int) error {
	c.saves = append(c.saves, done)
	return c.toySession.Save(name, done)
}

// TestRunCheckpointMinInterval checks that periodic checkpoints closer than
// CheckpointMinInterval are skipped while the final one is always written,
// and that without the gate every CheckpointEvery units give one.
func TestRunCheckpointMinInterval(t *testing.T) {
	for _, c := range []struct {
		gap  time.Duration
		want []int
	}{
		{0, []int{4, 8, 12}},
		{time.Hour, []int{12}},
	} {
		s := &countingToy{toySession: newToy()}
		if err := Run(context.Background(), s, RunOptions{Dir: t.TempDir(), Total: 12, CheckpointEvery: 4,
			CheckpointMinInterval: c.gap}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(s.saves) != fmt.Sprint(c.want) {
			t.Errorf("min interval %v: checkpoints after %v units, want %v", c.gap, s.saves, c.want)
		}
	}
}
