package analysis

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// manifoldsOf runs the default census of the file and returns its slow
// manifolds.
func manifoldsOf(t *testing.T, file string) ([]Manifold, *CensusResult) {
	t.Helper()
	n, _, err := saved.Open(filepath.Join("testdata", file), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	p, err := ProtocolFor(n, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := censusOf(t, n, &p, s)
	ms, err := Manifolds(context.Background(), n.Net, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ms, c
}

// TestManifoldTorchLine: a 16-unit GRU trained by real PyTorch to hold a
// continuous amplitude in [−1, 1] (testdata/gru_line_h16_s1.pt, see the
// README): its 41 remembered amplitudes lie on one curve whose first
// principal axis holds 98 % of their variance (the .json's
// first_axis_variance, measured in float64 by the fixture script). The
// census must report one 1-D slow manifold joining its slow points, not
// isolated stable points.
func TestManifoldTorchLine(t *testing.T) {
	ms, c := manifoldsOf(t, "gru_line_h16_s1.pt")
	for _, m := range ms {
		t.Logf("manifold dim %d explained %.3f extent %.3f points %v slow [%.5f, %.5f] %s alignment: velocity %v, slow eigenvector %v",
			m.Dimension, m.Explained, m.Extent, m.Points, m.SlowMin, m.SlowMax, m.Convention, m.Alignment, m.EigenAlignment)
	}
	if len(ms) != 1 {
		t.Fatalf("%d slow manifolds among %d census points, want 1", len(ms), len(c.Points))
	}
	m := ms[0]
	if m.Dimension != 1 || len(m.Points) < 3 {
		t.Errorf("manifold of dimension %d through %d points, want 1 and at least 3", m.Dimension, len(m.Points))
	}
	// The slow mode points along the curve, not across it: a random
	// direction in 16 dimensions would give |cos| ≈ 0.2.
	if a, ok := m.EigenAlignment.(float64); !ok || a < 0.9 {
		t.Errorf("slow eigenvectors' alignment with the curve %v, want ≥ 0.9", m.EigenAlignment)
	}
	// The manifold covers the line PyTorch's float64 simulation drew (41
	// held amplitudes in the .json): every held state has a point or a
	// relaxed sample of the manifold within the largest spacing of the
	// held states (the resolution at which they sample the curve), which a
	// few isolated stable points would not give.
	var doc struct {
		Line struct {
			States [][]float64 `json:"states"`
		} `json:"line"`
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "gru_line_h16_s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Line.States) < 2 {
		t.Fatalf("testdata/gru_line_h16_s1.json: line.states: %v", err)
	}
	line := doc.Line.States
	spacing := 0.0
	for k := 1; k < len(line); k++ {
		spacing = max(spacing, dist2(line[k], line[k-1]))
	}
	on := append([][]float64(nil), m.States...)
	for _, j := range m.Points {
		on = append(on, c.Points[j].X)
	}
	uncovered := 0
	for k, x := range line {
		near := math.Inf(1)
		for _, y := range on {
			near = min(near, dist2(x, y))
		}
		if near > spacing {
			t.Logf("held state %d at %.3g", k, near)
			uncovered++
		}
	}
	t.Logf("%d of the %d held states farther than %.3g from the manifold", uncovered, len(line), spacing)
	if uncovered > 0 {
		t.Errorf("%d of the %d held states lie farther than %.3g from the manifold's points and samples", uncovered, len(line), spacing)
	}
	// Every point on a slow manifold has a leading multiplier within
	// 1/Tau of the unit circle (SlowSettings).
	tau := defaultSlow().Tau
	if m.SlowMin < math.Exp(-1/tau) || m.SlowMax > math.Exp(1/tau) {
		t.Errorf("slow multipliers [%v, %v] outside e^{±1/%g}", m.SlowMin, m.SlowMax, tau)
	}
}

// TestManifoldNoneOnFlipFlop: the 3-bit flip-flop GRU (isolated attractors
// whose slowest multiplier, 0.996, is as slow as the line network's) has
// no slow manifold.
// The gallery's flip-flop GRU (trained by our own trainer) has none either.
func TestManifoldNoneOnFlipFlop(t *testing.T) {
	for _, f := range []string{"flipflop_gru_torch8.pt", "06-flipflop-gru.npz"} {
		ms, c := manifoldsOf(t, f)
		if len(ms) != 0 {
			t.Errorf("%s: %d slow manifolds on the flip-flop's %d points: %+v", f, len(ms), len(c.Points), ms[0].Points)
		}
	}
}

// TestManifoldClosedForm: a two-unit GRU whose first unit's update gate
// is saturated (b_z = 40, z = 1 − 4e-18: h₁' = h₁ exactly in float64) and
// whose second unit forgets at once (b_z = −40) toward
// n = tanh(0.5 h₂ + 0.8 h₁). Its fixed points are the curve
// h₂ = g(h₁) with g = tanh(0.5 g + 0.8 h₁), each with multipliers 1
// (along the curve) and 0.5 sech²(·) < 1: an exact line attractor.
func TestManifoldClosedForm(t *testing.T) {
	whh := mat.NewDense(6, 2, []float64{
		0, 0, 0, 0, // r
		0, 0, 0, 0, // z
		0, 0, 0.8, 0.5, // n
	})
	net, err := model.NewGRU(model.TorchParams{WeightIH: mat.NewDense(6, 1, nil), WeightHH: whh,
		BiasIH: []float64{0, 0, 40, -40, 0, 0}, BiasHH: make([]float64, 6)})
	if err != nil {
		t.Fatal(err)
	}
	// Census points along the curve, as a search from spread starts
	// returns them.
	var starts [][]float64
	for k := range 9 {
		starts = append(starts, []float64{-0.8 + 0.2*float64(k), 0})
	}
	res, err := inspect.FindFixedPoints(context.Background(), inspect.FixedPointProblem{Net: net, Inits: starts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &CensusResult{Convention: res.Convention}
	for _, p := range res.Points {
		c.Points = append(c.Points, Point{FixedPoint: p})
	}
	testSlowSettings(t, net, c)
	ms, err := Manifolds(context.Background(), net, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || len(ms[0].Points) != len(c.Points) || ms[0].Dimension != 1 {
		t.Fatalf("manifolds %+v from %d points, want one 1-D through all", ms, len(c.Points))
	}
	m := ms[0]
	t.Logf("closed form: extent %.4g, explained %.4f, slow eigenvector alignment %v", m.Extent, m.Explained, m.EigenAlignment)
	// The multiplier along the curve is 1 to float64 precision.
	if math.Abs(m.SlowMin-1) > 1e-12 || math.Abs(m.SlowMax-1) > 1e-12 {
		t.Errorf("slow multipliers [%v, %v], want 1", m.SlowMin, m.SlowMax)
	}
	// The eigenvector of the multiplier 1 is the curve's tangent
	// (1, g'(h₁)); the local tangent from the nearest states, spaced
	// about 0.2/9 apart on a curve of curvature below 1, is off by at most
	// about half a spacing times the curvature, 0.01 rad: |cos| ≥ 0.9999.
	if a, ok := m.EigenAlignment.(float64); !ok || a < 0.9999 {
		t.Errorf("slow eigenvector alignment %v, want ≥ 0.9999", m.EigenAlignment)
	}
	// Extent: the projection of the points from h₁ = −0.8 to 0.8 on the
	// first axis is at least their h₁ range.
	if m.Extent < 1.6-1e-9 {
		t.Errorf("extent %v, want ≥ 1.6", m.Extent)
	}
}

// TestGhostDrift: ẋ₁ = −x₁ + 2 tanh x₁ + b, ẋ₂ = −x₂ (inspect's
// saddle-node family) at b = b_c + ε, just past the saddle-node at
// x* = −acosh √2, b_c = √2 − acosh √2. Near x* the flow is
// ẏ = ε + a y² with a = f₂/2 = 1/√2 (f₂ = d²f/dx² at x*), so the passage from the ghost
// (y = 0) out of the bottleneck takes π/(2√(aε)); the exact time to the
// surviving attractor x_s is T = ∫ dx/f from x* to within censusNear·√2
// of x_s. The census must report the ghost as a slow point that drifts to
// the attractor, after T within one time unit plus 1 %: the Euler map
// (dt = 0.1) matches the flow's passage through the bottleneck to
// O(dt√(aε)) relative, and on the exit leg (a few time units at rate
// |f'| ≈ 1) it errs by O(dt/2) relative, under one time unit.
func TestGhostDrift(t *testing.T) {
	bc := math.Sqrt2 - math.Acosh(math.Sqrt2)
	xstar := -math.Acosh(math.Sqrt2)
	for _, eps := range []float64{1e-3, 1e-4} {
		b := bc + eps
		net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(mat.NewDense(2, 2, []float64{2, 0, 0, 0})),
			B: []float64{b, 0}, Tau: 1, DT: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		f := func(x float64) float64 { return -x + 2*math.Tanh(x) + b }
		// The surviving attractor: the root of f above 1.
		lo, hi := 1.0, 4.0
		for range 100 {
			if mid := (lo + hi) / 2; f(mid) > 0 {
				lo = mid
			} else {
				hi = mid
			}
		}
		xs := lo
		c := &CensusResult{}
		res, err := inspect.FindFixedPoints(context.Background(), inspect.FixedPointProblem{Net: net, Inits: [][]float64{{xstar + 0.05, 0}, {xs - 0.1, 0.1}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range res.Points {
			c.Points = append(c.Points, Point{FixedPoint: pt})
		}
		c.Attractors = []Attractor{{Kind: "FP", X: []float64{xs, 0}}}
		var ghost *Point
		for i := range c.Points {
			if c.Points[i].Kind == inspect.Slow {
				ghost = &c.Points[i]
			}
		}
		if ghost == nil {
			t.Fatalf("ε = %g: no slow point among %+v", eps, c.Points)
		}
		d := DriftFrom(net, ghost.X, nil, [][]float64{c.Attractors[0].X}, defaultSlow().DriftSteps)
		// T = ∫ dx/f by Simpson's rule from the ghost found to arrival.
		x0, x1 := ghost.X[0], xs-censusNear*math.Sqrt2
		const n = 200000
		h := (x1 - x0) / n
		T := 1/f(x0) + 1/f(x1)
		for k := 1; k < n; k++ {
			w := 2.0
			if k%2 == 1 {
				w = 4
			}
			T += w / f(x0+float64(k)*h)
		}
		T *= h / 3
		half := math.Pi / (2 * math.Sqrt(eps/math.Sqrt2))
		t.Logf("ε = %g: ghost at %.5f (x* = %.5f), drift to attractor %d after %d steps = %.2f τ; exact T = %.2f τ, π/(2√(aε)) = %.2f τ",
			eps, ghost.X[0], xstar, d.Attractor, d.Steps, d.Time, T, half)
		if d.Attractor != 0 || math.Abs(d.Time-T) > 1+0.01*T {
			t.Errorf("ε = %g: drift to %d after %.2f τ, want attractor 0 after %.2f ± %.2f τ", eps, d.Attractor, d.Time, T, 1+0.01*T)
		}
	}
}

// TestGhostReport runs the whole analysis on the saddle-node network at
// ε = 1e-3: the census's report must list the ghost as a slow point whose
// drift ends at the one attractor, and print it as a ghost.
func TestGhostReport(t *testing.T) {
	b := math.Sqrt2 - math.Acosh(math.Sqrt2) + 1e-3
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(mat.NewDense(2, 2, []float64{2, 0, 0, 0})),
		B: []float64{b, 0}, Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	n := &saved.Network{Net: net}
	s := DefaultSettings()
	s.Verdict.Skip = true
	r, err := Analyze(context.Background(), "saddle-node", n, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	ghosts := 0
	for i, p := range r.FixedPoints {
		t.Logf("point %d: %s q %v drift %+v", i, p.Kind, p.Q, p.Drift)
		if p.Drift != nil && p.Drift.Attractor >= 0 && r.Attractors[p.Drift.Attractor].Point >= 0 &&
			r.FixedPoints[r.Attractors[p.Drift.Attractor].Point].Kind == inspect.Stable.String() {
			ghosts++
		}
	}
	if ghosts == 0 {
		t.Fatalf("no slow point of the report drifts to the stable point: %+v", r.FixedPoints)
	}
	text := strings.Join(r.SlowLines(), "\n")
	t.Log(text)
	if !strings.Contains(text, "is a ghost") {
		t.Errorf("the text does not name the ghost: %q", text)
	}
	if len(r.Manifolds) != 0 {
		t.Errorf("%d slow manifolds on a network with one attractor and a ghost", len(r.Manifolds))
	}
}

// testSlowSettings checks on the closed-form line attractor that the
// slow-manifold test reads its thresholds from SlowSettings: a manifold
// needs MinPoints points, the eigenvector alignment is left out above
// EigenMaxN state variables, fewer Samples give fewer relaxed states, and
// a setting out of range is an error naming it. The report records them
// (settings.slow) with the documented defaults.
func testSlowSettings(t *testing.T, net model.Network, c *CensusResult) {
	t.Helper()
	run := func(f func(*SlowSettings)) ([]Manifold, error) {
		set := DefaultSettings().Slow
		f(&set)
		return Manifolds(context.Background(), net, c, &set)
	}
	base, err := run(func(*SlowSettings) {})
	if err != nil || len(base) != 1 {
		t.Fatalf("defaults: %d manifolds, %v", len(base), err)
	}
	if ms, err := run(func(s *SlowSettings) { s.MinPoints = len(c.Points) + 1 }); err != nil || len(ms) != 0 {
		t.Errorf("min_points %d: %d manifolds (%v), want none", len(c.Points)+1, len(ms), err)
	}
	if ms, err := run(func(s *SlowSettings) { s.EigenMaxN = 1 }); err != nil || len(ms) != 1 || ms[0].EigenAlignment != nil {
		t.Errorf("eigen_max_n 1 on a 2-unit network: %+v (%v), want one manifold without eigenvector alignment", ms, err)
	}
	if ms, err := run(func(s *SlowSettings) { s.Samples, s.Extend = 2, 0 }); err != nil || len(ms) != 1 || len(ms[0].States) >= len(base[0].States) {
		t.Errorf("2 samples per pair and no extension: %+v (%v), want one manifold with fewer states than the defaults' %d", ms, err, len(base[0].States))
	}
	if _, err := run(func(s *SlowSettings) { s.Gap = 0 }); err == nil || !strings.Contains(err.Error(), "gap") {
		t.Errorf("gap 0: error %v, want one naming gap", err)
	}
	b, err := json.Marshal(DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	want := `"slow":{"tau_steps":100,"samples":8,"relax_steps":100,"speed":0.001,"gap":0.35,"neighbours":3,"min_points":3,"most_points":64,"extend":16,"local":4,"eigen_max_n":300,"drift_steps":20000,"drift_work":2000000000,"drift_most":32}`
	if !strings.Contains(string(b), want) {
		t.Errorf("the settings a report records lack the slow-manifold defaults %s:\n%s", want, b)
	}
}
