//go:build science

package cli

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"attractor/internal/repro"
	"attractor/train/sweep"
)

// sweepSlurmUp fails the test when sbatch is on PATH but no partition is
// up, and skips it (saying why) when sbatch is missing.
func sweepSlurmUp(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("sbatch is not on PATH: start a local Slurm with scripts/start-local-slurm.sh to run this test")
	}
	if out, err := exec.Command("sinfo", "-h", "-o", "%a").Output(); err != nil || !strings.Contains(string(out), "up") {
		t.Fatalf("sbatch is on PATH but no partition is up (sinfo: %q, %v); start one with scripts/start-local-slurm.sh", out, err)
	}
}

// sweepViaSlurm submits spec as a packed job array to the real Slurm,
// waits for it (at most limit) and checks that every network is done.
func sweepViaSlurm(t *testing.T, spec, dir string, pack int, limit time.Duration) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sweepSlurmBinary, sweepSlurmEnv = exe, map[string]string{"ATTRACTOR_CLI_MAIN": "1"}
	defer func() { sweepSlurmBinary, sweepSlurmEnv = "", nil }()
	if bin := os.Getenv("ATTRACTOR_BIN"); bin != "" {
		sweepSlurmBinary, sweepSlurmEnv = bin, nil
	}
	out, errs, code := runMain(t, "sweep", spec, "-o", dir, "--slurm", "--pack", strconv.Itoa(pack), "--max-running", "2", "--time", "30")
	if code != 0 {
		t.Fatalf("submit: exit %d: %s", code, errs)
	}
	job := strings.TrimSpace(out)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		q, err := sweep.SlurmCLI{}.Queue(ctx, job)
		if err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		if len(q) == 0 && err == nil {
			break
		}
		if ctx.Err() != nil {
			exec.Command("scancel", job).Run()
			t.Fatalf("job %s still queued after %v: %v", job, limit, q)
		}
		time.Sleep(time.Second)
	}
	out, errs, code = runMain(t, "sweep", "status", dir)
	if code != 0 || !strings.Contains(out, "(100.0%), running 0, failed 0, pending 0") {
		t.Fatalf("status exit %d:\n%s%s\n%s", code, out, errs, slurmLogs(filepath.Join(dir, "slurm", "*", "logs", "*")))
	}
}

// sweepCounts returns the class counts of a finished sweep.
func sweepCounts(t *testing.T, dir string) (map[string]int, []*sweep.Result) {
	t.Helper()
	sw, err := sweep.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rs, missing := sw.Results()
	if len(missing) > 0 {
		t.Fatalf("%s: %d networks missing", dir, len(missing))
	}
	return sweep.CensusOf(rs).Counts, rs
}

