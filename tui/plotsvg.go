package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"attractor/inspect"
	"attractor/internal/figure"
	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// This file draws the UI's plots as SVG figures for papers (attractor
// plot): the phase portrait, the eigenvalue plane and the training curves.
// The figures come from the same analysis as the panes: the trials of
// [ProtocolFor], their PCA and the fixed-point search from states along
// them.

// FigureOptions configure the figures of [PortraitFigure],
// [SpectrumFigure] and [CurvesFigure].
type FigureOptions struct {
	// Name names the network in the title (such as the file name).
	Name string
	// Inits is the number of initial states of the fixed-point search,
	// spread evenly along the trajectories (32 when 0, as in the UI).
	Inits int
	// Point selects the fixed point whose spectrum is drawn, from 1 in
	// the order of the search; 0 draws every point's.
	Point int
	// Metrics is a training log (a run directory's metrics.jsonl); nil
	// uses the history in the network file. MetricsSource says where it
	// came from.
	Metrics       []train.Metrics
	MetricsSource string
	// Width is the figure width in px (720 when 0).
	Width float64
}

// figConditionColors are the colours of the conditions' trajectories:
// the Okabe–Ito palette, safe for colour-blind readers.
var figConditionColors = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// figPointShapes are the markers of successive points' spectra.
var figPointShapes = []figure.Shape{figure.Disc, figure.Ring, figure.Diamond, figure.Triangle, figure.Square, figure.Cross}

// figKinds are the fixed-point kinds in legend order, with their marker.
var figKinds = []struct {
	kind  inspect.Kind
	label string
	shape figure.Shape
	color string
	show  bool // listed in the legend even when absent
}{
	{inspect.Stable, "stable fixed point", figure.Disc, "#111111", true},
	{inspect.Saddle, "saddle", figure.Ring, "#C0392B", true},
	{inspect.Slow, "slow point", figure.Diamond, "#7F8C8D", true},
	{inspect.Marginal, "marginal point", figure.Triangle, "#8E44AD", false},
	{inspect.Unstable, "unstable point", figure.Cross, "#C0392B", false},
}

// figAnalysis runs the UI's analysis of n: trials, PCA and fixed points.
func figAnalysis(ctx context.Context, n *saved.Network, inits int) (Protocol, *portraitData, *fixedData, error) {
	if n == nil || n.Net == nil {
		return Protocol{}, nil, nil, errors.New("no network")
	}
	p := ProtocolFor(n)
	job := analysisJob{net: n.Net.Clone(), proto: p, inits: inits, file: n}
	pd, err := runPortrait(ctx, job)
	if err != nil {
		return p, nil, nil, fmt.Errorf("trajectories and PCA: %w", err)
	}
	fd, err := runFixed(ctx, job, pd)
	if err != nil {
		return p, pd, nil, fmt.Errorf("fixed points: %w", err)
	}
	return p, pd, fd, nil
}

// figTitle is the figure title: the name, family and size.
func figTitle(what string, n *saved.Network, o FigureOptions) string {
	t := what
	if o.Name != "" {
		t += " · " + o.Name
	}
	return t + fmt.Sprintf(" (%s, N = %d)", n.Net.Family(), n.Net.Dims().State)
}

// figPercent formats a fraction as "58 %".
func figPercent(f float64) string {
	return strconv.Itoa(int(math.Round(100*f))) + " %"
}

