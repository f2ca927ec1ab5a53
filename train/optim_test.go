package train

import (
	"encoding/json"
	"math"
	"os"
	"strings"
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

type torchOptimFixture struct {
	P0    []float64   `json:"p0"`
	Grads [][]float64 `json:"grads"`
	Cases map[string]struct {
		Kwargs     map[string]any `json:"kwargs"`
		Trajectory [][]float64    `json:"trajectory"`
	} `json:"cases"`
	Clip struct {
		GradsIn  [][]float64 `json:"grads_in"`
		MaxNorm  float64     `json:"max_norm"`
		Norm     float64     `json:"norm"`
		GradsOut [][]float64 `json:"grads_out"`
	} `json:"clip"`
}

func loadOptimFixture(t *testing.T) *torchOptimFixture {
	b, err := os.ReadFile("testdata/optim_torch.json")
	if err != nil {
		t.Fatal(err)
	}
	var f torchOptimFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// TestOptimizersMatchTorch replays the gradients of a real torch.optim run
// and compares every parameter after every step (float64) to 1e-14.
func TestOptimizersMatchTorch(t *testing.T) {
	f := loadOptimFixture(t)
	num := func(kw map[string]any, k string) float64 {
		if v, ok := kw[k].(float64); ok {
			return v
		}
		return 0
	}
	for name, c := range f.Cases {
		var o Optimizer
		kw := c.Kwargs
		if strings.HasPrefix(name, "sgd") {
			nest, _ := kw["nesterov"].(bool)
			o = &SGD{LR: num(kw, "lr"), Momentum: num(kw, "momentum"), WeightDecay: num(kw, "weight_decay"), Dampening: num(kw, "dampening"), Nesterov: nest}
		} else {
			a := NewAdam(num(kw, "lr"))
			if betas, ok := kw["betas"].([]any); ok {
				a.Beta1, a.Beta2 = betas[0].(float64), betas[1].(float64)
			}
			if _, ok := kw["eps"]; ok {
				a.Eps = num(kw, "eps")
			}
			a.WeightDecay = num(kw, "weight_decay")
			o = a
		}
		p := &Param{Name: "p", Value: append([]float64(nil), f.P0...), Grad: make([]float64, len(f.P0))}
		for step, g := range f.Grads {
			copy(p.Grad, g)
			o.Step([]*Param{p})
			for i, want := range c.Trajectory[step] {
				if math.Abs(p.Value[i]-want) > 1e-14*math.Max(1, math.Abs(want)) {
					t.Fatalf("%s step %d [%d]: %v, torch %v", name, step+1, i, p.Value[i], want)
				}
			}
		}
	}
}

func TestClipMatchesTorch(t *testing.T) {
	c := loadOptimFixture(t).Clip
	ps := []*Param{{Grad: append([]float64(nil), c.GradsIn[0]...)}, {Grad: append([]float64(nil), c.GradsIn[1]...)}}
	if n := ClipGradNorm(ps, c.MaxNorm); math.Abs(n-c.Norm) > 1e-14 {
		t.Errorf("norm %v, torch %v", n, c.Norm)
	}
	for j, p := range ps {
		for i, g := range p.Grad {
			if math.Abs(g-c.GradsOut[j][i]) > 1e-15 {
				t.Errorf("clipped grad [%d][%d] %v, torch %v", j, i, g, c.GradsOut[j][i])
			}
		}
	}
}
