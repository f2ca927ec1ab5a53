package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"attractor/analysis"
	"attractor/internal/figure"
	"attractor/saved"
	"attractor/train/sweep"
)

func init() {
	register(&command{name: "sweep",
		args:  "SPEC.toml -o DIR [--workers N] [--slurm …] | status DIR | report DIR | export DIR -o DEST | run-task DIR --submission S --index I",
		short: "train a grid of networks (local pool or Slurm job arrays), resumably; census and phase diagrams",
		subs:  []string{"status", "report", "export", "run-task"},
		run:   runSweep})
	// The sweep analyses beyond train/sweep's own ("report", "mechanism",
	// "phase") live in analysis, which train/sweep cannot import.
	analysis.RegisterSweepAnalyses()
}

// sweepSlurmBinary and sweepSlurmEnv override the executable and the
// environment the batch script runs (tests re-execute their own binary).
var (
	sweepSlurmBinary string
	sweepSlurmArgs   []string
	sweepSlurmEnv    map[string]string
)

func runSweep(env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "status":
			return sweepStatus(env, args[1:])
		case "report":
			return sweepReport(env, args[1:])
		case "export":
			return sweepExport(env, args[1:])
		case "run-task":
			return sweepRunTask(env, args[1:])
		}
	}
	c := commands["sweep"]
	fs := newFlags(env, c)
	out := fs.String("o", "", "sweep directory (created; re-running resumes it)")
	workers := fs.Int("workers", 1, "networks trained at once on this machine")
	slurm := fs.Bool("slurm", false, "submit a Slurm job array instead of training here")
	partition := fs.String("partition", "", "Slurm partition (--slurm)")
	tlimit := fs.String("time", "", "time limit of one array task, e.g. 2:00:00 (--slurm)")
	mem := fs.String("mem", "", "memory of one array task, e.g. 2G (--slurm)")
	pack := fs.Int("pack", 10, "networks per array task (--slurm)")
	maxRunning := fs.Int("max-running", 0, "array tasks running at once, the %M of --array (--slurm; 0: no limit)")
	cpus := fs.Int("cpus", 1, "CPUs and workers per array task (--slurm)")
	wait := fs.Bool("wait", false, "wait for the job array to finish and print the status (--slurm)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("name one sweep specification (SPEC.toml)")
	}
	if *out == "" {
		return usageError("-o DIR is required")
	}
	if *workers < 1 || *pack < 1 || *cpus < 1 {
		return usageError("--workers, --pack and --cpus must be positive")
	}
	spec, err := sweep.LoadSpec(fs.Arg(0))
	if err != nil {
		return err
	}
	sweepProgram()
	sw, err := sweep.Create(*out, spec)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *slurm {
		bin := sweepSlurmBinary
		if bin == "" {
			if bin, err = os.Executable(); err != nil {
				return err
			}
		}
		sch := sweep.SlurmCLI{}
		sub, err := sw.Submit(ctx, sch, sweep.SlurmOptions{Partition: *partition, Time: *tlimit, Mem: *mem, Pack: *pack,
			MaxRunning: *maxRunning, CPUs: *cpus, Binary: bin, Args: sweepSlurmArgs, Env: sweepSlurmEnv})
		if err != nil {
			return err
		}
		if sub == nil {
			fmt.Fprintf(env.Stderr, "every network of %s is done; nothing to submit\n", *out)
			return nil
		}
		n := 0
		for _, t := range sub.Tasks {
			n += len(t)
		}
		fmt.Fprintf(env.Stderr, "submitted job %s: %d networks in %d array tasks (script %s)\n", sub.JobID, n, len(sub.Tasks), sub.Script)
		fmt.Fprintf(env.Stdout, "%s\n", sub.JobID)
		if !*wait {
			fmt.Fprintf(env.Stderr, "follow it with `attractor sweep status %s`\n", *out)
			return nil
		}
		last := -1
		err = sw.Wait(ctx, sch, sub, 2*time.Second, func(q int) {
			if q != last {
				fmt.Fprintf(env.Stderr, "job %s: %d array tasks in the queue\n", sub.JobID, q)
				last = q
			}
		})
		if err != nil {
			return err
		}
		return printSweepStatus(ctx, env, sw, true)
	}
	sweepOnResume(env, sw)
	pr := newSweepPrinter(env.Stderr)
	p, err := sw.Run(ctx, sweep.RunOptions{Workers: *workers, Progress: pr.update})
	pr.final(p)
	rs, missing, cerr := sw.WriteResultsCSV()
	if cerr != nil {
		return cerr
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(env.Stderr, "interrupted: %d networks done; run the same command again to continue\n", len(rs))
		}
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s (%d networks", filepath.Join(*out, sweep.CSVFile), len(rs))
	if len(missing) > 0 {
		fmt.Fprintf(env.Stderr, "; %d still being trained by other workers", len(missing))
	}
	fmt.Fprintln(env.Stderr, ")")
	return sweep.CensusOf(rs).WriteText(env.Stdout)
}

