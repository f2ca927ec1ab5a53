package analysis

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/cmplx"
	"path/filepath"
	"testing"

	"attractor/saved"
)

func openGallery(t testing.TB, name string) *saved.Network {
	t.Helper()
	n, _, err := saved.Open(filepath.Join("..", "tui", "gallery", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReportCycle: the gallery's FORCE sine generator (trained on a sine
// of period 20 τ) ends on one limit cycle; the report gives its period
// within one step (dt = 0.1 τ) of 20 τ, in τ, its amplitude, the probes on
// it, and on request Floquet multipliers (one ≈ 1, along the orbit, the
// others inside the unit circle) and the largest Lyapunov exponent (≈ 0).
func TestReportCycle(t *testing.T) {
	n := openGallery(t, "00-sine-force.npz")
	s := DefaultSettings()
	s.Census.Starts, s.Census.Adaptive, s.Census.Budget = 16, false, 16
	s.Cycles = CycleSettings{Floquet: true, Lyapunov: true}
	r, err := Analyze(context.Background(), "sine", n, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cycles) != 1 {
		t.Fatalf("%d cycles, want 1: %+v", len(r.Cycles), r.Cycles)
	}
	c := r.Cycles[0]
	if math.Abs(c.Period-20) > 0.1 || c.Unit != "τ" || c.PeriodSteps < 199 || c.PeriodSteps > 201 {
		t.Errorf("period %v %s (%d steps), want 20 τ within one step", c.Period, c.Unit, c.PeriodSteps)
	}
	if !(c.Amplitude > 0.1) || c.ReadoutAmplitude == nil || math.Abs(*c.ReadoutAmplitude-1) > 0.1 {
		t.Errorf("amplitude %v, readout %v; want a readout swing of about ±1 (the target sine)", c.Amplitude, c.ReadoutAmplitude)
	}
	if len(c.Probes) == 0 {
		t.Error("no probes on the cycle")
	}
	if len(c.Floquet) == 0 || c.Lyapunov == nil {
		t.Fatalf("Floquet %v, Lyapunov %v: not computed on request", c.Floquet, c.Lyapunov)
	}
	near1 := 0
	for _, m := range c.Floquet {
		z := complex(m[0], m[1])
		if cmplx.Abs(z-1) < 0.05 {
			near1++
		} else if cmplx.Abs(z) >= 1 {
			t.Errorf("Floquet multiplier %v outside the unit circle on a stable cycle", z)
		}
	}
	if near1 == 0 {
		t.Errorf("no Floquet multiplier near 1 in %v", c.Floquet[:min(4, len(c.Floquet))])
	}
	if math.Abs(*c.Lyapunov) > 0.02 {
		t.Errorf("largest Lyapunov exponent %v per τ on a stable cycle, want ≈ 0", *c.Lyapunov)
	}
	if r.Verdict == nil || r.Verdict.Label != "limit cycle" {
		t.Errorf("verdict %v", r.Verdict)
	}
}

// The report is deterministic: the same file and settings give the same
// bytes, whatever the number of goroutines; its fixed points carry their
// states and the schema its version.
func TestReportDeterministic(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for _, procs := range []int{1, 2} {
		s := DefaultSettings()
		s.Census.Starts, s.Census.Adaptive, s.Census.Budget = 32, false, 32
		s.Concurrency = procs
		r, err := Analyze(context.Background(), "gru8", n, nil, s)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	if !bytes.Equal(docs[0], docs[1]) {
		t.Error("reports differ between 1 and 2 goroutines")
	}
	var doc struct {
		Schema      string `json:"schema"`
		FixedPoints []struct {
			XStar []float64 `json:"xstar"`
		} `json:"fixed_points"`
		Protocol struct {
			Source string `json:"source"`
		} `json:"protocol"`
		Settings struct {
			Seed uint64 `json:"seed"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(docs[0], &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != Schema || len(doc.FixedPoints) == 0 || len(doc.FixedPoints[0].XStar) != 24 || doc.Protocol.Source != "generic" || doc.Settings.Seed != 1 {
		t.Errorf("report %s", docs[0][:min(400, len(docs[0]))])
	}
}

// The generic protocol of a network with 3 inputs: zero input, a pulse of
// each sign on each channel alone, and the 8 sign patterns in sequence,
// each followed by the hold; a network without inputs runs from random
// states instead.
func TestGenericProtocol(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := GenericProtocol(n.Net, nil, 1)
	if len(p.Conditions) != 15 || p.Delay != 200 || p.Source != "generic" {
		t.Fatalf("%d conditions, delay %d, source %q", len(p.Conditions), p.Delay, p.Source)
	}
	names := map[string]bool{}
	for c, cd := range p.Conditions {
		names[cd.Name] = true
		pulses := 0
		for s := range p.Steps(c) {
			u := p.Input(c, s)
			for _, v := range u {
				if v != 0 {
					pulses++
					if math.Abs(v) != 1 {
						t.Errorf("%s: pulse of %v", cd.Name, v)
					}
				}
			}
			if s >= p.DelayEnd(c) && u != nil {
				t.Errorf("%s: input during the hold", cd.Name)
			}
		}
		want := map[bool]int{true: 3, false: 1}[c >= 7]
		if c == 0 {
			want = 0
		}
		if pulses != want {
			t.Errorf("%s: %d pulses, want %d", cd.Name, pulses, want)
		}
	}
	if len(names) != 15 || !names["+u1"] || !names["−u3"] || !names["sequence +−+"] {
		t.Errorf("names %v", names)
	}
	h := openGallery(t, "10-hopfield.npz")
	q, err := ProtocolFor(h, 1)
	if err != nil || q.Source != "associative" || len(q.Conditions) != 8 {
		t.Fatalf("Hopfield network: %v, source %q, %d conditions", err, q.Source, len(q.Conditions))
	}
}
