package plot

import (
	"math"
	"unicode"
)

// plotBrailleBit[row][col] is the bit of dot (col, row) of a braille cell,
// per Unicode: dots 1, 2, 3, 7 down the left column (bits 0x01, 0x02, 0x04,
// 0x40) and dots 4, 5, 6, 8 down the right (0x08, 0x10, 0x20, 0x80).
var plotBrailleBit = [4][2]uint8{
	{0x01, 0x08},
	{0x02, 0x10},
	{0x04, 0x20},
	{0x40, 0x80},
}

// plotStatus is the outcome of sanitising a coordinate pair or a primitive.
type plotStatus uint8

const (
	plotIn        plotStatus = iota // wholly inside the range
	plotClip                        // partly inside, clipped
	plotOff                         // wholly outside the range
	plotNonFinite                   // a coordinate was NaN or ±Inf
)

// plotCount records a primitive's status in the stats.
func (c *Canvas) plotCount(s plotStatus) {
	switch s {
	case plotClip:
		c.stats.Clipped++
	case plotOff:
		c.stats.OffScale++
	case plotNonFinite:
		c.stats.NonFinite++
	}
}

// project is the single gate between world coordinates and the raster:
// it returns the dot (ix, iy) containing the world point (x, y), or the
// status plotNonFinite for NaN or ±Inf and plotOff for a point outside the
// closed range (or any point on a zero-size canvas). Points on the right or
// bottom edge of the range fall into the last dot column or row.
func (c *Canvas) project(x, y float64) (ix, iy int, s plotStatus) {
	if !plotFinite(x) || !plotFinite(y) {
		return 0, 0, plotNonFinite
	}
	if !(x >= c.xmin && x <= c.xmax && y >= c.ymin && y <= c.ymax) || c.cols == 0 || c.rows == 0 {
		return 0, 0, plotOff
	}
	w, h := c.DotSize()
	ix = min(int((x-c.xmin)*c.sx), w-1)
	iy = min(int((c.ymax-y)*c.sy), h-1)
	return max(ix, 0), max(iy, 0), plotIn
}

// setDot sets dot (px, py), which must be inside the dot space, to colour col.
func (c *Canvas) setDot(px, py int, col Color) {
	cell := &c.cells[(py>>2)*c.cols+px>>1]
	cell.dots |= plotBrailleBit[py&3][px&1]
	cell.fg = col
}

// Dot sets the braille dot in dot column px and dot row py (row 0 at the
// top) to colour col; see [Canvas.DotSize]. Dots outside the canvas are
// counted as off-scale and ignored.
func (c *Canvas) Dot(px, py int, col Color) {
	w, h := c.DotSize()
	if px < 0 || py < 0 || px >= w || py >= h {
		c.stats.OffScale++
		return
	}
	c.setDot(px, py, col)
}

// Point sets the braille dot containing the world point (x, y) to colour
// col. A point with a NaN or infinite coordinate or outside the range is not
// drawn and is counted in [Canvas.Stats].
func (c *Canvas) Point(x, y float64, col Color) {
	ix, iy, s := c.project(x, y)
	if s != plotIn {
		c.plotCount(s)
		return
	}
	c.setDot(ix, iy, col)
}

// Points draws the point (xs[i], ys[i]) for each i below min(len(xs),
// len(ys)), as [Canvas.Point] does.
func (c *Canvas) Points(xs, ys []float64, col Color) {
	n := min(len(xs), len(ys))
	xs, ys = xs[:n], ys[:n]
	for i, x := range xs {
		c.Point(x, ys[i], col)
	}
}

