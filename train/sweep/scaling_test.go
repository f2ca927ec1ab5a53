package sweep

import (
	"context"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestScaling runs the fake sweep and fits its "critical delays" with seed
// standing for the learning rate and x for the delay: every fitted rate
// is one of the seeds, in order; two rates are too few for the log-log
// law, which says so; an axis whose values are not numbers is an error
// naming the value.
func TestScaling(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	rs, missing := s.Results()
	if len(missing) > 0 {
		t.Fatalf("networks without results: %v", missing)
	}
	sc, err := s.Scaling(rs, "seed", "x", []string{"big", "big-odd"})
	if err != nil {
		t.Fatal(err)
	}
	if !sort.Float64sAreSorted(sc.LRs) || len(sc.LRs) != len(sc.Critical) || len(sc.LRs) > 2 {
		t.Errorf("learning rates %v, fits %v", sc.LRs, sc.Critical)
	}
	for _, lr := range sc.LRs {
		if _, ok := sc.Critical[lr]; !ok {
			t.Errorf("no fit for lr %v", lr)
		}
	}
	if len(sc.LRs) < 2 && (sc.FitErr == nil || !strings.Contains(sc.FitErr.Error(), "lr ")) {
		t.Errorf("%d fits without an error naming the others: %v", len(sc.LRs), sc.FitErr)
	}
	if sc.LogLog != nil || sc.LogLogErr == nil || !strings.Contains(sc.LogLogErr.Error(), "at least 3 points") {
		t.Errorf("log-log law from two rates: %+v, %v", sc.LogLog, sc.LogLogErr)
	}
	if _, err := s.Scaling(rs, "label", "x", []string{"big"}); err == nil || !strings.Contains(err.Error(), `learning rate "a"`) {
		t.Errorf("label as learning rate: %v", err)
	}
	if _, err := s.Scaling(rs, "seed", "label", []string{"big"}); err == nil || !strings.Contains(err.Error(), `delay "a"`) {
		t.Errorf("label as delay: %v", err)
	}
}

// TestStateRate: the rate counts the intervals between the last 200
// result times; the ETA is the networks left at that rate; too few times,
// or none apart, give no rate.
func TestStateRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	times := func(n int, every time.Duration) []time.Time {
		var out []time.Time
		for i := range n {
			out = append(out, t0.Add(time.Duration(i)*every))
		}
		return out
	}
	for _, tc := range []struct {
		st        State
		rate, eta float64
	}{
		{State{Total: 10, Done: 4, Times: times(4, time.Minute)}, 60, 360},
		{State{Total: 500, Done: 300, Times: times(300, 30*time.Second)}, 120, 6000},
		{State{Total: 10, Done: 1, Times: times(1, time.Minute)}, 0, 0},
		{State{Total: 10, Done: 2, Times: []time.Time{t0, t0}}, 0, 0},
	} {
		rate, eta := tc.st.Rate()
		if math.Abs(rate-tc.rate) > 1e-9 || eta != tc.eta {
			t.Errorf("%d results of %d: rate %v/h, ETA %v s; want %v, %v", tc.st.Done, tc.st.Total, rate, eta, tc.rate, tc.eta)
		}
	}
}
