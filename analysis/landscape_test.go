package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// landscapeFiles returns the gallery's flip-flop GRU (its file records the
// 3-bit flip-flop task) and the PyTorch flip-flop GRU (its state dict
// records no task), both GRUs of 24 units with 3 inputs.
func landscapeFiles(t *testing.T) []LandscapeFile {
	t.Helper()
	var out []LandscapeFile
	for i, name := range []string{"06-flipflop-gru.npz", "flipflop_gru_torch8.pt"} {
		n, _, err := saved.Open(filepath.Join("testdata", name), nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, LandscapeFile{Name: name, Net: n, Step: float64(10 * (i + 1))})
	}
	return out
}

// quickLandscape are settings small enough for a unit test.
func quickLandscape(task json.RawMessage) *LandscapeSettings {
	return &LandscapeSettings{Starts: 16, Seed: 1, Task: task,
		Continuation: inspect.LandscapeSettings{RunSteps: 300, WindowSteps: 100}}
}

// Each network's starts come from the protocol of its own file: the task
// the file records, the generic protocol for a file that records none, and
// the task given in the settings for such a file when one is given.
func TestLandscapeProtocolOfEachFile(t *testing.T) {
	files := landscapeFiles(t)
	for _, tc := range []struct {
		task json.RawMessage
		want []string
	}{
		{nil, []string{"flipflop", "generic"}},
		{json.RawMessage(`{"name": "flipflop", "config": {"bits": 3}}`), []string{"flipflop", "flipflop"}},
	} {
		res, err := Landscape(context.Background(), files, quickLandscape(tc.task))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(res.Protocols) != fmt.Sprint(tc.want) {
			t.Errorf("task %s: protocols %v, want %v", tc.task, res.Protocols, tc.want)
		}
		if len(res.Checkpoints) != 2 || res.Checkpoints[1].Step != 20 {
			t.Errorf("task %s: %d checkpoints, want 2 (the second at step 20)", tc.task, len(res.Checkpoints))
		}
		for _, w := range tc.want {
			if !strings.Contains(res.StartsFrom, w) {
				t.Errorf("task %s: starts from %q, which does not name %s", tc.task, res.StartsFrom, w)
			}
		}
	}
}

// The starts are states of the protocol's trajectories: every one is a
// state that a step-by-step simulation of some condition passes through,
// and they are spread over all the conditions, not taken from the first.
func TestLandscapeStartsOnTrajectories(t *testing.T) {
	f := landscapeFiles(t)[0]
	p, err := LandscapeProtocol(f.Net, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Task != "flipflop" || len(p.Conditions) != 8 {
		t.Fatalf("protocol %q with %d conditions, want the 3-bit flip-flop's 8", p.Task, len(p.Conditions))
	}
	const k = 32
	starts, err := LandscapeStarts(context.Background(), f.Net.Net, &p, k)
	if err != nil {
		t.Fatal(err)
	}
	if len(starts) != k {
		t.Fatalf("%d starts, want %d", len(starts), k)
	}
	net := f.Net.Net
	n := net.Dims().State
	condOf := map[string]int{} // state → condition
	for c := range p.Conditions {
		x := append([]float64(nil), p.Conditions[c].X0...)
		for s := range p.Steps(c) {
			y := make([]float64, n)
			net.Step(y, x, p.Input(c, s))
			x = y
			condOf[fmt.Sprint(x)] = c
		}
	}
	conds := map[int]bool{}
	for i, x := range starts {
		c, ok := condOf[fmt.Sprint(x)]
		if !ok && !allZero(x) { // x₀ = 0 starts every condition
			t.Errorf("start %d is on no trajectory of the protocol", i)
		}
		conds[c] = true
	}
	if len(conds) != len(p.Conditions) {
		t.Errorf("the starts visit %d of the %d conditions", len(conds), len(p.Conditions))
	}
}

// A task that does not fit a file is an error naming the file and the
// task; a cancelled Add leaves the landscaper as it was; adding the files
// one by one gives what Landscape gives, bit for bit.
func TestLandscaperErrorsAndIncrements(t *testing.T) {
	files := landscapeFiles(t)
	_, err := Landscape(context.Background(), files, quickLandscape(json.RawMessage(`{"name": "flipflop", "config": {"bits": 2}}`)))
	if err == nil || !strings.Contains(err.Error(), "flipflop_gru_torch8.pt") || !strings.Contains(err.Error(), "flipflop") {
		t.Errorf("a 2-bit task for a 3-input file: error %v, want one naming the file and the task", err)
	}

	whole, err := Landscape(context.Background(), files, quickLandscape(nil))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLandscaper(quickLandscape(nil))
	if err := l.Add(context.Background(), files[0]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Add(ctx, files[1]); err == nil || l.Len() != 1 || len(l.Result().Checkpoints) != 1 {
		t.Fatalf("cancelled Add: error %v, %d networks; want an error and 1", err, l.Len())
	}
	if err := l.Add(context.Background(), files[1]); err != nil {
		t.Fatal(err)
	}
	one := l.Result()
	for _, r := range []*LandscapeResult{whole, one} {
		for i := range r.Checkpoints {
			r.Checkpoints[i].Search.Seconds = 0 // wall time
		}
	}
	a, _ := json.Marshal(whole)
	b, _ := json.Marshal(one)
	if string(a) != string(b) {
		t.Errorf("one by one:\n%s\nwhole:\n%s", b, a)
	}
}

func allZero(x []float64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// The seeds drawn about the trajectories (noise and a random cloud, as
// the census draws its starts) bring the search to saddles that the
// trajectory states alone do not reach: on the gallery's flip-flop GRU, a
// census from the same 64 trajectory states finds more saddles with them
// than without, and the same stable points: 7, the memory (−, −, +) being
// a ghost in this network (see docs/landscape.md).
func TestLandscapeSeedsFindSaddles(t *testing.T) {
	f := landscapeFiles(t)[0]
	with, err := Landscape(context.Background(), []LandscapeFile{f}, &LandscapeSettings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := LandscapeProtocol(f.Net, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	starts, err := LandscapeStarts(context.Background(), f.Net.Net, &p, 64)
	if err != nil {
		t.Fatal(err)
	}
	without, err := inspect.Landscape(context.Background(), inspect.LandscapeProblem{Nets: []model.Network{f.Net.Net}, Steps: []float64{f.Step},
		Starts: func(context.Context, int, model.Network) ([][]float64, error) { return starts, nil }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := with.Checkpoints[0], without.Checkpoints[0]
	t.Logf("with seeds: %d stable, %d saddles from %d inits; without: %d stable, %d saddles from %d inits", a.Stable, a.Saddles, a.Search.Inits, b.Stable, b.Saddles, b.Search.Inits)
	if a.Stable != 7 || b.Stable != 7 {
		t.Errorf("stable points: %d with seeds, %d without; want 7 in both", a.Stable, b.Stable)
	}
	if a.Saddles <= b.Saddles {
		t.Errorf("%d saddles with the seeds, %d without: the seeds found none more", a.Saddles, b.Saddles)
	}
}

// TestFileStep: a file's train.done record gives its step; without one,
// the last number in its name; without one, its position from 1.
func TestFileStep(t *testing.T) {
	done := &saved.Network{Extra: []saved.Tensor{{Name: "train.done", Data: []float64{750}}}}
	plain := &saved.Network{}
	for _, tc := range []struct {
		n    *saved.Network
		file string
		i    int
		want float64
	}{
		{done, "dir-3/epoch-0400.pt", 0, 750},
		{plain, "dir-3/epoch-0400.pt", 0, 400},
		{plain, "run7/ckpt-12-of-40.npz", 5, 40},
		{plain, "dir-3/final.npz", 2, 3},
	} {
		if got := FileStep(tc.n, tc.file, tc.i); got != tc.want {
			t.Errorf("%s (%d): step %v, want %v", tc.file, tc.i, got, tc.want)
		}
	}
}