// PortraitFigure draws the phase portrait of n: the trajectory of every
// trial condition on the first two principal components of the pooled
// states ("PC1 (58 %)"), and the fixed points found from states along the
// trajectories, marked by kind.
func PortraitFigure(ctx context.Context, n *saved.Network, o FigureOptions) (*figure.Figure, error) {
	p, pd, fd, err := figAnalysis(ctx, n, o.Inits)
	if err != nil {
		return nil, err
	}
	pn := &figure.Panel{Equal: true,
		XLabel: "PC1 (" + figPercent(pd.pca.ExplainedRatio(0)) + " of variance)",
		YLabel: "PC2",
	}
	if pd.pca.K() > 1 {
		pn.YLabel = "PC2 (" + figPercent(pd.pca.ExplainedRatio(1)) + " of variance)"
	}
	for c := range pd.xs {
		l := figure.Line{X: pd.xs[c], Y: pd.ys[c], Color: figConditionColors[c%len(figConditionColors)]}
		if c < 16 {
			l.Label = p.Conditions[c].Name
		}
		pn.Lines = append(pn.Lines, l)
	}
	if len(pd.xs) > 16 {
		pn.Notes = append(pn.Notes, fmt.Sprintf("%d more conditions not in the legend", len(pd.xs)-16))
	}
	r := fd.res
	for _, k := range figKinds {
		pts := figure.Points{Label: k.label, Shape: k.shape, Color: k.color, Size: 5}
		for i, fp := range r.Points {
			if fp.Kind == k.kind {
				pts.X, pts.Y = append(pts.X, fd.px[i]), append(pts.Y, fd.py[i])
			}
		}
		if len(pts.X) > 0 || k.show {
			pn.Points = append(pn.Points, pts)
		}
	}
	pn.Notes = append(pn.Notes, fmt.Sprintf("%d fixed/slow points from %d starting states (%s)", len(r.Points), len(r.Candidates), fd.census.InitsFrom))
	if pd.diverged > 0 {
		pn.Notes = append(pn.Notes, fmt.Sprintf("%d trajectories diverged (non-finite) and stop there", pd.diverged))
	}
	pn.Notes = append(pn.Notes, p.Note)
	return &figure.Figure{Title: figTitle("Phase portrait", n, o), Width: o.Width, Panels: []*figure.Panel{pn}}, nil
}

// figRateUnit is the unit of continuous-time rates of net.
func figRateUnit(net model.Network) string {
	if net.Family() == model.FamilyLeaky {
		return "1/ms"
	}
	return "1/τ"
}

// SpectrumFigure draws the eigenvalues of the Jacobian at the fixed points
// of n (all, or the one o.Point selects) in the complex plane: rates λ with
// the line Re λ = 0 for a continuous-time network, multipliers μ with the
// unit circle for a discrete map.
func SpectrumFigure(ctx context.Context, n *saved.Network, o FigureOptions) (*figure.Figure, error) {
	_, _, fd, err := figAnalysis(ctx, n, o.Inits)
	if err != nil {
		return nil, err
	}
	r := fd.res
	if len(r.Points) == 0 {
		return nil, fmt.Errorf("no fixed point found from %d initial states (best q = %.3g)", len(r.Candidates), r.BestQ)
	}
	first, last := 0, len(r.Points)
	if o.Point != 0 {
		if o.Point < 1 || o.Point > len(r.Points) {
			return nil, fmt.Errorf("fixed point %d: the search found %d", o.Point, len(r.Points))
		}
		first, last = o.Point-1, o.Point
	}
	pn := &figure.Panel{Equal: true}
	var all inspect.Spectrum
	all.Convention = r.Convention
	offScale := 0
	for i := first; i < last; i++ {
		fp := r.Points[i]
		sp := fp.Eigenvalues
		// Shapes differ from point to point so that coinciding spectra
		// (such as those of a symmetric pair of points) stay visible.
		pts := figure.Points{Label: fmt.Sprintf("point %d (%s)", i+1, fp.Kind), Color: figConditionColors[i%len(figConditionColors)],
			Shape: figPointShapes[(i-first)%len(figPointShapes)], Size: 3.5}
		if i-first >= 16 {
			pts.Label = ""
		}
		for _, v := range sp.Values {
			all.Values = append(all.Values, v)
			if !(math.Abs(real(v)) < 1e6 && math.Abs(imag(v)) < 1e6) {
				offScale++
				continue
			}
			pts.X, pts.Y = append(pts.X, real(v)), append(pts.Y, imag(v))
		}
		pn.Points = append(pn.Points, pts)
	}
	pn.XMin, pn.XMax, pn.YMin, pn.YMax = spectrumPlane(all)
	title := "Eigenvalues"
	if r.Convention == inspect.DiscreteMap {
		pn.XLabel, pn.YLabel = "Re μ", "Im μ"
		pn.Circles = []figure.Circle{{Label: "unit circle |μ| = 1", R: 1, Color: "#555", Dash: "5 4"}}
		title += " · multipliers μ"
	} else {
		u := figRateUnit(n.Net)
		pn.XLabel, pn.YLabel = "Re λ ("+u+")", "Im λ ("+u+")"
		pn.VLines = []figure.Ref{{Label: "Re λ = 0 (stability)", Value: 0, Color: "#555", Dash: "5 4"}}
		title += " · rates λ (" + u + ")"
	}
	pn.HLines = []figure.Ref{{Value: 0, Color: "#bbb"}}
	if offScale > 0 {
		pn.Notes = append(pn.Notes, fmt.Sprintf("%d eigenvalues of magnitude ≥ 1e6 or non-finite left out", offScale))
	}
	if o.Point == 0 && len(r.Points) > 16 {
		pn.Notes = append(pn.Notes, fmt.Sprintf("%d more points not in the legend", len(r.Points)-16))
	}
	pn.Title = title
	return &figure.Figure{Title: figTitle("Jacobian spectra", n, o), Width: o.Width, Panels: []*figure.Panel{pn}}, nil
}

