// Package svg writes publication-style line and scatter figures as SVG
// documents: panels with axes, 1-2-5 tick labels, axis titles with units,
// a legend, reference lines (such as Re λ = 0) and circles (such as the
// unit circle |μ| = 1), and an optional logarithmic y axis (for a loss).
//
// Data are sanitised before they reach the document: points with a NaN or
// infinite coordinate, or outside the panel's range, are left out and
// counted (the legend says how many), lines are broken at non-finite
// points and clipped to the range in data space (Liang–Barsky), so every
// coordinate written is a finite number inside the plot area and no
// "NaN" or "Inf" ever appears in the document. Ranges come from the
// finite data unless set.
//
// A Figure is encoded with [Figure.Encode]; the package does no I/O of its
// own and allocates in proportion to the data.
package svg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"attractor/tui/plot"
)

// Shape is the shape of a point marker.
type Shape int

// Marker shapes.
const (
	Disc     Shape = iota // filled circle
	Ring                  // open circle
	Diamond               // filled diamond
	Cross                 // ×
	Triangle              // filled upward triangle
	Square                // filled square
)

// Line is a polyline through (X[i], Y[i]); a non-finite point breaks it.
type Line struct {
	Label string  // legend entry; empty for none
	Color string  // CSS colour, such as "#0072B2"
	Width float64 // stroke width in px (1.5 when 0)
	Dash  string  // stroke-dasharray, such as "4 3"; empty for solid
	X, Y  []float64
}

// Points is a set of markers at (X[i], Y[i]).
type Points struct {
	Label string
	Color string
	Shape Shape
	Size  float64 // marker radius in px (4 when 0)
	X, Y  []float64
}

// Ref is a reference line across the panel: y = Value (in Panel.HLines)
// or x = Value (in Panel.VLines).
type Ref struct {
	Label string
	Color string
	Dash  string
	Value float64
}

// Circle is a reference circle of radius R about (CX, CY), in data units;
// it is drawn as an ellipse when the axes have different scales.
type Circle struct {
	Label     string
	Color     string
	Dash      string
	CX, CY, R float64
}

// Panel is one plot: axes, data and legend.
type Panel struct {
	Title          string
	XLabel, YLabel string // axis titles with units, such as "Re λ (1/τ)"
	// LogY makes the y axis logarithmic (base 10): y values ≤ 0 are left
	// out, and the ticks are powers of ten.
	LogY bool
	// Equal makes one data unit as long on x as on y, widening the range
	// that is narrower for its size.
	Equal bool
	// XMin … YMax fix the range; when XMin ≥ XMax (or YMin ≥ YMax, as
	// for the zero value) that axis is fitted to the data with a margin of
	// 5 %. With LogY, YMin and YMax are data values (not logarithms).
	XMin, XMax, YMin, YMax float64
	Height                 float64 // height of the plot area in px (360 when 0)

	Lines   []Line
	Points  []Points
	HLines  []Ref
	VLines  []Ref
	Circles []Circle
	// Notes are lines of text under the legend.
	Notes []string
}

// Figure is a set of panels stacked vertically, with a title.
type Figure struct {
	Title  string
	Width  float64 // px (720 when 0)
	Panels []*Panel
}

// ErrEmpty is returned by Encode for a figure without panels.
var ErrEmpty = errors.New("svg: figure has no panels")

// Layout constants, in px.
const (
	svgMarginLeft   = 78  // room for y tick labels and the y title
	svgLegendWidth  = 210 // legend column on the right
	svgPanelTop     = 30  // panel title
	svgPanelBottom  = 58  // x tick labels and the x title
	svgFigureTitle  = 34  // figure title
	svgFontSize     = 13  // tick labels and legend
	svgTitleSize    = 15  // titles
	svgDefaultWidth = 720
	svgDefaultPlotH = 360
)

