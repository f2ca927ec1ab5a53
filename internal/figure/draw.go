package figure

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Layout, in px (one px is drawn as one PostScript point; PNG at 144 dpi
// has two pixels per px).
const (
	defaultWidth = 720
	defaultPlotH = 360
	legendWidth  = 220 // legend column right of the plots
	titleHeight  = 34  // figure title
	panelExtra   = 92  // panel title, x tick labels and x title around the plot area
	pngDPI       = 144
	maxPNGBytes  = 256 << 20 // RGBA pixels of a PNG figure
	fontSize     = 11
	titleSize    = 13
)

// sans is the typeface of every text: Liberation Sans, embedded by
// gonum.org/v1/plot (Greek, arrows and math signs included).
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size float64) text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, vg.Length(size)), Handler: plot.DefaultTextHandler}
}

// render draws f on a new canvas of the format.
func (f *Figure) render(format Format) (vg.CanvasWriterTo, error) {
	width := or(f.Width, defaultWidth)
	width = min(max(width, legendWidth+240), 20000)
	height := 0.0
	if f.Title != "" {
		height += titleHeight
	}
	for _, p := range f.Panels {
		height += p.plotHeight() + panelExtra
	}
	height = min(height, 50000)
	w, h := vg.Length(width), vg.Length(height)
	var c vg.CanvasWriterTo
	switch format {
	case SVG:
		c = vgsvg.New(w, h)
	case PNG:
		// Two pixels per px, fewer for a figure that would take more
		// than maxPNGBytes of memory.
		dpi := pngDPI
		for dpi > 18 && width*height*float64(dpi*dpi)/(72*72)*4 > maxPNGBytes {
			dpi /= 2
		}
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))}
	case PDF:
		c = outlinedText{vgpdf.New(w, h)}
	default:
		return nil, fmt.Errorf("unknown figure format %q: want svg, png or pdf", format)
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	top := h
	if f.Title != "" {
		st := textStyle(titleSize + 1)
		st.XAlign, st.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(st, vg.Point{X: w / 2, Y: top - titleHeight/2}, clean(f.Title))
		top -= titleHeight
	}
	for _, p := range f.Panels {
		ph := vg.Length(p.plotHeight() + panelExtra)
		area := vg.Rectangle{Min: vg.Point{X: 8, Y: top - ph + 14}, Max: vg.Point{X: w - legendWidth, Y: top - 12}}
		leg := vg.Rectangle{Min: vg.Point{X: w - legendWidth + 14, Y: top - ph}, Max: vg.Point{X: w - 6, Y: top - 30}}
		p.draw(dc, area, leg)
		top -= ph
	}
	return c, nil
}

// draw draws the panel's plot into area and its legend, colour bar and
// notes into leg.
func (p *Panel) draw(dc draw.Canvas, area, leg vg.Rectangle) {
	pl := plot.New()
	pl.BackgroundColor = nil
	pl.Title.Text = clean(p.Title)
	pl.Title.TextStyle = textStyle(titleSize)
	pl.Title.Padding = 8
	pl.X.Label.Text, pl.Y.Label.Text = clean(p.XLabel), clean(p.YLabel)
	for _, ax := range []*plot.Axis{&pl.X, &pl.Y} {
		ax.Label.TextStyle.Font = font.From(sans, fontSize+1)
		ax.Tick.Label.Font = font.From(sans, fontSize)
		ax.Padding = 0
	}
	pl.X.Tick.Marker = typographic{plot.DefaultTicks{}}
	pl.Y.Tick.Marker = typographic{plot.DefaultTicks{}}
	if len(p.XTicks) > 0 {
		pl.X.Tick.Marker = categories(p.XTicks)
	}
	if len(p.YTicks) > 0 {
		pl.Y.Tick.Marker = categories(p.YTicks)
	}
	if len(p.Bars) > 0 {
		labels := make([]string, len(p.Bars))
		for i, b := range p.Bars {
			labels[len(p.Bars)-1-i] = b.Label
		}
		pl.Y.Tick.Marker = categories(labels)
	}
	if p.LogY {
		pl.Y.Scale = plot.LogScale{}
		pl.Y.Tick.Marker = typographic{plot.LogTicks{Prec: -1}}
		// Liberation Sans has no superscript 0, 9 or minus: the
		// exponents of the decades are set small and raised.
		pl.Y.Tick.Label.Handler = powers{text.Plain{Fonts: font.DefaultCache}}
	}
	c := draw.Canvas{Canvas: dc.Canvas, Rectangle: area}
	r := p.axisRange(pl, c)
	legend := plot.NewLegend()
	legend.TextStyle = textStyle(fontSize)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = 22
	legend.Padding = 5
	hidden := p.addPlotters(pl, &legend, r)
	r.set(pl)
	pl.Draw(c)

	lc := draw.Canvas{Canvas: dc.Canvas, Rectangle: leg}
	y := leg.Max.Y
	if lr := legend.Rectangle(lc); lr.Size().Y > 0 {
		legend.Draw(lc)
		y = lr.Min.Y - 10
	}
	if p.Heat != nil {
		y = p.Heat.drawBar(lc, y) - 10
	}
	notes := p.Notes
	if hidden > 0 {
		notes = append(append([]string(nil), notes...), fmt.Sprintf("%d points not shown (non-finite or off-scale)", hidden))
	}
	st := textStyle(fontSize - 1)
	st.Color = color.Gray{Y: 0x44}
	st.YAlign = draw.YTop
	lineH := st.FontExtents().Height * 1.15
	for _, n := range notes {
		for _, line := range wrap(clean(n), 34) {
			lc.FillText(st, vg.Point{X: leg.Min.X, Y: y}, line)
			y -= lineH
		}
		y -= 4
	}
}

