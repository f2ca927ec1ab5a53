package tui

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/train"
	"attractor/tui/plot"
)

// LandscapeKeyMap are the keys of the landscape pane: none of its own (the
// checkpoint keys '<' and '>' work from every pane).
type LandscapeKeyMap struct{}

// ShortHelp returns no keys.
func (LandscapeKeyMap) ShortHelp() []key.Binding { return nil }

// FullHelp returns no keys.
func (LandscapeKeyMap) FullHelp() [][]key.Binding { return nil }

// landscapeMsg carries a landscape continued by one more history network.
type landscapeMsg struct {
	gen   int
	l     *analysis.Landscaper
	chain [sha256.Size]byte // the cache key of l
	err   error
}

// landscapeSettings are the UI's landscape settings: the command line's
// defaults without the basin fractions (the census and its events are what
// the pane draws).
func landscapeSettings() *analysis.LandscapeSettings {
	return &analysis.LandscapeSettings{Seed: 1}
}

// landscapeRequest names a landscape in cache keys.
const landscapeRequest = "landscape/v1 starts=64 seed=1 basins=false"

// landscapePane follows the attractor landscape of the run's history (see
// analysis.Landscaper): the number of stable points and cycles against
// training step with the events marked, above the loss and accuracy on the
// same step axis, and the checkpoint the other panes show. Each history
// network is added off the UI goroutine, one at a time; a history that is
// not an extension of the one followed (a new run in the directory) starts
// over and cancels the work in flight. Each continued landscape is kept in
// the session's Cache under the chain of its files' hashes, so sessions
// following the same run compute it once; a Landscaper is never changed
// once made (each network is added to a clone).
type landscapePane struct {
	LandscapeKeyMap
	ctx     *Context
	w, h    int
	focused bool

	hist    []train.HistoryFile // the run's history as last polled
	l       *analysis.Landscaper
	chain   [sha256.Size]byte // cache key of l
	res     *analysis.LandscapeResult
	busy    bool
	gen     int
	cancel  context.CancelFunc
	err     error
	sel     int                    // the history network the other panes show (−1: the live checkpoint)
	unit    string                 // the run's training unit ("epoch")
	metrics func() []train.Metrics // the training pane's log

	fr         frame
	cv, cvLoss *plot.Canvas
	cache      string
	dirty      bool
}

func newLandscapePane(c *Context) *landscapePane {
	return &landscapePane{ctx: c, sel: -1, cv: plot.NewCanvas(0, 0), cvLoss: plot.NewCanvas(0, 0), dirty: true}
}

// SetSize sets the outer size of the pane.
func (p *landscapePane) SetSize(w, h int) { p.w, p.h, p.dirty = w, h, true }

// Focus sets whether the pane has the focus.
func (p *landscapePane) Focus(on bool) { p.focused, p.dirty = on, true }

// Update does nothing for keys: the pane has none.
func (p *landscapePane) Update(tea.Msg) tea.Cmd { return nil }

// visible reports whether the pane is on the screen: the UI follows a run
// that has kept at least one network of its history.
func (p *landscapePane) visible() bool { return p.ctx.RunDir != "" && len(p.hist) > 0 }

// setHistory takes a poll of the run's history and continues the
// landscape with the networks it has not seen; a history that does not
// extend the one followed starts it over.
func (p *landscapePane) setHistory(hs []train.HistoryFile) tea.Cmd {
	extends := len(hs) >= len(p.hist)
	for i := 0; extends && i < len(p.hist); i++ {
		extends = hs[i] == p.hist[i]
	}
	if !extends {
		p.reset()
	}
	if len(hs) != len(p.hist) {
		p.dirty = true
	}
	p.hist = hs
	return p.next()
}

// reset drops the landscape and cancels the work in flight.
func (p *landscapePane) reset() {
	if p.cancel != nil {
		p.cancel()
	}
	p.gen++
	p.l, p.res, p.busy, p.err, p.chain = nil, nil, false, nil, [sha256.Size]byte{}
	p.sel = -1
	p.dirty = true
}

// next starts adding the next history network, unless one is being added
// or every one is in.
func (p *landscapePane) next() tea.Cmd {
	done := 0
	if p.l != nil {
		done = p.l.Len()
	}
	if p.busy || p.err != nil || done >= len(p.hist) {
		return nil
	}
	ctx, cancel := context.WithCancel(p.ctx.Ctx)
	p.cancel, p.busy = cancel, true
	gen, l, chain, f, cache, rf := p.gen, p.l, p.chain, p.hist[done], p.ctx.Cache, runFilesOf(p.ctx)
	return func() tea.Msg {
		next, key, err := landscapeAdd(ctx, cache, rf, l, chain, f)
		return landscapeMsg{gen: gen, l: next, chain: key, err: err}
	}
}

