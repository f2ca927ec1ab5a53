package tui

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// This file computes and shows the mechanism verdict: how the network
// holds its memory. Which classifier runs depends on the task (the
// protocol's verdictSpec):
//
//   - sequential pattern matching (Ghazizadeh & Ching): DFP, IFP, LC or Mix
//     by inspect.GhazizadehVerdict, from the memory states at the end of
//     delay 1 of the four trial types;
//   - delayed cue discrimination (Kurtkaya et al.): unable to learn, LC or
//     SP by inspect.KurtkayaVerdict, on the first condition's trial with the
//     accuracy history of the file;
//   - every other task: the end behaviour (inspect.Settle) of every
//     condition from the state at the end of its delay, with the delay's
//     input held — fixed points, limit cycles or neither. This is a
//     description, not one of the published classifiers, and says so.

// Verdict classifiers.
const (
	verdictEnd        = iota // end behaviour of every condition
	verdictGhazizadeh        // Ghazizadeh & Ching §9
	verdictKurtkaya          // Kurtkaya et al. sort_data
)

// verdictSpec tells the verdict how to read the protocol's trials.
type verdictSpec struct {
	scheme int
	// memory is the memory condition of each protocol condition (the
	// first digit of a pattern-matching trial, the class of a cue).
	memory []int
	// scoreFrom and scoreLen are the scored window of a trial, in steps
	// from the end of the delay; targets are the readout targets of
	// channel 0 per condition (NaN or absent: none).
	scoreFrom, scoreLen int
	targets             []float64
	// encodings are the output targets f_o of pattern matching.
	encodings []float64
}

// verdictData is a finished verdict: the label with its evidence, and the
// classifier reported beside it (nil if none).
type verdictData struct {
	main, beside *inspect.Verdict
}

// verdictMsg carries a verdict (stage 3 of an analysis).
type verdictMsg struct {
	gen  int
	data *verdictData
	err  error
}

// verdictJob is what the verdict needs, copied from the UI.
type verdictJob struct {
	gen   int
	net   model.Network  // a clone
	proto Protocol       // read only
	file  *saved.Network // for the training record (learning gate)

	// cache shares the verdict with other sessions (nil: none); digest
	// hashes the network, training record included, for its key.
	cache  Cache
	digest *netDigest
}

// request names the verdict of job in a cache key.
func (job verdictJob) request() string {
	return "verdict/v1 protocol=" + protocolDigest(&job.proto)
}

// verdictCmd computes the verdict off the UI goroutine, through the job's
// cache.
func verdictCmd(ctx context.Context, job verdictJob) tea.Cmd {
	return func() tea.Msg {
		d, err := cacheDo(ctx, job.cache, job.digest, job.net, job.request(),
			func(ctx context.Context) (*verdictData, error) { return runVerdict(ctx, job) })
		return verdictMsg{gen: job.gen, data: d, err: err}
	}
}

// verdictTrials turns the protocol's conditions into inspect trials.
func verdictTrials(p *Protocol) []inspect.Trial {
	spec := &p.verdict
	trials := make([]inspect.Trial, len(p.Conditions))
	for c := range p.Conditions {
		cd := &p.Conditions[c]
		steps := p.Steps(c)
		in := make([][]float64, steps)
		for t := range in {
			in[t] = p.Input(c, t)
		}
		end := p.DelayEnd(c)
		tr := inspect.Trial{Name: cd.Name, Inputs: in, X0: cd.X0, Condition: c,
			Stimulus: inspect.StepWindow{Start: 0, End: len(cd.Cue)},
			Delay:    inspect.StepWindow{Start: len(cd.Cue), End: end},
			Target:   math.NaN()}
		if c < len(spec.memory) {
			tr.Condition = spec.memory[c]
		}
		if spec.scoreLen > 0 {
			from := min(steps, end+spec.scoreFrom)
			tr.Score = inspect.StepWindow{Start: from, End: min(steps, from+spec.scoreLen)}
		}
		if c < len(spec.targets) {
			tr.Target = spec.targets[c]
		}
		trials[c] = tr
	}
	return trials
}