// TestSweepExamplesSmallScience runs both small example sweeps end to end:
// locally with two workers, then through the real Slurm as packed job
// arrays; every result and network file of the Slurm run must equal the
// local run's byte for byte, and `attractor sweep report` must print the
// census and a phase diagram and write the SVG and CSV files. It then
// reports the science of the small variants: EC-16's census among
// trainable networks, EC-24's monotonicity and EC-25's scaling fit.
func TestSweepExamplesSmallScience(t *testing.T) {
	sweepSlurmUp(t)
	began := time.Now()
	type example struct {
		file       string
		n, pack    int
		reportArgs []string
		phase      string // a phase table the report must print
	}
	examples := []example{
		{file: "ghazizadeh-census-small.toml", n: 4, pack: 2, reportArgs: []string{"--x", "g", "--y", "seed"}, phase: "(rows seed, columns g)"},
		{file: "kurtkaya-phase-small.toml", n: 18, pack: 3, reportArgs: []string{"--x", "delay_ms", "--y", "lr", "--scaling", "lr,delay_ms"},
			phase: "fraction unable  (rows lr, columns delay_ms)"},
	}
	dirs, reports := map[string]string{}, map[string]string{}
	for _, ex := range examples {
		spec := filepath.Join("..", "examples", ex.file)
		local := filepath.Join(t.TempDir(), "local")
		t0 := time.Now()
		if _, errs, code := runMain(t, "sweep", spec, "-o", local, "--workers", "2"); code != 0 {
			t.Fatalf("%s: local sweep: %s", ex.file, errs)
		}
		tl := time.Since(t0)
		t0 = time.Now()
		sl := filepath.Join(t.TempDir(), "slurm")
		sweepViaSlurm(t, spec, sl, ex.pack, 12*time.Minute)
		t.Logf("%s: %d networks, local (2 workers) %v, Slurm (--pack %d, 2 running) %v", ex.file, ex.n, tl.Round(time.Second), ex.pack, time.Since(t0).Round(time.Second))
		compareFiles(t, sweepFiles(t, local, ex.n), sweepFiles(t, sl, ex.n))
		out, errs, code := runMain(t, append([]string{"sweep", "report", local}, ex.reportArgs...)...)
		if code != 0 {
			t.Fatalf("%s: report: exit %d: %s", ex.file, code, errs)
		}
		if !strings.Contains(out, "class               count  fraction") || !strings.Contains(out, fmt.Sprintf("%-16s %8d %8.1f%%", "total", ex.n, 100.0)) {
			t.Fatalf("%s: no census in the report:\n%s", ex.file, out)
		}
		if !strings.Contains(out, ex.phase) {
			t.Fatalf("%s: no phase table %q in the report:\n%s", ex.file, ex.phase, out)
		}
		svgs, _ := filepath.Glob(filepath.Join(local, "report", "phase_*.svg"))
		if _, err := os.Stat(filepath.Join(local, "report", "census.svg")); err != nil || len(svgs) == 0 {
			t.Fatalf("%s: census.svg %v, %d phase SVGs", ex.file, err, len(svgs))
		}
		csv, err := os.ReadFile(filepath.Join(local, sweep.CSVFile))
		if err != nil || strings.Count(string(csv), "\n") != ex.n+1 {
			t.Fatalf("%s: results.csv: %v\n%s", ex.file, err, csv)
		}
		t.Logf("%s report:\n%s", ex.file, out)
		dirs[ex.file], reports[ex.file] = local, out
	}

	// EC-16 (the census's ordering DFP > IFP > LC > Mix among trainable
	// networks) is measured on the N = 1000 census
	// (examples/ghazizadeh-census-n1000.toml, docs/reproduction.md): at
	// N = 300 no network passes the trainability test. The small census is
	// logged; that the sweep's class is the verdict `attractor inspect`
	// computes is TestSweepMechanismAnalysis.
	_, rs := sweepCounts(t, dirs["ghazizadeh-census-small.toml"])
	for _, r := range rs {
		t.Logf("census network %d (g %v, seed %v): %s (authors' classifier %v → %v); trainable: spec %v, code %v; %v of %v test trials passed, max RMSE %v",
			r.Index, r.Params["g"], r.Params["seed"], r.Class, r.Analyses["mechanism"]["code_label"], r.Analyses["mechanism"]["code_mechanism"],
			r.Analyses["trainability"]["trainable"], r.Analyses["trainability"]["code_trainable"],
			r.Analyses["trainability"]["test_trials_passed"], r.Analyses["trainability"]["test_trials"], r.Analyses["trainability"]["test_rmse_max"])
	}

	// EC-24 on the phase diagram: P(unable) rises with the delay at fixed
	// lr and with lr at fixed delay (±10 %), and SP dominates at the
	// smallest lr and the shortest delay. With 2 seeds per cell one network
	// is 50 %; training is deterministic, so this is a regression check of
	// the measured picture as much as of the paper's claim.
	sw, err := sweep.Open(dirs["kurtkaya-phase-small.toml"])
	if err != nil {
		t.Fatal(err)
	}
	prs, _ := sw.Results()
	p, err := sw.PhaseDiagram(prs, "delay_ms", "lr")
	if err != nil {
		t.Fatal(err)
	}
	lrs := make([]float64, len(p.YVals))
	for j, v := range p.YVals {
		lrs[j], _ = strconv.ParseFloat(v, 64)
	}
	var viol []string
	worst := 0.0
	for j := range p.YVals {
		for i := 1; i < len(p.XVals); i++ {
			if d := p.Fraction("unable", i-1, j) - p.Fraction("unable", i, j); d > 0.1 {
				viol = append(viol, fmt.Sprintf("lr %s: P(unable) %.2f at %s ms > %.2f at %s ms", p.YVals[j], p.Fraction("unable", i-1, j), p.XVals[i-1], p.Fraction("unable", i, j), p.XVals[i]))
				worst = math.Max(worst, d)
			}
		}
	}
	for i := range p.XVals {
		for j := range p.YVals {
			for k := range p.YVals {
				if lrs[k] > lrs[j] {
					if d := p.Fraction("unable", i, j) - p.Fraction("unable", i, k); d > 0.1 {
						viol = append(viol, fmt.Sprintf("delay %s ms: P(unable) %.2f at lr %s > %.2f at lr %s", p.XVals[i], p.Fraction("unable", i, j), p.YVals[j], p.Fraction("unable", i, k), p.YVals[k]))
						worst = math.Max(worst, d)
					}
				}
			}
		}
	}
	t.Logf("EC-24: %d monotonicity violations beyond 10 %%: %v", len(viol), viol)
	rec24 := repro.New(t, "EC-24", "cli", "examples/kurtkaya-phase-small.toml: lr 0.316, 0.1, 0.0316 × delay 0, 100, 200 ms × 2 seeds, 300 epochs")
	rec24.Measure("largest fall of P(unable) along delay or lr", "", "none beyond ± 10 %", "≤ 0.1").Add(worst, -1)
	if worst > 0 {
		t.Errorf("EC-24: P(unable to learn) falls by up to %.2f: %v", worst, viol)
	}
	small := 0
	for j := range lrs {
		if lrs[j] < lrs[small] {
			small = j
		}
	}
	rec24.Measure("SP fraction at the smallest lr and shortest delay", "", "SP dominates", "> 0.5").Add(p.Fraction("SP", 0, small), -1)
	if f := p.Fraction("SP", 0, small); f <= 0.5 {
		t.Errorf("EC-24: SP fraction %.2f at lr %s, delay %s ms; want it to dominate", f, p.YVals[small], p.XVals[0])
	}
	// EC-25 is TestKnownDeviation_EC25_ScalingExponent, on this report.
	sweepSmallPhaseReport = reports["kurtkaya-phase-small.toml"]
	cls, _ := sweepCounts(t, dirs["kurtkaya-phase-small.toml"])
	if len(cls) < 2 {
		t.Errorf("the small phase diagram has only the classes %v; want at least two", cls)
	}
	t.Logf("phase classes: %v; total wall time %v", cls, time.Since(began).Round(time.Second))
}

