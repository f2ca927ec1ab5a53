package plot

import (
	"fmt"
	"math"
	"testing"
)

// TestBrailleBitLayout checks each dot of one cell against the Unicode
// braille numbering: dots 1, 2, 3, 7 down the left column, 4, 5, 6, 8 down
// the right, dot k being bit k−1 of U+2800.
func TestBrailleBitLayout(t *testing.T) {
	for _, tc := range []struct {
		px, py int
		want   rune
	}{
		{0, 0, '⠁'}, // dot 1, U+2801
		{0, 1, '⠂'}, // dot 2, U+2802
		{0, 2, '⠄'}, // dot 3, U+2804
		{0, 3, '⡀'}, // dot 7, U+2840
		{1, 0, '⠈'}, // dot 4, U+2808
		{1, 1, '⠐'}, // dot 5, U+2810
		{1, 2, '⠠'}, // dot 6, U+2820
		{1, 3, '⢀'}, // dot 8, U+2880
	} {
		c := NewCanvas(1, 1)
		c.Dot(tc.px, tc.py, Default)
		if got := grid(c)[0][0]; got != tc.want {
			t.Errorf("dot (%d,%d) renders %q %U, want %q %U", tc.px, tc.py, got, got, tc.want, tc.want)
		}
	}
	c := NewCanvas(1, 1)
	for py := range 4 {
		for px := range 2 {
			c.Dot(px, py, Default)
		}
	}
	if got := grid(c)[0][0]; got != '⣿' {
		t.Errorf("all eight dots render %q, want ⣿", got)
	}
	c.Dot(2, 0, Default)
	c.Dot(0, -1, Default)
	if s := c.Stats(); s != (Stats{OffScale: 2}) {
		t.Errorf("dots outside: stats %+v", s)
	}
}

// TestPointPlacement draws single points on a 3×2 canvas whose 6×8 dot
// space maps one world unit to one dot (x ∈ [0,6], y ∈ [0,8], y up).
func TestPointPlacement(t *testing.T) {
	for _, tc := range []struct {
		name     string
		x, y     float64
		col, row int
		want     rune
	}{
		{"top-left corner", 0, 8, 0, 0, '⠁'},
		{"top-right corner", 6, 8, 2, 0, '⠈'},
		{"bottom-left corner", 0, 0, 0, 1, '⡀'},
		{"bottom-right corner", 6, 0, 2, 1, '⢀'},
		{"interior dot (2,2)", 2.5, 5.5, 1, 0, '⠄'},  // dot row ⌊8−5.5⌋ = 2, left column
		{"interior dot (3,5)", 3.99, 2.5, 1, 1, '⠐'}, // dot row ⌊5.5⌋ = 5 → cell row 1, dot row 1, right column
		{"just inside right edge", 5.999, 4.001, 2, 0, '⢀'},
		{"dot boundary y=4", 1, 4, 0, 1, '⠈'}, // ⌊8−4⌋ = 4 → top of cell row 1
	} {
		c := NewCanvas(3, 2)
		if err := c.SetRange(0, 6, 0, 8); err != nil {
			t.Fatal(err)
		}
		c.Point(tc.x, tc.y, Default)
		g := grid(c)
		for r, line := range g {
			for col, got := range line {
				want := ' '
				if r == tc.row && col == tc.col {
					want = tc.want
				}
				if got != want {
					t.Errorf("%s: cell (%d,%d) = %q, want %q", tc.name, col, r, got, want)
				}
			}
		}
		if s := c.Stats(); s != (Stats{}) {
			t.Errorf("%s: stats %+v, want none", tc.name, s)
		}
	}
}

func TestPointRejects(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	c := NewCanvas(3, 2)
	if err := c.SetRange(0, 6, 0, 8); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]float64{{nan, 1}, {1, nan}, {inf, 1}, {1, -inf}} {
		c.Point(p[0], p[1], Red)
	}
	for _, p := range [][2]float64{{-0.001, 1}, {6.001, 1}, {1, 8.0001}, {1, -1e-9}, {1e300, 1}, {-1e300, -1e300}} {
		c.Point(p[0], p[1], Red)
	}
	if got := c.Stats(); got != (Stats{NonFinite: 4, OffScale: 6}) || got.Hidden() != 10 {
		t.Errorf("stats %+v, want 4 non-finite, 6 off-scale", got)
	}
	if len(dotSet(t, c)) != 0 {
		t.Error("rejected points left dots")
	}
	c.Clear()
	if c.Stats() != (Stats{}) {
		t.Error("Clear did not reset stats")
	}
}

