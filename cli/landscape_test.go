package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// landscapeDoc is the part of `landscape --json` the tests read.
type landscapeDoc struct {
	Checkpoints []struct {
		Step    float64 `json:"step"`
		Stable  int     `json:"stable"`
		Saddles int     `json:"saddles"`
		Cycles  int     `json:"cycles"`
		Points  []struct {
			ID      int       `json:"id"`
			Kind    string    `json:"kind"`
			Readout []float64 `json:"readout"`
		} `json:"points"`
	} `json:"checkpoints"`
	Events []struct {
		Step   float64 `json:"step"`
		Kind   string  `json:"kind"`
		Points []int   `json:"points"`
	} `json:"events"`
}

// runLandscapeJSON runs `attractor landscape args… --json` and decodes it.
func runLandscapeJSON(t *testing.T, args ...string) *landscapeDoc {
	t.Helper()
	code, out, errOut := run(append([]string{"landscape", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("landscape exit %d: %s", code, errOut)
	}
	var d landscapeDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("landscape --json: %v\n%s", err, out)
	}
	return &d
}

// ffPatterns are the 2^k sign patterns of a k-bit flip-flop.
func ffPatterns(k int) [][]float64 {
	var out [][]float64
	for m := 0; m < 1<<k; m++ {
		p := make([]float64, k)
		for c := range p {
			p[c] = -1
			if m&(1<<c) != 0 {
				p[c] = 1
			}
		}
		out = append(out, p)
	}
	return out
}

// ffHolds reports, by simulation alone, how well net holds memory p: from
// each pattern q set by one pulse on every channel, pulse p and hold for
// hold steps with no input; the fraction of the 2^k switches q → p after
// which the readout's signs are p at the end of the hold.
func ffHolds(net model.Network, p []float64, hold int) float64 {
	d := net.Dims()
	x, y := make([]float64, d.State), make([]float64, d.State)
	out := make([]float64, d.Output)
	zero := make([]float64, d.Input)
	qs := ffPatterns(len(p))
	ok := 0
	for _, q := range qs {
		clear(x)
		for _, u := range [][]float64{q, p} {
			net.Step(y, x, u)
			x, y = y, x
			for range hold {
				net.Step(y, x, zero)
				x, y = y, x
			}
		}
		net.Output(out, x)
		good := true
		for c := range p {
			good = good && math.Signbit(out[c]) == math.Signbit(p[c])
		}
		if good {
			ok++
		}
	}
	return float64(ok) / float64(len(qs))
}

// signs returns the sign pattern of v as a string ("+-").
func signs(v []float64) string {
	s := ""
	for _, x := range v {
		if x < 0 {
			s += "-"
		} else {
			s += "+"
		}
	}
	return s
}

// TestLandscapeFlipFlopHistory trains a 2-bit flip-flop GRU of 8 units with
// a history, and follows its landscape: the number of stable points rises
// to 2² = 4, and the stable point holding each memory (its readout has the
// memory's signs) appears within one checkpoint of where the network starts
// to hold that memory, measured by simulation alone (ffHolds: every switch
// into the memory held for 2,000 steps, 20 trial lengths); see
// checkMemoryBirths.
func TestLandscapeFlipFlopHistory(t *testing.T) {
	dir := t.TempDir()
	net := filepath.Join(dir, "ff.npz")
	if code, _, errOut := run("train", "flipflop", "--bits", "2", "--hidden", "8", "--epochs", "300", "-o", net); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	runDir := net + ".run"
	d := runLandscapeJSON(t, runDir, "--no-basins")
	hs, err := train.ReadHistory(runDir)
	if err != nil || len(hs) != len(d.Checkpoints) {
		t.Fatalf("history of %d files (%v), landscape of %d checkpoints", len(hs), err, len(d.Checkpoints))
	}
	first, last := d.Checkpoints[0], d.Checkpoints[len(d.Checkpoints)-1]
	if first.Stable != 1 || last.Stable != 4 {
		t.Fatalf("stable points: %d at step %g, %d at step %g; want 1 then 2² = 4", first.Stable, first.Step, last.Stable, last.Step)
	}
	checkMemoryBirths(t, d, 2, func(i int, p []float64) bool {
		n, err := saved.ReadNative(hs[i].Path)
		if err != nil {
			t.Fatal(err)
		}
		return ffHolds(n.Net, p, 2000) == 1
	})
}

// checkMemoryBirths checks, for every memory p of a k-bit flip-flop, that
// the landscape d has a stable point with p's signs no later than one
// checkpoint after held(i, p) (a simulation) first says the network holds
// p, and that the branch of that point was born (a birth event naming it)
// no later either. One checkpoint is the resolution of a landscape: an
// event is only known to lie between two networks. A network with one
// memory holds nothing (its one attractor reads out whatever it reads
// whatever the input was), so both count only where the network holds
// another memory too, or has another stable point. The stable point may
// come earlier than the memory: an attractor can form before the task's
// pulses reach it or before the readout reads it with the right signs (the
// PyTorch fixture has two attractors at epoch 40, one of them not yet
// reached by its pulse). First appearances are compared, not "from here to
// the end": a memory can be held over a trial by a ghost (a slow point left
// by a saddle-node) while its attractor comes and goes.
func checkMemoryBirths(t *testing.T, d *landscapeDoc, k int, held func(i int, p []float64) bool) {
	t.Helper()
	n := len(d.Checkpoints)
	for _, p := range ffPatterns(k) {
		key := signs(p)
		hi, bi := n, n
		for i := range d.Checkpoints {
			others := 0 // other memories held at i
			for _, q := range ffPatterns(k) {
				if signs(q) != key && held(i, q) {
					others++
				}
			}
			if hi == n && held(i, p) && others > 0 {
				hi = i
			}
			for _, pt := range d.Checkpoints[i].Points {
				if bi == n && pt.Kind == "stable" && signs(pt.Readout) == key && d.Checkpoints[i].Stable > 1 {
					bi = i
				}
			}
		}
		if hi == n || bi == n {
			t.Errorf("memory %s: first held at checkpoint %d, its stable point first at %d (of %d): want both", key, hi, bi, n)
			continue
		}
		step := func(i int) float64 { return d.Checkpoints[i].Step }
		t.Logf("memory %s: held from step %g, stable point from step %g", key, step(hi), step(bi))
		if bi > hi+1 {
			t.Errorf("memory %s: held from step %g but its stable point appears only at step %g (more than one checkpoint later)",
				key, step(hi), step(bi))
		}
		// The branch of that point was born (a birth event naming it) no
		// later than that. It can be born earlier: the stable point that
		// comes to hold a memory can be born with a readout of other
		// signs, and hold the memory once the readout has learnt it (the
		// attractor forms before the readout reads it).
		id := -1
		for _, pt := range d.Checkpoints[bi].Points {
			if pt.Kind == "stable" && signs(pt.Readout) == key {
				id = pt.ID
			}
		}
		bornAt := 0 // a branch present from the first checkpoint
		for _, e := range d.Events {
			for _, q := range e.Points {
				if q == id && e.Kind == "birth" {
					for i := range d.Checkpoints {
						if step(i) == e.Step {
							bornAt = i
						}
					}
				}
			}
		}
		t.Logf("memory %s: its point's branch %d born at step %g", key, id, step(bornAt))
		if bornAt > bi {
			t.Errorf("memory %s: its stable point is there from step %g, but its branch (point %d) was born at step %g", key, step(bi), id, step(bornAt))
		}
	}
}

// TestLandscapeArgs checks the usage errors.
func TestLandscapeArgs(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want int
	}{
		{nil, 2},
		{[]string{"a.npz"}, 2},
		{[]string{dir}, 1}, // a directory without a history
		{[]string{"a.npz", "b.npz", "-o", "x.gif"}, 2},
		{[]string{"a.npz", "b.npz", "--task", "nosuch"}, 2},
		{[]string{"a.npz", "b.npz", "--steps", "1"}, 2},
		{[]string{"a.npz", "b.npz"}, 1}, // no such files
	} {
		code, _, errOut := run(append([]string{"landscape"}, c.args...)...)
		if code == 0 || (c.want == 2 && code != 2) {
			t.Errorf("landscape %v: exit %d, want %d (%s)", c.args, code, c.want, errOut)
		}
	}
}