// sweepOnResume reports networks continued from a checkpoint.
func sweepOnResume(env *Env, sw *sweep.Sweep) {
	sw.OnResume = func(i, done int) {
		fmt.Fprintf(env.Stderr, "network %s resumed from its checkpoint after %d units\n", sw.ID(i), done)
	}
}

// sweepProgram records the build in every saved network.
func sweepProgram() {
	b := Build()
	sweep.Program = saved.Program{Version: b.Version, Commit: b.Commit, Go: b.GoVersion}
}

// sweepPrinter prints a sweep's progress: a redrawn line on a terminal,
// a line at most every 10 s otherwise.
type sweepPrinter struct {
	w    io.Writer
	tty  bool
	last time.Time
}

func newSweepPrinter(w io.Writer) *sweepPrinter { return &sweepPrinter{w: w, tty: isTerminal(w)} }

func (s *sweepPrinter) update(p sweep.Progress) {
	every := 10 * time.Second
	if s.tty {
		every = 200 * time.Millisecond
	}
	if time.Since(s.last) < every {
		return
	}
	s.last = time.Now()
	if s.tty {
		fmt.Fprintf(s.w, "\r\x1b[Ksweep %s", p)
	} else {
		fmt.Fprintf(s.w, "sweep %s\n", p)
	}
}

func (s *sweepPrinter) final(p sweep.Progress) {
	if s.tty {
		fmt.Fprintf(s.w, "\r\x1b[K")
	}
	fmt.Fprintf(s.w, "sweep %s (%s)\n", p, p.Elapsed.Round(time.Millisecond))
}

func sweepRunTask(env *Env, args []string) error {
	fs := newFlags(env, &command{name: "sweep run-task", args: "DIR --submission S --index I [--workers N]",
		short: "train one Slurm array task's networks (run by the batch script)"})
	subName := fs.String("submission", "", "submission name (DIR/slurm/NAME)")
	index := fs.Int("index", -1, "array task index (default $SLURM_ARRAY_TASK_ID)")
	workers := fs.Int("workers", 1, "networks trained at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *subName == "" {
		return usageError("sweep run-task DIR --submission S --index I")
	}
	if *index < 0 {
		v, err := strconv.Atoi(os.Getenv("SLURM_ARRAY_TASK_ID"))
		if err != nil {
			return usageError("--index is required outside a Slurm array task")
		}
		*index = v
	}
	sw, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	sweepProgram()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sweepOnResume(env, sw)
	pr := newSweepPrinter(env.Stderr)
	p, err := sw.RunTask(ctx, *subName, *index, sweep.RunOptions{Workers: *workers, Progress: pr.update})
	pr.final(p)
	return err
}

func sweepStatus(env *Env, args []string) error {
	fs := newFlags(env, &command{name: "sweep status", args: "DIR [--json]", short: "show a sweep's progress"})
	jsonOut := fs.Bool("json", false, "print the status as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("sweep status DIR")
	}
	sw, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	if *jsonOut {
		return writeJSON(env.Stdout, sweepStatusOf(context.Background(), sw))
	}
	return printSweepStatus(context.Background(), env, sw, false)
}

// sweepStatusJSON is a sweep's progress as `sweep status --json` prints
// it; RatePerHour and ETASeconds are 0 until two results exist.
type sweepStatusJSON struct {
	Name        string         `json:"name"`
	Task        string         `json:"task"`
	Dir         string         `json:"dir"`
	Total       int            `json:"total"`
	Done        int            `json:"done"`
	Running     int            `json:"running"`
	Failed      int            `json:"failed"`
	Pending     int            `json:"pending"`
	Corrupt     int            `json:"corrupt"`
	RatePerHour float64        `json:"rate_per_hour"`
	ETASeconds  float64        `json:"eta_seconds"`
	Classes     map[string]int `json:"classes"`
	// Cost is the CPU time of the networks trained one at a time by their
	// process (from their timing.json), absent until there is one.
	Cost *sweepCostJSON `json:"cost,omitempty"`
	// FailedNetworks maps a failed network's id to its error file.
	FailedNetworks map[string]string `json:"failed_networks"`
	Slurm          *sweepSlurmJSON   `json:"slurm,omitempty"`
}

