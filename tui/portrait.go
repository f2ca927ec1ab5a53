package tui

import (
	"bytes"
	"strconv"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/inspect"
	"attractor/tui/plot"

	"attractor/saved"
)

// kindMarker returns the marker and colour of a fixed point of kind k:
// stable ●, saddle ○, slow ◌, unstable ×, marginal ◐.
func kindMarker(st *Styles, k inspect.Kind) (rune, plot.Color) {
	switch k {
	case inspect.Stable:
		return '●', st.Stable
	case inspect.Saddle:
		return '○', st.Saddle
	case inspect.Slow:
		return '◌', st.Slow
	case inspect.Marginal:
		return '◐', st.Slow
	}
	return '×', st.Unstable
}

// PortraitKeyMap are the keys of the phase-portrait pane; the experiment
// keys of [KeyMap] drive it.
type PortraitKeyMap struct{}

// ShortHelp returns no pane-specific keys.
func (PortraitKeyMap) ShortHelp() []key.Binding { return nil }

// FullHelp returns no pane-specific keys.
func (PortraitKeyMap) FullHelp() [][]key.Binding { return nil }

// portraitPane draws the trajectories of every condition in the plane of
// their first two principal components, the fixed points by kind and the
// current state with its trail; the key v switches it to the sorted
// activity heat map or the connectivity matrix (views.go).
type portraitPane struct {
	PortraitKeyMap
	ctx     *Context
	s       *session
	w, h    int
	focused bool
	view    heatView // what the pane shows
	hg      heatGrid // the heat map of the activity and connectivity views

	fr       frame
	cv       *plot.Canvas
	rangeFor *portraitData // the data the canvas range was set for
	legend   string
	legendW  int
	cbuf     []byte
	out      []byte
	cache    string
	dirty    bool
}

func newPortraitPane(c *Context) *portraitPane {
	return &portraitPane{ctx: c, cv: plot.NewCanvas(0, 0), dirty: true}
}

// SetSize sets the outer size of the pane.
func (p *portraitPane) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty, p.rangeFor = w, h, true, nil
	}
}

// Focus sets whether the pane has the focus.
func (p *portraitPane) Focus(on bool) {
	if on != p.focused {
		p.focused, p.dirty = on, true
	}
}

// Update handles keys when the pane has the focus (none of its own).
func (p *portraitPane) Update(tea.Msg) tea.Cmd { return nil }

// invalidate marks the cached view stale.
func (p *portraitPane) invalidate() { p.dirty = true }

// cycleView moves to the next view: portrait → activity → connectivity →
// portrait.
func (p *portraitPane) cycleView() {
	p.view = (p.view + 1) % numViews
	p.dirty = true
}

// title names the plane with the variance each component explains.
func (p *portraitPane) title() string {
	if p.s == nil || p.s.portrait == nil {
		return p.s.titled("Phase portrait")
	}
	pca := p.s.portrait.pca
	t := "Phase portrait · PC1 " + strconv.Itoa(int(100*pca.ExplainedRatio(0)+0.5)) + "%"
	if pca.K() > 1 {
		t += " × PC2 " + strconv.Itoa(int(100*pca.ExplainedRatio(1)+0.5)) + "%"
	}
	return p.s.titled(t)
}

// View returns the pane, re-rendered only when something changed.
func (p *portraitPane) View() string {
	if !p.dirty {
		return p.cache
	}
	p.dirty = false
	p.cache = p.render()
	return p.cache
}