// axisRange is a panel's range in axis coordinates (log10 y on a log
// axis).
type axisRange struct {
	xmin, xmax, ymin, ymax float64
	logY                   bool
}

// set sets the range of pl's axes.
func (r axisRange) set(pl *plot.Plot) {
	pl.X.Min, pl.X.Max = r.xmin, r.xmax
	pl.Y.Min, pl.Y.Max = r.ymin, r.ymax
	if r.logY {
		pl.Y.Min, pl.Y.Max = math.Pow(10, r.ymin), math.Pow(10, r.ymax)
	}
}

// y returns the data value of axis coordinate v.
func (r axisRange) y(v float64) float64 {
	if r.logY {
		return math.Pow(10, v)
	}
	return v
}

// axisRange fits the range to the panel's data; with Equal it measures
// the data area of c first.
func (p *Panel) axisRange(pl *plot.Plot, c draw.Canvas) axisRange {
	r := axisRange{logY: p.LogY}
	r.xmin, r.xmax, r.ymin, r.ymax = p.dataRange(0, 0)
	if p.Equal {
		r.set(pl)
		da := pl.DataCanvas(c)
		r.xmin, r.xmax, r.ymin, r.ymax = p.dataRange(float64(da.Size().X), float64(da.Size().Y))
	}
	r.set(pl)
	return r
}

// addPlotters adds the panel's data to pl and its labels to the legend,
// clipped to r; it returns the number of points left out.
func (p *Panel) addPlotters(pl *plot.Plot, legend *plot.Legend, r axisRange) (hidden int) {
	// Reference lines are drawn first (under the data) but listed after
	// it in the legend.
	var data, refs, circles []legendEntry
	defer func() {
		for _, e := range slices.Concat(data, refs, circles) {
			legend.Add(e.name, e.thumb)
		}
	}()
	if hm := p.Heat; hm != nil {
		if g, ok := hm.grid(); ok {
			h := plotter.NewHeatMap(g, hm.palette())
			h.Min, h.Max = hm.colorRange()
			h.NaN = color.Gray{Y: 0xbb}
			h.Rasterized = false
			pl.Add(h)
			if hm.Values {
				pl.Add(cellValues{hm})
			}
		}
	}
	if len(p.Bars) > 0 {
		pl.Add(bars(p.Bars))
	}
	for _, c := range p.Circles {
		if !p.LogY && finite(c.CX) && finite(c.CY) && finite(c.R) && c.R > 0 {
			const n = 180
			xs, ys := make([]float64, n+1), make([]float64, n+1)
			for k := range xs {
				a := 2 * math.Pi * float64(k) / n
				xs[k], ys[k] = c.CX+c.R*math.Cos(a), c.CY+c.R*math.Sin(a)
			}
			p.addLine(pl, &circles, r, Line{Label: c.Label, Color: c.Color, Dash: c.Dash, Width: 1.2, X: xs, Y: ys}, "#555555")
		}
	}
	for _, ref := range p.VLines {
		if v := ref.Value; finite(v) && v >= r.xmin && v <= r.xmax {
			p.addLine(pl, &refs, r, Line{Label: ref.Label, Color: ref.Color, Dash: ref.Dash, Width: 1.2,
				X: []float64{v, v}, Y: []float64{r.y(r.ymin), r.y(r.ymax)}}, "#555555")
		}
	}
	for _, ref := range p.HLines {
		if v := p.ty(ref.Value); finite(v) && v >= r.ymin && v <= r.ymax {
			p.addLine(pl, &refs, r, Line{Label: ref.Label, Color: ref.Color, Dash: ref.Dash, Width: 1.2,
				X: []float64{r.xmin, r.xmax}, Y: []float64{ref.Value, ref.Value}}, "#555555")
		}
	}
	for _, l := range p.Lines {
		hidden += p.addLine(pl, &data, r, l, "#000000")
	}
	for _, s := range p.Points {
		hidden += p.addPoints(pl, &data, r, s)
	}
	return hidden
}