// Encode writes the figure as a standalone SVG document to w.
func (f *Figure) Encode(w io.Writer) error {
	if len(f.Panels) == 0 {
		return ErrEmpty
	}
	width := f.Width
	if !(width > 0) || math.IsInf(width, 0) {
		width = svgDefaultWidth
	}
	width = max(width, svgMarginLeft+svgLegendWidth+120)
	height := 0.0
	if f.Title != "" {
		height += svgFigureTitle
	}
	for _, p := range f.Panels {
		height += svgPanelTop + p.plotHeight() + svgPanelBottom
	}
	e := &svgEncoder{}
	e.printf(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="%d">`+"\n",
		num(width), num(height), num(width), num(height), svgFontSize)
	e.printf(`<rect x="0" y="0" width="%s" height="%s" fill="white"/>`+"\n", num(width), num(height))
	y := 0.0
	if f.Title != "" {
		e.text(width/2, 22, "middle", svgTitleSize, "bold", f.Title)
		y = svgFigureTitle
	}
	for i, p := range f.Panels {
		h := p.plotHeight()
		box := svgBox{x: svgMarginLeft, y: y + svgPanelTop, w: width - svgMarginLeft - svgLegendWidth, h: h}
		p.encode(e, i, box)
		y += svgPanelTop + h + svgPanelBottom
	}
	e.printf("</svg>\n")
	_, err := w.Write(e.buf.Bytes())
	return err
}

func (p *Panel) plotHeight() float64 {
	if p.Height > 0 && !math.IsInf(p.Height, 0) {
		return p.Height
	}
	return svgDefaultPlotH
}

// svgBox is the plot area of a panel, in px.
type svgBox struct{ x, y, w, h float64 }

// svgMap maps data coordinates (after the log transform) to px.
type svgMap struct {
	box                    svgBox
	xmin, xmax, ymin, ymax float64
}

func (m *svgMap) px(x float64) float64 { return m.box.x + (x-m.xmin)/(m.xmax-m.xmin)*m.box.w }
func (m *svgMap) py(y float64) float64 { return m.box.y + (m.ymax-y)/(m.ymax-m.ymin)*m.box.h }

// in reports whether (x, y) lies in the range.
func (m *svgMap) in(x, y float64) bool {
	return x >= m.xmin && x <= m.xmax && y >= m.ymin && y <= m.ymax
}

// ty transforms a y value for the axis: log10 on a log axis (NaN for
// y ≤ 0).
func (p *Panel) ty(y float64) float64 {
	if !p.LogY {
		return y
	}
	if !(y > 0) {
		return math.NaN()
	}
	return math.Log10(y)
}

// dataRange returns the range of the panel in axis coordinates.
func (p *Panel) dataRange(box svgBox) (xmin, xmax, ymin, ymax float64) {
	var xs, ys []float64
	add := func(x, y float64) {
		xs, ys = append(xs, x), append(ys, p.ty(y))
	}
	for _, l := range p.Lines {
		for i := range min(len(l.X), len(l.Y)) {
			add(l.X[i], l.Y[i])
		}
	}
	for _, s := range p.Points {
		for i := range min(len(s.X), len(s.Y)) {
			add(s.X[i], s.Y[i])
		}
	}
	for _, c := range p.Circles {
		if svgFinite(c.CX) && svgFinite(c.CY) && svgFinite(c.R) {
			add(c.CX-c.R, c.CY-c.R)
			add(c.CX+c.R, c.CY+c.R)
		}
	}
	// A reference line is brought into view on its own axis only.
	var refX, refY []float64
	for _, r := range p.VLines {
		refX = append(refX, r.Value)
	}
	for _, r := range p.HLines {
		refY = append(refY, p.ty(r.Value))
	}
	ax, bx, ay, by := plot.AutoRange(xs, ys, 0)
	if len(xs) == 0 || !svgAnyFinite(xs, ys) {
		ax, bx, ay, by = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	}
	for _, v := range refX {
		if svgFinite(v) {
			ax, bx = min(ax, v), max(bx, v)
		}
	}
	for _, v := range refY {
		if svgFinite(v) {
			ay, by = min(ay, v), max(by, v)
		}
	}
	if ax > bx {
		ax, bx = -1, 1
	}
	if ay > by {
		ay, by = -1, 1
	}
	ax, bx, ay, by = plot.AutoRange([]float64{ax, bx}, []float64{ay, by}, 0.05)
	if p.XMin < p.XMax && svgFinite(p.XMin) && svgFinite(p.XMax) {
		ax, bx = p.XMin, p.XMax
	}
	if lo, hi := p.ty(p.YMin), p.ty(p.YMax); lo < hi && svgFinite(lo) && svgFinite(hi) {
		ay, by = lo, hi
	}
	if p.Equal {
		// Units per px equal on both axes: widen the narrower span.
		sx, sy := (bx-ax)/box.w, (by-ay)/box.h
		if sx > sy {
			c, half := (ay+by)/2, sx*box.h/2
			ay, by = c-half, c+half
		} else {
			c, half := (ax+bx)/2, sy*box.w/2
			ax, bx = c-half, c+half
		}
	}
	return ax, bx, ay, by
}

func svgAnyFinite(xs, ys []float64) bool {
	for i := range xs {
		if svgFinite(xs[i]) && svgFinite(ys[i]) {
			return true
		}
	}
	return false
}

// encode writes panel number idx into box.
func (p *Panel) encode(e *svgEncoder, idx int, box svgBox) {
	xmin, xmax, ymin, ymax := p.dataRange(box)
	m := &svgMap{box: box, xmin: xmin, xmax: xmax, ymin: ymin, ymax: ymax}
	clip := fmt.Sprintf("plot%d", idx)
	e.printf(`<g class="panel">` + "\n")
	if p.Title != "" {
		e.text(box.x+box.w/2, box.y-10, "middle", svgTitleSize, "bold", p.Title)
	}
	e.printf(`<defs><clipPath id="%s"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath></defs>`+"\n",
		clip, num(box.x), num(box.y), num(box.w), num(box.h))
	p.encodeAxes(e, m)

	hidden := 0
	e.printf(`<g clip-path="url(#%s)">`+"\n", clip)
	for _, r := range p.VLines {
		if v := r.Value; svgFinite(v) && v >= xmin && v <= xmax {
			e.printf(`<line class="ref" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.2"%s/>`+"\n",
				num(m.px(v)), num(box.y), num(m.px(v)), num(box.y+box.h), attr(r.Color, "#555"), dashAttr(r.Dash))
		}
	}
	for _, r := range p.HLines {
		if v := p.ty(r.Value); svgFinite(v) && v >= ymin && v <= ymax {
			e.printf(`<line class="ref" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.2"%s/>`+"\n",
				num(box.x), num(m.py(v)), num(box.x+box.w), num(m.py(v)), attr(r.Color, "#555"), dashAttr(r.Dash))
		}
	}
	for _, c := range p.Circles {
		if !p.LogY && svgFinite(c.CX) && svgFinite(c.CY) && svgFinite(c.R) && c.R > 0 {
			rx, ry := c.R/(xmax-xmin)*box.w, c.R/(ymax-ymin)*box.h
			if rx < 1e6 && ry < 1e6 {
				e.printf(`<ellipse class="ref" cx="%s" cy="%s" rx="%s" ry="%s" fill="none" stroke="%s" stroke-width="1.2"%s/>`+"\n",
					num(m.px(c.CX)), num(m.py(c.CY)), num(rx), num(ry), attr(c.Color, "#555"), dashAttr(c.Dash))
			}
		}
	}
	for _, l := range p.Lines {
		hidden += p.encodeLine(e, m, &l)
	}
	for _, s := range p.Points {
		hidden += p.encodePoints(e, m, &s)
	}
	e.printf("</g>\n")
	p.encodeLegend(e, box, hidden)
	e.printf("</g>\n")
}

