package plot

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// NiceTicks returns the "nice" tick values in [lo, hi] for an axis with at
// most n ticks (n < 2 is taken as 2): the multiples k·s of the smallest step
// s = m·10^e with m ∈ {1, 2, 5} that gives no more than n of them. It
// returns nil if lo or hi is not finite, if lo ≥ hi or if hi − lo overflows.
// Zero is returned as +0, never −0.
func NiceTicks(lo, hi float64, n int) []float64 {
	step := NiceStep(lo, hi, n)
	if step == 0 {
		return nil
	}
	k0, k1 := math.Ceil(lo/step), math.Floor(hi/step)
	cnt := int(k1-k0) + 1
	if cnt <= 0 || cnt > max(n, 2) {
		return nil
	}
	ticks := make([]float64, 0, cnt)
	for i := range cnt {
		v := (k0+float64(i))*step + 0 // + 0 turns −0 into +0
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, v)
	}
	return ticks
}

// NiceStep returns the tick step s = m·10^e, m ∈ {1, 2, 5}, used by
// [NiceTicks] for [lo, hi] and at most n ticks, or 0 when NiceTicks would
// return nil.
func NiceStep(lo, hi float64, n int) float64 {
	n = max(n, 2)
	w := hi - lo
	if !plotFinite(lo) || !plotFinite(hi) || !(w > 0) || math.IsInf(w, 0) {
		return 0
	}
	mag := math.Pow(10, math.Floor(math.Log10(w/float64(n))))
	for range 4 { // at most two decades above the first guess are needed
		for _, m := range [...]float64{1, 2, 5} {
			s := m * mag
			if s == 0 || math.IsInf(s, 0) {
				return 0
			}
			if math.Floor(hi/s)-math.Ceil(lo/s)+1 <= float64(n) {
				return s
			}
		}
		mag *= 10
	}
	return 0
}

