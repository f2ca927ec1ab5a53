package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// StepWindow is a half-open range of steps [Start, End) of a trial.
type StepWindow struct {
	Start, End int
}

// Len returns the number of steps in the window.
func (w StepWindow) Len() int { return w.End - w.Start }

// Trial describes one trial for the perturbation experiments and the
// mechanism probes, independently of the task that made it: the input at
// every step, the initial state, which windows a perturbation acts on, and
// how the trial is scored. A Ghazizadeh SPM trial has Stimulus = stimulus
// 1, Delay = delay 1, Score = the last step and Channel 0 (z_o); a
// Kurtkaya DCDT trial has Stimulus = the cue, Delay = the delay and Score
// = the reaction window.
type Trial struct {
	// Name labels the trial in reports, such as "type 2 from IC 1".
	Name string
	// Inputs[t] is the input at step t (a nil row is zero input); the trial
	// has len(Inputs) steps.
	Inputs [][]float64
	// X0 is the initial state.
	X0 []float64
	// Condition is the memory condition held in the delay (for example the
	// first digit d₁); probes with equal Condition should be remembered
	// alike.
	Condition int
	// Stimulus is the window whose input noise and input interruption act
	// on; Delay is the window that an extended delay lengthens (its end is
	// the memory probe time T_d).
	Stimulus, Delay StepWindow
	// Score is the window over which readout channel Channel is averaged to
	// score the trial, and Target the value it should have (NaN if none).
	Score   StepWindow
	Channel int
	Target  float64
}

// Steps returns the number of steps of the trial.
func (tr *Trial) Steps() int { return len(tr.Inputs) }

// validate checks the trial against net.
func (tr *Trial) validate(net model.Network) error {
	d := net.Dims()
	if len(tr.X0) != d.State {
		return fmt.Errorf("inspect: trial %q: initial state has length %d, want %d", tr.Name, len(tr.X0), d.State)
	}
	for t, u := range tr.Inputs {
		if u != nil && len(u) != d.Input {
			return fmt.Errorf("inspect: trial %q: input at step %d has length %d, want %d", tr.Name, t, len(u), d.Input)
		}
	}
	T := len(tr.Inputs)
	for _, w := range []struct {
		name string
		w    StepWindow
	}{{"stimulus", tr.Stimulus}, {"delay", tr.Delay}, {"score", tr.Score}} {
		if w.w.Start < 0 || w.w.End > T || w.w.Start > w.w.End {
			return fmt.Errorf("inspect: trial %q: %s window [%d, %d) outside the %d steps", tr.Name, w.name, w.w.Start, w.w.End, T)
		}
	}
	if tr.Score.Len() == 0 {
		return fmt.Errorf("inspect: trial %q: empty score window", tr.Name)
	}
	if tr.Channel < 0 || tr.Channel >= d.Output {
		return fmt.Errorf("inspect: trial %q: readout channel %d, network has %d", tr.Name, tr.Channel, d.Output)
	}
	return nil
}

// trialRun is one simulation of a trial with optional modifications.
type trialRun struct {
	extend   int                                    // extra zero-input steps inserted at Delay.End
	addInput func(t int, u []float64)               // perturbs the input during Stimulus (u is a copy)
	kick     func(x []float64)                      // applied to the state at Delay.Start
	net      model.Network                          // the network to use (nil: the caller's)
	probe    func(x []float64)                      // receives the state at Delay.End (before any extension)
	record   func(t int, x []float64, in []float64) // every step, after it
}