// encodeAxes draws the frame, the ticks with their labels and the axis
// titles.
func (p *Panel) encodeAxes(e *svgEncoder, m *svgMap) {
	box := m.box
	e.printf(`<rect class="frame" x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#222" stroke-width="1"/>`+"\n",
		num(box.x), num(box.y), num(box.w), num(box.h))
	xt := plot.NiceTicks(m.xmin, m.xmax, max(3, int(box.w/90)))
	step := plot.NiceStep(m.xmin, m.xmax, max(3, int(box.w/90)))
	for _, v := range xt {
		x := m.px(v)
		e.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#222"/>`+"\n", num(x), num(box.y+box.h), num(x), num(box.y+box.h+5))
		e.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd" stroke-width="0.6"/>`+"\n", num(x), num(box.y), num(x), num(box.y+box.h))
		e.text(x, box.y+box.h+19, "middle", svgFontSize, "", svgMinus(plot.FormatTick(v, step)))
	}
	var yt []float64
	var ylab []string
	if p.LogY {
		for k := math.Ceil(m.ymin); k <= m.ymax && len(yt) < 64; k++ {
			yt = append(yt, k)
			ylab = append(ylab, "10"+svgSuperscript(int(k)))
		}
		if len(yt) < 2 { // less than a decade: linear ticks of the logarithm
			yt, ylab = nil, nil
			for _, v := range plot.NiceTicks(m.ymin, m.ymax, max(3, int(box.h/45))) {
				yt = append(yt, v)
				ylab = append(ylab, svgMinus(strconv.FormatFloat(math.Pow(10, v), 'g', 3, 64)))
			}
		}
	} else {
		n := max(3, int(box.h/45))
		s := plot.NiceStep(m.ymin, m.ymax, n)
		for _, v := range plot.NiceTicks(m.ymin, m.ymax, n) {
			yt = append(yt, v)
			ylab = append(ylab, svgMinus(plot.FormatTick(v, s)))
		}
	}
	for i, v := range yt {
		y := m.py(v)
		e.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#222"/>`+"\n", num(box.x-5), num(y), num(box.x), num(y))
		e.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd" stroke-width="0.6"/>`+"\n", num(box.x), num(y), num(box.x+box.w), num(y))
		e.text(box.x-8, y+4, "end", svgFontSize, "", ylab[i])
	}
	if p.XLabel != "" {
		e.text(box.x+box.w/2, box.y+box.h+42, "middle", svgFontSize+1, "", p.XLabel)
	}
	if p.YLabel != "" {
		cx, cy := box.x-58, box.y+box.h/2
		e.printf(`<text x="%s" y="%s" text-anchor="middle" font-size="%d" transform="rotate(-90 %s %s)">%s</text>`+"\n",
			num(cx), num(cy), svgFontSize+1, num(cx), num(cy), esc(p.YLabel))
	}
}

