package train

import (
	"fmt"
	"math"
)

// Param is one trainable tensor: its values, the gradient of the loss with
// respect to them, and an optional fixed mask (entries where Mask is 0 are
// kept at zero: their gradient is zeroed before every update, as for the
// TRNN's sparse connectivity).
type Param struct {
	Name  string
	Value []float64
	Grad  []float64
	Mask  []float64 // nil: every entry is trainable
}

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step applies one update to every parameter, in order.
	Step(params []*Param)
	// State returns the optimiser's internal buffers by parameter name, so
	// that a checkpoint can save and restore them (resume must reproduce the
	// same bytes as an uninterrupted run).
	State() map[string][]float64
	// SetState restores buffers returned by State.
	SetState(map[string][]float64) error
}

// SGD is torch.optim.SGD: with weight decay λ, momentum μ, dampening τ and
// learning rate η, for each parameter p with gradient g
//
//	d = g + λ p
//	b = d                      (first step)
//	b = μ b + (1 − τ) d        (later steps)
//	d = d + μ b (Nesterov) or d = b
//	p = p − η d
type SGD struct {
	LR, Momentum, WeightDecay, Dampening float64
	Nesterov                             bool

	buf  map[string][]float64
	step int
}

// Step applies one SGD update.
func (o *SGD) Step(params []*Param) {
	if o.buf == nil {
		o.buf = map[string][]float64{}
	}
	o.step++
	for _, p := range params {
		applyMask(p)
		b, seen := o.buf[p.Name]
		if o.Momentum != 0 && !seen {
			b = make([]float64, len(p.Value))
			o.buf[p.Name] = b
		}
		for i, g := range p.Grad {
			d := g
			if o.WeightDecay != 0 {
				d += o.WeightDecay * p.Value[i]
			}
			if o.Momentum != 0 {
				if !seen {
					b[i] = d
				} else {
					b[i] = o.Momentum*b[i] + (1-o.Dampening)*d
				}
				if o.Nesterov {
					d += o.Momentum * b[i]
				} else {
					d = b[i]
				}
			}
			p.Value[i] -= o.LR * d
		}
		applyMaskValue(p)
	}
}

// State returns the momentum buffers and the step count.
func (o *SGD) State() map[string][]float64 {
	s := map[string][]float64{"step": {float64(o.step)}}
	for k, v := range o.buf {
		s["momentum/"+k] = append([]float64(nil), v...)
	}
	return s
}

// SetState restores buffers saved by State.
func (o *SGD) SetState(s map[string][]float64) error {
	o.buf = map[string][]float64{}
	for k, v := range s {
		switch {
		case k == "step":
			if len(v) != 1 {
				return fmt.Errorf("sgd state: step has %d values", len(v))
			}
			o.step = int(v[0])
		case len(k) > 9 && k[:9] == "momentum/":
			o.buf[k[9:]] = append([]float64(nil), v...)
		default:
			return fmt.Errorf("sgd state: unknown buffer %q", k)
		}
	}
	return nil
}

// Adam is torch.optim.Adam (L2 weight decay added to the gradient, not
// AdamW), with PyTorch's exact order of operations:
//
//	g = g + λ p
//	m = β₁ m + (1 − β₁) g
//	v = β₂ v + (1 − β₂) g²
//	p = p − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64

	m, v map[string][]float64
	t    int
}

// NewAdam returns Adam with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8.
func NewAdam(lr float64) *Adam { return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Step applies one Adam update.
func (o *Adam) Step(params []*Param) {
	if o.m == nil {
		o.m, o.v = map[string][]float64{}, map[string][]float64{}
	}
	o.t++
	bc1 := 1 - math.Pow(o.Beta1, float64(o.t))
	bc2 := math.Sqrt(1 - math.Pow(o.Beta2, float64(o.t)))
	stepSize := o.LR / bc1
	for _, p := range params {
		applyMask(p)
		m, ok := o.m[p.Name]
		if !ok {
			m = make([]float64, len(p.Value))
			o.m[p.Name] = m
			o.v[p.Name] = make([]float64, len(p.Value))
		}
		v := o.v[p.Name]
		for i, g := range p.Grad {
			if o.WeightDecay != 0 {
				g += o.WeightDecay * p.Value[i]
			}
			m[i] = o.Beta1*m[i] + (1-o.Beta1)*g
			v[i] = o.Beta2*v[i] + (1-o.Beta2)*g*g
			denom := math.Sqrt(v[i])/bc2 + o.Eps
			p.Value[i] += -stepSize * (m[i] / denom)
		}
		applyMaskValue(p)
	}
}

// State returns the moment estimates and the step count.
func (o *Adam) State() map[string][]float64 {
	s := map[string][]float64{"step": {float64(o.t)}}
	for k, v := range o.m {
		s["m/"+k] = append([]float64(nil), v...)
		s["v/"+k] = append([]float64(nil), o.v[k]...)
	}
	return s
}

// SetState restores buffers saved by State.
func (o *Adam) SetState(s map[string][]float64) error {
	o.m, o.v = map[string][]float64{}, map[string][]float64{}
	for k, val := range s {
		switch {
		case k == "step":
			if len(val) != 1 {
				return fmt.Errorf("adam state: step has %d values", len(val))
			}
			o.t = int(val[0])
		case len(k) > 2 && k[:2] == "m/":
			o.m[k[2:]] = append([]float64(nil), val...)
		case len(k) > 2 && k[:2] == "v/":
			o.v[k[2:]] = append([]float64(nil), val...)
		default:
			return fmt.Errorf("adam state: unknown buffer %q", k)
		}
	}
	for k := range o.m {
		if _, ok := o.v[k]; !ok {
			return fmt.Errorf("adam state: %q has a first moment but no second", k)
		}
	}
	return nil
}

// ClipGradNorm scales all gradients together so that their joint 2-norm is
// at most maxNorm, as torch.nn.utils.clip_grad_norm_ does (coefficient
// maxNorm/(norm + 1e-6), applied only when below 1). It returns the norm
// before clipping.
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	norm := GradNorm(params)
	if coef := maxNorm / (norm + 1e-6); coef < 1 {
		for _, p := range params {
			for i := range p.Grad {
				p.Grad[i] *= coef
			}
		}
	}
	return norm
}

// GradNorm returns the joint 2-norm of all gradients.
func GradNorm(params []*Param) float64 {
	var s float64
	for _, p := range params {
		for _, g := range p.Grad {
			s += g * g
		}
	}
	return math.Sqrt(s)
}

// ZeroGrad sets every gradient to zero.
func ZeroGrad(params []*Param) {
	for _, p := range params {
		clear(p.Grad)
	}
}

func applyMask(p *Param) {
	if p.Mask == nil {
		return
	}
	for i, m := range p.Mask {
		if m == 0 {
			p.Grad[i] = 0
		}
	}
}

func applyMaskValue(p *Param) {
	if p.Mask == nil {
		return
	}
	for i, m := range p.Mask {
		if m == 0 {
			p.Value[i] = 0
		}
	}
}
