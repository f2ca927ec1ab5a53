package plot

import (
	"math"
	"testing"
)

// benchSpiral returns n points of a noisy decaying spiral (a stable focus
// seen through readout noise); the jitter is a deterministic
// low-discrepancy sequence, so every run draws the same picture.
func benchSpiral(n int) (xs, ys []float64) {
	xs, ys = make([]float64, n), make([]float64, n)
	const phi = 0.6180339887498949
	for i := range xs {
		th := 0.01 * float64(i)
		r := 1.4 * math.Exp(-0.00025*float64(i))
		jx := math.Mod(float64(i)*phi, 1) - 0.5
		jy := math.Mod(float64(i)*phi*phi, 1) - 0.5
		xs[i] = r*math.Cos(th) + 0.08*jx
		ys[i] = r*math.Sin(th) + 0.08*jy
	}
	return xs, ys
}

// BenchmarkPortrait10k is one frame of a phase portrait at 200×60 cells in
// colour: clear, 10,000 points in two colours, the unit circle, the axes,
// a marker, and String.
func BenchmarkPortrait10k(b *testing.B) {
	xs, ys := benchSpiral(10000)
	c := NewCanvas(200, 60)
	if err := c.SetRangeEqual(-1.6, 1.6, -1.6, 1.6); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		c.Clear()
		c.HLine(0, BrightBlack)
		c.VLine(0, BrightBlack)
		c.Circle(0, 0, 1, Blue)
		c.Points(xs[:5000], ys[:5000], Green)
		c.Points(xs[5000:], ys[5000:], Yellow)
		c.Marker(0, 0, '×', Red)
		n = len(c.String())
	}
	b.ReportMetric(float64(n), "bytes/frame")
}

// BenchmarkTrajectory10k draws the same 10,000 points as one polyline.
func BenchmarkTrajectory10k(b *testing.B) {
	xs, ys := benchSpiral(10000)
	c := NewCanvas(200, 60)
	if err := c.SetRangeEqual(-1.6, 1.6, -1.6, 1.6); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Clear()
		c.Polyline(xs, ys, Green)
		_ = c.String()
	}
}

// BenchmarkHeatMap renders a 100×100 matrix onto 100×50 cells (one entry
// per pixel) with the Viridis palette in colour.
func BenchmarkHeatMap(b *testing.B) {
	const n = 100
	d := make([]float64, n*n)
	for i := range n {
		for j := range n {
			d[i*n+j] = math.Sin(0.11*float64(i)) * math.Cos(0.07*float64(j))
		}
	}
	c := NewCanvas(n, n/2)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		c.Clear()
		if err := c.HeatMap(d, n, n, -1, 1, Viridis); err != nil {
			b.Fatal(err)
		}
		size = len(c.String())
	}
	b.ReportMetric(float64(size), "bytes/frame")
}