// addLine adds l, broken at non-finite points and clipped to r, and
// returns the number of its points that are not finite or out of range.
func (p *Panel) addLine(pl *plot.Plot, legend *[]legendEntry, r axisRange, l Line, def string) int {
	sty := draw.LineStyle{Color: parseColor(l.Color, def), Width: vg.Length(or(l.Width, 1.5)), Dashes: parseDash(l.Dash)}
	n := min(len(l.X), len(l.Y))
	hidden := 0
	var run plotter.XYs
	flush := func() {
		if len(run) >= 2 {
			ln := &plotter.Line{XYs: run, LineStyle: sty}
			pl.Add(ln)
		}
		run = nil
	}
	in := func(x, y float64) bool { return x >= r.xmin && x <= r.xmax && y >= r.ymin && y <= r.ymax }
	for i := range n {
		x, y := l.X[i], p.ty(l.Y[i])
		if !finite(x) || !finite(y) {
			hidden++
			flush()
			continue
		}
		if !in(x, y) {
			hidden++
		}
		if i == 0 || !finite(l.X[i-1]) || !finite(p.ty(l.Y[i-1])) {
			continue // the first point of a run is drawn with its segment
		}
		ax, ay, bx, by, ok := clip(l.X[i-1], p.ty(l.Y[i-1]), x, y, r.xmin, r.xmax, r.ymin, r.ymax)
		if !ok {
			flush()
			continue
		}
		a := plotter.XY{X: ax, Y: r.y(ay)}
		if len(run) == 0 || run[len(run)-1] != a {
			flush()
			run = append(run, a)
		}
		run = append(run, plotter.XY{X: bx, Y: r.y(by)})
		if bx != x || by != y { // left the range: end the run
			flush()
		}
	}
	flush()
	if l.Label != "" {
		*legend = append(*legend, legendEntry{clean(l.Label), &plotter.Line{LineStyle: sty}})
	}
	return hidden
}

// addPoints adds the markers of s in r and returns the number left out.
func (p *Panel) addPoints(pl *plot.Plot, legend *[]legendEntry, r axisRange, s Points) int {
	gs := draw.GlyphStyle{Color: parseColor(s.Color, "#000000"), Radius: vg.Length(or(s.Size, 4)), Shape: glyph(s.Shape)}
	n := min(len(s.X), len(s.Y))
	hidden := 0
	var xys plotter.XYs
	for i := range n {
		x, y := s.X[i], p.ty(s.Y[i])
		if !finite(x) || !finite(y) || x < r.xmin || x > r.xmax || y < r.ymin || y > r.ymax {
			hidden++
			continue
		}
		xys = append(xys, plotter.XY{X: x, Y: r.y(y)})
	}
	sc := &plotter.Scatter{XYs: xys, GlyphStyle: gs}
	if len(xys) > 0 {
		// Added without its glyph boxes, so that markers do not shrink the
		// data area (an Equal panel keeps its aspect).
		pl.Add(markers{sc})
	}
	if s.Label != "" {
		*legend = append(*legend, legendEntry{clean(s.Label), sc})
	}
	return hidden
}

