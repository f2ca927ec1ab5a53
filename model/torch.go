package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Parameter names of the PyTorch families, as torch's state_dict spells
// them for layer 0, and of the linear readout. They name the parameter in
// the errors of [NewTorchRNN], [NewGRU] and [NewLSTM].
const (
	ParamWeightIH = "weight_ih_l0"
	ParamWeightHH = "weight_hh_l0"
	ParamBiasIH   = "bias_ih_l0"
	ParamBiasHH   = "bias_hh_l0"
	ParamWOut     = "W_out"
	ParamBOut     = "b_out"
)

// TorchParams holds the parameters of a one-layer torch.nn.RNN, GRU or LSTM
// in PyTorch's layout, plus an optional linear readout y = W_out h + b_out.
//
// For a family with G gate blocks (G = 1 for [TorchRNN], 3 for [GRU], 4 for
// [LSTM]), hidden size H, input size I and output size O, WeightIH is G·H×I
// (torch's weight_ih_l0), WeightHH is G·H×H (weight_hh_l0), and BiasIH and
// BiasHH have length G·H (bias_ih_l0, bias_hh_l0). Row block k of each, rows
// k·H to (k+1)·H−1, belongs to gate k in torch's gate order, which the
// family's doc comment gives. WOut is O×H and BOut has length O.
//
// WeightIH is nil when the network has no input (I = 0). A nil BiasIH or
// BiasHH means torch's bias=False; the constructors replace it with zeros.
// WOut and BOut are nil when the network has no readout (O = 0); a nil BOut
// with a non-nil WOut means a readout without bias, also replaced by zeros.
//
// The values may be changed in place (training does), but the shapes are
// fixed when a network is constructed.
type TorchParams struct {
	WeightIH *mat.Dense // G·H×I input weights, torch weight_ih_l0
	WeightHH *mat.Dense // G·H×H recurrent weights, torch weight_hh_l0
	BiasIH   []float64  // G·H input bias, torch bias_ih_l0
	BiasHH   []float64  // G·H recurrent bias, torch bias_hh_l0
	WOut     *mat.Dense // O×H readout weights, or nil
	BOut     []float64  // O readout bias, or nil
}

// torchSizes holds the sizes fixed at construction.
type torchSizes struct {
	hid, in, out int
}

// torchValidate checks the shapes and finiteness of p for a family with
// the given number of gate blocks, replaces nil biases by zeros, and
// returns the sizes. op names the constructor in errors.
func torchValidate(op string, gates int, p *TorchParams) (torchSizes, error) {
	var s torchSizes
	if p.WeightHH == nil {
		return s, fmt.Errorf("model: %s: %s is missing", op, ParamWeightHH)
	}
	r, c := p.WeightHH.Dims()
	if c == 0 || r != gates*c {
		return s, fmt.Errorf("model: %s: %s is %d×%d, want %d·H×H", op, ParamWeightHH, r, c, gates)
	}
	s.hid = c
	gh := gates * s.hid
	if p.WeightIH != nil {
		r, c := p.WeightIH.Dims()
		if r != gh {
			return s, fmt.Errorf("model: %s: %s is %d×%d, want %d rows (%d·H with H = %d)", op, ParamWeightIH, r, c, gh, gates, s.hid)
		}
		s.in = c
	}
	for _, b := range []struct {
		name string
		v    *[]float64
	}{{ParamBiasIH, &p.BiasIH}, {ParamBiasHH, &p.BiasHH}} {
		if *b.v == nil {
			*b.v = make([]float64, gh)
		} else if len(*b.v) != gh {
			return s, fmt.Errorf("model: %s: %s has length %d, want %d (%d·H with H = %d)", op, b.name, len(*b.v), gh, gates, s.hid)
		}
	}
	if p.WOut != nil {
		r, c := p.WOut.Dims()
		if c != s.hid {
			return s, fmt.Errorf("model: %s: %s is %d×%d, want %d columns (H)", op, ParamWOut, r, c, s.hid)
		}
		s.out = r
		if p.BOut == nil {
			p.BOut = make([]float64, s.out)
		}
	}
	if len(p.BOut) != s.out {
		return s, fmt.Errorf("model: %s: %s has length %d, want %d (rows of %s)", op, ParamBOut, len(p.BOut), s.out, ParamWOut)
	}
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{ParamWeightIH, p.WeightIH}, {ParamWeightHH, p.WeightHH}, {ParamWOut, p.WOut}} {
		if err := checkFiniteDense(m.name, m.m); err != nil {
			return s, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	for _, b := range []struct {
		name string
		v    []float64
	}{{ParamBiasIH, p.BiasIH}, {ParamBiasHH, p.BiasHH}, {ParamBOut, p.BOut}} {
		if err := CheckFinite(b.name, b.v); err != nil {
			return s, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	return s, nil
}

// torchRandom draws parameters with PyTorch's default initialisation: every
// weight and bias of the recurrent layer uniform in [−1/√H, 1/√H), drawn in
// torch's order weight_ih, weight_hh, bias_ih, bias_hh, and then the readout
// (torch.nn.Linear's default, which for fan-in H is the same bound) W_out,
// b_out. It panics unless hidden > 0, input >= 0 and output >= 0.
func torchRandom(op string, gates, hidden, input, output int, rng *RNG) (TorchParams, torchSizes) {
	if hidden <= 0 || input < 0 || output < 0 {
		panic(fmt.Sprintf("model: %s: sizes hidden=%d input=%d output=%d, want hidden > 0 and input, output >= 0", op, hidden, input, output))
	}
	k := 1 / math.Sqrt(float64(hidden))
	fill := func(v []float64) []float64 {
		for i := range v {
			v[i] = rng.Uniform(-k, k)
		}
		return v
	}
	gh := gates * hidden
	var p TorchParams
	if input > 0 {
		p.WeightIH = mat.NewDense(gh, input, fill(make([]float64, gh*input)))
	}
	p.WeightHH = mat.NewDense(gh, hidden, fill(make([]float64, gh*hidden)))
	p.BiasIH = fill(make([]float64, gh))
	p.BiasHH = fill(make([]float64, gh))
	if output > 0 {
		p.WOut = mat.NewDense(output, hidden, fill(make([]float64, output*hidden)))
		p.BOut = fill(make([]float64, output))
	}
	return p, torchSizes{hid: hidden, in: input, out: output}
}

// torchPreact sets dst = W_ih u + b_ih + W_hh h + b_hh, the pre-activations
// of all gate blocks. A nil u is zero input.
func torchPreact(dst []float64, p *TorchParams, h, u []float64) {
	copy(dst, p.BiasIH)
	if u != nil && p.WeightIH != nil {
		mulVecAdd(dst, p.WeightIH, u, 1)
	}
	for i, b := range p.BiasHH {
		dst[i] += b
	}
	mulVecAdd(dst, p.WeightHH, h, 1)
}

// torchOutput writes W_out h + b_out into dst.
func torchOutput(dst []float64, p *TorchParams, h []float64) {
	if p.WOut == nil {
		return
	}
	mulVecAdd(dst, p.WOut, h, 0)
	for i, b := range p.BOut {
		dst[i] += b
	}
}

// torchRow returns row i of the gate block k (rows k·H+i) of m, for a
// block height hid.
func torchRow(m *mat.Dense, k, hid, i int) []float64 {
	raw := m.RawMatrix()
	r := k*hid + i
	return raw.Data[r*raw.Stride : r*raw.Stride+raw.Cols]
}

// torchDstRow returns row i of dst.
func torchDstRow(dst *mat.Dense, i int) []float64 {
	raw := dst.RawMatrix()
	return raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
}
