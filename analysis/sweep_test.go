package analysis

import (
	"context"
	"strings"
	"testing"

	"attractor/train"
	"attractor/train/sweep"
)

// TestSweepMechanismGate calls the analysis directly: a network the
// preceding trainability analysis passed is classified; one it failed is
// not; a malformed trainability figure is an error.
func TestSweepMechanismGate(t *testing.T) {
	cfg := train.DefaultForceSPM()
	cfg.Hidden, cfg.Trials = 40, 4
	s, err := train.NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range cfg.Trials {
		if _, err := s.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	opts := map[string]any{"copies": int64(1), "run_trials": 2.0, "code_copies": int64(1), "code_run_trials": int64(2)}
	in := sweep.AnalysisInput{Task: "spm", Options: opts, Job: s, Network: s.Network()}
	for _, tc := range []struct {
		prev      map[string]any
		untrained bool
		err       bool
	}{
		{prev: map[string]any{"trainable": true}},
		{prev: map[string]any{"trainable": false}, untrained: true},
		// The class follows the criterion the trainability analysis chose.
		{prev: map[string]any{"trainable": false, "code_trainable": true, "class": "trainable"}},
		{prev: map[string]any{"trainable": true, "class": "untrainable"}, untrained: true},
		{prev: map[string]any{"trainable": "yes"}, err: true},
	} {
		in.Previous = map[string]map[string]any{"trainability": tc.prev}
		out, err := sweepMechanism(ctx, in)
		if tc.err {
			if err == nil {
				t.Errorf("%v: no error", tc.prev)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.prev, err)
		}
		_, labelled := out["label"]
		if tc.untrained != (out["class"] == "untrainable") || tc.untrained == labelled {
			t.Errorf("%v: %v", tc.prev, out)
		}
		if !tc.untrained && out["code_label"] == nil {
			t.Errorf("%v: no code label: %v", tc.prev, out)
		}
	}
	// Bad options are reported.
	in.Options = map[string]any{"copies": "four"}
	if _, err := sweepMechanism(ctx, in); err == nil || !strings.Contains(err.Error(), "copies") {
		t.Errorf("bad option: %v", err)
	}
	// Without a preceding trainability analysis the test runs here.
	in.Options, in.Previous = map[string]any{"test_seeds": int64(1)}, nil
	out, err := sweepMechanism(ctx, in)
	if err != nil || out["class"] != "untrainable" || out["test_rmse_max"] == nil || out["criterion"] != "spec" {
		t.Fatalf("own test: %v, %v", out, err)
	}
	in.Options = map[string]any{"test_seeds": int64(1), "criterion": "loose"}
	if _, err := sweepMechanism(ctx, in); err == nil || !strings.Contains(err.Error(), "criterion") {
		t.Errorf("bad criterion: %v", err)
	}
}

// TestRegisterSweepAnalyses checks that the registration makes the three
// analyses known to train/sweep by name.
func TestRegisterSweepAnalyses(t *testing.T) {
	RegisterSweepAnalyses()
	have := map[string]bool{}
	for _, n := range sweep.AnalysisNames() {
		have[n] = true
	}
	for _, n := range []string{"report", "mechanism", "phase"} {
		if !have[n] {
			t.Errorf("analysis %q not registered: %v", n, sweep.AnalysisNames())
		}
	}
}