// sweepSmallPhaseReport is the report of the small phase sweep of
// TestSweepExamplesSmallScience, for TestKnownDeviation_EC25_ScalingExponent.
var sweepSmallPhaseReport string

// TestKnownDeviation_EC25_ScalingExponent is EC-25 on the small phase
// sweep (three learning rates, three delays, two seeds): the slope B of
// log(lr) against log(T₀) should tell the slow-point theory (B ≈ −4…−5)
// from the limit-cycle one (−2…−3). With three points its 95 % interval
// (−29.6 … 22.5 when the deviation was named) contains both, so the small
// variant cannot decide; the 400-network phase sweep
// (examples/kurtkaya-phase-medium.toml) is to. Asserted: B itself lies in
// the union of the two theories' ranges, −5 … −2 (it was −3.55).
func TestKnownDeviation_EC25_ScalingExponent(t *testing.T) {
	if sweepSmallPhaseReport == "" {
		t.Fatal("needs the small phase sweep of TestSweepExamplesSmallScience (run them together: -run 'TestSweepExamplesSmallScience|TestKnownDeviation_EC25')")
	}
	out := sweepSmallPhaseReport
	var b, lo, hi float64
	i := strings.Index(out, "B = ")
	if i < 0 {
		t.Fatalf("no scaling law in the report:\n%s", out)
	}
	if _, err := fmt.Sscanf(out[i:], "B = %f (95%% CI %f … %f)", &b, &lo, &hi); err != nil {
		t.Fatalf("%v in %q", err, out[i:])
	}
	rec := repro.New(t, "EC-25", "cli", "examples/kurtkaya-phase-small.toml: 3 lr × 3 delays × 2 seeds, 300 epochs")
	rec.Deviates("three learning rates give a 95 % interval that contains both theories' exponents; the phase sweep is to decide")
	rec.Measure("B (log lr = B log T₀ + log A)", "", "−4…−5 (SP) or −2…−3 (LC)", "named deviation: B in −5 … −2").Add(b, -1)
	rec.Measure("B's 95 % interval, lower end", "", "", "").Add(lo, -1)
	rec.Measure("B's 95 % interval, upper end", "", "", "").Add(hi, -1)
	t.Logf("EC-25: B = %.3f (95 %% CI %.3f … %.3f)", b, lo, hi)
	if !(b >= -5 && b <= -2) {
		t.Errorf("EC-25: B = %.3f outside both theories' ranges (−5 … −2)", b)
	}
	if hi < -4 || lo > -3 || (lo > -5 && hi < -2) {
		t.Logf("the interval now excludes one theory: EC-25 may reproduce; rename this test")
	}
}