// runVerdict runs the protocol's classifier.
func runVerdict(ctx context.Context, job verdictJob) (d *verdictData, err error) {
	defer guard(&err)
	p := &job.proto
	trials := verdictTrials(p)
	switch p.verdict.scheme {
	case verdictGhazizadeh:
		mem, ends, err := inspect.TrialProbes(ctx, job.net, trials)
		if err != nil {
			return nil, err
		}
		res, err := inspect.GhazizadehVerdict(ctx, job.net, inspect.GhazizadehInput{
			Memory: mem, Ends: ends, TrialSteps: p.Steps(0), Encodings: p.verdict.encodings}, nil)
		if err != nil {
			return nil, err
		}
		res.Verdict.Notes = append(res.Verdict.Notes, fmt.Sprintf("memory probes: the end of delay 1 of the UI's %d conditions (attractor inspect probes 16 trials from 4 initial states and adds the slow-point search)", len(trials)))
		return &verdictData{main: res.Verdict, beside: res.Code}, nil
	case verdictKurtkaya:
		var acc, rel []float64
		if job.file != nil {
			acc, rel = train.LearningSeries(job.file)
		}
		res, err := inspect.KurtkayaVerdict(ctx, job.net, &trials[0], acc, rel, nil)
		if err != nil {
			return nil, err
		}
		if len(acc) > 0 && rel == nil {
			res.Verdict.Notes = append(res.Verdict.Notes, "the accuracy series is the file's history (one point per checkpoint, not per epoch)")
		}
		return &verdictData{main: res.Verdict}, nil
	}
	v, err := verdictEndBehaviour(ctx, job.net, p, trials)
	if err != nil {
		return nil, err
	}
	return &verdictData{main: v}, nil
}

// verdictEndBehaviour runs every condition to the end of its delay, then
// holds the delay's input for ten trial lengths and classifies the last
// two with inspect.Settle.
func verdictEndBehaviour(ctx context.Context, net model.Network, p *Protocol, trials []inspect.Trial) (*inspect.Verdict, error) {
	dt, unit := 1.0, "steps"
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		dt, unit = f.Dt(), "t.u."
		if _, u := condTimeUnit(net); u != "" {
			unit = u
		}
	}
	set := inspect.DefaultAsymptoticSettings()
	set.FloquetMaxN = -1 // not shown; seconds per cycle at N = 300
	v := &inspect.Verdict{Scheme: "end behaviour, §9 step 2; not a published classifier"}
	n := net.Dims().State
	var fps [][]float64
	var kinds [4]int
	var periods []float64
	lyap := math.NaN()
	next := make([]float64, n)
	for c := range trials {
		x := append([]float64(nil), trials[c].X0...)
		for t := range p.DelayEnd(c) {
			if t%256 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			net.Step(next, x, trials[c].Inputs[t])
			x, next = next, x
		}
		trial := float64(p.Steps(c)) * dt
		a, err := inspect.Settle(ctx, net, x, p.Conditions[c].Hold, 10*trial, 2*trial, set)
		if err != nil {
			return nil, fmt.Errorf("condition %s: %w", p.Conditions[c].Name, err)
		}
		if a.Kind >= 0 && int(a.Kind) < len(kinds) {
			kinds[a.Kind]++
		}
		switch a.Kind {
		case inspect.EndFixedPoint:
			fps = append(fps, a.X)
		case inspect.EndLimitCycle:
			periods = append(periods, a.Period)
		case inspect.EndOther:
			if !math.IsNaN(a.Lyapunov) && (math.IsNaN(lyap) || a.Lyapunov > lyap) {
				lyap = a.Lyapunov
			}
		}
	}
	distinct := verdictDistinct(fps, 0.01)
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
		{Name: "distinct_tol", Value: 0.01, Unit: "state units (‖Δx‖/√N)"},
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
	v.Notes = append(v.Notes, "each condition runs to the end of its delay, then holds the delay's input for 10 trial lengths; the last 2 are classified")
	return v, nil
}

// verdictDistinct counts the states of xs that differ by at least tol in
// ‖Δx‖/√N, greedily.
func verdictDistinct(xs [][]float64, tol float64) int {
	var kept [][]float64
	for _, x := range xs {
		dup := false
		for _, y := range kept {
			var s float64
			for i := range x {
				d := x[i] - y[i]
				s += d * d
			}
			if math.Sqrt(s/float64(max(1, len(x)))) < tol {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, x)
		}
	}
	return len(kept)
}

// VerdictKeyMap are the keys of the summary pane (none yet).
type VerdictKeyMap struct{}

// ShortHelp returns no keys.
func (VerdictKeyMap) ShortHelp() []key.Binding { return nil }

// FullHelp returns no keys.
func (VerdictKeyMap) FullHelp() [][]key.Binding { return nil }

// verdictPane shows the mechanism verdict — label, evidence, thresholds
// and notes — followed by a summary of the fixed-point search.
type verdictPane struct {
	VerdictKeyMap
	ctx     *Context
	s       *session
	w, h    int
	focused bool
	fr      frame
	cache   string
	dirty   bool
}

func newVerdictPane(c *Context) *verdictPane { return &verdictPane{ctx: c, dirty: true} }

// SetSize sets the outer size of the pane.
func (p *verdictPane) SetSize(w, h int) { p.w, p.h, p.dirty = w, h, true }

// Focus sets whether the pane has the focus.
func (p *verdictPane) Focus(on bool) { p.focused, p.dirty = on, true }

// Update does nothing: the pane has no keys.
func (p *verdictPane) Update(tea.Msg) tea.Cmd { return nil }

func (p *verdictPane) invalidate() { p.dirty = true }