// typographic labels a ticker's ticks with a minus sign (−1, not -1) and
// the decades of a logarithmic axis as powers of ten ("10^−2" for the
// powers handler, drawn 10⁻²; not 0.01).
type typographic struct{ plot.Ticker }

func (t typographic) Ticks(min, max float64) []plot.Tick {
	ts := t.Ticker.Ticks(min, max)
	_, log := t.Ticker.(plot.LogTicks)
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		if log {
			if k := math.Round(math.Log10(ts[i].Value)); math.Abs(ts[i].Value/math.Pow(10, k)-1) < 1e-9 {
				ts[i].Label = "10^" + strings.Replace(strconv.Itoa(int(k)), "-", "−", 1)
				continue
			}
		}
		if rest, ok := strings.CutPrefix(ts[i].Label, "-"); ok {
			ts[i].Label = "−" + rest
		}
	}
	return ts
}

// powers is a text handler that draws "B^E" as B with the exponent E
// small and raised; other text as plain.
type powers struct{ text.Plain }

const (
	powerScale = 0.7  // exponent size, of the font size
	powerRaise = 0.45 // exponent baseline above the base's, of the font size
)

func (h powers) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	base, exp, ok := strings.Cut(txt, "^")
	if !ok {
		return h.Plain.Box(txt, fnt)
	}
	face := h.Fonts.Lookup(fnt, fnt.Size)
	small := h.Fonts.Lookup(fnt, fnt.Size*powerScale)
	ext := face.Extents()
	return face.Width(base) + small.Width(exp), ext.Ascent + fnt.Size*powerRaise*0.5, ext.Descent
}

func (h powers) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	base, exp, ok := strings.Cut(txt, "^")
	if !ok || sty.Rotation != 0 {
		h.Plain.Draw(c, txt, sty, pt)
		return
	}
	face := h.Fonts.Lookup(sty.Font, sty.Font.Size)
	small := h.Fonts.Lookup(sty.Font, sty.Font.Size*powerScale)
	c.SetColor(sty.Color)
	w := face.Width(base) + small.Width(exp)
	pt.Y += sty.Height(txt)*vg.Length(sty.YAlign) - face.Extents().Ascent + sty.Font.Size
	pt.X += vg.Length(sty.XAlign) * w
	c.FillString(face, pt, base)
	c.FillString(small, vg.Point{X: pt.X + face.Width(base), Y: pt.Y + sty.Font.Size*powerRaise}, exp)
}

// legendEntry is a line of the legend.
type legendEntry struct {
	name  string
	thumb plot.Thumbnailer
}

// markers is a scatter plotter without glyph boxes.
type markers struct{ s *plotter.Scatter }

func (m markers) Plot(c draw.Canvas, pl *plot.Plot) { m.s.Plot(c, pl) }

// glyph returns the glyph of a shape.
func glyph(s Shape) draw.GlyphDrawer {
	switch s {
	case Ring:
		return draw.RingGlyph{}
	case Diamond:
		return diamondGlyph{}
	case Cross:
		return draw.CrossGlyph{}
	case Triangle:
		return draw.PyramidGlyph{}
	case Square:
		return draw.BoxGlyph{}
	default:
		return draw.CircleGlyph{}
	}
}

// diamondGlyph is a filled diamond.
type diamondGlyph struct{}

func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(sty.Color)
	r := sty.Radius * 1.2
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Line(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r, Y: pt.Y})
	p.Close()
	c.Fill(p)
}

// parseColor reads "#RRGGBB" (or "#RGB"), def when s is empty or not such
// a colour.
func parseColor(s, def string) color.Color {
	for _, v := range []string{s, def} {
		v = strings.TrimPrefix(v, "#")
		if len(v) == 3 {
			v = string([]byte{v[0], v[0], v[1], v[1], v[2], v[2]})
		}
		if len(v) != 6 {
			continue
		}
		n, err := strconv.ParseUint(v, 16, 32)
		if err != nil {
			continue
		}
		return color.RGBA{R: uint8(n >> 16), G: uint8(n >> 8), B: uint8(n), A: 0xff}
	}
	return color.Black
}

// parseDash reads a dash pattern "4 3" (px); nil for solid or malformed.
func parseDash(s string) []vg.Length {
	var out []vg.Length
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !(v > 0) || v > 1000 {
			return nil
		}
		out = append(out, vg.Length(v))
	}
	return out
}

