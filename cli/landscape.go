package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/internal/figure"
	"attractor/saved"
	"attractor/train"
	"attractor/tui"
)

func init() {
	register(&command{name: "landscape", args: "RUN_DIR|NET… [--json] [-o FIG.svg|.png|.pdf] [--inits K] [--cold] [--no-basins] [--task NAME [--bits K]] [--steps S,…]",
		short: "follow the fixed points and cycles across training checkpoints (or networks along a parameter) and list their births, deaths and bifurcations",
		run:   runLandscape})
}

// landscapeReport is the --json document of attractor landscape.
type landscapeReport struct {
	Files       []string                      `json:"files"`
	Convention  string                        `json:"convention"`
	StartsFrom  string                        `json:"starts_from"`
	Protocols   []string                      `json:"protocols"` // the protocol of each file: its task, or "generic"
	Checkpoints []inspect.LandscapeCheckpoint `json:"checkpoints"`
	Events      []inspect.LandscapeEvent      `json:"events"`
	RuntimeS    float64                       `json:"runtime_s"`
}

func runLandscape(env *Env, args []string) error {
	fs := newFlags(env, commands["landscape"])
	jsonOut := fs.Bool("json", false, "write a JSON document (checkpoints with step, stable, saddles, cycles, points, basins; events with step and kind)")
	out := fs.String("o", "", "also draw the landscape as a figure (.svg, .png or .pdf)")
	k := fs.Int("inits", 64, "fresh starts per network: states spread evenly along the trajectories of its protocol's trials (the task its file records)")
	fresh := fs.Int("fresh", 16, "fresh starts added to the previous network's points in a warm-started census")
	cold := fs.Bool("cold", false, "search every network from all its fresh starts (no warm start from the previous one)")
	noBasins := fs.Bool("no-basins", false, "skip the basin fractions")
	cloud := fs.Float64("cloud", 0.5, "width w of the Gaussian cloud N(c, w²) of starts about their centroid c (basin fractions; negative: none)")
	noise := fs.String("noise", "0.05,0.1,0.2,0.5", "noise levels σ added to the trajectory starts (basin fractions against noise; empty: none)")
	runSteps := fs.Int("run-steps", 2000, "forward simulation from every start, in steps")
	taskName := fs.String("task", "", "the task (with its default configuration) of the files that record none, such as PyTorch state dicts: "+strings.Join(analysis.Tasks(), ", ")+" (files that record a task use theirs)")
	bits := fs.Int("bits", 3, "with --task flipflop: the number of channels")
	stepsFlag := fs.String("steps", "", "the step (or parameter value) of each file, comma-separated (default: the file's train.done, else the last number in its name)")
	seed := fs.Uint64("seed", 1, "seed of the protocols' random draws, the cloud and the noise")
	maps, hyper := mapFlag{}, mapFlag{}
	fs.Var(maps, "map", "assign a tensor to a role when inference is ambiguous (readout=fc.weight)")
	fs.Var(hyper, "hyper", "hyper-parameters the files lack (dt=0.1, tau=1)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() < 1:
		return usageError("name a run directory or the network files in order")
	case *k < 1 || *fresh < 1 || *runSteps < 10:
		return usageError("--inits and --fresh must be ≥ 1, --run-steps ≥ 10")
	case *out != "":
		if _, err := figure.FormatOf(*out); err != nil {
			return usageError("-o: %v", err)
		}
	case *taskName != "" && !slices.Contains(analysis.Tasks(), *taskName):
		return usageError("--task %q: want one of %s", *taskName, strings.Join(analysis.Tasks(), ", "))
	}
	var taskRec json.RawMessage
	if *taskName != "" {
		rec := map[string]any{"name": *taskName}
		if *taskName == "flipflop" {
			rec["config"] = map[string]int{"bits": *bits}
		}
		taskRec, _ = json.Marshal(rec)
	}
	sigmas, err := parseFloats(*noise)
	if err != nil {
		return usageError("--noise: %v", err)
	}
	opt, err := openOptions(maps, hyper)
	if err != nil {
		return usageError("%v", err)
	}
	files, steps, runDir, err := landscapeFiles(fs.Args())
	if err != nil {
		return err
	}
	if *stepsFlag != "" {
		if steps, err = parseFloats(*stepsFlag); err != nil || len(steps) != len(files) {
			return usageError("--steps: want %d numbers, one per file (%v)", len(files), err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var nets []*saved.Network
	quiet := &Env{Stdin: env.Stdin, Stdout: io.Discard, Stderr: io.Discard}
	for i, f := range files {
		e := env
		if i > 0 {
			e = quiet // the first file's notes stand for all
		}
		n, err := openNetwork(e, f, opt)
		if err != nil {
			return err
		}
		if steps[i] < 0 {
			steps[i] = analysis.FileStep(n, f, i)
		}
		nets = append(nets, n)
	}
	lf := make([]analysis.LandscapeFile, len(nets))
	for i, n := range nets {
		lf[i] = analysis.LandscapeFile{Name: files[i], Net: n, Step: steps[i]}
	}
	set := &analysis.LandscapeSettings{Starts: *k, Seed: *seed, Task: taskRec,
		Continuation: inspect.LandscapeSettings{Cold: *cold, Fresh: *fresh, RunSteps: *runSteps, Basins: !*noBasins,
			BasinSettings: inspect.BasinSettings{RunSteps: *runSteps, Cloud: *cloud, Noise: sigmas, Seed: *seed}}}
	bar := newProgress(env.Stderr, "landscape", "networks", len(nets))
	set.Continuation.Progress = func(done, total int) { bar.update(done, "") }
	ares, err := analysis.Landscape(ctx, lf, set)
	bar.finish()
	if err != nil {
		return err
	}
	res := ares.LandscapeResult
	rep := landscapeReport{Files: files, Convention: res.Convention.String(), StartsFrom: ares.StartsFrom, Protocols: ares.Protocols,
		Checkpoints: res.Checkpoints, Events: res.Events, RuntimeS: res.Runtime.Seconds()}
	var ms []train.Metrics
	if runDir != "" {
		if all, _, err := train.ReadMetrics(filepath.Join(runDir, train.MetricsFile), 0); err == nil {
			ms = train.LastPerStep(all)
		}
	}
	if *out != "" {
		name := filepath.Base(strings.TrimSuffix(fs.Arg(0), string(filepath.Separator)))
		fig, err := tui.LandscapeFigure(res, ms, name)
		if err != nil {
			return err
		}
		if err := figure.WriteFile(*out, fig); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote %s\n", *out)
	}
	if *jsonOut {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(rep)
	}
	landscapePrint(env.Stdout, &rep, ms)
	return nil
}

// landscapeFiles returns the network files of the arguments in order, with
// their steps (−1 where the file must say), and the run directory when the
// argument is one.
func landscapeFiles(args []string) (files []string, steps []float64, runDir string, err error) {
	if len(args) == 1 {
		if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
			hs, err := train.ReadHistory(args[0])
			if err != nil {
				return nil, nil, "", err
			}
			if len(hs) < 2 {
				return nil, nil, "", fmt.Errorf("%s: the run kept %d networks in %s (train with --history to keep them)", args[0], len(hs), train.HistoryDir)
			}
			for _, h := range hs {
				files, steps = append(files, h.Path), append(steps, float64(h.Step))
			}
			return files, steps, args[0], nil
		}
	}
	if len(args) < 2 {
		return nil, nil, "", usageError("name a run directory with a history, or two or more network files")
	}
	for _, a := range args {
		files, steps = append(files, a), append(steps, -1)
	}
	return files, steps, "", nil
}

// parseFloats parses a comma-separated list of numbers ("" is none).
func parseFloats(s string) ([]float64, error) {
	out := []float64{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// landscapePrint writes the summary: one line per network and the events.
func landscapePrint(w io.Writer, rep *landscapeReport, ms []train.Metrics) {
	acc := map[int]train.Metrics{}
	for _, m := range ms {
		acc[m.Step] = m
	}
	fmt.Fprintf(w, "%d networks; starts: %s; eigenvalues: %s\n\n", len(rep.Checkpoints), rep.StartsFrom, rep.Convention)
	fmt.Fprintf(w, "%10s %7s %8s %7s", "step", "stable", "saddles", "cycles")
	if len(ms) > 0 {
		fmt.Fprintf(w, " %9s %9s", "loss", "accuracy")
	}
	fmt.Fprintf(w, "  basins (trajectory starts)\n")
	for _, ck := range rep.Checkpoints {
		fmt.Fprintf(w, "%10g %7d %8d %7d", ck.Step, ck.Stable, ck.Saddles, ck.Cycles)
		if len(ms) > 0 {
			if m, ok := acc[int(ck.Step)]; ok {
				fmt.Fprintf(w, " %9.3g %9.3f", m.Loss, m.Accuracy)
			} else {
				fmt.Fprintf(w, " %9s %9s", "", "")
			}
		}
		if ck.Basins != nil {
			var parts []string
			for _, f := range ck.Basins.Trajectory.Fractions {
				parts = append(parts, fmt.Sprintf("%s %.2f", f.Label, f.Fraction))
			}
			if o := ck.Basins.Trajectory.Other; o.Count > 0 {
				parts = append(parts, fmt.Sprintf("other %.2f", o.Fraction))
			}
			fmt.Fprintf(w, "  %s", strings.Join(parts, ", "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nevents (each between the previous network and the one named):\n")
	if len(rep.Events) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, e := range rep.Events {
		fmt.Fprintf(w, "  step %-8g (after %g)  %s", e.Step, e.From, e.Kind)
		if e.Via != "" {
			fmt.Fprintf(w, " via %s", e.Via)
		}
		fmt.Fprintf(w, "  %v", e.Points)
		if e.Cycle != nil {
			fmt.Fprintf(w, " → cycle %d", *e.Cycle)
		}
		fmt.Fprintln(w)
	}
}
