package plot

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestRenderSGR(t *testing.T) {
	c := NewCanvas(7, 1)
	if err := c.SetRange(0, 14, 0, 4); err != nil {
		t.Fatal(err)
	}
	// One dot in the top-left of cells 0, 1, 3, 4, 5, 6 (x = 2·col + 0.5).
	for _, p := range []struct {
		col int
		c   Color
	}{{0, Red}, {1, Red}, {3, BrightBlue}, {4, Xterm(200)}, {5, Default}, {6, Black}} {
		c.Point(2*float64(p.col)+0.5, 3.5, p.c)
	}
	// Cell 2 is blank and keeps the current colour (no sequence); basic
	// colours use 30–37, bright ones 90–97, the rest 38;5;n, Default 39.
	want := "\x1b[31m⠁⠁ \x1b[94m⠁\x1b[38;5;200m⠁\x1b[39m⠁\x1b[30m⠁\x1b[0m"
	if got := c.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	c.Mono = true
	if got := c.String(); got != "⠁⠁ ⠁⠁⠁⠁" {
		t.Errorf("mono got %q", got)
	}
	// A line whose colour is back to Default at its end needs no reset.
	c.Clear()
	c.Mono = false
	c.Point(0.5, 3.5, Default)
	if got := c.String(); got != "⠁      " {
		t.Errorf("default-only line got %q", got)
	}
}

func TestLastColourWins(t *testing.T) {
	c := NewCanvas(1, 1)
	if err := c.SetRange(0, 2, 0, 4); err != nil {
		t.Fatal(err)
	}
	c.Point(0.5, 3.5, Red)
	c.Point(1.5, 0.5, Green)
	if got, want := c.String(), "\x1b[32m⢁\x1b[0m"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRGB(t *testing.T) {
	for _, tc := range []struct {
		r, g, b uint8
		want    uint8
	}{
		{0, 0, 0, 16},        // cube black
		{255, 255, 255, 231}, // cube white
		{255, 0, 0, 196},     // 16 + 36·5
		{0, 255, 0, 46},      // 16 + 6·5
		{0, 0, 255, 21},      // 16 + 5
		{128, 128, 128, 244}, // grey ramp 232 + 12 (8 + 10·12 = 128)
		{95, 135, 175, 67},   // exact cube entry 16 + 36·1 + 6·2 + 3
	} {
		got := RGB(tc.r, tc.g, tc.b)
		if n, ok := got.Index(); !ok || n != tc.want {
			t.Errorf("RGB(%d,%d,%d) = index %d, want %d", tc.r, tc.g, tc.b, n, tc.want)
		}
	}
	if _, ok := Default.Index(); ok {
		t.Error("Default has a palette index")
	}
	for _, p := range []Palette{Viridis, Diverging, Grays} {
		for i := 1; i < len(p); i++ {
			if p[i] == p[i-1] && len(p) > 12 {
				t.Errorf("palette has repeated neighbours %v", p)
			}
		}
	}
}

func TestStringReusesBuffer(t *testing.T) {
	c := NewCanvas(50, 10)
	c.Circle(0, 0, 0.8, Red)
	c.Text(1, 1, "λ", Green)
	first := c.String()
	if allocs := testing.AllocsPerRun(20, func() { _ = c.String() }); allocs != 1 {
		t.Errorf("String allocates %v times per call, want 1", allocs)
	}
	if c.String() != first {
		t.Error("String is not stable")
	}
	c.Resize(30, 5)
	checkShape(t, c.String(), 30, 5)
	c.Resize(60, 12)
	checkShape(t, c.String(), 60, 12)
	if got := c.String(); got != NewCanvas(60, 12).String() {
		t.Error("Resize did not clear")
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// goldenPlot draws a 20×8 eigenvalue-plane style test picture: the unit
// circle, the axes Re = 0 and Im = 0, a decaying spiral and two markers.
func goldenPlot() *Canvas {
	c := NewCanvas(20, 8)
	if err := c.SetRangeEqual(-1.25, 1.25, -1.25, 1.25); err != nil {
		panic(err)
	}
	c.HLine(0, BrightBlack)
	c.VLine(0, BrightBlack)
	c.Circle(0, 0, 1, Blue)
	xs, ys := make([]float64, 120), make([]float64, 120)
	for i := range xs {
		th := 0.15 * float64(i)
		r := 1.1 * math.Exp(-0.02*float64(i))
		xs[i], ys[i] = r*math.Cos(th), r*math.Sin(th)
	}
	c.Polyline(xs, ys, Green)
	c.Marker(0.9, 0.35, '●', Red)
	c.Marker(0.9, -0.35, '●', Red)
	c.Text(0, 0, "λ", Default)
	return c
}

func TestGolden(t *testing.T) {
	c := goldenPlot()
	c.Mono = true
	mono := c.String()
	checkShape(t, mono, 20, 8)
	golden(t, "plane_20x8.golden", mono)
	c.Mono = false
	colour := c.String()
	checkShape(t, colour, 20, 8)
	if stripANSI(colour) != mono {
		t.Error("colour rendering differs from mono once ANSI is stripped")
	}
	golden(t, "plane_20x8_color.golden", colour)
	c.Mono = true
	golden(t, "plane_20x8_framed.golden", Axes{XLabel: "Re λ", YLabel: "Im λ"}.Frame(c))
}