// handle takes a continued landscape and starts the next network.
func (p *landscapePane) handle(msg landscapeMsg) tea.Cmd {
	if msg.gen != p.gen {
		return nil // superseded: its history is gone
	}
	p.busy, p.dirty = false, true
	if msg.err != nil {
		if !errors.Is(msg.err, context.Canceled) {
			p.err = msg.err
		}
		return nil
	}
	p.l, p.chain, p.res = msg.l, msg.chain, msg.l.Result()
	return p.next()
}

// landscapeAdd returns a clone of l (nil: a new landscape) continued by
// history file f of the run rf (read through its checks), through cache
// under the chain of hashes of the files (prev is l's). l is not changed.
func landscapeAdd(ctx context.Context, cache Cache, rf runFiles, l *analysis.Landscaper, prev [sha256.Size]byte, f train.HistoryFile) (out *analysis.Landscaper, key [sha256.Size]byte, err error) {
	defer guard(&err)
	n, b, err := rf.network(rf.rel(f.Path))
	if err != nil {
		return nil, key, err
	}
	file := sha256.Sum256(b)
	h := sha256.New()
	h.Write(prev[:])
	h.Write(file[:])
	_ = binary.Write(h, binary.LittleEndian, int64(f.Step))
	h.Sum(key[:0])
	compute := func(ctx context.Context) (any, error) {
		next := analysis.NewLandscaper(landscapeSettings())
		if l != nil {
			next = l.Clone()
		}
		if err := next.Add(ctx, analysis.LandscapeFile{Name: f.Path, Net: n, Step: float64(f.Step)}); err != nil {
			return nil, err
		}
		return next, nil
	}
	var v any
	if cache == nil {
		v, err = compute(ctx)
	} else {
		v, err = cache.Do(ctx, CacheKey{Content: key, Request: landscapeRequest}, compute)
	}
	if err != nil {
		return nil, key, err
	}
	next, ok := v.(*analysis.Landscaper)
	if !ok {
		return nil, key, fmt.Errorf("cached landscape is %T", v)
	}
	return next, key, nil
}

// at names history network i ("epoch 120").
func (p *landscapePane) at(i int) string {
	u := p.unit
	if u == "" {
		u = "step"
	}
	return fmt.Sprintf("%s %d", u, p.hist[i].Step)
}

// View returns the pane, re-rendered only when something changed.
func (p *landscapePane) View() string {
	if p.dirty {
		p.dirty = false
		p.cache = p.render()
	}
	return p.cache
}

// Event marks on the census plot, one cell each.
const (
	markBirth = '+' // a stable point or cycle appears
	markDeath = 'x' // one is lost
	markBif   = '*' // saddle-node, pitchfork or Hopf point
)

// landscapeMark returns the mark of an event kind.
func landscapeMark(kind string) rune {
	switch kind {
	case inspect.EventBirth, inspect.EventCycleBirth, inspect.EventGain:
		return markBirth
	case inspect.EventDeath, inspect.EventCycleDeath, inspect.EventLoss:
		return markDeath
	}
	return markBif
}

