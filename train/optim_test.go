package train

import (
	"math"
	"testing"
)

// TestSGDMomentum checks torch's SGD recurrence by hand: with momentum 0.9,
// weight decay 0.1, lr 0.5 and a constant gradient 1 on p = 2:
// step 1: d = 1 + 0.2 = 1.2, b = 1.2, p = 2 − 0.6 = 1.4;
// step 2: d = 1 + 0.14 = 1.14, b = 0.9·1.2 + 1.14 = 2.22, p = 1.4 − 1.11 = 0.29.
func TestSGDMomentum(t *testing.T) {
	p := &Param{Name: "w", Value: []float64{2}, Grad: []float64{1}}
	o := &SGD{LR: 0.5, Momentum: 0.9, WeightDecay: 0.1}
	o.Step([]*Param{p})
	if !close(p.Value[0], 1.4) {
		t.Fatalf("after step 1: %v, want 1.4", p.Value[0])
	}
	o.Step([]*Param{p})
	if !close(p.Value[0], 0.29) {
		t.Fatalf("after step 2: %v, want 0.29", p.Value[0])
	}
}

// TestAdamFirstSteps checks Adam's bias correction: the first step moves a
// parameter by lr·g/(|g| + ε) and with a constant gradient every step moves
// it by lr·1/(1 + ε/|g|) as well.
func TestAdamFirstSteps(t *testing.T) {
	p := &Param{Name: "w", Value: []float64{1, -1}, Grad: []float64{0.3, -2}}
	o := NewAdam(0.01)
	for step := 1; step <= 3; step++ {
		before := append([]float64(nil), p.Value...)
		o.Step([]*Param{p})
		for i, g := range p.Grad {
			want := -0.01 * g / (math.Abs(g) + 1e-8)
			if d := p.Value[i] - before[i]; math.Abs(d-want) > 1e-15 {
				t.Errorf("step %d param %d moved %v, want %v", step, i, d, want)
			}
		}
	}
}

func TestMaskKeepsZeros(t *testing.T) {
	p := &Param{Name: "w", Value: []float64{1, 0, 3}, Grad: []float64{1, 1, 1}, Mask: []float64{1, 0, 1}}
	for _, o := range []Optimizer{&SGD{LR: 0.1, Momentum: 0.9}, NewAdam(0.1)} {
		o.Step([]*Param{p})
		if p.Value[1] != 0 {
			t.Errorf("%T: masked entry became %v", o, p.Value[1])
		}
	}
}

func TestOptimizerStateRoundTrip(t *testing.T) {
	for _, mk := range []func() Optimizer{
		func() Optimizer { return &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 1e-7} },
		func() Optimizer { return NewAdam(0.01) },
	} {
		params := func() []*Param {
			return []*Param{{Name: "a", Value: []float64{1, 2}, Grad: []float64{0.5, -0.25}}}
		}
		a, b := mk(), mk()
		pa, pb := params(), params()
		a.Step(pa)
		b.Step(pb)
		// Restore a fresh optimiser from a's state; continuing must match b.
		c := mk()
		if err := c.SetState(a.State()); err != nil {
			t.Fatal(err)
		}
		c.Step(pa)
		b.Step(pb)
		for i := range pa[0].Value {
			if pa[0].Value[i] != pb[0].Value[i] {
				t.Errorf("%T: resumed %v, uninterrupted %v", a, pa[0].Value, pb[0].Value)
			}
		}
		if err := c.SetState(map[string][]float64{"bogus": {1}}); err == nil {
			t.Errorf("%T: unknown state buffer accepted", a)
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	ps := []*Param{{Grad: []float64{3}}, {Grad: []float64{4}}}
	if n := ClipGradNorm(ps, 1); n != 5 {
		t.Fatalf("norm %v, want 5", n)
	}
	if got := GradNorm(ps); math.Abs(got-5/(5+1e-6)) > 1e-12 {
		t.Errorf("clipped norm %v", got)
	}
	ps = []*Param{{Grad: []float64{0.3}}}
	ClipGradNorm(ps, 1)
	if ps[0].Grad[0] != 0.3 {
		t.Errorf("gradient below the limit changed to %v", ps[0].Grad[0])
	}
}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }
