//go:build science

package cli

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestEC23DemoPhases is the CI variant of EC-23 (science.md §8 E): N = 100
// full-rank leaky networks on the DCDT with a 160 ms delay, SGD with
// momentum 0.9 and weight decay 1e-7 for max(1000, 30/lr) epochs, trained
// and classified through the CLI (`attractor train dcdt`, then
// `attractor inspect --json`, whose verdict is the §5.5 learning gate and
// PSD ratio). The published demo says lr = 1 → unable to learn, lr = 0.01
// → LC, lr = 0.001 → SP; the spec asks for a majority over ≥ 5 seeds.
//
// Asserted: at lr = 1 a majority of five seeds is unable to learn, and
// more seeds learn at lr = 0.01 than at lr = 1. The LC/SP split at
// lr = 0.01 is logged, not asserted: our measurement does not reproduce
// the demo's single example there (see the closing note of issue 5).
// lr = 0.001 (30,000 epochs per seed) does not fit CI and was run once by
// hand with the same commands.
func TestEC23DemoPhases(t *testing.T) {
	type cell struct {
		lr    string
		seed  int
		label string
		rho   any
		acc   any
	}
	var cells []*cell
	for _, lr := range []string{"1", "0.01"} {
		for seed := 1; seed <= 5; seed++ {
			cells = append(cells, &cell{lr: lr, seed: seed})
		}
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	errs := make([]error, len(cells))
	for i, c := range cells {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			name := filepath.Join(dir, fmt.Sprintf("lr%s_s%d.npz", c.lr, c.seed))
			code, _, stderr := run("train", "dcdt", "--hidden", "100", "--delay", "160ms", "--lr", c.lr,
				"--seed", fmt.Sprint(c.seed), "--threads", "1", "-o", name)
			if code != 0 {
				errs[i] = fmt.Errorf("train lr %s seed %d: exit %d: %s", c.lr, c.seed, code, stderr)
				return
			}
			v, _, err := inspectJSON(name)
			if err != nil {
				errs[i] = fmt.Errorf("lr %s seed %d: %w", c.lr, c.seed, err)
				return
			}
			c.label, c.rho, c.acc = v.Label, v.Evidence["rho"], v.Evidence["final_acc"]
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	unable := map[string]int{}
	for _, c := range cells {
		t.Logf("lr %-4s seed %d: %-16s final acc %v, ρ %v", c.lr, c.seed, c.label, c.acc, c.rho)
		if c.label == "unable to learn" {
			unable[c.lr]++
		}
	}
	t.Logf("unable to learn: lr 1 → %d of 5, lr 0.01 → %d of 5 (published demo: lr 1 unable, lr 0.01 LC)", unable["1"], unable["0.01"])
	if unable["1"] < 3 {
		t.Errorf("lr = 1: %d of 5 seeds unable to learn, want a majority", unable["1"])
	}
	if unable["0.01"] >= unable["1"] {
		t.Errorf("lr = 0.01 should learn more often than lr = 1: unable %d vs %d of 5", unable["0.01"], unable["1"])
	}
}