// encodeLine draws l as polylines broken at non-finite points and clipped
// to the range; it returns the number of points left out.
func (p *Panel) encodeLine(e *svgEncoder, m *svgMap, l *Line) int {
	n := min(len(l.X), len(l.Y))
	hidden := 0
	var pts []float64 // px pairs of the current run
	flush := func() {
		if len(pts) >= 4 {
			e.printf(`<polyline fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round"%s points="`,
				attr(l.Color, "#000"), num(svgOr(l.Width, 1.5)), dashAttr(l.Dash))
			for i := 0; i < len(pts); i += 2 {
				if i > 0 {
					e.buf.WriteByte(' ')
				}
				e.buf.WriteString(num(pts[i]))
				e.buf.WriteByte(',')
				e.buf.WriteString(num(pts[i+1]))
			}
			e.printf(`"/>` + "\n")
		}
		pts = pts[:0]
	}
	for i := range n {
		x, y := l.X[i], p.ty(l.Y[i])
		if !svgFinite(x) || !svgFinite(y) {
			hidden++
			flush()
			continue
		}
		if !m.in(x, y) {
			hidden++
		}
		if i == 0 || !svgFinite(l.X[i-1]) || !svgFinite(p.ty(l.Y[i-1])) {
			continue // the first point of a run is drawn with its segment
		}
		x0, y0 := l.X[i-1], p.ty(l.Y[i-1])
		ax, ay, bx, by, ok := svgClip(x0, y0, x, y, m.xmin, m.xmax, m.ymin, m.ymax)
		if !ok {
			flush()
			continue
		}
		pa, pb := [2]float64{m.px(ax), m.py(ay)}, [2]float64{m.px(bx), m.py(by)}
		if len(pts) == 0 || pts[len(pts)-2] != pa[0] || pts[len(pts)-1] != pa[1] {
			flush()
			pts = append(pts, pa[0], pa[1])
		}
		pts = append(pts, pb[0], pb[1])
		if bx != x || by != y { // left the range: end the run
			flush()
		}
	}
	flush()
	return hidden
}