// FormatTick formats the tick value v of an axis with tick step step with
// just enough decimals to tell neighbouring ticks apart ("0.5", "-1", "250"),
// switching to exponent form ("1e+06", "2.5e-05") for values of magnitude
// 1e6 and above or steps below 1e-4. Zero is printed with the decimals of
// the step ("0.0" for step 0.5), never with a minus sign.
func FormatTick(v, step float64) string {
	if !plotFinite(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if !(step > 0) || !plotFinite(step) {
		step = math.Abs(v)
		if step == 0 {
			return "0"
		}
	}
	if a := math.Abs(v); a >= 1e6 || step < 1e-4 {
		if a == 0 {
			return "0"
		}
		// Significant digits: enough for the step relative to the value.
		d := int(math.Floor(math.Log10(a))-math.Floor(math.Log10(step)+1e-9)) + 1
		return strconv.FormatFloat(v, 'g', max(1, min(17, d)), 64)
	}
	dec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if s[0] == '-' && strings.Trim(s, "-0.") == "" {
		return s[1:]
	}
	return s
}

// Axes describes the frame that [Axes.Frame] draws around a canvas.
type Axes struct {
	// XLabel and YLabel are the axis titles with units, for example
	// "Re λ (1/τ)" and "Im λ (1/τ)"; empty titles take no space.
	XLabel, YLabel string
	// XTicks and YTicks are the largest numbers of ticks; 0 allows one
	// tick per 8 columns and per 3 rows (at least 3).
	XTicks, YTicks int
}

// plotTicks returns the tick count bound for an axis of size n cells with
// one tick per per cells by default.
func plotTicks(set, n, per int) int {
	if set > 0 {
		return set
	}
	return max(3, n/per)
}

// yTickLabels returns the y ticks, their labels and the widest label width.
func (a Axes) yTickLabels(ymin, ymax float64, rows int) (ticks []float64, labels []string, wid int) {
	ticks = NiceTicks(ymin, ymax, plotTicks(a.YTicks, rows, 3))
	step := NiceStep(ymin, ymax, plotTicks(a.YTicks, rows, 3))
	labels = make([]string, len(ticks))
	for i, v := range ticks {
		labels[i] = FormatTick(v, step)
		wid = max(wid, utf8.RuneCountInString(labels[i]))
	}
	return ticks, labels, wid
}

// Fit returns the canvas size (cols, rows) for which [Axes.Frame] is at most
// width columns and height lines for the y range [ymin, ymax]. Either may be
// 0 when the space is too small.
func (a Axes) Fit(width, height int, ymin, ymax float64) (cols, rows int) {
	rows = height - 2 // x axis and tick labels
	if a.YLabel != "" {
		rows--
	}
	if a.XLabel != "" {
		rows--
	}
	rows = max(0, rows)
	_, _, wid := a.yTickLabels(ymin, ymax, rows)
	return max(0, width-wid-2), rows
}

// Frame renders c (with [Canvas.AppendTo], so in colour unless c.Mono) inside
// a frame: the y title on the first line, then each canvas row behind a
// left margin of right-aligned y tick labels and an axis │ with ┤ at the
// rows holding a tick, then the x axis └──┬── with ┬ under the tick columns,
// the x tick labels centred under their ticks (a label that would touch its
// left neighbour is left out) and the x title centred under the plot. Every
// line of the block has the same width in runes.
func (a Axes) Frame(c *Canvas) string {
	cols, rows := c.Size()
	xmin, xmax, ymin, ymax := c.Range()
	yt, yl, lw := a.yTickLabels(ymin, ymax, rows)
	left := lw + 2
	width := left + cols

	rowLabel := make([]string, rows)
	for i, v := range yt {
		r := min(rows-1, int((ymax-v)/(ymax-ymin)*float64(rows)))
		if r >= 0 && rowLabel[r] == "" {
			rowLabel[r] = yl[i]
		}
	}

	var b []byte
	line := func(s string) {
		if len(b) > 0 {
			b = append(b, '\n')
		}
		b = append(b, s...)
		b = append(b, strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))...)
	}
	if a.YLabel != "" {
		line(plotCut(a.YLabel, width))
	}
	for r := range rows {
		if len(b) > 0 {
			b = append(b, '\n')
		}
		lab := rowLabel[r]
		b = append(b, strings.Repeat(" ", lw-utf8.RuneCountInString(lab))...)
		b = append(b, lab...)
		if lab != "" {
			b = append(b, " ┤"...)
		} else {
			b = append(b, " │"...)
		}
		b = c.appendRow(b, r)
	}

	// X axis and tick labels.
	xn := plotTicks(a.XTicks, cols, 8)
	xt := NiceTicks(xmin, xmax, xn)
	step := NiceStep(xmin, xmax, xn)
	axis := []rune(strings.Repeat(" ", lw+1) + "└" + strings.Repeat("─", cols))
	labels := []rune(strings.Repeat(" ", width))
	last := -2 // index of the last rune of the previous label
	for _, v := range xt {
		col := min(cols-1, int((v-xmin)/(xmax-xmin)*float64(cols)))
		if col < 0 {
			continue
		}
		axis[left+col] = '┬'
		s := []rune(FormatTick(v, step))
		start := left + col - (len(s)-1)/2
		start = max(0, min(width-len(s), start))
		if start <= last+1 || start < 0 {
			continue
		}
		copy(labels[start:], s)
		last = start + len(s) - 1
	}
	line(string(axis))
	line(string(labels))
	if a.XLabel != "" {
		t := plotCut(a.XLabel, width)
		pad := left + (cols-utf8.RuneCountInString(t))/2
		pad = max(0, min(width-utf8.RuneCountInString(t), pad))
		line(strings.Repeat(" ", pad) + t)
	}
	return string(b)
}

// plotCut shortens s to at most n runes.
func plotCut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(0, n)])
}
