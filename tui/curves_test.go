package tui

import (
	"encoding/binary"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"attractor/train"
)

// trainingWith returns a training pane of w×h cells showing ms.
func trainingWith(t testing.TB, w, h int, ms []train.Metrics, total int) *trainingPane {
	return trainingIn(testContext(t), w, h, ms, total)
}

func trainingIn(c *Context, w, h int, ms []train.Metrics, total int) *trainingPane {
	p := newTrainingPane(c)
	p.SetSize(w, h)
	p.metrics, p.total, p.source = ms, total, "test"
	return p
}

// checkBounded fails unless view is exactly h lines of at most w columns.
func checkBounded(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("the pane has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d columns wide, more than %d", i, lw, w)
		}
	}
}

// A training log with NaN, ±Inf, 1e300 and a zero loss (which has no
// logarithm) draws in bounded time and memory: without sanitising, one of
// them makes ntcharts allocate until the process dies. The pane says how
// many values it skipped or clamped.
func TestTrainingCurvesNonFinite(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300, 0, 5e-324, math.MaxFloat64}
	var ms []train.Metrics
	for i := range 200 {
		m := train.Metrics{Step: i + 1, Loss: math.Exp(-float64(i) / 50), Accuracy: float64(i) / 200}
		if i%25 == 7 {
			m.Loss, m.Accuracy = bad[(i/25)%len(bad)], bad[(i/25+3)%len(bad)]
		}
		ms = append(ms, m)
	}
	cases := []struct {
		name string
		ms   []train.Metrics
	}{
		{"mixed", ms},
		{"empty", nil},
		{"all NaN", []train.Metrics{{Step: 1, Loss: math.NaN(), Accuracy: math.NaN()}, {Step: 2, Loss: math.NaN(), Accuracy: math.NaN()}}},
		{"one point", []train.Metrics{{Step: 3, Loss: 1e300, Accuracy: 1e300}}},
		{"outlier", []train.Metrics{{Step: 1, Loss: 0.5, Accuracy: 0.5}, {Step: 2, Loss: 1e300, Accuracy: -1e300}, {Step: 3, Loss: 0.25, Accuracy: 0.7}}},
		{"huge steps", []train.Metrics{{Step: math.MinInt64, Loss: 1}, {Step: math.MaxInt64, Loss: 2}}},
		// MaxInt64 as a float64 is 2⁶³, which overflows int64 seconds on
		// the time axis; a step near the present time then sat inside
		// ntcharts' default range, 2e9 columns from its neighbour.
		{"step 2⁶³", []train.Metrics{{Step: 0, Loss: 1}, {Step: int(time.Now().Unix()), Loss: 2}, {Step: math.MaxInt64, Loss: 3}}},
	}
	for _, c := range cases {
		for _, sz := range [][2]int{{22, 6}, {40, 33}, {60, 20}, {200, 60}} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p := trainingWith(t, sz[0], sz[1], c.ms, 0)
			v := p.View()
			runtime.ReadMemStats(&after)
			checkBounded(t, v, sz[0], sz[1])
			// A 200×60 chart needs well under a megabyte; ntcharts fed a
			// far outlier allocates gigabytes.
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
				t.Errorf("%s at %v: drawing allocated %d MB", c.name, sz, got>>20)
			}
		}
	}
	v := ansi.Strip(trainingWith(t, 60, 30, ms, 0).View())
	if !strings.Contains(v, "non-finite") {
		t.Errorf("the pane does not say that it skipped non-finite values:\n%s", v)
	}
	v = ansi.Strip(trainingWith(t, 60, 30, cases[4].ms, 0).View())
	if !strings.Contains(v, "clipped") {
		t.Errorf("the pane does not say that it clamped a value:\n%s", v)
	}
}

// Steps at the ends of int64 (2⁶³ as a float64 overflows int64 seconds)
// and the present time (inside ntcharts' default range, which it keeps
// when it refuses a range) draw bounded: before the fix, this chart
// allocated until it died.
func TestCurveChartExtremeSteps(t *testing.T) {
	st := lipgloss.NewStyle()
	for _, xs := range [][]float64{
		{0, float64(time.Now().Unix()), float64(math.MaxInt64)},
		{float64(math.MinInt64), float64(time.Now().Unix()), 0},
		{-1e300, 0, 1e300},
	} {
		v, _ := curveChart(40, 12, curveSeries{X: xs, Y: []float64{0, 0.5, 1}}, slices.Min(xs), slices.Max(xs), 0, 1, accLabel, st, st)
		checkBounded(t, v, 40, 12)
	}
}

