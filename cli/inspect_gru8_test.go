package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestInspectTorchFlipFlopGRU8 is issue 6's "done when": `attractor inspect
// --json` on a 3-bit flip-flop GRU trained by real PyTorch
// (testdata/flipflop_gru_torch8.pt, made by
// scripts/fixtures/flipflop_gru_torch8.py, whose eight memory states a
// 40,000-step simulation showed to be true attractors) lists eight stable
// fixed points (EC-30) and saddles between them. The file names no task, so
// the search starts from the default 256 random states N(0, 0.5²) (64 of
// them find only six of the eight attractors: two basins are small).
func TestInspectTorchFlipFlopGRU8(t *testing.T) {
	code, stdout, stderr := run("inspect", filepath.Join("testdata", "flipflop_gru_torch8.pt"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Model       map[string]any   `json:"model"`
		Convention  string           `json:"convention"`
		Search      map[string]any   `json:"search"`
		FixedPoints []map[string]any `json:"fixed_points"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON %q: %v", stdout, err)
	}
	if doc.Model["family"] != "gru" || doc.Model["size"] != 24.0 || doc.Model["inputs"] != 3.0 || doc.Model["outputs"] != 3.0 {
		t.Errorf("model %v", doc.Model)
	}
	if doc.Convention != "discrete-map" {
		t.Errorf("convention %q, want discrete-map", doc.Convention)
	}
	kinds := map[string]int{}
	for _, p := range doc.FixedPoints {
		kind, _ := p["kind"].(string)
		kinds[kind]++
		if kind == "stable" && p["unstable_dims"] != 0.0 {
			t.Errorf("stable point with %v unstable dimensions", p["unstable_dims"])
		}
	}
	t.Logf("search %v: kinds %v", doc.Search, kinds)
	if kinds["stable"] != 8 {
		t.Errorf("%d stable fixed points, want 8 (one per memory state)", kinds["stable"])
	}
	if kinds["saddle"] == 0 {
		t.Error("no saddles")
	}
}
