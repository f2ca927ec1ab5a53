package tui

import (
	"errors"
	"fmt"
	"math"

	"attractor/inspect"
	"attractor/internal/figure"
	"attractor/train"
)

// LandscapeFigure draws a landscape across training (or a parameter): the
// number of stable points, saddles and cycles against step with the events
// marked; every fixed point's position on the first principal component of
// all points, stable as discs and saddles as crosses, each branch joined
// across networks; the basin fraction of each stable branch (trajectory
// starts); and, when ms is given, the loss and accuracy on the same axis.
// Steps spanning more than two decades are drawn on a log₁₀ axis.
func LandscapeFigure(res *inspect.LandscapeResult, ms []train.Metrics, name string) (*figure.Figure, error) {
	if len(res.Checkpoints) == 0 {
		return nil, errors.New("landscape has no networks")
	}
	first, last := res.Checkpoints[0].Step, res.Checkpoints[len(res.Checkpoints)-1].Step
	logX := first > 0 && last/first > 100
	xOf := func(s float64) float64 {
		if logX {
			return math.Log10(s)
		}
		return s
	}
	xl := "step"
	if logX {
		xl = "log₁₀ step"
	}
	fig := &figure.Figure{Title: "Attractor landscape across training: " + name}

	// Counts with events.
	var xs, st, sd, cy []float64
	for _, ck := range res.Checkpoints {
		xs = append(xs, xOf(ck.Step))
		st, sd, cy = append(st, float64(ck.Stable)), append(sd, float64(ck.Saddles)), append(cy, float64(ck.Cycles))
	}
	counts := &figure.Panel{Title: "Census", XLabel: xl, YLabel: "count", Height: 220,
		Lines: []figure.Line{
			{Label: "stable points", Color: "#0072B2", Width: 2, X: xs, Y: st},
			{Label: "saddles", Color: "#D55E00", Dash: "5 3", X: xs, Y: sd},
			{Label: "limit cycles", Color: "#009E73", Dash: "2 2", X: xs, Y: cy}}}
	kinds := map[string]*figure.Points{}
	shapes := map[string]figure.Shape{inspect.EventBirth: figure.Triangle, inspect.EventDeath: figure.Cross,
		inspect.EventSaddleNode: figure.Diamond, inspect.EventPitchfork: figure.Square, inspect.EventHopf: figure.Ring,
		inspect.EventCycleBirth: figure.Ring, inspect.EventCycleDeath: figure.Cross}
	var order []string
	for _, e := range res.Events {
		p, ok := kinds[e.Kind]
		if !ok {
			sh, ok := shapes[e.Kind]
			if !ok {
				sh = figure.Disc
			}
			p = &figure.Points{Label: e.Kind, Color: figConditionColors[len(order)%len(figConditionColors)], Shape: sh, Size: 5}
			kinds[e.Kind] = p
			order = append(order, e.Kind)
		}
		// Mark the event at the count of stable points it left.
		y := 0.0
		for _, ck := range res.Checkpoints {
			if ck.Step == e.Step {
				y = float64(ck.Stable)
			}
		}
		p.X, p.Y = append(p.X, xOf(e.Step)), append(p.Y, y+0.15*float64(len(p.X)%3))
	}
	for _, k := range order {
		counts.Points = append(counts.Points, *kinds[k])
	}
	fig.Panels = append(fig.Panels, counts)

	// Branches on PC1 of the stable points (of all points when fewer than
	// two are stable): a far-off saddle or marginal point, such as one the
	// search finds where a GRU's gates saturate, would squeeze the
	// attractors into a line. Points further from the stable points' range
	// than its width are left out, and counted in a note.
	var pool, all [][]float64
	for _, ck := range res.Checkpoints {
		for _, p := range ck.Points {
			all = append(all, p.X)
			if p.Kind == inspect.Stable.String() {
				pool = append(pool, p.X)
			}
		}
	}
	of := "the stable points"
	if len(pool) < 2 {
		pool, of = all, "all points"
	}
	if len(pool) >= 2 {
		pca, err := inspect.PCA(pool, 1)
		if err == nil {
			var buf [1]float64
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, x := range pool {
				y := pca.Project(buf[:0], x)[0]
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
			pad := math.Max(hi-lo, 1e-9)
			lo, hi = lo-pad, hi+pad
			off := 0
			br := &figure.Panel{Title: "Fixed points on PC1 of " + of + " (lines join a branch across networks)",
				XLabel: xl, YLabel: "PC1", Height: 280}
			byID := map[int]*figure.Line{}
			var ids []int
			stable := figure.Points{Label: "stable", Color: "#0072B2", Shape: figure.Disc, Size: 4}
			saddle := figure.Points{Label: "saddle / unstable", Color: "#D55E00", Shape: figure.Cross, Size: 4}
			other := figure.Points{Label: "marginal", Color: "#CC79A7", Shape: figure.Ring, Size: 4}
			for _, ck := range res.Checkpoints {
				for _, p := range ck.Points {
					y := pca.Project(buf[:0], p.X)[0]
					if !(y >= lo && y <= hi) {
						off++
						continue
					}
					x := xOf(ck.Step)
					l, ok := byID[p.ID]
					if !ok {
						l = &figure.Line{Color: "#999999", Width: 0.8}
						byID[p.ID] = l
						ids = append(ids, p.ID)
					}
					l.X, l.Y = append(l.X, x), append(l.Y, y)
					switch {
					case p.Kind == inspect.Stable.String():
						stable.X, stable.Y = append(stable.X, x), append(stable.Y, y)
					case p.UnstableDims > 0:
						saddle.X, saddle.Y = append(saddle.X, x), append(saddle.Y, y)
					default:
						other.X, other.Y = append(other.X, x), append(other.Y, y)
					}
				}
			}
			for _, id := range ids {
				br.Lines = append(br.Lines, *byID[id])
			}
			br.Points = []figure.Points{stable, saddle}
			if len(other.X) > 0 {
				br.Points = append(br.Points, other)
			}
			if off > 0 {
				br.Notes = append(br.Notes, fmt.Sprintf("%d points off the scale (further from the stable points than their spread) not drawn", off))
			}
			fig.Panels = append(fig.Panels, br)
		}
	}

	// Basin fractions of the stable branches.
	if res.Checkpoints[len(res.Checkpoints)-1].Basins != nil {
		bp := &figure.Panel{Title: "Basin fractions (trajectory-sampled starts)", XLabel: xl, YLabel: "fraction of starts",
			YMin: 0, YMax: 1.02, Height: 220}
		byID := map[string]*figure.Line{}
		var labels []string
		for _, ck := range res.Checkpoints {
			if ck.Basins == nil {
				continue
			}
			for _, f := range append(ck.Basins.Trajectory.Fractions, ck.Basins.Trajectory.Other) {
				l, ok := byID[f.Label]
				if !ok {
					l = &figure.Line{Label: f.Label, Color: figConditionColors[len(labels)%len(figConditionColors)]}
					if f.Label == "other" {
						l.Color, l.Dash = "#999999", "3 3"
					}
					byID[f.Label] = l
					labels = append(labels, f.Label)
				}
				l.X, l.Y = append(l.X, xOf(ck.Step)), append(l.Y, f.Fraction)
			}
		}
		for _, lb := range labels {
			bp.Lines = append(bp.Lines, *byID[lb])
		}
		fig.Panels = append(fig.Panels, bp)
	}

	// Loss and accuracy.
	if len(ms) > 0 {
		var mx, loss, acc []float64
		for _, m := range ms {
			if m.Step <= 0 && logX {
				continue
			}
			mx, loss, acc = append(mx, xOf(float64(m.Step))), append(loss, m.Loss), append(acc, m.Accuracy)
		}
		fig.Panels = append(fig.Panels,
			&figure.Panel{Title: "Accuracy", XLabel: xl, YLabel: "accuracy", YMin: 0, YMax: 1.02, Height: 160,
				Lines: []figure.Line{{Label: "accuracy", Color: "#009E73", X: mx, Y: acc}}},
			&figure.Panel{Title: "Loss", XLabel: xl, YLabel: "loss", LogY: true, Height: 160,
				Lines: []figure.Line{{Label: "loss", Color: "#0072B2", X: mx, Y: loss}}})
	}
	fig.Panels[0].Notes = append(fig.Panels[0].Notes, fmt.Sprintf("%d networks, %d events", len(res.Checkpoints), len(res.Events)))
	return fig, nil
}
