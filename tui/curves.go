package tui

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/NimbleMarkets/ntcharts/linechart/timeserieslinechart"
	"github.com/NimbleMarkets/ntcharts/sparkline"
	"github.com/charmbracelet/lipgloss"

	"attractor/train"
	"attractor/tui/plot"
)

// The training pane draws its curves with ntcharts: a time-series line
// chart (steps on the time axis) with axes for each of loss and accuracy,
// or one-row sparklines when the pane is too small for axes. ntcharts
// computes grid coordinates from the data without bounds, so that one NaN,
// or a value far outside the chart's range, makes it allocate until the
// process dies (recover cannot catch that). Everything therefore goes
// through [sanitizeCurves] and [curveRange] first: non-finite values (and
// losses ≤ 0, which have no logarithm) are dropped and counted, the range
// is robust to outliers, values outside it are clamped to its edge and
// counted, and no chart gets more points than it has braille columns.

// curveSeries is one sanitised curve: finite points in order of the log.
type curveSeries struct {
	X, Y    []float64
	Dropped int // non-finite values (and losses ≤ 0) left out
}

// sanitizeCurves returns the loss (as log₁₀ loss) and accuracy series of
// ms with every non-finite value left out.
func sanitizeCurves(ms []train.Metrics) (loss, acc curveSeries) {
	for _, m := range ms {
		x := float64(m.Step)
		if l := m.Loss; finite(l) && l > 0 {
			loss.X, loss.Y = append(loss.X, x), append(loss.Y, math.Log10(l))
		} else {
			loss.Dropped++
		}
		if a := m.Accuracy; finite(a) {
			acc.X, acc.Y = append(acc.X, x), append(acc.Y, a)
		} else {
			acc.Dropped++
		}
	}
	return loss, acc
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// curveRange returns a y range for the finite values ys that an outlier
// cannot stretch: the 2nd to the 98th percentile (the core), extended to
// the minimum and the maximum where they lie within one core width of it
// (so an ordinary curve is shown whole and a spike of 1e300 is not),
// widened by 5 % on each side and to at least minSpan. With fewer than 50
// values the core is the middle half (quartiles). The last value is
// always inside, so the curve's end (what the user watches) is never
// clamped.
func curveRange(ys []float64, minSpan float64) (lo, hi float64) {
	if len(ys) == 0 {
		return 0, minSpan
	}
	s := slices.Clone(ys)
	slices.Sort(s)
	n := len(s)
	q := func(f float64) float64 { return s[min(n-1, int(f*float64(n-1)+0.5))] }
	lo, hi = q(0.25), q(0.75)
	if n >= 50 {
		lo, hi = q(0.02), q(0.98)
	}
	core := max(hi-lo, minSpan)
	if s[0] >= lo-core {
		lo = s[0]
	}
	if s[n-1] <= hi+core {
		hi = s[n-1]
	}
	last := ys[len(ys)-1]
	lo, hi = min(lo, last), max(hi, last)
	pad := 0.05 * (hi - lo)
	lo, hi = lo-pad, hi+pad
	if hi-lo < minSpan {
		mid := (lo + hi) / 2
		lo, hi = mid-minSpan/2, mid+minSpan/2
	}
	return lo, hi
}

// clampSeries returns (xs, ys) reduced to at most n points (means over n
// equal bins of x, in order) with every y clamped to [lo, hi], and how
// many values were clamped.
func clampSeries(xs, ys []float64, x0, x1, lo, hi float64, n int) (bx, by []float64, clamped int) {
	for _, y := range ys {
		if y < lo || y > hi {
			clamped++
		}
	}
	clip := func(y float64) float64 { return min(max(y, lo), hi) }
	if len(xs) <= n || n < 1 || !(x1 > x0) {
		bx, by = slices.Clone(xs), make([]float64, len(ys))
		for i, y := range ys {
			by[i] = clip(y)
		}
		return bx, by, clamped
	}
	sx, sy, cnt := make([]float64, n), make([]float64, n), make([]int, n)
	for i, x := range xs {
		b := int(float64(n) * (x - x0) / (x1 - x0))
		b = min(max(b, 0), n-1)
		sx[b] += x
		sy[b] += clip(ys[i])
		cnt[b]++
	}
	for b := range n {
		if cnt[b] > 0 {
			bx, by = append(bx, sx[b]/float64(cnt[b])), append(by, sy[b]/float64(cnt[b]))
		}
	}
	return bx, by, clamped
}

// compactNum writes v in at most five characters (six when negative):
// 0.012, 9e-3, 12, 780, 3.1k, 120k, 2e6. ntcharts measures labels in
// bytes, so it is ASCII only.
func compactNum(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1e5 && a < 1e6:
		return strconv.FormatFloat(v/1e3, 'f', 0, 64) + "k"
	case a >= 1e3 && a < 1e5:
		return strconv.FormatFloat(v/1e3, 'g', 2, 64) + "k"
	case a >= 100 && a < 1e3:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1e6 || a < 0.01:
		s := strconv.FormatFloat(v, 'e', 0, 64)
		s = strings.Replace(s, "e+0", "e", 1)
		s = strings.Replace(s, "e-0", "e-", 1)
		return strings.Replace(s, "e+", "e", 1)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// maxStep bounds the steps on a chart's time axis: 2⁵² seconds, where
// float64 still holds every integer and int64 seconds cannot overflow
// (2⁶³, the float64 nearest math.MaxInt64, does).
const maxStep = 1 << 52

// stepTime maps a training step onto the time axis of a time-series
// chart: step s is s seconds after the epoch, within ±maxStep.
func stepTime(x float64) time.Time {
	return time.Unix(int64(math.Round(min(max(x, -maxStep), maxStep))), 0)
}

// stepTicks returns the labels of a step axis over [x0, x1] drawn in gw
// graph columns, keyed by ntcharts' label index (the label with index i
// starts i columns right of the y axis, so a step drawn in graph column c
// has its label at index c+1, and a step up to one column left of x0 sits
// under the axis corner). The steps are round: multiples of the smallest
// 1, 2 or 5 × 10^k (at least 1, since steps are integers) that gives at
// least two labels, 8 columns from one label's start to the next; on a
// narrow axis, two blank columns between labels suffice.
func stepTicks(gw int, x0, x1 float64) map[int]string {
	if gw < 1 || !(x1 > x0) || !finite(x1-x0) {
		return nil
	}
	inc := (x1 - x0) / float64(gw) // steps per column
	var one map[int]string         // the first layout with a single label
	for _, minGap := range []int{8, 0} {
		for k := 0.0; k < 20; k++ {
			for _, m := range []float64{1, 2, 5} {
				step := m * math.Pow(10, k)
				if step < inc {
					continue
				}
				ticks, ok := placeTicks(gw, x0, x1, inc, step, minGap)
				switch {
				case ok && len(ticks) >= 2:
					return ticks
				case ok && len(ticks) == 1 && one == nil:
					one = ticks
				}
			}
		}
	}
	return one
}

// placeTicks lays out the multiples of step on a step axis (see
// stepTicks) and reports whether each label starts at least minGap
// columns after the previous one, with two blank columns between them.
func placeTicks(gw int, x0, x1, inc, step float64, minGap int) (map[int]string, bool) {
	ticks := map[int]string{}
	last, lastLen := -1, 0
	for n := math.Ceil((x0 - inc) / step); n*step <= x1; n++ {
		t := n * step
		i := int(math.Floor((t-x0)/inc)) + 1
		s := stepLabel(t)
		if i < 0 || i >= gw || i+len(s) > gw+1 {
			continue
		}
		if last >= 0 && i-last < max(lastLen+2, minGap) {
			return nil, false
		}
		ticks[i], last, lastLen = s, i, len(s)
	}
	return ticks, true
}

// stepLabel writes the step t compactly and exactly: 0, 500, 1k, 1.5k,
// 20k, 1.25M. ntcharts measures labels in bytes, so it is ASCII only.
func stepLabel(t float64) string {
	unit, scale := "", 1.0
	for _, u := range []struct {
		s string
		v float64
	}{{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if math.Abs(t) >= u.v {
			unit, scale = u.s, u.v
			break
		}
	}
	// -1 asks for the fewest digits that read back as t/scale.
	out := strconv.FormatFloat(t/scale, 'f', -1, 64)
	if out == "-0" {
		out = "0"
	}
	return out + unit
}

// curveChart draws one series as an ntcharts time-series line chart of
// w×h cells (axes and labels included) over steps [x0, x1] and values
// [lo, hi]; yLabel writes the y tick labels. It returns the chart and how
// many values were clamped to the range.
func curveChart(w, h int, s curveSeries, x0, x1, lo, hi float64, yLabel linechart.LabelFormatter, line, axis lipgloss.Style) (string, int) {
	const name = "curve"
	x0, x1 = min(max(x0, -maxStep), maxStep), min(max(x1, -maxStep), maxStep)
	if !(x1 > x0) {
		x0, x1 = x0-1, x0+1
	}
	c := timeserieslinechart.New(w, h,
		// ntcharts offers a label every n columns; with n = 1 the
		// formatter picks the columns, writing the round steps of
		// stepTicks and nothing elsewhere.
		timeserieslinechart.WithXYSteps(1, 2),
		timeserieslinechart.WithAxesStyles(axis, axis),
		timeserieslinechart.WithYLabelFormatter(yLabel),
		timeserieslinechart.WithTimeRange(stepTime(x0), stepTime(x1)),
		timeserieslinechart.WithYRange(lo, hi),
		timeserieslinechart.WithDataSetStyle(name, line),
	)
	c.AutoMinX, c.AutoMaxX, c.AutoMinY, c.AutoMaxY = false, false, false, false
	ticks := stepTicks(c.GraphWidth(), c.ViewMinX(), c.ViewMaxX())
	c.XLabelFormatter = func(i int, _ float64) string { return ticks[i] }
	// At most two points per braille dot column.
	sx := make([]float64, len(s.X))
	for i, x := range s.X {
		sx[i] = min(max(x, -maxStep), maxStep)
	}
	xs, ys, clamped := clampSeries(sx, s.Y, x0, x1, lo, hi, 2*max(1, c.GraphWidth()))
	// ntcharts keeps its default range (the present second) when it
	// refuses one; data far outside it must not reach the drawing code.
	t0, t1 := float64(stepTime(x0).Unix()), float64(stepTime(x1).Unix())
	if c.ViewMinX() != t0 || c.ViewMaxX() != t1 || c.ViewMinY() != lo || c.ViewMaxY() != hi {
		xs = nil
	}
	for i := range xs {
		c.PushDataSet(name, timeserieslinechart.TimePoint{Time: stepTime(xs[i]), Value: ys[i]})
	}
	c.DrawBrailleAll()
	if len(xs) == 0 {
		c.DrawXYAxisAndLabel()
	}
	return c.View(), clamped
}

// sparkRow draws ys (clamped to [lo, hi]) as one row of w ntcharts
// sparkline columns, binned so that the whole run fits.
func sparkRow(w int, xs, ys []float64, lo, hi float64, style lipgloss.Style) string {
	if w < 1 {
		return ""
	}
	sp := sparkline.New(w, 1, sparkline.WithStyle(style), sparkline.WithNoAutoMaxValue(), sparkline.WithMaxValue(1))
	x0, x1 := 0.0, 0.0
	if len(xs) > 0 {
		x0, x1 = slices.Min(xs), slices.Max(xs)
	}
	_, by, _ := clampSeries(xs, ys, x0, x1, lo, hi, w)
	for _, y := range by {
		// The lowest value keeps a ⅛ block so that it shows.
		sp.Push(0.125 + 0.875*(y-lo)/(hi-lo))
	}
	sp.Draw()
	return sp.View()
}

// fg returns a style of the session's renderer with foreground c.
func (c *Context) fg(col plot.Color) lipgloss.Style {
	st := c.Renderer.NewStyle()
	if n, ok := col.Index(); ok {
		st = st.Foreground(lipgloss.ANSIColor(n))
	}
	return st
}

// The y labels of both charts are padded to one width, so that their
// plots start in the same column and their step axes line up.
const yLabelWidth = 5

// logLabel writes a log₁₀ value as the value itself (1e-3, 0.02, 1.5).
func logLabel(_ int, v float64) string {
	return fmt.Sprintf("%*s", yLabelWidth, compactNum(math.Pow(10, v)))
}

// accLabel writes an accuracy tick.
func accLabel(_ int, v float64) string {
	return fmt.Sprintf("%*s", yLabelWidth, strconv.FormatFloat(v, 'f', 1, 64))
}

// curveNote says what was left out or clamped, "" when nothing was.
func curveNote(dropped, clamped int) string {
	var parts []string
	if dropped > 0 {
		parts = append(parts, fmt.Sprintf("%d non-finite", dropped))
	}
	if clamped > 0 {
		parts = append(parts, fmt.Sprintf("%d clipped", clamped))
	}
	if len(parts) == 0 {
		return ""
	}
	return " · " + strings.Join(parts, ", ")
}

// curvesView draws the loss (log axis) and, when hasAcc, the accuracy of
// ms in w×rows cells: one chart each with axes and a legend line when
// they fit, otherwise a sparkline row each, otherwise nothing. total
// (when > 0) extends the step axis to the end of the run. It returns at
// most rows lines, none wider than w.
func (p *trainingPane) curvesView(w, rows int, hasAcc bool) []string {
	if w < 6 || rows < 1 {
		return nil
	}
	st := p.ctx.Styles
	lossSt, accSt, axis := p.ctx.fg(st.Loss), p.ctx.fg(st.Accuracy), p.ctx.fg(st.Axis)
	loss, acc := sanitizeCurves(p.metrics)
	lo, hi := curveRange(loss.Y, 0.5)
	var x0, x1 float64
	if xs := append(slices.Clone(loss.X), acc.X...); len(xs) > 0 {
		x0, x1 = slices.Min(xs), slices.Max(xs)
	}
	if p.total > 0 {
		x1 = max(x1, float64(p.total))
	}
	legend := func(s lipgloss.Style, name string) string { return s.Render("━━") + " " + name }
	const minChart = 4 // two rows of plot, the x axis and its labels
	charts := 1
	if hasAcc {
		charts = 2
	}
	var out []string
	// Charts with axes when they fit: both, or the loss with an accuracy
	// sparkline below it.
	if w >= 16 && rows >= minChart+1 {
		accH := 0
		if hasAcc && rows >= charts*(minChart+1) {
			accH = (rows - charts) / 2
		}
		lossH := rows - 1
		if hasAcc {
			lossH = rows - 1 - min(rows-1-minChart, 1) // room for a sparkline
			if accH > 0 {
				lossH = rows - charts - accH
			}
		}
		chart, clamped := curveChart(w, lossH, loss, x0, x1, lo, hi, logLabel, lossSt, axis)
		out = append(out, legend(lossSt, "loss (log)")+st.Dim.Render(curveNote(loss.Dropped, clamped)))
		out = append(out, strings.Split(chart, "\n")...)
		switch {
		case accH > 0:
			chart, clamped := curveChart(w, accH, acc, x0, x1, 0, 1, accLabel, accSt, axis)
			out = append(out, legend(accSt, "accuracy")+st.Dim.Render(curveNote(acc.Dropped, clamped)))
			out = append(out, strings.Split(chart, "\n")...)
		case hasAcc && len(out) < rows && len(acc.Y) > 0:
			out = append(out, p.sparkLine(w, accSt, "acc", acc, 0, 1))
		}
		return out
	}
	// Too small for axes: a sparkline row per series.
	if len(loss.Y) > 0 {
		out = append(out, p.sparkLine(w, lossSt, "loss", loss, lo, hi))
	}
	if hasAcc && len(acc.Y) > 0 && len(out) < rows {
		out = append(out, p.sparkLine(w, accSt, "acc", acc, 0, 1))
	}
	return out
}

// sparkLine is a row: the series' name, then its sparkline.
func (p *trainingPane) sparkLine(w int, s lipgloss.Style, name string, c curveSeries, lo, hi float64) string {
	return s.Render(name) + " " + sparkRow(w-len(name)-1, c.X, c.Y, lo, hi, s)
}
