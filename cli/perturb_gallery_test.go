package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
)

// TestPerturbEveryGalleryNetwork: `attractor perturb` runs on every
// gallery network (issue 15), each on its own protocol: the task's trials,
// the associative networks' retrieval trials, and a small kick at the
// start of every delay gives finite errors.
func TestPerturbEveryGalleryNetwork(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "tui", "gallery", "*.npz"))
	if err != nil || len(files) < 12 {
		t.Fatalf("gallery files %v: %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, stdout, stderr := run("perturb", f, "--kick", "0.01", "--repeats", "1", "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var doc struct {
				Trials int `json:"trials"`
				Curves []struct {
					Points []struct {
						Mean *float64 `json:"mean"`
						N    int      `json:"n"`
					} `json:"points"`
				} `json:"curves"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Trials == 0 || len(doc.Curves) != 1 || len(doc.Curves[0].Points) != 1 {
				t.Fatalf("document %s", stdout)
			}
			if p := doc.Curves[0].Points[0]; p.Mean == nil || p.N != doc.Trials {
				t.Errorf("kick 0.01: mean %v over %d runs, want finite over %d trials", p.Mean, p.N, doc.Trials)
			}
		})
	}
}

// TestInspectKnowsEveryTask: inspect reads the task of every gallery
// network from its manifest (a flip-flop GRU from our trainer is a
// flip-flop, not "no task"), and the associative networks get their
// retrieval protocol.
func TestInspectKnowsEveryTask(t *testing.T) {
	for file, want := range map[string][2]string{
		"06-flipflop-gru.npz": {"flipflop", "task"},
		"07-lastbit-lstm.npz": {"lastk", "task"},
		"08-trnn-choice.npz":  {"choice", "task"},
		"00-sine-force.npz":   {"signal", "task"},
		"10-hopfield.npz":     {"", "associative"},
	} {
		code, stdout, stderr := run("inspect", filepath.Join("..", "tui", "gallery", file), "--json", "--inits", "4", "--no-verdict")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", file, code, stderr)
		}
		var doc struct {
			Schema   string `json:"schema"`
			Task     string `json:"task"`
			Protocol struct {
				Source string `json:"source"`
			} `json:"protocol"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Task != want[0] || doc.Protocol.Source != want[1] || doc.Schema == "" {
			t.Errorf("%s: task %q from %q (schema %q), want %q from %q", file, doc.Task, doc.Protocol.Source, doc.Schema, want[0], want[1])
		}
	}
}

// TestInspectInputFlags: --input holds a constant input during the
// search (recorded with every point), --inputs runs a user's own trials
// (perturb too), and a trials file of the wrong input dimension is an
// error naming the file and the array.
func TestInspectInputFlags(t *testing.T) {
	net := filepath.Join("testdata", "flipflop_gru_torch8.pt")
	code, stdout, stderr := run("inspect", net, "--json", "--inits", "16", "--no-verdict", "--input", "1,0,0")
	if code != 0 {
		t.Fatalf("--input: exit %d: %s", code, stderr)
	}
	var doc struct {
		FixedPoints []struct {
			Input []float64 `json:"input"`
		} `json:"fixed_points"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.FixedPoints) == 0 || len(doc.FixedPoints[0].Input) != 3 || doc.FixedPoints[0].Input[0] != 1 {
		t.Errorf("--input 1,0,0: points %+v", doc.FixedPoints)
	}
	if code, _, stderr := run("inspect", net, "--input", "1,0"); code != 2 || !strings.Contains(stderr, "3 inputs") {
		t.Errorf("--input of the wrong length: exit %d, %q", code, stderr)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "trials.npy")
	in := make([]float64, 2*20*3)
	in[0], in[20*3+1] = 1, -1
	if err := saved.WriteNPY(good, saved.Tensor{Name: "trials", Shape: []int{2, 20, 3}, DType: saved.Float64, Data: in}); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run("perturb", net, "--inputs", good, "--kick", "0.01", "--repeats", "1"); code != 0 || !strings.Contains(stdout, "2 inputs trials.npy trials") {
		t.Errorf("perturb --inputs: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run("inspect", net, "--inputs", good, "--inits", "8"); code != 0 {
		t.Errorf("inspect --inputs: exit %d, %q", code, stderr)
	}
	bad := filepath.Join(dir, "bad.npy")
	if err := saved.WriteNPY(bad, saved.Tensor{Name: "bad", Shape: []int{2, 20, 2}, DType: saved.Float64, Data: make([]float64, 80)}); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run("inspect", net, "--inputs", bad); code != 1 || !strings.Contains(stderr, "bad.npy") || !strings.Contains(stderr, "inputs") || !strings.Contains(stderr, "network takes 3") {
		t.Errorf("--inputs of the wrong dimension: exit %d, %q", code, stderr)
	}
}