// encodePoints draws the markers in range; it returns the number left out.
func (p *Panel) encodePoints(e *svgEncoder, m *svgMap, s *Points) int {
	n := min(len(s.X), len(s.Y))
	hidden := 0
	r := svgOr(s.Size, 4)
	for i := range n {
		x, y := s.X[i], p.ty(s.Y[i])
		if !svgFinite(x) || !svgFinite(y) || !m.in(x, y) {
			hidden++
			continue
		}
		e.marker(m.px(x), m.py(y), r, s.Shape, attr(s.Color, "#000"))
	}
	return hidden
}

// encodeLegend lists the labelled items and the notes right of the plot.
func (p *Panel) encodeLegend(e *svgEncoder, box svgBox, hidden int) {
	x := box.x + box.w + 16
	y := box.y + 8
	row := func() float64 { y += 19; return y - 19 }
	for _, l := range p.Lines {
		if l.Label != "" {
			yy := row()
			e.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`+"\n",
				num(x), num(yy+5), num(x+22), num(yy+5), attr(l.Color, "#000"), num(svgOr(l.Width, 1.5)), dashAttr(l.Dash))
			e.legendText(x+30, yy+9, l.Label)
		}
	}
	for _, s := range p.Points {
		if s.Label != "" {
			yy := row()
			e.marker(x+11, yy+5, svgOr(s.Size, 4), s.Shape, attr(s.Color, "#000"))
			e.legendText(x+30, yy+9, s.Label)
		}
	}
	for _, refs := range [][]Ref{p.VLines, p.HLines} {
		for _, r := range refs {
			if r.Label != "" {
				yy := row()
				e.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.2"%s/>`+"\n",
					num(x), num(yy+5), num(x+22), num(yy+5), attr(r.Color, "#555"), dashAttr(r.Dash))
				e.legendText(x+30, yy+9, r.Label)
			}
		}
	}
	for _, c := range p.Circles {
		if c.Label != "" {
			yy := row()
			e.printf(`<circle cx="%s" cy="%s" r="7" fill="none" stroke="%s" stroke-width="1.2"%s/>`+"\n",
				num(x+11), num(yy+5), attr(c.Color, "#555"), dashAttr(c.Dash))
			e.legendText(x+30, yy+9, c.Label)
		}
	}
	notes := p.Notes
	if hidden > 0 {
		notes = append(append([]string(nil), notes...), fmt.Sprintf("%d points not shown (non-finite or off-scale)", hidden))
	}
	y += 6
	for _, n := range notes {
		for _, line := range svgWrap(n, 30) {
			e.printf(`<text class="note" x="%s" y="%s" font-size="%d" fill="#444">%s</text>`+"\n", num(x), num(y+9), svgFontSize-2, esc(line))
			y += 15
		}
		y += 5
	}
}

// svgEncoder accumulates the document.
type svgEncoder struct{ buf bytes.Buffer }

func (e *svgEncoder) printf(format string, a ...any) { fmt.Fprintf(&e.buf, format, a...) }

// text writes an escaped text element.
func (e *svgEncoder) text(x, y float64, anchor string, size int, weight, s string) {
	w := ""
	if weight != "" {
		w = ` font-weight="` + weight + `"`
	}
	e.printf(`<text x="%s" y="%s" text-anchor="%s" font-size="%d"%s>%s</text>`+"\n", num(x), num(y), anchor, size, w, esc(s))
}

func (e *svgEncoder) legendText(x, y float64, s string) {
	e.printf(`<text class="legend" x="%s" y="%s">%s</text>`+"\n", num(x), num(y), esc(s))
}

