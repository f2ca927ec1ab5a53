package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"attractor/model"
)

func TestOverlapKindOf(t *testing.T) {
	xi := []float64{1, -1, 1, -1}
	cases := []struct {
		name          string
		phi           []float64
		raw, cos, sgn float64
	}{
		// Hand-computed: ξ·φ = 0.5 − 0.5 − 0.25 + 0 = −0.25, ‖φ‖ = 0.75, √N = 2.
		{"mixed", []float64{0.5, 0.5, -0.25, 0}, -0.0625, -1.0 / 6, -0.25},
		{"pattern", []float64{1, -1, 1, -1}, 1, 1, 1},
		{"scaled pattern", []float64{0.3, -0.3, 0.3, -0.3}, 0.3, 1, 1},
		{"reversed", []float64{-0.9, 0.9, -0.9, 0.9}, -0.9, -1, -1},
		{"orthogonal", []float64{1, 1, 1, 1}, 0, 0, 0},
		{"zero", []float64{0, 0, 0, 0}, 0, 0, 0},
	}
	for _, c := range cases {
		for _, k := range []struct {
			kind OverlapKind
			want float64
		}{{OverlapRaw, c.raw}, {OverlapCosine, c.cos}, {OverlapSign, c.sgn}} {
			if got := k.kind.Of(xi, c.phi); math.Abs(got-k.want) > 1e-15 {
				t.Errorf("%s: %v overlap = %v, want %v", c.name, k.kind, got, k.want)
			}
		}
	}
	for _, k := range []OverlapKind{OverlapRaw, OverlapCosine, OverlapSign, 7} {
		if k.String() == "" {
			t.Errorf("empty name for %d", int(k))
		}
	}
	assocMustPanic(t, "length mismatch", func() { OverlapRaw.Of(xi, []float64{1}) })
	assocMustPanic(t, "unknown kind", func() { OverlapKind(9).Of(xi, xi) })
}

// TestOverlapKindsAgreeAtRetrieval checks the §6.2 statement that for
// β = 10 the three overlaps coincide to < 1e-3 at a retrieval state.
func TestOverlapKindsAgreeAtRetrieval(t *testing.T) {
	pat := model.RandomPatterns(400, 8, model.NewRNG(5, 0))
	h, err := model.NewHopfield(pat, model.DefaultHopfieldConfig())
	if err != nil {
		t.Fatal(err)
	}
	var ms [3]float64
	for k, kind := range []OverlapKind{OverlapRaw, OverlapCosine, OverlapSign} {
		r, err := Retrieve(context.Background(), h, &RetrievalSettings{M0: 0.8, Seed: 2, T: 50, Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		ms[k] = r.MT
	}
	if ms[0] < 0.95 || math.Abs(ms[0]-ms[1]) > 1e-3 || math.Abs(ms[0]-ms[2]) > 1e-3 {
		t.Errorf("raw, cosine, sign m(T) = %v: want retrieval with agreement < 1e-3", ms)
	}
}

func assocMustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	f()
}

func TestTailMean(t *testing.T) {
	m := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		frac, want float64
	}{{0.1, 10}, {0.25, 9}, {0.3, 9}, {1, 5.5}, {1e-9, 10}, {0.5, 8}} {
		if got := TailMean(m, c.frac); got != c.want {
			t.Errorf("TailMean(1…10, %v) = %v, want %v", c.frac, got, c.want)
		}
	}
	if !math.IsNaN(TailMean(nil, 0.1)) {
		t.Error("TailMean(nil) is not NaN")
	}
	assocMustPanic(t, "frac 0", func() { TailMean(m, 0) })
	assocMustPanic(t, "frac 1.5", func() { TailMean(m, 1.5) })
}