// bresenhamRef is an independent rasteriser: for each step along the major
// axis it rounds the minor coordinate of the exact line.
func bresenhamRef(x0, y0, x1, y1 int) map[[2]int]bool {
	set := map[[2]int]bool{}
	dx, dy := x1-x0, y1-y0
	n := max(abs(dx), abs(dy))
	if n == 0 {
		set[[2]int{x0, y0}] = true
		return set
	}
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		set[[2]int{int(math.Round(float64(x0) + t*float64(dx))), int(math.Round(float64(y0) + t*float64(dy)))}] = true
	}
	return set
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// TestLines draws lines whose end points lie at dot centres of a 10×5
// canvas (20×20 dots, one world unit per dot, y up) and compares the dots
// with an independent rasteriser at slopes where rounding has no ties.
func TestLines(t *testing.T) {
	// World (x, y) is the centre of dot (px, py) with x = px+0.5, y = 19.5−py.
	w := func(px, py int) (float64, float64) { return float64(px) + 0.5, 19.5 - float64(py) }
	for _, tc := range [][4]int{
		{0, 0, 19, 19},  // diagonal
		{0, 19, 19, 0},  // anti-diagonal
		{0, 7, 19, 7},   // horizontal
		{4, 0, 4, 19},   // vertical
		{0, 0, 19, 3},   // shallow
		{2, 1, 5, 18},   // steep
		{17, 12, 3, 6},  // right to left, slope 3/7
		{6, 6, 6, 6},    // a single dot
		{19, 0, 0, 10},  // shallow descending
		{10, 19, 13, 0}, // steep, 3 over 19
	} {
		c := NewCanvas(10, 5)
		if err := c.SetRange(0, 20, 0, 20); err != nil {
			t.Fatal(err)
		}
		x0, y0 := w(tc[0], tc[1])
		x1, y1 := w(tc[2], tc[3])
		c.Line(x0, y0, x1, y1, Default)
		got := dotSet(t, c)
		want := bresenhamRef(tc[0], tc[1], tc[2], tc[3])
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("line %v: dots\n %v\nwant\n %v", tc, got, want)
		}
		if s := c.Stats(); s != (Stats{}) {
			t.Errorf("line %v: stats %+v", tc, s)
		}
	}
}

// TestLineReversible checks that a segment and its reverse set the same
// dots, also at slopes where the rasteriser must break ties.
func TestLineReversible(t *testing.T) {
	for _, s := range [][4]float64{{17.5, 12.5, 3.5, 5.5}, {0.5, 0.5, 4.5, 2.5}, {1.5, 19.5, 2.5, 0.5}, {-3, 7, 30, -2}} {
		a, b := NewCanvas(10, 5), NewCanvas(10, 5)
		for _, c := range []*Canvas{a, b} {
			if err := c.SetRange(0, 20, 0, 20); err != nil {
				t.Fatal(err)
			}
		}
		a.Line(s[0], s[1], s[2], s[3], Default)
		b.Line(s[2], s[3], s[0], s[1], Default)
		if ga, gb := dotSet(t, a), dotSet(t, b); fmt.Sprint(ga) != fmt.Sprint(gb) {
			t.Errorf("segment %v: dots %v, reversed %v", s, ga, gb)
		}
	}
}

func TestHVLine(t *testing.T) {
	c := NewCanvas(10, 5)
	if err := c.SetRange(0, 20, 0, 20); err != nil {
		t.Fatal(err)
	}
	c.HLine(12.5, Default) // dot row ⌊20−12.5⌋ = 7
	c.VLine(3.2, Default)  // dot column 3
	got := dotSet(t, c)
	want := map[[2]int]bool{}
	for i := range 20 {
		want[[2]int{i, 7}] = true
		want[[2]int{3, i}] = true
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dots %v, want %v", got, want)
	}
	c.HLine(21, Default)
	c.VLine(math.NaN(), Default)
	if s := c.Stats(); s != (Stats{NonFinite: 1, OffScale: 1}) {
		t.Errorf("stats %+v", s)
	}
}