// Loss and accuracy get their own charts, each with a y axis labelled in
// its own units (loss on a log axis), and a legend line; a small pane
// shows sparklines instead.
func TestTrainingCurvesLayout(t *testing.T) {
	var ms []train.Metrics
	for i := range 100 {
		ms = append(ms, train.Metrics{Step: 10 * (i + 1), Loss: math.Pow(10, -3*float64(i)/99), Accuracy: float64(i) / 99})
	}
	v := ansi.Strip(trainingWith(t, 40, 33, ms, 2000).View())
	// The loss axis reaches below 1e-3 (the last loss), labelled in
	// powers of ten; accuracy runs from 0.0 to 1.0; the step axis (10 to
	// 2000) is labelled in round steps from 0 under its corner.
	for _, want := range []string{"━━ loss (log)", "━━ accuracy", "  0.0└", "  0.9│", "e-4└", "     0       500     1k"} {
		if !strings.Contains(v, want) {
			t.Errorf("the 40×33 pane lacks %q:\n%s", want, v)
		}
	}
	if n := strings.Count(v, "└"); n != 2 {
		t.Errorf("the 40×33 pane has %d x axes, want 2 (loss and accuracy):\n%s", n, v)
	}
	v = ansi.Strip(trainingWith(t, 22, 6, ms, 0).View())
	if !strings.Contains(v, "loss ") || strings.Contains(v, "┤") {
		t.Errorf("the 22×6 pane should show a loss sparkline and no axes:\n%s", v)
	}
	// The sparkline falls with the loss: its first column is taller than its last.
	for _, l := range strings.Split(v, "\n") {
		if i := strings.Index(l, "loss "); i >= 0 && !strings.HasPrefix(l[i:], "loss 0") {
			cols := []rune(strings.TrimRight(l[i+len("loss "):], " │"))
			if len(cols) < 2 || cols[0] <= cols[len(cols)-1] {
				t.Errorf("the loss sparkline %q does not fall", string(cols))
			}
		}
	}
}

// stepAxes returns the label rows of the step axes in a stripped view:
// the rows under a line holding "└".
func stepAxes(view string) []string {
	lines := strings.Split(view, "\n")
	var rows []string
	for i, l := range lines {
		if strings.Contains(l, "└") && i+1 < len(lines) {
			rows = append(rows, lines[i+1])
		}
	}
	return rows
}

// parseStep reads a step label (500, 1.5k, 2M) back.
func parseStep(s string) (float64, error) {
	scale := 1.0
	for suffix, v := range map[string]float64{"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12} {
		if strings.HasSuffix(s, suffix) {
			s, scale = strings.TrimSuffix(s, suffix), v
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v * scale, err
}

// roundStep reports whether d is 1, 2 or 5 × 10^k (k ≥ 0).
func roundStep(d float64) bool {
	for p := 1.0; p <= 1e15; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if d == m*p {
				return true
			}
		}
	}
	return false
}

// The step axes are labelled at round steps: every label is a multiple
// of one step of 1, 2 or 5 × 10^k, the labels are that step apart, at
// least two are shown, and each starts within a column of where its step
// is drawn. Before, ntcharts labelled fixed columns: 1 113 225.
func TestStepAxisRoundTicks(t *testing.T) {
	cases := []struct {
		first, last, total int
	}{
		{1, 225, 0}, {1, 113, 0}, {10, 1000, 2000}, {1, 6000, 6000}, {1, 37, 0},
		{500, 1700, 0}, {1, 1_000_000, 0}, {100_000, 2_345_678, 0}, {3, 5, 0},
	}
	for _, c := range cases {
		var ms []train.Metrics
		n := min(400, c.last-c.first+1)
		for k := range n {
			step := c.first + k*(c.last-c.first)/max(1, n-1)
			ms = append(ms, train.Metrics{Step: step, Loss: math.Exp(-float64(k) / 50), Accuracy: float64(k) / float64(n)})
		}
		for _, w := range []int{22, 30, 40, 80, 200} {
			v := ansi.Strip(trainingWith(t, w, 30, ms, c.total).View())
			rows := stepAxes(v)
			if len(rows) == 0 {
				t.Errorf("steps %d..%d at width %d: no step axis:\n%s", c.first, c.last, w, v)
				continue
			}
			for _, row := range rows {
				row = strings.Trim(row, "│")
				fields := strings.Fields(row)
				if len(fields) < 2 {
					t.Errorf("steps %d..%d at width %d: %d step labels in %q, want at least 2", c.first, c.last, w, len(fields), row)
					continue
				}
				var vals []float64
				for _, f := range fields {
					x, err := parseStep(f)
					if err != nil {
						t.Errorf("steps %d..%d at width %d: label %q in %q: %v", c.first, c.last, w, f, row, err)
					}
					vals = append(vals, x)
				}
				d := vals[1] - vals[0]
				if !roundStep(d) {
					t.Errorf("steps %d..%d at width %d: labels %q are %g apart, not 1, 2 or 5 × 10^k", c.first, c.last, w, row, d)
				}
				for i, x := range vals {
					if math.Mod(x, d) != 0 || (i > 0 && x-vals[i-1] != d) {
						t.Errorf("steps %d..%d at width %d: labels %q are not the multiples of %g in order", c.first, c.last, w, row, d)
						break
					}
				}
				// Each label starts in the column where its step is
				// drawn (within one column): the axis spans the row
				// right of the y labels (yLabelWidth columns and the axis).
				x0, x1 := float64(c.first), float64(max(c.last, c.total))
				gw := ansi.StringWidth(row) - yLabelWidth - 1
				col := 0
				for i, f := range fields {
					col += strings.Index(row[col:], f)
					want := float64(yLabelWidth+1) + (vals[i]-x0)*float64(gw)/(x1-x0)
					if math.Abs(float64(col)-want) > 1.5 {
						t.Errorf("steps %d..%d at width %d: label %q starts in column %d, its step is drawn at %.1f: %q", c.first, c.last, w, f, col, want, row)
					}
					col += len(f)
				}
			}
		}
	}
}