// runTrial simulates tr on net with the modifications of r and returns the
// score (mean of the readout channel over the score window, shifted by the
// extension) and the final state. A non-finite state gives a NaN score.
func runTrial(ctx context.Context, net model.Network, tr *Trial, r trialRun) (float64, []float64, error) {
	if r.net != nil {
		net = r.net
	}
	d := net.Dims()
	x := append([]float64(nil), tr.X0...)
	y := make([]float64, d.State)
	out := make([]float64, d.Output)
	u := make([]float64, d.Input)
	T := len(tr.Inputs)
	total := T + r.extend
	var score float64
	cnt := 0
	step := 0
	for t := 0; t < total; t++ {
		if step%vdCtxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return math.NaN(), nil, err
			}
		}
		step++
		// Map the extended timeline onto the trial's steps.
		src := t
		inExt := false
		if r.extend > 0 && t >= tr.Delay.End {
			if t < tr.Delay.End+r.extend {
				inExt = true
			} else {
				src = t - r.extend
			}
		}
		if !inExt && src == tr.Delay.End && r.probe != nil {
			r.probe(x)
		}
		if !inExt && src == tr.Delay.Start && r.kick != nil {
			r.kick(x)
		}
		var in []float64
		if !inExt && tr.Inputs[src] != nil {
			copy(u, tr.Inputs[src])
			in = u
		} else {
			clear(u)
			in = nil
		}
		if !inExt && r.addInput != nil && src >= tr.Stimulus.Start && src < tr.Stimulus.End {
			if in == nil {
				in = u
			}
			r.addInput(src, in)
		}
		net.Step(y, x, in)
		x, y = y, x
		if r.record != nil {
			r.record(t, x, in)
		}
		if !inExt && src >= tr.Score.Start && src < tr.Score.End {
			net.Output(out, x)
			score += out[tr.Channel]
			cnt++
		}
	}
	if r.probe != nil && tr.Delay.End == T {
		r.probe(x)
	}
	if !fpFinite(x) {
		return math.NaN(), x, nil
	}
	return score / float64(cnt), x, nil
}

// TrialScore runs tr on net unperturbed and returns its score: the mean of
// readout channel tr.Channel over the score window.
func TrialScore(ctx context.Context, net model.Network, tr *Trial) (float64, error) {
	if err := tr.validate(net); err != nil {
		return math.NaN(), err
	}
	s, _, err := runTrial(ctx, net, tr, trialRun{})
	return s, err
}

// CurvePoint is the error of one perturbation strength over trials and
// repeats.
type CurvePoint struct {
	X float64 `json:"x"` // the perturbation strength, in Curve.XUnit
	// Mean, Std, Min and Max summarise the error over the N runs (NaN
	// errors, from diverged runs, are counted in Diverged and left out).
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
	// Failures counts runs whose |score − reference| exceeds the curve's
	// FailTol; Diverged counts non-finite runs (also failures).
	Failures int `json:"failures"`
	Diverged int `json:"diverged"`
	// Asymptotic and FixedTime split the failures of an extended-delay
	// curve by type (§3.4(f)); zero for other curves.
	Asymptotic int `json:"asymptotic,omitempty"`
	FixedTime  int `json:"fixed_time,omitempty"`
}

// Curve is an error-versus-perturbation curve.
type Curve struct {
	// Experiment names the perturbation, such as "stimulus-1 noise
	// (uniform σ·U[0,1) + 0.5)".
	Experiment string `json:"experiment"`
	// XName and XUnit name the perturbation strength and its unit.
	XName string `json:"x_name"`
	XUnit string `json:"x_unit"`
	// Error describes the error measure, such as "(z − target)²".
	Error string `json:"error"`
	// FailTol is the threshold on |score − reference| for a failure.
	FailTol float64      `json:"fail_tol"`
	Points  []CurvePoint `json:"points"`
}

// String formats the curve as a table.
func (c *Curve) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — error %s, failure |Δz| > %g\n", c.Experiment, c.Error, c.FailTol)
	fmt.Fprintf(&b, "%12s  %11s  %11s  %11s  %11s  %5s  %s\n", c.XName+" ("+c.XUnit+")", "mean", "std", "min", "max", "n", "failures")
	for _, p := range c.Points {
		extra := ""
		if p.Asymptotic+p.FixedTime > 0 {
			extra = fmt.Sprintf(" (asymptotic %d, fixed_time %d)", p.Asymptotic, p.FixedTime)
		}
		if p.Diverged > 0 {
			extra += fmt.Sprintf(" (%d diverged)", p.Diverged)
		}
		fmt.Fprintf(&b, "%12.4g  %11.4g  %11.4g  %11.4g  %11.4g  %5d  %d%s\n", p.X, p.Mean, p.Std, p.Min, p.Max, p.N, p.Failures, extra)
	}
	return b.String()
}

// vdSummarise fills the statistics of p from the errors e (NaN = diverged).
func vdSummarise(p *CurvePoint, e []float64) {
	p.Min, p.Max = math.Inf(1), math.Inf(-1)
	var s, s2 float64
	for _, v := range e {
		if math.IsNaN(v) {
			p.Diverged++
			continue
		}
		p.N++
		s += v
		s2 += v * v
		p.Min = math.Min(p.Min, v)
		p.Max = math.Max(p.Max, v)
	}
	if p.N == 0 {
		p.Mean, p.Std, p.Min, p.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return
	}
	p.Mean = s / float64(p.N)
	p.Std = math.Sqrt(math.Max(0, s2/float64(p.N)-p.Mean*p.Mean))
}

