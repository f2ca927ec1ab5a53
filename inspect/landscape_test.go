package inspect

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// ctrnn2 returns the two-unit CTRNN τ dx/dt = −x + J tanh(x) + b with τ = 1
// and Euler step dt.
func ctrnn2(t *testing.T, j []float64, b []float64, dt float64) model.Network {
	t.Helper()
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(mat.NewDense(2, 2, j)),
		B: b, Tau: 1, DT: dt})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// gridStarts returns Starts drawing k/2 states N(0, 1.5²) per network and
// their mirror images (so their centroid is the origin).
func gridStarts(k int) func(context.Context, int, model.Network) ([][]float64, error) {
	return func(_ context.Context, i int, net model.Network) ([][]float64, error) {
		rng := model.NewRNG(7, uint64(i))
		var out [][]float64
		for range k / 2 {
			x := model.NormalVector(net.Dims().State, 1.5, rng)
			y := make([]float64, len(x))
			for j := range x {
				y[j] = -x[j]
			}
			out = append(out, x, y)
		}
		return out, nil
	}
}

// findEvent returns the first event of kind, or fails.
func findEvent(t *testing.T, res *LandscapeResult, kind string) LandscapeEvent {
	t.Helper()
	for _, e := range res.Events {
		if e.Kind == kind {
			return e
		}
	}
	t.Fatalf("no %s event in %+v", kind, res.Events)
	return LandscapeEvent{}
}

// TestLandscapeSaddleNode follows ẋ₁ = −x₁ + 2 tanh x₁ + b, ẋ₂ = −x₂ along
// b. Its fixed points solve b = x − 2 tanh x, whose extrema are at
// sech² x* = ½, x* = ±acosh √2: for |b| < b_c = 2 tanh x* − x* =
// √2 − acosh √2 ≈ 0.5328 there are two stable points and a saddle, and at
// b = b_c the negative stable point and the saddle merge and vanish. The
// event must be reported at the first network past b_c and after the last
// one before it: From < b_c ≤ Step, a tolerance of one grid spacing that
// follows from where the networks are, not from what came out.
func TestLandscapeSaddleNode(t *testing.T) {
	bc := math.Sqrt2 - math.Acosh(math.Sqrt2)
	var p LandscapeProblem
	for b := 0.0; b <= 0.8+1e-9; b += 0.04 {
		p.Nets = append(p.Nets, ctrnn2(t, []float64{2, 0, 0, 0}, []float64{b, 0}, 0.1))
		p.Steps = append(p.Steps, b)
	}
	p.Starts = gridStarts(32)
	res, err := Landscape(context.Background(), p, &LandscapeSettings{Basins: true})
	if err != nil {
		t.Fatal(err)
	}
	first, last := res.Checkpoints[0], res.Checkpoints[len(res.Checkpoints)-1]
	if first.Stable != 2 || first.Saddles != 1 || last.Stable != 1 || last.Saddles != 0 {
		t.Fatalf("census at b = 0: %d stable, %d saddles (want 2, 1); at b = 0.8: %d, %d (want 1, 0)",
			first.Stable, first.Saddles, last.Stable, last.Saddles)
	}
	e := findEvent(t, res, EventSaddleNode)
	if !(e.From < bc && bc <= e.Step) {
		t.Errorf("saddle-node reported between b = %.2f and %.2f; b_c = %.4f", e.From, e.Step, bc)
	}
	if len(e.Points) != 2 {
		t.Errorf("saddle-node names points %v, want a stable point and a saddle", e.Points)
	}
	for _, o := range res.Events {
		if o.Kind == EventDeath || o.Kind == EventBirth {
			t.Errorf("unexpected %s event %+v", o.Kind, o)
		}
	}
	// Symmetric at b = 0: each stable point draws half of a cloud about
	// the origin (within its interval); past b_c the one left draws all.
	if bs := first.Basins; bs == nil || len(bs.Trajectory.Fractions) != 2 {
		t.Fatalf("basins at b = 0: %+v", first.Basins)
	} else {
		for _, f := range bs.Cloud.Fractions {
			if !(f.Low <= 0.5 && 0.5 <= f.High) {
				t.Errorf("cloud fraction of %s at b = 0: %.3f [%.3f, %.3f], want 0.5 inside", f.Label, f.Fraction, f.Low, f.High)
			}
		}
	}
	if f := last.Basins.Trajectory.Fractions; len(f) != 1 || f[0].Fraction != 1 {
		t.Errorf("basins at b = 0.8: %+v, want all starts at the one point", f)
	}
}

