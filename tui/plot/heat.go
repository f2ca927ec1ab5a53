package plot

import (
	"fmt"
	"math"
)

// Pixel sets the half-block pixel in pixel column px and pixel row py
// (row 0 at the top; the pixel space is cols × 2·rows) to colour col at full
// shade. Pixels outside the canvas are counted as off-scale and ignored.
func (c *Canvas) Pixel(px, py int, col Color) {
	if px < 0 || py < 0 || px >= c.cols || py >= 2*c.rows {
		c.stats.OffScale++
		return
	}
	c.setPixel(px, py, col, 4)
}

// setPixel sets pixel (px, py), which must be inside the pixel space.
func (c *Canvas) setPixel(px, py int, col Color, shade uint8) {
	cell := &c.cells[(py>>1)*c.cols+px]
	if py&1 == 0 {
		cell.top, cell.topLv = col, shade
	} else {
		cell.bot, cell.botLv = col, shade
	}
}

// HeatMap fills the half-block pixel layer (cols × 2·rows pixels) with the
// nr×nc matrix stored row-major in data, row 0 at the top, as in a printed
// matrix. Pixel (px, py) shows the entry (⌊py·nr/(2·rows)⌋, ⌊px·nc/cols⌋),
// so small matrices are enlarged and large ones subsampled (nearest
// neighbour, no averaging). An entry v gets the colour
// pal[round(u·(len(pal)−1))] with u = (v−lo)/(hi−lo) clamped to [0, 1];
// entries outside [lo, hi] are counted as clipped. If lo and hi do not form
// a finite increasing interval, the range of the finite entries is used.
// NaN and ±Inf entries leave their pixels unset (blank) and are counted as
// non-finite. An empty pal means [Viridis]. In [Canvas.Mono] mode the
// shade of a cell (the mean of its two pixels) is shown as ░▒▓█.
//
// HeatMap returns an error, and draws nothing, if nr or nc is negative or
// len(data) ≠ nr·nc.
func (c *Canvas) HeatMap(data []float64, nr, nc int, lo, hi float64, pal Palette) error {
	if nr < 0 || nc < 0 || (nc > 0 && nr > math.MaxInt/nc) || len(data) != nr*nc {
		return fmt.Errorf("plot: heat map of %d×%d needs %d values, got %d", nr, nc, max(0, nr)*max(0, nc), len(data))
	}
	if len(pal) == 0 {
		pal = Viridis
	}
	fmin, fmax := math.Inf(1), math.Inf(-1)
	for _, v := range data {
		if !plotFinite(v) {
			c.stats.NonFinite++
			continue
		}
		fmin, fmax = min(fmin, v), max(fmax, v)
	}
	if !plotFinite(lo) || !plotFinite(hi) || !(lo < hi) {
		lo, hi = fmin, fmax
		if lo > hi { // no finite entry
			return nil
		}
		if lo == hi {
			d := 0.5 * max(1, math.Abs(lo))
			lo, hi = max(-math.MaxFloat64, lo-d), min(math.MaxFloat64, hi+d)
		}
	} else {
		for _, v := range data {
			if plotFinite(v) && (v < lo || v > hi) {
				c.stats.Clipped++
			}
		}
	}
	if nr == 0 || nc == 0 || c.cols == 0 || c.rows == 0 {
		return nil
	}
	// Halves keep (v − lo)/(hi − lo) finite across the whole float64 range.
	lo2 := lo / 2
	scale := 1 / (hi/2 - lo2)
	if math.IsInf(scale, 0) { // hi − lo below the smallest normal number
		scale = math.MaxFloat64
	}
	top := float64(len(pal) - 1)
	ph := 2 * c.rows
	for py := range ph {
		row := data[(py*nr/ph)*nc:][:nc]
		for px := range c.cols {
			v := row[px*nc/c.cols]
			if !plotFinite(v) {
				continue
			}
			u := (v/2 - lo2) * scale
			u = max(0, min(1, u)) // finite: lo < hi, both finite
			c.setPixel(px, py, pal[int(u*top+0.5)], 1+uint8(u*3.999))
		}
	}
	return nil
}