// PerturbSettings are the settings shared by the perturbation experiments.
// A zero field takes its default.
type PerturbSettings struct {
	// Repeats is the number of random repeats per trial and strength (10,
	// as the authors' noise test); deterministic experiments ignore it.
	Repeats int
	// FailTol is the failure threshold on |score − reference| (0.1).
	FailTol float64
	// SettleTol is the extended-delay threshold on |z_nom − z_settle| after
	// one further trial length of autonomous simulation above which a
	// failure is "asymptotic" rather than "fixed_time" (0.3).
	SettleTol float64
	// Seed seeds the random draws (stream k for strength k).
	Seed uint64
	// Concurrency is the number of goroutines (0: GOMAXPROCS).
	Concurrency int
	// Progress, when set, is called after each trial run with the runs
	// done and the total.
	Progress func(done, total int)
}

func (s *PerturbSettings) fill() {
	if s.Repeats <= 0 {
		s.Repeats = 10
	}
	vdDefault(&s.FailTol, 0.1)
	vdDefault(&s.SettleTol, 0.3)
	if s.Concurrency <= 0 {
		s.Concurrency = runtime.GOMAXPROCS(0)
	}
}

// vdJob is one run of a perturbation experiment.
type vdJob struct {
	point, trial, rep int
}

// vdParallel runs fn for every job on s.Concurrency goroutines, each with
// its own Clone of net, and reports progress.
func vdParallel(ctx context.Context, net model.Network, jobs []vdJob, s *PerturbSettings, fn func(net model.Network, j vdJob) error) error {
	nets := cloneNets(net, poolSize(len(jobs), s.Concurrency))
	return parallelFor(ctx, len(jobs), len(nets), s.Progress, func(w, i int) error { return fn(nets[w], jobs[i]) })
}

// vdSettings returns s, or the defaults for nil, with zero fields filled.
func vdSettings(s *PerturbSettings) PerturbSettings {
	var set PerturbSettings
	if s != nil {
		set = *s
	}
	set.fill()
	return set
}

// vdGrid returns the jobs of a curve, every (point, trial, repeat) in that
// order, and each job's position in the list.
func vdGrid(points, trials, reps int) ([]vdJob, map[vdJob]int) {
	jobs := make([]vdJob, 0, points*trials*reps)
	index := make(map[vdJob]int, points*trials*reps)
	for k := 0; k < points; k++ {
		for i := 0; i < trials; i++ {
			for r := 0; r < reps; r++ {
				index[vdJob{k, i, r}] = len(jobs)
				jobs = append(jobs, vdJob{k, i, r})
			}
		}
	}
	return jobs, index
}

// vdCheckTrials validates trials and strengths.
func vdCheckTrials(net model.Network, trials []Trial, xs []float64, what string) error {
	if net == nil {
		return errors.New("inspect: no network")
	}
	if len(trials) == 0 {
		return errors.New("inspect: no trials")
	}
	if len(xs) == 0 {
		return fmt.Errorf("inspect: no %s values", what)
	}
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("inspect: %s %v: want finite and ≥ 0", what, x)
		}
	}
	for i := range trials {
		if err := trials[i].validate(net); err != nil {
			return err
		}
	}
	return nil
}

// NoiseKind is the distribution of the input noise of [NoiseCurve].
type NoiseKind int

const (
	// NoiseUniformOffset is the authors' code: η = σ·U[0,1) + 0.5 per
	// channel and step (uniform, mean σ/2 + 0.5).
	NoiseUniformOffset NoiseKind = iota
	// NoiseGaussian is zero-mean η ~ N(0, σ²) per channel and step.
	NoiseGaussian
)

// String describes the distribution.
func (k NoiseKind) String() string {
	if k == NoiseGaussian {
		return "Gaussian N(0, σ²)"
	}
	return "uniform σ·U[0,1) + 0.5"
}

// GhazizadehNoiseSigmas are the σ values of the authors' noise test
// (science spec §3.4(g)).
var GhazizadehNoiseSigmas = []float64{0.1, 0.2, 0.25, 0.33, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 35, 40}