// TestLandscapeTorchFlipFlopFiles follows the landscape of a 2-bit
// flip-flop GRU trained by real PyTorch through its state dicts saved every
// 10 epochs (testdata/flipflop_gru_history, made by
// scripts/fixtures/flipflop_gru_history.py), given as a list of files. At
// every epoch the census must hold at least as many stable points as the
// script's simulation found attractors (256 random states run 20,000 steps
// in float64: each attractor reached is a stable point), 2² = 4 at the end,
// and each memory's stable point must appear within one checkpoint of where
// the script's simulation shows the memory held over 2,000 steps
// (holds_long; a memory held over a 100-step trial only, by a ghost, is not
// an attractor: "+-" at epochs 120, 150 and 200).
func TestLandscapeTorchFlipFlopFiles(t *testing.T) {
	dir := filepath.Join("testdata", "flipflop_gru_history")
	b, err := os.ReadFile(filepath.Join(dir, "expectations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Files []struct {
			File       string             `json:"file"`
			Epoch      int                `json:"epoch"`
			Holds      map[string]float64 `json:"holds_long"`
			Attractors int                `json:"attractors"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	args := []string{"--task", "flipflop", "--bits", "2", "--no-basins"}
	for _, f := range exp.Files {
		args = append(args, filepath.Join(dir, f.File))
	}
	d := runLandscapeJSON(t, args...)
	if len(d.Checkpoints) != len(exp.Files) {
		t.Fatalf("%d checkpoints for %d files", len(d.Checkpoints), len(exp.Files))
	}
	for i, f := range exp.Files {
		ck := d.Checkpoints[i]
		if ck.Step != float64(f.Epoch) {
			t.Errorf("file %s: step %g, want %d (from its name)", f.File, ck.Step, f.Epoch)
		}
		if ck.Stable < f.Attractors {
			t.Errorf("epoch %d: %d stable points, but simulation reached %d attractors", f.Epoch, ck.Stable, f.Attractors)
		}
	}
	if last := d.Checkpoints[len(d.Checkpoints)-1]; last.Stable != 4 {
		t.Errorf("%d stable points at epoch %g, want 2² = 4", last.Stable, last.Step)
	}
	checkMemoryBirths(t, d, 2, func(i int, p []float64) bool { return exp.Files[i].Holds[signs(p)] == 1 })
}

// TestInspectRunDir inspects a run directory: before its first checkpoint
// it says so; after the run finished it inspects the final network and
// says which network it took.
func TestInspectRunDir(t *testing.T) {
	dir := t.TempDir()
	runDir := filepath.Join(dir, "ff.run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run("inspect", runDir, "--no-verdict"); code != 1 || !strings.Contains(errOut, "first checkpoint") {
		t.Errorf("inspect of an empty run: exit %d, %q", code, errOut)
	}
	out := filepath.Join(dir, "ff.npz")
	if code, _, errOut := run("train", "flipflop", "--bits", "1", "--hidden", "4", "--epochs", "20", "--batch", "8", "-o", out, "--run", runDir); code != 0 {
		t.Fatalf("train: %s", errOut)
	}
	code, stdout, errOut := run("inspect", runDir, "--no-verdict", "--json")
	if code != 0 {
		t.Fatalf("inspect RUN_DIR: exit %d: %s", code, errOut)
	}
	var doc struct {
		File string `json:"file"`
		Run  string `json:"run"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.File != out || !strings.Contains(doc.Run, "final network") || !strings.Contains(errOut, "inspecting the final network") {
		t.Errorf("inspected %q (%q; stderr %q), want the final network %s", doc.File, doc.Run, errOut, out)
	}
}

// TestInspectBasins asks inspect --basins for the basin fractions of the
// last network of the PyTorch flip-flop history: one fraction per stable
// point (2² = 4, the four memories, each drawing some of the 256 starts),
// the starts and the unassigned ones adding up, each fraction inside its
// Wilson interval, and one set per noise level.
func TestInspectBasins(t *testing.T) {
	code, stdout, errOut := run("inspect", filepath.Join("testdata", "flipflop_gru_history", "epoch-0400.pt"), "--no-verdict", "--basins", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Basins struct {
			Confidence float64 `json:"confidence"`
			Trajectory struct {
				N         int `json:"n"`
				Fractions []struct {
					Count int `json:"count"`
				} `json:"fractions"`
				Other struct {
					Count int `json:"count"`
				} `json:"other"`
			} `json:"trajectory"`
			Noise []struct {
				Width float64 `json:"width"`
			} `json:"noise"`
		} `json:"basins"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	b := doc.Basins
	if math.Abs(b.Confidence-0.95) > 0.001 || len(b.Noise) != 4 {
		t.Errorf("confidence %v, %d noise levels; want 0.95 and 4", b.Confidence, len(b.Noise))
	}
	tr := b.Trajectory
	if len(tr.Fractions) != 4 {
		t.Fatalf("%d stable points with basins, want 4", len(tr.Fractions))
	}
	sum := tr.Other.Count
	for _, f := range tr.Fractions {
		sum += f.Count
		if f.Count == 0 {
			t.Errorf("a memory's stable point drew none of %d starts", tr.N)
		}
	}
	if sum != tr.N {
		t.Errorf("counts add up to %d of %d starts", sum, tr.N)
	}
	var raw struct {
		Basins struct {
			Trajectory struct {
				Fractions []map[string]float64 `json:"fractions"`
			} `json:"trajectory"`
		} `json:"basins"`
	}
	_ = json.Unmarshal([]byte(stdout), &raw)
	for _, f := range raw.Basins.Trajectory.Fractions {
		if !(f["ci_low"] <= f["fraction"] && f["fraction"] <= f["ci_high"]) {
			t.Errorf("fraction %v outside its interval [%v, %v]", f["fraction"], f["ci_low"], f["ci_high"])
		}
	}
}
