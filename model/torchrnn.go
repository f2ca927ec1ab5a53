package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// TorchRNN is PyTorch's one-layer torch.nn.RNN with the tanh nonlinearity,
// a discrete map of the hidden state h ∈ R^H:
//
//	h' = tanh(W_ih u + b_ih + W_hh h + b_hh),   y = W_out h + b_out.
//
// Its parameters are a [TorchParams] with one gate block (G = 1): WeightIH
// is H×I, WeightHH is H×H, BiasIH and BiasHH have length H. The state
// Jacobian is diag(1 − h'²) W_hh.
type TorchRNN struct {
	TorchParams // parameters in torch's layout, G = 1
	sz          torchSizes
	a           []float64 // scratch: pre-activation, then h'
}

// NewTorchRNN returns the network with parameters p, which it uses without
// copying. It returns an error naming the parameter when the shapes do not
// fit together, and a wrapped [*NonFiniteError] when a value is NaN or
// infinite.
func NewTorchRNN(p TorchParams) (*TorchRNN, error) {
	sz, err := torchValidate("NewTorchRNN", 1, &p)
	if err != nil {
		return nil, err
	}
	return &TorchRNN{TorchParams: p, sz: sz, a: make([]float64, sz.hid)}, nil
}

// RandomTorchRNN returns a network with PyTorch's default initialisation:
// every weight and bias uniform in [−1/√H, 1/√H) with H = hidden, drawn from
// rng. A readout is added when output > 0.
func RandomTorchRNN(hidden, input, output int, rng *RNG) *TorchRNN {
	p, sz := torchRandom("RandomTorchRNN", 1, hidden, input, output, rng)
	return &TorchRNN{TorchParams: p, sz: sz, a: make([]float64, sz.hid)}
}

// Family returns FamilyTorchRNN.
func (n *TorchRNN) Family() Family { return FamilyTorchRNN }

// Dims returns the sizes: state H, input I, output O.
func (n *TorchRNN) Dims() Dims { return Dims{State: n.sz.hid, Input: n.sz.in, Output: n.sz.out} }

// StateVar returns StateHidden.
func (n *TorchRNN) StateVar() StateVar { return StateHidden }

// forward leaves h' = f(x, u) in n.a.
func (n *TorchRNN) forward(op string, x, u []float64) {
	checkLen(op, "x", x, n.sz.hid)
	checkInput(op, u, n.sz.in)
	torchPreact(n.a, &n.TorchParams, x, u)
	for i, v := range n.a {
		n.a[i] = math.Tanh(v)
	}
}

// Step writes h' = tanh(W_ih u + b_ih + W_hh x + b_hh) into dst.
func (n *TorchRNN) Step(dst, x, u []float64) {
	checkLen("TorchRNN.Step", "dst", dst, n.sz.hid)
	n.forward("TorchRNN.Step", x, u)
	copy(dst, n.a)
}

// Jacobian writes ∂h'/∂h = diag(1 − h'²) W_hh into dst (H×H).
func (n *TorchRNN) Jacobian(dst *mat.Dense, x, u []float64) {
	checkDense("TorchRNN.Jacobian", "dst", dst, n.sz.hid, n.sz.hid)
	n.forward("TorchRNN.Jacobian", x, u)
	n.scaleRows(dst, n.WeightHH)
}

// InputJacobian writes ∂h'/∂u = diag(1 − h'²) W_ih into dst (H×I). It
// writes nothing when the network has no input.
func (n *TorchRNN) InputJacobian(dst *mat.Dense, x, u []float64) {
	if n.sz.in == 0 {
		checkLen("TorchRNN.InputJacobian", "x", x, n.sz.hid)
		return
	}
	checkDense("TorchRNN.InputJacobian", "dst", dst, n.sz.hid, n.sz.in)
	n.forward("TorchRNN.InputJacobian", x, u)
	n.scaleRows(dst, n.WeightIH)
}

// scaleRows writes diag(1 − a²) w into dst, with a = h' in scratch.
func (n *TorchRNN) scaleRows(dst, w *mat.Dense) {
	for i, h := range n.a {
		d := 1 - h*h
		row := torchDstRow(dst, i)
		for j, v := range torchRow(w, 0, n.sz.hid, i) {
			row[j] = d * v
		}
	}
}

// Output writes W_out x + b_out into dst, of length O.
func (n *TorchRNN) Output(dst, x []float64) {
	checkLen("TorchRNN.Output", "dst", dst, n.sz.out)
	checkLen("TorchRNN.Output", "x", x, n.sz.hid)
	torchOutput(dst, &n.TorchParams, x)
}

// Clone returns a network sharing the parameters with its own scratch.
func (n *TorchRNN) Clone() Network {
	return &TorchRNN{TorchParams: n.TorchParams, sz: n.sz, a: make([]float64, n.sz.hid)}
}