// stepLabel writes round steps compactly and exactly.
func TestStepLabel(t *testing.T) {
	for _, c := range []struct {
		t    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {500, "500"}, {1000, "1k"}, {1500, "1.5k"},
		{1050, "1.05k"}, {20000, "20k"}, {1_250_000, "1.25M"}, {3e9, "3G"}, {-200, "-200"}, {7, "7"},
	} {
		if got := stepLabel(c.t); got != c.want {
			t.Errorf("stepLabel(%g) = %q, want %q", c.t, got, c.want)
		}
	}
}

// curveRange ignores a far outlier among many values but keeps the last.
func TestCurveRange(t *testing.T) {
	ys := make([]float64, 100)
	for i := range ys {
		ys[i] = float64(i) / 100
	}
	ys[40] = 300
	lo, hi := curveRange(ys, 0.5)
	if hi > 2 || lo > 0.05 {
		t.Errorf("range [%g, %g] was stretched by the outlier or misses the low values", lo, hi)
	}
	ys[99] = 300
	if _, hi := curveRange(ys, 0.5); hi < 300 {
		t.Errorf("range top %g leaves out the last value 300", hi)
	}
	if lo, hi := curveRange(nil, 0.5); !(hi-lo >= 0.5) {
		t.Errorf("empty range [%g, %g]", lo, hi)
	}
}

// Any log a file can hold draws bounded.
func FuzzTrainingCurves(f *testing.F) {
	f.Add([]byte{}, uint8(40), uint8(30))
	f.Add(binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.NaN())), uint8(22), uint8(6))
	f.Add(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, math.Float64bits(1e300)), math.Float64bits(-1e300)), uint8(80), uint8(40))
	c := testContext(f)
	f.Fuzz(func(t *testing.T, data []byte, w, h uint8) {
		var ms []train.Metrics
		for i := 0; i+24 <= len(data) && len(ms) < 2000; i += 24 {
			ms = append(ms, train.Metrics{
				Step:     int(int64(binary.LittleEndian.Uint64(data[i:]))),
				Loss:     math.Float64frombits(binary.LittleEndian.Uint64(data[i+8:])),
				Accuracy: math.Float64frombits(binary.LittleEndian.Uint64(data[i+16:])),
			})
		}
		W, H := 4+int(w)%200, 3+int(h)%60
		checkBounded(t, trainingIn(c, W, H, ms, int(w)*1000).View(), W, H)
	})
}

// BenchmarkTrainingPane renders the training pane (two ntcharts charts
// with axes) at the training column of a 200×60 screen for a 10,000-unit
// log: what each new metric costs, since the pane re-renders only then.
func BenchmarkTrainingPane(b *testing.B) {
	var ms []train.Metrics
	for i := range 10000 {
		ms = append(ms, train.Metrics{Step: i + 1, Loss: math.Exp(-float64(i) / 2000), Accuracy: 1 - math.Exp(-float64(i)/1000)})
	}
	p := trainingWith(b, 40, 33, ms, 0)
	b.ReportAllocs()
	for b.Loop() {
		p.dirty = true
		_ = p.View()
	}
}
