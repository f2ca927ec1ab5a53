package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"attractor/saved"
	"attractor/train"
)

// runFile records, in a run directory, what `attractor train` was asked to
// do, so that --resume DIR can finish the same job.
const runFile = "run.json"

type runRecord struct {
	Task   string          `json:"task"`
	Method string          `json:"method"`
	Out    string          `json:"out"`
	Config json.RawMessage `json:"config"`
}

func init() {
	register(&command{name: "train", args: "TASK [flags] -o NET.npz | --resume DIR",
		short: "train a network (tasks: sinusoid, foursine)",
		run:   runTrain})
}

func runTrain(env *Env, args []string) error {
	c := commands["train"]
	fs := newFlags(env, c)
	def := train.DefaultForceSignal()
	var (
		out     = fs.String("o", "", "output network file (native .npz)")
		runDir  = fs.String("run", "", "run directory for checkpoints and the metrics log (default: OUT.run)")
		resume  = fs.String("resume", "", "resume the stopped run in `DIR`")
		method  = fs.String("method", "force", "training method: force")
		hidden  = fs.Int("hidden", def.Hidden, "number of neurons N")
		steps   = fs.Int("steps", def.Steps, "training Euler steps (FORCE)")
		test    = fs.Int("test", def.Test, "test steps with learning off (FORCE)")
		seed    = fs.Uint64("seed", 0, "seed of every random draw")
		g       = fs.Float64("g", def.G, "gain g of the random connectivity")
		density = fs.Float64("density", def.Density, "connection density p of J")
		alpha   = fs.Float64("alpha", def.Alpha, "RLS regulariser α, P(0) = I/α")
		every   = fs.Int("every", def.Every, "Euler steps between RLS updates")
		period  = fs.Float64("period", def.Period, "sinusoid period in units of τ")
		ckEvery = fs.Int("checkpoint-every", 0, "units between checkpoints (default: about 20 per run)")
		jsonOut = fs.Bool("json", false, "print a final JSON line with the run's figures")
		_       = fs.Int("threads", 1, "threads (FORCE uses one)")
	)
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *resume != "" {
		return resumeTrain(ctx, env, *resume, *jsonOut)
	}
	if taskName == "" {
		return usageError("name a task (sinusoid, foursine) or --resume DIR")
	}
	if *out == "" {
		return usageError("-o NET.npz is required")
	}
	if *method != "force" {
		return usageError("--method %q: only force is available for %s", *method, taskName)
	}
	cfg := def
	cfg.Hidden, cfg.Steps, cfg.Test, cfg.Seed = *hidden, *steps, *test, *seed
	cfg.G, cfg.Density, cfg.Alpha, cfg.Every, cfg.Period = *g, *density, *alpha, *every, *period
	switch taskName {
	case "sinusoid", "sine":
		cfg.Target = "sine"
	case "foursine":
		cfg.Target = "foursine"
	default:
		return usageError("unknown task %q (sinusoid, foursine)", taskName)
	}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	s, err := train.NewForceSignalSession(cfg)
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
	rc, _ := json.Marshal(cfg)
	rec := runRecord{Task: taskName, Method: "force", Out: absPath(*out), Config: rc}
	if err := writeJSONAtomic(filepath.Join(dir, runFile), rec); err != nil {
		return err
	}
	return finishForce(ctx, env, s, dir, rec, 0, *ckEvery, *jsonOut)
}

func resumeTrain(ctx context.Context, env *Env, dir string, jsonOut bool) error {
	var rec runRecord
	b, err := os.ReadFile(filepath.Join(dir, runFile))
	if err != nil {
		return fmt.Errorf("resume: %w (is %s a run directory?)", err, dir)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return fmt.Errorf("resume: %s: %w", filepath.Join(dir, runFile), err)
	}
	s, done, err := train.ResumeForceSignal(filepath.Join(dir, train.CheckpointFile))
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	fmt.Fprintf(env.Stderr, "resuming %s from unit %d of %d\n", dir, done, s.Units())
	return finishForce(ctx, env, s, dir, rec, done, 0, jsonOut)
}

// finishForce runs (or continues) FORCE training, tests the network and
// writes it.
func finishForce(ctx context.Context, env *Env, s *train.ForceSignalSession, dir string, rec runRecord, start, ckEvery int, jsonOut bool) error {
	b := Build()
	s.Program = saved.Program{Version: b.Version, Commit: b.Commit, Go: b.GoVersion}
	units := s.Units()
	if ckEvery <= 0 {
		ckEvery = max(1, units/20)
	}
	chunk := s.Cfg.Chunk
	bar := newProgress(env.Stderr, "train "+rec.Task, "steps", s.Cfg.Steps)
	t0 := time.Now()
	err := train.Run(ctx, s, train.RunOptions{Dir: dir, Total: units, Start: start, CheckpointEvery: ckEvery,
		Progress: func(m train.Metrics, total int) {
			bar.update(min(m.Step*chunk, s.Cfg.Steps), fmt.Sprintf("MAE %.3g", m.Loss))
		}})
	if errors.Is(err, train.ErrInterrupted) {
		bar.finish()
		fmt.Fprintf(env.Stderr, "interrupted: checkpoint saved in %s; continue with `attractor train --resume %s`\n", dir, dir)
		return err
	}
	if err != nil {
		bar.finish()
		return err
	}
	trainSec := time.Since(t0).Seconds()
	trainSteps := s.Cfg.Steps - min(start*s.Cfg.Chunk, s.Cfg.Steps)
	trainMAE, err := lastUnitsMean(filepath.Join(dir, train.MetricsFile), units, max(1, 2000/chunk))
	if err != nil {
		return err
	}
	sig, _ := s.Cfg.Signal()
	testMAE, err := s.Force.TestSignal(sig, s.Cfg.Test)
	if err != nil {
		return err
	}
	if err := saved.WriteNative(rec.Out, s.Network()); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s: N = %d, training MAE %.3g (last 2000 steps), test MAE %.3g over %d steps (%.1f steps/s training)\n",
		rec.Out, s.Cfg.Hidden, trainMAE, testMAE, s.Cfg.Test, float64(trainSteps)/trainSec)
	if jsonOut {
		return json.NewEncoder(env.Stdout).Encode(map[string]any{
			"program": "attractor-force", "n": s.Cfg.Hidden, "steps": s.Cfg.Steps, "every": s.Cfg.Every,
			"train_seconds": round3(trainSec), "train_steps_per_second": round1(float64(trainSteps) / trainSec),
			"train_mae_last2000": trainMAE, "test_mae": testMAE, "out": rec.Out,
		})
	}
	return nil
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
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

// lastUnitsMean returns the mean loss of the last k units up to unit last in
// a metrics log (a step logged twice, by a resumed run, counts once: the
// later line).
func lastUnitsMean(name string, last, k int) (float64, error) {
	ms, _, err := train.ReadMetrics(name, 0)
	if err != nil {
		return 0, err
	}
	byStep := map[int]float64{}
	for _, m := range ms {
		byStep[m.Step] = m.Loss
	}
	var sum float64
	var n int
	for s := last - k + 1; s <= last; s++ {
		if v, ok := byStep[s]; ok {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: no metrics for the last %d units", name, k)
	}
	return sum / float64(n), nil
}
