package tui

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"strconv"
	"strings"

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
// otherwise), exactly as `attractor inspect` does.

// verdictData is a finished verdict: the label with its evidence, the
// classifier reported beside it (nil if none), notes and cycles.
type verdictData struct {
	main, beside *inspect.Verdict
	res          *analysis.VerdictResult
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
	return "verdict/v2 settings=" + settingsDigest(uiSettings(0)) + " protocol=" + protocolDigest(&job.proto)
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

// runVerdict runs the protocol's classifier (analysis.Verdict) with the
// UI's settings.
func runVerdict(ctx context.Context, job verdictJob) (d *verdictData, err error) {
	defer guard(&err)
	r, err := analysis.Verdict(ctx, job.net, job.file, &job.proto, uiSettings(0))
	if err != nil {
		return nil, err
	}
	return &verdictData{main: r.Main, beside: r.Beside, res: r}, nil
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
	case s.verdict == nil:
		return "no verdict yet: wait for the analysis"
	}
	t := explainVerdict(st, s.verdict.main)
	if s.verdict.beside != nil {
		t += "\n\n" + st.Dim.Render("Reported beside it:") + "\n" + explainVerdict(st, s.verdict.beside)
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

// text is the verdict's label, the fixed-point summary and the census's
// coverage, the verdict's evidence, and the protocol. The label and the
// summary come first so that both show in a small pane, whichever of the
// two background stages finishes first.
func (p *verdictPane) text() string {
	st := p.ctx.Styles
	s := p.s
	if s == nil {
		return "no network open"
	}
	var b strings.Builder
	switch {
	case s.verdict != nil:
		b.WriteString(verdictHead(st, s.verdict.main, "Verdict: "))
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
		if c := s.fixed.census; c != nil {
			b.WriteString(censusText(c) + "\n")
		}
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
	if s.verdict != nil {
		b.WriteString(strings.TrimPrefix(verdictBody(st, s.verdict.main), "\n") + "\n")
		if s.verdict.beside != nil {
			b.WriteString(verdictText(st, s.verdict.beside, "beside it: ") + "\n")
		}
	}
	if s.verdict != nil && s.verdict.res != nil {
		for i, c := range s.verdict.res.Cycles {
			fmt.Fprintf(&b, "Limit cycle %d: period %s %s, reached from %s\n", i+1, verdictNum(c.Period), analysis.PeriodUnit(s.net), strings.Join(c.Probes, ", "))
		}
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

// censusText is the census's coverage in one line.
func censusText(c *analysis.CensusResult) string {
	cv := c.Coverage
	return fmt.Sprintf("Census: %d starts in %d rounds, %d stable points (%d from one start only), unseen %s, Chao1 %s; %s.",
		cv.Starts, cv.Rounds, cv.Stable, cv.Singletons, verdictNum(cv.Unseen), verdictNum(cv.Chao1), cv.State())
}
