package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"attractor/saved"
	"attractor/train"
	"attractor/train/sweep"
)

// job is one training run as the train command drives it.
type job interface {
	train.Session
	// Units is the number of units (epochs, trials, chunks of steps).
	Units() int
	// Unit names what one unit is, for the progress bar.
	Unit() string
	// Network returns the network with its manifest as it stands.
	Network() *saved.Network
	// SetProgram records the build that trains it.
	SetProgram(saved.Program)
	// Finish runs the post-training evaluation and returns the figures
	// for the summary and the --json line.
	Finish(dir string) (map[string]any, error)
}

// trainFlags are the flags of every task; each task reads those it uses.
type trainFlags struct {
	hidden, steps, test, every, trials, epochs, testSeeds  int
	bits, delaySteps, batch, threads                       int
	g, density, alpha, period, fb, lr, feedbackMix, offset float64
	native, post, vanilla                                  bool
	seed                                                   uint64
	family, delay                                          string
}

// trainConfigKeys maps the flags of train to the configuration keys of the
// tasks' trainers (the JSON names of train.LeakyConfig and the others). A
// flag given for a task whose configuration lacks its key is an error.
var trainConfigKeys = map[string]string{
	"hidden": "hidden", "steps": "steps", "test": "test", "every": "every", "trials": "trials",
	"g": "g", "density": "density", "alpha": "alpha", "period": "period", "feedback-mix": "feedback_mix",
	"fb": "fb", "offset": "offset", "native": "native", "seed": "seed", "family": "family",
	"vanilla": "vanilla", "epochs": "epochs", "lr": "lr", "bits": "bits", "delay-steps": "delay",
	"batch": "batch", "threads": "threads", "delay": "delay_ms", "post": "post",
}

// trainConfig returns the configuration the given flags of fs make for
// trainer t of task: only the flags given, so that the trainer's defaults
// (which may depend on other keys) hold otherwise.
func trainConfig(fs *flag.FlagSet, task string, t sweep.Trainer) (map[string]any, error) {
	cfg := map[string]any{}
	var err error
	fs.Visit(func(fl *flag.Flag) {
		key, ok := trainConfigKeys[fl.Name]
		if !ok || err != nil {
			return
		}
		if !slices.Contains(t.Fields, key) {
			err = &flagError{cmd: fs.Name(), msg: fmt.Sprintf("--%s does not apply to the %s task", fl.Name, task)}
			return
		}
		v := fl.Value.(flag.Getter).Get()
		switch fl.Name {
		case "delay":
			if v, err = parseMS(fl.Value.String()); err != nil {
				err = usageError("--delay: %v", err)
				return
			}
		case "family":
			switch v {
			case "rnn", "rnn_tanh", "gru", "lstm", "trnn":
			default:
				err = usageError("--family %q: want rnn (or rnn_tanh), gru, lstm or trnn", v)
				return
			}
		}
		cfg[key] = v
	})
	return cfg, err
}

func init() {
	tasks := sweep.TrainerNames()
	register(&command{name: "train", args: "TASK [flags] -o NET.npz | --resume DIR",
		short: "train a network (tasks: " + strings.Join(tasks, ", ") + ")",
		subs:  tasks,
		run:   runTrain})
}