// sweepSlurmJSON is the Slurm part of a sweep's status.
type sweepSlurmJSON struct {
	Submissions int             `json:"submissions"`
	LastJob     string          `json:"last_job,omitempty"`
	Queued      map[string]int  `json:"queued,omitempty"` // array tasks by state
	Failed      []sweepTaskJSON `json:"failed_tasks,omitempty"`
	Error       string          `json:"error,omitempty"`
}

// sweepTaskJSON is an array task that failed (sweep.TaskReport).
type sweepTaskJSON struct {
	Submission string `json:"submission"`
	JobID      string `json:"job_id"`
	Task       int    `json:"task"`
	State      string `json:"state"`
	ExitCode   string `json:"exit_code"`
	Missing    []int  `json:"missing"`
	Log        string `json:"log"`
	LastLine   string `json:"last_line"`
}

// sweepStatusOf gathers the counts from the result files, the rate and
// ETA, the Slurm queue and the failures.
func sweepStatusOf(ctx context.Context, sw *sweep.Sweep) sweepStatusJSON {
	st := sw.Scan()
	name := sw.Spec.Name
	if name == "" {
		name = filepath.Base(sw.Dir)
	}
	out := sweepStatusJSON{Name: name, Task: sw.Spec.Task, Dir: sw.Dir, Total: st.Total, Done: st.Done,
		Running: st.Running, Failed: st.Failed, Pending: st.Total - st.Done - st.Running - st.Failed,
		Corrupt: st.Corrupt, Classes: map[string]int{}, FailedNetworks: map[string]string{}}
	out.RatePerHour, out.ETASeconds = st.Rate()
	if c := sw.Cost(); c.Networks > 0 {
		out.Cost = &sweepCostJSON{Networks: c.Networks, MedianSeconds: c.Median, P90Seconds: c.P90,
			MinSeconds: c.Min, MaxSeconds: c.Max, TotalSeconds: c.Total}
	}
	for k, v := range st.Classes {
		if k == "" {
			k = "unclassified"
		}
		out.Classes[k] += v
	}
	for _, i := range st.FailedIndex {
		out.FailedNetworks[sw.ID(i)] = filepath.Join(sw.NetDir(i), sweep.ErrorFile)
	}
	subs, _ := sw.Submissions()
	if len(subs) > 0 {
		sl := &sweepSlurmJSON{Submissions: len(subs), LastJob: subs[len(subs)-1].JobID}
		if _, err := exec.LookPath("squeue"); err != nil {
			sl.Error = "squeue is not on PATH"
		} else if ss, err := sw.SlurmState(ctx, sweep.SlurmCLI{}); err != nil {
			sl.Error = err.Error()
		} else {
			sl.Queued = map[string]int{}
			for _, f := range ss.Failed {
				sl.Failed = append(sl.Failed, sweepTaskJSON(f))
			}
			for k, v := range ss.Queued {
				sl.Queued[strings.ToLower(k)] = v
			}
		}
		out.Slurm = sl
	}
	return out
}

