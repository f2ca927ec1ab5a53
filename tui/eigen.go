package tui

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"attractor/inspect"
	"attractor/model"
	"attractor/tui/plot"

	"attractor/saved"
)

// EigenKeyMap are the keys of the eigenvalue pane.
type EigenKeyMap struct {
	PrevValue, NextValue key.Binding // move the cursor along the spectrum
	PrevPoint, NextPoint key.Binding // choose the fixed point
}

// DefaultEigenKeyMap returns the eigenvalue pane's keys.
func DefaultEigenKeyMap() EigenKeyMap {
	return EigenKeyMap{
		PrevValue: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "prev eigenvalue")),
		NextValue: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next eigenvalue")),
		PrevPoint: key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "prev fixed point")),
		NextPoint: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next fixed point")),
	}
}

// ShortHelp returns the pane's keys for the help bar.
func (k EigenKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.PrevValue, k.NextValue, k.NextPoint}
}

// FullHelp returns the pane's keys.
func (k EigenKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.PrevValue, k.NextValue, k.PrevPoint, k.NextPoint}}
}

// eigenPane shows the spectrum of the Jacobian at the selected fixed point
// in the complex plane, in the convention of the network (rates λ with the
// line Re λ = 0, or multipliers μ with the unit circle), with a cursor on
// one eigenvalue.
type eigenPane struct {
	EigenKeyMap
	ctx     *Context
	s       *session
	w, h    int
	focused bool
	point   int // selected fixed point
	cursor  int // selected eigenvalue

	fr    frame
	cv    *plot.Canvas
	cache string
	dirty bool
}

func newEigenPane(c *Context) *eigenPane {
	return &eigenPane{EigenKeyMap: DefaultEigenKeyMap(), ctx: c, cv: plot.NewCanvas(0, 0), dirty: true}
}

// SetSize sets the outer size of the pane.
func (p *eigenPane) SetSize(w, h int) { p.w, p.h, p.dirty = w, h, true }

// Focus sets whether the pane has the focus.
func (p *eigenPane) Focus(on bool) { p.focused, p.dirty = on, true }

func (p *eigenPane) invalidate() { p.dirty = true }

// points returns the fixed points, or nil.
func (p *eigenPane) points() []inspect.FixedPoint {
	if p.s == nil || p.s.fixed == nil {
		return nil
	}
	return p.s.fixed.res.Points
}

// spectrum returns the selected point's spectrum (zero when none).
func (p *eigenPane) spectrum() inspect.Spectrum {
	pts := p.points()
	if len(pts) == 0 {
		return inspect.Spectrum{}
	}
	p.point = max(0, min(len(pts)-1, p.point))
	return pts[p.point].Eigenvalues
}

// select moves the selection to point pt and eigenvalue c, clamped.
func (p *eigenPane) selectAt(pt, c int) {
	p.point = pt
	sp := p.spectrum()
	p.cursor = max(0, min(len(sp.Values)-1, c))
	p.dirty = true
}

// Update moves the cursor when the pane has the focus.
func (p *eigenPane) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	n := len(p.points())
	switch {
	case key.Matches(k, p.PrevValue):
		p.selectAt(p.point, p.cursor-1)
	case key.Matches(k, p.NextValue):
		p.selectAt(p.point, p.cursor+1)
	case key.Matches(k, p.PrevPoint) && n > 0:
		p.selectAt((p.point+n-1)%n, 0)
	case key.Matches(k, p.NextPoint) && n > 0:
		p.selectAt((p.point+1)%n, 0)
	}
	return nil
}

// convention returns the convention of the open network's spectra: rates
// for a flow, multipliers for a map.
func (p *eigenPane) convention() inspect.Convention {
	if p.s != nil && p.s.fixed != nil {
		return p.s.fixed.res.Convention
	}
	if p.s != nil {
		if _, ok := p.s.net.(model.Flow); !ok {
			return inspect.DiscreteMap
		}
	}
	return inspect.ContinuousTime
}

// conventionText names the convention of the plane.
func (p *eigenPane) conventionText() string {
	if p.convention() == inspect.DiscreteMap {
		return "multipliers μ, unit circle"
	}
	return "rates λ (1/τ), Re λ = 0 line"
}

// title names the convention when it fits in the top border; otherwise
// the convention goes on the first lines of the pane (header).
func (p *eigenPane) title() (title, header string) {
	t := "Eigenvalues · " + p.conventionText()
	if len([]rune(t)) <= p.w-6 {
		return t, ""
	}
	wrap := p.ctx.Renderer.NewStyle().Width(max(1, p.w-2))
	return "Eigenvalues", wrap.Render(p.conventionText())
}

// View returns the pane, re-rendered only when something changed.
func (p *eigenPane) View() string {
	if p.dirty {
		p.dirty = false
		p.cache = p.render()
	}
	return p.cache
}