func runTrain(env *Env, args []string) error {
	c := commands["train"]
	command := append([]string{"train"}, args...)
	fs := newFlags(env, c)
	var f trainFlags
	out := fs.String("o", "", "output network file (native .npz)")
	runDir := fs.String("run", "", "run directory for checkpoints and the metrics log (default: OUT.run)")
	resume := fs.String("resume", "", "resume the stopped run in `DIR`")
	method := fs.String("method", "", "training method: force or bptt (default: the task's)")
	ckEvery := fs.Int("checkpoint-every", 0, "units between checkpoints (default: about 20 per run, at most one per 10 s)")
	jsonOut := fs.Bool("json", false, "print a final JSON line with the run's figures")
	history := fs.Int("history", 10, "networks kept in RUN/history per decade of units, log-spaced, plus the last (0: none); `attractor landscape RUN` reads them")
	fs.IntVar(&f.threads, "threads", 1, "threads (dcdt; results do not depend on it; FORCE uses one)")
	fs.StringVar(&f.delay, "delay", "160ms", "delay of the cue-discrimination task (dcdt), a multiple of 5ms")
	fs.BoolVar(&f.post, "post", false, "add the 30 ms post-reaction period (dcdt)")
	fs.IntVar(&f.hidden, "hidden", 0, "number of neurons N (default per task: sinusoid 1000, spm 300, dcdt 100, flipflop 64, choice 96)")
	fs.IntVar(&f.steps, "steps", 20000, "training Euler steps (sinusoid, foursine)")
	fs.IntVar(&f.test, "test", 5000, "test steps with learning off (sinusoid, foursine)")
	fs.IntVar(&f.every, "every", 2, "Euler steps between RLS updates")
	fs.IntVar(&f.trials, "trials", 3500, "training trials (spm)")
	fs.IntVar(&f.testSeeds, "test-seeds", 10, "stimulus realisations in the trainability test (spm)")
	fs.Float64Var(&f.g, "g", 1.5, "gain g of the random connectivity")
	fs.Float64Var(&f.density, "density", 0, "connection density p of J (default per task: sinusoid 0.1, spm 0.2)")
	fs.Float64Var(&f.alpha, "alpha", 1, "RLS regulariser α, P(0) = I/α")
	fs.Float64Var(&f.period, "period", 60, "sinusoid period in units of τ")
	fs.Float64Var(&f.feedbackMix, "feedback-mix", 0, "train with feedback γ·target + (1−γ)·output, γ in [0, 1]; tested with the output alone (sinusoid, foursine)")
	fs.Float64Var(&f.fb, "fb", 1, "feedback scale: feedback weights ~ N(0, (1/fb)²) (spm)")
	fs.Float64Var(&f.offset, "offset", train.DefaultSPMOffset, "added to both coordinates of both synthetic digit means; 0 gives docs/science.md §3.2's mirror-image means (spm)")
	fs.BoolVar(&f.native, "native", false, "native FORCE: update the whole trial, not only the kernel windows (spm)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of every random draw")
	fs.StringVar(&f.family, "family", "gru", "network family for BPTT tasks: rnn (also spelled rnn_tanh), gru, lstm or trnn (flipflop, lastk, choice; choice defaults to trnn)")
	fs.BoolVar(&f.vanilla, "vanilla", false, "train the TRNN's vanilla configuration (choice)")
	fs.IntVar(&f.epochs, "epochs", 500, "training epochs (BPTT; dcdt default max(1000, 30/lr))")
	fs.Float64Var(&f.lr, "lr", 0.01, "learning rate (BPTT)")
	fs.IntVar(&f.bits, "bits", 3, "flip-flop channels, or k of last-k recall")
	fs.IntVar(&f.delaySteps, "delay-steps", 20, "delay in steps (lastk)")
	fs.IntVar(&f.batch, "batch", 64, "trials per batch (BPTT)")
	taskName := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		taskName, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if err := checkTrainSizes(fs, set); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *resume != "" {
		return resumeTrain(ctx, env, *resume, *jsonOut)
	}
	tasks := strings.Join(sweep.TrainerNames(), ", ")
	if taskName == "" {
		return usageError("name a task (%s) or --resume DIR", tasks)
	}
	tr, ok := sweep.TrainerOf(taskName)
	if !ok {
		return usageError("unknown task %q (%s)", taskName, tasks)
	}
	if *out == "" {
		return usageError("-o NET.npz is required")
	}
	if *method == "" {
		*method = tr.Method
	}
	if *method != tr.Method {
		return usageError("--method %q: the %s task trains by %s", *method, taskName, tr.Method)
	}
	if set["test-seeds"] && taskName != "spm" {
		return &flagError{cmd: fs.Name(), msg: fmt.Sprintf("--test-seeds does not apply to the %s task", taskName)}
	}
	cfg, err := trainConfig(fs, taskName, tr)
	if err != nil {
		return err
	}
	if err := tr.Check(cfg); err != nil {
		return usageError("%v", err)
	}
	sj, err := tr.New(cfg)
	if err != nil {
		return err
	}
	j, err := cliJob(sj, f.testSeeds)
	if err != nil {
		return err
	}
	dir := *runDir
	if dir == "" {
		dir = *out + ".run"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The file now at -o is the one the user asked this run to replace;
	// run.json records it, and a resume replaces nothing else.
	rec := &train.RunRecord{Task: taskName, Method: *method, Out: absPath(*out), Args: command,
		Unit: j.Unit(), Units: j.Units(), History: *history, Status: train.StatusRunning}
	if err := rec.NoteOut(); err != nil {
		return fmt.Errorf("-o %s: %w", *out, err)
	}
	if err := train.WriteRunRecord(dir, rec); err != nil {
		return err
	}
	return runJob(ctx, env, j, dir, rec, 0, *ckEvery, train.LogSchedule(j.Units(), *history), *jsonOut)
}

func resumeTrain(ctx context.Context, env *Env, dir string, jsonOut bool) error {
	rec, err := train.ReadRunRecord(dir)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	runFile := filepath.Join(dir, train.RunFile)
	tr, ok := sweep.TrainerOf(rec.Task)
	if !ok || tr.Resume == nil {
		return fmt.Errorf("resume: %s names task %q, which this build cannot resume", runFile, rec.Task)
	}
	if err := rec.CheckOut(); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	ck := filepath.Join(dir, train.CheckpointFile)
	if _, err := os.Stat(ck); errors.Is(err, os.ErrNotExist) {
		again := "the command that started it"
		if len(rec.Args) > 0 {
			again = "`attractor " + shellJoin(rec.Args) + "`"
		}
		return fmt.Errorf("resume: %s has no checkpoint yet: the run was stopped before its first one, so there is nothing to resume; "+
			"start it again with %s (it restarts from step 0 and replaces this run's log)", dir, again)
	}
	sj, done, err := tr.Resume(ck)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	j, err := cliJob(sj, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "resuming %s from %s %d of %d\n", dir, j.Unit(), done, j.Units())
	// The history continues on the schedule it began with.
	hist := train.LogSchedule(j.Units(), rec.History)
	rec.Unit, rec.Units, rec.Status, rec.Error = j.Unit(), j.Units(), train.StatusRunning, ""
	if err := train.WriteRunRecord(dir, rec); err != nil {
		return err
	}
	return runJob(ctx, env, j, dir, rec, done, 0, hist, jsonOut)
}

// runJob runs (or continues) training, evaluates the network and writes it.
func runJob(ctx context.Context, env *Env, j job, dir string, rec *train.RunRecord, start, ckEvery int, history []int, jsonOut bool) error {
	b := Build()
	j.SetProgram(saved.Program{Version: b.Version, Commit: b.Commit, Go: b.GoVersion})
	units := j.Units()
	// By default about 20 checkpoints per run, but none sooner than 10 s
	// after the previous one: a short run of a large FORCE network would
	// otherwise spend more time writing its N×N matrices than training.
	// An explicit --checkpoint-every is taken as asked.
	var ckMinInterval time.Duration
	if ckEvery <= 0 {
		ckEvery, ckMinInterval = max(1, units/20), 10*time.Second
	}
	bar := newProgress(env.Stderr, "train "+rec.Task, j.Unit()+"s", units)
	t0 := time.Now()
	err := train.Run(ctx, j, train.RunOptions{Dir: dir, Total: units, Start: start, CheckpointEvery: ckEvery,
		CheckpointMinInterval: ckMinInterval, History: history,
		Progress: func(m train.Metrics, total int) {
			bar.update(m.Step, fmt.Sprintf("loss %.3g", m.Loss))
		}})
	if err != nil {
		runStatus(dir, rec, err)
	}
	if errors.Is(err, train.ErrInterrupted) {
		bar.finish()
		fmt.Fprintf(env.Stderr, "interrupted: checkpoint saved in %s; continue with `attractor train --resume %s`\n", dir, dir)
		return err
	}
	if err != nil {
		bar.finish()
		return err
	}
	sec := time.Since(t0).Seconds()
	res, err := j.Finish(dir)
	if err != nil {
		return err
	}
	if err := rec.CheckOut(); err != nil {
		return err
	}
	if err := saved.WriteNative(rec.Out, j.Network()); err != nil {
		return err
	}
	rec.Status, rec.Error = train.StatusFinished, ""
	if err := rec.NoteOut(); err == nil {
		err = train.WriteRunRecord(dir, rec)
	}
	if err != nil {
		return fmt.Errorf("wrote %s, but recording it in %s: %w", rec.Out, train.RunFile, err)
	}
	res["train_seconds"] = round3(sec)
	res["units_per_second"] = round1(float64(units-start) / sec)
	if sj, ok := j.(interface{ StepsPerUnit() int }); ok {
		res["train_steps_per_second"] = round1(float64((units-start)*sj.StepsPerUnit()) / sec)
	}
	res["out"] = rec.Out
	res["task"] = rec.Task
	fmt.Fprintf(env.Stderr, "wrote %s (%s)\n", rec.Out, summary(res))
	if jsonOut {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	return nil
}

// runStatus records in DIR/run.json how a run that did not finish ended,
// for whoever follows it (the UI says "diverged: …"); a finished run is
// recorded with its network. A failure to write it is not the run's
// failure and is ignored.
func runStatus(dir string, rec *train.RunRecord, err error) {
	var de *train.DivergedError
	switch {
	case errors.Is(err, train.ErrInterrupted):
		rec.Status, rec.Error = train.StatusInterrupted, ""
	case errors.As(err, &de):
		rec.Status, rec.Error = train.StatusDiverged, err.Error()
	default:
		rec.Status, rec.Error = train.StatusFailed, err.Error()
	}
	_ = train.WriteRunRecord(dir, rec)
}

// trainPositive and trainNonNegative list the integer flags that must be
// at least 1 and at least 0 when given: a size of 0 is an error, never
// the task's default.
var (
	trainPositive    = []string{"hidden", "steps", "every", "trials", "test-seeds", "epochs", "batch", "bits", "threads", "checkpoint-every"}
	trainNonNegative = []string{"test", "delay-steps"}
)

// checkTrainSizes rejects a size flag given a value out of range.
func checkTrainSizes(fs *flag.FlagSet, set map[string]bool) error {
	for _, names := range []struct {
		names []string
		min   int
	}{{trainPositive, 1}, {trainNonNegative, 0}} {
		for _, name := range names.names {
			if !set[name] {
				continue
			}
			v := fs.Lookup(name).Value.(flag.Getter).Get().(int)
			if v < names.min {
				return &flagError{cmd: fs.Name(), msg: fmt.Sprintf("--%s %d: want at least %d", name, v, names.min)}
			}
		}
	}
	for _, name := range []string{"g", "density", "alpha", "period", "fb", "lr"} {
		if !set[name] {
			continue
		}
		v := fs.Lookup(name).Value.(flag.Getter).Get().(float64)
		if !(v > 0) || math.IsInf(v, 0) {
			return &flagError{cmd: fs.Name(), msg: fmt.Sprintf("--%s %v: want a positive number", name, v)}
		}
	}
	return nil
}

// cliJob wraps a trainer's job with what the command shows of it: the
// unit of progress and the figures of the summary.
func cliJob(j sweep.Job, testSeeds int) (job, error) {
	switch s := j.(type) {
	case *train.LeakySession:
		return leakyJob{s}, nil
	case *train.ForceSignalSession:
		return forceSignalJob{s}, nil
	case *train.ForceSPMSession:
		return forceSPMJob{s, testSeeds}, nil
	case *train.SeqSession:
		return seqJob{s}, nil
	}
	return nil, fmt.Errorf("train: no summary for a %T job", j)
}

// summary renders the figures of a result for a person.
func summary(res map[string]any) string {
	keys := []string{"train_mae_last2000", "test_mae", "trainable", "test_rmse_max", "heldout_loss", "heldout_accuracy", "final_loss", "accuracy", "train_steps_per_second", "units_per_second"}
	s := ""
	for _, k := range keys {
		if v, ok := res[k]; ok {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %v", k, v)
		}
	}
	return s
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// shellJoin quotes args for a POSIX shell where needed.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:+@%") == "" {
			q[i] = a
			continue
		}
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// writeJSONAtomic writes v as indented JSON to name, atomically.
func writeJSONAtomic(name string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return saved.WriteFileAtomic(name, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}, 0o644)
}