// NoiseCurve adds noise of strength σ to the input during the stimulus
// window of every trial (science spec §3.4(g): stimulus 1 only), Repeats
// times per trial and σ, and returns the squared error (z − Target)² of the
// trial's score against its target, as the authors' code measures it. A
// failure is |z − Target| > FailTol.
func NoiseCurve(ctx context.Context, net model.Network, trials []Trial, kind NoiseKind, sigmas []float64, s *PerturbSettings) (*Curve, error) {
	if err := vdCheckTrials(net, trials, sigmas, "σ"); err != nil {
		return nil, err
	}
	set := vdSettings(s)
	for i := range trials {
		if math.IsNaN(trials[i].Target) {
			return nil, fmt.Errorf("inspect: trial %q has no target for the noise error", trials[i].Name)
		}
	}
	jobs, index := vdGrid(len(sigmas), len(trials), set.Repeats)
	errs := make([]float64, len(jobs))
	err := vdParallel(ctx, net, jobs, &set, func(net model.Network, j vdJob) error {
		sigma := sigmas[j.point]
		rng := model.NewRNG(set.Seed, uint64(1+j.point*1_000_003+j.trial*1009+j.rep))
		tr := &trials[j.trial]
		z, _, err := runTrial(ctx, net, tr, trialRun{addInput: func(t int, u []float64) {
			for c := range u {
				if kind == NoiseGaussian {
					u[c] += sigma * rng.Norm()
				} else {
					u[c] += sigma*rng.Float64() + 0.5
				}
			}
		}})
		e := z - tr.Target
		errs[index[j]] = e * e
		return err
	})
	if err != nil {
		return nil, err
	}
	c := &Curve{Experiment: "stimulus-1 noise, " + kind.String(), XName: "σ", XUnit: "input units",
		Error: "(z − target)²", FailTol: set.FailTol}
	c.Points = vdPoints(sigmas, jobs, errs, func(e float64) bool { return math.Sqrt(e) > set.FailTol })
	return c, nil
}

// vdPoints groups errors by point and summarises them.
func vdPoints(xs []float64, jobs []vdJob, errs []float64, fail func(float64) bool) []CurvePoint {
	pts := make([]CurvePoint, len(xs))
	groups := make([][]float64, len(xs))
	for i, j := range jobs {
		groups[j.point] = append(groups[j.point], errs[i])
		if math.IsNaN(errs[i]) || fail(errs[i]) {
			pts[j.point].Failures++
		}
	}
	for k := range pts {
		pts[k].X = xs[k]
		vdSummarise(&pts[k], groups[k])
	}
	return pts
}

