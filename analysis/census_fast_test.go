package analysis

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"attractor/model"
	"attractor/saved"
)

// peerNet is a smaller copy of the peer fixed-point benchmark's network
// (shared/bench/fixedpoints_torch.py --make): dx/dt = −x + J tanh(x),
// J = g χ/√n + M Nᵀ/n with a rank-2 structure, dt = 0.1, dense J, and,
// with inits, the script's starting states (noisy states of 16
// trajectories) as the file's inits array.
func peerNet(t testing.TB, n int, inits bool) *saved.Network {
	t.Helper()
	rng := model.NewRNG(3, 0)
	j := model.DenseGaussian(n, 0.8, rng)
	m := make([]float64, 2*n)
	nv := make([]float64, 2*n)
	for i := range m {
		m[i] = rng.Norm()
	}
	for i := range n {
		nv[2*i] = 2*m[2*i] + 0.5*rng.Norm()
		nv[2*i+1] = 1.6*m[2*i+1] + 0.5*rng.Norm()
	}
	for a := range n {
		for b := range n {
			j.Set(a, b, j.At(a, b)+(m[2*a]*nv[2*b]+m[2*a+1]*nv[2*b+1])/float64(n))
		}
	}
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(j), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	f := &saved.Network{Net: net}
	if !inits {
		return f
	}
	var pool [][]float64
	y := make([]float64, n)
	for range 16 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 2 * rng.Norm()
		}
		for s := range 400 {
			net.Step(y, x, nil)
			x, y = y, x
			if s%25 == 0 {
				pool = append(pool, append([]float64(nil), x...))
			}
		}
	}
	const k = 128
	data := make([]float64, 0, k*n)
	for range k {
		x := pool[rng.IntN(len(pool))]
		for _, v := range x {
			data = append(data, v+0.05*rng.Norm())
		}
	}
	f.Extra = []saved.Tensor{{Name: "inits", Shape: []int{k, n}, DType: saved.Float64, Data: data}}
	return f
}

// censusBothWays runs the census of n under its protocol the fast way
// (blocks of starts stepped together where the network allows it, starts
// stopped within censusReach of a known stable point) and as before issue
// 18 (censusLegacy), with settings s (nil: the defaults).
func censusBothWays(t testing.TB, n *saved.Network, s *Settings) (fast, old *CensusResult) {
	t.Helper()
	if s == nil {
		s = DefaultSettings()
	}
	p, err := ProtocolFor(n, s.Seed)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { censusLegacy = false }()
	for _, legacy := range []bool{false, true} {
		censusLegacy = legacy
		c, err := Census(context.Background(), n.Net, n, &p, s)
		if err != nil {
			t.Fatal(err)
		}
		if legacy {
			old = c
		} else {
			fast = c
		}
	}
	return fast, old
}

// censusDiff describes how the fast census a differs from the census b
// made as before issue 18, in what the report shows: the points (kind,
// count, sources, state within the search's TolUnique), the attractors
// (kind, census point, starts), the cycles, the unsettled starts and the
// coverage. It returns "" when they agree. The one difference allowed:
// a start the old census left unsettled (its 1000 steps ended farther than
// censusNear from every stable point, and inspect.Settle did not call it
// settled) may now be counted on the attractor it had come within
// censusReach of; so every attractor has at least its old starts, and
// the extra starts are exactly the fewer unsettled ones.
func censusDiff(a, b *CensusResult) string {
	if len(a.Points) != len(b.Points) {
		return fmt.Sprintf("%d points, %d before", len(a.Points), len(b.Points))
	}
	for i := range a.Points {
		p, q := a.Points[i], b.Points[i]
		if p.Kind != q.Kind || p.Count != q.Count || fmt.Sprint(p.Sources) != fmt.Sprint(q.Sources) || dist2(p.X, q.X) >= 1e-3 {
			return fmt.Sprintf("point %d: %v, count %d %v; before %v, count %d %v, ‖Δx‖ %.3g", i, p.Kind, p.Count, p.Sources, q.Kind, q.Count, q.Sources, dist2(p.X, q.X))
		}
	}
	if len(a.Attractors) != len(b.Attractors) {
		return fmt.Sprintf("%d attractors %v, %d before %v", len(a.Attractors), attractorList(a), len(b.Attractors), attractorList(b))
	}
	// Attractors are listed in the order a start first reached them, which
	// moves when starts left unsettled before now settle: match them by
	// kind and point (cycles, which have no point, in their order).
	extra := 0
	type key struct {
		kind  string
		point int
		nth   int
	}
	keyed := func(c *CensusResult) map[key]int {
		m, seen := map[key]int{}, map[key]int{}
		for _, at := range c.Attractors {
			k := key{fmt.Sprint(at.Kind), at.Point, 0}
			k.nth = seen[k]
			seen[key{k.kind, k.point, 0}]++
			m[k] = at.Starts
		}
		return m
	}
	ka, kb := keyed(a), keyed(b)
	for k, q := range kb {
		p, ok := ka[k]
		if !ok || p < q {
			return fmt.Sprintf("attractors %v; before %v", attractorList(a), attractorList(b))
		}
		extra += p - q
	}
	if a.Unsettled > b.Unsettled || extra != b.Unsettled-a.Unsettled {
		return fmt.Sprintf("%d unsettled, %d before, but %d more starts on attractors %v; before %v", a.Unsettled, b.Unsettled, extra, attractorList(a), attractorList(b))
	}
	if len(a.Cycles) != len(b.Cycles) {
		return fmt.Sprintf("%d cycles; before %d", len(a.Cycles), len(b.Cycles))
	}
	if a.Coverage != b.Coverage || fmt.Sprint(a.Rounds) != fmt.Sprint(b.Rounds) {
		return fmt.Sprintf("coverage %+v rounds %v; before %+v rounds %v", a.Coverage, a.Rounds, b.Coverage, b.Rounds)
	}
	return ""
}

