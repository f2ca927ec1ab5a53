package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// LSTM is PyTorch's one-layer torch.nn.LSTM, a discrete map of the state
// s = (h, c) ∈ R^{2H}, the hidden state h followed by the cell c, with
// torch's gate order i, f, g, o:
//
//	i  = σ(W_ii u + b_ii + W_hi h + b_hi)
//	f  = σ(W_if u + b_if + W_hf h + b_hf)
//	g  = tanh(W_ig u + b_ig + W_hg h + b_hg)
//	o  = σ(W_io u + b_io + W_ho h + b_ho)
//	c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c'),   y = W_out h + b_out,
//
// with σ the logistic function (science spec §2.1). Its parameters are a
// [TorchParams] with four gate blocks (G = 4): WeightIH = [W_ii; W_if; W_ig;
// W_io] is 4H×I, WeightHH = [W_hi; W_hf; W_hg; W_ho] is 4H×H, and BiasIH,
// BiasHH have length 4H in the same order. Output reads h, the first H
// entries of the state.
//
// The state Jacobian is the 2H×2H chain rule of science spec §2.3:
// ∂c'/∂c = diag(f), ∂c'/∂h = diag(c σ'(a_f)) W_hf + diag(g σ'(a_i)) W_hi +
// diag(i (1−g²)) W_hg, and ∂h'/∂· = diag(tanh(c') σ'(a_o)) W_ho [for h] +
// diag(o (1 − tanh² c')) ∂c'/∂·, with σ'(a) = σ(a)(1 − σ(a)).
type LSTM struct {
	TorchParams // parameters in torch's layout, G = 4, gates i, f, g, o
	sz          torchSizes
	gates       []float64 // scratch: i, f, g, o, 4H
	c, tc       []float64 // scratch: c' and tanh(c'), H each
}

// NewLSTM returns the network with parameters p, which it uses without
// copying. It returns an error naming the parameter when the shapes do not
// fit together, and a wrapped [*NonFiniteError] when a value is NaN or
// infinite.
func NewLSTM(p TorchParams) (*LSTM, error) {
	sz, err := torchValidate("NewLSTM", 4, &p)
	if err != nil {
		return nil, err
	}
	return newLSTM(p, sz), nil
}

// RandomLSTM returns a network with PyTorch's default initialisation: every
// weight and bias uniform in [−1/√H, 1/√H) with H = hidden, drawn from rng.
// A readout is added when output > 0. Call [LSTM.SetForgetBias] afterwards
// for the forget-bias initialisation of science spec §2.1.
func RandomLSTM(hidden, input, output int, rng *RNG) *LSTM {
	return newLSTM(torchRandom("RandomLSTM", 4, hidden, input, output, rng))
}

func newLSTM(p TorchParams, sz torchSizes) *LSTM {
	return &LSTM{
		TorchParams: p, sz: sz,
		gates: make([]float64, 4*sz.hid),
		c:     make([]float64, sz.hid),
		tc:    make([]float64, sz.hid),
	}
}

// SetForgetBias sets the total forget-gate bias b_if + b_hf of every unit to
// b, by setting b_if = b and b_hf = 0. With b = 1 this is the forget-bias
// initialisation of Jozefowicz et al. (2015) proposed in science spec §2.1.
// The biases are shared with clones, which see the change.
func (l *LSTM) SetForgetBias(b float64) {
	h := l.sz.hid
	for i := h; i < 2*h; i++ {
		l.BiasIH[i] = b
		l.BiasHH[i] = 0
	}
}

// Family returns FamilyLSTM.
func (l *LSTM) Family() Family { return FamilyLSTM }

// Dims returns the sizes: state 2H, input I, output O.
func (l *LSTM) Dims() Dims { return Dims{State: 2 * l.sz.hid, Input: l.sz.in, Output: l.sz.out} }

// StateVar returns StateHiddenCell.
func (l *LSTM) StateVar() StateVar { return StateHiddenCell }

// forward leaves the gate activations i, f, g, o in l.gates and c' and
// tanh(c') in l.c and l.tc.
func (l *LSTM) forward(op string, x, u []float64) {
	h := l.sz.hid
	checkLen(op, "x", x, 2*h)
	checkInput(op, u, l.sz.in)
	torchPreact(l.gates, &l.TorchParams, x[:h], u)
	for k := 0; k < 4; k++ {
		blk := l.gates[k*h : (k+1)*h]
		if k == 2 {
			for j, v := range blk {
				blk[j] = math.Tanh(v)
			}
			continue
		}
		for j, v := range blk {
			blk[j] = sigmoid(v)
		}
	}
	ig, fg, gg := l.gates[:h], l.gates[h:2*h], l.gates[2*h:3*h]
	c := x[h:]
	for j := range l.c {
		l.c[j] = fg[j]*c[j] + ig[j]*gg[j]
		l.tc[j] = math.Tanh(l.c[j])
	}
}

