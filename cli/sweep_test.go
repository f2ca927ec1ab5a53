package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
	"attractor/train/sweep"
)

// TestMain lets tests run the command line in a child process: with
// ATTRACTOR_CLI_MAIN=1 the test binary is attractor itself.
func TestMain(m *testing.M) {
	if os.Getenv("ATTRACTOR_CLI_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// attractorCmd returns a command running attractor with args: the binary
// named by $ATTRACTOR_BIN, or this test binary as attractor.
func attractorCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	if bin := os.Getenv("ATTRACTOR_BIN"); bin != "" {
		return exec.Command(bin, args...)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "ATTRACTOR_CLI_MAIN=1")
	return cmd
}

// A small SPM sweep: 2 g × 2 fb × 2 seeds of N = 60 networks trained for
// 40 trials, tested with one stimulus seed.
const cliSweepSpec = `name = "cli test"
task = "spm"
analyses = ["trainability"]
seeds = 2

[base]
hidden = 60
trials = 40

[grid]
g = [1.2, 1.5]
fb = [1, 10]

[analysis.trainability]
test_seeds = 1
`

func writeSpec(t *testing.T, src string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "spec.toml")
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func runMain(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// sweepFiles reads every network's result.json and net.npz.
func sweepFiles(t *testing.T, dir string, n int) map[string][]byte {
	t.Helper()
	sw, err := sweep.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for i := 0; i < n; i++ {
		for _, f := range []string{sweep.ResultFile, sweep.NetworkFile} {
			b, err := os.ReadFile(filepath.Join(sw.NetDir(i), f))
			if err != nil {
				t.Fatalf("network %d: %v", i, err)
			}
			files[fmt.Sprintf("%d/%s", i, f)] = b
		}
	}
	return files
}

func compareFiles(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d files, want %d", len(got), len(want))
	}
	for k, w := range want {
		if !bytes.Equal(w, got[k]) {
			t.Fatalf("%s differs from the uninterrupted sweep's", k)
		}
	}
}

func TestSweepCommand(t *testing.T) {
	spec := writeSpec(t, cliSweepSpec)
	dir := filepath.Join(t.TempDir(), "sw")
	out, errs, code := runMain(t, "sweep", spec, "-o", dir, "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "8/8 done, 0 running, 0 failed") || !strings.Contains(out, "total                   8    100.0%") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
	csv, err := os.ReadFile(filepath.Join(dir, sweep.CSVFile))
	if err != nil || strings.Count(string(csv), "\n") != 9 || !strings.HasPrefix(string(csv), "index,id,status,class,g,fb,seed,") {
		t.Fatalf("results.csv %v:\n%s", err, csv)
	}
	out, _, code = runMain(t, "sweep", "status", dir)
	if code != 0 || !strings.Contains(out, "done 8 (100.0%), running 0, failed 0, pending 0") {
		t.Fatalf("status:\n%s", out)
	}
	out, errs, code = runMain(t, "sweep", "report", dir)
	if code != 0 || !strings.Contains(out, "rows fb, columns g") {
		t.Fatalf("report exit %d:\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "report", "census.svg")); err != nil {
		t.Fatal(err)
	}
	// -o and --format: PNG and PDF figures, as `plot -o` writes them.
	figs := filepath.Join(t.TempDir(), "figs")
	_, errs, code = runMain(t, "sweep", "report", dir, "-o", figs, "--format", "png,PDF")
	if code != 0 {
		t.Fatalf("report --format png,PDF: exit %d: %s", code, errs)
	}
	for _, name := range []string{"census.png", "census.pdf", "phase_g_fb_" + fileSafe(strings.Fields(out[strings.Index(out, "fraction ")+len("fraction "):])[0]) + ".png"} {
		b, err := os.ReadFile(filepath.Join(figs, name))
		if err != nil {
			t.Fatal(err)
		}
		if magic := map[string]string{".png": "\x89PNG", ".pdf": "%PDF-"}[filepath.Ext(name)]; !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s does not start with %q", name, magic)
		}
		if !strings.Contains(errs, name) {
			t.Errorf("stderr does not name %s: %s", name, errs)
		}
	}
	if _, errs, code := runMain(t, "sweep", "report", dir, "--format", "gif"); code != 2 || !strings.Contains(errs, `--format "gif"`) {
		t.Errorf("--format gif: exit %d, stderr %q; want a usage error", code, errs)
	}
	// --json: one JSON document on stdout, notes on stderr.
	out, errs, code = runMain(t, "sweep", "status", dir, "--json")
	var st sweepStatusJSON
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.Total != 8 || st.Done != 8 || st.Pending != 0 || errs != "" {
		t.Fatalf("status --json: exit %d, %v, %+v, stderr %q\n%s", code, err, st, errs, out)
	}
	out, errs, code = runMain(t, "sweep", "report", dir, "--json")
	var rep sweepReportJSON
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Census.Total != 8 || rep.Phase == nil ||
		rep.Phase.X != "g" || rep.Phase.Y != "fb" || len(rep.Files) < 2 || !strings.Contains(errs, "wrote ") {
		t.Fatalf("report --json: exit %d, %v, %+v, stderr %q\n%s", code, err, rep, errs, out)
	}
	for cl, rows := range rep.Phase.Fractions {
		if len(rows) != len(rep.Phase.YValues) || len(rows[0]) != len(rep.Phase.XValues) {
			t.Errorf("class %s: %d×%d fractions for %d×%d cells", cl, len(rows), len(rows[0]), len(rep.Phase.YValues), len(rep.Phase.XValues))
		}
	}
	// export: a results-only copy resumes without training, and reports the same census.
	exp := filepath.Join(t.TempDir(), "exp")
	_, errs, code = runMain(t, "sweep", "export", dir, "-o", exp, "--keep", "none-such")
	if code != 0 || !strings.Contains(errs, "8 results, 0 with their network files, 8 without") {
		t.Fatalf("export exit %d: %s", code, errs)
	}
	_, errs, code = runMain(t, "sweep", filepath.Join(exp, sweep.SpecFile), "-o", exp)
	if code != 0 || !strings.Contains(errs, "8/8 done") {
		t.Fatalf("resume of the export: exit %d: %s", code, errs)
	}
	if nets, _ := filepath.Glob(filepath.Join(exp, "nets", "*", "*", sweep.NetworkFile)); len(nets) != 0 {
		t.Fatalf("resuming the export trained %d networks again", len(nets))
	}
	out1, _, _ := runMain(t, "sweep", "report", dir)
	out2, _, code := runMain(t, "sweep", "report", exp)
	if code != 0 || strings.ReplaceAll(out1, dir, "") != strings.ReplaceAll(out2, exp, "") {
		t.Fatalf("report of the export differs:\n%s\n---\n%s", out1, out2)
	}
	// A different spec in the same directory is refused.
	other := writeSpec(t, strings.Replace(cliSweepSpec, "trials = 40", "trials = 41", 1))
	if _, errs, code := runMain(t, "sweep", other, "-o", dir); code != 1 || !strings.Contains(errs, "different sweep") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// A spec error names file, line and field.
	bad := writeSpec(t, strings.Replace(cliSweepSpec, "fb = [1, 10]", "fb = [1, -10]", 1))
	if _, errs, code := runMain(t, "sweep", bad, "-o", t.TempDir()); code != 1 || !strings.Contains(errs, "spec.toml:12: grid.fb: value 1 (-10)") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestSweepKillResume starts the sweep as a child process, kills it with
// SIGKILL after random delays several times, finishes it, and checks that
// every network's result exists exactly once (a result, once written, is
// never rewritten) and equals an uninterrupted sweep's byte for byte.
func TestSweepKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the kill-and-resume test trains 16 networks several times")
	}
	src := strings.Replace(cliSweepSpec, "seeds = 2", "seeds = 4", 1)
	spec := writeSpec(t, src)
	const n = 16
	ref := filepath.Join(t.TempDir(), "ref")
	began := time.Now()
	if _, errs, code := runMain(t, "sweep", spec, "-o", ref, "--workers", "2"); code != 0 {
		t.Fatalf("reference sweep: %s", errs)
	}
	// Kill delays scale with how long a network takes on this machine.
	whole := time.Since(began)
	want := sweepFiles(t, ref, n)

	dir := filepath.Join(t.TempDir(), "killed")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("kill delays from seed %d, scaled to a whole sweep of %v", seed, whole.Round(time.Millisecond))
	type stamp struct {
		ino   uint64
		mtime time.Time
	}
	seen := map[int]stamp{}
	checkNeverRewritten := func() {
		for i := 0; i < n; i++ {
			name := filepath.Join(dir, "nets", "0000", fmt.Sprintf("%06d", i), sweep.ResultFile)
			fi, err := os.Stat(name)
			if err != nil {
				if _, ok := seen[i]; ok {
					t.Fatalf("network %d: result vanished: %v", i, err)
				}
				continue
			}
			st := stamp{fi.Sys().(*syscall.Stat_t).Ino, fi.ModTime()}
			if old, ok := seen[i]; ok && old != st {
				t.Fatalf("network %d: result was written twice", i)
			}
			seen[i] = st
		}
	}
	countDone := func() int {
		done := 0
		for i := 0; i < n; i++ {
			if _, err := os.Stat(filepath.Join(dir, "nets", "0000", fmt.Sprintf("%06d", i), sweep.ResultFile)); err == nil {
				done++
			}
		}
		return done
	}
	kills, resumed := 0, 0
	// Kill until every network is done (at most 12 rounds).
	for round := 0; round < 12 && len(seen) < n; round++ {
		cmd := attractorCmd(t, "sweep", spec, "-o", dir, "--workers", "2")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The child is killed by its progress, not by the clock (a loaded
		// machine makes the clock useless): once 1–3 more networks are done,
		// after a random part of one network's time, so the other worker is
		// caught mid-network.
		target := countDone() + 1 + rng.IntN(3)
		extra := time.Duration(rng.Int64N(int64(whole/n) + 1))
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		tick := time.NewTicker(5 * time.Millisecond)
	wait:
		for {
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("round %d: %v\n%s", round, err, errb.String())
				}
				break wait
			case <-tick.C:
				if countDone() < target {
					continue
				}
				select {
				case err := <-exited:
					if err != nil {
						t.Fatalf("round %d: %v\n%s", round, err, errb.String())
					}
				case <-time.After(extra):
					cmd.Process.Signal(syscall.SIGKILL)
					<-exited // reaped, so its pid is no longer alive
					kills++
				}
				break wait
			}
		}
		tick.Stop()
		resumed += strings.Count(errb.String(), "resumed from its checkpoint")
		checkNeverRewritten()
	}
	t.Logf("%d kills; %d of %d networks done before the final run", kills, len(seen), n)
	if kills < 2 {
		t.Fatalf("only %d kills: the child finished before the delays ran out", kills)
	}
	_, errs, code := runMain(t, "sweep", spec, "-o", dir, "--workers", "2")
	if code != 0 {
		t.Fatalf("final run: %s", errs)
	}
	resumed += strings.Count(errs, "resumed from its checkpoint")
	// Killed networks continue from their checkpoints (every 4 of the 40
	// trials) and still train to the same bytes.
	t.Logf("%d networks resumed from a checkpoint", resumed)
	if resumed == 0 {
		t.Errorf("no killed network was resumed from its checkpoint")
	}
	checkNeverRewritten()
	compareFiles(t, want, sweepFiles(t, dir, n))
	// Nothing of the killed workers is left: claims, work directories and
	// temporary files belong only to networks in flight.
	filepath.WalkDir(filepath.Join(dir, "nets"), func(p string, d os.DirEntry, err error) error {
		base := filepath.Base(p)
		if strings.HasPrefix(base, "claim.") || strings.HasPrefix(base, "work.") || strings.Contains(base, ".tmp") {
			t.Errorf("left over: %s", p)
		}
		return nil
	})
}