func attractorList(c *CensusResult) []string {
	var s []string
	for _, a := range c.Attractors {
		s = append(s, fmt.Sprintf("%s→%d×%d", a.Kind, a.Point, a.Starts))
	}
	return s
}

// TestCensusFastPathMatches compares the census's fast forward
// simulation with the one it replaced (issue 18): on the peer
// benchmark's network at N = 200 and 120 (dense J, so its starts are stepped in
// blocks with one matrix product per step), from the file's inits and
// from the generic protocol's starts, and on the 24-unit PyTorch GRU
// (stepped one start at a time, stopped within censusReach), the census
// must find the same points and the same attractors with the same
// numbers of starts (or more, by the starts it left unsettled before:
// see censusDiff). The science-tagged TestCensusFastPathMatchesAll does
// the same on every gallery and test network.
func TestCensusFastPathMatches(t *testing.T) {
	gru, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		n    *saved.Network
	}{
		{"peer N=200, inits", peerNet(t, 200, true)},
		{"peer N=120, generic", peerNet(t, 120, false)},
		{"gru8", gru},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fast, old := censusBothWays(t, tc.n, nil)
			if d := censusDiff(fast, old); d != "" {
				t.Error(d)
			}
			if len(fast.Attractors) == 0 {
				t.Errorf("no attractor found by simulation: the comparison compared nothing")
			}
			t.Logf("%d points, attractors %v (before %v), %d unsettled (before %d), rounds %v", len(fast.Points), attractorList(fast), attractorList(old), fast.Unsettled, old.Unsettled, fast.Rounds)
		})
	}
}

// TestSimulateBlocksMatch checks the blocks stepped together against
// simulate, start by start, with the same stopping distance: every start
// ends on the same known point, or settles within a hundred times the
// settling speed of where simulate settles, or is unsettled in both, and
// the ends do not depend on the number of goroutines.
func TestSimulateBlocksMatch(t *testing.T) {
	f := peerNet(t, 120, true)
	net := f.Net
	var starts [][]float64
	in := f.Extra[0]
	for i := range in.Shape[0] {
		starts = append(starts, in.Data[i*120:(i+1)*120])
	}
	// One known point: the end of the first start's long run.
	x := append([]float64(nil), starts[0]...)
	y := make([]float64, len(x))
	for range 3000 {
		net.Step(y, x, nil)
		x, y = y, x
	}
	known := [][]float64{x}
	ends1, set1, err := simulateAll(context.Background(), net, starts, nil, 300, known, 1)
	if err != nil {
		t.Fatal(err)
	}
	ends2, _, err := simulateAll(context.Background(), net, starts, nil, 300, known, 3)
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for i, x0 := range starts {
		want, wset := simulate(net.Clone(), x0, nil, 300, known, censusReach, 1)
		got := ends1[i]
		if set1[i] != wset {
			t.Fatalf("start %d: settled %v, simulate %v", i, set1[i], wset)
		}
		for j := range got {
			if got[j] != ends2[i][j] && !(math.IsNaN(got[j]) && math.IsNaN(ends2[i][j])) {
				t.Fatalf("start %d: ends differ between 1 and 3 goroutines", i)
			}
		}
		switch {
		case len(want) > 0 && &want[0] == &known[0][0]:
			hits++
			if &got[0] != &known[0][0] {
				t.Fatalf("start %d: simulate ends on the known point, the block at ‖Δx‖/√N %.3g from it", i, rmsDist(got, known[0]))
			}
		case rmsDist(got, want) > 100*censusSettle:
			t.Fatalf("start %d: ends %.3g apart (‖Δx‖/√N)", i, rmsDist(got, want))
		}
	}
	if hits == 0 || hits == len(starts) {
		t.Fatalf("%d of %d starts end on the known point: the test needs both kinds", hits, len(starts))
	}
}
