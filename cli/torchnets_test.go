package cli

import (
	"encoding/json"
	"math"
	"math/cmplx"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/saved"
)

// The networks of issue 15's "test networks we did not train": state dicts
// written by real PyTorch (scripts/fixtures/torchnets.py) with, beside each,
// a JSON file of what a float64 simulation in PyTorch found before saving.
// See testdata/torchnets/README.md.
const torchnetsDir = "testdata/torchnets"

// torchnetExpect is a fixture's expectations file (NAME.json).
type torchnetExpect struct {
	Name     string `json:"name"`
	File     string `json:"file"`
	Family   string `json:"family"`
	Task     string `json:"task"`
	Bits     int    `json:"bits"`
	Hidden   int    `json:"hidden"`
	StateDim int    `json:"state_dim"`
	Seed     int    `json:"seed"`
	// FixedPoints are the end states of the census (random states
	// N(0, 0.5²), states along noisy trials, pulse-reached memory states;
	// 20,000 zero-input steps) that came to rest, one per attractor.
	FixedPoints []struct {
		X          []float64      `json:"x"`
		Pattern    string         `json:"pattern"`
		Leading    float64        `json:"leading_multiplier"`
		Move       float64        `json:"move"`
		ErrorBound float64        `json:"error_bound"`
		Reached    map[string]int `json:"reached_from"`
	} `json:"fixed_points"`
	Cycles []struct {
		Period      float64     `json:"period"`
		ExactPeriod int         `json:"exact_period"`
		Orbit       [][]float64 `json:"orbit"`
		StepMax     float64     `json:"step_max"`
	} `json:"cycles"`
	Line *struct {
		HoldSteps int         `json:"hold_steps"`
		States    [][]float64 `json:"states"`
		Leading   []float64   `json:"leading_multipliers"`
		Speeds    []float64   `json:"speeds"`
	} `json:"line"`
	NotAtRest int `json:"not_at_rest"`
	Probes    []struct {
		X0    []float64 `json:"x0"`
		Steps int       `json:"steps"`
		XEnd  []float64 `json:"x_end"`
	} `json:"probes"`
}

func loadTorchnets(t *testing.T) []torchnetExpect {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(torchnetsDir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no expectations in %s (%v)", torchnetsDir, err)
	}
	var out []torchnetExpect
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var e torchnetExpect
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, e)
	}
	return out
}

// torchnetReport is the part of `attractor inspect --json` these tests
// read; decodeTorchnetReport is the one place that knows the schema.
type torchnetReport struct {
	Points []torchnetPoint // every fixed or slow point listed
	Cycles []float64       // the period of every limit cycle, in steps
}

type torchnetPoint struct {
	Kind string    // "stable", "saddle", "marginal", "slow", …
	X    []float64 // the state (FixedPointFinder's xstar); nil when not reported
}

