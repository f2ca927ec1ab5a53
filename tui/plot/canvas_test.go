package plot

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// stripANSI removes CSI sequences (ESC [ … final byte) from s.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkShape fails unless s has exactly rows lines of exactly cols runes
// once ANSI sequences are removed, and no control characters.
func checkShape(t *testing.T, s string, cols, rows int) {
	t.Helper()
	plain := stripANSI(s)
	if strings.ContainsRune(plain, 0x1b) {
		t.Fatalf("stray escape left after stripping: %q", s)
	}
	lines := strings.Split(plain, "\n")
	if rows == 0 {
		if s != "" {
			t.Fatalf("0-row canvas rendered %q, want empty", s)
		}
		return
	}
	if len(lines) != rows {
		t.Fatalf("rendered %d lines, want %d:\n%s", len(lines), rows, plain)
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n != cols {
			t.Fatalf("line %d has %d runes, want %d: %q", i, n, cols, l)
		}
		for _, r := range l {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("line %d holds control character %U", i, r)
			}
		}
	}
}

// grid renders c in mono and returns its cells as runes.
func grid(c *Canvas) [][]rune {
	mono := c.Mono
	c.Mono = true
	defer func() { c.Mono = mono }()
	var g [][]rune
	for _, l := range strings.Split(c.String(), "\n") {
		g = append(g, []rune(l))
	}
	return g
}

// dotSet returns the set dots of c as "px,py" → true, read back from the
// rendered braille runes with the Unicode dot numbering (independent of
// the drawing code's bit table).
func dotSet(t *testing.T, c *Canvas) map[[2]int]bool {
	t.Helper()
	// Unicode: dot k (1…8) is bit k−1; dots 1,2,3,7 are the left column
	// rows 0–3 and dots 4,5,6,8 the right column rows 0–3.
	pos := [8][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {0, 3}, {1, 3}}
	set := map[[2]int]bool{}
	for row, line := range grid(c) {
		for col, r := range line {
			if r == ' ' {
				continue
			}
			if r < 0x2800 || r > 0x28ff {
				t.Fatalf("cell (%d,%d) holds %q, not braille", col, row, r)
			}
			for k := range 8 {
				if (r-0x2800)&(1<<k) != 0 {
					set[[2]int{2*col + pos[k][0], 4*row + pos[k][1]}] = true
				}
			}
		}
	}
	return set
}

func TestNewCanvasSizes(t *testing.T) {
	for _, tc := range []struct{ cols, rows, wc, wr int }{
		{20, 8, 20, 8},
		{0, 5, 0, 5},
		{7, 0, 7, 0},
		{-3, -1, 0, 0},
		{MaxSize + 10, 2, MaxSize, 2},
	} {
		c := NewCanvas(tc.cols, tc.rows)
		if gc, gr := c.Size(); gc != tc.wc || gr != tc.wr {
			t.Errorf("NewCanvas(%d,%d).Size() = %d,%d, want %d,%d", tc.cols, tc.rows, gc, gr, tc.wc, tc.wr)
		}
		c.Point(0, 0, Red)
		c.Line(-1, -1, 1, 1, Red)
		c.Circle(0, 0, 0.5, Red)
		c.Mono = true
		checkShape(t, c.String(), tc.wc, tc.wr)
	}
}

func TestSetRange(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name           string
		x0, x1, y0, y1 float64
		ok             bool
	}{
		{"unit", -1, 1, -1, 1, true},
		{"tiny but representable", 0, 1e-200, 0, 1e-200, true},
		{"NaN", nan, 1, 0, 1, false},
		{"Inf", 0, inf, 0, 1, false},
		{"reversed", 1, 0, 0, 1, false},
		{"empty", 0, 1, 2, 2, false},
		{"width overflows", -1e308, 1e308, 0, 1, false},
		{"width underflows", 0, 1e-310, 0, 1, false},
	} {
		c := NewCanvas(4, 2)
		err := c.SetRange(tc.x0, tc.x1, tc.y0, tc.y1)
		if (err == nil) != tc.ok {
			t.Errorf("%s: SetRange error %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrRange) {
			t.Errorf("%s: error %v does not wrap ErrRange", tc.name, err)
		}
		x0, x1, y0, y1 := c.Range()
		if !tc.ok && (x0 != -1 || x1 != 1 || y0 != -1 || y1 != 1) {
			t.Errorf("%s: failed SetRange changed the range to %v %v %v %v", tc.name, x0, x1, y0, y1)
		}
	}
}

func TestSetRangeEqual(t *testing.T) {
	c := NewCanvas(40, 10) // 80×40 dots
	if err := c.SetRangeEqual(-1, 1, -1, 1); err != nil {
		t.Fatal(err)
	}
	x0, x1, y0, y1 := c.Range()
	// y is the tighter axis per dot (2/40 > 2/80): x keeps ±1 widened to
	// 80 dots · (2/40) = 4 wide.
	if y0 != -1 || y1 != 1 || math.Abs(x0+2) > 1e-12 || math.Abs(x1-2) > 1e-12 {
		t.Errorf("range %v %v %v %v, want [-2,2]×[-1,1]", x0, x1, y0, y1)
	}
	w, h := c.DotSize()
	if ux, uy := (x1-x0)/float64(w), (y1-y0)/float64(h); math.Abs(ux-uy) > 1e-12 {
		t.Errorf("units per dot %v (x) vs %v (y)", ux, uy)
	}
}

func TestAutoRange(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		xs, ys []float64
		want   [4]float64
	}{
		{"plain", []float64{0, 2}, []float64{-1, 3}, [4]float64{-0.2, 2.2, -1.4, 3.4}},
		{"skips non-finite", []float64{0, nan, 2, math.Inf(1)}, []float64{-1, 0, 3, 0}, [4]float64{-0.2, 2.2, -1.4, 3.4}},
		{"degenerate", []float64{4, 4}, []float64{0.5, 0.5}, [4]float64{2, 6, 0, 1}},
		{"none finite", []float64{nan}, []float64{1}, [4]float64{-1, 1, -1, 1}},
	} {
		x0, x1, y0, y1 := AutoRange(tc.xs, tc.ys, 0.1)
		got := [4]float64{x0, x1, y0, y1}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("%s: AutoRange = %v, want %v", tc.name, got, tc.want)
				break
			}
		}
		if err := NewCanvas(4, 4).SetRange(x0, x1, y0, y1); err != nil {
			t.Errorf("%s: AutoRange result rejected: %v", tc.name, err)
		}
	}
}
