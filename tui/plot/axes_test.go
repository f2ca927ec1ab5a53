package plot

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		// (hi−lo)/n = 0.2: step 0.1 gives 11 ticks, 0.2 gives 6, 0.5 gives 3.
		{0, 1, 5, []float64{0, 0.5, 1}},
		{0, 1, 6, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{-1.5, 1.5, 7, []float64{-1.5, -1, -0.5, 0, 0.5, 1, 1.5}},
		{0, 100, 3, []float64{0, 50, 100}},
		{-0.3, 0.7, 2, []float64{0, 0.5}},
		{1e15, 1e15 + 4, 3, []float64{1e15, 1e15 + 2, 1e15 + 4}},
		{-1, 1, 3, []float64{-1, 0, 1}},
		{2.1, 2.9, 1, []float64{2.5}}, // n < 2 is taken as 2
		{0.0031, 0.0049, 3, []float64{0.0035, 0.004, 0.0045}},
		{math.NaN(), 1, 5, nil},
		{0, math.Inf(1), 5, nil},
		{1, 1, 5, nil},
		{2, 1, 5, nil},
		{-1e308, 1e308, 5, nil},
	} {
		got := NiceTicks(tc.lo, tc.hi, tc.n)
		if len(got) != len(tc.want) {
			t.Errorf("NiceTicks(%g, %g, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12*math.Max(1, math.Abs(tc.want[i])) {
				t.Errorf("NiceTicks(%g, %g, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
				break
			}
			if got[i] == 0 && math.Signbit(got[i]) {
				t.Errorf("NiceTicks(%g, %g, %d) returned −0", tc.lo, tc.hi, tc.n)
			}
		}
	}
	// The count bound holds over many ranges.
	for i := range 2000 {
		lo := math.Sin(float64(i)) * math.Pow(10, float64(i%13-6))
		hi := lo + math.Pow(10, float64(i%11-5))*(1+math.Abs(math.Cos(float64(i))))
		n := 2 + i%9
		ticks := NiceTicks(lo, hi, n)
		if len(ticks) > n {
			t.Fatalf("NiceTicks(%g, %g, %d) gave %d ticks", lo, hi, n, len(ticks))
		}
		for _, v := range ticks {
			if v < lo-1e-9*math.Abs(lo) || v > hi+1e-9*math.Abs(hi) {
				t.Fatalf("NiceTicks(%g, %g, %d) = %v leaves the range", lo, hi, n, ticks)
			}
		}
	}
}

func TestFormatTick(t *testing.T) {
	for _, tc := range []struct {
		v, step float64
		want    string
	}{
		{0.5, 0.5, "0.5"},
		{-1, 0.5, "-1.0"},
		{0, 0.5, "0.0"},
		{math.Copysign(0, -1), 0.5, "0.0"},
		{-1e-17, 0.5, "0.0"},
		{250, 50, "250"},
		{0, 50, "0"},
		{0.004, 0.0005, "0.0040"},
		{1e6, 5e5, "1e+06"},
		{1.5e6, 5e5, "1.5e+06"},
		{2.5e-5, 5e-6, "2.5e-05"},
		{0, 5e-6, "0"},
		{math.NaN(), 1, "NaN"},
	} {
		if got := FormatTick(tc.v, tc.step); got != tc.want {
			t.Errorf("FormatTick(%g, %g) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

// TestFrame checks a small frame derived by hand: y ticks 0, 2, 4 on rows
// 3, 2, 0 (row ⌊(4−v)/4·4⌋, the bottom edge in the last row), x ticks 0, 5,
// 10 in columns 0, 5, 9, and a dot at the top-right corner.
func TestFrame(t *testing.T) {
	c := NewCanvas(10, 4)
	c.Mono = true
	if err := c.SetRange(0, 10, 0, 4); err != nil {
		t.Fatal(err)
	}
	c.Point(10, 4, Default)
	got := Axes{XLabel: "t (s)", YLabel: "r", XTicks: 3, YTicks: 3}.Frame(c)
	want := strings.Join([]string{
		"r            ",
		"4 ┤         ⠈",
		"  │          ",
		"2 ┤          ",
		"0 ┤          ",
		"  └┬────┬───┬",
		"   0    5  10",
		"     t (s)   ",
	}, "\n")
	if got != want {
		t.Errorf("Frame:\n%s\nwant:\n%s", got, want)
	}
}

func TestFrameShape(t *testing.T) {
	for _, sz := range [][2]int{{40, 12}, {5, 2}, {1, 1}, {0, 0}, {80, 30}} {
		for _, ax := range []Axes{{}, {XLabel: "Re λ (1/τ)", YLabel: "Im λ (1/τ)"}} {
			c := NewCanvas(sz[0], sz[1])
			c.Circle(0, 0, 0.5, Red)
			out := Axes(ax).Frame(c)
			lines := strings.Split(stripANSI(out), "\n")
			wantLines := sz[1] + 2
			if ax.XLabel != "" {
				wantLines += 2
			}
			if len(lines) != wantLines {
				t.Errorf("%v %+v: %d lines, want %d", sz, ax, len(lines), wantLines)
			}
			w := utf8.RuneCountInString(lines[0])
			for i, l := range lines {
				if n := utf8.RuneCountInString(l); n != w {
					t.Errorf("%v %+v: line %d is %d runes wide, line 0 is %d", sz, ax, i, n, w)
				}
			}
			cols, rows := ax.Fit(w, len(lines), -1, 1)
			if cols != sz[0] || rows != sz[1] {
				t.Errorf("%v %+v: Fit(%d, %d) = %d, %d", sz, ax, w, len(lines), cols, rows)
			}
		}
	}
}

func ExampleNiceTicks() {
	fmt.Println(NiceTicks(-1.3, 2.2, 6))
	fmt.Println(NiceTicks(0, 1, 5))
	// Output:
	// [-1 0 1 2]
	// [0 0.5 1]
}
