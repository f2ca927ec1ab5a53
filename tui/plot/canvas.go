package plot

import (
	"errors"
	"fmt"
	"math"
)

// MaxSize is the largest number of columns or rows of a [Canvas]; larger
// sizes are reduced to it. No terminal is this large, and the bound keeps a
// stray size from allocating gigabytes.
const MaxSize = 4096

// plotCell is one terminal cell of a canvas: braille dots, two half-block
// pixels and a text overlay.
type plotCell struct {
	text     rune  // overlay rune, 0 when none
	fg       Color // colour of the braille dots
	tfg      Color // colour of the overlay rune
	top, bot Color // colours of the upper and lower half-block pixels
	dots     uint8 // braille dot bits, U+2800 + dots
	topLv    uint8 // shade 1–4 of the upper pixel, 0 when unset
	botLv    uint8 // shade 1–4 of the lower pixel, 0 when unset
}

// Stats counts what the drawing calls since the last [Canvas.Clear] could not
// draw in full.
type Stats struct {
	// NonFinite counts primitives skipped because a coordinate or size was
	// NaN or ±Inf (for a heat map: matrix entries that were not finite).
	NonFinite int
	// OffScale counts points and primitives that lay wholly outside the
	// range and so were not drawn.
	OffScale int
	// Clipped counts lines and circles cut at the edge of the range, and
	// heat-map entries outside the colour range (drawn with the end colour).
	Clipped int
}

// Hidden returns the number of primitives that were not drawn at all,
// NonFinite + OffScale.
func (s Stats) Hidden() int { return s.NonFinite + s.OffScale }

// Canvas is a cols×rows grid of terminal cells with a braille dot layer, a
// half-block pixel layer and a text overlay (see the package documentation),
// mapped to a world rectangle set by [Canvas.SetRange]. The zero value is not
// usable; call [NewCanvas].
type Canvas struct {
	// Mono, when set, makes String and AppendTo emit plain text without
	// colour sequences; half-block pixels are then shown as shades ░▒▓█.
	Mono bool

	cols, rows int
	cells      []plotCell
	buf        []byte

	xmin, xmax, ymin, ymax float64
	sx, sy                 float64 // dots per world unit in x and y

	stats Stats
}

// NewCanvas returns an empty canvas of cols×rows cells with the world range
// [−1, 1]×[−1, 1]. Negative sizes are taken as 0 (a canvas that draws
// nothing and renders as rows empty lines) and sizes above [MaxSize] are
// reduced to it.
func NewCanvas(cols, rows int) *Canvas {
	c := &Canvas{xmin: -1, xmax: 1, ymin: -1, ymax: 1}
	c.Resize(cols, rows)
	return c
}

// Resize changes the canvas to cols×rows cells (clamped to [0, MaxSize])
// and clears it, keeping the world range. Storage is reused when it is large
// enough.
func (c *Canvas) Resize(cols, rows int) {
	cols = max(0, min(MaxSize, cols))
	rows = max(0, min(MaxSize, rows))
	c.cols, c.rows = cols, rows
	n := cols * rows
	if cap(c.cells) >= n {
		c.cells = c.cells[:n]
	} else {
		c.cells = make([]plotCell, n)
	}
	c.Clear()
	c.plotScale()
}

// Clear erases every dot, pixel and overlay rune and resets [Canvas.Stats],
// keeping the size and the world range.
func (c *Canvas) Clear() {
	clear(c.cells)
	c.stats = Stats{}
}

// Size returns the canvas size in cells.
func (c *Canvas) Size() (cols, rows int) { return c.cols, c.rows }

// DotSize returns the size of the braille dot space, 2·cols × 4·rows.
func (c *Canvas) DotSize() (w, h int) { return 2 * c.cols, 4 * c.rows }

// Stats returns the counts of dropped and clipped primitives since the last
// [Canvas.Clear].
func (c *Canvas) Stats() Stats { return c.stats }

// ErrRange is returned (wrapped) by [Canvas.SetRange] for a range that is
// not finite or not increasing.
var ErrRange = errors.New("plot: invalid range")

