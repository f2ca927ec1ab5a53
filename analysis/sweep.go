package analysis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"attractor/inspect"
	"attractor/saved"
	"attractor/train"
	"attractor/train/sweep"
)

// RegisterSweepAnalyses registers the analyses of this package with
// train/sweep, which cannot import them (dependencies point one way: the
// sweep package sits below analysis). The program calls it once before a
// sweep runs; calling it again replaces the entries with the same ones.
//
//   - "report" (any task): the report of `attractor inspect --json`
//     ([Analyze]) with its headline figures.
//   - "mechanism" (task spm): the Ghazizadeh & Ching verdict of docs/science.md
//     §9 (inspect.GhazizadehVerdict) on networks that pass the
//     trainability test of §3.3, class DFP, IFP, LC or Mix (or
//     "undetermined"), with the authors' attractor_type label beside it;
//     untrainable networks (by the criterion the trainability analysis
//     chose: the spec's or the authors' code's) get class "untrainable"
//     and no verdict (with
//     the option all = true they are classified too, and the figure
//     "trainable" tells them apart);
//   - "phase" (task dcdt): Kurtkaya et al.'s classification of §5.5
//     (inspect.KurtkayaVerdict): the learning gate on the per-epoch
//     accuracy and reliability the leaky trainer saves, then the PSD ratio
//     ρ: class "unable" (did not learn), LC (ρ < 0.5) or SP.
//
// Their figures are flat (one CSV column each): the verdict's evidence
// under its own names, its thresholds as threshold_NAME, its notes joined
// by "; ". The trials, probes and noise are those of `attractor inspect`
// with the same settings and --seed ([Verdict] under [ProtocolFor]), so a
// sweep's class can be checked against `attractor inspect --json` on the
// saved network.
func RegisterSweepAnalyses() {
	sweep.RegisterAnalysis("mechanism", sweep.Analysis{Tasks: []string{"spm"}, Run: sweepMechanism})
	sweep.RegisterAnalysis("phase", sweep.Analysis{Tasks: []string{"dcdt"}, Run: sweepPhase})
	sweep.RegisterAnalysis("report", sweep.Analysis{Run: SweepReport})
}

// SweepReport is the "report" sweep analysis, for any task: the report of
// `attractor inspect --json` with the default settings (options: seed,
// inits for a fixed census, no_verdict, name: the file name the report
// gives, net.npz by default), stored whole as the figure "report" (the
// exact bytes inspect prints for the saved network under that name)
// beside its headline figures: class (the
// verdict's label), stable, chao1, unseen, cycles, budget_hit.
func SweepReport(ctx context.Context, in sweep.AnalysisInput) (map[string]any, error) {
	s := DefaultSettings()
	s.Concurrency = 1
	seed, err := sweep.OptInt(in.Options, "seed", 1)
	if err != nil {
		return nil, err
	}
	inits, err := sweep.OptInt(in.Options, "inits", 0)
	if err != nil {
		return nil, err
	}
	noVerdict, err := sweep.OptBool(in.Options, "no_verdict", false)
	if err != nil {
		return nil, err
	}
	name, ok := in.Options["name"].(string)
	if !ok {
		name = sweep.NetworkFile
	}
	if seed < 0 || inits < 0 {
		return nil, errors.New("report options: seed and inits must be ≥ 0")
	}
	s.Seed, s.Verdict.Skip = uint64(seed), noVerdict
	if inits > 0 {
		s.Census.Starts, s.Census.Adaptive, s.Census.Budget = inits, false, inits
	}
	rep, err := Analyze(ctx, name, in.Network, nil, s)
	if err != nil {
		return nil, err
	}
	b, err := rep.JSON()
	if err != nil {
		return nil, err
	}
	out := map[string]any{"report": string(b), "stable": rep.Coverage.Stable, "chao1": rep.Coverage.Chao1,
		"unseen": rep.Coverage.Unseen, "cycles": len(rep.Cycles), "budget_hit": rep.Coverage.BudgetHit}
	if rep.Verdict != nil {
		out["class"] = rep.Verdict.Label
	}
	return out, nil
}

