package tui

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"attractor/inspect"
)

// VerdictKeyMap are the keys of the summary pane (none yet).
type VerdictKeyMap struct{}

// ShortHelp returns no keys.
func (VerdictKeyMap) ShortHelp() []key.Binding { return nil }

// FullHelp returns no keys.
func (VerdictKeyMap) FullHelp() [][]key.Binding { return nil }

// verdictPane will show the mechanism verdict; until inspect computes
// verdicts it shows, and says that it shows, a summary of the fixed-point
// search.
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
		p.fr.set(p.ctx.Styles, p.w, "Summary · mechanism verdict pending", p.focused)
		wrap := p.ctx.Renderer.NewStyle().Width(max(1, p.fr.inner()))
		p.cache = p.fr.box(wrap.Render(p.text()), p.h)
	}
	return p.cache
}

// text is the summary: honest about being a placeholder.
func (p *verdictPane) text() string {
	st := p.ctx.Styles
	s := p.s
	if s == nil {
		return "no network open"
	}
	var b strings.Builder
	b.WriteString(st.Dim.Render("No mechanism verdict yet (not computed by inspect); fixed-point summary:"))
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