// Polyline draws the segments joining consecutive points (xs[i], ys[i]) for
// i below min(len(xs), len(ys)), as [Canvas.Line] does, for a trajectory. A
// point with a NaN or infinite coordinate breaks the line (the segments on
// either side of it are skipped) and is counted once. A single point is
// drawn as a dot.
func (c *Canvas) Polyline(xs, ys []float64, col Color) {
	n := min(len(xs), len(ys))
	xs, ys = xs[:n], ys[:n]
	if n == 1 {
		c.Point(xs[0], ys[0], col)
		return
	}
	prevOK := false
	for i, x := range xs {
		y := ys[i]
		ok := plotFinite(x) && plotFinite(y)
		if !ok {
			c.stats.NonFinite++
		} else if prevOK {
			c.plotCount(c.segment(xs[i-1], ys[i-1], x, y, col))
		}
		prevOK = ok
	}
}

// Line draws the segment from the world point (x0, y0) to (x1, y1) in
// colour col. The segment is clipped to the range in float64 with the
// Liang–Barsky algorithm and then rasterised with Bresenham's algorithm in
// dot space, so the cost is at most 2·cols + 4·rows dots whatever the
// coordinates. A segment with a NaN or infinite coordinate is skipped, and
// skipped, off-range and clipped segments are counted in [Canvas.Stats].
func (c *Canvas) Line(x0, y0, x1, y1 float64, col Color) {
	c.plotCount(c.segment(x0, y0, x1, y1, col))
}

// HLine draws the horizontal line y = const across the whole range, for
// example an asymptote or Im λ = 0.
func (c *Canvas) HLine(y float64, col Color) {
	c.Line(c.xmin, y, c.xmax, y, col)
}

// VLine draws the vertical line x = const across the whole range, for
// example the stability line Re λ = 0 of a continuous-time system.
func (c *Canvas) VLine(x float64, col Color) {
	c.Line(x, c.ymin, x, c.ymax, col)
}

// segment clips and rasterises one segment and returns its status.
func (c *Canvas) segment(x0, y0, x1, y1 float64, col Color) plotStatus {
	if !plotFinite(x0) || !plotFinite(y0) || !plotFinite(x1) || !plotFinite(y1) {
		return plotNonFinite
	}
	if c.cols == 0 || c.rows == 0 {
		return plotOff
	}
	if ix0, iy0, s0 := c.project(x0, y0); s0 == plotIn {
		if ix1, iy1, s1 := c.project(x1, y1); s1 == plotIn {
			c.bresenham(ix0, iy0, ix1, iy1, col) // fast path: no clipping needed
			return plotIn
		}
	}
	ax, ay, bx, by, s := plotClipSegment(x0, y0, x1, y1, c.xmin, c.xmax, c.ymin, c.ymax)
	if s == plotOff {
		return s
	}
	w, h := c.DotSize()
	// The clipped end points lie in the range up to rounding; clamp into
	// the dot space rather than trusting the last ulp.
	toX := func(x float64) int { return max(0, min(w-1, int((x-c.xmin)*c.sx))) }
	toY := func(y float64) int { return max(0, min(h-1, int((c.ymax-y)*c.sy))) }
	c.bresenham(toX(ax), toY(ay), toX(bx), toY(by), col)
	return s
}

