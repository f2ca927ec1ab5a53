package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const fakeSpec = `name = "fake grid"
task = "fake"
analyses = ["parity"]
seeds = 2

[base]
units = 4

[grid]
x = [0.5, 2.0, 3.0]
label = ["a", "b"]
`

func mustSpec(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := ParseSpec("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseSpecGrid(t *testing.T) {
	s := mustSpec(t, fakeSpec)
	if s.Len() != 12 {
		t.Fatalf("Len = %d, want 3·2·2 = 12", s.Len())
	}
	if got := strings.Join(s.Fields(), ","); got != "x,label,seed" {
		t.Fatalf("fields %s, want file order then seed", got)
	}
	// Last axis fastest: index 5 = x[1], label[0], seed[1].
	p := s.Params(5)
	if p["x"] != 2.0 || p["label"] != "a" || p["seed"] != int64(1) {
		t.Fatalf("Params(5) = %v", p)
	}
	c := s.Config(5)
	if c["units"] != int64(4) || c["x"] != 2.0 {
		t.Fatalf("Config(5) = %v", c)
	}
}

func TestAxisGenerators(t *testing.T) {
	s := mustSpec(t, `task = "fake"
[grid]
x = { logspace = [-1, -3, 3] }
units = { range = [1, 9, 4] }
`)
	xs := s.Axes[0].Values
	want := []float64{0.1, 0.01, 0.001}
	for i, w := range want {
		if math.Abs(xs[i].(float64)-w) > 1e-15 {
			t.Fatalf("logspace %v, want %v", xs, want)
		}
	}
	us := s.Axes[1].Values
	if len(us) != 3 || us[0] != int64(1) || us[2] != int64(9) {
		t.Fatalf("range %v, want [1 5 9] as integers", us)
	}
	l := mustSpec(t, "task = \"fake\"\n[grid]\nx = { linspace = [0, 1, 5] }\n")
	if v := l.Axes[0].Values; len(v) != 5 || v[1] != 0.25 || v[4] != 1.0 {
		t.Fatalf("linspace %v", v)
	}
}

func TestRandomDraws(t *testing.T) {
	src := `task = "fake"
[grid]
units = [1, 2]
[random]
seed = 7
draws = 50
x = { loguniform = [0.01, 1] }
label = { choice = ["p", "q"] }
`
	s := mustSpec(t, src)
	if s.Len() != 100 {
		t.Fatalf("Len %d, want 2·50", s.Len())
	}
	seen := map[any]bool{}
	for i := 0; i < s.Len(); i++ {
		p := s.Params(i)
		x := p["x"].(float64)
		if x < 0.01 || x > 1 {
			t.Fatalf("draw %v outside [0.01, 1]", x)
		}
		seen[p["label"]] = true
		// Draw d is the same at every grid point.
		if q := s.Params((i + 50) % 100); q["x"] != p["x"] || q["draw"] != p["draw"] {
			t.Fatalf("draw %v differs between grid points: %v vs %v", p["draw"], p, q)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("choice drew %v", seen)
	}
	s2 := mustSpec(t, src)
	if s.Hash() != s2.Hash() || s.Params(33)["x"] != s2.Params(33)["x"] {
		t.Fatal("random draws not reproducible")
	}
}

func TestSpecErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"unknown field", "task = \"fake\"\n\n[grid]\nx = [1]\ngg = [1, 2]\n", "test.toml:5: grid.gg: task \"fake\" has no field \"gg\""},
		{"bad grid value", "task = \"fake\"\n[grid]\nx = [1, -2]\n", "test.toml:3: grid.x: value 1 (-2): x = -2 must be non-negative"},
		{"wrong type", "task = \"fake\"\n[base]\nunits = \"many\"\n", "test.toml:2: base: field units wants a int"},
		{"unknown task", "\ntask = \"nope\"\n", "test.toml:2: task: unknown task \"nope\""},
		{"unknown analysis", "task = \"fake\"\nanalyses = [\"verdict?\"]\n", "test.toml:2: analyses: unknown analysis"},
		{"analysis of other task", "task = \"fake\"\nanalyses = [\"trainability\"]\n", "analysis \"trainability\" works on tasks spm"},
		{"generator", "task = \"fake\"\n[grid]\nx = { geomspace = [1, 2, 3] }\n", "test.toml:3: grid.x: unknown generator \"geomspace\""},
		{"random seed", "task = \"fake\"\n[random]\ndraws = 3\nx = { uniform = [0, 1] }\n", "test.toml:2: random.seed: a non-negative integer seed is required"},
		{"random dist", "task = \"fake\"\n[random]\nseed = 1\ndraws = 3\nx = { uniform = [1, 0] }\n", "test.toml:5: random.x: uniform wants [min, max]"},
		{"syntax", "task = \"fake\"\n[grid]\nx = [1, 2\ny = 3\n", "test.toml:4:"},
		{"top key", "task = \"fake\"\nworkers = 3\n", "test.toml:2: workers: unknown key"},
		{"seeds twice", "task = \"fake\"\nseeds = 2\n[grid]\nseed = [1]\n", "test.toml:4: grid.seed: seeds are given both"},
		{"bad seeds", "task = \"fake\"\nseeds = [0, -1]\n", "test.toml:2: seeds: value 1 (-1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseSpec("test.toml", []byte(c.src))
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q\nwant it to contain %q", err, c.want)
			}
		})
	}
}

