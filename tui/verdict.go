package tui

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// This file shows the mechanism verdict: how the network holds its
// memory. analysis.Verdict computes it with the classifier that fits the
// protocol (Ghazizadeh & Ching for pattern matching, Kurtkaya et al. for
// delayed cue discrimination, the end behaviour of every condition
// otherwise), exactly as `attractor inspect` does, and analysis.NewReport
// assembles it with the census into the report the pane renders.
//
// The verdict comes in two passes when its classifier has noisy copies to
// run (the Ghazizadeh scheme): a quick pass on the clean probes alone
// (quickSettings), shown as provisional while the full one refines it in
// place, and the full pass of the command line's settings, which is final.

// verdictMsg carries a verdict (stage 3 of an analysis): the quick pass's
// when provisional is set, the full one's otherwise.
type verdictMsg struct {
	gen         int
	data        *analysis.VerdictResult
	err         error
	provisional bool
}

// verdictJob is what the verdict needs, copied from the UI.
type verdictJob struct {
	gen   int
	net   model.Network  // a clone
	proto Protocol       // read only
	file  *saved.Network // for the training record (learning gate)
	quick bool           // the quick pass (quickSettings)
	// progress, when set, counts the pass's finished probes for the pane.
	progress *verdictProgress

	// cache shares the verdict with other sessions (nil: none); digest
	// hashes the network, training record included, for its key.
	cache  Cache
	digest *netDigest
}

// settings returns the analysis settings of the job's pass.
func (job verdictJob) settings() *analysis.Settings {
	s := uiSettings(0)
	if job.quick {
		s = quickSettings()
	}
	if job.progress != nil {
		s.Progress = job.progress.set // not part of the settings' digest
	}
	return s
}

// verdictProgress is how far a verdict pass is: the stage its workers last
// reported (analysis.Settings.Progress: "probes", "code classifier", "end
// behaviour") with its finished and total work, written from the workers
// and read by the pane.
type verdictProgress struct {
	mu          sync.Mutex
	stage       string
	done, total int
	running     bool // the pass is computing here (not served by a cache)
}

// begin and end bracket the pass's computation.
func (p *verdictProgress) begin() { p.mu.Lock(); p.running = true; p.mu.Unlock() }
func (p *verdictProgress) end()   { p.mu.Lock(); p.running = false; p.mu.Unlock() }

// live reports whether the pass is computing.
func (p *verdictProgress) live() bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.running
}

// set records the progress of stage.
func (p *verdictProgress) set(stage string, done, total int) {
	p.mu.Lock()
	p.stage, p.done, p.total = stage, done, total
	p.mu.Unlock()
}

// text is the progress as "probes 37/100", or "" before any.
func (p *verdictProgress) text() string {
	if p == nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stage == "" {
		return ""
	}
	return fmt.Sprintf("%s %d/%d", p.stage, p.done, p.total)
}

// progressMsg redraws the verdict pane with the running pass's progress.
type progressMsg struct{ gen int }

// progressEvery is how often the pane shows the progress again.
const progressEvery = 250 * time.Millisecond

// progressCmd asks for the next redraw of analysis gen's progress.
func progressCmd(gen int) tea.Cmd {
	return tea.Tick(progressEvery, func(time.Time) tea.Msg { return progressMsg{gen: gen} })
}

// request names the verdict of job in a cache key.
func (job verdictJob) request() string {
	return "verdict/v2 settings=" + settingsDigest(job.settings()) + " protocol=" + protocolDigest(&job.proto)
}

// quickSettings are the settings of the quick verdict pass: the command
// line's, without the noisy copies of every probe, with one run per base
// of the authors' classifier and without the slow-point search. The clean
// probes still run for the full RunTrials, so the label is the one the
// full pass gives unless the noisy copies change it (they can turn DFP
// into Mix); the pane says it is provisional until the full pass is in.
func quickSettings() *analysis.Settings {
	s := uiSettings(0)
	s.Verdict.Copies, s.Verdict.CodeCopies, s.Verdict.SlowPoints = 0, 1, false
	return s
}

// hasQuickPass reports whether the verdict of protocol p runs a quick pass
// first: only the Ghazizadeh classifier runs noisy copies the quick pass
// leaves out; the other verdicts cost no more than their quick pass would.
func hasQuickPass(p *Protocol) bool { return p.Scheme == analysis.SchemeGhazizadeh }

