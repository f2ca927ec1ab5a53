// Package figure describes publication-style figures (panels of lines,
// markers, reference lines and circles, and heat maps, with axis titles,
// a legend and notes) and writes them as SVG, PNG or PDF with
// gonum.org/v1/plot.
//
// Data are sanitised before they reach the renderer: points with a NaN or
// infinite coordinate, or outside the panel's range, are left out and
// counted (a note under the legend says how many), lines are broken at
// non-finite points and clipped to the range in data space (Liang–Barsky),
// so that no far outlier or NaN reaches the drawing code. Ranges come from
// the finite data unless set.
//
// A Figure is drawn with [Figure.Write], or written atomically to a file
// whose extension names the format with [WriteFile].
package figure

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"attractor/saved"
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
	Color string  // "#RRGGBB", such as "#0072B2"
	Width float64 // stroke width in px (1.5 when 0)
	Dash  string  // dash pattern in px, such as "4 3"; empty for solid
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

// Heat is a heat map: cell (i, j) is centred on (X[j], Y[i]) and coloured
// by Z[i*len(X)+j]; cells reach halfway to their neighbours. A NaN cell is
// grey. The colour bar is drawn beside the legend.
type Heat struct {
	X, Y []float64 // column and row centres, increasing
	Z    []float64 // row-major, len(X)·len(Y) values
	// Min and Max are the ends of the colour scale; values outside take
	// the end colours.
	Min, Max float64
	// Signed selects a diverging scale (red below the middle, white,
	// blue above); otherwise white to dark blue.
	Signed bool
	// Label titles the colour bar.
	Label string
	// Values writes each finite cell's value in it, with Format (a
	// fmt verb for a float64; "%.2f" when empty): dark text on light
	// cells, white on dark ones.
	Values bool
	Format string
}

// Bar is one horizontal bar of a bar chart: from 0 to Value, with Label
// beside the y axis and Text right of the bar's end.
type Bar struct {
	Label string
	Value float64
	Color string // "#RRGGBB"; a palette colour by position when empty
	Text  string
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
	// Ranges are kept within ±1e100 (1e±300 on a log axis) and at least
	// 1e-9 of their magnitude wide.
	XMin, XMax, YMin, YMax float64
	Height                 float64 // height of the plot area in px (360 when 0)

	// XTicks and YTicks, when set, make an axis categorical: it shows
	// label i at i (0, 1, …) instead of numbers. A heat map over
	// categories has X or Y 0, 1, ….
	XTicks, YTicks []string

	Heat *Heat // drawn under everything else
	// Bars are horizontal bars, the first at the top (y = len(Bars)−1,
	// the last at y = 0), labelled on the y axis.
	Bars    []Bar
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

// Format is a file format a figure is written in.
type Format string

// The formats of [Figure.Write].
const (
	SVG Format = "svg"
	PNG Format = "png" // at 2 pixels per px of the figure, for print
	PDF Format = "pdf"
)

// ErrEmpty is returned by Write for a figure without panels.
var ErrEmpty = errors.New("figure has no panels")

// FormatOf returns the format a file name's extension names: .svg, .png or
// .pdf (in any case).
func FormatOf(name string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".svg":
		return SVG, nil
	case ".png":
		return PNG, nil
	case ".pdf":
		return PDF, nil
	default:
		return "", fmt.Errorf("%s: unknown figure format %q: name it .svg, .png or .pdf", name, ext)
	}
}

// WriteFile writes f to the file name in the format its extension names,
// atomically: a temporary file beside it, synced, then renamed, so that an
// error leaves the old file (or none).
func WriteFile(name string, f *Figure) error {
	format, err := FormatOf(name)
	if err != nil {
		return err
	}
	return saved.WriteFileAtomic(name, func(w io.Writer) error { return f.Write(w, format) }, 0o644)
}

// Write draws f in the given format to w.
func (f *Figure) Write(w io.Writer, format Format) error {
	if len(f.Panels) == 0 {
		return ErrEmpty
	}
	c, err := f.render(format)
	if err != nil {
		return err
	}
	_, err = c.WriteTo(w)
	return err
}

