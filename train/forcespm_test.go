package train

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"attractor/model"
	"attractor/saved"
)

// TestForceSPMResumeSameBytes interrupts SPM training and resumes it; the
// final network file must equal the uninterrupted run's; the trainability
// test then runs its 4 × 4 × seeds protocol.
func TestForceSPMResumeSameBytes(t *testing.T) {
	cfg := DefaultForceSPM()
	cfg.Hidden, cfg.Trials, cfg.Seed = 40, 12, 7
	checkResumeSameBytes(t,
		func() (resumable, error) { return NewForceSPMSession(cfg) },
		func(name string) (resumable, int, error) { return ResumeForceSPM(name) }, 5, 8)
	s, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := TestSPM(s.Force.Net, s.Task, s.Force.State(), 2, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RMSE) != 2*4*4 || res.Max <= 0 {
		t.Errorf("test protocol ran %d trials (want 32), max RMSE %v", len(res.RMSE), res.Max)
	}
	// The code's error: the response SSE (50 steps · RMSE²) over 32 trials.
	if want := math.Sqrt(50 * res.Max * res.Max / 32); math.Abs(res.CodeMax-want) > 1e-12*want || res.CodeTrainable != (want < 0.01) {
		t.Errorf("code-normalised max %v (trainable %v), want %v", res.CodeMax, res.CodeTrainable, want)
	}
}

// TestForceSPMOffset checks the digit-mean offset: the default is 0.7 and
// is recorded in the manifest, the stimuli and memory targets move by it, a
// zero offset gives the proposal's means (and leaves the manifest as
// before), and an offset that makes a mean component zero is rejected.
func TestForceSPMOffset(t *testing.T) {
	cfg := DefaultForceSPM()
	if cfg.Offset != 0.7 {
		t.Errorf("default offset %v, want 0.7", cfg.Offset)
	}
	cfg.Hidden, cfg.Trials = 20, 4
	def, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m := string(def.Network().Manifest.Train); !strings.Contains(m, `"offset":0.7`) {
		t.Errorf("default offset missing from the manifest: %s", m)
	}
	cfg.Offset = 0
	plain, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m := string(plain.Network().Manifest.Train); strings.Contains(m, "offset") {
		t.Errorf("zero offset appears in the manifest: %s", m)
	}
	if want := [2][2]float64{{-1, 0.5}, {1, -0.5}}; plain.Task.Mean != want {
		t.Errorf("offset 0: means %v, want the proposal's %v", plain.Task.Mean, want)
	}
	off := 0.7
	cfg.Offset = off
	s, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := [2][2]float64{{-1 + off, 0.5 + off}, {1 + off, -0.5 + off}}
	if s.Task.Mean != want {
		t.Errorf("means %v, want %v", s.Task.Mean, want)
	}
	b := s.Task.Trials([]int{3}, model.NewRNG(1, 1))
	if y := b.Target(120, 0); y[1] != want[1][0] || y[2] != want[1][1] {
		t.Errorf("delay-1 memory target %v, want %v", y[1:], want[1])
	}
	cfg.Offset = 0.5 // μ₁ = (1.5, 0): a zero target
	if err := cfg.Validate(); err == nil {
		t.Error("offset 0.5 (zero mean component) accepted")
	}
}

// TestForceSPMNetworkKeepsEndState checks that the saved network carries
// the state at the end of training as "train.x", a copy that later training
// does not change, and that a checkpoint holds it once.
func TestForceSPMNetworkKeepsEndState(t *testing.T) {
	cfg := DefaultForceSPM()
	cfg.Hidden, cfg.Trials, cfg.Seed = 30, 3, 2
	s, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	n := s.Network()
	if len(n.Extra) != 1 || n.Extra[0].Name != "train.x" || !slices.Equal(n.Extra[0].Data, s.Force.State()) {
		t.Fatalf("extra arrays %v, want train.x = the trainer's state", n.Extra)
	}
	kept := append([]float64(nil), n.Extra[0].Data...)
	if _, err := s.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.Extra[0].Data, kept) || slices.Equal(kept, s.Force.State()) {
		t.Error("train.x follows the trainer after Network returned, or training did not move the state")
	}
	name := filepath.Join(t.TempDir(), "ck.npz")
	if err := s.Save(name, 3); err != nil {
		t.Fatal(err)
	}
	ck, err := saved.ReadNative(name)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, e := range ck.Extra {
		if e.Name == "train.x" {
			count++
		}
	}
	if count != 1 {
		t.Errorf("the checkpoint holds train.x %d times, want once", count)
	}
}
