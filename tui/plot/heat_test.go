package plot

import (
	"math"
	"strings"
	"testing"
)

// pal4 is a palette whose colour index equals the value on the range [0, 3].
var pal4 = Palette{Xterm(16), Xterm(17), Xterm(18), Xterm(19)}

func TestHeatMapColours(t *testing.T) {
	for _, tc := range []struct {
		name       string
		data       []float64
		nr, nc     int
		cols, rows int
		lo, hi     float64
		want       string
		stats      Stats
	}{
		{
			// Each pixel shows one entry: cell 0 = (0,0) over (1,0), cell 1 = (0,1) over (1,1).
			name: "2x2 on 2x1", data: []float64{0, 1, 2, 3}, nr: 2, nc: 2, cols: 2, rows: 1, lo: 0, hi: 3,
			want: "\x1b[38;5;16;48;5;18m▀\x1b[38;5;17;48;5;19m▀\x1b[0m",
		},
		{
			name: "equal halves make a full block", data: []float64{1, 1}, nr: 2, nc: 1, cols: 1, rows: 1, lo: 0, hi: 3,
			want: "\x1b[38;5;17m█\x1b[0m",
		},
		{
			name: "NaN top pixel", data: []float64{math.NaN(), 2}, nr: 2, nc: 1, cols: 1, rows: 1, lo: 0, hi: 3,
			want: "\x1b[38;5;18m▄\x1b[0m", stats: Stats{NonFinite: 1},
		},
		{
			name: "Inf bottom pixel", data: []float64{3, math.Inf(-1)}, nr: 2, nc: 1, cols: 1, rows: 1, lo: 0, hi: 3,
			want: "\x1b[38;5;19m▀\x1b[0m", stats: Stats{NonFinite: 1},
		},
		{
			name: "clipped to the colour range", data: []float64{-5, 1e300}, nr: 2, nc: 1, cols: 1, rows: 1, lo: 0, hi: 3,
			want: "\x1b[38;5;16;48;5;19m▀\x1b[0m", stats: Stats{Clipped: 2},
		},
		{
			// lo ≥ hi: the data range [10, 40] is used, so 20 → u = 1/3 → index 1.
			name: "auto range", data: []float64{10, 20, 40, math.NaN()}, nr: 4, nc: 1, cols: 1, rows: 2, lo: 1, hi: 1,
			want: "\x1b[38;5;16;48;5;17m▀\x1b[0m\n\x1b[38;5;19m▀\x1b[0m", stats: Stats{NonFinite: 1},
		},
		{
			name: "constant data", data: []float64{7, 7}, nr: 1, nc: 2, cols: 2, rows: 1, lo: math.NaN(), hi: 0,
			// 7 in [6.5, 7.5] → u = 0.5 → round(1.5) = 2; both pixel rows show row 0.
			want: "\x1b[38;5;18m██\x1b[0m",
		},
		{
			// hi − lo overflows: Max → index 3, −Max → 0 (once panicked).
			name: "whole float64 range", data: []float64{math.MaxFloat64, -math.MaxFloat64}, nr: 2, nc: 1, cols: 1, rows: 1,
			lo: -math.MaxFloat64, hi: math.MaxFloat64, want: "\x1b[38;5;19;48;5;16m▀\x1b[0m",
		},
		{
			name: "whole float64 range, auto", data: []float64{math.MaxFloat64, -math.MaxFloat64}, nr: 2, nc: 1, cols: 1, rows: 1,
			lo: 0, hi: 0, want: "\x1b[38;5;19;48;5;16m▀\x1b[0m",
		},
		{
			// Constant data at the top of the range: widening stops at Max,
			// so the range is [Max/2, Max] and Max takes the top colour.
			name: "constant at Max", data: []float64{math.MaxFloat64, math.MaxFloat64}, nr: 1, nc: 2, cols: 2, rows: 1,
			lo: 0, hi: 0, want: "\x1b[38;5;19m██\x1b[0m",
		},
		{
			// A subnormal width: hi/2 − lo/2 rounds to 0 and so does v/2;
			// both pixels take the bottom colour instead of panicking.
			name: "subnormal range", data: []float64{0, 5e-324}, nr: 2, nc: 1, cols: 1, rows: 1,
			lo: 0, hi: 5e-324, want: "\x1b[38;5;16m█\x1b[0m",
		},
		{
			name: "all NaN", data: []float64{math.NaN()}, nr: 1, nc: 1, cols: 2, rows: 1, lo: 0, hi: 1,
			want: "  ", stats: Stats{NonFinite: 1},
		},
	} {
		c := NewCanvas(tc.cols, tc.rows)
		if err := c.HeatMap(tc.data, tc.nr, tc.nc, tc.lo, tc.hi, pal4); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := c.String(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if s := c.Stats(); s != tc.stats {
			t.Errorf("%s: stats %+v, want %+v", tc.name, s, tc.stats)
		}
	}
}

// TestHeatMapSampling checks the nearest-neighbour mapping of pixels to
// entries, enlarging and subsampling, through the mono shades.
func TestHeatMapSampling(t *testing.T) {
	// Enlarge a 2×2 matrix onto 4×2 cells (4×4 pixels): each entry covers
	// a 2×2 block of pixels, i.e. 2 cells × 1 row. Shades: u = v/3 gives
	// 1+⌊3.999u⌋ = 1, 2, 3, 4 for v = 0, 1, 2, 3.
	c := NewCanvas(4, 2)
	c.Mono = true
	if err := c.HeatMap([]float64{0, 1, 2, 3}, 2, 2, 0, 3, pal4); err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "░░▒▒\n▓▓██"; got != want {
		t.Errorf("enlarged:\n%s\nwant\n%s", got, want)
	}

	// Subsample a 100×100 matrix with entry (i, j) = 1 if i%10 == 0 and
	// j%10 == 0 onto 10×5 cells (10×10 pixels): pixel (px, py) shows entry
	// (10py, 10px), which is always 1.
	d := make([]float64, 100*100)
	for i := 0; i < 100; i += 10 {
		for j := 0; j < 100; j += 10 {
			d[i*100+j] = 1
		}
	}
	c = NewCanvas(10, 5)
	c.Mono = true
	if err := c.HeatMap(d, 100, 100, 0, 1, nil); err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSuffix(strings.Repeat(strings.Repeat("█", 10)+"\n", 5), "\n")
	if got := c.String(); got != want {
		t.Errorf("subsampled:\n%s\nwant\n%s", got, want)
	}
}

func TestHeatMapErrors(t *testing.T) {
	c := NewCanvas(4, 2)
	for _, tc := range []struct {
		n, nr, nc int
	}{{3, 2, 2}, {4, -2, -2}, {0, -1, 0}, {1, 0, 0}} {
		if err := c.HeatMap(make([]float64, tc.n), tc.nr, tc.nc, 0, 1, nil); err == nil {
			t.Errorf("HeatMap(len %d, %d×%d) returned no error", tc.n, tc.nr, tc.nc)
		}
	}
	if err := c.HeatMap(nil, 0, 5, 0, 1, nil); err != nil {
		t.Errorf("empty matrix: %v", err)
	}
	checkShape(t, c.String(), 4, 2)
}

func TestPixelAndOverlay(t *testing.T) {
	c := NewCanvas(3, 1)
	c.Pixel(0, 0, Red)
	c.Pixel(1, 1, Green)
	c.Pixel(2, 0, Blue)
	c.Pixel(3, 0, Blue) // outside
	c.Pixel(0, 2, Blue) // outside
	c.Text(2, 0, "x", Yellow)
	if s := c.Stats(); s != (Stats{OffScale: 2}) {
		t.Errorf("stats %+v", s)
	}
	// Cell 2: text over a block takes the upper pixel colour as background.
	want := "\x1b[31m▀\x1b[32m▄\x1b[33;44mx\x1b[0m"
	if got := c.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Mono: a cell's shade is ⌊(top+bottom+1)/2⌋ of the 0–4 pixel shades,
	// so one full-shade pixel of two gives (4+0+1)/2 = 2 → '▒'.
	c.Mono = true
	if got := c.String(); got != "▒▒x" {
		t.Errorf("mono got %q, want %q", got, "▒▒x")
	}
}