// Step writes (h', c') into dst, of length 2H.
func (l *LSTM) Step(dst, x, u []float64) {
	h := l.sz.hid
	checkLen("LSTM.Step", "dst", dst, 2*h)
	l.forward("LSTM.Step", x, u)
	og := l.gates[3*h:]
	for j := 0; j < h; j++ {
		dst[j] = og[j] * l.tc[j]
	}
	copy(dst[h:], l.c)
}

// Jacobian writes ∂(h', c')/∂(h, c) into dst (2H×2H), the chain rule given
// in the type's doc comment.
func (l *LSTM) Jacobian(dst *mat.Dense, x, u []float64) {
	h := l.sz.hid
	checkDense("LSTM.Jacobian", "dst", dst, 2*h, 2*h)
	l.forward("LSTM.Jacobian", x, u)
	l.rows(dst, l.WeightHH, x[h:])
	fg := l.gates[h : 2*h]
	og := l.gates[3*h:]
	for j := 0; j < h; j++ {
		hrow, crow := torchDstRow(dst, j), torchDstRow(dst, h+j)
		clear(hrow[h:])
		clear(crow[h:])
		crow[h+j] = fg[j]
		hrow[h+j] = og[j] * (1 - l.tc[j]*l.tc[j]) * fg[j]
	}
}

// InputJacobian writes ∂(h', c')/∂u into dst (2H×I): the same chain rule
// with the input weights W_i· in place of W_h· and no output-gate path
// through c. It writes nothing when the network has no input.
func (l *LSTM) InputJacobian(dst *mat.Dense, x, u []float64) {
	if l.sz.in == 0 {
		checkLen("LSTM.InputJacobian", "x", x, 2*l.sz.hid)
		return
	}
	checkDense("LSTM.InputJacobian", "dst", dst, 2*l.sz.hid, l.sz.in)
	l.forward("LSTM.InputJacobian", x, u)
	l.rows(dst, l.WeightIH, x[l.sz.hid:])
}

// rows writes into the first w-column-count columns of dst the derivatives
// through the pre-activations a = w v + …: rows H..2H−1 get
// ∂c'/∂v = diag(c σ'(a_f)) w_f + diag(g σ'(a_i)) w_i + diag(i (1−g²)) w_g and
// rows 0..H−1 get ∂h'/∂v = diag(tanh(c') σ'(a_o)) w_o + diag(o (1−tanh²c')) ∂c'/∂v.
// c is the previous cell state.
func (l *LSTM) rows(dst, w *mat.Dense, c []float64) {
	h := l.sz.hid
	ig, fg, gg, og := l.gates[:h], l.gates[h:2*h], l.gates[2*h:3*h], l.gates[3*h:]
	for j := 0; j < h; j++ {
		aF := c[j] * fg[j] * (1 - fg[j])
		aI := gg[j] * ig[j] * (1 - ig[j])
		aG := ig[j] * (1 - gg[j]*gg[j])
		aO := l.tc[j] * og[j] * (1 - og[j])
		aC := og[j] * (1 - l.tc[j]*l.tc[j])
		wi, wf := torchRow(w, 0, h, j), torchRow(w, 1, h, j)
		wg, wo := torchRow(w, 2, h, j), torchRow(w, 3, h, j)
		hrow, crow := torchDstRow(dst, j), torchDstRow(dst, h+j)
		for k := range wi {
			dc := aF*wf[k] + aI*wi[k] + aG*wg[k]
			crow[k] = dc
			hrow[k] = aO*wo[k] + aC*dc
		}
	}
}

// Output writes W_out h + b_out into dst, of length O, where h is the first
// H entries of the state x.
func (l *LSTM) Output(dst, x []float64) {
	checkLen("LSTM.Output", "dst", dst, l.sz.out)
	checkLen("LSTM.Output", "x", x, 2*l.sz.hid)
	torchOutput(dst, &l.TorchParams, x[:l.sz.hid])
}

// Clone returns a network sharing the parameters with its own scratch.
func (l *LSTM) Clone() Network { return newLSTM(l.TorchParams, l.sz) }
