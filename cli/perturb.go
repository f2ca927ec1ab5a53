package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/saved"
)

// perturbList parses a comma-separated list of non-negative numbers.
func perturbList(flag, s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 0 || v != v {
			return nil, usageError("--%s: %q is not a non-negative number", flag, f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, usageError("--%s: empty list", flag)
	}
	return out, nil
}

func init() {
	register(&command{name: "perturb",
		args:  "NET --noise σ1,σ2,… | --extend-delay Δ1,… | --kick a1,… | --interrupt n1,… [--gaussian] [--repeats R] [--inputs FILE] [--json]",
		short: "error-versus-perturbation curves: stimulus noise, extended delay, state kicks, input interruption",
		run:   runPerturb})
}

func runPerturb(env *Env, args []string) error {
	c := commands["perturb"]
	fs := newFlags(env, c)
	noise := fs.String("noise", "", "noise strengths σ on stimulus 1 (\"paper\" for the authors' list)")
	extend := fs.String("extend-delay", "", "extensions Δ of delay 1, in model time units")
	kick := fs.String("kick", "", "state kicks at the delay start, RMS per unit")
	interrupt := fs.String("interrupt", "", "numbers n_off of neurons whose input weights are zeroed during stimulus 1")
	gaussian := fs.Bool("gaussian", false, "zero-mean Gaussian noise N(0, σ²) instead of the authors' σ·U[0,1) + 0.5")
	repeats := fs.Int("repeats", 10, "noisy repeats per trial and strength")
	jsonOut := fs.Bool("json", false, "write the curves as JSON")
	pf := addProtocolFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("name one network file")
	}
	if *noise == "" && *extend == "" && *kick == "" && *interrupt == "" {
		return usageError("choose at least one of --noise, --extend-delay, --kick, --interrupt")
	}
	if *repeats < 1 {
		return usageError("--repeats must be ≥ 1")
	}
	var sigmas, deltas, kicks, offs []float64
	var err error
	if *noise == "paper" {
		sigmas = inspect.GhazizadehNoiseSigmas
	} else if *noise != "" {
		if sigmas, err = perturbList("noise", *noise); err != nil {
			return err
		}
	}
	if *extend != "" {
		if deltas, err = perturbList("extend-delay", *extend); err != nil {
			return err
		}
	}
	if *kick != "" {
		if kicks, err = perturbList("kick", *kick); err != nil {
			return err
		}
	}
	if *interrupt != "" {
		if offs, err = perturbList("interrupt", *interrupt); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	n, err := openNetwork(env, fs.Arg(0), nil)
	if err != nil {
		return err
	}
	p, err := pf.protocol(n, fs.Arg(0))
	if err != nil {
		return err
	}
	trials, err := analysis.PerturbTrials(ctx, n.Net, p)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	task := p.Task
	if task == "" {
		task = p.Source
	}
	var nOff []int
	for _, v := range offs {
		nOff = append(nOff, int(v))
	}
	exp := analysis.PerturbExperiments{Noise: sigmas, Gaussian: *gaussian, ExtendDelay: deltas, Kicks: kicks, Interrupt: nOff}
	tty := isTerminal(env.Stderr)
	var bar *progress
	var stage func(label string) func(done, total int)
	if tty {
		stage = func(label string) func(done, total int) {
			if bar != nil {
				bar.finish()
			}
			bar = nil
			return func(done, total int) {
				if bar == nil {
					bar = newProgress(env.Stderr, label, "run", total)
				}
				bar.update(done, "")
			}
		}
	}
	curves, err := analysis.PerturbCurves(ctx, n.Net, trials, exp, inspect.PerturbSettings{Repeats: *repeats, Seed: *pf.seed}, stage)
	if err != nil {
		return err
	}
	if bar != nil && tty {
		bar.finish()
	}
	if *jsonOut {
		doc := map[string]any{"file": fs.Arg(0), "task": task, "protocol": p.Note, "trials": len(trials), "curves": perturbJSON(curves)}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	fmt.Fprintf(env.Stdout, "%s: %d %s trials (%s)\n", saved.Printable(fs.Arg(0)), len(trials), sanitize(task), sanitize(p.Note))
	for _, cv := range curves {
		fmt.Fprintf(env.Stdout, "\n%s", cv)
	}
	return nil
}

// perturbJSON converts curves to JSON values with NaN as null.
func perturbJSON(curves []*inspect.Curve) []map[string]any {
	var out []map[string]any
	for _, c := range curves {
		var pts []map[string]any
		for _, p := range c.Points {
			pts = append(pts, map[string]any{"x": p.X, "mean": inspect.JSONNumber(p.Mean), "std": inspect.JSONNumber(p.Std),
				"min": inspect.JSONNumber(p.Min), "max": inspect.JSONNumber(p.Max), "n": p.N, "failures": p.Failures,
				"diverged": p.Diverged, "asymptotic": p.Asymptotic, "fixed_time": p.FixedTime})
		}
		out = append(out, map[string]any{"experiment": c.Experiment, "x_name": c.XName, "x_unit": c.XUnit,
			"error": c.Error, "fail_tol": c.FailTol, "points": pts})
	}
	return out
}
