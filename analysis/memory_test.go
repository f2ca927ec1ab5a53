package analysis

import (
	"context"
	"math"
	"testing"

	"attractor/inspect"
	"attractor/model"
)

// TestMemory: a gated network's diagram comes with the γ = 0 network's and
// their difference, cell by cell, in two announced passes; without ref, or
// for a Hopfield network, one pass and no reference; the mean closed-gate
// fraction is that of the cells.
func TestMemory(t *testing.T) {
	ctx := context.Background()
	set := inspect.PhaseSettings{Alphas: []float64{0.05, 0.2}, M0s: []float64{0.5, 1}, Runs: 2, T: 4, Seed: 3}
	gated := inspect.GatedMemory(40, model.DefaultGatedConfig())
	var passes []inspect.MemoryModel
	done := map[int]int{}
	progress := func(pass, n int, m inspect.MemoryModel) func(int, int) {
		if n != 2 {
			t.Errorf("pass %d of %d, want 2 passes", pass, n)
		}
		passes = append(passes, m)
		return func(d, total int) { done[pass] = d }
	}
	ph, err := Memory(ctx, gated, set, true, progress)
	if err != nil {
		t.Fatal(err)
	}
	if len(passes) != 2 || passes[0] != gated || passes[1].Gate.Gamma != 0 || done[1] == 0 || done[2] == 0 {
		t.Fatalf("passes %v, progress %v", passes, done)
	}
	if ph.Reference == nil || ph.Delta == nil {
		t.Fatal("no reference diagram for a gated network")
	}
	for i := range ph.Diagram.Mean {
		if want := ph.Diagram.Mean[i] - ph.Reference.Mean[i]; math.Abs(ph.Delta.Mean[i]-want) > 1e-12 {
			t.Errorf("cell %d: Δ %v, want %v", i, ph.Delta.Mean[i], want)
		}
	}
	var sum float64
	for _, c := range ph.Diagram.Closed {
		sum += c
	}
	if len(ph.Diagram.Closed) == 0 || ph.MeanClosed() != sum/float64(len(ph.Diagram.Closed)) {
		t.Errorf("mean closed %v of %v", ph.MeanClosed(), ph.Diagram.Closed)
	}
	alone, err := Memory(ctx, gated, set, false, nil)
	if err != nil || alone.Reference != nil || alone.Delta != nil {
		t.Fatalf("ref = false: %+v, %v", alone, err)
	}
	for i := range alone.Diagram.Mean {
		if alone.Diagram.Mean[i] != ph.Diagram.Mean[i] {
			t.Fatalf("cell %d: %v without the reference pass, %v with it", i, alone.Diagram.Mean[i], ph.Diagram.Mean[i])
		}
	}
	if _, ok := MemoryReference(inspect.HopfieldMemory(40, model.DefaultHopfieldConfig())); ok {
		t.Error("a Hopfield network has a γ = 0 reference")
	}
}
