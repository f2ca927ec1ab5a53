package cli

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/saved"
)

// inspectTestNet trains a small Ghazizadeh network on the SPM task
// through the CLI (a fraction of a second) and returns its file.
func inspectTestNet(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "spm.npz")
	code, _, stderr := run("train", "spm", "--hidden", "40", "--trials", "8", "--seed", "3", "--test-seeds", "1", "-o", name)
	if code != 0 {
		t.Fatalf("training the test network: exit %d: %s", code, stderr)
	}
	return name
}

func TestInspectJSON(t *testing.T) {
	name := inspectTestNet(t)
	code, stdout, stderr := run("inspect", name, "--json", "--inits", "16", "--copies", "1", "--run-trials", "2",
		"--code-copies", "2", "--code-run-trials", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON %q: %v", stdout, err)
	}
	model := doc["model"].(map[string]any)
	if model["family"] != "ctrnn" || model["size"] != 40.0 {
		t.Errorf("model %v", model)
	}
	if doc["convention"] != "continuous-time" || doc["task"] != "spm" {
		t.Errorf("convention %v, task %v", doc["convention"], doc["task"])
	}
	fps, ok := doc["fixed_points"].([]any)
	if !ok || len(fps) == 0 {
		t.Fatalf("no fixed points: %v", doc["fixed_points"])
	}
	kinds := map[string]bool{"stable": true, "saddle": true, "unstable": true, "marginal": true, "slow": true}
	for _, f := range fps {
		p := f.(map[string]any)
		if _, ok := p["q"].(float64); !ok {
			t.Errorf("q missing: %v", p)
		}
		if !kinds[p["kind"].(string)] {
			t.Errorf("kind %v", p["kind"])
		}
		if _, ok := p["unstable_dims"].(float64); !ok {
			t.Errorf("unstable_dims missing")
		}
		eig := p["eigenvalues"].([]any)
		if len(eig) != 40 || len(eig[0].([]any)) != 2 {
			t.Errorf("eigenvalues: %d pairs", len(eig))
		}
		if p["convention"] != "continuous-time" {
			t.Errorf("point convention %v", p["convention"])
		}
	}
	v := doc["verdict"].(map[string]any)
	label, _ := v["label"].(string)
	if !map[string]bool{"DFP": true, "IFP": true, "LC": true, "Mix": true}[label] {
		t.Errorf("verdict label %q", label)
	}
	if ev := v["evidence"].(map[string]any); ev["memory_probes"] != 16.0 {
		t.Errorf("evidence %v", ev)
	}
	if cv, ok := doc["code_verdict"].(map[string]any); !ok || cv["label"] == "" {
		t.Errorf("code verdict %v", doc["code_verdict"])
	}
}

func TestInspectHuman(t *testing.T) {
	name := inspectTestNet(t)
	code, stdout, stderr := run("inspect", name, "--inits", "8", "--no-verdict", "--method", "adam")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"continuous-time eigenvalues λ (1/τ)", "unique points", "adam"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
}

func TestInspectBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"inspect", filepath.Join(dir, "missing.npz")},
		{"inspect"},
		{"inspect", "a", "b"},
		{"inspect", filepath.Join(dir, "missing.npz"), "--method", "newton"},
		{"perturb", filepath.Join(dir, "missing.npz"), "--noise", "1"},
		{"perturb", filepath.Join(dir, "missing.npz")},
		{"perturb", filepath.Join(dir, "missing.npz"), "--noise", "-1"},
	} {
		code, _, stderr := run(args...)
		if code == 0 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a failure with a message", args, code, stderr)
		}
	}
}