// heatGrid is a Heat as a plotter.GridXYZ.
type heatGrid struct{ h *Heat }

func (g heatGrid) Dims() (c, r int)   { return len(g.h.X), len(g.h.Y) }
func (g heatGrid) Z(c, r int) float64 { return g.h.Z[r*len(g.h.X)+c] }
func (g heatGrid) X(c int) float64    { return g.h.X[c] }
func (g heatGrid) Y(r int) float64    { return g.h.Y[r] }

// grid returns h as a grid, and false when its axes are not finite and
// increasing or Z has the wrong length.
func (h *Heat) grid() (heatGrid, bool) {
	ok := cellEdges(h.X) != nil && cellEdges(h.Y) != nil && len(h.Z) == len(h.X)*len(h.Y)
	return heatGrid{h}, ok
}

// colorRange returns the ends of the colour scale: Min and Max, or [0, 1]
// ([−1, 1] signed) when they are not an increasing finite pair.
func (h *Heat) colorRange() (lo, hi float64) {
	if finite(h.Min) && finite(h.Max) && h.Min < h.Max {
		return h.Min, h.Max
	}
	if h.Signed {
		return -1, 1
	}
	return 0, 1
}

// heatColor maps t in [0, 1] to a colour: white to dark blue, or for a
// signed scale red (0), white (0.5), blue (1).
func (h *Heat) color(t float64) color.Color {
	t = math.Max(0, math.Min(1, t))
	lerp := func(a, b [3]float64, t float64) color.Color {
		return color.RGBA{R: uint8(math.Round(a[0] + (b[0]-a[0])*t)), G: uint8(math.Round(a[1] + (b[1]-a[1])*t)),
			B: uint8(math.Round(a[2] + (b[2]-a[2])*t)), A: 0xff}
	}
	white := [3]float64{255, 255, 255}
	if !h.Signed {
		return lerp(white, [3]float64{8, 48, 107}, t)
	}
	if t < 0.5 {
		return lerp(white, [3]float64{178, 24, 43}, 1-2*t)
	}
	return lerp(white, [3]float64{33, 102, 172}, 2*t-1)
}

// heatPalette is the heat map's palette of 256 colours.
type heatPalette []color.Color

func (p heatPalette) Colors() []color.Color { return p }

func (h *Heat) palette() heatPalette {
	p := make(heatPalette, 256)
	for i := range p {
		p[i] = h.color(float64(i) / 255)
	}
	return p
}

// drawBar draws the colour bar with its title at the top of c, from y
// down, and returns the y below it.
func (h *Heat) drawBar(c draw.Canvas, y vg.Length) vg.Length {
	st := textStyle(fontSize)
	st.YAlign = draw.YTop
	if h.Label != "" {
		c.FillText(st, vg.Point{X: c.Min.X, Y: y}, clean(h.Label))
		y -= st.FontExtents().Height * 1.4
	}
	const steps, barW, barH = 64, 14, 150
	lo, hi := h.colorRange()
	x := c.Min.X + 4
	for k := 0; k < steps; k++ {
		y0 := y - barH + vg.Length(k)*barH/steps
		c.SetColor(h.color((float64(k) + 0.5) / steps))
		c.Fill(vg.Rectangle{Min: vg.Point{X: x, Y: y0}, Max: vg.Point{X: x + barW, Y: y0 + barH/steps + 0.6}}.Path())
	}
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.8})
	c.Stroke(vg.Rectangle{Min: vg.Point{X: x, Y: y - barH}, Max: vg.Point{X: x + barW, Y: y}}.Path())
	st.YAlign = draw.YCenter
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		yy := y - barH + vg.Length((v-lo)/(hi-lo))*barH
		c.FillText(st, vg.Point{X: x + barW + 5, Y: yy}, strconv.FormatFloat(v, 'g', 3, 64))
	}
	return y - barH
}

// outlinedText is a PDF canvas that draws text as glyph outlines.
// gonum.org/v1/plot's PDF canvas embeds fonts in the Windows-1252
// encoding, which has no Greek letters (λ, μ, τ) nor math signs (≥, −);
// outlines need no encoding and look the same in every viewer.
type outlinedText struct{ *vgpdf.Canvas }