func (p *Panel) plotHeight() float64 {
	if p.Height > 0 && !math.IsInf(p.Height, 0) {
		return p.Height
	}
	return defaultPlotH
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

// dataRange returns the range of the panel in axis coordinates (log10 y
// on a log axis) for a data area of w × h.
func (p *Panel) dataRange(w, h float64) (xmin, xmax, ymin, ymax float64) {
	ax, bx := math.Inf(1), math.Inf(-1)
	ay, by := math.Inf(1), math.Inf(-1)
	add := func(x, y float64) {
		y = p.ty(y)
		if finite(x) && finite(y) {
			ax, bx, ay, by = min(ax, x), max(bx, x), min(ay, y), max(by, y)
		}
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
		if finite(c.CX) && finite(c.CY) && finite(c.R) {
			add(c.CX-c.R, c.CY-c.R)
			add(c.CX+c.R, c.CY+c.R)
		}
	}
	heatX, heatY := false, false
	if n := len(p.Bars); n > 0 {
		add(0, -0.5)
		add(0, float64(n)-0.5)
		for _, b := range p.Bars {
			add(b.Value, 0)
		}
		heatY = true // the bars fill the y range
	}
	if hm := p.Heat; hm != nil {
		xe, ye := cellEdges(hm.X), cellEdges(hm.Y)
		if len(xe) > 0 && len(ye) > 0 {
			add(xe[0], ye[0])
			add(xe[len(xe)-1], ye[len(ye)-1])
			heatX, heatY = true, true
		}
	}
	// A reference line is brought into view on its own axis only.
	for _, r := range p.VLines {
		if finite(r.Value) {
			ax, bx = min(ax, r.Value), max(bx, r.Value)
		}
	}
	for _, r := range p.HLines {
		if v := p.ty(r.Value); finite(v) {
			ay, by = min(ay, v), max(by, v)
		}
	}
	if ax > bx {
		ax, bx = -1, 1
	}
	if ay > by {
		ay, by = -1, 1
	}
	// A margin of 5 % (none around a heat map, whose cells fill it), and
	// a width of at least 1 around a single value.
	pad := func(lo, hi float64, margin bool) (float64, float64) {
		if hi-lo < 1e-300 || !finite(hi-lo) {
			c := (lo + hi) / 2
			if !finite(c) {
				c = 0
			}
			return c - 1, c + 1
		}
		if margin {
			d := 0.05 * (hi - lo)
			return lo - d, hi + d
		}
		return lo, hi
	}
	ax, bx = pad(ax, bx, !heatX)
	ay, by = pad(ay, by, !heatY)
	if p.XMin < p.XMax && finite(p.XMin) && finite(p.XMax) {
		ax, bx = p.XMin, p.XMax
	}
	if lo, hi := p.ty(p.YMin), p.ty(p.YMax); lo < hi && finite(lo) && finite(hi) {
		ay, by = lo, hi
	}
	if p.Equal && w > 0 && h > 0 {
		// Units per px equal on both axes: widen the narrower span.
		sx, sy := (bx-ax)/w, (by-ay)/h
		if sx > sy {
			c, half := (ay+by)/2, sx*h/2
			ay, by = c-half, c+half
		} else {
			c, half := (ax+bx)/2, sy*w/2
			ax, bx = c-half, c+half
		}
	}
	ax, bx = saneRange(ax, bx, maxAxis)
	if p.LogY {
		ay, by = saneRange(ay, by, maxLogAxis)
	} else {
		ay, by = saneRange(ay, by, maxAxis)
	}
	return ax, bx, ay, by
}

// Bounds of an axis range: beyond them the axes' tick arithmetic overflows
// (a span of 2e308 is +Inf) or the ticks of a span too narrow for float64
// never end. Data outside the range are left out and counted.
const (
	maxAxis    = 1e100 // |value| on a linear axis
	maxLogAxis = 300   // |exponent| on a logarithmic axis
	minSpan    = 1e-9  // span relative to the larger end
)

// saneRange clamps lo and hi to ±limit and widens a span narrower than
// minSpan of their magnitude (or than 1e-200) about its middle.
func saneRange(lo, hi, limit float64) (float64, float64) {
	lo, hi = max(lo, -limit), min(hi, limit)
	if !(hi > lo) {
		c := (lo + hi) / 2
		if !finite(c) {
			c = 0
		}
		lo, hi = c-1, c+1
	}
	if span := max(minSpan*max(math.Abs(lo), math.Abs(hi)), 1e-200); hi-lo < span {
		c := lo/2 + hi/2
		lo, hi = c-span/2, c+span/2
	}
	return lo, hi
}

// cellEdges returns the edges of cells centred on the increasing values
// cs: halfway between neighbours, and as far out at the ends (±0.5 for a
// single value). It returns nil unless cs is finite and increasing.
func cellEdges(cs []float64) []float64 {
	n := len(cs)
	if n == 0 {
		return nil
	}
	for i, v := range cs {
		if !finite(v) || (i > 0 && !(v > cs[i-1])) {
			return nil
		}
	}
	if n == 1 {
		return []float64{cs[0] - 0.5, cs[0] + 0.5}
	}
	e := make([]float64, n+1)
	for i := 1; i < n; i++ {
		e[i] = (cs[i-1] + cs[i]) / 2
	}
	e[0] = cs[0] - (e[1] - cs[0])
	e[n] = cs[n-1] + (cs[n-1] - e[n-1])
	return e
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func or(v, def float64) float64 {
	if v > 0 && finite(v) {
		return v
	}
	return def
}

// clean removes control characters (escape sequences of a hostile file
// name, say) from text for the figure.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// wrap breaks s into lines of at most about n runes at spaces.
func wrap(s string, n int) []string {
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

// clip clips the segment (x0, y0)–(x1, y1) to the rectangle by the
// Liang–Barsky algorithm; ok is false when nothing of it is inside.
func clip(x0, y0, x1, y1, xmin, xmax, ymin, ymax float64) (ax, ay, bx, by float64, ok bool) {
	dx, dy := x1-x0, y1-y0
	t0, t1 := 0.0, 1.0
	for _, c := range [4][2]float64{{-dx, x0 - xmin}, {dx, xmax - x0}, {-dy, y0 - ymin}, {dy, ymax - y0}} {
		pp, q := c[0], c[1]
		if !finite(pp) || !finite(q) {
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