func newFakeSweep(t *testing.T, src string) *Sweep {
	t.Helper()
	s, err := Create(t.TempDir(), mustSpec(t, src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// snapshot returns every network's result and network bytes.
func snapshot(t *testing.T, s *Sweep) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for i := 0; i < s.Spec.Len(); i++ {
		for _, f := range []string{ResultFile, NetworkFile} {
			b, err := os.ReadFile(filepath.Join(s.NetDir(i), f))
			if err != nil {
				t.Fatalf("network %d: %v", i, err)
			}
			out[fmt.Sprintf("%d/%s", i, f)] = b
		}
	}
	return out
}

func TestRunLocalAndResume(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	var calls int
	p, err := s.Run(context.Background(), RunOptions{Workers: 2, Progress: func(Progress) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 12 || p.New != 12 || p.Failed != 0 || calls == 0 {
		t.Fatalf("progress %+v after %d calls", p, calls)
	}
	first := snapshot(t, s)
	r, err := s.ReadResult(5, true)
	if err != nil {
		t.Fatal(err)
	}
	// Network 5: x = 2, seed 1, 4 units: loss 2/(4+1+1).
	if r.Class != "big-odd" || r.Loss == nil || math.Abs(*r.Loss-2.0/6) > 1e-15 || r.Units != 4 {
		t.Fatalf("result 5 = %+v", r)
	}
	// No claims or work directories are left behind.
	ents, _ := os.ReadDir(s.NetDir(5))
	for _, e := range ents {
		if e.Name() != ResultFile && e.Name() != NetworkFile && e.Name() != TimingFile {
			t.Fatalf("left over %s", e.Name())
		}
	}
	// Each network has its timing; one worker at a time gives the cost.
	tm, err := s.ReadTiming(5)
	if err != nil || tm.Workers != 2 || tm.WallSeconds <= 0 || tm.ResumedAt != 0 {
		t.Fatalf("timing of network 5: %+v, %v", tm, err)
	}
	if c := s.Cost(); c.Networks != 0 {
		t.Fatalf("cost from a two-worker run: %+v (want none: their CPU times are shared)", c)
	}
	// Running again trains nothing and changes nothing.
	p, err = s.Run(context.Background(), RunOptions{Workers: 2})
	if err != nil || p.New != 0 || p.Done != 12 {
		t.Fatalf("rerun: %+v, %v", p, err)
	}
	if !equalSnap(first, snapshot(t, s)) {
		t.Fatal("rerun changed results")
	}
	// Corrupt two networks: a truncated result and a damaged network file.
	res3 := filepath.Join(s.NetDir(3), ResultFile)
	os.WriteFile(res3, first["3/"+ResultFile][:20], 0o644)
	net7 := filepath.Join(s.NetDir(7), NetworkFile)
	os.WriteFile(net7, append([]byte("x"), first["7/"+NetworkFile]...), 0o644)
	os.Remove(filepath.Join(s.NetDir(9), ResultFile))
	p, err = s.Run(context.Background(), RunOptions{Workers: 1})
	if err != nil || p.New != 3 {
		t.Fatalf("repair run: %+v, %v (want 3 networks retrained)", p, err)
	}
	if !equalSnap(first, snapshot(t, s)) {
		t.Fatal("repaired results differ from the originals")
	}
	if _, err := os.Stat(res3 + ".corrupt"); err != nil {
		t.Fatalf("corrupt result not kept aside: %v", err)
	}
	// The CSV table.
	rs, missing, err := s.WriteResultsCSV()
	if err != nil || len(rs) != 12 || len(missing) != 0 {
		t.Fatalf("csv: %d results, missing %v, %v", len(rs), missing, err)
	}
	f, _ := os.Open(filepath.Join(s.Dir, CSVFile))
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 13 {
		t.Fatalf("csv rows %d, %v", len(rows), err)
	}
	head := strings.Join(rows[0], ",")
	if !strings.HasPrefix(head, "index,id,status,class,x,label,seed,units,final_loss,final_accuracy,final_reliability,parity.class,parity.label,parity.seed,network") {
		t.Fatalf("csv header %s", head)
	}
	if rows[6][3] != "big-odd" || rows[6][4] != "2" || rows[6][6] != "1" {
		t.Fatalf("csv row 5: %v", rows[6])
	}
}

func equalSnap(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestCreateRefusesOtherSweep(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	// Comments do not matter.
	if _, err := Create(s.Dir, mustSpec(t, "# a comment\n"+fakeSpec)); err != nil {
		t.Fatal(err)
	}
	_, err := Create(s.Dir, mustSpec(t, strings.Replace(fakeSpec, "units = 4", "units = 5", 1)))
	if !errors.Is(err, ErrOtherSweep) {
		t.Fatalf("err %v, want ErrOtherSweep", err)
	}
	if _, err := Open(s.Dir); err != nil {
		t.Fatal(err)
	}
}

func TestClaims(t *testing.T) {
	s := newFakeSweep(t, "task = \"fake\"\nseeds = 4\n")
	write := func(i, gen int, rec claimRecord, age time.Duration) {
		name := filepath.Join(s.NetDir(i), fmt.Sprintf("claim.%d", gen))
		os.MkdirAll(s.NetDir(i), 0o755)
		b, _ := json.Marshal(rec)
		os.WriteFile(name, b, 0o644)
		old := time.Now().Add(-age)
		os.Chtimes(name, old, old)
	}
	// 0: a dead process on this host; 1: a live one (this test's parent);
	// 2: another host, fresh heartbeat; 3: another host, stale heartbeat.
	write(0, 1, claimRecord{Host: s.host, PID: 1 << 30, Token: "dead"}, 0)
	ppid := os.Getppid()
	write(1, 1, claimRecord{Host: s.host, PID: ppid, Start: procStart(ppid), Token: "live"}, 0)
	write(2, 3, claimRecord{Host: "elsewhere", PID: 5, Token: "fresh"}, time.Minute)
	write(3, 1, claimRecord{Host: "elsewhere", PID: 5, Token: "old"}, time.Hour)
	// A live pid whose start time differs is a reused pid: stale.
	if processAlive(ppid, "1") {
		t.Fatal("a reused pid counts as alive")
	}
	p, err := s.Run(context.Background(), RunOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p.New != 2 || p.Held != 2 {
		t.Fatalf("progress %+v, want networks 0 and 3 trained, 1 and 2 held", p)
	}
	for i, want := range []bool{true, false, false, true} {
		_, err := s.ReadResult(i, true)
		if (err == nil) != want {
			t.Fatalf("network %d: result %v, want done=%v", i, err, want)
		}
	}
	st := s.Scan()
	if st.Done != 2 || st.Running != 2 {
		t.Fatalf("scan %+v", st)
	}
}

func TestConcurrentRunsCommitOnce(t *testing.T) {
	s := newFakeSweep(t, "task = \"fake\"\nseeds = 24\n[base]\nsleep_ms = 2\n")
	// Two sweeps of the same directory (as two processes would be).
	s2, err := Open(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ps := make([]Progress, 2)
	for k, sw := range []*Sweep{s, s2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := sw.Run(context.Background(), RunOptions{Workers: 2})
			if err != nil {
				t.Error(err)
			}
			ps[k] = p
		}()
	}
	wg.Wait()
	if n := ps[0].New + ps[1].New; n != 24 {
		t.Fatalf("committed %d + %d results, want 24 in all", ps[0].New, ps[1].New)
	}
	if st := s.Scan(); st.Done != 24 {
		t.Fatalf("scan %+v", st)
	}
}

func TestFailuresAndDivergence(t *testing.T) {
	s := newFakeSweep(t, "task = \"fake\"\n[grid]\nfail = [false, true]\ndiverge_at = [0, 2]\n")
	_, err := s.Run(context.Background(), RunOptions{})
	var re *RunError
	// Network 2 fails; 3 diverges before its failing checkpoint.
	if !errors.As(err, &re) || len(re.Failed) != 1 || re.Failed[2] == nil {
		t.Fatalf("err %v, want network 2 failed", err)
	}
	if b, err := os.ReadFile(filepath.Join(s.NetDir(2), ErrorFile)); err != nil || !strings.Contains(string(b), "fake failure") {
		t.Fatalf("error.json: %s, %v", b, err)
	}
	st := s.Scan()
	if st.Done != 3 || st.Failed != 1 || st.FailedIndex[0] != 2 {
		t.Fatalf("scan %+v", st)
	}
	r, err := s.ReadResult(1, true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "diverged" || r.Class != "diverged" || r.Units != 1 {
		t.Fatalf("diverged result %+v", r)
	}
}

func TestCancelReleasesClaims(t *testing.T) {
	s := newFakeSweep(t, "task = \"fake\"\nseeds = 6\n[base]\nsleep_ms = 200\nunits = 2\n")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := s.Run(ctx, RunOptions{Workers: 2})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	for i := 0; i < 6; i++ {
		if g, _ := latestClaim(s.NetDir(i)); g != 0 {
			t.Fatalf("network %d: claim %d left behind", i, g)
		}
	}
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
}

// fakeSlurm runs the array tasks in-process when asked for the queue.
type fakeSlurm struct {
	s       *Sweep
	script  string
	ran     bool
	failing map[int]bool
	states  map[int]TaskState
}

func (f *fakeSlurm) Submit(ctx context.Context, script string) (string, error) {
	f.script = script
	return "4242", nil
}

func (f *fakeSlurm) Queue(ctx context.Context, id string) (map[int]string, error) {
	if !f.ran {
		f.ran = true
		sub, err := f.s.Submission("001")
		if err != nil {
			return nil, err
		}
		f.states = map[int]TaskState{}
		for k := range sub.Tasks {
			if f.failing[k] {
				os.WriteFile(f.s.LogPath(sub, k), []byte("task 1\nout of memory\n"), 0o644)
				f.states[k] = TaskState{State: "OUT_OF_MEMORY", ExitCode: "0:125"}
				continue
			}
			if _, err := f.s.RunTask(ctx, "001", k, RunOptions{}); err != nil {
				return nil, err
			}
			f.states[k] = TaskState{State: "COMPLETED", ExitCode: "0:0"}
		}
		return map[int]string{0: "RUNNING"}, nil
	}
	return map[int]string{}, nil
}

func (f *fakeSlurm) Finished(ctx context.Context, id string) (map[int]TaskState, error) {
	return f.states, nil
}

func (f *fakeSlurm) Cancel(ctx context.Context, id string) error { return nil }

func TestSlurmSubmitFake(t *testing.T) {
	s := newFakeSweep(t, "task = \"fake\"\nseeds = 10\n")
	// Network 4 is already done: it is not submitted again.
	if err := s.RunOne(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	fs := &fakeSlurm{s: s, failing: map[int]bool{2: true}}
	sub, err := s.Submit(context.Background(), fs, SlurmOptions{Pack: 3, MaxRunning: 2, Binary: "/bin/attractor",
		Time: "0:10:00", Mem: "1G", Partition: "debug", Env: map[string]string{"A": "it's"}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sub.Tasks) != "[[0 3 7] [1 5 8] [2 6 9]]" || sub.JobID != "4242" { // strided packs
		t.Fatalf("submission %+v", sub)
	}
	b, _ := os.ReadFile(fs.script)
	script := string(b)
	for _, want := range []string{"#SBATCH --array=0-2%2\n", "#SBATCH --time=0:10:00\n", "#SBATCH --mem=1G\n",
		"#SBATCH --partition=debug\n", "export A='it'\\''s'\n", "'/bin/attractor' sweep run-task",
		`--submission 001 --index "$SLURM_ARRAY_TASK_ID" --workers 1`, "%A_%a.out"} {
		if !strings.Contains(script, want) {
			t.Fatalf("script lacks %q:\n%s", want, script)
		}
	}
	var polls []int
	if err := s.Wait(context.Background(), fs, sub, time.Millisecond, func(q int) { polls = append(polls, q) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(polls) != "[1 0]" {
		t.Fatalf("polls %v", polls)
	}
	st, err := s.SlurmState(context.Background(), fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Failed) != 1 || st.Failed[0].Task != 2 || fmt.Sprint(st.Failed[0].Missing) != "[2 6 9]" ||
		st.Failed[0].State != "OUT_OF_MEMORY" || st.Failed[0].LastLine != "out of memory" ||
		!strings.HasSuffix(st.Failed[0].Log, "slurm/001/logs/4242_2.out") {
		t.Fatalf("status %+v", st)
	}
	// A second submission covers only what is missing.
	sub2, err := s.Submit(context.Background(), &fakeSlurm{s: s}, SlurmOptions{Pack: 5, Binary: "/bin/attractor"})
	if err != nil || sub2.Name != "002" || fmt.Sprint(sub2.Tasks) != "[[2 6 9]]" {
		t.Fatalf("second submission %+v, %v", sub2, err)
	}
}

func TestParseSlurmOutput(t *testing.T) {
	q := parseTaskLines("17_0|RUNNING\n17_[3-9%2]|PENDING\n17_2|PENDING\n18_1|RUNNING\n", "17", func(f []string) string { return f[1] })
	if len(q) != 2 || q[0] != "RUNNING" || q[2] != "PENDING" {
		t.Fatalf("squeue parse %v", q)
	}
	sc := parseScontrol("JobId=20 ArrayJobId=19 ArrayTaskId=1 JobName=x JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0\n" +
		"JobId=19 ArrayJobId=19 ArrayTaskId=0 JobState=COMPLETED ExitCode=0:0\n")
	if sc[1].State != "FAILED" || sc[1].ExitCode != "1:0" || sc[0].State != "COMPLETED" {
		t.Fatalf("scontrol parse %v", sc)
	}
}

func TestReportCensusPhase(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	rs, _ := s.Results()
	c := CensusOf(rs)
	// x ∈ {0.5, 2, 3} × label × seed ∈ {0, 1}: small 2, small-odd 2, big 4, big-odd 4.
	if c.Total != 12 || c.Counts["big"] != 4 || c.Counts["big-odd"] != 4 || c.Counts["small"] != 2 || c.Classes[0] != "big" {
		t.Fatalf("census %+v", c)
	}
	var txt bytes.Buffer
	c.WriteText(&txt)
	if !strings.Contains(txt.String(), "big-odd                 4     33.3%") {
		t.Fatalf("census text:\n%s", txt.String())
	}
	p, err := s.PhaseDiagram(rs, "x", "seed")
	if err != nil {
		t.Fatal(err)
	}
	if p.Fraction("big", 1, 0) != 1 || p.Fraction("big", 0, 0) != 0 || p.Fraction("small-odd", 0, 1) != 1 || p.N[1][2] != 2 {
		t.Fatalf("phase %+v", p)
	}
	txt.Reset()
	p.WriteText(&txt, "big")
	if !strings.Contains(txt.String(), "         0    0.00    1.00    1.00") {
		t.Fatalf("phase text:\n%s", txt.String())
	}
	if _, err := s.PhaseDiagram(rs, "x", "units"); err == nil || !strings.Contains(err.Error(), "not a grid axis") {
		t.Fatalf("err %v", err)
	}
}

func TestLearningCheck(t *testing.T) {
	ones := func(n int, v float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	// Learns at epoch 5 (1-based) and stays: learned.
	acc := append(ones(4, 0.5), ones(16, 0.95)...)
	r := LearningCheck(acc, acc)
	if !r.Learned || r.First != 5 || r.Class != "learned" {
		t.Fatalf("%+v", r)
	}
	// Never reaches 0.8: no_learn, stab true as in the reference code.
	r = LearningCheck(ones(20, 0.7), ones(20, 0.7))
	if r.Learned || !r.Stable || r.Class != "no_learn" || r.First != 0 {
		t.Fatalf("%+v", r)
	}
	// Reaches it at epoch 1, then 10 of 20 epochs below 0.6: from e* there
	// are 2·10 values < 0.6 and 2·10 > 0.6, ratio 1 ≥ 0.1: unstable.
	osc := make([]float64, 20)
	for i := range osc {
		osc[i] = 0.9
		if i%2 == 1 {
			osc[i] = 0.3
		}
	}
	r = LearningCheck(osc, osc)
	if r.Learned || r.Stable || r.Class != "unstable" {
		t.Fatalf("%+v", r)
	}
	// One dip in 20 epochs: ratio 2/38 < 0.1, stable; last 10 % = last 2
	// epochs at 0.95: learned.
	dip := ones(20, 0.95)
	dip[10] = 0.5
	r = LearningCheck(dip, dip)
	if !r.Learned || !r.Stable {
		t.Fatalf("%+v", r)
	}
}
