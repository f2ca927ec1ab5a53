package analysis

import (
	"context"
	"fmt"
	"math"
	"strings"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// VerdictSettings configures [Verdict]. [DefaultSettings] holds the
// defaults; every field is used as given.
type VerdictSettings struct {
	// Skip leaves the verdict out.
	Skip bool `json:"skip,omitempty"`
	// Copies is the number of noisy copies of every probe of the
	// Ghazizadeh classifier (4; science spec §9 proposes 20; 0: none).
	Copies int `json:"copies"`
	// RunTrials is the forward simulation of every probe, in trial
	// lengths (10).
	RunTrials float64 `json:"run_trials"`
	// CodeCopies and CodeRunTrials configure the authors' attractor_type
	// classifier reported beside the Ghazizadeh verdict (20 runs per base,
	// 50 trial lengths).
	CodeCopies    int     `json:"code_copies"`
	CodeRunTrials float64 `json:"code_run_trials"`
	// SlowPoints runs the slow-point search of science spec §9 step 5 from
	// states along the delays (true).
	SlowPoints bool `json:"slow_points"`
	// SlowEigTol is the |Re λ| bound (1/model time unit) of the slow-mode
	// fraction at the fixed points the Ghazizadeh probes reach, science
	// spec §9 step 5 (0.05, ours: docs/science.md §3.4, §10). Zero takes
	// the default; otherwise it must be finite and positive.
	SlowEigTol float64 `json:"slow_eig_tol"`
}

// defaultSlowEigTol is VerdictSettings.SlowEigTol's default.
const defaultSlowEigTol = 0.05

// slowEigTol returns SlowEigTol, or its default when zero.
func (vs *VerdictSettings) slowEigTol() float64 {
	if vs.SlowEigTol == 0 {
		return defaultSlowEigTol
	}
	return vs.SlowEigTol
}

// check returns an error naming the first verdict setting out of range.
func (vs *VerdictSettings) check() error {
	if e := vs.SlowEigTol; e != 0 && !(e > 0 && !math.IsInf(e, 1)) {
		return fmt.Errorf("analysis: verdict setting slow_eig_tol = %g is out of range: want a finite value above 0 (see analysis.VerdictSettings)", e)
	}
	return nil
}

// VerdictResult is the mechanism verdict of a network: the label with its
// evidence and thresholds, the classifier reported beside it (nil if
// none), notes on how the trials were run, and the limit cycles the
// probes reached.
type VerdictResult struct {
	Main, Beside *inspect.Verdict
	Notes        []string
	Cycles       []Cycle
}

// Verdict runs the classifier of the protocol p on the network of file n
// (net is the network to run, a clone owned by the caller; n gives the
// training record the Kurtkaya gate reads and may be nil):
//
//   - sequential pattern matching: Ghazizadeh & Ching's DFP, IFP, LC or
//     Mix (inspect.GhazizadehVerdict) from the memory states at the end of
//     delay 1 of every condition, with the authors' attractor_type beside;
//   - delayed cue discrimination: Kurtkaya et al.'s gate and PSD ratio
//     (inspect.KurtkayaVerdict) on the first condition's trial;
//   - every other protocol (other tasks, the generic protocol, a user's
//     trials): the end behaviour of every condition (inspect.Settle from
//     the end of its delay, with the delay's input held for 10 trial
//     lengths). This is a description, not one of the published
//     classifiers, and says so.
func Verdict(ctx context.Context, net model.Network, n *saved.Network, p *Protocol, s *Settings) (*VerdictResult, error) {
	if len(p.Conditions) == 0 {
		return nil, fmt.Errorf("analysis: the protocol has no conditions")
	}
	vs := &s.Verdict
	if err := vs.check(); err != nil {
		return nil, err
	}
	if err := s.Census.check(); err != nil {
		return nil, err
	}
	trials := p.Trials()
	switch p.Scheme {
	case SchemeGhazizadeh:
		mem, _, err := inspect.TrialProbes(ctx, net, trials)
		if err != nil {
			return nil, err
		}
		var delay [][]float64
		if vs.SlowPoints {
			delay, err = inspect.TrialStates(ctx, net, trials, 10, func(tr *inspect.Trial) inspect.StepWindow { return tr.Delay })
			if err != nil {
				return nil, err
			}
		}
		cp := vs.Copies
		if cp == 0 {
			cp = -1
		}
		fps := inspect.DefaultFixedPointSettings()
		fps.Concurrency = s.Concurrency
		fps.QSlow = s.Census.qSlow()
		res, err := inspect.GhazizadehVerdict(ctx, net, inspect.GhazizadehInput{Memory: mem, Ends: p.Bases,
			TrialSteps: p.Steps(0), Encodings: p.Encodings, Channel: 0, DelayStates: delay},
			&inspect.GhazizadehSettings{Copies: cp, RunTrials: vs.RunTrials, Seed: s.Seed, Concurrency: s.Concurrency,
				SlowEigTol: vs.slowEigTol(), FixedPoints: fps, Code: inspect.CodeSettings{Copies: vs.CodeCopies, RunTrials: vs.CodeRunTrials}, Progress: s.Progress})
		if err != nil {
			return nil, err
		}
		r := &VerdictResult{Main: res.Verdict, Beside: res.Code}
		r.Notes = append(r.Notes, fmt.Sprintf("the authors' classifier reads %s as %s", res.Code.Label, inspect.CodeLabelMechanism(res.Code.Label)))
		if p.FromTraining {
			r.Notes = append(r.Notes, "trials start from the ends of one trial of each type run in turn from the state at the end of training (train.x), as the authors' test")
		} else {
			r.Notes = append(r.Notes, "the file holds no end-of-training state (train.x): trials start from the ends of trials run from the origin, where a trained network may sit on an untrained branch")
		}
		for _, po := range res.Probes {
			if po.End != nil && po.End.Kind == inspect.EndLimitCycle {
				r.Cycles = addCycle(r.Cycles, po.End, po.Probe.Name)
			}
		}
		return r, nil
	case SchemeKurtkaya:
		var acc, rel []float64
		if n != nil {
			acc, rel = train.LearningSeries(n)
		}
		res, err := inspect.KurtkayaVerdict(ctx, net, &trials[0], acc, rel, nil)
		if err != nil {
			return nil, err
		}
		r := &VerdictResult{Main: res.Verdict}
		if len(acc) > 0 && rel == nil {
			r.Notes = append(r.Notes, "the learning gate uses the saved history's checkpoints, not every epoch")
		}
		return r, nil
	}
	return endBehaviour(ctx, net, p, trials, s)
}

// Thresholds of the end-behaviour verdict.
const (
	endRunTrials    = 10   // forward simulation after the delay, in trial lengths
	endWindowTrials = 2    // the final window classified, in trial lengths
	distinctTol     = 0.01 // two end states are one fixed point within this ‖Δx‖/√N
)

// endBehaviour runs every condition to the end of its delay, then holds
// the delay's input for ten trial lengths and classifies the last two with
// inspect.Settle.
func endBehaviour(ctx context.Context, net model.Network, p *Protocol, trials []inspect.Trial, s *Settings) (*VerdictResult, error) {
	dt, unit := 1.0, "steps"
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		dt, unit = f.Dt(), "t.u."
		if _, u := TimeUnit(net); u != "" {
			unit = u
		}
	}
	set := s.asymptotic()
	v := &inspect.Verdict{Scheme: "end behaviour, §9 step 2; not a published classifier"}
	n := net.Dims().State
	ends := make([]*inspect.Asymptote, len(trials))
	err := parallelFor(ctx, len(trials), s.Concurrency, func(c int) error {
		net := net.Clone()
		x := append([]float64(nil), trials[c].X0...)
		next := make([]float64, n)
		for t := range p.DelayEnd(c) {
			if t%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			net.Step(next, x, trials[c].Inputs[t])
			x, next = next, x
		}
		trial := float64(p.Steps(c)) * dt
		a, err := inspect.Settle(ctx, net, x, p.Conditions[c].Hold, endRunTrials*trial, endWindowTrials*trial, set)
		if err != nil {
			return fmt.Errorf("condition %s: %w", p.Conditions[c].Name, err)
		}
		ends[c] = a
		if s.Progress != nil {
			s.Progress("end behaviour", c+1, len(trials))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r := &VerdictResult{Main: v}
	var fps [][]float64
	var kinds [4]int
	var periods []float64
	lyap := math.NaN()
	for c, a := range ends {
		if a.Kind >= 0 && int(a.Kind) < len(kinds) {
			kinds[a.Kind]++
		}
		switch a.Kind {
		case inspect.EndFixedPoint:
			fps = append(fps, a.X)
		case inspect.EndLimitCycle:
			periods = append(periods, a.Period)
			r.Cycles = addCycle(r.Cycles, a, p.Conditions[c].Name)
			r.Cycles[len(r.Cycles)-1].Input = p.Conditions[c].Hold
		case inspect.EndOther:
			if !math.IsNaN(a.Lyapunov) && (math.IsNaN(lyap) || a.Lyapunov > lyap) {
				lyap = a.Lyapunov
			}
		}
	}
	distinct := len(distinctStates(fps, distinctTol))
	k := len(trials)
	v.Evidence = []inspect.Named{
		{Name: "conditions", Value: float64(k)},
		{Name: "ends_fp", Value: float64(kinds[inspect.EndFixedPoint])},
		{Name: "ends_lc", Value: float64(kinds[inspect.EndLimitCycle])},
		{Name: "ends_other", Value: float64(kinds[inspect.EndOther])},
		{Name: "ends_diverged", Value: float64(kinds[inspect.EndDiverged])},
		{Name: "distinct_fixed_points", Value: float64(distinct)},
	}
	if len(periods) > 0 {
		mean := 0.0
		for _, q := range periods {
			mean += q
		}
		v.Evidence = append(v.Evidence, inspect.Named{Name: "lc_period_mean", Value: mean / float64(len(periods)), Unit: unit})
	}
	if !math.IsNaN(lyap) {
		v.Evidence = append(v.Evidence, inspect.Named{Name: "max_lyapunov", Value: lyap, Unit: "per " + strings.TrimSuffix(unit, "s")})
	}
	v.Thresholds = []inspect.Named{
		{Name: "var_tol", Value: set.VarTol},
		{Name: "speed_tol", Value: set.SpeedTol, Unit: "per " + strings.TrimSuffix(unit, "s")},
		{Name: "acf_peak", Value: set.ACFPeak},
		{Name: "return_tol", Value: set.ReturnTol, Unit: "state units"},
		{Name: "distinct_tol", Value: distinctTol, Unit: "state units (‖Δx‖/√N)"},
	}
	switch {
	case kinds[inspect.EndDiverged] > 0:
		v.Label = "diverges"
	case kinds[inspect.EndFixedPoint] == k:
		v.Label = fmt.Sprintf("fixed points (%d distinct for %d conditions)", distinct, k)
	case kinds[inspect.EndLimitCycle] == k:
		v.Label = "limit cycle"
	case kinds[inspect.EndOther] == k && lyap < 0:
		v.Label = "slow convergence (λ₁ < 0, not settled)"
	case kinds[inspect.EndOther] == k:
		v.Label = "neither fixed point nor cycle"
	default:
		v.Label = "mixed"
	}
	v.Notes = append(v.Notes, fmt.Sprintf("each condition runs to the end of its delay, then holds the delay's input for %d trial lengths; the last %d are classified", endRunTrials, endWindowTrials))
	if p.Source == "generic" {
		v.Notes = append(v.Notes, "the file names no task: the conditions are the generic protocol's, so no task-specific mechanism test applies")
	}
	return r, nil
}

// distinctStates returns the states of xs that differ from every earlier
// kept one by at least tol in ‖Δx‖/√N, greedily, in order.
func distinctStates(xs [][]float64, tol float64) [][]float64 {
	var kept [][]float64
	for _, x := range xs {
		dup := false
		for _, y := range kept {
			if rmsDist(x, y) < tol {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, x)
		}
	}
	return kept
}

// rmsDist returns ‖x − y‖/√N.
func rmsDist(x, y []float64) float64 {
	return dist2(x, y) / math.Sqrt(float64(max(1, len(x))))
}