// FillString draws s with its baseline starting at pt.
func (c outlinedText) FillString(f font.Face, pt vg.Point, s string) {
	if f.Face == nil || !(f.Font.Size > 0) {
		return
	}
	var buf sfnt.Buffer
	ppem := fixed.Int26_6(f.Font.Size * 64)
	x := pt.X
	var prev sfnt.GlyphIndex
	for _, r := range s {
		gi, err := f.Face.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			gi, _ = f.Face.GlyphIndex(&buf, '?')
		}
		if prev != 0 {
			if k, err := f.Face.Kern(&buf, prev, gi, ppem, xfont.HintingNone); err == nil {
				x += vg.Length(k) / 64
			}
		}
		prev = gi
		segs, err := f.Face.LoadGlyph(&buf, gi, ppem, nil)
		if err == nil && len(segs) > 0 {
			at := func(q fixed.Point26_6) vg.Point {
				return vg.Point{X: x + vg.Length(q.X)/64, Y: pt.Y - vg.Length(q.Y)/64}
			}
			var p vg.Path
			for _, sg := range segs {
				switch sg.Op {
				case sfnt.SegmentOpMoveTo:
					if len(p) > 0 {
						p.Close()
					}
					p.Move(at(sg.Args[0]))
				case sfnt.SegmentOpLineTo:
					p.Line(at(sg.Args[0]))
				case sfnt.SegmentOpQuadTo:
					p.QuadTo(at(sg.Args[0]), at(sg.Args[1]))
				case sfnt.SegmentOpCubeTo:
					p.CubeTo(at(sg.Args[0]), at(sg.Args[1]), at(sg.Args[2]))
				}
			}
			p.Close()
			c.Fill(p)
		}
		if adv, err := f.Face.GlyphAdvance(&buf, gi, ppem, xfont.HintingNone); err == nil {
			x += vg.Length(adv) / 64
		}
	}
}

// categories labels the positions 0, 1, … of a categorical axis.
func categories(labels []string) plot.ConstantTicks {
	ts := make(plot.ConstantTicks, len(labels))
	for i, l := range labels {
		ts[i] = plot.Tick{Value: float64(i), Label: clean(l)}
	}
	return ts
}

// cellValues writes the value of every finite cell of a heat map in it.
type cellValues struct{ h *Heat }

func (v cellValues) Plot(c draw.Canvas, pl *plot.Plot) {
	trX, trY := pl.Transforms(&c)
	lo, hi := v.h.colorRange()
	format := v.h.Format
	if format == "" {
		format = "%.2f"
	}
	st := textStyle(fontSize - 1)
	st.XAlign, st.YAlign = draw.XCenter, draw.YCenter
	for r, y := range v.h.Y {
		for col, x := range v.h.X {
			z := v.h.Z[r*len(v.h.X)+col]
			if !finite(z) {
				continue
			}
			// Dark cells (the upper 45 % of the scale, or its ends when
			// signed) get white text.
			t := (z - lo) / (hi - lo)
			st.Color = color.Black
			if (!v.h.Signed && t > 0.55) || (v.h.Signed && math.Abs(t-0.5) > 0.3) {
				st.Color = color.White
			}
			c.FillText(st, vg.Point{X: trX(x), Y: trY(y)}, clean(fmt.Sprintf(format, z)))
		}
	}
}

// barPalette colours bars without a colour of their own (Tableau 10).
var barPalette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

// bars draws horizontal bars, the first at the top, each with its text
// right of its end; non-finite values draw no bar.
type bars []Bar

func (bs bars) Plot(c draw.Canvas, pl *plot.Plot) {
	trX, trY := pl.Transforms(&c)
	st := textStyle(fontSize - 1)
	st.YAlign = draw.YCenter
	for i, b := range bs {
		y := float64(len(bs) - 1 - i)
		x0, y0, y1 := trX(max(0, pl.X.Min)), trY(y-0.35), trY(y+0.35)
		end := x0
		if v := b.Value; finite(v) {
			end = trX(min(max(v, pl.X.Min), pl.X.Max))
			c.SetColor(parseColor(b.Color, barPalette[i%len(barPalette)]))
			c.Fill(vg.Rectangle{Min: vg.Point{X: min(x0, end), Y: y0}, Max: vg.Point{X: max(x0, end), Y: y1}}.Path())
		}
		if b.Text != "" {
			c.FillText(st, vg.Point{X: end + 5, Y: trY(y)}, clean(b.Text))
		}
	}
}
