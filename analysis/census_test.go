package analysis

import (
	"context"
	"path/filepath"
	"testing"

	"attractor/inspect"
	"attractor/saved"
)

// TestCensusTorchGRU8 runs the default adaptive census on a 3-bit
// flip-flop GRU trained by real PyTorch (testdata/flipflop_gru_torch8.pt,
// a copy of cli/testdata's; its 8 memory states were verified as the only
// attractors by a 20,000-step simulation of 512 random states before
// saving). The file names no task, so the starts come from the generic
// protocol's trajectories and the random cloud: the census must find all
// 8 stable points, stop by itself (a doubling that finds nothing new)
// within its budget, label every start by its source, and find no
// attractor in forward simulation that the search missed.
func TestCensusTorchGRU8(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	p, err := ProtocolFor(n, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != "generic" || len(p.Conditions) != 15 {
		t.Fatalf("protocol %q with %d conditions, want the generic one with 15 (zero, 6 pulses, 8 sequences)", p.Source, len(p.Conditions))
	}
	c, stable := censusOf(t, n, &p, s)
	for _, pt := range c.Points {
		total := 0
		for _, k := range pt.Sources {
			total += k
		}
		if total != pt.Count {
			t.Errorf("point with count %d has sources %v", pt.Count, pt.Sources)
		}
	}
	cv := c.Coverage
	t.Logf("coverage %+v, rounds %v, starts %v, attractors %d", cv, c.Rounds, c.Starts, len(c.Attractors))
	if stable != 8 || cv.Stable != 8 {
		t.Errorf("%d stable points, want 8", stable)
	}
	if !cv.Converged || cv.BudgetHit || cv.Starts > s.Census.Budget {
		t.Errorf("the census did not stop by itself within its budget: %+v", cv)
	}
	if c.Starts[SourceTrajectory] == 0 || c.Starts[SourceCloud] == 0 || c.Starts[SourceTrajectory]+c.Starts[SourceCloud] != cv.Starts {
		t.Errorf("starts by source %v, total %d", c.Starts, cv.Starts)
	}
	for _, a := range c.Attractors {
		if a.Kind == "FP" && a.Point < 0 {
			t.Errorf("an attractor reached by simulation (%d starts) is not a census point", a.Starts)
		}
	}
	// Chao1 ≥ the points seen, and equal to it when nothing is a singleton.
	if cv.Chao1 < float64(cv.Stable) || (cv.Singletons == 0 && cv.Chao1 != float64(cv.Stable)) {
		t.Errorf("Chao1 %v for %d stable points, %d singletons", cv.Chao1, cv.Stable, cv.Singletons)
	}
}

// TestCensusFixedInput holds a constant input during the search: a pulse
// held on channel 1 of the flip-flop sets bit 1, so at u = (1, 0, 0) only
// the memory states with that bit set remain stable.
func TestCensusFixedInput(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Input = []float64{1, 0, 0}
	p, err := ProtocolFor(n, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	c, stable := censusOf(t, n, &p, s)
	for _, pt := range c.Points {
		if pt.Kind == inspect.Stable {
			if len(pt.Input) != 3 || pt.Input[0] != 1 {
				t.Errorf("point input %v", pt.Input)
			}
		}
	}
	if stable == 0 || stable >= 8 {
		t.Errorf("%d stable points with bit 1 held set, want between 1 and 7", stable)
	}
	s.Input = []float64{1}
	if _, err := Census(context.Background(), n.Net, n, &p, s); err == nil {
		t.Error("an input of the wrong length was accepted")
	}
}

// censusOf runs the census and counts its stable points.
func censusOf(t *testing.T, n *saved.Network, p *Protocol, s *Settings) (*CensusResult, int) {
	t.Helper()
	c, err := Census(context.Background(), n.Net, n, p, s)
	if err != nil {
		t.Fatal(err)
	}
	stable := 0
	for _, pt := range c.Points {
		if pt.Kind == inspect.Stable {
			stable++
		}
	}
	return c, stable
}