// TestSweepSlurmIntegration submits a packed job array to a real Slurm
// (scripts/start-local-slurm.sh starts one on this machine), waits for it
// and checks every result against a local run of the same sweep.
func TestSweepSlurmIntegration(t *testing.T) {
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("sbatch is not on PATH: start a local Slurm with scripts/start-local-slurm.sh to run this test")
	}
	if out, err := exec.Command("sinfo", "-h", "-o", "%a").Output(); err != nil || !strings.Contains(string(out), "up") {
		t.Fatalf("sbatch is on PATH but no partition is up (sinfo: %q, %v); start one with scripts/start-local-slurm.sh", out, err)
	}
	src := strings.Replace(cliSweepSpec, "seeds = 2", "seeds = 3", 1) // 12 networks
	spec := writeSpec(t, src)
	const n = 12
	ref := filepath.Join(t.TempDir(), "ref")
	if _, errs, code := runMain(t, "sweep", spec, "-o", ref, "--workers", "2"); code != 0 {
		t.Fatalf("local sweep: %s", errs)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sweepSlurmBinary, sweepSlurmEnv = exe, map[string]string{"ATTRACTOR_CLI_MAIN": "1"}
	defer func() { sweepSlurmBinary, sweepSlurmEnv = "", nil }()
	if bin := os.Getenv("ATTRACTOR_BIN"); bin != "" {
		sweepSlurmBinary, sweepSlurmEnv = bin, nil
	}
	dir := filepath.Join(t.TempDir(), "slurm")
	began := time.Now()
	out, errs, code := runMain(t, "sweep", spec, "-o", dir, "--slurm", "--pack", "4", "--max-running", "2", "--time", "5")
	if code != 0 {
		t.Fatalf("submit: exit %d: %s", code, errs)
	}
	job := strings.TrimSpace(out)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for {
		q, err := sweep.SlurmCLI{}.Queue(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) == 0 {
			break
		}
		if ctx.Err() != nil {
			exec.Command("scancel", job).Run()
			t.Fatalf("job %s still queued after 3 minutes: %v", job, q)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("job %s: %d networks in 3 array tasks took %s", job, n, time.Since(began).Round(time.Millisecond))
	out, errs, code = runMain(t, "sweep", "status", dir)
	if code != 0 || !strings.Contains(out, "done 12 (100.0%)") {
		t.Fatalf("status exit %d:\n%s%s\n%s", code, out, errs, slurmLogs(filepath.Join(dir, "slurm", "001", "logs", "*")))
	}
	compareFiles(t, sweepFiles(t, ref, n), sweepFiles(t, dir, n))
	logs, _ := filepath.Glob(filepath.Join(dir, "slurm", "001", "logs", job+"_*.out"))
	if len(logs) != 3 {
		t.Fatalf("%d task logs, want 3: %v", len(logs), logs)
	}
	// Resubmitting a finished sweep submits nothing.
	if _, errs, code := runMain(t, "sweep", spec, "-o", dir, "--slurm"); code != 0 || !strings.Contains(errs, "nothing to submit") {
		t.Fatalf("resubmit: exit %d: %s", code, errs)
	}
}

// scalingJob is a one-unit job for the report's scaling-law test.
type scalingJob struct{ cfg scalingConfig }

type scalingConfig struct {
	LR      float64 `json:"lr"`
	DelayMS int     `json:"delay_ms"`
	Seed    uint64  `json:"seed"`
}

func (j *scalingJob) Units() int { return 1 }
func (j *scalingJob) Step(ctx context.Context) (train.Metrics, error) {
	return train.Metrics{Loss: 1}, nil
}
func (j *scalingJob) Save(name string, done int) error { return saved.WriteNative(name, j.Network()) }
func (j *scalingJob) Network() *saved.Network {
	return &saved.Network{Net: model.RandomKurtkaya(2, 2, 2, model.NewRNG(j.cfg.Seed, 0))}
}

func init() {
	sweep.RegisterTrainer("scaling-test", sweep.StructTrainer(func() scalingConfig { return scalingConfig{} }, nil,
		func(scalingConfig) error { return nil },
		func(c scalingConfig) (sweep.Job, error) { return &scalingJob{c}, nil }))
	// Unable to learn when seed/10 < 1 − exp(−(T − T₀)/50) with the
	// critical delay T₀ = 2/√lr (lr = 0.04, 0.01, 0.0025 → T₀ = 10, 20,
	// 40): lr ∝ T₀^−2.
	sweep.RegisterAnalysis("scaling-class", sweep.Analysis{Tasks: []string{"scaling-test"},
		Run: func(ctx context.Context, in sweep.AnalysisInput) (map[string]any, error) {
			c := in.Job.(*scalingJob).cfg
			t0 := 2 / math.Sqrt(c.LR)
			f := 0.0
			if float64(c.DelayMS) >= t0 {
				f = 1 - math.Exp(-(float64(c.DelayMS)-t0)/50)
			}
			if float64(c.Seed)/10 < f {
				return map[string]any{"class": "no_learn"}, nil
			}
			return map[string]any{"class": "learned"}, nil
		}})
}

func TestSweepReportScaling(t *testing.T) {
	spec := writeSpec(t, `task = "scaling-test"
analyses = ["scaling-class"]
seeds = 10
[grid]
lr = [0.04, 0.01, 0.0025]
delay_ms = { range = [0, 400, 20] }
`)
	dir := filepath.Join(t.TempDir(), "sw")
	if _, errs, code := runMain(t, "sweep", spec, "-o", dir, "--workers", "2"); code != 0 {
		t.Fatalf("sweep: %s", errs)
	}
	out, errs, code := runMain(t, "sweep", "report", dir, "--scaling", "lr,delay_ms", "--class", "no_learn")
	if code != 0 {
		t.Fatalf("report: %s", errs)
	}
	// The fractions are the exp-saturation curve rounded to tenths, so the
	// fitted T₀ lie near 10, 20, 40 and the slope near −2.
	var b, lo, hi float64
	i := strings.Index(out, "B = ")
	if i < 0 {
		t.Fatalf("no scaling law in:\n%s", out)
	}
	if _, err := fmt.Sscanf(out[i:], "B = %f (95%% CI %f … %f)", &b, &lo, &hi); err != nil {
		t.Fatalf("%v in %q", err, out[i:])
	}
	t.Logf("%s", out[strings.Index(out, "critical delay"):])
	if math.Abs(b+2) > 0.3 || !(lo < b && b < hi) {
		t.Fatalf("B = %v (CI %v … %v), want about −2:\n%s", b, lo, hi, out)
	}
	if !strings.Contains(out, "fraction no_learn  (rows delay_ms, columns lr)") {
		t.Fatalf("phase table missing:\n%s", out)
	}
}

// TestSweepExamples checks that the example specifications load and
// expand to the sizes their comments state.
func TestSweepExamples(t *testing.T) {
	want := map[string]int{
		"ghazizadeh-census.toml":       7 * 6 * 4 * 4,
		"ghazizadeh-census-small.toml": 2 * 2,
		"kurtkaya-phase.toml":          15 * 21 * 100,
		"kurtkaya-phase-small.toml":    3 * 3 * 2,
	}
	for name, n := range want {
		spec, err := sweep.LoadSpec(filepath.Join("..", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		if spec.Len() != n {
			t.Errorf("%s: %d networks, want %d", name, spec.Len(), n)
		}
	}
}

// slurmLogs returns the array tasks' logs matching pattern, each after its
// name, for a failing test's message.
func slurmLogs(pattern string) string {
	logs, _ := filepath.Glob(pattern)
	var all string
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		all += l + ":\n" + string(b)
	}
	return all
}