// SetRange sets the world rectangle [xmin, xmax]×[ymin, ymax] that fills the
// canvas. It returns an error wrapping [ErrRange] and keeps the old range if
// a bound is not finite, if xmin ≥ xmax or ymin ≥ ymax, or if a width is so
// large (overflowing float64) or so small (below about 1e-300) that the
// mapping to dots cannot be represented. Drawings already on the canvas are
// not moved.
func (c *Canvas) SetRange(xmin, xmax, ymin, ymax float64) error {
	for _, v := range [...]float64{xmin, xmax, ymin, ymax} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: bound %v is not finite", ErrRange, v)
		}
	}
	if !(xmin < xmax) || !(ymin < ymax) {
		return fmt.Errorf("%w: [%g, %g]×[%g, %g] is empty", ErrRange, xmin, xmax, ymin, ymax)
	}
	wx, wy := xmax-xmin, ymax-ymin
	if math.IsInf(wx, 0) || math.IsInf(wy, 0) || wx < 1e-300 || wy < 1e-300 {
		return fmt.Errorf("%w: widths %g, %g out of bounds", ErrRange, wx, wy)
	}
	c.xmin, c.xmax, c.ymin, c.ymax = xmin, xmax, ymin, ymax
	c.plotScale()
	return nil
}

// SetRangeEqual sets a range that contains [xmin, xmax]×[ymin, ymax] and has
// equal world units per dot in x and y, widening the tighter axis about its
// centre. A braille dot is close to square in a terminal cell of aspect 1:2,
// so circles come out round. It fails like [Canvas.SetRange]; on a canvas of
// zero size it behaves as SetRange.
func (c *Canvas) SetRangeEqual(xmin, xmax, ymin, ymax float64) error {
	if err := c.SetRange(xmin, xmax, ymin, ymax); err != nil || c.cols == 0 || c.rows == 0 {
		return err
	}
	w, h := c.DotSize()
	ux := (xmax - xmin) / float64(w) // world units per dot
	uy := (ymax - ymin) / float64(h)
	if ux < uy {
		half := uy * float64(w) / 2
		mid := xmin/2 + xmax/2
		return c.SetRange(mid-half, mid+half, ymin, ymax)
	}
	half := ux * float64(h) / 2
	mid := ymin/2 + ymax/2
	return c.SetRange(xmin, xmax, mid-half, mid+half)
}

// Range returns the world rectangle mapped onto the canvas.
func (c *Canvas) Range() (xmin, xmax, ymin, ymax float64) {
	return c.xmin, c.xmax, c.ymin, c.ymax
}

// plotScale recomputes the dots per world unit.
func (c *Canvas) plotScale() {
	w, h := c.DotSize()
	c.sx = float64(w) / (c.xmax - c.xmin)
	c.sy = float64(h) / (c.ymax - c.ymin)
}

// AutoRange returns a range enclosing the finite points (xs[i], ys[i]),
// widened by the fraction pad of its size on each side (pad < 0 is taken as
// 0). Points with a NaN or infinite coordinate are ignored. A degenerate
// extent (all points share an x or a y) is widened to ±0.5 about the point
// (±0.5·|v| when |v| > 1); with no finite point the range is [−1, 1]². The
// result is always accepted by [Canvas.SetRange] unless the points span
// more than about ±4e307.
func AutoRange(xs, ys []float64, pad float64) (xmin, xmax, ymin, ymax float64) {
	n := min(len(xs), len(ys))
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for i := range n {
		x, y := xs[i], ys[i]
		if !plotFinite(x) || !plotFinite(y) {
			continue
		}
		xmin, xmax = min(xmin, x), max(xmax, x)
		ymin, ymax = min(ymin, y), max(ymax, y)
	}
	if xmin > xmax {
		return -1, 1, -1, 1
	}
	if !(pad > 0) || math.IsInf(pad, 0) {
		pad = 0
	}
	xmin, xmax = plotWiden(xmin, xmax, pad)
	ymin, ymax = plotWiden(ymin, ymax, pad)
	return xmin, xmax, ymin, ymax
}

// plotWiden pads [lo, hi] by the fraction pad on each side and makes a
// degenerate interval non-empty.
func plotWiden(lo, hi, pad float64) (float64, float64) {
	if w := hi - lo; w > 0 {
		return lo - pad*w, hi + pad*w
	}
	d := 0.5 * max(1, math.Abs(lo))
	return lo - d, hi + d
}

// plotFinite reports whether v is neither NaN nor ±Inf.
func plotFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
