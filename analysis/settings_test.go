package analysis

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
)

// The thresholds q_slow and slow_eig_tol are settings: out of range they
// give an error naming the field (before any work), zero takes the
// default, the report records the value used, and q_slow decides which
// unconverged candidates count as slow points.
func TestSettingsThresholds(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := ProtocolFor(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{-1, 1e-13, 1e-12, math.Inf(1), math.NaN()} {
		s := DefaultSettings()
		s.Census.QSlow = q
		if _, err := Census(ctx, n.Net, n, &p, s); err == nil || !strings.Contains(err.Error(), "q_slow") {
			t.Errorf("census with q_slow = %v: error %v, want one naming q_slow", q, err)
		}
		if _, err := Verdict(ctx, n.Net, n, &p, s); err == nil || !strings.Contains(err.Error(), "q_slow") {
			t.Errorf("verdict with q_slow = %v: error %v, want one naming q_slow", q, err)
		}
	}
	for _, e := range []float64{-0.05, math.Inf(1), math.NaN()} {
		s := DefaultSettings()
		s.Verdict.SlowEigTol = e
		if _, err := Verdict(ctx, n.Net, n, &p, s); err == nil || !strings.Contains(err.Error(), "slow_eig_tol") {
			t.Errorf("verdict with slow_eig_tol = %v: error %v, want one naming slow_eig_tol", e, err)
		}
	}

	// The defaults are recorded when the fields are left zero, and a value
	// set is recorded as set.
	for _, c := range []struct{ q, e, wantQ, wantE float64 }{{0, 0, 1e-4, 0.05}, {1e-6, 0.01, 1e-6, 0.01}} {
		s := DefaultSettings()
		s.Census.Starts, s.Census.Adaptive, s.Census.Budget = 16, false, 16
		s.Verdict.Skip = true
		s.Census.QSlow, s.Verdict.SlowEigTol = c.q, c.e
		r, err := Analyze(ctx, "gru8", n, &p, s)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Settings struct {
				Census struct {
					QSlow *float64 `json:"q_slow"`
				} `json:"census"`
				Verdict struct {
					SlowEigTol *float64 `json:"slow_eig_tol"`
				} `json:"verdict"`
			} `json:"settings"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if q, e := doc.Settings.Census.QSlow, doc.Settings.Verdict.SlowEigTol; q == nil || e == nil || *q != c.wantQ || *e != c.wantE {
			t.Errorf("settings (%v, %v): the report records q_slow %v, slow_eig_tol %v; want %v, %v", c.q, c.e, q, e, c.wantQ, c.wantE)
		}
		if s.Census.QSlow != c.q || s.Verdict.SlowEigTol != c.e {
			t.Errorf("the report changed the caller's settings")
		}
	}

	// q_slow decides which candidates that stopped above 1e-12 are slow
	// points: a larger bound counts at least as many.
	var slow []int
	for _, q := range []float64{2e-12, 1e-4, 1e3} {
		s := DefaultSettings()
		s.Census.Starts, s.Census.Adaptive, s.Census.Budget = 64, false, 64
		s.Census.QSlow = q
		c, err := Census(ctx, n.Net, n, &p, s)
		if err != nil {
			t.Fatal(err)
		}
		slow = append(slow, c.Slow)
	}
	if slow[0] > slow[1] || slow[1] > slow[2] {
		t.Errorf("q_slow 2e-12, 1e-4, 1e3: slow points %v, want a non-decreasing count", slow)
	}
	if slow[0] == slow[2] {
		t.Errorf("q_slow had no effect on this census (slow %v): the test needs candidates between the bounds", slow)
	}
}
