package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// GRU is PyTorch's one-layer torch.nn.GRU, a discrete map of the hidden
// state h ∈ R^H with torch's gate order r, z, n:
//
//	r  = σ(W_ir u + b_ir + W_hr h + b_hr)
//	z  = σ(W_iz u + b_iz + W_hz h + b_hz)
//	n  = tanh(W_in u + b_in + r ⊙ (W_hn h + b_hn))
//	h' = (1 − z) ⊙ n + z ⊙ h,   y = W_out h + b_out,
//
// with σ the logistic function. Its parameters are a [TorchParams] with
// three gate blocks (G = 3): WeightIH = [W_ir; W_iz; W_in] is 3H×I,
// WeightHH = [W_hr; W_hz; W_hn] is 3H×H, and BiasIH = (b_ir, b_iz, b_in),
// BiasHH = (b_hr, b_hz, b_hn) have length 3H. Note that b_hn sits inside
// the reset gate's product, as in torch.
type GRU struct {
	TorchParams // parameters in torch's layout, G = 3, gates r, z, n
	sz          torchSizes
	gi, gh      []float64 // scratch: input and hidden pre-activations, 3H each
}

// NewGRU returns the network with parameters p, which it uses without
// copying. It returns an error naming the parameter when the shapes do not
// fit together, and a wrapped [*NonFiniteError] when a value is NaN or
// infinite.
func NewGRU(p TorchParams) (*GRU, error) {
	sz, err := torchValidate("NewGRU", 3, &p)
	if err != nil {
		return nil, err
	}
	return newGRU(p, sz), nil
}

// RandomGRU returns a network with PyTorch's default initialisation: every
// weight and bias uniform in [−1/√H, 1/√H) with H = hidden, drawn from rng.
// A readout is added when output > 0.
func RandomGRU(hidden, input, output int, rng *RNG) *GRU {
	return newGRU(torchRandom("RandomGRU", 3, hidden, input, output, rng))
}

func newGRU(p TorchParams, sz torchSizes) *GRU {
	return &GRU{TorchParams: p, sz: sz, gi: make([]float64, 3*sz.hid), gh: make([]float64, 3*sz.hid)}
}

// Family returns FamilyGRU.
func (g *GRU) Family() Family { return FamilyGRU }

// Dims returns the sizes: state H, input I, output O.
func (g *GRU) Dims() Dims { return Dims{State: g.sz.hid, Input: g.sz.in, Output: g.sz.out} }

// StateVar returns StateHidden.
func (g *GRU) StateVar() StateVar { return StateHidden }

// forward leaves r, z, n in g.gi (blocks 0, 1, 2) and W_hn h + b_hn in
// block 2 of g.gh.
func (g *GRU) forward(op string, x, u []float64) {
	checkLen(op, "x", x, g.sz.hid)
	checkInput(op, u, g.sz.in)
	copy(g.gi, g.BiasIH)
	if u != nil && g.WeightIH != nil {
		mulVecAdd(g.gi, g.WeightIH, u, 1)
	}
	copy(g.gh, g.BiasHH)
	mulVecAdd(g.gh, g.WeightHH, x, 1)
	h := g.sz.hid
	for i := 0; i < 2*h; i++ {
		g.gi[i] = sigmoid(g.gi[i] + g.gh[i])
	}
	for i := 0; i < h; i++ {
		g.gi[2*h+i] = math.Tanh(g.gi[2*h+i] + g.gi[i]*g.gh[2*h+i])
	}
}

// Step writes h' = (1 − z) ⊙ n + z ⊙ x into dst.
func (g *GRU) Step(dst, x, u []float64) {
	checkLen("GRU.Step", "dst", dst, g.sz.hid)
	g.forward("GRU.Step", x, u)
	h := g.sz.hid
	z, n := g.gi[h:2*h], g.gi[2*h:3*h]
	for i := range dst {
		dst[i] = (1-z[i])*n[i] + z[i]*x[i]
	}
}

// Jacobian writes ∂h'/∂h into dst (H×H):
//
//	diag((1−z)(1−n²)) [diag(r) W_hn + diag((W_hn h + b_hn) r(1−r)) W_hr]
//	+ diag((h − n) z(1−z)) W_hz + diag(z).
func (g *GRU) Jacobian(dst *mat.Dense, x, u []float64) {
	checkDense("GRU.Jacobian", "dst", dst, g.sz.hid, g.sz.hid)
	g.forward("GRU.Jacobian", x, u)
	g.rows(dst, g.WeightHH, x, true)
	z := g.gi[g.sz.hid : 2*g.sz.hid]
	for i, zi := range z {
		dst.Set(i, i, dst.At(i, i)+zi)
	}
}

// InputJacobian writes ∂h'/∂u into dst (H×I):
//
//	diag((1−z)(1−n²)) [W_in + diag((W_hn h + b_hn) r(1−r)) W_ir]
//	+ diag((h − n) z(1−z)) W_iz.
//
// It writes nothing when the network has no input.
func (g *GRU) InputJacobian(dst *mat.Dense, x, u []float64) {
	if g.sz.in == 0 {
		checkLen("GRU.InputJacobian", "x", x, g.sz.hid)
		return
	}
	checkDense("GRU.InputJacobian", "dst", dst, g.sz.hid, g.sz.in)
	g.forward("GRU.InputJacobian", x, u)
	g.rows(dst, g.WeightIH, x, false)
}

// rows writes, for the blocks w_r, w_z, w_n of w, row i of
// cn·(ρ w_n + ghn·r(1−r) w_r) + (x − n) z(1−z) w_z into dst, where
// cn = (1−z)(1−n²) and ρ = r for the recurrent weights (the reset gate
// multiplies W_hn h) and 1 for the input weights.
func (g *GRU) rows(dst, w *mat.Dense, x []float64, recurrent bool) {
	h := g.sz.hid
	r, z, n, ghn := g.gi[:h], g.gi[h:2*h], g.gi[2*h:3*h], g.gh[2*h:3*h]
	for i := 0; i < h; i++ {
		cn := (1 - z[i]) * (1 - n[i]*n[i])
		aN := cn
		if recurrent {
			aN *= r[i]
		}
		aR := cn * ghn[i] * r[i] * (1 - r[i])
		aZ := (x[i] - n[i]) * z[i] * (1 - z[i])
		wr, wz, wn := torchRow(w, 0, h, i), torchRow(w, 1, h, i), torchRow(w, 2, h, i)
		row := torchDstRow(dst, i)
		for j := range row {
			row[j] = aN*wn[j] + aR*wr[j] + aZ*wz[j]
		}
	}
}

// Output writes W_out x + b_out into dst, of length O.
func (g *GRU) Output(dst, x []float64) {
	checkLen("GRU.Output", "dst", dst, g.sz.out)
	checkLen("GRU.Output", "x", x, g.sz.hid)
	torchOutput(dst, &g.TorchParams, x)
}

// Clone returns a network sharing the parameters with its own scratch.
func (g *GRU) Clone() Network { return newGRU(g.TorchParams, g.sz) }
