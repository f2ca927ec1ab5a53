package plot_test

import (
	"fmt"
	"math"
	"strings"

	"attractor/tui/plot"
)

// A diagonal on a 4×2-cell canvas: 8×8 braille dots, one world unit per
// dot. Non-finite and off-range points are counted, not drawn.
func ExampleCanvas() {
	c := plot.NewCanvas(4, 2)
	c.Mono = true // plain text; leave false for ANSI colours
	if err := c.SetRange(0, 8, 0, 8); err != nil {
		panic(err)
	}
	c.Line(0.5, 0.5, 7.5, 7.5, plot.Green)
	c.Point(math.NaN(), 1, plot.Red)
	c.Point(20, 1, plot.Red)
	for _, line := range strings.Split(c.String(), "\n") {
		fmt.Printf("|%s|\n", line)
	}
	fmt.Println(c.Stats().Hidden(), "points off-scale")
	// Output:
	// |  ⡠⠊|
	// |⡠⠊  |
	// 2 points off-scale
}

// An eigenvalue plane of a discrete map: the unit circle, the real axis and
// the eigenvalues as markers, framed with ticks and axis titles.
func ExampleAxes_Frame() {
	c := plot.NewCanvas(24, 8)
	c.Mono = true
	if err := c.SetRangeEqual(-1.2, 1.2, -1.2, 1.2); err != nil {
		panic(err)
	}
	c.HLine(0, plot.BrightBlack)
	c.Circle(0, 0, 1, plot.Blue)
	for _, l := range []complex128{0.9 + 0.3i, 0.9 - 0.3i, -0.5} {
		c.Marker(real(l), imag(l), '●', plot.Red)
	}
	out := plot.Axes{XLabel: "Re λ", YLabel: "Im λ"}.Frame(c)
	for _, line := range strings.Split(out, "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Im λ
	//  1 ┤         ⣀⡠⠤⠤⢄⣀
	//    │      ⢀⡴⠋      ⠙⢦⡀
	//    │     ⢠⠋          ⠙⡄
	//    │     ⡎            ●
	//  0 ┤⠉⠉⠉⠉⠉⢏⠉⠉●⠉⠉⠉⠉⠉⠉⠉⠉⠉⡹⠉⠉⠉⠉⠉
	//    │     ⠘⣄          ⣠●
	//    │      ⠈⠳⣄      ⣠⠞⠁
	// -1 ┤         ⠉⠑⠒⠒⠊⠉
	//    └─────┬──────┬─────┬─────
	//          -1     0     1
	//               Re λ
}