// render draws the pane. With the data in place it allocates only the
// returned string (and the frame and legend on a size change).
func (p *portraitPane) render() string {
	if p.view != viewPortrait {
		return p.heatRender()
	}
	st := p.ctx.Styles
	p.fr.set(st, p.w, p.title(), p.focused)
	in := p.fr.inner()
	rows := p.h - 3
	if p.s == nil || p.s.portrait == nil || rows < 2 || in < 4 {
		return p.fr.box(p.waitText(), p.h)
	}
	s, d := p.s, p.s.portrait
	if cols, r := p.cv.Size(); cols != in || r != rows {
		p.cv.Resize(in, rows)
		p.rangeFor = nil
	}
	p.cv.Mono = p.ctx.mono()
	if p.rangeFor != d {
		xmin, xmax, ymin, ymax := d.xmin, d.xmax, d.ymin, d.ymax
		if !(xmin <= xmax) || !(ymin <= ymax) {
			xmin, xmax, ymin, ymax = -1, 1, -1, 1
		}
		if f := s.fixed; f != nil {
			xs := append([]float64{xmin, xmax}, f.px...)
			ys := append([]float64{ymin, ymax}, f.py...)
			xmin, xmax, ymin, ymax = plot.AutoRange(xs, ys, 0)
		}
		xmin, xmax, ymin, ymax = plot.AutoRange([]float64{xmin, xmax}, []float64{ymin, ymax}, 0.05)
		if err := p.cv.SetRangeEqual(xmin, xmax, ymin, ymax); err != nil {
			_ = p.cv.SetRange(-1, 1, -1, 1)
		}
		p.rangeFor = d
		p.legend = p.legendText(in)
		p.legendW = ansi.StringWidth(p.legend)
	}
	cv := p.cv
	cv.Clear()
	for c := range d.xs {
		if c != s.cond {
			cv.Polyline(d.xs[c], d.ys[c], st.Conditions[c%len(st.Conditions)])
		}
	}
	if s.cond < len(d.xs) {
		cv.Polyline(d.xs[s.cond], d.ys[s.cond], st.Conditions[s.cond%len(st.Conditions)])
	}
	cv.Polyline(s.trailX, s.trailY, st.Trail)
	if f := s.fixed; f != nil {
		for i, fp := range f.res.Points {
			m, col := kindMarker(st, fp.Kind)
			cv.Marker(f.px[i], f.py[i], m, col)
		}
	}
	before := cv.Stats().Hidden()
	cv.Marker(s.px, s.py, '◆', st.State)
	stateHidden := cv.Stats().Hidden() > before

	// Legend line: markers, then what could not be drawn.
	var note [48]byte
	extra := note[:0]
	if stateHidden {
		extra = append(extra, " state off-scale"...)
	} else if hid := cv.Stats().Hidden(); hid > 0 {
		extra = append(extra, ' ')
		extra = strconv.AppendInt(extra, int64(hid), 10)
		extra = append(extra, " off-scale"...)
	}
	return p.compose(rows, in, p.legend, p.legendW, extra)
}

// waitText says why there is nothing to draw yet.
func (p *portraitPane) waitText() string {
	if p.s == nil {
		return "no network"
	}
	switch {
	case p.s.anaErr != nil && p.s.portrait == nil:
		return p.ctx.Styles.Error.Render("analysis failed: " + saved.Printable(p.s.anaErr.Error()))
	case p.s.analysing != "":
		return p.s.analysing + "…"
	}
	return "no network"
}

// compose frames the canvas's rows rows, then the legend line (legend, of
// width legendW, followed by extra when it fits in the inner width in),
// reusing the pane's buffers; the returned string is its only allocation.
func (p *portraitPane) compose(rows, in int, legend string, legendW int, extra []byte) string {
	p.cbuf = p.cv.AppendTo(p.cbuf[:0])
	out := append(p.out[:0], p.fr.top...)
	rest := p.cbuf
	for range rows {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		out = append(out, '\n')
		out = append(out, p.fr.left...)
		out = append(out, rest[:i]...)
		out = append(out, p.fr.right...)
		rest = rest[min(len(rest), i+1):]
	}
	out = append(out, '\n')
	out = append(out, p.fr.left...)
	w := legendW
	out = append(out, legend...)
	if w+len(extra) <= in {
		out = append(out, extra...)
		w += len(extra)
	}
	for ; w < in; w++ {
		out = append(out, ' ')
	}
	out = append(out, p.fr.right...)
	out = append(out, '\n')
	out = append(out, p.fr.bottom...)
	p.out = out
	return string(out)
}

// legendText is the marker legend, cut to width w.
func (p *portraitPane) legendText(w int) string {
	t := "● stable ○ saddle ◌ slow × unstable ◆ state"
	if w < ansi.StringWidth(t)+18 { // room for "  state off-scale"
		t = "●stable ○saddle ◌slow ◆state"
	}
	return p.ctx.Styles.Dim.Render(ansi.Truncate(t, w, ""))
}