// plotClipSegment clips the segment (x0, y0)–(x1, y1), whose coordinates must
// be finite, to the rectangle [xmin, xmax]×[ymin, ymax] with the Liang–Barsky
// algorithm. It works on halved coordinates so that no difference of two
// finite float64 values can overflow, and so never produces NaN or ±Inf.
// To limit cancellation it measures the parameter from the end point of
// smaller magnitude (the returned end points may therefore be swapped), and
// a coordinate cut at a boundary is set to that boundary exactly. The other
// coordinate of a cut point is accurate to about 1e-16 times the magnitude
// of the nearer end point, so a segment whose both ends are 1e16 times
// farther out than the range is drawn only approximately.
func plotClipSegment(x0, y0, x1, y1, xmin, xmax, ymin, ymax float64) (ax, ay, bx, by float64, s plotStatus) {
	if max(math.Abs(x1), math.Abs(y1)) < max(math.Abs(x0), math.Abs(y0)) {
		x0, y0, x1, y1 = x1, y1, x0, y0
	}
	hx, hy := 0.5*x0, 0.5*y0
	dx, dy := 0.5*x1-hx, 0.5*y1-hy
	p := [4]float64{-dx, dx, -dy, dy}
	q := [4]float64{hx - 0.5*xmin, 0.5*xmax - hx, hy - 0.5*ymin, 0.5*ymax - hy}
	edge := [4]float64{xmin, xmax, ymin, ymax}
	t0, t1 := 0.0, 1.0
	e0, e1 := -1, -1 // the boundaries that set t0 and t1
	for i := range p {
		if p[i] == 0 {
			if q[i] < 0 {
				return 0, 0, 0, 0, plotOff
			}
			continue
		}
		r := q[i] / p[i] // finite or ±Inf, never NaN
		if p[i] < 0 {
			if r > t1 {
				return 0, 0, 0, 0, plotOff
			}
			if r > t0 {
				t0, e0 = r, i
			}
		} else {
			if r < t0 {
				return 0, 0, 0, 0, plotOff
			}
			if r < t1 {
				t1, e1 = r, i
			}
		}
	}
	at := func(t float64, e int) (x, y float64) {
		x, y = 2*(hx+t*dx), 2*(hy+t*dy)
		if e < 2 {
			x = edge[e]
		} else {
			y = edge[e]
		}
		return x, y
	}
	s = plotIn
	ax, ay, bx, by = x0, y0, x1, y1
	if e0 >= 0 {
		ax, ay = at(t0, e0)
		s = plotClip
	}
	if e1 >= 0 {
		bx, by = at(t1, e1)
		s = plotClip
	}
	return ax, ay, bx, by, s
}

