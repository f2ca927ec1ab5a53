package inspect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"runtime"
	"sort"
	"strings"

	"gonum.org/v1/gonum/dsp/fourier"

	"attractor/model"
)

// Named is a named number with its unit (empty when dimensionless).
type Named struct {
	Name  string
	Value float64
	Unit  string
}

// Verdict is a mechanism label with the numbers that decided it and the
// thresholds used, in the order they were computed.
type Verdict struct {
	// Scheme names the classifier, such as "ghazizadeh §9",
	// "ghazizadeh code attractor_type" or "kurtkaya sort_data".
	Scheme string
	// Label is the mechanism: DFP, IFP, LC, Mix (Ghazizadeh); the code's
	// fixedPoint, manifoldFps, limitCycle, far_someFPs, both; LC, SP or
	// "unable to learn" (Kurtkaya); or "undetermined" with a note saying why.
	Label      string
	Evidence   []Named
	Thresholds []Named
	Notes      []string
}

// Value returns the evidence or threshold called name.
func (v *Verdict) Value(name string) (float64, bool) {
	for _, l := range [][]Named{v.Evidence, v.Thresholds} {
		for _, e := range l {
			if e.Name == name {
				return e.Value, true
			}
		}
	}
	return math.NaN(), false
}

func (v *Verdict) add(name string, value float64, unit string) {
	v.Evidence = append(v.Evidence, Named{name, value, unit})
}

func (v *Verdict) threshold(name string, value float64, unit string) {
	v.Thresholds = append(v.Thresholds, Named{name, value, unit})
}

// String formats the verdict for humans: the label, then the evidence and
// thresholds one per line, then the notes.
func (v *Verdict) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", v.Scheme, v.Label)
	for _, sec := range []struct {
		title string
		l     []Named
	}{{"evidence", v.Evidence}, {"thresholds", v.Thresholds}} {
		if len(sec.l) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", sec.title)
		for _, e := range sec.l {
			unit := ""
			if e.Unit != "" {
				unit = " " + e.Unit
			}
			fmt.Fprintf(&b, "    %-28s %.6g%s\n", e.Name, e.Value, unit)
		}
	}
	for _, n := range v.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	return b.String()
}

// JSONNumber returns v, or nil for NaN and infinities (which JSON cannot
// hold).
func JSONNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// MarshalJSON writes {"scheme", "label", "evidence": {name: value},
// "thresholds": {name: value}, "units": {name: unit}, "notes"}; NaN and
// infinite values become null.
func (v *Verdict) MarshalJSON() ([]byte, error) {
	ev, th, un := map[string]any{}, map[string]any{}, map[string]string{}
	for _, e := range v.Evidence {
		ev[e.Name] = JSONNumber(e.Value)
		if e.Unit != "" {
			un[e.Name] = e.Unit
		}
	}
	for _, e := range v.Thresholds {
		th[e.Name] = JSONNumber(e.Value)
		if e.Unit != "" {
			un[e.Name] = e.Unit
		}
	}
	return json.Marshal(map[string]any{"scheme": v.Scheme, "label": v.Label, "evidence": ev,
		"thresholds": th, "units": un, "notes": v.Notes})
}

// ---------------------------------------------------------------------------
// Ghazizadeh & Ching: DFP / IFP / LC / Mix.

// GhazizadehSettings configures [GhazizadehVerdict]. A zero field takes the
// default shown (science spec §3.4(b), §9, §10 item 1); a nil pointer means
// all defaults.
type GhazizadehSettings struct {
	RunTrials    float64 // forward simulation per probe, in trial lengths (10, paper; the code uses 50; Asymptotic.ExtendRun lengthens it for probes that look periodic; a probe settled on a fixed point stops sooner unless Asymptotic.FullRun, and so do the code classifier's runs)
	WindowTrials float64 // final window of the step-2 tests, in trial lengths (2)
	EpsDFP       float64 // ‖x(t) − x(T_d)‖/√N bound for DFP (0.05)
	TolUnique    float64 // two fixed points are one when closer than this (2-norm, 1e-3)
	NoiseIC      float64 // σ_IC of the noisy copies of every probe (0.5)
	// Copies is the number of noisy copies of every base probe (memory
	// states and trial-end states): 20; a negative value means none.
	Copies int
	// Seed seeds the noisy copies (stream 1) and the code classifier's
	// initial conditions (stream 2).
	Seed uint64
	// Asymptotic holds the thresholds of the step-2 tests. The verdict
	// does not use Floquet multipliers, so a zero FloquetMaxN skips them
	// here (−1) rather than taking Settle's default: on a cycle of N = 300
	// they cost seconds per probe.
	Asymptotic AsymptoticSettings
	// Code configures the authors' attractor_type classifier, reported
	// beside; NoCode skips it.
	Code   CodeSettings
	NoCode bool
	// SlowEigTol is the |Re λ| bound of the slow-mode fraction at the fixed
	// point reached (0.05).
	SlowEigTol float64
	// FixedPoints configures the refinement of the fixed points reached and
	// the slow-point search (nil: defaults).
	FixedPoints *FixedPointSettings
	Concurrency int // goroutines (0: GOMAXPROCS)
	// Progress, when set, is called as probes finish, with a stage name.
	Progress func(stage string, done, total int)
}