// TestLineClipping checks that a segment reaching far outside the range is
// drawn exactly as its visible part.
func TestLineClipping(t *testing.T) {
	for _, tc := range []struct {
		name        string
		far, inside [4]float64
	}{
		{"to +1e300 in x", [4]float64{0.5, 0.5, 1e300, 0.5}, [4]float64{0.5, 0.5, 20, 0.5}},
		{"from +1e300 in x", [4]float64{1e300, 0.5, 0.5, 0.5}, [4]float64{0.5, 0.5, 20, 0.5}},
		{"across ±1e300", [4]float64{-1e300, 7.5, 1e300, 7.5}, [4]float64{0, 7.5, 20, 7.5}},
		{"vertical to −1e300", [4]float64{3.5, 10.5, 3.5, -1e300}, [4]float64{3.5, 10.5, 3.5, 0}},
		{"diagonal to 1e300", [4]float64{0.5, 0.5, 1e300, 1e300}, [4]float64{0.5, 0.5, 20, 20}},
		{"slope 1/2 to 2e300", [4]float64{0, 0, 2e300, 1e300}, [4]float64{0, 0, 20, 10}},
	} {
		a, b := NewCanvas(10, 5), NewCanvas(10, 5)
		for _, c := range []*Canvas{a, b} {
			if err := c.SetRange(0, 20, 0, 20); err != nil {
				t.Fatal(err)
			}
		}
		a.Line(tc.far[0], tc.far[1], tc.far[2], tc.far[3], Default)
		b.Line(tc.inside[0], tc.inside[1], tc.inside[2], tc.inside[3], Default)
		if ga, gb := dotSet(t, a), dotSet(t, b); fmt.Sprint(ga) != fmt.Sprint(gb) {
			t.Errorf("%s: clipped dots\n %v\nwant\n %v", tc.name, ga, gb)
		}
		if s := a.Stats(); s != (Stats{Clipped: 1}) {
			t.Errorf("%s: stats %+v, want one clipped", tc.name, s)
		}
	}
	c := NewCanvas(10, 5)
	if err := c.SetRange(0, 20, 0, 20); err != nil {
		t.Fatal(err)
	}
	c.Line(-1e300, 30, 1e300, 30, Red) // above the range
	c.Line(-5, -5, 5, -50, Red)        // below
	c.Line(-1e300, 1e300, 1e300, 1e300, Red)
	if s := c.Stats(); s != (Stats{OffScale: 3}) || len(dotSet(t, c)) != 0 {
		t.Errorf("off-range lines: stats %+v, dots %v", s, dotSet(t, c))
	}
}

func TestPolyline(t *testing.T) {
	c := NewCanvas(10, 5)
	if err := c.SetRange(0, 20, 0, 20); err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	// Two pieces separated by a NaN: (0.5,19.5)–(5.5,19.5) and (10.5,0.5)–(19.5,0.5).
	c.Polyline([]float64{0.5, 5.5, nan, 10.5, 19.5}, []float64{19.5, 19.5, 3, 0.5, 0.5}, Default)
	want := map[[2]int]bool{}
	for i := 0; i <= 5; i++ {
		want[[2]int{i, 0}] = true
	}
	for i := 10; i <= 19; i++ {
		want[[2]int{i, 19}] = true
	}
	if got := dotSet(t, c); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dots %v, want %v", got, want)
	}
	if s := c.Stats(); s != (Stats{NonFinite: 1}) {
		t.Errorf("stats %+v, want one non-finite", s)
	}
}