// ExtendDelayCurve lengthens the delay window of every trial by Δ (model
// time units for a Flow, steps for a plain map; rounded to whole steps) of
// zero input and returns the squared difference (z_ext − z_nom)² between
// the extended and the nominal trial's scores (science spec §3.4(f), Fig 5b,
// EC-18). A failure is |z_nom − z_ext| > FailTol; its type is "asymptotic"
// when, after one further trial length of autonomous simulation (zero input)
// from the extended trial's end, the readout channel still differs from z_nom
// by more than SettleTol, and "fixed_time" otherwise (the authors' code).
func ExtendDelayCurve(ctx context.Context, net model.Network, trials []Trial, deltas []float64, s *PerturbSettings) (*Curve, error) {
	if err := vdCheckTrials(net, trials, deltas, "Δ"); err != nil {
		return nil, err
	}
	set := vdSettings(s)
	dt := vdDt(net)
	nominal := make([]float64, len(trials))
	for i := range trials {
		z, _, err := runTrial(ctx, net, &trials[i], trialRun{})
		if err != nil {
			return nil, err
		}
		nominal[i] = z
	}
	jobs, index := vdGrid(len(deltas), len(trials), 1)
	errs := make([]float64, len(jobs))
	asym := make([]bool, len(jobs))
	err := vdParallel(ctx, net, jobs, &set, func(net model.Network, j vdJob) error {
		tr := &trials[j.trial]
		ext := int(math.Round(deltas[j.point] / dt))
		z, x, err := runTrial(ctx, net, tr, trialRun{extend: ext})
		if err != nil {
			return err
		}
		e := z - nominal[j.trial]
		idx := index[j]
		errs[idx] = e * e
		if math.Abs(e) > set.FailTol && x != nil && fpFinite(x) {
			// Settle for one more trial length with zero input.
			y := make([]float64, len(x))
			for t := 0; t < tr.Steps(); t++ {
				net.Step(y, x, nil)
				x, y = y, x
			}
			out := make([]float64, net.Dims().Output)
			net.Output(out, x)
			asym[idx] = !(math.Abs(out[tr.Channel]-nominal[j.trial]) <= set.SettleTol)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	unit := "model time units"
	if _, ok := net.(model.Flow); !ok {
		unit = "steps"
	}
	c := &Curve{Experiment: "extended delay", XName: "Δ", XUnit: unit, Error: "(z_ext − z_nom)²", FailTol: set.FailTol}
	c.Points = vdPoints(deltas, jobs, errs, func(e float64) bool { return math.Sqrt(e) > set.FailTol })
	for i, j := range jobs {
		if math.IsNaN(errs[i]) || math.Sqrt(errs[i]) > set.FailTol {
			if asym[i] || math.IsNaN(errs[i]) {
				c.Points[j.point].Asymptotic++
			} else {
				c.Points[j.point].FixedTime++
			}
		}
	}
	return c, nil
}

// KickCurve adds to the state at the start of the delay window a random
// kick of RMS size a (a Gaussian vector scaled to norm a·√N), Repeats times
// per trial and amplitude, and returns the squared error (z − Target)² of
// the score. Failure: |z − Target| > FailTol.
func KickCurve(ctx context.Context, net model.Network, trials []Trial, amps []float64, s *PerturbSettings) (*Curve, error) {
	if err := vdCheckTrials(net, trials, amps, "kick amplitude"); err != nil {
		return nil, err
	}
	set := vdSettings(s)
	for i := range trials {
		if math.IsNaN(trials[i].Target) {
			return nil, fmt.Errorf("inspect: trial %q has no target", trials[i].Name)
		}
	}
	jobs, index := vdGrid(len(amps), len(trials), set.Repeats)
	errs := make([]float64, len(jobs))
	err := vdParallel(ctx, net, jobs, &set, func(net model.Network, j vdJob) error {
		rng := model.NewRNG(set.Seed, uint64(1+j.point*1_000_003+j.trial*1009+j.rep))
		tr := &trials[j.trial]
		amp := amps[j.point]
		z, _, err := runTrial(ctx, net, tr, trialRun{kick: func(x []float64) {
			v := make([]float64, len(x))
			for i := range v {
				v[i] = rng.Norm()
			}
			nv := fpNorm(v)
			if nv == 0 {
				return
			}
			sc := amp * math.Sqrt(float64(len(x))) / nv
			for i := range x {
				x[i] += sc * v[i]
			}
		}})
		e := z - tr.Target
		errs[index[j]] = e * e
		return err
	})
	if err != nil {
		return nil, err
	}
	c := &Curve{Experiment: "state kick at delay start", XName: "kick RMS", XUnit: "state units", Error: "(z − target)²", FailTol: set.FailTol}
	c.Points = vdPoints(amps, jobs, errs, func(e float64) bool { return math.Sqrt(e) > set.FailTol })
	return c, nil
}

// InterruptCurve zeroes, during the stimulus window only, the input
// weights of the first n_off neurons (science spec §3.4(h), the authors'
// interruption test: rows of W_in) for each n_off in nOff, and returns the
// squared error (z − Target)². It supports the CTRNN and leaky families,
// whose input weights are rows of an N×I matrix W_in.
func InterruptCurve(ctx context.Context, net model.Network, trials []Trial, nOff []int, s *PerturbSettings) (*Curve, error) {
	xs := make([]float64, len(nOff))
	for i, v := range nOff {
		xs[i] = float64(v)
	}
	if err := vdCheckTrials(net, trials, xs, "n_off"); err != nil {
		return nil, err
	}
	set := vdSettings(s)
	n := net.Dims().State
	cut := make([]model.Network, len(nOff))
	for k, m := range nOff {
		if m > n {
			return nil, fmt.Errorf("inspect: n_off = %d exceeds the %d neurons", m, n)
		}
		c, err := vdInterrupted(net, m)
		if err != nil {
			return nil, err
		}
		cut[k] = c
	}
	jobs, index := vdGrid(len(nOff), len(trials), 1)
	errs := make([]float64, len(jobs))
	err := vdParallel(ctx, net, jobs, &set, func(full model.Network, j vdJob) error {
		tr := &trials[j.trial]
		part := cut[j.point].Clone()
		// Run the stimulus window on the interrupted network: a two-network
		// run, switching at the window's edges.
		z, err := vdRunSwitched(ctx, full, part, tr)
		e := z - tr.Target
		errs[index[j]] = e * e
		return err
	})
	if err != nil {
		return nil, err
	}
	c := &Curve{Experiment: "input interruption during stimulus 1", XName: "n_off", XUnit: "neurons", Error: "(z − target)²", FailTol: set.FailTol}
	c.Points = vdPoints(xs, jobs, errs, func(e float64) bool { return math.Sqrt(e) > set.FailTol })
	return c, nil
}

// vdInterrupted returns a copy of net whose first m rows of W_in are zero.
func vdInterrupted(net model.Network, m int) (model.Network, error) {
	switch c := net.(type) {
	case *model.CTRNN:
		d := c.Clone().(*model.CTRNN)
		d.WIn = vdZeroRows(c.WIn, m)
		return d, nil
	case *model.Leaky:
		d := c.Clone().(*model.Leaky)
		d.WIn = vdZeroRows(c.WIn, m)
		return d, nil
	}
	return nil, fmt.Errorf("inspect: input interruption is not defined for the %s family", net.Family())
}

// vdZeroRows returns a copy of w with its first m rows zero (nil for nil).
func vdZeroRows(w *mat.Dense, m int) *mat.Dense {
	if w == nil {
		return nil
	}
	z := mat.DenseCopyOf(w)
	_, cols := z.Dims()
	for i := 0; i < m; i++ {
		for j := 0; j < cols; j++ {
			z.Set(i, j, 0)
		}
	}
	return z
}

// vdRunSwitched runs tr on full, except that steps in the stimulus window
// use part, and returns the score.
func vdRunSwitched(ctx context.Context, full, part model.Network, tr *Trial) (float64, error) {
	d := full.Dims()
	x := append([]float64(nil), tr.X0...)
	y := make([]float64, d.State)
	out := make([]float64, d.Output)
	var score float64
	for t, u := range tr.Inputs {
		if t%vdCtxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return math.NaN(), err
			}
		}
		net := full
		if t >= tr.Stimulus.Start && t < tr.Stimulus.End {
			net = part
		}
		net.Step(y, x, u)
		x, y = y, x
		if t >= tr.Score.Start && t < tr.Score.End {
			full.Output(out, x)
			score += out[tr.Channel]
		}
	}
	if !fpFinite(x) {
		return math.NaN(), nil
	}
	return score / float64(tr.Score.Len()), nil
}

// Probe is a state to classify by forward simulation: a memory state at the
// end of a delay, a trial-end state, or a noisy copy of one.
type Probe struct {
	Name      string
	X         []float64
	Condition int  // the memory condition of the trial it comes from
	Memory    bool // a clean memory state at T_d (the DFP test applies)
}

// TrialProbes runs every trial unperturbed and returns the memory probes
// (the state at the end of the delay window, T_d, with the trial's
// condition) and the trial-end states.
func TrialProbes(ctx context.Context, net model.Network, trials []Trial) (memory []Probe, ends [][]float64, err error) {
	for i := range trials {
		tr := &trials[i]
		if err := tr.validate(net); err != nil {
			return nil, nil, err
		}
		var xd []float64
		_, x, err := runTrial(ctx, net, tr, trialRun{probe: func(x []float64) { xd = append([]float64(nil), x...) }})
		if err != nil {
			return nil, nil, err
		}
		memory = append(memory, Probe{Name: tr.Name, X: xd, Condition: tr.Condition, Memory: true})
		ends = append(ends, x)
	}
	return memory, ends, nil
}

// TrialStates runs every trial unperturbed and returns the states at every
// every-th step of the window picked by win (for example the delay), for
// use as initial states of a fixed-point search.
func TrialStates(ctx context.Context, net model.Network, trials []Trial, every int, win func(*Trial) StepWindow) ([][]float64, error) {
	every = max(1, every)
	var out [][]float64
	for i := range trials {
		tr := &trials[i]
		if err := tr.validate(net); err != nil {
			return nil, err
		}
		w := StepWindow{0, tr.Steps()}
		if win != nil {
			w = win(tr)
		}
		_, _, err := runTrial(ctx, net, tr, trialRun{record: func(t int, x, _ []float64) {
			if t >= w.Start && t < w.End && (t-w.Start)%every == 0 {
				out = append(out, append([]float64(nil), x...))
			}
		}})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// vdSortedCopy returns a sorted copy of v.
func vdSortedCopy(v []float64) []float64 {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c
}