// TestLandscapeHopf follows ẋ = −x + J tanh x with J = [[a, −1], [1, a]]
// along a. At the origin the Jacobian −I + J has eigenvalues (a − 1) ± i:
// the origin is a stable focus for a < 1 and loses stability to a complex
// pair at a = 1; tanh's cubic term is stabilising, so a cycle is born
// there (supercritical). The Hopf event and the cycle's birth must be
// reported with From < 1 ≤ Step.
func TestLandscapeHopf(t *testing.T) {
	var p LandscapeProblem
	for a := 0.85; a <= 1.3+1e-9; a += 0.1 {
		p.Nets = append(p.Nets, ctrnn2(t, []float64{a, -1, 1, a}, nil, 0.05))
		p.Steps = append(p.Steps, a)
	}
	p.Starts = gridStarts(8)
	res, err := Landscape(context.Background(), p, &LandscapeSettings{RunSteps: 4000, WindowSteps: 400})
	if err != nil {
		t.Fatal(err)
	}
	e := findEvent(t, res, EventHopf)
	if !(e.From < 1 && 1 <= e.Step) {
		t.Errorf("Hopf reported between a = %.2f and %.2f; want the interval to hold a = 1", e.From, e.Step)
	}
	c := findEvent(t, res, EventCycleBirth)
	if c.Step != e.Step || e.Cycle == nil || *e.Cycle != c.Points[0] {
		t.Errorf("cycle birth %+v does not go with the Hopf event %+v", c, e)
	}
	for _, ck := range res.Checkpoints {
		want := 0
		if ck.Step > 1 {
			want = 1
		}
		if ck.Cycles != want {
			t.Errorf("a = %.2f: %d cycles, want %d", ck.Step, ck.Cycles, want)
		}
		if want == 1 && math.Abs(ck.Orbits[0].Period-2*math.Pi) > 0.5*2*math.Pi {
			t.Errorf("a = %.2f: period %.3f, want near 2π (the linear frequency 1)", ck.Step, ck.Orbits[0].Period)
		}
	}
}

// TestWilsonFraction checks the Wilson interval against values computed by
// hand: 0 of 10 at z = 1.96 gives [0, 0.2775]; 5 of 10 gives
// [0.2366, 0.7634].
func TestWilsonFraction(t *testing.T) {
	for _, c := range []struct {
		k, n     int
		low, hig float64
	}{{0, 10, 0, 0.27753}, {5, 10, 0.23659, 0.76341}, {10, 10, 0.72247, 1}} {
		f := wilsonFraction(c.k, c.n, 1.96)
		if math.Abs(f.Low-c.low) > 1e-4 || math.Abs(f.High-c.hig) > 1e-4 {
			t.Errorf("%d/%d: [%.5f, %.5f], want [%.5f, %.5f]", c.k, c.n, f.Low, f.High, c.low, c.hig)
		}
	}
}

// TestLandscapePitchfork follows ẋ₁ = −x₁ + w tanh x₁, ẋ₂ = −x₂ along w.
// The origin's Jacobian has eigenvalues w − 1 and −1: it is the only fixed
// point, stable, for w < 1, and at w = 1 it turns saddle along a real mode
// while two stable points ±x*(w), x* ≈ √(3(w − 1)), split off it. The
// pitchfork must be reported with From < 1 ≤ Step, with two births.
func TestLandscapePitchfork(t *testing.T) {
	var p LandscapeProblem
	for w := 0.85; w <= 1.45+1e-9; w += 0.1 {
		p.Nets = append(p.Nets, ctrnn2(t, []float64{w, 0, 0, 0}, nil, 0.1))
		p.Steps = append(p.Steps, w)
	}
	p.Starts = gridStarts(16)
	res, err := Landscape(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := findEvent(t, res, EventPitchfork)
	if !(e.From < 1 && 1 <= e.Step) || len(e.Points) != 3 {
		t.Errorf("pitchfork %+v: want it between w = 0.95 and 1.05, naming the parent and two children", e)
	}
	births := 0
	for _, o := range res.Events {
		if o.Kind == EventBirth && o.Via == EventPitchfork && o.Step == e.Step {
			births++
		}
	}
	if births != 2 {
		t.Errorf("%d births by the pitchfork, want 2; events %+v", births, res.Events)
	}
	if last := res.Checkpoints[len(res.Checkpoints)-1]; last.Stable != 2 || last.Saddles != 1 {
		t.Errorf("at w = 1.45: %d stable, %d saddles; want 2 and 1", last.Stable, last.Saddles)
	}
}

// TestLandscapeErrors checks the problems Landscape refuses: no networks,
// steps that do not match, no Starts, networks of different sizes, a start
// list that is empty; and that a cancelled context stops it.
func TestLandscapeErrors(t *testing.T) {
	a := ctrnn2(t, []float64{0.5, 0, 0, 0.5}, nil, 0.1)
	b, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(mat.NewDense(3, 3, nil)), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	none := func(context.Context, int, model.Network) ([][]float64, error) { return nil, nil }
	ctx := context.Background()
	for _, c := range []struct {
		name string
		p    LandscapeProblem
		want string
	}{
		{"no networks", LandscapeProblem{Starts: gridStarts(4)}, "no networks"},
		{"steps", LandscapeProblem{Nets: []model.Network{a}, Steps: []float64{1, 2}, Starts: gridStarts(4)}, "2 steps for 1 networks"},
		{"no starts func", LandscapeProblem{Nets: []model.Network{a}, Steps: []float64{1}}, "no Starts"},
		{"sizes", LandscapeProblem{Nets: []model.Network{a, b}, Steps: []float64{1, 2}, Starts: gridStarts(4)}, "3 state variables"},
		{"empty starts", LandscapeProblem{Nets: []model.Network{a}, Steps: []float64{1}, Starts: none}, "no starts"},
	} {
		if _, err := Landscape(ctx, c.p, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p := LandscapeProblem{Nets: []model.Network{a, a}, Steps: []float64{1, 2}, Starts: gridStarts(4)}
	if _, err := Landscape(cctx, p, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}
