package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/saved"
	"attractor/train"
)

func init() {
	analysis.Program = Build().Version
	register(&command{name: "inspect", args: "NET|RUN_DIR [--json] [--inits K | --starts K --budget B] [--input u1,u2,…] [--inputs FILE] [--method trust-region|adam] [--copies C] [--no-verdict] [--floquet] [--lyapunov] [--basins]",
		short: "find fixed points, attractors and cycles, and classify how a network remembers",
		run:   runInspect})
}

// analysisFlags are the flags of `attractor inspect` that choose the
// protocol and the analysis settings; `attractor perturb` shares the
// protocol ones.
type analysisFlags struct {
	seed   *uint64
	inputs *string
}

func addProtocolFlags(fs interface {
	Uint64(string, uint64, string) *uint64
	String(string, string, string) *string
}) analysisFlags {
	return analysisFlags{
		seed:   fs.Uint64("seed", 1, "seed of the trials' stimuli, the starting states and the probes' noise"),
		inputs: fs.String("inputs", "", "run your own trials: a .npy/.npz array conditions × steps × inputs (an .npz may add x0, conditions × state)"),
	}
}

// protocol returns the protocol of n: the user's trials with --inputs,
// otherwise the registry's.
func (a analysisFlags) protocol(n *saved.Network, name string) (*analysis.Protocol, error) {
	var p analysis.Protocol
	var err error
	if *a.inputs != "" {
		p, err = analysis.ReadInputs(*a.inputs, n.Net, n.EndState())
	} else {
		p, err = analysis.ProtocolFor(n, *a.seed)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &p, nil
}

// parseVector parses a comma-separated list of finite numbers.
func parseVector(flag, s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v != v || v > 1e300 || v < -1e300 {
			return nil, usageError("--%s: %q is not a finite number", flag, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func runInspect(env *Env, args []string) error {
	c := commands["inspect"]
	fs := newFlags(env, c)
	def := analysis.DefaultSettings()
	jsonOut := fs.Bool("json", false, "write the report (versioned JSON, schema "+analysis.Schema+") instead of the summary")
	k := fs.Int("inits", 0, "a fixed census of K starting states, without doubling (0: the adaptive census)")
	starts := fs.Int("starts", def.Census.Starts, "starting states of the adaptive census's first round")
	budget := fs.Int("budget", def.Census.Budget, "the adaptive census's largest number of starting states")
	input := fs.String("input", "", "constant input u1,u2,… held during the fixed-point search (default zero)")
	method := fs.String("method", def.Census.Method, "fixed-point optimiser: trust-region or adam")
	copies := fs.Int("copies", def.Verdict.Copies, "noisy copies of every probe in the verdict (science spec §9 proposes 20)")
	runTrials := fs.Float64("run-trials", def.Verdict.RunTrials, "forward simulation of every probe, in trial lengths")
	codeCopies := fs.Int("code-copies", def.Verdict.CodeCopies, "noisy runs per base of the authors' attractor_type classifier")
	codeRun := fs.Float64("code-run-trials", def.Verdict.CodeRunTrials, "simulation of the authors' classifier, in trial lengths")
	noVerdict := fs.Bool("no-verdict", false, "only run the census")
	floquet := fs.Bool("floquet", false, "compute the Floquet multipliers of every limit cycle (N ≤ 400)")
	lyap := fs.Bool("lyapunov", false, "compute the largest Lyapunov exponent of every limit cycle")
	basins := fs.Bool("basins", false, "add the basin fraction of every stable point: of 256 states along the protocol's trials, of a Gaussian cloud N(c, 0.5²) about their centroid, and of those states with noise σ = 0.05, 0.1, 0.2, 0.5 (95 % Wilson intervals)")
	pf := addProtocolFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("name one network file")
	}
	if *method != "trust-region" && *method != "adam" {
		return usageError("--method %q: want trust-region or adam", *method)
	}
	if *k < 0 || *starts < 1 || *budget < *starts || *copies < 0 || !(*runTrials > 0) || *codeCopies < 1 || !(*codeRun > 0) {
		return usageError("--inits ≥ 0, --starts and --code-copies ≥ 1, --budget ≥ --starts, --copies ≥ 0, --run-trials and --code-run-trials > 0")
	}
	s := def
	s.Seed = *pf.seed
	s.Census.Starts, s.Census.Budget, s.Census.Method = *starts, *budget, *method
	if *k > 0 {
		s.Census.Starts, s.Census.Adaptive, s.Census.Budget = *k, false, *k
	}
	s.Verdict = analysis.VerdictSettings{Skip: *noVerdict, Copies: *copies, RunTrials: *runTrials, CodeCopies: *codeCopies,
		CodeRunTrials: *codeRun, SlowPoints: true}
	s.Cycles = analysis.CycleSettings{Floquet: *floquet, Lyapunov: *lyap}
	if *input != "" {
		v, err := parseVector("input", *input)
		if err != nil {
			return err
		}
		s.Input = v
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	name := fs.Arg(0)
	var runNote string
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		file, which, err := train.RunNetwork(name)
		if err != nil {
			return err
		}
		runNote = fmt.Sprintf("%s: %s", name, which)
		fmt.Fprintf(env.Stderr, "%s: inspecting %s\n", saved.Printable(name), which)
		name = file
	}
	// The summary shows each point's kind, unstable count and leading
	// eigenvalue: the growing modes decide all three (Arnoldi, tens of
	// milliseconds at N = 1000 against 0.5 s for a full spectrum). --json
	// lists every eigenvalue, so it computes them all.
	s.Census.GrowingOnly = !*jsonOut
	n, err := openNetwork(env, name, nil)
	if err != nil {
		return err
	}
	if s.Input != nil && len(s.Input) != n.Net.Dims().Input {
		return usageError("--input has %d values; %s takes %d inputs", len(s.Input), name, n.Net.Dims().Input)
	}
	p, err := pf.protocol(n, name)
	if err != nil {
		return err
	}
	tty := isTerminal(env.Stderr)
	var bar *progress
	if tty {
		fmt.Fprintf(env.Stderr, "%s\n", sanitize(p.Note))
		s.Progress = func(stage string, done, total int) {
			if bar == nil || bar.label != stage {
				if bar != nil {
					bar.finish()
				}
				bar = newProgress(env.Stderr, stage, "run", total)
			}
			bar.update(done, "")
		}
	}
	rep, err := analysis.Analyze(ctx, name, n, p, s)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return err
	}
	rep.Run = runNote
	if *basins {
		if rep.Basins, err = analysis.Basins(ctx, n, p, rep, s.Input, s.Seed); err != nil {
			return err
		}
	}
	if *jsonOut {
		b, err := rep.JSON()
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(b)
		return err
	}
	inspectPrint(env.Stdout, rep)
	return nil
}

// sanitize makes text from a file or a user safe for a terminal
// (saved.PrintableText: escape sequences written as Go escapes, line
// breaks kept).
func sanitize(s string) string { return saved.PrintableText(s) }

// inspectPrint writes the human summary of a report.
func inspectPrint(w io.Writer, r *analysis.Report) {
	m := r.Model
	fmt.Fprintf(w, "%s: %s network, %d state variables (%s), %d inputs, %d outputs", saved.Printable(r.File), m.Family, m.Size, m.StateVar, m.Inputs, m.Outputs)
	if r.Task != "" {
		fmt.Fprintf(w, ", task %s", saved.Printable(r.Task))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "protocol: %s\n", sanitize(r.Protocol.Note))
	se := r.Search
	fmt.Fprintf(w, "\ncensus: %s from %d starting states in %d rounds (%s)\n", se.Method, se.Inits, len(se.Rounds), se.InitsFrom)
	if se.Input != nil {
		fmt.Fprintf(w, "  input held: %v\n", se.Input)
	}
	fmt.Fprintf(w, "  candidates: %d converged, %d captured, %d slow, %d not converged, %d non-finite\n", se.Converged, se.Captured, se.Slow, se.NotConverged, se.NonFinite)
	cv := r.Coverage
	fmt.Fprintf(w, "  coverage: %d stable points, %d reached from one start only; unseen mass (Good–Turing) %.3g, Chao1 estimate %.3g; %s\n",
		cv.Stable, cv.Singletons, cv.Unseen, cv.Chao1, cv.State())
	name, _ := analysis.ConventionText(conventionOf(r))
	fmt.Fprintf(w, "  eigenvalues: %s — %s\n", name, r.Units)
	idx := make([]int, len(r.FixedPoints))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.FixedPoints[idx[a]].Count > r.FixedPoints[idx[b]].Count })
	fmt.Fprintf(w, "  %d unique points:\n", len(idx))
	fmt.Fprintf(w, "    %-9s %10s %9s %9s %6s  %s\n", "kind", "q", "‖x‖/√N", "unstable", "count", "leading eigenvalue")
	for i, j := range idx {
		if i == 20 {
			fmt.Fprintf(w, "    … %d more (use --json)\n", len(idx)-20)
			break
		}
		p := r.FixedPoints[j]
		ls := "—"
		if re, ok := p.Leading[0].(float64); ok {
			im, _ := p.Leading[1].(float64)
			ls = fmt.Sprintf("%.4g%+.4gi", re, im)
		}
		fmt.Fprintf(w, "    %-9s %10s %9s %9d %6d  %s\n", p.Kind, num(p.Q, "%.3g"), num(p.Norm, "%.4g"), p.UnstableDims, p.Count, ls)
	}
	fp, lc, missed := 0, 0, 0
	for _, a := range r.Attractors {
		if a.Kind == "LC" {
			lc++
			continue
		}
		fp++
		if a.Point < 0 {
			missed++
		}
	}
	fmt.Fprintf(w, "  forward simulation of every start: %d fixed-point attractors (%d not in the list above), %d limit cycles, %d unsettled\n", fp, missed, lc, se.Unsettled)
	for _, l := range r.SlowLines() {
		fmt.Fprintf(w, "  %s\n", l)
	}
	for i, c := range r.Cycles {
		fmt.Fprintf(w, "  cycle %d: period %.4g %s (%d steps), amplitude %.3g per unit", i+1, c.Period, c.Unit, c.PeriodSteps, c.Amplitude)
		if c.ReadoutAmplitude != nil {
			fmt.Fprintf(w, ", readout ±%.3g", *c.ReadoutAmplitude)
		}
		if c.Lyapunov != nil {
			fmt.Fprintf(w, ", λ₁ %.3g per %s", *c.Lyapunov, strings.TrimSuffix(c.Unit, "s"))
		}
		fmt.Fprintf(w, "; reached from %d probes (%s)\n", len(c.Probes), sanitize(strings.Join(firstN(c.Probes, 4), ", ")))
		if len(c.Floquet) > 0 {
			fmt.Fprintf(w, "    Floquet multipliers (per period, largest first): %v\n", firstN(c.Floquet, 4))
		}
	}
	line := func(s string) {
		fmt.Fprint(w, s)
		if !strings.HasSuffix(s, "\n") {
			fmt.Fprintln(w)
		}
	}
	if b := r.Basins; b != nil {
		fmt.Fprintf(w, "\nbasin fractions with %.0f %% Wilson intervals; point K is the K-th of --json's fixed_points:\n", 100*b.Confidence)
		for _, f := range b.Trajectory.Fractions {
			fmt.Fprintf(w, "  %s: stable, ‖x‖/√N %s\n", f.Label, num(r.FixedPoints[f.ID-1].Norm, "%.4g"))
		}
		for _, set := range append([]inspect.BasinSet{b.Trajectory, *b.Cloud}, b.Noise...) {
			name := fmt.Sprintf("%s (%d)", set.Starts, set.N)
			if set.Width > 0 {
				name = fmt.Sprintf("%s σ=%g (%d)", set.Starts, set.Width, set.N)
			}
			fmt.Fprintf(w, "  %-22s", name)
			for _, f := range append(set.Fractions, set.Other) {
				fmt.Fprintf(w, "  %s %.2f [%.2f, %.2f]", f.Label, f.Fraction, f.Low, f.High)
			}
			fmt.Fprintln(w)
		}
	}
	if r.Verdict != nil {
		line(fmt.Sprintf("\nmechanism — %s", r.Verdict))
		if r.CodeVerdict != nil {
			line(fmt.Sprintf("beside it — %s", r.CodeVerdict))
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", sanitize(n))
	}
}

// conventionOf returns the eigenvalue convention a report names.
func conventionOf(r *analysis.Report) inspect.Convention {
	if r.Convention == inspect.DiscreteMap.String() {
		return inspect.DiscreteMap
	}
	return inspect.ContinuousTime
}

// num formats a JSON number (nil for NaN) with format.
func num(v any, format string) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprintf(format, f)
	}
	return "—"
}

// firstN returns at most the first n elements of s.
func firstN[T any](s []T, n int) []T { return s[:min(n, len(s))] }
