package inspect

import (
	"context"
	"path/filepath"
	"testing"

	"attractor/model"
	"attractor/saved"
	"attractor/train/task"
)

// ffInits samples initial states along trajectories of 32 flip-flop
// trials, every 10th step.
func ffInits(net model.Network) [][]float64 {
	ff := task.NewFlipFlop(3)
	ff.Size = 32
	b := ff.Batch(model.NewRNG(1, 0))
	h := net.Dims().State
	var inits [][]float64
	for trial := 0; trial < b.Size; trial++ {
		x, next := make([]float64, h), make([]float64, h)
		for st := 0; st < b.Steps; st++ {
			net.Step(next, x, b.In(st, trial))
			x, next = next, x
			if st%10 == 9 {
				inits = append(inits, append([]float64(nil), x...))
			}
		}
	}
	return inits
}

// ffMemoryClass returns the memory state (bit i set when output i is
// positive) that the readout of x decodes.
func ffMemoryClass(net model.Network, x []float64) int {
	out := make([]float64, net.Dims().Output)
	net.Output(out, x)
	class := 0
	for i, v := range out {
		if v > 0 {
			class |= 1 << i
		}
	}
	return class
}

// ffHeldMemories returns the set of memory states that the network holds
// indefinitely, found by simulation and independent of the fixed-point
// finder: 64 flip-flop trials are run to their end, then for `hold` steps
// at zero input; a memory state is held when some trial ending in it (all
// three channels set) still decodes to it afterwards.
func ffHeldMemories(net model.Network, hold int) map[int]bool {
	ff := task.NewFlipFlop(3)
	b := ff.Batch(model.NewRNG(2, 0))
	h := net.Dims().State
	zero := make([]float64, net.Dims().Input)
	held := map[int]bool{}
	for trial := 0; trial < b.Size; trial++ {
		tg := b.Target(b.Steps-1, trial)
		if tg[0] == 0 || tg[1] == 0 || tg[2] == 0 {
			continue
		}
		x, next := make([]float64, h), make([]float64, h)
		for st := 0; st < b.Steps; st++ {
			net.Step(next, x, b.In(st, trial))
			x, next = next, x
		}
		for st := 0; st < hold; st++ {
			net.Step(next, x, zero)
			x, next = next, x
		}
		if c := ffMemoryClass(net, x); c == b.Class[trial] {
			held[c] = true
		}
	}
	return held
}

// ffCheck runs EC-30 on a trained flip-flop GRU: the stable fixed points at
// zero input must be exactly the memory states the network holds forever
// (one stable point per held memory state, decoding to it), with saddles
// between them. A memory state that the network keeps only for the length
// of a trial but loses over thousands of steps is a slow point, not a
// fixed point, and must not be reported as stable. It returns the number
// of stable points and of held memory states.
func ffCheck(t *testing.T, net model.Network) (stable, held int) {
	t.Helper()
	inits := ffInits(net)
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	classes := map[int]int{}
	for _, p := range res.Points {
		kinds[p.Kind]++
		if p.Kind == Stable {
			classes[ffMemoryClass(net, p.X)]++
		}
		if p.Eigenvalues.Convention != DiscreteMap {
			t.Fatalf("a GRU is a discrete map; spectrum convention %v", p.Eigenvalues.Convention)
		}
	}
	// Multipliers of the memory states are about 0.99–0.997, so 5000 steps
	// shrink any transient by 0.997⁵⁰⁰⁰ ≈ 3e-7.
	mem := ffHeldMemories(net, 5000)
	t.Logf("%d inits in %v: %d unique points %v; candidates %d converged, %d captured, %d slow, %d not converged; memory states held by simulation: %d",
		len(inits), res.Runtime.Round(1e6), len(res.Points), kinds, res.Converged, res.Captured, res.Slow, res.NotConverged, len(mem))
	if kinds[Stable] != len(mem) {
		t.Errorf("%d stable fixed points, want %d (one per memory state held by the network)", kinds[Stable], len(mem))
	}
	for c, k := range classes {
		if k != 1 || !mem[c] {
			t.Errorf("%d stable points decode to memory state %03b (held by simulation: %v)", k, c, mem[c])
		}
	}
	if kinds[Saddle] == 0 {
		t.Error("no saddles between the memory states")
	}
	return kinds[Stable], len(mem)
}

// TestFlipFlopGRUFromTorch pins EC-30 on a network trained elsewhere: a
// GRU trained on the 3-bit flip-flop by real PyTorch (100-step trials,
// accuracy 1.0), read from its torch.save file. This network holds only
// two of its eight memory states forever: the other six drift away within
// about 1000 steps of zero input (their leading multipliers are within
// 1e-3 of 1 and q has positive local minima, q ≈ 1e-9…1e-7, near them), so
// the finder must report two stable points, not eight, plus slow points.
func TestFlipFlopGRUFromTorch(t *testing.T) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n.Net.Family() != model.FamilyGRU {
		t.Fatalf("read a %s network", n.Net.Family())
	}
	if stable, _ := ffCheck(t, n.Net); stable < 2 {
		t.Errorf("%d stable points, want at least the 2 memory states that simulation shows", stable)
	}
}
