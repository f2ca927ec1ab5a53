package analysis

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"attractor/inspect"
	"attractor/saved"
)

// TestBasins: on the PyTorch 3-bit GRU flip-flop, every stable point of the
// report gets one fraction, labelled with its place in the report's list;
// the counts of the trajectory starts and the unassigned ones add up to the
// starts; and the same seed gives the same fractions.
func TestBasins(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProtocolFor(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Census.Starts, s.Census.Adaptive, s.Census.Budget = 64, false, 64
	s.Verdict.Skip = true
	ctx := context.Background()
	r, err := Analyze(ctx, "gru8", n, &p, s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Basins(ctx, n, &p, r, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	stable := 0
	for _, fp := range r.FixedPoints {
		if fp.Kind == inspect.Stable.String() {
			stable++
		}
	}
	tr := b.Trajectory
	if stable == 0 || len(tr.Fractions) != stable {
		t.Fatalf("%d fractions for %d stable points", len(tr.Fractions), stable)
	}
	sum := tr.Other.Count
	for _, f := range tr.Fractions {
		sum += f.Count
		if f.ID < 1 || f.ID > len(r.FixedPoints) || r.FixedPoints[f.ID-1].Kind != inspect.Stable.String() || f.Label != fmt.Sprintf("point %d", f.ID) {
			t.Errorf("fraction %+v names no stable point of the report", f)
		}
	}
	if sum != tr.N || tr.N == 0 {
		t.Errorf("counts add up to %d of %d starts", sum, tr.N)
	}
	again, err := Basins(ctx, n, &p, r, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, b) {
		t.Error("the same seed gave other fractions")
	}
}