// decodeTorchnetReport reads fixed_points[].{kind, xstar},
// cycles[].period_steps and manifolds[].states from an inspect --json
// document (attractor.report/1); a slow manifold's relaxed sample states
// join Points with kind "manifold". It is the one place to adapt when the
// schema changes.
func decodeTorchnetReport(stdout string) (torchnetReport, error) {
	var doc struct {
		FixedPoints []struct {
			Kind string    `json:"kind"`
			X    []float64 `json:"xstar"`
		} `json:"fixed_points"`
		Manifolds []struct {
			States [][]float64 `json:"states"`
		} `json:"manifolds"`
		Cycles []struct {
			Period float64 `json:"period_steps"`
		} `json:"cycles"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		return torchnetReport{}, err
	}
	var r torchnetReport
	for _, p := range doc.FixedPoints {
		r.Points = append(r.Points, torchnetPoint{Kind: p.Kind, X: p.X})
	}
	for _, c := range doc.Cycles {
		r.Cycles = append(r.Cycles, c.Period)
	}
	for _, m := range doc.Manifolds {
		for _, x := range m.States {
			r.Points = append(r.Points, torchnetPoint{Kind: "manifold", X: x})
		}
	}
	return r, nil
}

// torchnetsMatchTol is how far a reported fixed point may lie from the
// simulation's end state x and still be the same attractor. The finder
// stops at q = ½‖f(x) − x‖² < TolQ = 1e-12 (inspect.DefaultFixedPointSettings),
// so its point lies within √(2·TolQ)/σ of the true fixed point, σ the
// smallest singular value of I − ∂f/∂x there; the simulation's end state,
// which moves ‖f(x) − x‖ per step, lies within ‖f(x) − x‖/σ of it. The
// finder merges points closer than TolUnique = 1e-3, so no match is asked
// to be finer than that.
func torchnetsMatchTol(net model.Network, x []float64) float64 {
	N := len(x)
	u := make([]float64, net.Dims().Input)
	fx := make([]float64, N)
	net.Step(fx, x, u)
	J := mat.NewDense(N, N, nil)
	net.Jacobian(J, x, u)
	J.Sub(eye(N), J)
	var svd mat.SVD
	if !svd.Factorize(J, mat.SVDNone) {
		return torchnetsTolUnique
	}
	sv := svd.Values(nil)
	sigma := sv[len(sv)-1]
	return max(torchnetsTolUnique, (math.Sqrt(2*torchnetsTolQ)+dist(fx, x))/sigma)
}

// The defaults of inspect.DefaultFixedPointSettings these tests rely on.
const (
	torchnetsTolQ        = 1e-12
	torchnetsTolUnique   = 1e-3
	torchnetsTolMarginal = 1e-3
)

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// TestTorchNetsInspect is issue 15's "done when" for bring-your-own networks:
// on every PyTorch test network, `attractor inspect --json` with default
// settings finds every attractor the float64 simulation found (each stable
// fixed point within the tolerance above of one it reports as stable), no
// stable point outside that set, each limit cycle with its period within
// one step, and a line attractor as a continuum of slow points along the
// simulated line rather than a few isolated stable points.
func TestTorchNetsInspect(t *testing.T) {
	for _, e := range loadTorchnets(t) {
		t.Run(e.Name, func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := run("inspect", filepath.Join(torchnetsDir, e.File), "--json")
			took := time.Since(start)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			r, err := decodeTorchnetReport(stdout)
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			n, _, err := saved.Open(filepath.Join(torchnetsDir, e.File), nil)
			if err != nil {
				t.Fatal(err)
			}
			tols := make([]float64, len(e.FixedPoints))
			for i, fp := range e.FixedPoints {
				tols[i] = torchnetsMatchTol(n.Net, fp.X)
			}
			var stable []torchnetPoint
			for _, p := range r.Points {
				if p.Kind == "stable" {
					stable = append(stable, p)
				}
			}
			t.Logf("inspect took %v: %d points, %d stable, cycles %v", took.Round(time.Millisecond), len(r.Points), len(stable), r.Cycles)
			for _, p := range stable {
				if len(p.X) != e.StateDim {
					t.Fatalf("%d stable points reported (the simulation found %d attractors), with states of %d values, want %d (fixed_points[].xstar)", len(stable), len(e.FixedPoints), len(p.X), e.StateDim)
				}
			}
			// Every attractor found by simulation is reported as stable.
			found := 0
			for i, fp := range e.FixedPoints {
				tol := tols[i]
				best := math.Inf(1)
				for _, p := range stable {
					best = min(best, dist(p.X, fp.X))
				}
				// An attractor whose leading |μ| is within TolMarginal of 1
				// may be reported as marginal: inspect's classes are decided
				// at that tolerance.
				if 1-fp.Leading <= torchnetsTolMarginal {
					for _, p := range r.Points {
						if p.Kind == "marginal" && len(p.X) == e.StateDim {
							best = min(best, dist(p.X, fp.X))
						}
					}
				}
				if best <= tol {
					found++
				} else {
					t.Errorf("attractor %s (|μ| %.4f, reached from %v) not reported: nearest stable point at %.3g, tolerance %.3g", fp.Pattern, fp.Leading, fp.Reached, best, tol)
				}
			}
			// No stable point outside the known set: the fixed points the
			// simulation found and, for a line attractor, the line.
			extra := 0
			for _, p := range stable {
				known := false
				for i, fp := range e.FixedPoints {
					known = known || dist(p.X, fp.X) <= tols[i]
				}
				if e.Line != nil {
					d, _ := torchnetsLineDist(e.Line.States, p.X)
					known = known || d <= torchnetsLineTol(e.Line.States)
				}
				if !known {
					extra++
				}
			}
			if extra > 0 {
				t.Errorf("%d stable points that the simulation did not find", extra)
			}
			for _, c := range e.Cycles {
				ok := false
				for _, p := range r.Cycles {
					ok = ok || math.Abs(p-c.Period) <= 1
				}
				if !ok {
					t.Errorf("cycle of period %.3f steps by simulation; reported periods %v", c.Period, r.Cycles)
				}
			}
			if e.Line != nil {
				torchnetsCheckLine(t, e, r)
			}
			t.Logf("%d of %d attractors by simulation found; %d extra stable points", found, len(e.FixedPoints), extra)
		})
	}
}

// torchnetsLineDist returns the distance from x to the polyline through the
// simulated line's states (ordered by the amplitude that set them) and the
// arc length of the nearest point on it.
func torchnetsLineDist(line [][]float64, x []float64) (d, s float64) {
	d = math.Inf(1)
	arc := 0.0
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		ab, ax := 0.0, 0.0
		for k := range a {
			ab += (b[k] - a[k]) * (b[k] - a[k])
			ax += (x[k] - a[k]) * (b[k] - a[k])
		}
		u := 0.0
		if ab > 0 {
			u = min(1, max(0, ax/ab))
		}
		p := make([]float64, len(a))
		for k := range a {
			p[k] = a[k] + u*(b[k]-a[k])
		}
		seg := math.Sqrt(ab)
		if dd := dist(p, x); dd < d {
			d, s = dd, arc+u*seg
		}
		arc += seg
	}
	return d, s
}

// torchnetsLineTol is how far from the polyline a point of the line may
// be: half the largest spacing of the simulated states, the resolution at
// which the simulation samples the curve.
func torchnetsLineTol(line [][]float64) float64 {
	m := 0.0
	for i := 0; i+1 < len(line); i++ {
		m = max(m, dist(line[i], line[i+1]))
	}
	return m / 2
}

// torchnetsCheckLine asks for a continuum: the points inspect reports
// within torchnetsLineTol of the simulated line that are stable, marginal
// or slow cover it, with no gap longer than a tenth of its length (41
// pulse amplitudes −1…1 sample it; a few isolated stable points leave gaps).
func torchnetsCheckLine(t *testing.T, e torchnetExpect, r torchnetReport) {
	t.Helper()
	line := e.Line.States
	tol := torchnetsLineTol(line)
	_, length := torchnetsLineDist(line, line[len(line)-1])
	var arcs []float64
	for _, p := range r.Points {
		if len(p.X) != e.StateDim || p.Kind == "saddle" || p.Kind == "unstable" {
			continue
		}
		if d, s := torchnetsLineDist(line, p.X); d <= tol {
			arcs = append(arcs, s)
		}
	}
	arcs = append(arcs, 0, length)
	gap := 0.0
	for i := range arcs {
		next := length
		for _, s := range arcs {
			if s > arcs[i] {
				next = min(next, s)
			}
		}
		gap = max(gap, next-arcs[i])
	}
	t.Logf("line of length %.3f: %d reported points on it (within %.3g), largest gap %.3f", length, len(arcs)-2, tol, gap)
	if gap > length/10 {
		t.Errorf("the line attractor is not reported as a continuum: %d points on the line, a gap of %.3f of its length %.3f", len(arcs)-2, gap, length)
	}
}

// TestTorchNetsSimulation checks each fixture's expectations independently
// of `attractor inspect`: our reading of the .pt and our model's forward map
// reproduce PyTorch's float64 simulation. Both are float64 with the same
// float32 weights, differing only in summation order (≈ 1e-16 per step);
// the maps contract or, along a cycle or line, are neutral, so 20,000 steps
// stay far below 1e-8. Fixed points must be at rest as the simulation found
// them (‖f(x) − x‖ < 1e-9) with the same leading multiplier (1e-6), a cycle
// must close, and the line's states move as slowly as PyTorch said.
func TestTorchNetsSimulation(t *testing.T) {
	for _, e := range loadTorchnets(t) {
		t.Run(e.Name, func(t *testing.T) {
			n, _, err := saved.Open(filepath.Join(torchnetsDir, e.File), nil)
			if err != nil {
				t.Fatal(err)
			}
			net := n.Net
			N := net.Dims().State
			if string(net.Family()) != map[string]string{"gru": "gru", "lstm": "lstm", "rnn": "rnn_tanh"}[e.Family] || N != e.StateDim {
				t.Fatalf("read a %s network of %d state variables, want %s of %d", net.Family(), N, e.Family, e.StateDim)
			}
			u := make([]float64, net.Dims().Input)
			x1 := make([]float64, N)
			step := func(x []float64) []float64 {
				net.Step(x1, x, u)
				return append([]float64(nil), x1...)
			}
			for i, p := range e.Probes {
				x := p.X0
				for k := 0; k < p.Steps; k++ {
					x = step(x)
				}
				if d := dist(x, p.XEnd); d > 1e-8 {
					t.Errorf("probe %d: after %d steps %.3g from PyTorch's end state", i, p.Steps, d)
				}
			}
			J := mat.NewDense(N, N, nil)
			leading := func(x []float64) float64 {
				net.Jacobian(J, x, u)
				var eig mat.Eigen
				if !eig.Factorize(J, mat.EigenNone) {
					t.Fatal("eigen-decomposition failed")
				}
				m := 0.0
				for _, v := range eig.Values(nil) {
					m = max(m, cmplx.Abs(v))
				}
				return m
			}
			var pats []string
			for _, fp := range e.FixedPoints {
				if d := dist(step(fp.X), fp.X); d > 1e-9 {
					t.Errorf("fixed point %s moves %.3g per step", fp.Pattern, d)
				}
				if mu := leading(fp.X); math.Abs(mu-fp.Leading) > 1e-6 {
					t.Errorf("fixed point %s: |μ| %.8f, PyTorch %.8f", fp.Pattern, mu, fp.Leading)
				}
				pats = append(pats, fp.Pattern)
			}
			// The match tolerances leave no ambiguity: no two attractors
			// within the sum of theirs.
			for i, a := range e.FixedPoints {
				for j := i + 1; j < len(e.FixedPoints); j++ {
					b := e.FixedPoints[j]
					if d, tol := dist(a.X, b.X), torchnetsMatchTol(net, a.X)+torchnetsMatchTol(net, b.X); d <= tol {
						t.Errorf("attractors %s and %s %.3g apart, within their match tolerances %.3g", a.Pattern, b.Pattern, d, tol)
					}
				}
			}
			for _, c := range e.Cycles {
				for k := 0; k+1 < len(c.Orbit); k++ {
					if d := dist(step(c.Orbit[k]), c.Orbit[k+1]); d > 1e-9 {
						t.Errorf("cycle orbit step %d: %.3g from PyTorch's", k, d)
					}
				}
				if c.ExactPeriod > 0 {
					if d := dist(c.Orbit[c.ExactPeriod], c.Orbit[0]); d > 1e-8 {
						t.Errorf("cycle does not close after %d steps: %.3g", c.ExactPeriod, d)
					}
				}
			}
			if e.Line != nil {
				for i, x := range e.Line.States {
					if d := dist(step(x), x); math.Abs(d-e.Line.Speeds[i]) > 1e-9 {
						t.Errorf("line state %d moves %.3g per step, PyTorch %.3g", i, d, e.Line.Speeds[i])
					}
				}
			}
			t.Logf("%d probes reproduced; fixed points %s", len(e.Probes), strings.Join(pats, " "))
		})
	}
}
