//go:build science

package cli

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"attractor/internal/repro"
)

// ec23Cell is one network of EC-23's CI variant.
type ec23Cell struct {
	lr    string
	seed  int
	label string
	rho   any
	acc   any
}

var (
	ec23Once  sync.Once
	ec23Cells []*ec23Cell
	ec23Err   error
)

// ec23Run trains and classifies EC-23's CI networks once for the tests
// that read them: N = 100 full-rank leaky networks on the DCDT with a
// 160 ms delay, SGD with momentum 0.9 and weight decay 1e-7 for
// max(1000, 30/lr) epochs, lr 1 and 0.01, seeds 1–5, trained and
// classified through the CLI (`attractor train dcdt`, then
// `attractor inspect --json`, whose verdict is the §5.5 learning gate and
// PSD ratio). About 5 CPU-minutes. lr = 0.001 (30,000 epochs per seed)
// does not fit CI: its 20 seeds at 160 ms come from the phase sweep
// (examples/kurtkaya-phase-medium.toml) into docs/reproduction.md.
func ec23Run(t *testing.T) []*ec23Cell {
	ec23Once.Do(func() {
		var cells []*ec23Cell
		for _, lr := range []string{"1", "0.01"} {
			for seed := 1; seed <= 5; seed++ {
				cells = append(cells, &ec23Cell{lr: lr, seed: seed})
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
			if err != nil && ec23Err == nil {
				ec23Err = err
			}
		}
		for _, c := range cells {
			t.Logf("lr %-4s seed %d: %-16s final acc %v, ρ %v", c.lr, c.seed, c.label, c.acc, c.rho)
		}
		ec23Cells = cells
	})
	if ec23Err != nil || ec23Cells == nil {
		t.Fatalf("EC-23 networks: %v", ec23Err)
	}
	return ec23Cells
}

// ec23Count counts the networks of learning rate lr with label.
func ec23Count(cells []*ec23Cell, lr, label string) int {
	n := 0
	for _, c := range cells {
		if c.lr == lr && c.label == label {
			n++
		}
	}
	return n
}

// ec23Record adds the ρ of every learned network of learning rate lr.
func ec23Record(rec *repro.Record, cells []*ec23Cell, lr string) {
	m := rec.Measure(fmt.Sprintf("lr %s: PSD ratio ρ of the learned networks (LC if < 0.5)", lr), "", "", "")
	for _, c := range cells {
		if f, ok := c.rho.(float64); ok && c.lr == lr {
			m.Add(f, int64(c.seed))
		}
	}
}

// TestEC23DemoPhases is the CI variant of EC-23 (docs/science.md §8 E), lr 1:
// the published demo (project page) is unable to learn at lr = 1; the spec
// asks for a majority over ≥ 5 seeds.
func TestEC23DemoPhases(t *testing.T) {
	cells := ec23Run(t)
	rec := repro.New(t, "EC-23", "cli", "N = 100, DCDT 160 ms, max(1000, 30/lr) epochs, seeds 1–5, via attractor train/inspect")
	u := ec23Count(cells, "1", "unable to learn")
	rec.Measure("lr 1: networks unable to learn, of 5", "", "unable", "majority (≥ 3 of 5)").Add(float64(u), -1)
	if u < 3 {
		t.Errorf("lr = 1: %d of 5 seeds unable to learn, want a majority", u)
	}
}

// TestKnownDeviation_EC23_LR001 is EC-23's second point, which we do not
// reproduce: the published demo network at lr = 0.01 is a limit cycle
// (ρ < 0.5); of our five seeds one is LC (ρ = 0.001), two SP (ρ = 0.61,
// 0.70) and two unable to learn (issue 19; the gallery's exemplars 04 and
// 05 are seeds 4 and 5). The demo is a single network and the spec expects
// seed variability; the phase sweep (20 seeds at 160 ms) is to say how
// often lr = 0.01 gives LC. The test records the counts and fails if fewer
// than the one LC network of five measured when the deviation was named
// remains.
func TestKnownDeviation_EC23_LR001(t *testing.T) {
	cells := ec23Run(t)
	rec := repro.New(t, "EC-23", "cli", "as TestEC23DemoPhases, lr 0.01")
	rec.Deviates("lr 0.01 at 160 ms: 1 LC, 2 SP, 2 unable of 5 seeds, not a majority of LC; the published point is a single network")
	lc := ec23Count(cells, "0.01", "LC")
	rec.Measure("lr 0.01: LC networks, of 5", "", "LC (the demo network)", "named deviation: ≥ 1").Add(float64(lc), -1)
	ec23Record(rec, cells, "0.01")
	rec.Note("lr 0.01: SP %d, unable %d of 5", ec23Count(cells, "0.01", "SP"), ec23Count(cells, "0.01", "unable to learn"))
	if lc >= 3 {
		t.Logf("lr = 0.01: %d of 5 LC, a majority: EC-23 reproduces; rename this test", lc)
	}
	if lc < 1 {
		t.Errorf("lr = 0.01: %d of 5 seeds LC, fewer than the 1 measured when the deviation was named (SP %d, unable %d)", lc,
			ec23Count(cells, "0.01", "SP"), ec23Count(cells, "0.01", "unable to learn"))
	}
}