func (s *GhazizadehSettings) fill() {
	vdDefault(&s.RunTrials, 10)
	vdDefault(&s.WindowTrials, 2)
	vdDefault(&s.EpsDFP, 0.05)
	vdDefault(&s.TolUnique, 1e-3)
	vdDefault(&s.NoiseIC, 0.5)
	vdDefault(&s.SlowEigTol, 0.05)
	if s.Copies == 0 {
		s.Copies = 20
	}
	if s.Copies < 0 {
		s.Copies = 0
	}
	if s.Asymptotic.FloquetMaxN == 0 {
		s.Asymptotic.FloquetMaxN = -1
	}
	s.Asymptotic.fill()
	s.Code.fill()
	if s.Concurrency <= 0 {
		s.Concurrency = vdProcs()
	}
}

// GhazizadehInput is what [GhazizadehVerdict] classifies.
type GhazizadehInput struct {
	// Memory are the clean memory probes: the states at the end of delay 1
	// of the task's trials, with their conditions.
	Memory []Probe
	// Ends are the trial-end states (the code classifier's bases).
	Ends [][]float64
	// TrialSteps is one trial length in steps.
	TrialSteps int
	// Encodings are the output targets f_o (the code classifier counts
	// distinct fixed points against 2·len(Encodings)).
	Encodings []float64
	// Channel is the readout channel of z_o (0).
	Channel int
	// DelayStates are optional states sampled along delay trajectories,
	// the initial states of the slow-point search of §9 step 5.
	DelayStates [][]float64
}

// ProbeOutcome is the step-2 result of one probe.
type ProbeOutcome struct {
	Probe Probe
	End   *Asymptote
}

// SlowManifoldReport is the slow-manifold diagnostic of §9 step 5.
type SlowManifoldReport struct {
	// Q holds q = ½|F|² at the end of the search from every delay state
	// (sorted ascending; non-finite ones dropped).
	Q []float64
	// QMin, QMedian, QMax summarise Q.
	QMin, QMedian, QMax float64
	// SlowPoints counts unique points with TolQ ≤ q < QSlow (ghosts and
	// slow-manifold points); BelowQSlow counts unique points with q < QSlow
	// (fixed points included).
	SlowPoints, BelowQSlow int
	// Result is the full search result.
	Result *FixedPointResult
}

// GhazizadehResult is the outcome of [GhazizadehVerdict].
type GhazizadehResult struct {
	// Verdict is the §9 label DFP, IFP, LC or Mix; Code is the authors'
	// attractor_type label beside it (nil when skipped).
	Verdict *Verdict
	Code    *Verdict
	// Probes are the per-probe outcomes (memory probes first).
	Probes []ProbeOutcome
	// FixedPoints are the distinct fixed points reached, refined by Newton
	// steps and with their spectra (nil when no probe reached one).
	FixedPoints *FixedPointResult
	// Slow is the slow-manifold diagnostic (nil without DelayStates).
	Slow *SlowManifoldReport
	// CodeRuns are the code classifier's runs.
	CodeRuns []CodeRun
}

// vdProcs is the default concurrency.
func vdProcs() int { return runtime.GOMAXPROCS(0) }

// vdNoisyCopy returns x + N(0, σ²) noise.
func vdNoisyCopy(x []float64, sigma float64, rng *model.RNG) []float64 {
	c := make([]float64, len(x))
	for i, v := range x {
		c[i] = v + sigma*rng.Norm()
	}
	return c
}

// vdEach runs fn(net, i) for i < n on conc goroutines, each with its own
// clone of net, reporting progress.
func vdEach(ctx context.Context, net model.Network, n, conc int, progress func(done, total int), fn func(net model.Network, i int) error) error {
	nets := cloneNets(net, poolSize(n, conc))
	return parallelFor(ctx, n, len(nets), progress, func(w, i int) error { return fn(nets[w], i) })
}

