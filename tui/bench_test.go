package tui

import (
	"math"
	"testing"

	"attractor/inspect"
)

// portraitBench is the portrait pane at 200×60 over a session with two
// conditions of 5000 points each (a noisy decaying spiral, deterministic),
// three fixed points, a 500-point trail and the current state.
func portraitBench(tb testing.TB) *portraitPane {
	m := newTestModel(tb, entrySine, 200, 60)
	s := m.s
	d := &portraitData{pca: s.portrait.pca, xmin: -1.5, xmax: 1.5, ymin: -1.5, ymax: 1.5}
	const phi = 0.6180339887498949
	for c := range 2 {
		xs, ys := make([]float64, 5000), make([]float64, 5000)
		for i := range xs {
			th := 0.01*float64(i) + float64(c)
			r := 1.4 * math.Exp(-0.00025*float64(i))
			xs[i] = r*math.Cos(th) + 0.08*(math.Mod(float64(i)*phi, 1)-0.5)
			ys[i] = r*math.Sin(th) + 0.08*(math.Mod(float64(i)*phi*phi, 1)-0.5)
		}
		d.xs, d.ys = append(d.xs, xs), append(d.ys, ys)
	}
	s.portrait = d
	s.fixed = &fixedData{
		res: &inspect.FixedPointResult{Points: []inspect.FixedPoint{{Kind: inspect.Stable}, {Kind: inspect.Saddle}, {Kind: inspect.Slow}}},
		px:  []float64{0, 0.7, -0.7}, py: []float64{0, 0.2, -0.2},
	}
	s.trailX, s.trailY = d.xs[0][:500], d.ys[0][:500]
	s.px, s.py = 0.3, 0.3
	p := newPortraitPane(m.ctx)
	p.s = s
	p.SetSize(200, 60)
	p.View() // first frame: sizes the canvas, frame and legend
	return p
}

// BenchmarkPortrait10k renders one frame of the portrait pane at 200×60
// with 10,000 trajectory points, as while the network runs.
func BenchmarkPortrait10k(b *testing.B) {
	p := portraitBench(b)
	b.ReportAllocs()
	for b.Loop() {
		p.invalidate()
		p.View()
	}
}

// A frame of the portrait costs at most 10 allocations (it is one: the
// string), and an unchanged pane is not re-rendered.
func TestPortraitFrameAllocs(t *testing.T) {
	p := portraitBench(t)
	if n := testing.AllocsPerRun(20, func() { p.invalidate(); p.View() }); n > 10 {
		t.Errorf("a portrait frame allocates %v times, want ≤ 10", n)
	}
	a := p.View()
	if n := testing.AllocsPerRun(20, func() { p.View() }); n != 0 || p.View() != a {
		t.Errorf("an unchanged portrait re-renders (%v allocations)", n)
	}
}
