package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"os"
	"os/signal"
	"sort"
	"strings"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
	"attractor/train"
	"attractor/train/task"
)

// inspectTask is the task a network was trained on, rebuilt from its
// manifest, with its trials in the form the inspect package uses.
type inspectTask struct {
	name   string
	spm    *task.SPM
	dcdt   *task.DCDT
	trials []inspect.Trial // every trial, for probes and curves
	ends   [][]float64     // trial-end states (SPM: the code's four initial conditions)
	steps  int             // one trial length in steps
	enc    []float64       // output encodings (SPM)
	// fromTraining reports that the SPM initial conditions follow from the
	// file's end-of-training state rather than the origin.
	fromTraining bool
}

// inspectLoadTask rebuilds the task recorded in n's manifest and its
// trials; it returns nil (no error) when the manifest names no task this
// command knows.
func inspectLoadTask(ctx context.Context, n *saved.Network, seed uint64) (*inspectTask, error) {
	if len(n.Manifest.Task) == 0 {
		return nil, nil
	}
	var rec struct {
		Name   string          `json:"name"`
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(n.Manifest.Task, &rec); err != nil {
		return nil, fmt.Errorf("manifest task: %w", err)
	}
	net := n.Net
	d := net.Dims()
	switch rec.Name {
	case "spm":
		spm := task.NewSPM()
		if len(rec.Config) > 0 {
			if err := json.Unmarshal(rec.Config, spm); err != nil {
				return nil, fmt.Errorf("manifest task spm: %w", err)
			}
		}
		if err := spm.Validate(); err != nil {
			return nil, err
		}
		if d.Input != 2 || d.Output < 1 {
			return nil, fmt.Errorf("the spm task needs 2 inputs and a readout; the network has %d inputs, %d outputs", d.Input, d.Output)
		}
		it := &inspectTask{name: "spm", spm: spm, steps: spm.TrialSteps(), enc: spm.Encoding[:]}
		// The code's initial conditions: the ends of one trial of each type
		// run in turn from the state at the end of training (the file's
		// train.x, as train.TestSPM does), or, without it, each from the
		// origin.
		xEnd := n.EndState()
		for typ := 0; typ < 4; typ++ {
			b := spm.Trials([]int{typ}, model.NewRNG(seed, 50))
			x0, from := make([]float64, d.State), "the origin"
			if xEnd != nil {
				x0, from = xEnd, "the end of training"
				if typ > 0 {
					x0, from = it.ends[typ-1], fmt.Sprintf("the end of type %d", typ-1)
				}
			}
			tr := inspectTrialFromBatch(b, x0, typ/2, fmt.Sprintf("type %d from %s", typ, from))
			_, ends, err := inspect.TrialProbes(ctx, net, []inspect.Trial{tr})
			if err != nil {
				return nil, err
			}
			it.ends = append(it.ends, ends[0])
		}
		it.fromTraining = xEnd != nil
		for ic, x0 := range it.ends {
			for typ := 0; typ < 4; typ++ {
				b := spm.Trials([]int{typ}, model.NewRNG(seed, uint64(100+4*ic+typ)))
				it.trials = append(it.trials, inspectTrialFromBatch(b, x0, typ/2,
					fmt.Sprintf("type %d (d₁=%d, d₂=%d) from IC %d", typ, typ/2, typ%2, ic+1)))
			}
		}
		return it, nil
	case "dcdt":
		dc := task.NewDCDT(160, false)
		if len(rec.Config) > 0 {
			if err := json.Unmarshal(rec.Config, dc); err != nil {
				return nil, fmt.Errorf("manifest task dcdt: %w", err)
			}
		}
		dc.PerClass = 1
		if err := dc.Validate(); err != nil {
			return nil, err
		}
		if d.Input != 2 || d.Output != 2 {
			return nil, fmt.Errorf("the dcdt task needs 2 inputs and 2 outputs; the network has %d and %d", d.Input, d.Output)
		}
		b := dc.Batch(nil)
		it := &inspectTask{name: "dcdt", dcdt: dc, steps: b.Steps}
		for class := 0; class < 2; class++ {
			tr := inspect.Trial{Name: fmt.Sprintf("class %d", class), X0: make([]float64, d.State), Condition: class,
				Channel: 1 - class, Target: 1}
			for t := 0; t < b.Steps; t++ {
				tr.Inputs = append(tr.Inputs, append([]float64(nil), b.In(t, class)...))
			}
			if w, ok := b.Window("cue"); ok {
				tr.Stimulus = inspect.StepWindow{Start: w.Start, End: w.End}
			}
			if w, ok := b.Window("delay"); ok {
				tr.Delay = inspect.StepWindow{Start: w.Start, End: w.End}
			}
			if w, ok := b.Window("reaction"); ok {
				tr.Score = inspect.StepWindow{Start: w.Start, End: w.End}
			}
			it.trials = append(it.trials, tr)
			_, ends, err := inspect.TrialProbes(ctx, net, []inspect.Trial{tr})
			if err != nil {
				return nil, err
			}
			it.ends = append(it.ends, ends[0])
		}
		return it, nil
	}
	return nil, nil
}

// inspectTrialFromBatch turns one SPM trial (a batch of size 1) into an
// inspect.Trial: stimulus 1 is perturbed, delay 1 is the memory window, and
// the score is z_o at the last step against the response target.
func inspectTrialFromBatch(b *task.Batch, x0 []float64, cond int, name string) inspect.Trial {
	tr := inspect.Trial{Name: name, X0: append([]float64(nil), x0...), Condition: cond,
		Score: inspect.StepWindow{Start: b.Steps - 1, End: b.Steps}, Channel: 0, Target: b.Target(b.Steps-1, 0)[0]}
	for t := 0; t < b.Steps; t++ {
		tr.Inputs = append(tr.Inputs, append([]float64(nil), b.In(t, 0)...))
	}
	if w, ok := b.Window("stimulus 1"); ok {
		tr.Stimulus = inspect.StepWindow{Start: w.Start, End: w.End}
	}
	if w, ok := b.Window("delay 1"); ok {
		tr.Delay = inspect.StepWindow{Start: w.Start, End: w.End}
	}
	return tr
}

// inspectInits returns the initial states of the fixed-point search: the
// file's "inits" array if it has one, else k states sampled along the
// task's trials, else k random states N(0, 0.5²).
func inspectInits(ctx context.Context, n *saved.Network, it *inspectTask, k int, seed uint64) ([][]float64, string, error) {
	N := n.Net.Dims().State
	for _, t := range n.Extra {
		if t.Name == "inits" && len(t.Shape) == 2 && t.Shape[1] == N {
			var out [][]float64
			for i := 0; i < t.Shape[0]; i++ {
				out = append(out, t.Data[i*N:(i+1)*N])
			}
			return out, "the file's inits array", nil
		}
	}
	if it != nil {
		total := 0
		for i := range it.trials {
			total += it.trials[i].Steps()
		}
		every := max(1, total/max(1, k))
		states, err := inspect.TrialStates(ctx, n.Net, it.trials, every, nil)
		if err != nil {
			return nil, "", err
		}
		if len(states) > k {
			states = states[:k]
		}
		return states, fmt.Sprintf("states along the %s trials", it.name), nil
	}
	rng := model.NewRNG(seed, 7)
	var out [][]float64
	for i := 0; i < k; i++ {
		out = append(out, model.NormalVector(N, 0.5, rng))
	}
	return out, "random states N(0, 0.5²) (the file names no task)", nil
}

// inspectReport is the --json document of attractor inspect.
type inspectReport struct {
	File        string           `json:"file"`
	Model       map[string]any   `json:"model"`
	Task        string           `json:"task,omitempty"`
	Convention  string           `json:"convention"`
	Units       string           `json:"eigenvalue_units"`
	Search      map[string]any   `json:"search"`
	FixedPoints []map[string]any `json:"fixed_points"`
	Verdict     *inspect.Verdict `json:"verdict"`
	CodeVerdict *inspect.Verdict `json:"code_verdict,omitempty"`
	Warnings    []string         `json:"warnings,omitempty"`
}

// inspectConventionText names the eigenvalue convention for humans.
func inspectConventionText(c inspect.Convention) (string, string) {
	if c == inspect.DiscreteMap {
		return "discrete-map multipliers μ", "multiplier per step (stable when |μ| < 1)"
	}
	return "continuous-time eigenvalues λ (1/τ)", "rate, 1/model time unit (stable when Re λ < 0)"
}

// inspectPair returns [re, im] with NaN as null.
func inspectPair(v complex128) []any {
	return []any{inspect.JSONNumber(real(v)), inspect.JSONNumber(imag(v))}
}

func init() {
	register(&command{name: "inspect", args: "NET [--json] [--inits K] [--method trust-region|adam] [--copies C] [--no-verdict]",
		short: "find fixed points and classify how a network remembers",
		run:   runInspect})
}

func runInspect(env *Env, args []string) error {
	c := commands["inspect"]
	fs := newFlags(env, c)
	jsonOut := fs.Bool("json", false, "write a JSON document instead of the summary")
	k := fs.Int("inits", 256, "number of initial states of the fixed-point search, as FixedPointFinder's examples use (ignored when the file has an inits array)")
	method := fs.String("method", "trust-region", "fixed-point optimiser: trust-region or adam")
	copies := fs.Int("copies", 4, "noisy copies of every probe in the verdict (science spec §9 proposes 20)")
	runTrials := fs.Float64("run-trials", 10, "forward simulation of every probe, in trial lengths")
	codeCopies := fs.Int("code-copies", 20, "noisy runs per base of the authors' attractor_type classifier")
	codeRun := fs.Float64("code-run-trials", 50, "simulation of the authors' classifier, in trial lengths")
	noVerdict := fs.Bool("no-verdict", false, "only find fixed points")
	seed := fs.Uint64("seed", 1, "seed of the trials' stimuli and the probes' noise")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("name one network file")
	}
	var m inspect.Method
	switch *method {
	case "trust-region":
		m = inspect.TrustRegion
	case "adam":
		m = inspect.Adam
	default:
		return usageError("--method %q: want trust-region or adam", *method)
	}
	if *k < 1 || *copies < 0 || !(*runTrials > 0) || *codeCopies < 1 || !(*codeRun > 0) {
		return usageError("--inits, --code-copies must be ≥ 1, --copies ≥ 0, --run-trials and --code-run-trials > 0")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	name := fs.Arg(0)
	n, err := openNetwork(env, name, nil)
	if err != nil {
		return err
	}
	net := n.Net
	d := net.Dims()
	it, err := inspectLoadTask(ctx, n, *seed)
	if err != nil {
		return err
	}
	inits, initsFrom, err := inspectInits(ctx, n, it, *k, *seed)
	if err != nil {
		return err
	}
	tty := isTerminal(env.Stderr)
	if tty {
		fmt.Fprintf(env.Stderr, "finding fixed points from %d initial states (%s)…\n", len(inits), initsFrom)
	}
	fps := inspect.DefaultFixedPointSettings()
	fps.Method = m
	if m == inspect.Adam {
		fps.MaxIters = 5000
	}
	fr, err := inspect.FindFixedPoints(ctx, inspect.FixedPointProblem{Net: net, Inits: inits}, fps)
	if err != nil {
		return err
	}
	rep := inspectReport{File: name, Warnings: n.Warnings, Model: map[string]any{
		"family": string(net.Family()), "state_var": string(net.StateVar()), "size": d.State,
		"inputs": d.Input, "outputs": d.Output}}
	if f, ok := net.(model.Flow); ok {
		rep.Model["dt"] = f.Dt()
	}
	if it != nil {
		rep.Task = it.name
	}
	conv, units := inspectConventionText(fr.Convention)
	rep.Convention, rep.Units = fr.Convention.String(), units
	rep.Search = map[string]any{"method": fr.Method.String(), "inits": len(inits), "inits_from": initsFrom,
		"converged": fr.Converged, "captured": fr.Captured, "slow": fr.Slow, "not_converged": fr.NotConverged,
		"non_finite": fr.NonFinite, "distance_outliers": fr.DistanceOutliers, "runtime_s": fr.Runtime.Seconds()}
	for _, p := range fr.Points {
		eig := make([][]any, len(p.Eigenvalues.Values))
		for i, v := range p.Eigenvalues.Values {
			eig[i] = inspectPair(v)
		}
		rep.FixedPoints = append(rep.FixedPoints, map[string]any{
			"q": inspect.JSONNumber(p.Q), "kind": p.Kind.String(), "unstable_dims": p.UnstableDims,
			"marginal_dims": p.MarginalDims, "count": p.Count, "norm": inspect.JSONNumber(inspectNorm(p.X) / math.Sqrt(float64(len(p.X)))),
			"leading": inspectPair(p.Eigenvalues.Leading()), "eigenvalues": eig, "convention": p.Eigenvalues.Convention.String()})
	}
	if rep.FixedPoints == nil {
		rep.FixedPoints = []map[string]any{}
	}
	var extra []string
	if !*noVerdict {
		v, code, notes, err := inspectVerdict(ctx, env, n, it, inits, tty, *copies, *runTrials, *codeCopies, *codeRun, *seed)
		if err != nil {
			return err
		}
		rep.Verdict, rep.CodeVerdict, extra = v, code, notes
	}
	if *jsonOut {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	inspectPrint(env.Stdout, &rep, fr, conv, extra)
	return nil
}

func inspectNorm(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// inspectVerdict computes the mechanism verdict that fits the network: the
// Ghazizadeh classifier for an SPM network, Kurtkaya's for a DCDT network,
// and otherwise a census of where probes settle.
func inspectVerdict(ctx context.Context, env *Env, n *saved.Network, it *inspectTask, inits [][]float64, tty bool,
	copies int, runTrials float64, codeCopies int, codeRun float64, seed uint64) (*inspect.Verdict, *inspect.Verdict, []string, error) {
	net := n.Net
	var bar *progress
	progressFn := func(stage string, done, total int) {
		if !tty {
			return
		}
		if bar == nil || bar.label != stage {
			if bar != nil {
				bar.finish()
			}
			bar = newProgress(env.Stderr, stage, "run", total)
		}
		bar.update(done, "")
	}
	defer func() {
		if bar != nil && tty {
			bar.finish()
		}
	}()
	switch {
	case it != nil && it.name == "spm":
		mem, _, err := inspect.TrialProbes(ctx, net, it.trials)
		if err != nil {
			return nil, nil, nil, err
		}
		delay, err := inspect.TrialStates(ctx, net, it.trials, 10, func(tr *inspect.Trial) inspect.StepWindow { return tr.Delay })
		if err != nil {
			return nil, nil, nil, err
		}
		cp := copies
		if cp == 0 {
			cp = -1
		}
		res, err := inspect.GhazizadehVerdict(ctx, net, inspect.GhazizadehInput{Memory: mem, Ends: it.ends,
			TrialSteps: it.steps, Encodings: it.enc, Channel: 0, DelayStates: delay},
			&inspect.GhazizadehSettings{Copies: cp, RunTrials: runTrials, Seed: seed,
				Code: inspect.CodeSettings{Copies: codeCopies, RunTrials: codeRun}, Progress: progressFn})
		if err != nil {
			return nil, nil, nil, err
		}
		notes := []string{fmt.Sprintf("the authors' classifier reads %s as %s", res.Code.Label, inspect.CodeLabelMechanism(res.Code.Label))}
		if it.fromTraining {
			notes = append(notes, "trials start from the ends of one trial of each type run in turn from the state at the end of training (train.x), as the authors' test")
		} else {
			notes = append(notes, "the file holds no end-of-training state (train.x): trials start from the ends of trials run from the origin, where a trained network may sit on an untrained branch")
		}
		return res.Verdict, res.Code, notes, nil
	case it != nil && it.name == "dcdt":
		acc, rel := train.LearningSeries(n)
		res, err := inspect.KurtkayaVerdict(ctx, net, &it.trials[0], acc, rel, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		var notes []string
		if len(acc) > 0 && rel == nil {
			notes = append(notes, "the learning gate uses the saved history's checkpoints, not every epoch")
		}
		return res.Verdict, nil, notes, nil
	}
	// No known task: where do the search's initial states settle?
	v := &inspect.Verdict{Scheme: "forward simulation census (§9 step 2)"}
	dt := 1.0
	unit := "steps"
	if f, ok := net.(model.Flow); ok {
		dt, unit = f.Dt(), "model time units"
	}
	probes := inits
	if len(probes) > 8 {
		probes = probes[:8]
	}
	counts := map[inspect.EndKind]int{}
	for i, x := range probes {
		a, err := inspect.Settle(ctx, net, x, nil, 2000*dt, 400*dt, &inspect.AsymptoticSettings{FloquetMaxN: -1})
		if err != nil {
			return nil, nil, nil, err
		}
		counts[a.Kind]++
		progressFn("settling", i+1, len(probes))
	}
	v.Evidence = append(v.Evidence, inspect.Named{Name: "probes", Value: float64(len(probes))},
		inspect.Named{Name: "run", Value: 2000 * dt, Unit: unit})
	var kinds []string
	for _, kd := range []inspect.EndKind{inspect.EndFixedPoint, inspect.EndLimitCycle, inspect.EndOther, inspect.EndDiverged} {
		v.Evidence = append(v.Evidence, inspect.Named{Name: "probes_" + strings.ToLower(kd.String()), Value: float64(counts[kd])})
		if counts[kd] > 0 {
			kinds = append(kinds, kd.String())
		}
	}
	switch {
	case counts[inspect.EndDiverged] == len(probes):
		v.Label = "undetermined"
		v.Notes = append(v.Notes, "every probe diverged (non-finite state)")
	case len(kinds) == 1:
		v.Label = map[string]string{"FP": "fixed points", "LC": "limit cycle", "other": "other (chaotic or quasi-periodic)", "diverged": "diverged"}[kinds[0]]
	default:
		v.Label = "mixed: " + strings.Join(kinds, ", ")
	}
	v.Notes = append(v.Notes, "the file names no task, so no task-specific mechanism test applies")
	return v, nil, nil, nil
}

// inspectPrint writes the human summary.
func inspectPrint(w io.Writer, rep *inspectReport, fr *inspect.FixedPointResult, conv string, notes []string) {
	fmt.Fprintf(w, "%s: %s network, %d state variables (%s), %d inputs, %d outputs", saved.Printable(rep.File), rep.Model["family"], rep.Model["size"], rep.Model["state_var"], rep.Model["inputs"], rep.Model["outputs"])
	if rep.Task != "" {
		fmt.Fprintf(w, ", task %s", rep.Task)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "\nfixed-point search: %s from %d initial states (%s), %.2g s\n", fr.Method, rep.Search["inits"], rep.Search["inits_from"], fr.Runtime.Seconds())
	fmt.Fprintf(w, "  candidates: %d converged, %d captured, %d slow, %d not converged, %d non-finite\n", fr.Converged, fr.Captured, fr.Slow, fr.NotConverged, fr.NonFinite)
	fmt.Fprintf(w, "  eigenvalues: %s — %s\n", conv, rep.Units)
	pts := append([]inspect.FixedPoint(nil), fr.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Count > pts[j].Count })
	fmt.Fprintf(w, "  %d unique points:\n", len(pts))
	fmt.Fprintf(w, "    %-9s %10s %9s %9s %6s  %s\n", "kind", "q", "‖x‖/√N", "unstable", "count", "leading eigenvalue")
	for i, p := range pts {
		if i == 20 {
			fmt.Fprintf(w, "    … %d more (use --json)\n", len(pts)-20)
			break
		}
		lead := p.Eigenvalues.Leading()
		ls := "—"
		if !cmplx.IsNaN(lead) {
			ls = fmt.Sprintf("%.4g%+.4gi", real(lead), imag(lead))
		}
		fmt.Fprintf(w, "    %-9s %10.3g %9.4g %9d %6d  %s\n", p.Kind, p.Q, inspectNorm(p.X)/math.Sqrt(float64(len(p.X))), p.UnstableDims, p.Count, ls)
	}
	if rep.Verdict != nil {
		fmt.Fprintf(w, "\nmechanism — %s", rep.Verdict)
		if rep.CodeVerdict != nil {
			fmt.Fprintf(w, "\nbeside it — %s", rep.CodeVerdict)
		}
		for _, n := range notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	}
}