// GhazizadehVerdict classifies the memory mechanism of a Ghazizadeh & Ching
// network (science spec §3.4(b), §9 steps 1–3 and 5):
//
//  1. every probe — the clean memory states at T_d, the trial-end states,
//     and Copies noisy copies (σ = NoiseIC) of each — is simulated with
//     zero input for RunTrials trial lengths and classified by [Settle] on
//     the final WindowTrials trial lengths (FP, LC or other);
//  2. DFP if every probe reaches a fixed point and every clean memory probe
//     stays within EpsDFP of x(T_d) (‖x(t) − x(T_d)‖/√N) throughout; IFP if
//     every probe reaches a fixed point, not DFP, and the number of distinct
//     fixed points reached (TolUnique) is below the number of memory
//     conditions; LC if every probe reaches a limit cycle; Mix otherwise.
//     When every probe reaches a fixed point, the memory probes drift by
//     more than EpsDFP, but there are at least as many distinct fixed points
//     as conditions, the label is DFP with a note (the memory is held by
//     distinct fixed points reached after a transient);
//  3. the distinct fixed points reached are refined by [FindFixedPoints]
//     (Newton polishing, spectra), and the fraction of their eigenvalues
//     with |Re λ| < SlowEigTol (the IFP signature of §3.4(c)) is reported;
//  4. with DelayStates, the slow-point search of §9 step 5;
//  5. the authors' attractor_type classifier beside it (see [CodeAttractorType]).
func GhazizadehVerdict(ctx context.Context, net model.Network, in GhazizadehInput, s *GhazizadehSettings) (*GhazizadehResult, error) {
	var set GhazizadehSettings
	if s != nil {
		set = *s
	}
	set.fill()
	if net == nil {
		return nil, errors.New("inspect: no network")
	}
	if len(in.Memory) == 0 {
		return nil, errors.New("inspect: Ghazizadeh verdict needs memory probes")
	}
	if in.TrialSteps < 1 {
		return nil, fmt.Errorf("inspect: trial length %d steps", in.TrialSteps)
	}
	d := net.Dims()
	if in.Channel < 0 || in.Channel >= d.Output {
		return nil, fmt.Errorf("inspect: readout channel %d, network has %d", in.Channel, d.Output)
	}
	for _, p := range in.Memory {
		if err := vdCheckState(net, p.X, nil); err != nil {
			return nil, err
		}
	}
	for _, x := range in.Ends {
		if err := vdCheckState(net, x, nil); err != nil {
			return nil, err
		}
	}
	dt := vdDt(net)
	res := &GhazizadehResult{}
	// Probes: memory, ends, then noisy copies of each.
	var probes []Probe
	probes = append(probes, in.Memory...)
	for i, x := range in.Ends {
		probes = append(probes, Probe{Name: fmt.Sprintf("trial end %d", i+1), X: x, Condition: -1})
	}
	rng := model.NewRNG(set.Seed, 1)
	nBase := len(probes)
	for b := 0; b < nBase; b++ {
		for c := 0; c < set.Copies; c++ {
			probes = append(probes, Probe{Name: fmt.Sprintf("%s + noise %d", probes[b].Name, c+1),
				X: vdNoisyCopy(probes[b].X, set.NoiseIC, rng), Condition: probes[b].Condition})
		}
	}
	run := set.RunTrials * float64(in.TrialSteps) * dt
	win := set.WindowTrials * float64(in.TrialSteps) * dt
	outs := make([]*Asymptote, len(probes))
	asym := set.Asymptotic
	var progress func(done, total int)
	if set.Progress != nil {
		progress = func(done, total int) { set.Progress("probes", done, total) }
	}
	err := vdEach(ctx, net, len(probes), set.Concurrency, progress, func(net model.Network, i int) error {
		a, err := Settle(ctx, net, probes[i].X, nil, run, win, &asym)
		outs[i] = a
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range probes {
		res.Probes = append(res.Probes, ProbeOutcome{Probe: probes[i], End: outs[i]})
	}
	v := &Verdict{Scheme: "ghazizadeh §9 forward simulation"}
	res.Verdict = v
	var nFP, nLC, nOther, nDiv, nExt int
	var fpX [][]float64
	var fpQ []float64
	for _, a := range outs {
		if a.Extended {
			nExt++
		}
		switch a.Kind {
		case EndFixedPoint:
			nFP++
			fpX = append(fpX, a.X)
			fpQ = append(fpQ, a.Speed)
		case EndLimitCycle:
			nLC++
		case EndOther:
			nOther++
		case EndDiverged:
			nDiv++
		}
	}
	memDrift := 0.0
	memFP := 0
	conds := map[int]bool{}
	for i, p := range probes[:len(in.Memory)] {
		conds[p.Condition] = true
		memDrift = math.Max(memDrift, outs[i].MaxDrift)
		if outs[i].Kind == EndFixedPoint {
			memFP++
		}
	}
	distinct := 0
	if len(fpX) > 0 {
		distinct = len(fpRepresentatives(fpMergeIndex(fpX, fpQ, set.TolUnique)))
	}
	v.add("probes", float64(len(probes)), "")
	v.add("memory_probes", float64(len(in.Memory)), "")
	v.add("memory_conditions", float64(len(conds)), "")
	v.add("probes_fp", float64(nFP), "")
	v.add("probes_lc", float64(nLC), "")
	v.add("probes_other", float64(nOther), "")
	v.add("probes_diverged", float64(nDiv), "")
	v.add("probes_extended", float64(nExt), "")
	v.add("memory_probes_fp", float64(memFP), "")
	v.add("max_memory_drift", memDrift, "state units (‖x(t) − x(T_d)‖/√N)")
	v.add("distinct_fixed_points", float64(distinct), "")
	v.add("run", run, vdTimeUnit(net))
	v.threshold("eps_dfp", set.EpsDFP, "state units")
	v.threshold("tol_unique", set.TolUnique, "")
	v.threshold("noise_ic", set.NoiseIC, "state units")
	v.threshold("copies", float64(set.Copies), "")
	v.threshold("var_tol", asym.VarTol, "")
	v.threshold("speed_tol", asym.SpeedTol, "per "+vdTimeUnit(net))
	v.threshold("acf_peak", asym.ACFPeak, "")
	v.threshold("return_tol", asym.ReturnTol, "state units")
	v.threshold("extend_run", asym.ExtendRun, "")
	v.threshold("cycle_frac", asym.CycleFrac, "")
	// Periods of the limit cycles, if any.
	var periods []float64
	for _, a := range outs {
		if a.Kind == EndLimitCycle {
			periods = append(periods, a.Period)
		}
	}
	if len(periods) > 0 {
		ps := vdSortedCopy(periods)
		v.add("lc_period_median", ps[len(ps)/2], vdTimeUnit(net))
	}
	switch {
	case nDiv == len(outs):
		v.Label = "undetermined"
		v.Notes = append(v.Notes, "every probe diverged (non-finite state): the network is not usable")
	case nFP == len(outs) && memDrift < set.EpsDFP:
		v.Label = "DFP"
	case nFP == len(outs) && distinct < len(conds):
		v.Label = "IFP"
	case nFP == len(outs):
		v.Label = "DFP"
		v.Notes = append(v.Notes, fmt.Sprintf("memory probes drift by up to %.3g > ε = %g before settling, but the %d distinct fixed points reached are at least the %d memory conditions", memDrift, set.EpsDFP, distinct, len(conds)))
	case nLC == len(outs):
		v.Label = "LC"
	default:
		v.Label = "Mix"
		if nOther+nDiv > 0 {
			v.Notes = append(v.Notes, fmt.Sprintf("%d probes reached neither a fixed point nor a limit cycle (%d diverged)", nOther+nDiv, nDiv))
		}
	}
	// Refine the distinct fixed points reached.
	if len(fpX) > 0 {
		rep := fpRepresentatives(fpMergeIndex(fpX, fpQ, set.TolUnique))
		inits := make([][]float64, len(rep))
		for i, r := range rep {
			inits[i] = fpX[r]
		}
		fps := DefaultFixedPointSettings()
		if set.FixedPoints != nil {
			*fps = *set.FixedPoints
		}
		fps.KeepDistanceOutliers = true
		fr, err := FindFixedPoints(ctx, FixedPointProblem{Net: net, Inits: inits}, fps)
		if err != nil {
			return nil, err
		}
		res.FixedPoints = fr
		frac, stable := 0.0, 0
		for _, p := range fr.Points {
			if p.Kind == Stable || p.Kind == Marginal {
				stable++
			}
			frac = math.Max(frac, NearAxisFraction(p.Eigenvalues, set.SlowEigTol))
		}
		v.add("refined_fixed_points", float64(len(fr.Points)), "")
		v.add("refined_stable_or_marginal", float64(stable), "")
		v.add("slow_eig_fraction_max", frac, "")
		v.threshold("slow_eig_tol", set.SlowEigTol, "1/"+vdTimeUnit(net))
	}
	if len(in.DelayStates) > 0 {
		sr, err := SlowManifold(ctx, net, in.DelayStates, set.FixedPoints)
		if err != nil {
			return nil, err
		}
		res.Slow = sr
		v.add("slow_points", float64(sr.SlowPoints), "")
		v.add("points_below_q_slow", float64(sr.BelowQSlow), "")
		v.add("delay_q_median", sr.QMedian, "")
	}
	if !set.NoCode {
		var cp func(done, total int)
		if set.Progress != nil {
			cp = func(done, total int) { set.Progress("code classifier", done, total) }
		}
		runs, err := codeRuns(ctx, net, in, &set, cp)
		if err != nil {
			return nil, err
		}
		res.CodeRuns = runs
		res.Code = CodeAttractorType(runs, in.Encodings, &set.Code)
	}
	return res, nil
}

// vdTimeUnit names the time unit of net's simulation.
func vdTimeUnit(net model.Network) string {
	if _, ok := net.(model.Flow); ok {
		return "model time units"
	}
	return "steps"
}

// NearAxisFraction returns the fraction of the eigenvalues of sp that are
// slow: |Re λ| < tol for continuous-time rates; for discrete-map
// multipliers the rate is taken as ln|μ|/Dt (per step when Dt is 0). It
// returns NaN for an empty spectrum.
func NearAxisFraction(sp Spectrum, tol float64) float64 {
	if len(sp.Values) == 0 {
		return math.NaN()
	}
	n := 0
	for _, v := range sp.Values {
		r := real(v)
		if sp.Convention == DiscreteMap {
			r = math.Log(cmplx.Abs(v))
			if sp.Dt > 0 {
				r /= sp.Dt
			}
		}
		if math.Abs(r) < tol {
			n++
		}
	}
	return float64(n) / float64(len(sp.Values))
}

// SlowManifold runs the slow-point search of §9 step 5 from states sampled
// along delay trajectories and summarises the speeds q reached.
func SlowManifold(ctx context.Context, net model.Network, states [][]float64, fps *FixedPointSettings) (*SlowManifoldReport, error) {
	set := DefaultFixedPointSettings()
	if fps != nil {
		*set = *fps
		set.fill()
	}
	fr, err := FindFixedPoints(ctx, FixedPointProblem{Net: net, Inits: states}, set)
	if err != nil {
		return nil, err
	}
	r := &SlowManifoldReport{Result: fr, QMin: math.NaN(), QMedian: math.NaN(), QMax: math.NaN()}
	for _, c := range fr.Candidates {
		if !math.IsNaN(c.Q) && !math.IsInf(c.Q, 0) {
			r.Q = append(r.Q, c.Q)
		}
	}
	sort.Float64s(r.Q)
	if len(r.Q) > 0 {
		r.QMin, r.QMedian, r.QMax = r.Q[0], r.Q[len(r.Q)/2], r.Q[len(r.Q)-1]
	}
	for _, p := range fr.Points {
		if p.Q < set.QSlow {
			r.BelowQSlow++
			if p.Q >= set.TolQ {
				r.SlowPoints++
			}
		}
	}
	return r, nil
}

// ---------------------------------------------------------------------------
// The authors' operational classifier (posthoc_tests.attractor_type).

// CodeSettings configure the authors' attractor_type classifier (science
// spec §3.4(b)(4)); a zero field takes the default of attractor_type.
// [CodeNoZero] gives the attractor_type_nozero variant.
type CodeSettings struct {
	NoOrigin     bool    // leave out the origin from the bases (nozero variant)
	NoiseIC      float64 // σ of the noise added to each base (0.5); negative: none
	Copies       int     // noisy runs per base (20)
	RunTrials    float64 // simulated trial lengths (50)
	WindowTrials float64 // final window for var and mean of z_o (2)
	VarTol       float64 // all var(z_o) below this ⇒ fixed points (1e-9)
	Decimals     int     // rounding of z_o before counting distinct values (4); negative: 0 decimals
	// MinFP is the number of distinct final z_o from which the label is
	// fixedPoint (DFP) rather than manifoldFps (IFP); 0 means
	// 2·len(encodings) (6).
	MinFP int
	// FarMargin: max|mean z_o| > max(encodings) + FarMargin ⇒ far_someFPs (2.5).
	FarMargin float64
}

// CodeNoZero returns the settings of attractor_type_nozero: the four
// trial-end states without noise and without the origin, variance
// threshold 1e-6, rounding to 2 decimals, DFP when n_fp ≥ 3.
func CodeNoZero() CodeSettings {
	return CodeSettings{NoOrigin: true, NoiseIC: -1, Copies: 1, VarTol: 1e-6, Decimals: 2, MinFP: 3}
}

func (s *CodeSettings) fill() {
	vdDefault(&s.NoiseIC, 0.5)
	if s.NoiseIC < 0 {
		s.NoiseIC = 0
	}
	if s.Copies <= 0 {
		s.Copies = 20
	}
	vdDefault(&s.RunTrials, 50)
	vdDefault(&s.WindowTrials, 2)
	vdDefault(&s.VarTol, 1e-9)
	if s.Decimals == 0 {
		s.Decimals = 4
	}
	if s.Decimals < 0 {
		s.Decimals = 0
	}
	vdDefault(&s.FarMargin, 2.5)
}

// CodeRun is one run of the code classifier: the variance and mean of z_o
// over the final window and its final value.
type CodeRun struct {
	Var, Mean, Final float64
}

// codeRuns simulates the code classifier's initial conditions.
func codeRuns(ctx context.Context, net model.Network, in GhazizadehInput, set *GhazizadehSettings, progress func(done, total int)) ([]CodeRun, error) {
	cs := set.Code
	var bases [][]float64
	n := net.Dims().State
	if !cs.NoOrigin {
		bases = append(bases, make([]float64, n))
	}
	bases = append(bases, in.Ends...)
	if len(bases) == 0 {
		return nil, errors.New("inspect: code classifier has no initial conditions (no trial-end states)")
	}
	rng := model.NewRNG(set.Seed, 2)
	var ics [][]float64
	for _, b := range bases {
		for c := 0; c < cs.Copies; c++ {
			ics = append(ics, vdNoisyCopy(b, cs.NoiseIC, rng))
		}
	}
	steps := int(math.Round(cs.RunTrials * float64(in.TrialSteps)))
	wsteps := min(steps, max(1, int(math.Round(cs.WindowTrials*float64(in.TrialSteps)))))
	runs := make([]CodeRun, len(ics))
	err := vdEach(ctx, net, len(ics), set.Concurrency, progress, func(net model.Network, i int) error {
		x := append([]float64(nil), ics[i]...)
		y := make([]float64, n)
		out := make([]float64, net.Dims().Output)
		zs := make([]float64, 0, wsteps)
		// Early stop as in Settle: the last wsteps readouts in a ring.
		var ring []float64
		var check vdSettleCheck
		chk := max(1, wsteps/4)
		if !set.Asymptotic.FullRun {
			ring = make([]float64, wsteps)
		}
		sqn := math.Sqrt(float64(n))
		for t := 0; t < steps; t++ {
			if t%vdCtxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			net.Step(y, x, nil)
			x, y = y, x
			if t >= steps-wsteps {
				net.Output(out, x)
				zs = append(zs, out[in.Channel])
			}
			if ring == nil || t+1 >= steps {
				continue
			}
			net.Output(out, x)
			ring[t%wsteps] = out[in.Channel]
			if t+1 < wsteps || (t+1)%chk != 0 {
				continue
			}
			if !check.settled(vdSpeed(net, x, nil, y)/sqn, vdSettleFactor*set.Asymptotic.SpeedTol) {
				continue
			}
			win := append(append([]float64(nil), ring[(t+1)%wsteps:]...), ring[:(t+1)%wsteps]...)
			if m, va := vdMeanVar1(win); va < cs.VarTol {
				runs[i] = CodeRun{Var: va, Mean: m, Final: win[len(win)-1]}
				return nil
			}
		}
		mean, va := vdMeanVar1(zs)
		runs[i] = CodeRun{Var: va, Mean: mean, Final: zs[len(zs)-1]}
		return nil
	})
	return runs, err
}

// vdMeanVar1 returns the mean and population variance of zs.
func vdMeanVar1(zs []float64) (mean, va float64) {
	for _, z := range zs {
		mean += z
	}
	mean /= float64(len(zs))
	for _, z := range zs {
		va += (z - mean) * (z - mean)
	}
	return mean, va / float64(len(zs))
}

// vdRound rounds v to d decimals as numpy.round does for moderate values.
func vdRound(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.RoundToEven(v*p) / p
}

// vdDistinct counts distinct values after rounding (NaN counts as one value).
func vdDistinct(vs []float64, d int) int {
	seen := map[float64]bool{}
	nan := false
	for _, v := range vs {
		if math.IsNaN(v) {
			nan = true
			continue
		}
		seen[vdRound(v, d)+0] = true
	}
	if nan {
		return len(seen) + 1
	}
	return len(seen)
}

// CodeAttractorType is the authors' operational classifier
// (posthoc_tests.attractor_type, science spec §3.4(b)(4)) applied to the
// end states of its runs: if every var(z_o) < VarTol, n_fp is the number of
// distinct final z_o rounded to Decimals and the label is fixedPoint (DFP)
// when n_fp ≥ MinFP (2·|encodings|) and manifoldFps (IFP) otherwise;
// otherwise limitCycle when all the window means (rounded alike) are
// distinct, far_someFPs when max|mean z_o| > max(encodings) + FarMargin,
// and both (Mix) otherwise. Diverged runs (NaN) fail the variance test.
func CodeAttractorType(runs []CodeRun, encodings []float64, s *CodeSettings) *Verdict {
	var set CodeSettings
	if s != nil {
		set = *s
	}
	set.fill()
	minFP := set.MinFP
	if minFP == 0 {
		minFP = 2 * len(encodings)
	}
	v := &Verdict{Scheme: "ghazizadeh code attractor_type"}
	v.threshold("var_tol", set.VarTol, "")
	v.threshold("decimals", float64(set.Decimals), "")
	v.threshold("min_fp", float64(minFP), "")
	v.threshold("far_margin", set.FarMargin, "")
	v.add("runs", float64(len(runs)), "")
	if len(runs) == 0 {
		v.Label = "undetermined"
		v.Notes = append(v.Notes, "no runs")
		return v
	}
	allFP := true
	maxVar, maxAbs := 0.0, 0.0
	var finals, means []float64
	for _, r := range runs {
		if !(r.Var < set.VarTol) {
			allFP = false
		}
		if r.Var > maxVar || math.IsNaN(r.Var) {
			maxVar = r.Var
		}
		if a := math.Abs(r.Mean); a > maxAbs || math.IsNaN(a) {
			maxAbs = a
		}
		finals = append(finals, r.Final)
		means = append(means, r.Mean)
	}
	maxEnc := math.Inf(-1)
	for _, e := range encodings {
		maxEnc = math.Max(maxEnc, e)
	}
	v.add("max_var", maxVar, "")
	v.add("max_abs_mean", maxAbs, "")
	if allFP {
		nfp := vdDistinct(finals, set.Decimals)
		v.add("n_fp", float64(nfp), "")
		if nfp >= minFP {
			v.Label = "fixedPoint"
		} else {
			v.Label = "manifoldFps"
		}
		return v
	}
	nm := vdDistinct(means, set.Decimals)
	v.add("distinct_means", float64(nm), "")
	switch {
	case nm == len(runs):
		v.Label = "limitCycle"
	case maxAbs > maxEnc+set.FarMargin || math.IsNaN(maxAbs):
		v.Label = "far_someFPs"
	default:
		v.Label = "both"
	}
	return v
}

// CodeLabelMechanism maps the code's labels to the paper's: fixedPoint →
// DFP, manifoldFps → IFP, limitCycle → LC, both → Mix, far_someFPs →
// "far (some FPs)".
func CodeLabelMechanism(label string) string {
	switch label {
	case "fixedPoint":
		return "DFP"
	case "manifoldFps":
		return "IFP"
	case "limitCycle":
		return "LC"
	case "both":
		return "Mix"
	case "far_someFPs":
		return "far (some FPs)"
	}
	return label
}

// ---------------------------------------------------------------------------
// Kurtkaya et al.: learning gate, PSD ratio, output oscillation.

// KurtkayaSettings configure [KurtkayaVerdict] (science spec §5.5); a zero
// field takes the default shown.
type KurtkayaSettings struct {
	Learn     float64 // accuracy and reliability criterion (0.8)
	Dip       float64 // dip threshold of the stability count (0.6)
	StabTol   float64 // stability ratio bound (0.1)
	LastFrac  float64 // fraction of final epochs averaged (0.1)
	PSDRadius float64 // disk radius around DC, in frequency bins (3)
	RhoTol    float64 // ρ < RhoTol ⇒ LC (0.5)
	// TotalTrials is the length of the PSD simulation in trial lengths
	// (trial inputs, then zeros): 9.
	TotalTrials float64
	// OscTrials (5) and OscTol (0.1): the output-oscillation cross-check
	// of test_ghost.py: LC if the RMS deviation of the outputs around their
	// mean over the last trial length of an OscTrials-long run exceeds OscTol.
	OscTrials float64
	OscTol    float64
	// Asymptotic holds the thresholds of the step-2 cross-check.
	Asymptotic AsymptoticSettings
}

func (s *KurtkayaSettings) fill() {
	vdDefault(&s.Learn, 0.8)
	vdDefault(&s.Dip, 0.6)
	vdDefault(&s.StabTol, 0.1)
	vdDefault(&s.LastFrac, 0.1)
	vdDefault(&s.PSDRadius, 3)
	vdDefault(&s.RhoTol, 0.5)
	vdDefault(&s.TotalTrials, 9)
	vdDefault(&s.OscTrials, 5)
	vdDefault(&s.OscTol, 0.1)
	s.Asymptotic.fill()
}

// LearningGate is the outcome of the learning check of §5.5(1).
type LearningGate struct {
	Learned bool
	// Class is sort_data.py's class for a network that did not learn: 0
	// "no learn" (criterion never reached, or final averages ≤ 0.8), 3
	// "unstable learning"; −1 when it learned.
	Class int
	// EStar is the first epoch with acc > Learn and rel > Learn (−1: none).
	EStar int
	// StabRatio is the dip count ratio after EStar (NaN when EStar < 0);
	// Stable is the stab flag (true when EStar < 0, as the code sets 1).
	StabRatio float64
	Stable    bool
	// FinalAcc and FinalRel are the means over the final LastFrac epochs.
	FinalAcc, FinalRel float64
}

// KurtkayaLearning applies the learning check of sort_data.py (science spec
// §5.5(1)) to per-epoch accuracy and reliability series. With rel nil the
// accuracy series stands in for both (a saved history may only hold
// accuracy). The final window is the last int(LastFrac·E) epochs, or all of
// them when that is 0 (numpy's a[-0:]).
func KurtkayaLearning(acc, rel []float64, s *KurtkayaSettings) LearningGate {
	var set KurtkayaSettings
	if s != nil {
		set = *s
	}
	set.fill()
	if rel == nil {
		rel = acc
	}
	g := LearningGate{Class: -1, EStar: -1, StabRatio: math.NaN()}
	n := min(len(acc), len(rel))
	if n == 0 {
		g.Class = 0
		g.FinalAcc, g.FinalRel = math.NaN(), math.NaN()
		return g
	}
	for e := 0; e < n; e++ {
		if acc[e] > set.Learn && rel[e] > set.Learn {
			g.EStar = e
			break
		}
	}
	g.Stable = true
	if g.EStar >= 0 {
		var bad, good float64
		for e := g.EStar; e < n; e++ {
			for _, v := range []float64{acc[e], rel[e]} {
				if v < set.Dip {
					bad++
				}
				if v > set.Dip {
					good++
				}
			}
		}
		g.StabRatio = bad / good
		g.Stable = g.StabRatio < set.StabTol
	}
	k := int(set.LastFrac * float64(n))
	if k == 0 {
		k = n
	}
	for e := n - k; e < n; e++ {
		g.FinalAcc += acc[e]
		g.FinalRel += rel[e]
	}
	g.FinalAcc /= float64(k)
	g.FinalRel /= float64(k)
	g.Learned = g.FinalAcc > set.Learn && g.FinalRel > set.Learn && g.Stable
	if !g.Learned {
		if !g.Stable {
			g.Class = 3
		} else {
			g.Class = 0
		}
	}
	return g
}

// PSDRatio computes ρ of sort_data.py (science spec §5.5(2)) from the
// projections y[t] = (Y_t1, Y_t2) of a trajectory on its top two principal
// components: C is the T×T matrix of correlation coefficients of the rows
// of Y (numpy.corrcoef(Y); with two values per row each entry is the sign
// of (Y_t1 − Y_t2)(Y_t'1 − Y_t'2), NaN for a row with equal values), F is
// its 2-D discrete Fourier transform shifted so that DC sits at (T/2, T/2)
// (fftshift), PSD = |F|², and ρ is the share of the PSD within a disk of
// the given radius (in bins, Euclidean) around DC. ρ < 0.5 means a limit
// cycle. A NaN in C makes ρ NaN, as in the reference code.
func PSDRatio(y [][2]float64, radius float64) float64 {
	T := len(y)
	if T == 0 {
		return math.NaN()
	}
	// Correlation coefficients of 2-element rows.
	c := make([][]complex128, T)
	for i := range c {
		c[i] = make([]complex128, T)
	}
	cen := make([][2]float64, T)
	nrm := make([]float64, T)
	for t, r := range y {
		m := (r[0] + r[1]) / 2
		cen[t] = [2]float64{r[0] - m, r[1] - m}
		nrm[t] = math.Sqrt(cen[t][0]*cen[t][0] + cen[t][1]*cen[t][1])
	}
	for i := 0; i < T; i++ {
		for j := 0; j < T; j++ {
			v := (cen[i][0]*cen[j][0] + cen[i][1]*cen[j][1]) / (nrm[i] * nrm[j])
			// numpy clips to [−1, 1].
			if v > 1 {
				v = 1
			} else if v < -1 {
				v = -1
			}
			c[i][j] = complex(v, 0)
		}
	}
	fft := fourier.NewCmplxFFT(T)
	col := make([]complex128, T)
	for i := range c {
		fft.Coefficients(c[i], c[i])
	}
	for j := 0; j < T; j++ {
		for i := 0; i < T; i++ {
			col[i] = c[i][j]
		}
		fft.Coefficients(col, col)
		for i := 0; i < T; i++ {
			c[i][j] = col[i]
		}
	}
	centre := T / 2
	var in, total float64
	for i := 0; i < T; i++ {
		si := (i + centre) % T // shifted index of frequency i
		for j := 0; j < T; j++ {
			sj := (j + centre) % T
			p := real(c[i][j])*real(c[i][j]) + imag(c[i][j])*imag(c[i][j])
			total += p
			di, dj := float64(si-centre), float64(sj-centre)
			if di*di+dj*dj <= radius*radius {
				in += p
			}
		}
	}
	return in / total
}

// KurtkayaResult is the outcome of [KurtkayaVerdict].
type KurtkayaResult struct {
	Verdict *Verdict
	Gate    LearningGate
	// Rho is the PSD ratio, OscRMS the output-oscillation RMS and End the
	// step-2 outcome from the trial-end state (nil when the network did not
	// learn).
	Rho, OscRMS float64
	End         *Asymptote
}

// KurtkayaVerdict classifies a Kurtkaya et al. network (science spec §5.5,
// §9 step 4): the learning gate on the per-epoch accuracy and reliability
// series (rel may be nil; see [KurtkayaLearning]); if it learned, the
// PSD-ratio test on the trial (its inputs followed by zeros for TotalTrials
// trial lengths in total, the states projected on their top two principal
// components): ρ < RhoTol ⇒ LC, else SP. Beside it: the output-oscillation
// test of test_ghost.py and the generic step-2 result from the state at the
// end of the trial. The reference code simulates with private noise σ_n =
// 0.001; this simulation is deterministic. The sign of each principal axis
// (which ρ depends on) follows [PCA]'s convention.
func KurtkayaVerdict(ctx context.Context, net model.Network, tr *Trial, acc, rel []float64, s *KurtkayaSettings) (*KurtkayaResult, error) {
	var set KurtkayaSettings
	if s != nil {
		set = *s
	}
	set.fill()
	if net == nil {
		return nil, errors.New("inspect: no network")
	}
	if err := tr.validate(net); err != nil {
		return nil, err
	}
	res := &KurtkayaResult{Rho: math.NaN(), OscRMS: math.NaN()}
	v := &Verdict{Scheme: "kurtkaya sort_data"}
	res.Verdict = v
	v.threshold("learn", set.Learn, "")
	v.threshold("dip", set.Dip, "")
	v.threshold("stab_tol", set.StabTol, "")
	v.threshold("psd_radius", set.PSDRadius, "bins")
	v.threshold("rho_tol", set.RhoTol, "")
	v.threshold("osc_tol", set.OscTol, "")
	if acc == nil {
		v.Notes = append(v.Notes, "no accuracy history: the learning gate is skipped")
		res.Gate = LearningGate{Learned: true, Class: -1, EStar: -1, StabRatio: math.NaN(), Stable: true, FinalAcc: math.NaN(), FinalRel: math.NaN()}
	} else {
		res.Gate = KurtkayaLearning(acc, rel, &set)
		if rel == nil {
			v.Notes = append(v.Notes, "no reliability series: accuracy stands in for it in the learning gate")
		}
	}
	g := res.Gate
	v.add("epochs", float64(len(acc)), "")
	v.add("e_star", float64(g.EStar), "epoch")
	v.add("stab_ratio", g.StabRatio, "")
	v.add("final_acc", g.FinalAcc, "")
	v.add("final_rel", g.FinalRel, "")
	if !g.Learned {
		v.Label = "unable to learn"
		if g.Class == 3 {
			v.Notes = append(v.Notes, "class 3: unstable learning")
		} else {
			v.Notes = append(v.Notes, "class 0: no learn")
		}
		return res, nil
	}
	T := tr.Steps()
	total := int(math.Round(set.TotalTrials * float64(T)))
	states, outs, err := vdFreeRun(ctx, net, tr, total)
	if err != nil {
		return nil, err
	}
	if !fpFinite(states[len(states)-1]) {
		v.Label = "undetermined"
		v.Notes = append(v.Notes, "the state diverged (non-finite)")
		return res, nil
	}
	p, err := PCA(states, 2)
	if err != nil {
		return nil, err
	}
	y := make([][2]float64, len(states))
	buf := make([]float64, 2)
	for t, x := range states {
		pr := p.Project(buf, x)
		y[t][0] = pr[0]
		if len(pr) > 1 {
			y[t][1] = pr[1]
		}
	}
	res.Rho = PSDRatio(y, set.PSDRadius)
	v.add("rho", res.Rho, "")
	// Output oscillation over the last trial length of an OscTrials run.
	osc := int(math.Round(set.OscTrials * float64(T)))
	osc = min(osc, len(outs))
	last := outs[max(0, osc-T):osc]
	if len(last) > 0 && len(last[0]) > 0 {
		_, va := vdMeanVar(last, len(last[0]))
		var ss float64
		for _, x := range va {
			ss += x
		}
		res.OscRMS = math.Sqrt(ss / float64(len(va)))
	}
	v.add("output_osc_rms", res.OscRMS, "")
	dt := vdDt(net)
	a, err := Settle(ctx, net, states[T-1], nil, float64(total-T)*dt, 2*float64(T)*dt, &set.Asymptotic)
	if err != nil {
		return nil, err
	}
	res.End = a
	v.add("settle_kind", float64(a.Kind), "0 FP, 1 LC, 2 other, 3 diverged")
	v.add("settle_period", a.Period, vdTimeUnit(net))
	switch {
	case math.IsNaN(res.Rho):
		v.Label = "SP"
		v.Notes = append(v.Notes, "ρ is NaN (a constant PC row): the reference's test ρ < 0.5 is false, so SP")
	case res.Rho < set.RhoTol:
		v.Label = "LC"
	default:
		v.Label = "SP"
	}
	oscLC := res.OscRMS > set.OscTol
	if oscLC != (v.Label == "LC") {
		v.Notes = append(v.Notes, fmt.Sprintf("the output-oscillation test disagrees (RMS %.3g, LC if > %g)", res.OscRMS, set.OscTol))
	}
	if (a.Kind == EndLimitCycle) != (v.Label == "LC") {
		v.Notes = append(v.Notes, fmt.Sprintf("the step-2 forward simulation ends in %v", a.Kind))
	}
	return res, nil
}

// vdFreeRun runs tr's inputs, then zero input, for total steps, and returns
// the states and readouts after every step.
func vdFreeRun(ctx context.Context, net model.Network, tr *Trial, total int) (states, outs [][]float64, err error) {
	d := net.Dims()
	x := append([]float64(nil), tr.X0...)
	y := make([]float64, d.State)
	for t := 0; t < total; t++ {
		if t%vdCtxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		var u []float64
		if t < len(tr.Inputs) {
			u = tr.Inputs[t]
		}
		net.Step(y, x, u)
		x, y = y, x
		states = append(states, append([]float64(nil), x...))
		o := make([]float64, d.Output)
		if d.Output > 0 {
			net.Output(o, x)
		}
		outs = append(outs, o)
	}
	return states, outs, nil
}