// figTrainUnit names the unit of training progress from the training
// record: epochs for gradient training, trials for FORCE on pattern
// matching, Euler steps (file history) or chunks (log) for FORCE on a
// signal.
func figTrainUnit(raw json.RawMessage, fromLog bool) string {
	var t struct {
		Method string `json:"method"`
	}
	if len(raw) > 0 && json.Unmarshal(raw, &t) == nil {
		switch t.Method {
		case "bptt", "bptt-leaky":
			return "epoch"
		case "force-spm":
			return "trial"
		case "force":
			if fromLog {
				return "chunk of Euler steps"
			}
			return "Euler step"
		}
	}
	return "training step"
}

// CurvesFigure draws the training curves of n: the loss (on a logarithmic
// axis when every loss is positive) and, when recorded, the accuracy,
// against training progress, from o.Metrics or the history in the file.
func CurvesFigure(n *saved.Network, o FigureOptions) (*figure.Figure, error) {
	ms := o.Metrics
	source := o.MetricsSource
	fromLog := ms != nil
	if ms == nil {
		for _, h := range n.Manifest.History {
			ms = append(ms, train.Metrics{Step: h.Step, Loss: h.Loss, Accuracy: h.Accuracy})
		}
		source = "history in the network file"
	}
	if len(ms) == 0 {
		return nil, errors.New("no training record: the file has no history and no metrics log was found")
	}
	xs := make([]float64, len(ms))
	loss := make([]float64, len(ms))
	acc := make([]float64, len(ms))
	positive, hasAcc := true, false
	for i, m := range ms {
		xs[i], loss[i], acc[i] = float64(m.Step), m.Loss, m.Accuracy
		if !(m.Loss > 0) && !math.IsNaN(m.Loss) {
			positive = false
		}
		hasAcc = hasAcc || m.Accuracy != 0
	}
	unit := figTrainUnit(n.Manifest.Train, fromLog)
	lp := &figure.Panel{Title: "Loss", XLabel: unit, YLabel: "loss", LogY: positive, Height: 260,
		Lines: []figure.Line{{Label: "loss", X: xs, Y: loss, Color: "#0072B2", Width: 1.8}}}
	if positive {
		lp.YLabel = "loss (log scale)"
	}
	lp.Notes = []string{source}
	f := &figure.Figure{Title: figTitle("Training", n, o), Width: o.Width, Panels: []*figure.Panel{lp}}
	if hasAcc {
		f.Panels = append(f.Panels, &figure.Panel{Title: "Accuracy", XLabel: unit, YLabel: "accuracy", Height: 200,
			YMin: 0, YMax: 1.02, Lines: []figure.Line{{Label: "accuracy", X: xs, Y: acc, Color: "#D55E00", Width: 1.8}}})
	}
	return f, nil
}