// bresenham sets the dots of the digital line from (x0, y0) to (x1, y1), both
// inside the dot space, in colour col. The end points are put in a
// canonical order first, so a segment and its reverse set the same dots.
func (c *Canvas) bresenham(x0, y0, x1, y1 int, col Color) {
	if x0 > x1 || (x0 == x1 && y0 > y1) {
		x0, y0, x1, y1 = x1, y1, x0, y0
	}
	dx := x1 - x0
	if dx < 0 {
		dx = -dx
	}
	dy := y1 - y0
	if dy > 0 {
		dy = -dy
	}
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		c.setDot(x0, y0, col)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// plotCircleMaxQuarter bounds the samples per quarter of a circle drawn as
// dots; larger circles are drawn as a clipped polygon of plotCirclePolygon
// sides.
const (
	plotCircleMaxQuarter = 4096
	plotCirclePolygon    = 1 << 14
)

// Circle draws the circle of world radius r about (cx, cy) in colour col,
// for example the unit circle |λ| = 1 of a discrete map or the circle
// |λ| = g of a random network's bulk spectrum. Unless the range has equal
// units per dot (see [Canvas.SetRangeEqual]) it appears as an ellipse.
//
// Circles up to about 2600 dots in radius are sampled densely in dot space
// with the four quadrants mirrored about the centre, so the dots are exactly
// symmetric when the centre lies on a dot boundary; larger circles are drawn
// as a clipped 16384-gon. A circle with a non-finite or negative parameter
// is skipped; one wholly outside the range (or enclosing all of it) counts
// as off-scale and one partly outside as clipped.
func (c *Canvas) Circle(cx, cy, r float64, col Color) {
	c.plotCount(c.circle(cx, cy, r, col))
}

func (c *Canvas) circle(cx, cy, r float64, col Color) plotStatus {
	if !plotFinite(cx) || !plotFinite(cy) || !plotFinite(r) || r < 0 {
		return plotNonFinite
	}
	if c.cols == 0 || c.rows == 0 {
		return plotOff
	}
	// Halved coordinates cannot overflow in sums and differences.
	hx, hy, hr := 0.5*cx, 0.5*cy, 0.5*r
	hxmin, hxmax, hymin, hymax := 0.5*c.xmin, 0.5*c.xmax, 0.5*c.ymin, 0.5*c.ymax
	if hx+hr < hxmin || hx-hr > hxmax || hy+hr < hymin || hy-hr > hymax {
		return plotOff
	}
	far := 0.0 // distance from the centre to the farthest corner of the range
	for _, p := range [4][2]float64{{hxmin, hymin}, {hxmin, hymax}, {hxmax, hymin}, {hxmax, hymax}} {
		far = max(far, math.Hypot(p[0]-hx, p[1]-hy))
	}
	if far < hr {
		return plotOff
	}
	s := plotIn
	if hx-hr < hxmin || hx+hr > hxmax || hy-hr < hymin || hy+hr > hymax {
		s = plotClip
	}
	rx, ry := r*c.sx, r*c.sy // semi-axes in dots
	rd := max(rx, ry)
	if n := int(math.Ceil(rd*math.Pi)) + 1; rd*math.Pi < plotCircleMaxQuarter {
		// Spacing below half a dot; the circle is near the range, so the
		// centre in dots is finite.
		w, h := c.DotSize()
		ccx := (cx - c.xmin) * c.sx
		ccy := (c.ymax - cy) * c.sy
		for k := 0; k <= n; k++ {
			t := float64(k) / float64(n) * (math.Pi / 2)
			ox, oy := rx*math.Cos(t), ry*math.Sin(t)
			xp, xm := plotMirrorIndex(ccx, ox)
			yp, ym := plotMirrorIndex(ccy, oy)
			for _, ix := range [2]int{xp, xm} {
				for _, iy := range [2]int{yp, ym} {
					if ix >= 0 && iy >= 0 && ix < w && iy < h {
						c.setDot(ix, iy, col)
					}
				}
			}
		}
		return s
	}
	px, py := cx+r, cy
	for k := 1; k <= plotCirclePolygon; k++ {
		t := 2 * math.Pi * float64(k) / plotCirclePolygon
		x, y := cx+r*math.Cos(t), cy+r*math.Sin(t)
		c.segment(px, py, x, y, col) // non-finite or off-range pieces are skipped
		px, py = x, y
	}
	return s
}

// plotMirrorIndex returns the dot indices of the positions cc+o and cc−o
// (o ≥ 0): ⌊cc+o⌋ and ⌈cc−o⌉−1, so that a position on a dot boundary is
// given to the dot farther from cc on both sides. When cc is an integer the
// two are computed from ⌊o⌋ alone and are exact mirror images about cc.
func plotMirrorIndex(cc, o float64) (plus, minus int) {
	if f := math.Floor(cc); f == cc {
		fo := int(math.Floor(o))
		return int(f) + fo, int(f) - fo - 1
	}
	return int(math.Floor(cc + o)), int(math.Ceil(cc-o)) - 1
}

// Text writes s into the overlay starting at cell (col, row), one rune per
// cell, in colour fg; runes falling outside the canvas are cut off, and
// control characters (which would break the line layout) are written as
// '?'. Overlay text hides the dots and pixels of its cells. Every rune must
// be one terminal column wide.
func (c *Canvas) Text(col, row int, s string, fg Color) {
	if row < 0 || row >= c.rows {
		return
	}
	for _, r := range s {
		if col >= c.cols {
			return
		}
		if col >= 0 {
			if unicode.IsControl(r) {
				r = '?'
			}
			cell := &c.cells[row*c.cols+col]
			cell.text, cell.tfg = r, fg
		}
		col++
	}
}

// Marker writes the rune m into the overlay cell containing the world point
// (x, y) in colour fg, for example '●' at an eigenvalue or '×' at a fixed
// point. It is sanitised and counted like [Canvas.Point].
func (c *Canvas) Marker(x, y float64, m rune, fg Color) {
	ix, iy, s := c.project(x, y)
	if s != plotIn {
		c.plotCount(s)
		return
	}
	if unicode.IsControl(m) {
		m = '?'
	}
	cell := &c.cells[(iy>>2)*c.cols+ix>>1]
	cell.text, cell.tfg = m, fg
}
