package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
	"attractor/train"
	"attractor/train/sweep"
)

// sweepInspectJSON runs `attractor inspect --json` on a saved network and
// returns its verdict and code verdict (label and evidence).
type sweepInspectVerdict struct {
	Label    string         `json:"label"`
	Evidence map[string]any `json:"evidence"`
}

// inspectJSON runs `attractor inspect NET --json ARGS…` and decodes its
// verdict and the authors' classifier beside it (nil when absent). It
// returns errors instead of failing, so goroutines can call it.
func inspectJSON(net string, args ...string) (v, code *sweepInspectVerdict, err error) {
	exit, out, errs := run(append([]string{"inspect", net, "--json"}, args...)...)
	if exit != 0 {
		return nil, nil, fmt.Errorf("inspect %s: exit %d: %s", net, exit, errs)
	}
	var rep struct {
		Verdict     *sweepInspectVerdict `json:"verdict"`
		CodeVerdict *sweepInspectVerdict `json:"code_verdict"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		return nil, nil, fmt.Errorf("inspect %s --json: %w\n%s", net, err, out)
	}
	if rep.Verdict == nil {
		return nil, nil, fmt.Errorf("inspect %s gave no verdict:\n%s", net, out)
	}
	return rep.Verdict, rep.CodeVerdict, nil
}

func sweepInspect(t *testing.T, net string, args ...string) (v, code *sweepInspectVerdict) {
	t.Helper()
	v, code, err := inspectJSON(net, append([]string{"--inits", "8"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v, code
}

func sweepResult(t *testing.T, dir string, i int) (*sweep.Result, string) {
	t.Helper()
	sw, err := sweep.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := sw.ReadResult(i, true)
	if err != nil {
		t.Fatal(err)
	}
	return r, filepath.Join(sw.NetDir(i), sweep.NetworkFile)
}

func sweepFigure(t *testing.T, r *sweep.Result, analysis, key string) float64 {
	t.Helper()
	v, ok := r.Analyses[analysis][key]
	if !ok {
		t.Fatalf("network %d: no figure %s.%s in %v", r.Index, analysis, key, r.Analyses[analysis])
	}
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("figure %s.%s = %v (%T), want a number", analysis, key, v, v)
	}
	f, err := n.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSweepPhaseAnalysis trains two tiny DCDT networks through the sweep:
// one for 3 epochs (it cannot have learned: class "unable", as the learning
// check of docs/science.md §5.5 says from its saved series) and one for 150
// epochs at delay 0 (it learns); the learned one's class (LC or SP) and ρ
// must equal what `attractor inspect` computes from the saved file.
func TestSweepPhaseAnalysis(t *testing.T) {
	spec := writeSpec(t, `task = "dcdt"
analyses = ["learning", "phase"]
[base]
hidden = 30
lr = 0.1
delay_ms = 0
[grid]
epochs = [3, 150]
`)
	dir := filepath.Join(t.TempDir(), "sw")
	if _, errs, code := runMain(t, "sweep", spec, "-o", dir, "--workers", "2"); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	short, shortNet := sweepResult(t, dir, 0)
	n, err := saved.ReadNative(shortNet)
	if err != nil {
		t.Fatal(err)
	}
	acc, rel := train.LearningSeries(n)
	if len(acc) != 3 || len(rel) != 3 {
		t.Fatalf("saved series of %d/%d epochs, want 3", len(acc), len(rel))
	}
	if lc := sweep.LearningCheck(acc, rel); lc.Learned {
		t.Fatalf("3 epochs learned (acc %v, rel %v)?", acc, rel)
	}
	if short.Class != "unable" || short.Analyses["phase"]["label"] != "unable to learn" {
		t.Fatalf("3 epochs: class %q, phase %v", short.Class, short.Analyses["phase"])
	}
	long, longNet := sweepResult(t, dir, 1)
	if long.Analyses["learning"]["class"] != "learned" {
		t.Fatalf("150 epochs at delay 0 did not learn: %v", long.Analyses["learning"])
	}
	if long.Class != "LC" && long.Class != "SP" {
		t.Fatalf("learned network: class %q, want LC or SP", long.Class)
	}
	v, _ := sweepInspect(t, longNet)
	if v.Label != long.Class {
		t.Fatalf("sweep class %s, attractor inspect says %s", long.Class, v.Label)
	}
	rho := sweepFigure(t, long, "phase", "rho")
	if want, ok := v.Evidence["rho"].(float64); !ok || math.Abs(rho-want) > 1e-12 {
		t.Fatalf("ρ = %v, inspect %v", rho, v.Evidence["rho"])
	}
	if (rho < 0.5) != (long.Class == "LC") {
		t.Fatalf("ρ = %v with class %s", rho, long.Class)
	}
	if th := sweepFigure(t, long, "phase", "threshold_rho_tol"); th != 0.5 {
		t.Fatalf("threshold_rho_tol %v", th)
	}
	// The figures are flat: one CSV column each.
	csv, err := os.ReadFile(filepath.Join(dir, sweep.CSVFile))
	if err != nil || !strings.Contains(string(csv), ",phase.rho,") || !strings.Contains(string(csv), ",phase.class,") {
		t.Fatalf("results.csv %v:\n%s", err, csv)
	}
	t.Logf("3 epochs: %s; 150 epochs: %s (ρ = %.4g)", short.Class, long.Class, rho)
}

// TestSweepMechanismAnalysis trains tiny FORCE SPM networks through the
// sweep. Gated by the trainability test they are all "untrainable" (none
// of this size passes it); with all = true each gets the §9 verdict, which
// must equal `attractor inspect`'s on the saved file with the same
// settings, and the authors' classifier's label beside it.
func TestSweepMechanismAnalysis(t *testing.T) {
	const opts = `
[analysis.trainability]
test_seeds = 1
[analysis.mechanism]
copies = 1
run_trials = 4
code_copies = 2
code_run_trials = 4
`
	base := `task = "spm"
analyses = ["trainability", "mechanism"]
seeds = 2
[base]
hidden = 60
trials = 40
g = 1.5
`
	gated := filepath.Join(t.TempDir(), "gated")
	if _, errs, code := runMain(t, "sweep", writeSpec(t, base+opts), "-o", gated, "--workers", "2"); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	for i := 0; i < 2; i++ {
		r, _ := sweepResult(t, gated, i)
		if tr := r.Analyses["trainability"]; tr["criterion"] != "spec" || tr["code_trainable"] == nil || tr["test_trials"] == nil || tr["test_trials_passed"] == nil {
			t.Fatalf("trainability figures: %v", tr)
		}
		if r.Analyses["trainability"]["trainable"] != false {
			t.Fatalf("a 40-trial N = 60 network passed the trainability test: %v", r.Analyses["trainability"])
		}
		if r.Class != "untrainable" || r.Analyses["mechanism"]["label"] != nil {
			t.Fatalf("untrainable network %d: class %q, mechanism %v", i, r.Class, r.Analyses["mechanism"])
		}
	}
	all := filepath.Join(t.TempDir(), "all")
	if _, errs, code := runMain(t, "sweep", writeSpec(t, base+opts+"all = true\n"), "-o", all, "--workers", "2"); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	for i := 0; i < 2; i++ {
		r, net := sweepResult(t, all, i)
		m := r.Analyses["mechanism"]
		switch r.Class {
		case "DFP", "IFP", "LC", "Mix", "undetermined":
		default:
			t.Fatalf("network %d: class %q", i, r.Class)
		}
		v, code := sweepInspect(t, net, "--copies", "1", "--run-trials", "4", "--code-copies", "2", "--code-run-trials", "4", "--seed", "1")
		if v.Label != r.Class || code == nil || code.Label != m["code_label"] {
			t.Fatalf("network %d: sweep %s (code %v), inspect %s (code %v)", i, r.Class, m["code_label"], v.Label, code)
		}
		for _, k := range []string{"probes", "probes_fp", "probes_lc", "distinct_fixed_points"} {
			if got, want := sweepFigure(t, r, "mechanism", k), v.Evidence[k]; want != got {
				t.Fatalf("network %d: %s = %v, inspect %v", i, k, got, want)
			}
		}
		if m["trainable"] != false {
			t.Fatalf("network %d: trainable %v", i, m["trainable"])
		}
		t.Logf("network %d: %s (authors' classifier %s → %s)", i, r.Class, m["code_label"], m["code_mechanism"])
	}
}