// verdictCmd computes the verdict off the UI goroutine, through the job's
// cache.
func verdictCmd(ctx context.Context, job verdictJob) tea.Cmd {
	return func() tea.Msg {
		d, err := cacheDo(ctx, job.cache, job.digest, job.net, job.request(),
			func(ctx context.Context) (*analysis.VerdictResult, error) { return runVerdict(ctx, job) })
		return verdictMsg{gen: job.gen, data: d, err: err, provisional: job.quick}
	}
}

// runVerdict runs the protocol's classifier (analysis.Verdict) with the
// settings of the job's pass.
func runVerdict(ctx context.Context, job verdictJob) (r *analysis.VerdictResult, err error) {
	defer guard(&err)
	if job.progress != nil {
		job.progress.begin()
		defer job.progress.end()
	}
	return analysis.Verdict(ctx, job.net, job.file, &job.proto, job.settings())
}

// reportMsg carries the report of the census and the final verdict
// (stage 4).
type reportMsg struct {
	gen int
	rep *analysis.Report
	err error
}

// reportJob is what the report needs: the census and the final verdict
// (nil: none, it failed) of one analysis generation.
type reportJob struct {
	gen     int
	name    string
	file    *saved.Network // read only
	net     model.Network  // a clone, for the cache key
	proto   Protocol       // read only
	inits   int
	census  *analysis.CensusResult
	verdict *analysis.VerdictResult

	cache  Cache
	digest *netDigest
}

// request names the report of job in a cache key. The census and the
// verdict are determined by the settings and the protocol; whether the
// verdict is in is part of the key.
func (job reportJob) request() string {
	return fmt.Sprintf("report/v1 name=%q settings=%s protocol=%s verdict=%t", job.name, settingsDigest(uiSettings(job.inits)),
		protocolDigest(&job.proto), job.verdict != nil)
}

// reportCmd assembles the report off the UI goroutine (analysis.NewReport
// runs the slow-manifold test and describes the cycles), through the
// job's cache.
func reportCmd(ctx context.Context, job reportJob) tea.Cmd {
	return func() tea.Msg {
		r, err := cacheDo(ctx, job.cache, job.digest, job.net, job.request(),
			func(ctx context.Context) (*analysis.Report, error) { return runReport(ctx, job) })
		return reportMsg{gen: job.gen, rep: r, err: err}
	}
}

// runReport assembles the report of the job's census and verdict with the
// UI's settings: the report `attractor inspect --json` prints.
func runReport(ctx context.Context, job reportJob) (r *analysis.Report, err error) {
	defer guard(&err)
	return analysis.NewReport(ctx, job.name, job.file, &job.proto, uiSettings(job.inits), job.census, job.verdict)
}

// VerdictKeyMap are the keys of the verdict pane: they scroll it.
type VerdictKeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
}

// DefaultVerdictKeyMap returns the verdict pane's keys; the letters the
// viewport binds by default (j, k, d, u, f, b, space) are global keys here.
func DefaultVerdictKeyMap() VerdictKeyMap {
	return VerdictKeyMap{
		Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
	}
}

// ShortHelp returns the scrolling keys.
func (k VerdictKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down} }

// FullHelp returns the scrolling keys.
func (k VerdictKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}}
}

// verdictPane shows the mechanism verdict — label, evidence, thresholds
// and notes — followed by a summary of the fixed-point search or, after
// e, the verdict explained in plain words. Its text scrolls.
type verdictPane struct {
	VerdictKeyMap
	ctx     *Context
	s       *session
	w, h    int
	focused bool
	explain bool
	fr      frame
	vp      viewport.Model
	cache   string
	dirty   bool
}

func newVerdictPane(c *Context) *verdictPane {
	p := &verdictPane{ctx: c, dirty: true, VerdictKeyMap: DefaultVerdictKeyMap(), vp: viewport.New(1, 1)}
	p.vp.KeyMap = viewport.KeyMap{Up: p.Up, Down: p.Down, PageUp: p.PageUp, PageDown: p.PageDown}
	return p
}

// SetSize sets the outer size of the pane.
func (p *verdictPane) SetSize(w, h int) { p.w, p.h, p.dirty = w, h, true }

// Focus sets whether the pane has the focus.
func (p *verdictPane) Focus(on bool) { p.focused, p.dirty = on, true }

// Update scrolls the text with the pane's keys and the mouse wheel.
func (p *verdictPane) Update(msg tea.Msg) tea.Cmd {
	y := p.vp.YOffset
	p.vp, _ = p.vp.Update(msg)
	if p.vp.YOffset != y {
		p.dirty = true
	}
	return nil
}