func (p *landscapePane) render() string {
	st := p.ctx.Styles
	title := "Landscape"
	shown := len(p.hist) - 1 // the history network whose census is told
	if p.sel >= 0 && p.sel < len(p.hist) {
		shown = p.sel
		title += " · " + p.at(p.sel)
	}
	p.fr.set(st, p.w, title, p.focused)
	in, ih := p.fr.inner(), p.h-2
	if len(p.hist) == 0 {
		return p.fr.box(st.Dim.Render("no history yet"), p.h)
	}
	done := 0
	var cks []inspect.LandscapeCheckpoint
	var events []inspect.LandscapeEvent
	if p.res != nil {
		cks, events, done = p.res.Checkpoints, p.res.Events, len(p.res.Checkpoints)
	}
	var lines []string
	if shown < done {
		ck := cks[shown]
		lines = append(lines, fmt.Sprintf("%d: %d stable %d saddle %d cycle", p.hist[shown].Step, ck.Stable, ck.Saddles, ck.Cycles))
	} else {
		lines = append(lines, fmt.Sprintf("%s: census to come", p.at(shown)))
	}
	if p.err != nil {
		lines = append(lines, errorLines(st, p.err, in, max(3, ih-4))...)
	} else if done < len(p.hist) {
		lines = append(lines, st.Accent.Render(fmt.Sprintf("census %d/%d…", done, len(p.hist))))
	}
	// The step axis: log₁₀ when the history spans more than two decades
	// (it is kept logarithmically), as in LandscapeFigure.
	first, last := float64(p.hist[0].Step), float64(p.hist[len(p.hist)-1].Step)
	logX := first > 0 && last/first > 100
	xOf := func(s float64) float64 {
		if logX {
			if s <= 0 {
				return math.NaN() // dropped by the canvas
			}
			return math.Log10(s)
		}
		return s
	}
	xmin, xmax := xOf(first), xOf(last)
	if !(xmax > xmin) {
		xmin, xmax = xmin-1, xmax+1
	}
	axis := "step"
	if logX {
		axis = "log step"
	}
	var ms []train.Metrics
	if p.metrics != nil {
		ms = p.metrics()
	}
	rows := ih - len(lines) - 1 // the legend
	lossRows := 0
	if len(ms) > 0 && rows >= 4 {
		lossRows = rows / 3
		rows-- // the loss's legend
	}
	if rows-lossRows < 1 || in < 6 {
		return p.fr.box(strings.Join(lines, "\n"), p.h)
	}
	// Census: stable points and cycles, the events on the top row, the
	// shown network as a vertical line.
	countRows := rows - lossRows
	xs := make([]float64, len(cks))
	stable, cycles := make([]float64, len(cks)), make([]float64, len(cks))
	ymax := 1.0
	for i, ck := range cks {
		xs[i], stable[i], cycles[i] = xOf(ck.Step), float64(ck.Stable), float64(ck.Cycles)
		ymax = max(ymax, stable[i], cycles[i])
	}
	p.cv.Resize(in, countRows)
	p.cv.Mono = p.ctx.mono()
	ytop := ymax * (1 + 1/float64(max(1, 4*countRows-1))) // a dot row above the highest count for the marks
	_ = p.cv.SetRange(xmin, xmax, 0, ytop)
	p.cv.VLine(xOf(float64(p.hist[shown].Step)), st.Cursor)
	p.cv.Polyline(xs, cycles, st.Unstable)
	p.cv.Polyline(xs, stable, st.Stable)
	for _, e := range events {
		mk := landscapeMark(e.Kind)
		p.cv.Marker(xOf(e.Step), ytop, mk, st.Eigen)
	}
	plots := []string{p.cv.String()}
	legend := st.Dim.Render(fmt.Sprintf("%s %g…%g %cborn %clost %cbif. · stable, cycles 0…%g", axis, first, last, markBirth, markDeath, markBif, ymax))
	if lossRows > 0 {
		lx, ll, la := make([]float64, len(ms)), make([]float64, len(ms)), make([]float64, len(ms))
		lmin, lmax := math.Inf(1), math.Inf(-1)
		hasAcc := false
		for i, m := range ms {
			lx[i], ll[i], la[i] = xOf(float64(m.Step)), math.Log10(m.Loss), m.Accuracy
			if !math.IsNaN(ll[i]) && !math.IsInf(ll[i], 0) {
				lmin, lmax = min(lmin, ll[i]), max(lmax, ll[i])
			}
			hasAcc = hasAcc || m.Accuracy != 0
		}
		if lmax > lmin {
			for i := range ll {
				ll[i] = (ll[i] - lmin) / (lmax - lmin) // the loss on the accuracy's 0…1 axis
			}
		} else {
			lmin, lmax = lmin-1, lmax+1
			for i := range ll {
				ll[i] = 0.5
			}
		}
		p.cvLoss.Resize(in, lossRows)
		p.cvLoss.Mono = p.cv.Mono
		_ = p.cvLoss.SetRange(xmin, xmax, -0.02, 1.02)
		p.cvLoss.VLine(xOf(float64(p.hist[shown].Step)), st.Cursor)
		p.cvLoss.Polyline(lx, ll, st.Loss)
		what := fmt.Sprintf("log loss %.2g…%.2g", lmin, lmax)
		if hasAcc {
			p.cvLoss.Polyline(lx, la, st.Accuracy)
			what = "acc 0…1, " + what
		}
		plots = append(plots, p.cvLoss.String(), st.Dim.Render(what))
	}
	plots = append(plots, legend)
	return p.fr.box(strings.Join(append(lines, plots...), "\n"), p.h)
}