// View returns the pane, re-rendered only when something changed.
func (p *verdictPane) View() string {
	if p.dirty {
		p.dirty = false
		p.fr.set(p.ctx.Styles, p.w, p.s.titled("Mechanism verdict"), p.focused)
		wrap := p.ctx.Renderer.NewStyle().Width(max(1, p.fr.inner()))
		p.cache = p.fr.box(wrap.Render(p.text()), p.h)
	}
	return p.cache
}

// verdictNum formats an evidence value compactly.
func verdictNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "−∞"
	case v == math.Trunc(v) && math.Abs(v) < 1e6:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// verdictList formats named numbers as "name value unit · …".
func verdictList(l []inspect.Named) string {
	parts := make([]string, 0, len(l))
	for _, e := range l {
		s := e.Name + " " + verdictNum(e.Value)
		if e.Unit != "" && len(e.Unit) <= 12 {
			s += " " + e.Unit
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

// verdictText formats a verdict for the pane.
func verdictText(st *Styles, v *inspect.Verdict, head string) string {
	var b strings.Builder
	b.WriteString(head + st.Accent.Render(v.Label) + st.Dim.Render("  ("+v.Scheme+")"))
	if len(v.Evidence) > 0 {
		b.WriteString("\nevidence: " + verdictList(v.Evidence))
	}
	if len(v.Thresholds) > 0 {
		b.WriteString("\n" + st.Dim.Render("thresholds: "+verdictList(v.Thresholds)))
	}
	for _, n := range v.Notes {
		b.WriteString("\n" + st.Dim.Render("note: "+n))
	}
	return b.String()
}

// text is the verdict, then the fixed-point summary and the protocol.
func (p *verdictPane) text() string {
	st := p.ctx.Styles
	s := p.s
	if s == nil {
		return "no network open"
	}
	var b strings.Builder
	switch {
	case s.verdict != nil:
		b.WriteString(verdictText(st, s.verdict.main, "Verdict: "))
		if s.verdict.beside != nil {
			b.WriteString("\n" + verdictText(st, s.verdict.beside, "beside it: "))
		}
	case s.verdictErr != nil:
		b.WriteString("Verdict: " + st.Error.Render("failed: "+s.verdictErr.Error()))
	case s.anaErr != nil:
		b.WriteString(st.Dim.Render("no verdict: the analysis failed"))
	default:
		b.WriteString(st.Dim.Render("computing the mechanism verdict…"))
	}
	b.WriteByte('\n')
	switch {
	case s.fixed != nil:
		r := s.fixed.res
		var stable, saddle, slow, other int
		for _, fp := range r.Points {
			switch fp.Kind {
			case inspect.Stable:
				stable++
			case inspect.Saddle:
				saddle++
			case inspect.Slow:
				slow++
			default:
				other++
			}
		}
		fmt.Fprintf(&b, "%d fixed points: %d stable, %d saddle, %d slow", len(r.Points), stable, saddle, slow)
		if other > 0 {
			fmt.Fprintf(&b, ", %d other", other)
		}
		fmt.Fprintf(&b, " (searched from %d states)\n", len(r.Candidates))
		if i, lead, ok := leadingOverPoints(r); ok {
			name, growth := "λ", real(lead)
			if r.Convention == inspect.DiscreteMap {
				name, growth = "μ", cmplx.Abs(lead)-1
			}
			verb := "decays"
			if growth > 0 {
				verb = "grows"
			}
			fmt.Fprintf(&b, "Leading eigenvalue %s = %s at point %d (%s): its mode %s.\n",
				name, fmtComplex(lead), i+1, r.Points[i].Kind, verb)
		}
	case s.anaErr != nil:
		b.WriteString(st.Error.Render("analysis failed: "+s.anaErr.Error()) + "\n")
	default:
		b.WriteString("searching fixed points…\n")
	}
	if d := s.portrait; d != nil && d.diverged > 0 {
		b.WriteString(st.Error.Render(fmt.Sprintf("%d reference trajectories diverged (non-finite states).", d.diverged)) + "\n")
	}
	b.WriteString(st.Dim.Render(s.proto.Note))
	for _, w := range s.file.Warnings {
		b.WriteString("\n" + st.Error.Render("warning: "+w))
	}
	return b.String()
}

// leadingOverPoints returns the point and eigenvalue with the largest
// growth rate over all points.
func leadingOverPoints(r *inspect.FixedPointResult) (int, complex128, bool) {
	best, bi, ok := math.Inf(-1), 0, false
	var lead complex128
	for i, fp := range r.Points {
		if len(fp.Eigenvalues.Values) == 0 {
			continue
		}
		v := fp.Eigenvalues.Leading()
		g := real(v)
		if r.Convention == inspect.DiscreteMap {
			g = real(v)*real(v) + imag(v)*imag(v)
		}
		if g > best || !ok {
			best, bi, lead, ok = g, i, v, true
		}
	}
	return bi, lead, ok
}