// TestCircleSymmetric draws circles centred on a dot boundary and checks
// that the dots are mirror-symmetric about both axes, lie at the radius and
// leave no gap (every dot has at least two of its 8 neighbours).
func TestCircleSymmetric(t *testing.T) {
	for _, r := range []float64{0.37, 0.63, 0.9, 1.0, 1.41, 2} {
		c := NewCanvas(40, 20) // 80×80 dots
		if err := c.SetRange(-2, 2, -2, 2); err != nil {
			t.Fatal(err)
		}
		c.Circle(0, 0, r, Default)
		set := dotSet(t, c)
		if len(set) == 0 {
			t.Fatalf("r=%v: no dots", r)
		}
		w, h := c.DotSize()
		for p := range set {
			for _, m := range [][2]int{{w - 1 - p[0], p[1]}, {p[0], h - 1 - p[1]}, {w - 1 - p[0], h - 1 - p[1]}} {
				if !set[m] {
					t.Errorf("r=%v: dot %v set but mirror %v not", r, p, m)
				}
			}
			// Dot centre distance from the centre, in dots (20 dots per unit).
			dx, dy := float64(p[0])+0.5-40, float64(p[1])+0.5-40
			if d := math.Hypot(dx, dy); math.Abs(d-20*r) > 1 {
				t.Errorf("r=%v: dot %v at distance %.2f dots, want %.2f±1", r, p, d, 20*r)
			}
			nb := 0
			for _, o := range [][2]int{{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}} {
				if set[[2]int{p[0] + o[0], p[1] + o[1]}] {
					nb++
				}
			}
			if nb < 2 {
				t.Errorf("r=%v: dot %v has %d neighbours, want ≥ 2 (a gap)", r, p, nb)
			}
		}
	}
}

func TestCircleStats(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cx, cy, r float64
		want      Stats
		dots      bool
	}{
		{"inside", 0, 0, 1, Stats{}, true},
		{"touching the edges", 0, 0, 2, Stats{}, true},
		{"partly out", 1.5, 0, 1, Stats{Clipped: 1}, true},
		{"far away", 10, 10, 1, Stats{OffScale: 1}, false},
		{"encloses the range", 0, 0, 100, Stats{OffScale: 1}, false},
		{"huge, crossing", 1e6, 0, 1e6 - 0.5, Stats{Clipped: 1}, true},
		{"negative radius", 0, 0, -1, Stats{NonFinite: 1}, false},
		{"NaN radius", 0, 0, math.NaN(), Stats{NonFinite: 1}, false},
		{"Inf centre", math.Inf(-1), 0, 1, Stats{NonFinite: 1}, false},
		{"zero radius", 0.1, 0.1, 0, Stats{}, true},
	} {
		c := NewCanvas(20, 10)
		if err := c.SetRange(-2, 2, -2, 2); err != nil {
			t.Fatal(err)
		}
		c.Circle(tc.cx, tc.cy, tc.r, Default)
		if s := c.Stats(); s != tc.want {
			t.Errorf("%s: stats %+v, want %+v", tc.name, s, tc.want)
		}
		if got := len(dotSet(t, c)) > 0; got != tc.dots {
			t.Errorf("%s: dots drawn %v, want %v", tc.name, got, tc.dots)
		}
	}
}

// TestCircleHugeMatchesLine checks a circle of radius 1e6 centred at
// (1e6, 0): near the origin it is within a dot of the line x = 0.5, the
// boundary between dot columns 24 and 25 on [−2, 2] at 10 dots per unit.
func TestCircleHugeMatchesLine(t *testing.T) {
	c := NewCanvas(20, 10) // 40×40 dots
	if err := c.SetRange(-2, 2, -2, 2); err != nil {
		t.Fatal(err)
	}
	c.Circle(1e6, 0, 1e6-0.5, Default)
	set := dotSet(t, c)
	for p := range set {
		if p[0] != 24 && p[0] != 25 {
			t.Errorf("dot %v, want dot column 24 or 25", p)
		}
	}
	if len(set) < 40 {
		t.Errorf("%d dots, want at least one per dot row", len(set))
	}
}

func TestTextAndMarker(t *testing.T) {
	c := NewCanvas(6, 2)
	if err := c.SetRange(0, 12, 0, 8); err != nil {
		t.Fatal(err)
	}
	c.Line(0, 7.5, 12, 7.5, Default) // top dot row of cell row 0
	c.Text(-2, 0, "abcd", Default)   // "ab" cut off on the left
	c.Text(3, 1, "\tx€z", Red)       // tab → '?'; 'z' falls off the right edge
	c.Text(0, 5, "never", Red)       // row outside
	c.Marker(11.5, 0.5, '●', Blue)   // dot (11, 7) → cell (5, 1), over '€'
	c.Marker(math.NaN(), 0, '●', Blue)
	c.Marker(13, 0, '●', Blue)
	g := grid(c)
	for r, want := range []string{"cd⠉⠉⠉⠉", "   ?x●"} {
		if string(g[r]) != want {
			t.Errorf("row %d = %q, want %q", r, string(g[r]), want)
		}
	}
	if s := c.Stats(); s != (Stats{NonFinite: 1, OffScale: 1}) {
		t.Errorf("stats %+v", s)
	}
}