// sweepMechanismOptions are the [analysis.mechanism] options; the defaults
// are those of `attractor inspect`.
type sweepMechanismOptions struct {
	copies        int     // noisy copies of every probe (4; docs/science.md §9 proposes 20)
	runTrials     float64 // forward simulation per probe in trial lengths (10)
	codeCopies    int     // noisy runs per base of the authors' classifier (20)
	codeRunTrials float64 // its simulation in trial lengths (50)
	slowPoints    bool    // also run the slow-point search of §9 step 5 (false)
	seed          int     // stimuli and probe noise (1)
	testSeeds     int     // trainability test when no "trainability" analysis precedes (10; criterion as there)
	threshold     float64 // its RMSE threshold (0.01)
	all           bool    // classify untrainable networks too: their class is the verdict's label (false)
}

func sweepMechanismOpts(o map[string]any) (sweepMechanismOptions, error) {
	var m sweepMechanismOptions
	var err error
	get := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	get(func() (e error) { m.copies, e = sweep.OptInt(o, "copies", 4); return })
	get(func() (e error) { m.runTrials, e = sweep.OptFloat(o, "run_trials", 10); return })
	get(func() (e error) { m.codeCopies, e = sweep.OptInt(o, "code_copies", 20); return })
	get(func() (e error) { m.codeRunTrials, e = sweep.OptFloat(o, "code_run_trials", 50); return })
	get(func() (e error) { m.slowPoints, e = sweep.OptBool(o, "slow_points", false); return })
	get(func() (e error) { m.seed, e = sweep.OptInt(o, "seed", 1); return })
	get(func() (e error) { m.testSeeds, e = sweep.OptInt(o, "test_seeds", 10); return })
	get(func() (e error) { m.threshold, e = sweep.OptFloat(o, "threshold", 0.01); return })
	get(func() (e error) { m.all, e = sweep.OptBool(o, "all", false); return })
	if err != nil {
		return m, err
	}
	if m.copies < 0 || !(m.runTrials > 0) || m.codeCopies < 1 || !(m.codeRunTrials > 0) || m.seed < 0 || m.testSeeds < 1 {
		return m, fmt.Errorf("mechanism options: copies ≥ 0, code_copies ≥ 1, test_seeds ≥ 1, seed ≥ 0, run_trials and code_run_trials > 0")
	}
	return m, nil
}

// sweepMechanism is the "mechanism" analysis.
func sweepMechanism(ctx context.Context, in sweep.AnalysisInput) (map[string]any, error) {
	opt, err := sweepMechanismOpts(in.Options)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	// The trainability gate: the figure of a preceding "trainability"
	// analysis, or the test run here.
	trainable := true
	if prev, ok := in.Previous["trainability"]; ok {
		if cl, ok := prev["class"].(string); ok {
			trainable = cl == "trainable" // by the criterion chosen there
		} else if t, ok := prev["trainable"].(bool); ok {
			trainable = t
		} else {
			return nil, errors.New("the trainability analysis gave no class or trainable figure")
		}
	} else {
		s, ok := in.Job.(*train.ForceSPMSession)
		if !ok {
			return nil, fmt.Errorf("mechanism needs a FORCE SPM session for its trainability test, not %T", in.Job)
		}
		res, err := train.TestSPM(s.Force.Net, s.Task, s.Force.State(), opt.testSeeds, s.Cfg.Seed, opt.threshold)
		if err != nil {
			return nil, err
		}
		crit, err := sweep.TrainabilityCriterion(in.Options)
		if err != nil {
			return nil, err
		}
		trainable = res.Trainable
		if crit == "code" {
			trainable = res.CodeTrainable
		}
		out["test_rmse_max"] = inspect.JSONNumber(res.Max)
		out["code_test_rmse_max"] = inspect.JSONNumber(res.CodeMax)
		out["criterion"] = crit
	}
	out["trainable"] = trainable
	if !trainable && !opt.all {
		out["class"] = "untrainable"
		return out, nil
	}
	v, code, err := sweepGhazizadeh(ctx, in.Network, opt)
	if err != nil {
		return nil, err
	}
	sweepFlatten(out, "", v)
	out["class"] = v.Label
	out["label"] = v.Label
	out["code_label"] = code.Label
	out["code_mechanism"] = inspect.CodeLabelMechanism(code.Label)
	sweepFlatten(out, "code_", code)
	return out, nil
}