// printSweepStatus prints counts from the result files, the rate and ETA,
// the Slurm queue and the failures with their logs. With strict it
// returns an error when networks are missing.
func printSweepStatus(ctx context.Context, env *Env, sw *sweep.Sweep, strict bool) error {
	st := sweepStatusOf(ctx, sw)
	w := env.Stdout
	fmt.Fprintf(w, "sweep %s: task %s, %d networks in %s\n", st.Name, st.Task, st.Total, st.Dir)
	fmt.Fprintf(w, "done %d (%.1f%%), running %d, failed %d, pending %d", st.Done, 100*float64(st.Done)/float64(st.Total), st.Running, st.Failed, st.Pending)
	if st.Corrupt > 0 {
		fmt.Fprintf(w, ", corrupt %d (retrained on the next run)", st.Corrupt)
	}
	fmt.Fprintln(w)
	if st.RatePerHour > 0 {
		fmt.Fprintf(w, "rate %.1f networks/hour", st.RatePerHour)
		if st.Done < st.Total {
			fmt.Fprintf(w, ", ETA %s", time.Duration(st.ETASeconds)*time.Second)
		}
		fmt.Fprintln(w)
	}
	if c := st.Cost; c != nil {
		fmt.Fprintf(w, "CPU per network: median %s, 90th percentile %s, range %s … %s, total %s (%d networks trained one at a time)\n",
			secs(c.MedianSeconds), secs(c.P90Seconds), secs(c.MinSeconds), secs(c.MaxSeconds), secs(c.TotalSeconds), c.Networks)
	}
	if len(st.Classes) > 0 {
		var parts []string
		for _, k := range sortedByCount(st.Classes) {
			parts = append(parts, fmt.Sprintf("%s %d", k, st.Classes[k]))
		}
		fmt.Fprintf(w, "classes: %s\n", strings.Join(parts, ", "))
	}
	if sl := st.Slurm; sl != nil {
		if sl.Error != "" {
			fmt.Fprintf(w, "slurm: %d submissions, but %s\n", sl.Submissions, sl.Error)
		} else {
			var q []string
			for _, k := range sortedByCount(sl.Queued) {
				q = append(q, fmt.Sprintf("%d %s", sl.Queued[k], k))
			}
			fmt.Fprintf(w, "slurm: %d submissions (last job %s); array tasks queued: %s\n", sl.Submissions, sl.LastJob, orNone(strings.Join(q, ", ")))
			for _, f := range sl.Failed {
				state := f.State
				if state == "" {
					state = "ended"
				}
				fmt.Fprintf(w, "  failed task %s/%d (job %s_%d) %s %s, %d networks missing; log %s", f.Submission, f.Task, f.JobID, f.Task, state, f.ExitCode, len(f.Missing), f.Log)
				if f.LastLine != "" {
					fmt.Fprintf(w, ": %q", f.LastLine)
				}
				fmt.Fprintln(w)
			}
		}
	}
	ids := make([]string, 0, len(st.FailedNetworks))
	for id := range st.FailedNetworks {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for k, id := range ids {
		if k == 10 {
			fmt.Fprintf(w, "  … and %d more failed networks\n", len(ids)-10)
			break
		}
		fmt.Fprintf(w, "  failed network %s: %s\n", id, st.FailedNetworks[id])
	}
	if strict && st.Done < st.Total {
		return fmt.Errorf("%d of %d networks have no result; run the same command again to resubmit them", st.Total-st.Done, st.Total)
	}
	return nil
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(v)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sortedByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func sweepReport(env *Env, args []string) error {
	fs := newFlags(env, &command{name: "sweep report", args: "DIR [--x FIELD --y FIELD] [--class C,…] [-o FIGDIR] [--format svg,png,pdf] [--scaling LR,DELAY] [--json]",
		short: "census, phase diagrams (text and SVG, PNG or PDF figures) and results.csv of a sweep"})
	x := fs.String("x", "", "phase-diagram column axis (default: the first grid axis other than seed)")
	y := fs.String("y", "", "phase-diagram row axis (default: the second)")
	classes := fs.String("class", "", "classes to draw phase diagrams of (default: all)")
	outDir := fs.String("o", "", "directory for the figures (default DIR/report)")
	fs.StringVar(outDir, "out", "", "same as -o")
	formats := fs.String("format", "svg", "figure formats, comma-separated: svg, png (2 pixels per px), pdf")
	scaling := fs.String("scaling", "", "fit the critical delay per learning rate: `LR,DELAY` axes (docs/science.md §5.6)")
	failing := fs.String("unable", "unable,no_learn,unstable,diverged", "classes counted as unable to learn (--scaling)")
	jsonOut := fs.Bool("json", false, "print the census, phase diagrams and fits as one JSON object instead of tables")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("sweep report DIR")
	}
	var exts []string
	for _, f := range strings.Split(*formats, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if _, err := figure.FormatOf("x." + f); err != nil {
			return usageError("--format %q: want svg, png or pdf (or a comma-separated list)", f)
		}
		if !slices.Contains(exts, f) {
			exts = append(exts, f)
		}
	}
	// writeFigures writes fig as base.EXT for every format asked for.
	writeFigures := func(base string, fig *figure.Figure) ([]string, error) {
		var names []string
		for _, ext := range exts {
			name := base + "." + ext
			if err := sweep.WriteFigure(name, fig); err != nil {
				return names, err
			}
			names = append(names, name)
		}
		return names, nil
	}
	sw, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	rs, missing, err := sw.WriteResultsCSV()
	if err != nil {
		return err
	}
	w := env.Stdout
	if *jsonOut {
		w = io.Discard
	}
	rep := sweepReportJSON{Dir: sw.Dir, Networks: sw.Spec.Len(), Results: len(rs), Missing: len(missing),
		CSV: filepath.Join(sw.Dir, sweep.CSVFile)}
	fmt.Fprintf(w, "%d of %d networks have results (%s)\n\n", len(rs), sw.Spec.Len(), rep.CSV)
	if len(missing) > 0 {
		fmt.Fprintf(env.Stderr, "note: %d networks have no result yet\n", len(missing))
	}
	c := sweep.CensusOf(rs)
	rep.Census.Total, rep.Census.Counts = c.Total, c.Counts
	if err := c.WriteText(w); err != nil {
		return err
	}
	dir := *outDir
	if dir == "" {
		dir = filepath.Join(sw.Dir, "report")
	}
	names, err := writeFigures(filepath.Join(dir, "census"), c.Figure("census "+sw.Spec.Name))
	rep.Files = append(rep.Files, names...)
	if err != nil {
		return err
	}
	var axes []string
	for _, ax := range sw.Spec.Axes {
		if ax.Field != "seed" && len(ax.Values) > 1 {
			axes = append(axes, ax.Field)
		}
	}
	if *x == "" && len(axes) > 0 {
		*x = axes[0]
	}
	if *y == "" {
		for _, a := range axes {
			if a != *x {
				*y = a
				break
			}
		}
	}
	if *x != "" && *y != "" {
		p, err := sw.PhaseDiagram(rs, *x, *y)
		if err != nil {
			return err
		}
		show := p.Classes
		if *classes != "" {
			show = strings.Split(*classes, ",")
		}
		pj := &sweepPhaseJSON{X: p.X, Y: p.Y, XValues: p.XVals, YValues: p.YVals, N: p.N, Fractions: map[string][][]*float64{}}
		for _, cl := range show {
			fmt.Fprintln(w)
			p.WriteText(w, cl)
			names, err := writeFigures(filepath.Join(dir, fmt.Sprintf("phase_%s_%s_%s", *x, *y, fileSafe(cl))), p.Figure(cl))
			rep.Files = append(rep.Files, names...)
			if err != nil {
				return err
			}
			rows := make([][]*float64, len(p.YVals))
			for j := range rows {
				rows[j] = make([]*float64, len(p.XVals))
				for i := range rows[j] {
					if f := p.Fraction(cl, i, j); !math.IsNaN(f) {
						rows[j][i] = &f
					}
				}
			}
			pj.Fractions[cl] = rows
		}
		rep.Phase = pj
	}
	if *scaling != "" {
		sc, err := sweepScaling(w, sw, rs, *scaling, strings.Split(*failing, ","))
		if err != nil {
			return err
		}
		rep.Scaling = sc
	}
	fmt.Fprintf(env.Stderr, "wrote %s\n", strings.Join(rep.Files, ", "))
	if *jsonOut {
		return writeJSON(env.Stdout, rep)
	}
	return nil
}

// sweepReportJSON is what `sweep report --json` prints.
type sweepReportJSON struct {
	Dir      string `json:"dir"`
	Networks int    `json:"networks"`
	Results  int    `json:"results"`
	Missing  int    `json:"missing"`
	CSV      string `json:"csv"`
	Census   struct {
		Total  int            `json:"total"`
		Counts map[string]int `json:"counts"`
	} `json:"census"`
	Phase   *sweepPhaseJSON   `json:"phase,omitempty"`
	Scaling *sweepScalingJSON `json:"scaling,omitempty"`
	Files   []string          `json:"files"`
}

// sweepPhaseJSON is a phase diagram: per class, the fraction of networks
// in each cell, rows by y value, columns by x value (null: no network).
type sweepPhaseJSON struct {
	X         string                  `json:"x"`
	Y         string                  `json:"y"`
	XValues   []string                `json:"x_values"`
	YValues   []string                `json:"y_values"`
	N         [][]int                 `json:"n"`
	Fractions map[string][][]*float64 `json:"fractions"`
}

// sweepScalingJSON is the critical-delay fit of --scaling.
type sweepScalingJSON struct {
	Unable []string `json:"unable"`
	// Critical holds the fitted critical delay T0 and rate a of each
	// learning rate.
	Critical []sweepCriticalJSON `json:"critical_delays"`
	FitError string              `json:"fit_error,omitempty"`
	// LogLog is the fit log(lr) = B log(T0) + log A.
	LogLog      *sweepLogLogJSON `json:"loglog,omitempty"`
	LogLogError string           `json:"loglog_error,omitempty"`
}

type sweepCriticalJSON struct {
	LR float64 `json:"lr"`
	T0 float64 `json:"t0"`
	A  float64 `json:"a"`
}

type sweepLogLogJSON struct {
	B    float64    `json:"b"`
	CI   [2]float64 `json:"b_ci95"`
	LogA float64    `json:"log_a"`
	R2   float64    `json:"r2"`
	N    int        `json:"n"`
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

// sweepScaling prints the critical delay T₀ per learning rate and the
// log-log scaling law (docs/science.md §5.6; sweep.Sweep.Scaling) to w and
// returns them.
func sweepScaling(w io.Writer, sw *sweep.Sweep, rs []*sweep.Result, axes string, unable []string) (*sweepScalingJSON, error) {
	lrAxis, delayAxis, ok := strings.Cut(axes, ",")
	if !ok {
		return nil, usageError("--scaling wants LR,DELAY (two grid axes)")
	}
	sc, err := sw.Scaling(rs, lrAxis, delayAxis, unable)
	if err != nil {
		return nil, err
	}
	out := &sweepScalingJSON{Unable: unable}
	fmt.Fprintf(w, "\ncritical delay per learning rate (unable to learn: %s)\n%12s %12s %12s\n", strings.Join(unable, ", "), lrAxis, "T0", "a")
	for _, lr := range sc.LRs {
		f := sc.Critical[lr]
		fmt.Fprintf(w, "%12.4g %12.4g %12.4g\n", lr, f.T0, f.A)
		out.Critical = append(out.Critical, sweepCriticalJSON{lr, f.T0, f.A})
	}
	if sc.FitErr != nil {
		fmt.Fprintf(w, "not fitted: %v\n", sc.FitErr)
		out.FitError = sc.FitErr.Error()
	}
	if ll := sc.LogLog; ll != nil {
		fmt.Fprintf(w, "log(lr) = B log(T0) + log A: B = %.3f (95%% CI %.3f … %.3f), log A = %.3f, R² = %.3f, n = %d\n", ll.B, ll.CI[0], ll.CI[1], ll.LogA, ll.R2, ll.N)
		out.LogLog = &sweepLogLogJSON{ll.B, ll.CI, ll.LogA, ll.R2, ll.N}
	} else {
		fmt.Fprintf(w, "scaling law not fitted: %v\n", sc.LogLogErr)
		out.LogLogError = sc.LogLogErr.Error()
	}
	return out, nil
}

func sweepExport(env *Env, args []string) error {
	fs := newFlags(env, &command{name: "sweep export", args: "DIR -o DEST [--keep CLASS,…] [--json]",
		short: "copy a sweep's results without its networks; running the sweep on the copy resumes it"})
	out := fs.String("o", "", "destination directory (must not exist or be empty)")
	keep := fs.String("keep", "", "comma-separated result classes whose network files are copied too (e.g. DFP,IFP)")
	jsonOut := fs.Bool("json", false, "print what was copied as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *out == "" {
		return usageError("sweep export DIR -o DEST")
	}
	sw, err := sweep.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	classes := map[string]bool{}
	for _, c := range strings.Split(*keep, ",") {
		if c = strings.TrimSpace(c); c != "" {
			classes[c] = true
		}
	}
	st, err := sw.Export(*out, func(r *sweep.Result) bool { return classes[r.Class] })
	if err != nil {
		return err
	}
	if *jsonOut {
		return writeJSON(env.Stdout, map[string]any{"dir": *out, "results": st.Results, "networks": st.Networks, "pruned": st.Pruned})
	}
	fmt.Fprintf(env.Stderr, "wrote %s: %d results, %d with their network files, %d without (resume with `attractor sweep %s -o %s`)\n",
		sanitize(*out), st.Results, st.Networks, st.Pruned, sanitize(filepath.Join(*out, sweep.SpecFile)), sanitize(*out))
	return nil
}

// sweepCostJSON summarises the CPU seconds per network.
type sweepCostJSON struct {
	Networks      int     `json:"networks"`
	MedianSeconds float64 `json:"median_cpu_seconds"`
	P90Seconds    float64 `json:"p90_cpu_seconds"`
	MinSeconds    float64 `json:"min_cpu_seconds"`
	MaxSeconds    float64 `json:"max_cpu_seconds"`
	TotalSeconds  float64 `json:"total_cpu_seconds"`
}

// secs prints a duration given in seconds to a useful precision.
func secs(v float64) string {
	d := time.Duration(v * float64(time.Second))
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