// TestHostileInputs feeds NaN, ±Inf, ±1e300, ±MaxFloat64 and the smallest
// subnormal to every drawing function in every argument position. Each call
// does bounded work by construction, so the loop is finite and fast; the
// canvas must stay renderable with the right shape, calls with only
// non-finite input must leave no trace, and no call may allocate.
func TestHostileInputs(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 0, 0.5}
	c := NewCanvas(30, 10)
	calls := 0
	for _, a := range bad {
		for _, b := range bad {
			c.Point(a, b, Red)
			c.Marker(a, b, '×', Red)
			c.HLine(a, Red)
			c.VLine(b, Red)
			c.Points([]float64{a, b}, []float64{b, a}, Red)
			c.Polyline([]float64{a, b, 0}, []float64{b, 0, a}, Red)
			c.Dot(int(a), int(b), Red)
			calls += 7
			for _, d := range bad {
				c.Circle(a, b, d, Red)
				calls++
				for _, e := range bad {
					c.Line(a, b, d, e, Red)
					calls++
				}
			}
		}
	}
	c.Mono = false
	checkShape(t, c.String(), 30, 10)
	c.Mono = true
	checkShape(t, c.String(), 30, 10)
	s := c.Stats()
	if s.NonFinite == 0 || s.OffScale == 0 || s.Clipped == 0 {
		t.Errorf("stats %+v after %d hostile calls: expected all three counts to be used", s, calls)
	}

	// Non-finite-only calls must leave no trace.
	c.Clear()
	nan, inf := math.NaN(), math.Inf(1)
	c.Point(nan, 0, Red)
	c.Line(0, 0, inf, 0, Red)
	c.Line(nan, nan, nan, nan, Red)
	c.Circle(0, 0, inf, Red)
	c.Marker(0, -inf, 'x', Red)
	if got := c.String(); got != NewCanvas(30, 10).String() {
		t.Errorf("non-finite calls drew something:\n%s", got)
	}
	if s := c.Stats(); s != (Stats{NonFinite: 5}) {
		t.Errorf("stats %+v, want 5 non-finite", s)
	}

	allocs := testing.AllocsPerRun(10, func() {
		c.Line(0.1, 0.1, 1e300, -1e300, Red)
		c.Line(-1e300, 1e300, 1e300, -1e300, Red)
		c.Circle(1e300, 0, 1e300, Red)
		c.Circle(0, 0, 1e300, Red)
		c.Point(nan, 1e300, Red)
	})
	if allocs != 0 {
		t.Errorf("drawing with extreme coordinates allocates %v times", allocs)
	}
}

// TestHostileRanges draws on canvases with extreme but valid ranges.
func TestHostileRanges(t *testing.T) {
	for _, r := range [][4]float64{
		{-1e300, 1e300, -1e300, 1e300},
		{1e-250, 2e-250, -1e-250, 1e-250},
		{1e15, 1e15 + 4, 0, 1},
		{-8e307, 8e307, -1, 1},
	} {
		c := NewCanvas(20, 6)
		if err := c.SetRange(r[0], r[1], r[2], r[3]); err != nil {
			t.Fatalf("range %v: %v", r, err)
		}
		mx, my := r[0]/2+r[1]/2, r[2]/2+r[3]/2
		c.Point(mx, my, Red)
		c.Line(r[0], r[2], r[1], r[3], Red)
		c.Line(-math.MaxFloat64, my, math.MaxFloat64, my, Red)
		c.Circle(mx, my, r[1]/2-r[0]/2, Red)
		c.HLine(my, Red)
		c.VLine(mx, Red)
		checkShape(t, c.String(), 20, 6)
		if len(dotSet(t, c)) == 0 {
			t.Errorf("range %v: nothing drawn", r)
		}
	}
}