// marker draws one marker of radius r centred at (x, y) px.
func (e *svgEncoder) marker(x, y, r float64, sh Shape, col string) {
	switch sh {
	case Ring:
		e.printf(`<circle cx="%s" cy="%s" r="%s" fill="white" stroke="%s" stroke-width="1.6"/>`+"\n", num(x), num(y), num(r), col)
	case Diamond:
		e.printf(`<polygon points="%s,%s %s,%s %s,%s %s,%s" fill="%s"/>`+"\n",
			num(x), num(y-r*1.3), num(x+r), num(y), num(x), num(y+r*1.3), num(x-r), num(y), col)
	case Cross:
		e.printf(`<path d="M%s %sL%s %sM%s %sL%s %s" stroke="%s" stroke-width="1.8"/>`+"\n",
			num(x-r), num(y-r), num(x+r), num(y+r), num(x-r), num(y+r), num(x+r), num(y-r), col)
	case Triangle:
		e.printf(`<polygon points="%s,%s %s,%s %s,%s" fill="%s"/>`+"\n",
			num(x), num(y-r*1.2), num(x+r*1.1), num(y+r*0.8), num(x-r*1.1), num(y+r*0.8), col)
	case Square:
		e.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n", num(x-r*0.9), num(y-r*0.9), num(1.8*r), num(1.8*r), col)
	default:
		e.printf(`<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", num(x), num(y), num(r), col)
	}
}

// num formats a px coordinate with two decimals; a non-finite value
// (which the sanitising above never lets through) is written as 0 so that
// the document stays valid.
func num(v float64) string {
	if !svgFinite(v) {
		return "0"
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// esc escapes text for XML character data and attributes.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// attr returns an escaped attribute value, or def when s is empty.
func attr(s, def string) string {
	if s == "" {
		return def
	}
	return esc(s)
}

func dashAttr(d string) string {
	if d == "" {
		return ""
	}
	return ` stroke-dasharray="` + esc(d) + `"`
}

func svgOr(v, def float64) float64 {
	if v > 0 && svgFinite(v) {
		return v
	}
	return def
}

func svgFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// svgMinus writes a typographic minus sign for a leading '-'.
func svgMinus(s string) string {
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	return s
}

// svgSuperscript writes k with Unicode superscript digits.
func svgSuperscript(k int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	s := strconv.Itoa(k)
	var b strings.Builder
	for _, r := range s {
		if r == '-' {
			b.WriteRune('⁻')
			continue
		}
		b.WriteRune(sup[r-'0'])
	}
	return b.String()
}

// svgWrap breaks s into lines of at most about n runes at spaces.
func svgWrap(s string, n int) []string {
	var lines []string
	var cur []rune
	for _, w := range strings.Fields(s) {
		rw := []rune(w)
		if len(cur) > 0 && len(cur)+1+len(rw) > n {
			lines = append(lines, string(cur))
			cur = cur[:0]
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, rw...)
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// svgClip clips the segment (x0, y0)–(x1, y1) to the rectangle by the
// Liang–Barsky algorithm; ok is false when nothing of it is inside.
func svgClip(x0, y0, x1, y1, xmin, xmax, ymin, ymax float64) (ax, ay, bx, by float64, ok bool) {
	dx, dy := x1-x0, y1-y0
	t0, t1 := 0.0, 1.0
	for _, c := range [4][2]float64{{-dx, x0 - xmin}, {dx, xmax - x0}, {-dy, y0 - ymin}, {dy, ymax - y0}} {
		pp, q := c[0], c[1]
		if !svgFinite(pp) || !svgFinite(q) {
			return 0, 0, 0, 0, false
		}
		if pp == 0 {
			if q < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		r := q / pp
		if pp < 0 {
			if r > t1 {
				return 0, 0, 0, 0, false
			}
			t0 = max(t0, r)
		} else {
			if r < t0 {
				return 0, 0, 0, 0, false
			}
			t1 = min(t1, r)
		}
	}
	ax, ay, bx, by = x0+t0*dx, y0+t0*dy, x0+t1*dx, y0+t1*dy
	if t0 == 0 {
		ax, ay = x0, y0
	}
	if t1 == 1 {
		bx, by = x1, y1
	}
	// Rounding can leave an end a hair outside; pull it in.
	ax, bx = min(max(ax, xmin), xmax), min(max(bx, xmin), xmax)
	ay, by = min(max(ay, ymin), ymax), min(max(by, ymin), ymax)
	return ax, ay, bx, by, true
}