func (p *eigenPane) render() string {
	st := p.ctx.Styles
	title, header := p.title()
	p.fr.set(st, p.w, p.s.titled(title), p.focused)
	in, ih := p.fr.inner(), p.h-2
	if header != "" {
		header = st.Dim.Render(header) + "\n"
		ih -= strings.Count(header, "\n")
	}
	switch {
	case p.s == nil:
		return p.fr.box(header+"no network", p.h)
	case p.s.fixed == nil && p.s.anaErr != nil:
		return p.fr.box(header+st.Error.Render("fixed points: "+saved.Printable(p.s.anaErr.Error())), p.h)
	case p.s.fixed == nil:
		return p.fr.box(header+"searching fixed points…", p.h)
	}
	pts := p.points()
	if len(pts) == 0 {
		r := p.s.fixed.res
		return p.fr.box(header+fmt.Sprintf("no fixed point found\n%d initial states, best q = %.3g", len(r.Candidates), r.BestQ), p.h)
	}
	sp := p.spectrum()
	p.cursor = max(0, min(len(sp.Values)-1, p.cursor))
	info := p.info(sp, pts[p.point], len(pts), in)
	bad := 0
	for _, v := range sp.Values {
		if !(math.Abs(real(v)) < 1e6 && math.Abs(imag(v)) < 1e6) {
			bad++
		}
	}
	if bad > 0 {
		info += fmt.Sprintf("\n%d off-scale or non-finite", bad)
	}
	infoLines := strings.Count(info, "\n") + 1
	dt := sp.Convention == inspect.DiscreteMap
	ax := plot.Axes{XLabel: "Re λ", YLabel: "Im λ"}
	if dt {
		ax = plot.Axes{XLabel: "Re μ", YLabel: "Im μ"}
	}
	ax.YLabel = "" // the title names the plane; keep rows for the plot
	xmin, xmax, ymin, ymax := p.plane(sp)
	cols, rows := ax.Fit(in, ih-infoLines, ymin, ymax)
	if cols < 4 || rows < 2 {
		return p.fr.box(header+info, p.h)
	}
	cv := p.cv
	cv.Resize(cols, rows)
	cv.Mono = p.ctx.mono()
	if err := cv.SetRangeEqual(xmin, xmax, ymin, ymax); err != nil {
		_ = cv.SetRange(-1, 1, -1, 1)
	}
	cv.HLine(0, st.Axis)
	if dt {
		cv.Circle(0, 0, 1, st.Unit)
	} else {
		cv.VLine(0, st.Unit)
	}
	for _, v := range sp.Values {
		cv.Marker(real(v), imag(v), '•', st.Eigen)
	}
	if len(sp.Values) > 0 {
		v := sp.Values[p.cursor]
		cv.Marker(real(v), imag(v), '◆', st.Cursor)
	}
	body := header + ax.Frame(cv) + "\n" + info
	return p.fr.box(body, p.h)
}

// plane returns the range of the eigenvalue plane: the finite eigenvalues
// with the line Re λ = 0 (rates) or the unit circle (multipliers) in view.
func (p *eigenPane) plane(sp inspect.Spectrum) (xmin, xmax, ymin, ymax float64) {
	return spectrumPlane(sp)
}

// spectrumPlane returns the range of the eigenvalue plane of sp: the
// eigenvalues of magnitude below 1e6, the line Re λ = 0 (rates) or the
// unit circle (multipliers), padded by 8 % and symmetric about the real
// axis.
func spectrumPlane(sp inspect.Spectrum) (xmin, xmax, ymin, ymax float64) {
	xs := make([]float64, 0, len(sp.Values)+2)
	ys := make([]float64, 0, len(sp.Values)+2)
	for _, v := range sp.Values {
		// Keep absurd values from flattening the plot; they are counted
		// as off-scale instead.
		if math.Abs(real(v)) < 1e6 && math.Abs(imag(v)) < 1e6 {
			xs, ys = append(xs, real(v)), append(ys, imag(v))
		}
	}
	if sp.Convention == inspect.DiscreteMap {
		xs, ys = append(xs, -1, 1), append(ys, -1, 1)
	} else {
		xs, ys = append(xs, 0), append(ys, 0)
	}
	xmin, xmax, ymin, ymax = plot.AutoRange(xs, ys, 0.08)
	m := max(math.Abs(ymin), math.Abs(ymax)) // symmetric about the real axis
	return xmin, xmax, -m, m
}

// info describes the selected eigenvalue: its value and time constant,
// in lines of at most about w columns.
func (p *eigenPane) info(sp inspect.Spectrum, fp inspect.FixedPoint, npts, w int) string {
	head := fmt.Sprintf("point %d/%d (%s)", p.point+1, npts, fp.Kind)
	if len(sp.Values) == 0 {
		return head + "\nno eigenvalues"
	}
	v := sp.Values[p.cursor]
	if idx := fmt.Sprintf(" #%d/%d", p.cursor+1, len(sp.Values)); len([]rune(head+idx)) <= w {
		head += idx
	}
	if sp.Convention == inspect.DiscreteMap {
		tau := 1 / math.Abs(math.Log(cmplx.Abs(v)))
		return fmt.Sprintf("%s\nμ = %s, |μ| = %.3g\n1/|ln|μ|| = %s steps", head, fmtComplex(v), cmplx.Abs(v), fmtTau(tau))
	}
	unit := "time units"
	if w < 28 {
		unit = "t.u."
	}
	return fmt.Sprintf("%s\nλ = %s\n1/|Re λ| = %s %s", head, fmtComplex(v), fmtTau(inspect.TimeConstant(v)), unit)
}

// fmtComplex formats an eigenvalue compactly.
func fmtComplex(v complex128) string {
	if imag(v) == 0 {
		return fmt.Sprintf("%.3g", real(v))
	}
	return fmt.Sprintf("%.3g%+.3gi", real(v), imag(v))
}

// fmtTau formats a time constant (∞ for a mode on the boundary).
func fmtTau(t float64) string {
	if math.IsInf(t, 0) {
		return "∞"
	}
	return fmt.Sprintf("%.3g", t)
}
