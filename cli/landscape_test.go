package cli

import (
	"encoding/json"
	"math"
	"path/filepath"
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
// memory's signs) appears, and its branch is born, within one checkpoint of
// where the network starts to hold that memory, measured by simulation
// alone (ffHolds: every switch into the memory held for the 100-step trial
// length). One checkpoint is the resolution of the history (10 per decade):
// an event is only known to lie between two networks.
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
	// held[p][i]: memory p held at checkpoint i (simulation); has[p][i]: a
	// stable point with p's signs (landscape).
	pats := ffPatterns(2)
	for _, p := range pats {
		key := signs(p)
		var held, has []bool
		for i, h := range hs {
			n, err := saved.ReadNative(h.Path)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, ffHolds(n.Net, p, 100) == 1)
			found := false
			for _, pt := range d.Checkpoints[i].Points {
				found = found || (pt.Kind == "stable" && signs(pt.Readout) == key)
			}
			has = append(has, found)
		}
		// From where on each stays true to the end.
		from := func(b []bool) int {
			i := len(b)
			for i > 0 && b[i-1] {
				i--
			}
			return i
		}
		hi, bi := from(held), from(has)
		if hi == len(hs) || bi == len(hs) {
			t.Errorf("memory %s: held from checkpoint %d, its stable point from %d (of %d): want both by the end", key, hi, bi, len(hs))
			continue
		}
		t.Logf("memory %s: held from step %d, stable point from step %d", key, hs[hi].Step, hs[bi].Step)
		if d := bi - hi; d < -1 || d > 1 {
			t.Errorf("memory %s: held from step %d but its stable point appears at step %d (more than one checkpoint apart)",
				key, hs[hi].Step, hs[bi].Step)
		}
		// The branch of that point was born (a birth event naming it) no
		// later than that. It can be born earlier: in this run the stable
		// point that comes to hold +- is born at step 63 with a readout
		// of other signs, and holds +- from step 100, when the readout
		// has learnt it (the attractor forms before the readout reads it).
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
					for i, h := range hs {
						if float64(h.Step) == e.Step {
							bornAt = i
						}
					}
				}
			}
		}
		t.Logf("memory %s: its point's branch %d born at step %d", key, id, hs[bornAt].Step)
		if bornAt > bi {
			t.Errorf("memory %s: its stable point is there from step %d, but its branch (point %d) was born at step %d", key, hs[bi].Step, id, hs[bornAt].Step)
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
		{[]string{"a.npz", "b.npz", "-o", "x.png"}, 2},
		{[]string{"a.npz", "b.npz", "--task", "spm"}, 2},
		{[]string{"a.npz", "b.npz", "--steps", "1"}, 2},
		{[]string{"a.npz", "b.npz"}, 1}, // no such files
	} {
		code, _, errOut := run(append([]string{"landscape"}, c.args...)...)
		if code == 0 || (c.want == 2 && code != 2) {
			t.Errorf("landscape %v: exit %d, want %d (%s)", c.args, code, c.want, errOut)
		}
	}
}