// toggleExplain switches between the verdict and its explanation.
func (p *verdictPane) toggleExplain() {
	p.explain = !p.explain
	p.vp.GotoTop()
	p.dirty = true
}

func (p *verdictPane) invalidate() { p.dirty = true }

// View returns the pane, re-rendered only when something changed.
func (p *verdictPane) View() string {
	if p.dirty {
		p.dirty = false
		title := "Mechanism verdict"
		text := p.text()
		if p.explain {
			title = "Verdict explained · e back"
			text = p.s.explainText(p.ctx.Styles)
		}
		wrap := p.ctx.Renderer.NewStyle().Width(max(1, p.w-2))
		p.vp.Width, p.vp.Height = max(1, p.w-2), max(1, p.h-2)
		p.vp.SetContent(wrap.Render(text))
		switch {
		case p.vp.AtTop() && !p.vp.AtBottom():
			title += " · ↓ more"
		case !p.vp.AtTop():
			title += " · " + strconv.Itoa(int(p.vp.ScrollPercent()*100+0.5)) + "% ↑↓"
		}
		p.fr.set(p.ctx.Styles, p.w, p.s.titled(title), p.focused)
		p.cache = p.fr.box(p.vp.View(), p.h)
	}
	return p.cache
}

// explainText is the explanation of the main verdict and the one beside
// it.
func (s *session) explainText(st *Styles) string {
	switch {
	case s == nil:
		return "no network open"
	}
	v, beside := s.shownVerdict()
	if v == nil {
		return "no verdict yet: wait for the analysis"
	}
	t := explainVerdict(st, v)
	if !s.verdictFinal {
		t = st.Dim.Render("Provisional: the quick pass, without the noisy copies of every probe; the full pass may change it.") + "\n\n" + t
	}
	if beside != nil {
		t += "\n\n" + st.Dim.Render("Reported beside it:") + "\n" + explainVerdict(st, beside)
	}
	return t
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
	return verdictHead(st, v, head) + verdictBody(st, v)
}

// verdictHead is the verdict's label line.
func verdictHead(st *Styles, v *inspect.Verdict, head string) string {
	return head + st.Accent.Render(v.Label) + st.Dim.Render("  ("+v.Scheme+")")
}