func TestStepGrid(t *testing.T) {
	a := StepGrid(0.02, 0.5, 0.02)
	if len(a) != 25 || a[0] != 0.02 || a[24] != 0.5 || a[6] != 0.14 {
		t.Errorf("StepGrid(0.02, 0.5, 0.02) = %v", a)
	}
	m := StepGrid(0.05, 1, 0.05)
	if len(m) != 20 || m[2] != 0.15 || m[19] != 1 {
		t.Errorf("StepGrid(0.05, 1, 0.05) = %v", m)
	}
	if f := StepGrid(-0.9, 0.9, 0.3); len(f) != 7 || f[3] != 0 || f[4] != 0.3 || f[0] != -0.9 {
		t.Errorf("StepGrid(-0.9, 0.9, 0.3) = %v", f)
	}
	for _, bad := range [][3]float64{{1, 0, 0.1}, {0, 1, 0}, {0, 1, -1}, {math.NaN(), 1, 0.1}, {0, 1, 1e-9}} {
		if g := StepGrid(bad[0], bad[1], bad[2]); g != nil {
			t.Errorf("Grid%v = %v, want nil", bad, g)
		}
	}
}

// assocHopfield returns a small Hopfield network.
func assocHopfield(t *testing.T, n, p int, seed uint64) *model.Hopfield {
	t.Helper()
	h, err := model.NewHopfield(model.RandomPatterns(n, p, model.NewRNG(seed, 0)), model.DefaultHopfieldConfig())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// assocGated returns a small gated network with steepness gamma.
func assocGated(t *testing.T, n, p int, gamma float64, seed uint64) *model.Gated {
	t.Helper()
	c := model.DefaultGatedConfig()
	c.Gamma = gamma
	g, err := model.RandomGated(model.RandomPatterns(n, p, model.NewRNG(seed, 0)), c, model.NewRNG(seed, 1))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRetrieveHopfield(t *testing.T) {
	ctx := context.Background()
	h := assocHopfield(t, 300, 6, 1)
	s := &RetrievalSettings{Pattern: 2, M0: 0.6, Seed: 4, T: 30, Samples: 10}
	r, err := Retrieve(ctx, h, s)
	if err != nil {
		t.Fatal(err)
	}
	steps := int(math.Round(30 / h.Dt()))
	if r.Steps != steps || len(r.Times) != len(r.M) || r.Times[0] != 0 || math.Abs(r.Times[len(r.Times)-1]-30) > 1e-9 {
		t.Fatalf("steps %d (want %d), %d times, %d overlaps, times %v", r.Steps, steps, len(r.Times), len(r.M), r.Times)
	}
	if len(r.Times) > 12 {
		t.Errorf("%d samples, want at most 10 + 2", len(r.Times))
	}
	if r.MF != nil || r.MA != nil || r.Closed != nil {
		t.Error("Hopfield run has closed/active overlaps")
	}
	// m(0) ≈ m0·tanh(β) ± binomial noise; the overlap of the start computed
	// independently from the start state.
	x0, err := NoisyStart(h, 2, 0.6, 4)
	if err != nil {
		t.Fatal(err)
	}
	xi := make([]float64, 300)
	h.Patterns().Pattern(xi, 2)
	var want float64
	for i, v := range x0 {
		want += xi[i] * math.Tanh(10*v)
	}
	want /= 300
	if r.M0 != r.M[0] || math.Abs(r.M0-want) > 1e-12 || math.Abs(r.M0-0.6*math.Tanh(10)) > 4*math.Sqrt(1/300.0) {
		t.Errorf("m(0) = %v, M[0] = %v, want %v ≈ 0.6", r.M0, r.M[0], want)
	}
	// Below capacity (α = 0.02) the pattern is retrieved.
	if r.MSS < 0.99 || r.MT < 0.99 {
		t.Errorf("m_ss = %v, m(T) = %v at α = 0.02, want ≈ 1", r.MSS, r.MT)
	}
	// The final state is plain Euler stepping of the network from x0.
	x, next := append([]float64(nil), x0...), make([]float64, 300)
	for k := 0; k < steps; k++ {
		h.Step(next, x, nil)
		x, next = next, x
	}
	for i := range x {
		if x[i] != r.Final[i] {
			t.Fatalf("final state differs from Euler stepping at %d: %v vs %v", i, r.Final[i], x[i])
		}
	}
	// Deterministic per seed; another seed gives another start.
	r2, _ := Retrieve(ctx, h, s)
	if fmt.Sprint(r2.M, r2.MSS) != fmt.Sprint(r.M, r.MSS) {
		t.Error("same seed, different result")
	}
	s3 := *s
	s3.Seed = 5
	r3, _ := Retrieve(ctx, h, &s3)
	if r3.M0 == r.M0 {
		t.Error("different seeds gave the same m(0)")
	}
}

// TestRetrieveSteadyState checks m_ss against the tail mean of an
// every-step time course, and m(T) against its last entry.
func TestRetrieveSteadyState(t *testing.T) {
	h := assocHopfield(t, 200, 30, 2) // α = 0.15: above capacity, m(t) keeps moving
	for _, tail := range []float64{0.1, 0.33, 1} {
		r, err := Retrieve(context.Background(), h, &RetrievalSettings{M0: 0.3, Seed: 1, T: 20, Tail: tail, Samples: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.M) != r.Steps+1 {
			t.Fatalf("%d samples for %d steps", len(r.M), r.Steps)
		}
		want := TailMean(r.M[1:], tail)
		if math.Abs(r.MSS-want) > 1e-12 || r.MT != r.M[len(r.M)-1] {
			t.Errorf("tail %v: m_ss = %v, want %v; m(T) = %v, want %v", tail, r.MSS, want, r.MT, r.M[len(r.M)-1])
		}
	}
}

func TestRetrieveGated(t *testing.T) {
	const n = 200
	g := assocGated(t, n, 10, math.Inf(1), 3)
	r, err := Retrieve(context.Background(), g, &RetrievalSettings{M0: 1, Seed: 7, T: 10, Samples: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.MF) != len(r.M) || len(r.MA) != len(r.M) || len(r.Closed) != len(r.M) {
		t.Fatalf("lengths M %d, MF %d, MA %d, Closed %d", len(r.M), len(r.MF), len(r.MA), len(r.Closed))
	}
	for k := range r.M {
		if math.Abs(r.MF[k]+r.MA[k]-r.M[k]) > 1e-12 {
			t.Errorf("t = %v: m_F + m_A = %v, m = %v", r.Times[k], r.MF[k]+r.MA[k], r.M[k])
		}
		if r.Closed[k] < 0 || r.Closed[k] > 1 {
			t.Errorf("closed fraction %v", r.Closed[k])
		}
	}
	// At t = 0 the state is x = ξ¹ exactly (m0 = 1), so φ = tanh(β)ξ¹ and
	// m_F = tanh(β)·#closed/N, m_A = tanh(β)·#open/N.
	s0, err := NoisyStart(g, 0, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	closed := 0
	for _, z := range s0[n:] {
		if z <= 0 {
			closed++
		}
	}
	tb := math.Tanh(10)
	if math.Abs(r.MF[0]-tb*float64(closed)/n) > 1e-12 || math.Abs(r.MA[0]-tb*float64(n-closed)/n) > 1e-12 ||
		r.Closed[0] != float64(closed)/n {
		t.Errorf("t = 0: m_F = %v, m_A = %v, closed %v; want %v, %v, %v", r.MF[0], r.MA[0], r.Closed[0],
			tb*float64(closed)/n, tb*float64(n-closed)/n, float64(closed)/n)
	}
	if closed == 0 || closed == n {
		t.Errorf("z(0) ~ N(0, 1) gave %d closed of %d", closed, n)
	}
}

func TestRetrieveErrors(t *testing.T) {
	ctx := context.Background()
	h := assocHopfield(t, 50, 2, 1)
	lr := model.RandomLowRank(20, 2, model.NewRNG(1, 0))
	for _, c := range []struct {
		name string
		net  model.Network
		s    RetrievalSettings
		want string
	}{
		{"not associative", lr, RetrievalSettings{}, "not an associative"},
		{"nil network", nil, RetrievalSettings{}, "nil network"},
		{"pattern index", h, RetrievalSettings{Pattern: 2}, "pattern index"},
		{"m0", h, RetrievalSettings{M0: 1.5}, "m0"},
		{"negative T", h, RetrievalSettings{T: -1}, "run length"},
		{"infinite T", h, RetrievalSettings{T: math.Inf(1)}, "run length"},
		{"too long", h, RetrievalSettings{T: 1e9}, "exceeds the limit"},
		{"tail", h, RetrievalSettings{Tail: 2}, "tail fraction"},
		{"kind", h, RetrievalSettings{Kind: 5}, "overlap kind"},
	} {
		_, err := Retrieve(ctx, c.net, &c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := RetrieveFrom(ctx, h, make([]float64, 49), nil); err == nil {
		t.Error("RetrieveFrom accepted a short state")
	}
	bad := make([]float64, 50)
	bad[3] = math.NaN()
	if _, err := RetrieveFrom(ctx, h, bad, nil); err == nil {
		t.Error("RetrieveFrom accepted a NaN state")
	}
	if _, err := NoisyStart(lr, 0, 1, 1); err == nil {
		t.Error("NoisyStart accepted a low-rank network")
	}
}

func TestRetrieveCancel(t *testing.T) {
	h := assocHopfield(t, 100, 5, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// 5·10⁷ steps would take minutes; a cancelled context stops at once.
	_, err := Retrieve(ctx, h, &RetrievalSettings{M0: 1, T: 1e7})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	_, err = PhaseDiagramOf(ctx, HopfieldMemory(100, model.DefaultHopfieldConfig()), &PhaseSettings{Runs: 1, T: 1e7})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("PhaseDiagramOf: error %v, want context.Canceled", err)
	}
	p := model.OrthogonalPair(100, model.NewRNG(1, 0))
	h2, _ := model.NewHopfield(p, model.DefaultHopfieldConfig())
	if _, err = FlowDiagram(ctx, h2, &FlowSettings{T: 1e7}); !errors.Is(err, context.Canceled) {
		t.Errorf("FlowDiagram: error %v, want context.Canceled", err)
	}
}

func TestRetrieveFromMatchesRetrieve(t *testing.T) {
	g := assocGated(t, 100, 5, 10, 2)
	s := &RetrievalSettings{M0: 0.7, Seed: 9, T: 5}
	r1, err := Retrieve(context.Background(), g, s)
	if err != nil {
		t.Fatal(err)
	}
	x0, _ := NoisyStart(g, 0, 0.7, 9)
	keep := append([]float64(nil), x0...)
	r2, err := RetrieveFrom(context.Background(), g, x0, s)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(r1.M, r1.MF, r1.MSS) != fmt.Sprint(r2.M, r2.MF, r2.MSS) {
		t.Error("RetrieveFrom(NoisyStart) differs from Retrieve")
	}
	if fmt.Sprint(keep) != fmt.Sprint(x0) {
		t.Error("RetrieveFrom modified x0")
	}
}

func TestMemoryModel(t *testing.T) {
	h := assocHopfield(t, 60, 3, 1)
	m, err := MemoryModelOf(h)
	if err != nil || m.Gated || m.N != 60 || m.Hopfield != h.Config() || m.Dt() != h.Dt() {
		t.Fatalf("MemoryModelOf(hopfield) = %+v, %v", m, err)
	}
	g := assocGated(t, 40, 3, math.Inf(1), 1)
	mg, err := MemoryModelOf(g)
	if err != nil || !mg.Gated || mg.N != 40 || mg.Gate.Gamma != g.Config().Gamma {
		t.Fatalf("MemoryModelOf(gated) = %+v, %v", mg, err)
	}
	if !strings.Contains(mg.String(), "γ=∞") || !strings.Contains(m.String(), "hopfield") {
		t.Errorf("names %q, %q", mg.String(), m.String())
	}
	if _, err := MemoryModelOf(model.RandomLowRank(10, 1, model.NewRNG(1, 0))); err == nil {
		t.Error("MemoryModelOf accepted a low-rank network")
	}
	net, err := mg.Build(model.RandomPatterns(40, 2, model.NewRNG(1, 0)), model.NewRNG(2, 0))
	if err != nil || net.(*model.Gated).Config().Form != model.ConnPatterns {
		t.Errorf("Build: %v, %v", net, err)
	}
	if _, err := mg.Build(model.RandomPatterns(41, 2, model.NewRNG(1, 0)), model.NewRNG(2, 0)); err == nil {
		t.Error("Build accepted patterns of the wrong length")
	}
}

func TestPhaseDiagram(t *testing.T) {
	ctx := context.Background()
	set := PhaseSettings{Alphas: []float64{0.02, 0.3}, M0s: []float64{0.1, 1}, Runs: 3, T: 20, Seed: 5}
	var calls, last int
	s1 := set
	s1.Concurrency = 1
	s1.Progress = func(done, total int) { calls++; last = done }
	m := HopfieldMemory(100, model.DefaultHopfieldConfig())
	d1, err := PhaseDiagramOf(ctx, m, &s1)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 12 || last != 12 {
		t.Errorf("progress called %d times, last %d; want 12", calls, last)
	}
	s3 := set
	s3.Concurrency = 3
	d3, err := PhaseDiagramOf(ctx, m, &s3)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(d1.Values) != fmt.Sprint(d3.Values) {
		t.Errorf("Concurrency 1 and 3 differ:\n%v\n%v", d1.Values, d3.Values)
	}
	if len(d1.Mean) != 4 || len(d1.Values) != 12 || d1.P[0] != 2 || d1.P[1] != 30 || d1.Closed != nil {
		t.Fatalf("shapes: mean %d, values %d, P %v", len(d1.Mean), len(d1.Values), d1.P)
	}
	for c := 0; c < 4; c++ {
		v := d1.Values[3*c : 3*c+3]
		mean := (v[0] + v[1] + v[2]) / 3
		sd := math.Sqrt(((v[0]-mean)*(v[0]-mean) + (v[1]-mean)*(v[1]-mean) + (v[2]-mean)*(v[2]-mean)) / 2)
		if gm, gs := d1.At(c/2, c%2); math.Abs(gm-mean) > 1e-15 || math.Abs(gs-sd) > 1e-12 {
			t.Errorf("cell %d: mean, std = %v, %v; want %v, %v", c, gm, gs, mean, sd)
		}
	}
	// α = 0.02 from m0 = 1 is retrieval.
	if mean, _ := d1.At(1, 0); mean < 0.98 {
		t.Errorf("α = 0.02, m0 = 1: m_ss = %v", mean)
	}
	// The gated model with the same seed sees the same patterns and flips:
	// its m(0) equals the Hopfield one (X0Scale = 1).
	gm := GatedMemory(100, model.DefaultGatedConfig())
	dg, err := PhaseDiagramOf(ctx, gm, &set)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(dg.Start) != fmt.Sprint(d1.Start) || len(dg.Closed) != 4 {
		t.Errorf("gated start %v, Hopfield start %v", dg.Start, d1.Start)
	}
	delta, err := dg.Minus(d1)
	if err != nil {
		t.Fatal(err)
	}
	for k := range delta.Values {
		if delta.Values[k] != dg.Values[k]-d1.Values[k] {
			t.Fatalf("Δ value %d", k)
		}
	}
	zero, _ := d1.Minus(d1)
	for c := range zero.Mean {
		if zero.Mean[c] != 0 || zero.Std[c] != 0 {
			t.Errorf("d − d = %v ± %v", zero.Mean[c], zero.Std[c])
		}
	}
	other := set
	other.Alphas = []float64{0.02, 0.31}
	d4, err := PhaseDiagramOf(ctx, m, &PhaseSettings{Alphas: other.Alphas, M0s: set.M0s, Runs: 3, T: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d1.Minus(d4); err == nil {
		t.Error("Minus accepted different grids")
	}
}

func TestPhaseDiagramErrors(t *testing.T) {
	ctx := context.Background()
	m := HopfieldMemory(20, model.DefaultHopfieldConfig())
	for _, s := range []PhaseSettings{
		{Alphas: []float64{0}},
		{Alphas: []float64{math.NaN()}},
		{M0s: []float64{2}},
		{Alphas: []float64{}},
		{T: -1},
		{Runs: -1},
	} {
		if _, err := PhaseDiagramOf(ctx, m, &s); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	bad := m
	bad.Hopfield.Beta = -1
	if _, err := PhaseDiagramOf(ctx, bad, &PhaseSettings{Runs: 1, T: 1}); err == nil {
		t.Error("β = −1 accepted")
	}
	if _, err := PhaseDiagramOf(ctx, MemoryModel{}, nil); err == nil {
		t.Error("N = 0 accepted")
	}
}

func TestDistinctPoints(t *testing.T) {
	pts := [][2]float64{{0, 0}, {0.0005, 0}, {1, 0}, {1, 0.002}, {0.0009, 0.0003}}
	cl := DistinctPoints(pts, 1e-3)
	want := []PointCluster{{[2]float64{0, 0}, 3}, {[2]float64{1, 0}, 1}, {[2]float64{1, 0.002}, 1}}
	if fmt.Sprint(cl) != fmt.Sprint(want) {
		t.Errorf("DistinctPoints = %v, want %v", cl, want)
	}
	if n := len(DistinctPoints(pts, 0)); n != 5 {
		t.Errorf("tol 0: %d clusters, want 5", n)
	}
	if n := len(DistinctPoints(pts, 10)); n != 1 {
		t.Errorf("tol 10: %d clusters, want 1", n)
	}
}

func TestFlowDiagram(t *testing.T) {
	ctx := context.Background()
	const n = 200
	p := model.OrthogonalPair(n, model.NewRNG(2, 0))
	h, err := model.NewHopfield(p, model.DefaultHopfieldConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := &FlowSettings{Grid: []float64{-0.8, 0, 0.8}, T: 40, Seed: 1, Concurrency: 1}
	r, err := FlowDiagram(ctx, h, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Runs) != 9 {
		t.Fatalf("%d runs, want 9", len(r.Runs))
	}
	tb := math.Tanh(10)
	tol := 4 / math.Sqrt(n)
	for _, run := range r.Runs {
		// E[m1 ± m2] = m± tanh β.
		mp, mm := run.Start[0]+run.Start[1], run.Start[0]-run.Start[1]
		if math.Abs(mp-run.Target[0]*tb) > tol || math.Abs(mm-run.Target[1]*tb) > tol {
			t.Errorf("target %v: start m± = (%.3f, %.3f)", run.Target, mp, mm)
		}
		// The ungated network ends at ±ξ¹ or ±ξ² (m ≈ ±1 on one axis, 0 on
		// the other).
		a, b := math.Abs(run.End[0]), math.Abs(run.End[1])
		if !(a > 0.99 && b < 0.01) && !(b > 0.99 && a < 0.01) {
			t.Errorf("target %v: end %v is not a pattern", run.Target, run.End)
		}
		if d := run.Displacement(); math.Abs(d-math.Hypot(run.End[0]-run.Start[0], run.End[1]-run.Start[1])) > 1e-15 {
			t.Errorf("displacement %v", d)
		}
	}
	if len(r.Ends) > 4 {
		t.Errorf("%d distinct ungated end points, want ≤ 4: %v", len(r.Ends), r.Ends)
	}
	s2 := *s
	s2.Concurrency = 4
	r2, _ := FlowDiagram(ctx, h, &s2)
	if fmt.Sprint(r.Runs) != fmt.Sprint(r2.Runs) {
		t.Error("Concurrency 1 and 4 differ")
	}
	h3 := assocHopfield(t, 50, 3, 1)
	if _, err := FlowDiagram(ctx, h3, nil); err == nil || !strings.Contains(err.Error(), "want 2") {
		t.Errorf("P = 3: error %v", err)
	}
	if _, err := FlowDiagram(ctx, h, &FlowSettings{Grid: []float64{1.5}}); err == nil {
		t.Error("grid value 1.5 accepted")
	}
}

func ExampleRetrieve() {
	// One stored pattern (α = 1/N): from a start with m(0) ≈ 0.3 the network
	// reaches x = c ξ, c = (1 − α) tanh(βc), so m = tanh(βc) ≈ 1.
	pat := model.RandomPatterns(500, 1, model.NewRNG(1, 0))
	net, _ := model.NewHopfield(pat, model.DefaultHopfieldConfig())
	r, err := Retrieve(context.Background(), net, &RetrievalSettings{M0: 0.3, Seed: 1, T: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("m_ss = %.3f after %d steps\n", r.MSS, r.Steps)
	// Output: m_ss = 1.000 after 100 steps
}