// TestInspectNaNNetwork writes a network whose readout holds a NaN: the
// command must finish with a flagged result, never a panic.
func TestInspectNaNNetwork(t *testing.T) {
	rng := model.NewRNG(1, 0)
	net, err := model.RandomGhazizadeh(20, 0.5, 1.5, 1, rng)
	if err != nil {
		t.Fatal(err)
	}
	net.WO.Set(3, 0, math.NaN())
	name := filepath.Join(t.TempDir(), "nan.npz")
	if err := saved.WriteNative(name, &saved.Network{Net: net, Manifest: saved.Manifest{
		Task: json.RawMessage(`{"name":"spm","config":{}}`)}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("inspect", name, "--json", "--inits", "4", "--copies", "0", "--run-trials", "1",
		"--code-copies", "1", "--code-run-trials", "1")
	if code != 0 {
		if strings.Contains(stderr, "panic") || stderr == "" {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return // a clear error is acceptable
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON %q: %v", stdout, err)
	}
	if w, _ := doc["warnings"].([]any); len(w) == 0 {
		t.Errorf("no warning about the NaN weight: %v", doc)
	}
	if v := doc["verdict"].(map[string]any); v["label"] != "undetermined" {
		t.Errorf("verdict on a NaN network: %v", v["label"])
	}
}

func TestInspectNoTask(t *testing.T) {
	// A rank-1 bistable network without a task: the file's inits, census verdict.
	n := 16
	j := mat.NewDense(n, n, nil)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			j.Set(r, c, 2.0/float64(n))
		}
	}
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewRecurrent(j), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	// Initial states in the file (the peer fixed-point problem's "inits"):
	// ±1.5 and ±0.1 along the pattern, which lead to all three points.
	var inits []float64
	for _, k := range []float64{1.5, -1.5, 0.1, -0.1} {
		for i := 0; i < n; i++ {
			inits = append(inits, k+0.01*float64(i%3))
		}
	}
	name := filepath.Join(t.TempDir(), "rank1.npz")
	if err := saved.WriteNative(name, &saved.Network{Net: net, Extra: []saved.Tensor{
		{Name: "inits", Shape: []int{4, n}, DType: saved.Float64, Data: inits}}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("inspect", name, "--json", "--inits", "20")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		FixedPoints []struct {
			Kind string `json:"kind"`
		} `json:"fixed_points"`
		Verdict struct {
			Label string `json:"label"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	stable, saddle := 0, 0
	for _, p := range doc.FixedPoints {
		switch p.Kind {
		case "stable":
			stable++
		case "saddle":
			saddle++
		}
	}
	if stable != 2 || saddle != 1 || !strings.HasPrefix(doc.Verdict.Label, "fixed points (") {
		t.Errorf("rank-1 λ = 2: %d stable, %d saddle, verdict %q; want 2, 1, fixed points", stable, saddle, doc.Verdict.Label)
	}
	code, _, stderr = run("perturb", name, "--noise", "1")
	if code != 1 || !strings.Contains(stderr, "no readout") {
		t.Errorf("perturb on a network without a readout: exit %d, %q", code, stderr)
	}
}

func TestPerturbCLI(t *testing.T) {
	name := inspectTestNet(t)
	code, stdout, stderr := run("perturb", name, "--extend-delay", "0,5", "--noise", "0,1", "--gaussian", "--repeats", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Curves []struct {
			XName  string `json:"x_name"`
			XUnit  string `json:"x_unit"`
			Points []struct {
				X    float64  `json:"x"`
				Mean *float64 `json:"mean"`
				N    int      `json:"n"`
			} `json:"points"`
		} `json:"curves"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON %q: %v", stdout, err)
	}
	if len(doc.Curves) != 2 || doc.Curves[0].XName != "σ" || doc.Curves[1].XUnit != "model time units" {
		t.Fatalf("curves %+v", doc.Curves)
	}
	// Δ = 0 is the nominal trial: zero error.
	if p := doc.Curves[1].Points[0]; p.Mean == nil || *p.Mean != 0 || p.N != 16 {
		t.Errorf("Δ = 0: %+v", p)
	}
	code, stdout, _ = run("perturb", name, "--kick", "0.1", "--interrupt", "0,40")
	if code != 0 || !strings.Contains(stdout, "n_off") || !strings.Contains(stdout, "kick RMS") {
		t.Errorf("human curves: exit %d\n%s", code, stdout)
	}
}

// TestInspectStartsFromEndOfTraining checks that an SPM network's trials
// start from its stored end-of-training state, and that a file without it
// says the trials start from the origin.
func TestInspectStartsFromEndOfTraining(t *testing.T) {
	name := inspectTestNet(t)
	args := []string{"--inits", "8", "--copies", "0", "--run-trials", "1", "--code-copies", "1", "--code-run-trials", "1"}
	code, stdout, stderr := run(append([]string{"inspect", name}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "state at the end of training (train.x)") {
		t.Errorf("no note of the end-of-training start:\n%s", stdout)
	}
	n, err := saved.ReadNative(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Extra) != 1 || n.Extra[0].Name != "train.x" {
		t.Fatalf("extra arrays of a trained SPM network: %v", n.Extra)
	}
	n.Extra = nil
	bare := filepath.Join(t.TempDir(), "bare.npz")
	if err := saved.WriteNative(bare, n); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(append([]string{"inspect", bare}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "holds no end-of-training state") {
		t.Errorf("no note of the origin start:\n%s", stdout)
	}
}