// verdictBody is the verdict's evidence, thresholds and notes, each line
// starting with a newline.
func verdictBody(st *Styles, v *inspect.Verdict) string {
	var b strings.Builder
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

// text renders what the analysis holds: the report (analysis.Report) once
// it is assembled, and before that the verdict and the census's coverage
// as they arrive. The verdict's label comes first, marked provisional
// while a quick pass stands in for the full one, then the census, the
// verdict's evidence and thresholds, the cycles, the basins and the
// notes, so that the label and the census show in a small pane.
func (p *verdictPane) text() string {
	st := p.ctx.Styles
	s := p.s
	if s == nil {
		return "no network open"
	}
	var b strings.Builder
	r := s.report
	v, beside := s.shownVerdict()
	switch {
	case v != nil:
		b.WriteString(verdictHead(st, v, "Verdict: ") + "  " + st.Dim.Render(s.verdictState()))
	case s.verdictErr != nil:
		b.WriteString("Verdict: " + st.Error.Render("failed: "+saved.Printable(s.verdictErr.Error())))
	case s.anaErr != nil:
		b.WriteString(st.Dim.Render("no verdict: the analysis failed"))
	default:
		b.WriteString(st.Dim.Render(strings.TrimSuffix("computing the mechanism verdict… "+s.progress.text(), " ")))
	}
	b.WriteByte('\n')
	switch {
	case r != nil:
		b.WriteString(reportPointsText(r))
	case s.fixed != nil && s.fixed.census != nil && s.fixedStale:
		fmt.Fprintf(&b, "%d fixed points of the network, from the census before the protocol changed; searching again…\n", len(s.fixed.census.Points))
	case s.fixed != nil && s.fixed.census != nil:
		c := s.fixed.census
		fmt.Fprintf(&b, "%d fixed points from %d starts (assembling the report…)\n", len(c.Points), c.Candidates)
		b.WriteString(coverageText(c.Coverage) + "\n")
	case s.anaErr != nil:
		b.WriteString(st.Error.Render("analysis failed: "+saved.Printable(s.anaErr.Error())) + "\n")
	default:
		b.WriteString("searching fixed points…\n")
	}
	if v != nil {
		b.WriteString(strings.TrimPrefix(verdictBody(st, v), "\n") + "\n")
		if beside != nil {
			b.WriteString(verdictText(st, beside, "beside it: ") + "\n")
		}
	}
	if r != nil {
		b.WriteString(reportDynamicsText(r))
		b.WriteString(cyclesText(r.Cycles))
		b.WriteString(basinsText(r.Basins))
		for _, n := range r.Notes {
			b.WriteString(st.Dim.Render("note: "+saved.Printable(n)) + "\n")
		}
	} else if s.verdict != nil {
		for i, c := range s.verdict.Cycles {
			fmt.Fprintf(&b, "Limit cycle %d: period %s %s, reached from %s\n", i+1, verdictNum(c.Period), analysis.PeriodUnit(s.net),
				saved.Printable(strings.Join(c.Probes, ", ")))
		}
	}
	if d := s.portrait; d != nil && d.diverged > 0 {
		b.WriteString(st.Error.Render(fmt.Sprintf("%d reference trajectories diverged (non-finite states).", d.diverged)) + "\n")
	}
	b.WriteString(st.Dim.Render(saved.Printable(s.proto.Note)))
	warnings := s.file.Warnings
	if r != nil {
		warnings = r.Warnings
	}
	for _, w := range warnings {
		b.WriteString("\n" + st.Error.Render("warning: "+saved.Printable(w)))
	}
	return b.String()
}

// shownVerdict returns the verdict the pane shows and the one beside it:
// the report's once the final report is in, else the latest pass's.
func (s *session) shownVerdict() (main, beside *inspect.Verdict) {
	if r := s.report; r != nil && s.reportFinal && r.Verdict != nil {
		return r.Verdict, r.CodeVerdict
	}
	if s.verdict != nil {
		return s.verdict.Main, s.verdict.Beside
	}
	return nil, nil
}

// verdictState says how far the verdict is: provisional (the quick pass,
// refining), final, or final with its report still being assembled.
func (s *session) verdictState() string {
	switch {
	case s.verdictErr != nil:
		return "provisional: quick pass on the clean probes; the full pass failed: " + saved.Printable(s.verdictErr.Error())
	case !s.verdictFinal:
		return strings.TrimSuffix("provisional: quick pass on the clean probes · refining… "+s.progress.text(), " ")
	case !s.reportFinal:
		return "final · assembling the report…"
	}
	return "final"
}

// reportPointsText is the report's census in two lines: the fixed points
// by kind with the starts searched from, and the coverage.
func reportPointsText(r *analysis.Report) string {
	var b strings.Builder
	kinds := map[string]int{}
	for _, fp := range r.FixedPoints {
		kinds[fp.Kind]++
	}
	st, sa, sl := kinds[inspect.Stable.String()], kinds[inspect.Saddle.String()], kinds[inspect.Slow.String()]
	fmt.Fprintf(&b, "%d fixed points: %d stable, %d saddle, %d slow", len(r.FixedPoints), st, sa, sl)
	if other := len(r.FixedPoints) - st - sa - sl; other > 0 {
		fmt.Fprintf(&b, ", %d other", other)
	}
	fmt.Fprintf(&b, " (searched from %d states", r.Search.Inits)
	if len(r.Search.Input) > 0 {
		b.WriteString(" at input " + verdictVec(r.Search.Input))
	}
	b.WriteString(")\n" + coverageText(r.Coverage) + "\n")
	return b.String()
}

// reportDynamicsText is what the report says about the dynamics beyond
// the points: the attractors the forward simulation of the starts
// reached, the slow manifolds and the leading eigenvalue over the points.
func reportDynamicsText(r *analysis.Report) string {
	var b strings.Builder
	var fp, lc, missed int
	for _, a := range r.Attractors {
		switch {
		case a.Kind == "LC":
			lc++
		case a.Point < 0:
			missed++
			fp++
		default:
			fp++
		}
	}
	fmt.Fprintf(&b, "Forward simulation of the starts: %d fixed-point attractors", fp)
	if missed > 0 {
		fmt.Fprintf(&b, " (%d with no census point)", missed)
	}
	fmt.Fprintf(&b, ", %d limit cycles.\n", lc)
	for i, m := range r.Manifolds {
		fmt.Fprintf(&b, "Slow manifold %d: %d-dimensional through %d points, extent %s state units, slowest eigenvalue %s…%s (%s).\n",
			i+1, m.Dimension, len(m.Points), verdictNum(m.Extent), verdictNum(m.SlowMin), verdictNum(m.SlowMax), m.Convention)
	}
	if i, lead, ok := leadingOfReport(r); ok {
		name, growth := "λ", real(lead)
		if r.Convention == inspect.DiscreteMap.String() {
			name, growth = "μ", cmplx.Abs(lead)-1
		}
		verb := "decays"
		if growth > 0 {
			verb = "grows"
		}
		fmt.Fprintf(&b, "Leading eigenvalue %s = %s (%s) at point %d (%s): its mode %s.\n",
			name, fmtComplex(lead), r.Convention, i+1, r.FixedPoints[i].Kind, verb)
	}
	return b.String()
}

// leadingOfReport returns the fixed point of r and its leading eigenvalue
// with the largest growth rate over all points.
func leadingOfReport(r *analysis.Report) (int, complex128, bool) {
	best, bi, ok := math.Inf(-1), 0, false
	var lead complex128
	for i, fp := range r.FixedPoints {
		if len(fp.Leading) != 2 {
			continue
		}
		re, ok1 := fp.Leading[0].(float64)
		im, ok2 := fp.Leading[1].(float64)
		if !ok1 || !ok2 {
			continue
		}
		v := complex(re, im)
		g := re
		if r.Convention == inspect.DiscreteMap.String() {
			g = cmplx.Abs(v)
		}
		if g > best || !ok {
			best, bi, lead, ok = g, i, v, true
		}
	}
	return bi, lead, ok
}

// coverageText is a census's coverage in one line.
func coverageText(cv analysis.Coverage) string {
	return fmt.Sprintf("Census: %d starts in %d rounds, %d stable points (%d from one start only), unseen %s, Chao1 %s; %s.",
		cv.Starts, cv.Rounds, cv.Stable, cv.Singletons, verdictNum(cv.Unseen), verdictNum(cv.Chao1), cv.State())
}

// cyclesText is one line for every limit cycle of a report: period in its
// unit, amplitude, readout amplitude, the probes that reached it and, when
// computed, the largest Lyapunov exponent and the leading Floquet
// multipliers.
func cyclesText(cs []analysis.Cycle) string {
	var b strings.Builder
	for i, c := range cs {
		fmt.Fprintf(&b, "Limit cycle %d: period %s %s (%d steps), amplitude %s state units (RMS per unit)", i+1,
			verdictNum(c.Period), c.Unit, c.PeriodSteps, verdictNum(c.Amplitude))
		if c.ReadoutAmplitude != nil {
			b.WriteString(", readout amplitude " + verdictNum(*c.ReadoutAmplitude))
		}
		if c.Lyapunov != nil {
			fmt.Fprintf(&b, ", largest Lyapunov exponent %s per %s", verdictNum(*c.Lyapunov), strings.TrimSuffix(c.Unit, "s"))
		}
		if len(c.Floquet) > 0 {
			mods := make([]float64, 0, 3)
			for _, f := range c.Floquet[:min(3, len(c.Floquet))] {
				mods = append(mods, math.Hypot(f[0], f[1]))
			}
			b.WriteString(", largest Floquet |μ| " + verdictVec(mods))
		}
		probes := c.Probes
		more := ""
		if len(probes) > 4 {
			probes, more = probes[:4], fmt.Sprintf(" and %d more", len(c.Probes)-4)
		}
		fmt.Fprintf(&b, "; reached from %s%s.\n", saved.Printable(strings.Join(probes, ", ")), more)
	}
	return b.String()
}

// basinsText is the basin fractions of a report, one line per set of
// starts, each fraction with its Wilson interval; "" without basins.
func basinsText(br *inspect.BasinReport) string {
	if br == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Basin fractions (%.0f %% Wilson intervals):\n", 100*br.Confidence)
	sets := []inspect.BasinSet{br.Trajectory}
	if br.Cloud != nil {
		sets = append(sets, *br.Cloud)
	}
	sets = append(sets, br.Noise...)
	for _, set := range sets {
		name := fmt.Sprintf("  %s (%d)", set.Starts, set.N)
		if set.Width > 0 {
			name = fmt.Sprintf("  %s σ=%g (%d)", set.Starts, set.Width, set.N)
		}
		b.WriteString(saved.Printable(name) + ":")
		for _, f := range append(append([]inspect.BasinFraction(nil), set.Fractions...), set.Other) {
			fmt.Fprintf(&b, " %s %.2f [%.2f, %.2f]", saved.Printable(f.Label), f.Fraction, f.Low, f.High)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// verdictVec formats a short vector.
func verdictVec(x []float64) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = verdictNum(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