// TestKnownDeviation_EC26_PostPeriod is EC-26 on a small full-rank sweep: the
// DCDT with and without the 30 ms post-reaction period (docs/science.md §5.2,
// loss on the last 16 steps), lr 0.1, delay 100 ms, the reference code's
// max(1000, 30/lr) and max(1000, 100/lr) = 1000 epochs, 8 seeds each
// (3.5 min of CPU); the LC fraction with post against without by Fisher's exact test
// (one-sided, greater). The paper's claim (post favours LC, significantly)
// is not reproduced at this size: p = 0.30 when the deviation was named
// (issue 19). The test records the table and p and fails if the LC
// fraction with the post period falls below the fraction without (the
// effect reverses, moving away from the published one).
func TestKnownDeviation_EC26_PostPeriod(t *testing.T) {
	spec := writeSpec(t, `name = "ec26-small"
task = "dcdt"
analyses = ["learning", "phase"]
seeds = 8
[base]
hidden = 100
lr = 0.1
delay_ms = 100
[grid]
post = [false, true]
`)
	dir := filepath.Join(t.TempDir(), "post")
	began := time.Now()
	if _, errs, code := runMain(t, "sweep", spec, "-o", dir, "--workers", "2"); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	_, rs := sweepCounts(t, dir)
	var tab [2][3]int // [post][LC, SP, unable]
	for _, r := range rs {
		post := 0
		if r.Params["post"] == true {
			post = 1
		}
		switch r.Class {
		case "LC":
			tab[post][0]++
		case "SP":
			tab[post][1]++
		default:
			tab[post][2]++
		}
	}
	a, b := tab[1][0], tab[1][1]+tab[1][2]
	c, d := tab[0][0], tab[0][1]+tab[0][2]
	f, err := sweep.FisherExact(a, b, c, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("EC-26 (%v): with post LC %d, SP %d, unable %d; without post LC %d, SP %d, unable %d; Fisher exact [[%d %d] [%d %d]]: p(greater) = %.4g, two-sided %.4g, odds ratio %.3g",
		time.Since(began).Round(time.Second), tab[1][0], tab[1][1], tab[1][2], tab[0][0], tab[0][1], tab[0][2], a, b, c, d, f.Greater, f.TwoSided, f.OddsRatio)
	// Among the networks that learned: LC against SP.
	fl, err := sweep.FisherExact(tab[1][0], tab[1][1], tab[0][0], tab[0][1])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("EC-26 among learned networks: Fisher exact [[%d %d] [%d %d]] (LC, SP; post, no post): p(greater) = %.4g, two-sided %.4g",
		tab[1][0], tab[1][1], tab[0][0], tab[0][1], fl.Greater, fl.TwoSided)
	rec := repro.New(t, "EC-26", "cli", "full-rank DCDT, lr 0.1, delay 100 ms, 1000 epochs, 8 seeds with and 8 without the 30 ms post period")
	rec.Deviates("8 seeds per condition: the LC excess with the post period is not significant (one-sided Fisher p ≥ 0.05); the rank-2 study of 100 seeds per condition is not run")
	rec.Measure("LC fraction with post − without", "", "> 0, Fisher exact p < 0.05", "named deviation: ≥ 0").Add(float64(a-c)/8, -1)
	rec.Measure("one-sided Fisher exact p (LC vs not, post vs no post)", "", "< 0.05", "logged").Add(f.Greater, -1)
	if a < c {
		t.Errorf("EC-26: LC in %d of 8 with the post period, %d of 8 without: the effect reversed", a, c)
	}
	if f.Greater < 0.05 {
		t.Logf("p = %.3g < 0.05: EC-26 reproduces at this size; rename this test", f.Greater)
	}
}