// sweepGhazizadeh runs the verdict as `attractor inspect` does (the same
// protocol and classifier, Verdict), on one goroutine (the
// sweep's workers are the parallelism).
func sweepGhazizadeh(ctx context.Context, n *saved.Network, opt sweepMechanismOptions) (v, code *inspect.Verdict, err error) {
	s := DefaultSettings()
	s.Seed, s.Concurrency = uint64(opt.seed), 1
	s.Verdict = VerdictSettings{Copies: opt.copies, RunTrials: opt.runTrials, CodeCopies: opt.codeCopies,
		CodeRunTrials: opt.codeRunTrials, SlowPoints: opt.slowPoints}
	r, err := sweepVerdict(ctx, n, s, "spm")
	if err != nil {
		return nil, nil, fmt.Errorf("mechanism: %w", err)
	}
	return r.Main, r.Beside, nil
}

// sweepVerdict runs Verdict on n under its registry protocol,
// which must be the task's.
func sweepVerdict(ctx context.Context, n *saved.Network, s *Settings, task string) (*VerdictResult, error) {
	p, err := ProtocolFor(n, s.Seed)
	if err != nil {
		return nil, err
	}
	if p.Task != task {
		return nil, fmt.Errorf("the network's manifest names no %s task", task)
	}
	return Verdict(ctx, n.Net, n, &p, s)
}

// sweepPhase is the "phase" analysis: Kurtkaya et al.'s gate and ρ.
func sweepPhase(ctx context.Context, in sweep.AnalysisInput) (map[string]any, error) {
	v, err := sweepKurtkaya(ctx, in.Network)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"label": v.Label}
	sweepFlatten(out, "", v)
	out["class"] = sweepPhaseClass(v.Label)
	return out, nil
}

// sweepKurtkaya runs the verdict as `attractor inspect` does: the first
// class's trial from the origin, the saved per-epoch series.
func sweepKurtkaya(ctx context.Context, n *saved.Network) (*inspect.Verdict, error) {
	if _, rel := train.LearningSeries(n); rel == nil {
		return nil, errors.New("phase: the network has no per-epoch accuracy and reliability series (train.accuracy, train.reliability)")
	}
	r, err := sweepVerdict(ctx, n, DefaultSettings(), "dcdt")
	if err != nil {
		return nil, fmt.Errorf("phase: %w", err)
	}
	return r.Main, nil
}

// sweepPhaseClass maps Kurtkaya verdict labels to the phase classes.
func sweepPhaseClass(label string) string {
	if label == "unable to learn" {
		return "unable"
	}
	return label
}

// sweepFlatten adds v's evidence, thresholds (threshold_NAME) and notes
// to out, each name prefixed.
func sweepFlatten(out map[string]any, prefix string, v *inspect.Verdict) {
	for _, e := range v.Evidence {
		out[prefix+e.Name] = inspect.JSONNumber(e.Value)
	}
	for _, e := range v.Thresholds {
		out[prefix+"threshold_"+e.Name] = inspect.JSONNumber(e.Value)
	}
	if len(v.Notes) > 0 {
		out[prefix+"notes"] = strings.Join(v.Notes, "; ")
	}
}
