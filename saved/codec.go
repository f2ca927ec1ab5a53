package saved

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// A codec turns a network of one family into named tensors plus
// hyper-parameters, and back. Tensor names follow the family's usual
// source: PyTorch's state-dict names for the torch families and the leaky
// network, the science specification's symbols otherwise.
type codec struct {
	encode func(net model.Network) ([]Tensor, Hyper, error)
	decode func(ts tensorSet, h Hyper) (model.Network, error)
}

var codecs = map[model.Family]codec{}

// Hyper holds a family's scalar hyper-parameters (time step, gain, …) as
// written in the manifest. Infinite values are written as the strings
// "+Inf" and "-Inf", since JSON has no infinity.
type Hyper map[string]any

// num returns the number called key, or def when absent.
func (h Hyper) num(key string, def float64) (float64, error) {
	v, ok := h[key]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return 0, fmt.Errorf("hyper-parameter %s: %q is not a number", key, x)
		}
		return f, nil
	}
	return 0, fmt.Errorf("hyper-parameter %s: %v is not a number", key, v)
}

// str returns the string called key, or def when absent.
func (h Hyper) str(key, def string) string {
	if s, ok := h[key].(string); ok {
		return s
	}
	return def
}

// finite turns infinities into strings for JSON.
func finite(v float64) any {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	if math.IsInf(v, -1) {
		return "-Inf"
	}
	return v
}

// tensorSet indexes tensors by name.
type tensorSet map[string]*Tensor

func newTensorSet(ts []Tensor) tensorSet {
	s := tensorSet{}
	for i := range ts {
		s[ts[i].Name] = &ts[i]
	}
	return s
}

// errMissing is wrapped when a required tensor is absent.
var errMissing = errors.New("missing")

// dense returns the 2-D tensor name as a matrix, nil if it is absent and
// optional.
func (s tensorSet) dense(name string, optional bool) (*mat.Dense, error) {
	t, ok := s[name]
	if !ok {
		if optional {
			return nil, nil
		}
		return nil, &FileError{Field: name, Err: fmt.Errorf("tensor %w", errMissing)}
	}
	if len(t.Shape) != 2 || t.Shape[0] == 0 || t.Shape[1] == 0 {
		return nil, &FileError{Field: name, Err: fmt.Errorf("shape %v, want a non-empty matrix", t.Shape)}
	}
	return mat.NewDense(t.Shape[0], t.Shape[1], t.Data), nil
}

// vec returns the 1-D tensor name, nil if absent and optional.
func (s tensorSet) vec(name string, optional bool) ([]float64, error) {
	t, ok := s[name]
	if !ok {
		if optional {
			return nil, nil
		}
		return nil, &FileError{Field: name, Err: fmt.Errorf("tensor %w", errMissing)}
	}
	if len(t.Shape) != 1 {
		return nil, &FileError{Field: name, Err: fmt.Errorf("shape %v, want a vector", t.Shape)}
	}
	return t.Data, nil
}

// matTensor returns m as a tensor called name (a copy of its data).
func matTensor(name string, m mat.Matrix) Tensor {
	r, c := m.Dims()
	d := make([]float64, 0, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d = append(d, m.At(i, j))
		}
	}
	return Tensor{Name: name, Shape: []int{r, c}, DType: Float64, Data: d}
}

func vecTensor(name string, v []float64) Tensor {
	return Tensor{Name: name, Shape: []int{len(v)}, DType: Float64, Data: append([]float64(nil), v...)}
}

// appendMat appends m as a tensor unless it is nil.
func appendMat(ts []Tensor, name string, m *mat.Dense) []Tensor {
	if m == nil {
		return ts
	}
	return append(ts, matTensor(name, m))
}

func appendVec(ts []Tensor, name string, v []float64) []Tensor {
	if v == nil {
		return ts
	}
	return append(ts, vecTensor(name, v))
}

func init() {
	codecs[model.FamilyCTRNN] = codec{encodeCTRNN, decodeCTRNN}
	for _, f := range []model.Family{model.FamilyTorchRNN, model.FamilyGRU, model.FamilyLSTM} {
		codecs[f] = codec{encodeTorch, decodeTorch(f)}
	}
	codecs[model.FamilyHopfield] = codec{encodeHopfield, decodeHopfield}
	codecs[model.FamilyGated] = codec{encodeGated, decodeGated}
}

// CTRNN: J is stored dense and re-sparsified on load by model.NewRecurrent
// (sparse below density 0.3).
func encodeCTRNN(net model.Network) ([]Tensor, Hyper, error) {
	c := net.(*model.CTRNN)
	ts := []Tensor{matTensor("J", c.J)}
	ts = appendMat(ts, "W_f", c.WF)
	ts = appendMat(ts, "W_fd", c.WFD)
	ts = appendMat(ts, "W_in", c.WIn)
	ts = appendMat(ts, "W_o", c.WO)
	ts = appendMat(ts, "W_d", c.WD)
	ts = appendVec(ts, "b", c.B)
	ts = appendVec(ts, "b_o", c.BO)
	return ts, Hyper{"g": c.G, "tau": c.Tau, "dt": c.DT, "phi": c.Phi.String()}, nil
}

func decodeCTRNN(s tensorSet, h Hyper) (model.Network, error) {
	var p model.CTRNNParams
	j, err := s.dense("J", false)
	if err != nil {
		return nil, err
	}
	p.J = model.NewRecurrent(j)
	for _, f := range []struct {
		name string
		dst  **mat.Dense
	}{{"W_f", &p.WF}, {"W_fd", &p.WFD}, {"W_in", &p.WIn}, {"W_o", &p.WO}, {"W_d", &p.WD}} {
		if *f.dst, err = s.dense(f.name, true); err != nil {
			return nil, err
		}
	}
	if p.B, err = s.vec("b", true); err != nil {
		return nil, err
	}
	if p.BO, err = s.vec("b_o", true); err != nil {
		return nil, err
	}
	switch phi := h.str("phi", "tanh"); phi {
	case "tanh":
		p.Phi = model.CTRNNTanh
	case "relu":
		p.Phi = model.CTRNNReLU
	default:
		return nil, fmt.Errorf("hyper-parameter phi: %q is not tanh or relu", phi)
	}
	if p.G, err = h.num("g", 1); err != nil {
		return nil, err
	}
	if p.Tau, err = h.num("tau", 1); err != nil {
		return nil, err
	}
	if p.DT, err = h.num("dt", 0.1); err != nil {
		return nil, err
	}
	return model.NewCTRNN(p)
}

// Torch families: PyTorch's state-dict names, readout W_out/b_out.
func torchParams(net model.Network) model.TorchParams {
	switch n := net.(type) {
	case *model.TorchRNN:
		return n.TorchParams
	case *model.GRU:
		return n.TorchParams
	case *model.LSTM:
		return n.TorchParams
	}
	panic(fmt.Sprintf("saved: %T is not a torch family", net))
}

func encodeTorch(net model.Network) ([]Tensor, Hyper, error) {
	p := torchParams(net)
	var ts []Tensor
	ts = appendMat(ts, model.ParamWeightIH, p.WeightIH)
	ts = appendMat(ts, model.ParamWeightHH, p.WeightHH)
	ts = appendVec(ts, model.ParamBiasIH, p.BiasIH)
	ts = appendVec(ts, model.ParamBiasHH, p.BiasHH)
	ts = appendMat(ts, model.ParamWOut, p.WOut)
	ts = appendVec(ts, model.ParamBOut, p.BOut)
	return ts, Hyper{}, nil
}

func decodeTorch(f model.Family) func(tensorSet, Hyper) (model.Network, error) {
	return func(s tensorSet, _ Hyper) (model.Network, error) {
		var p model.TorchParams
		var err error
		if p.WeightIH, err = s.dense(model.ParamWeightIH, true); err != nil {
			return nil, err
		}
		if p.WeightHH, err = s.dense(model.ParamWeightHH, false); err != nil {
			return nil, err
		}
		if p.BiasIH, err = s.vec(model.ParamBiasIH, true); err != nil {
			return nil, err
		}
		if p.BiasHH, err = s.vec(model.ParamBiasHH, true); err != nil {
			return nil, err
		}
		if p.WOut, err = s.dense(model.ParamWOut, true); err != nil {
			return nil, err
		}
		if p.BOut, err = s.vec(model.ParamBOut, true); err != nil {
			return nil, err
		}
		switch f {
		case model.FamilyTorchRNN:
			return model.NewTorchRNN(p)
		case model.FamilyGRU:
			return model.NewGRU(p)
		default:
			return model.NewLSTM(p)
		}
	}
}

var connForms = map[model.ConnForm]string{model.ConnAuto: "auto", model.ConnDense: "dense", model.ConnPatterns: "patterns"}

func connForm(s string) (model.ConnForm, error) {
	for f, name := range connForms {
		if name == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("hyper-parameter form: %q is not auto, dense or patterns", s)
}

// Hopfield: the patterns xi (N×P), from which J is rebuilt.
func encodeHopfield(net model.Network) ([]Tensor, Hyper, error) {
	h := net.(*model.Hopfield)
	c := h.Config()
	return []Tensor{matTensor("xi", h.Patterns().Matrix())},
		Hyper{"beta": c.Beta, "tau": c.Tau, "dt": c.DT, "form": connForms[c.Form]}, nil
}

func decodeHopfield(s tensorSet, h Hyper) (model.Network, error) {
	xi, err := s.dense("xi", false)
	if err != nil {
		return nil, err
	}
	p, err := model.NewPatterns(xi)
	if err != nil {
		return nil, &FileError{Field: "xi", Err: err}
	}
	c := model.DefaultHopfieldConfig()
	if c.Beta, err = h.num("beta", c.Beta); err != nil {
		return nil, err
	}
	if c.Tau, err = h.num("tau", c.Tau); err != nil {
		return nil, err
	}
	if c.DT, err = h.num("dt", c.DT); err != nil {
		return nil, err
	}
	if c.Form, err = connForm(h.str("form", "auto")); err != nil {
		return nil, err
	}
	return model.NewHopfield(p, c)
}

// Gated: the patterns xi and the gate coupling W.
func encodeGated(net model.Network) ([]Tensor, Hyper, error) {
	g := net.(*model.Gated)
	c := g.Config()
	return []Tensor{matTensor("xi", g.Patterns().Matrix()), matTensor("W", g.W())},
		Hyper{"gamma": finite(c.Gamma), "beta": c.Beta, "tau_x": c.TauX, "tau_z": c.TauZ, "g_w": c.GW,
			"dt": c.DT, "z0_mean": c.Z0Mean, "z0_std": c.Z0Std, "x0_scale": c.X0Scale, "form": connForms[c.Form]}, nil
}

func decodeGated(s tensorSet, h Hyper) (model.Network, error) {
	xi, err := s.dense("xi", false)
	if err != nil {
		return nil, err
	}
	w, err := s.dense("W", false)
	if err != nil {
		return nil, err
	}
	p, err := model.NewPatterns(xi)
	if err != nil {
		return nil, &FileError{Field: "xi", Err: err}
	}
	c := model.DefaultGatedConfig()
	for _, f := range []struct {
		key string
		dst *float64
	}{{"gamma", &c.Gamma}, {"beta", &c.Beta}, {"tau_x", &c.TauX}, {"tau_z", &c.TauZ}, {"g_w", &c.GW},
		{"dt", &c.DT}, {"z0_mean", &c.Z0Mean}, {"z0_std", &c.Z0Std}, {"x0_scale", &c.X0Scale}} {
		if *f.dst, err = h.num(f.key, *f.dst); err != nil {
			return nil, err
		}
	}
	if c.Form, err = connForm(h.str("form", "auto")); err != nil {
		return nil, err
	}
	return model.NewGated(p, w, c)
}

func init() {
	codecs[model.FamilyLeaky] = codec{encodeLeaky, decodeLeaky}
	codecs[model.FamilyLowRank] = codec{encodeLowRank, decodeLowRank}
	codecs[model.FamilyTRNN] = codec{encodeTRNN, decodeTRNN}
}

// Leaky: the nn.Linear names of the reference code.
func encodeLeaky(net model.Network) ([]Tensor, Hyper, error) {
	l := net.(*model.Leaky)
	var ts []Tensor
	ts = appendMat(ts, "W_in.weight", l.WIn)
	ts = appendVec(ts, "W_in.bias", l.BIn)
	ts = appendMat(ts, "W_rec.weight", l.WRec)
	ts = appendVec(ts, "W_rec.bias", l.BRec)
	ts = appendMat(ts, "W_out.weight", l.WOut)
	ts = appendVec(ts, "W_out.bias", l.BOut)
	ro := "sigmoid"
	if l.Readout == model.LeakyLinear {
		ro = "linear"
	}
	return ts, Hyper{"dt": l.DT, "tau": l.Tau, "readout": ro}, nil
}

func decodeLeaky(s tensorSet, h Hyper) (model.Network, error) {
	var p model.LeakyParams
	var err error
	for _, f := range []struct {
		name string
		dst  **mat.Dense
		opt  bool
	}{{"W_in.weight", &p.WIn, true}, {"W_rec.weight", &p.WRec, false}, {"W_out.weight", &p.WOut, true}} {
		if *f.dst, err = s.dense(f.name, f.opt); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]float64
	}{{"W_in.bias", &p.BIn}, {"W_rec.bias", &p.BRec}, {"W_out.bias", &p.BOut}} {
		if *f.dst, err = s.vec(f.name, true); err != nil {
			return nil, err
		}
	}
	if p.DT, err = h.num("dt", 5); err != nil {
		return nil, err
	}
	if p.Tau, err = h.num("tau", 10); err != nil {
		return nil, err
	}
	switch ro := h.str("readout", "sigmoid"); ro {
	case "sigmoid":
		p.Readout = model.LeakySigmoid
	case "linear":
		p.Readout = model.LeakyLinear
	default:
		return nil, fmt.Errorf("hyper-parameter readout: %q is not sigmoid or linear", ro)
	}
	return model.NewLeaky(p)
}

// LowRank: m (N×K), n (K×N), b, W_out (K), b_out (scalar as a 1-vector).
func encodeLowRank(net model.Network) ([]Tensor, Hyper, error) {
	l := net.(*model.LowRank)
	ts := []Tensor{matTensor("m", l.M), matTensor("n", l.N)}
	ts = appendVec(ts, "b", l.B)
	ts = appendVec(ts, "W_out", l.WOut)
	ts = append(ts, vecTensor("b_out", []float64{l.BOut}))
	return ts, Hyper{"dt": l.DT, "tau": l.Tau}, nil
}

func decodeLowRank(s tensorSet, h Hyper) (model.Network, error) {
	var p model.LowRankParams
	var err error
	if p.M, err = s.dense("m", false); err != nil {
		return nil, err
	}
	if p.N, err = s.dense("n", false); err != nil {
		return nil, err
	}
	if p.B, err = s.vec("b", true); err != nil {
		return nil, err
	}
	if p.WOut, err = s.vec("W_out", false); err != nil {
		return nil, err
	}
	bo, err := s.vec("b_out", true)
	if err != nil {
		return nil, err
	}
	if len(bo) > 1 {
		return nil, &FileError{Field: "b_out", Err: fmt.Errorf("%d values, want one", len(bo))}
	}
	if len(bo) == 1 {
		p.BOut = bo[0]
	}
	if p.DT, err = h.num("dt", 5); err != nil {
		return nil, err
	}
	if p.Tau, err = h.num("tau", 10); err != nil {
		return nil, err
	}
	return model.NewLowRank(p)
}

// TRNN: W, the mask M, U, b, V, c and every TRNNConfig field.
func encodeTRNN(net model.Network) ([]Tensor, Hyper, error) {
	t := net.(*model.TRNN)
	c := t.Config()
	ts := []Tensor{matTensor("W", t.W), matTensor("mask", t.Mask)}
	ts = appendMat(ts, "U", t.U)
	ts = appendVec(ts, "b", t.B)
	ts = appendMat(ts, "V", t.V)
	ts = appendVec(ts, "c", t.C)
	act := "relu"
	if c.Activation == model.TRNNTanh {
		act = "tanh"
	}
	fb := 0.0
	if c.Feedback {
		fb = 1
	}
	return ts, Hyper{"activation": act, "dt": c.DT, "tau": c.Tau, "self_inhibition": c.SelfInhibition,
		"conn_prob": c.ConnProb, "modules": float64(c.Modules), "feedback": fb, "feedback_prob": c.FeedbackProb, "gain": c.Gain}, nil
}

func decodeTRNN(s tensorSet, h Hyper) (model.Network, error) {
	var p model.TRNNParams
	var err error
	for _, f := range []struct {
		name string
		dst  **mat.Dense
		opt  bool
	}{{"W", &p.W, false}, {"mask", &p.Mask, false}, {"U", &p.U, true}, {"V", &p.V, true}} {
		if *f.dst, err = s.dense(f.name, f.opt); err != nil {
			return nil, err
		}
	}
	if p.B, err = s.vec("b", true); err != nil {
		return nil, err
	}
	if p.C, err = s.vec("c", true); err != nil {
		return nil, err
	}
	c := model.DefaultTRNNConfig()
	switch act := h.str("activation", "relu"); act {
	case "relu":
		c.Activation = model.TRNNReLU
	case "tanh":
		c.Activation = model.TRNNTanh
	default:
		return nil, fmt.Errorf("hyper-parameter activation: %q is not relu or tanh", act)
	}
	var modules, fb float64
	for _, f := range []struct {
		key string
		dst *float64
		def float64
	}{{"dt", &c.DT, c.DT}, {"tau", &c.Tau, c.Tau}, {"self_inhibition", &c.SelfInhibition, c.SelfInhibition},
		{"conn_prob", &c.ConnProb, c.ConnProb}, {"modules", &modules, float64(c.Modules)}, {"feedback", &fb, 0},
		{"feedback_prob", &c.FeedbackProb, c.FeedbackProb}, {"gain", &c.Gain, c.Gain}} {
		if *f.dst, err = h.num(f.key, f.def); err != nil {
			return nil, err
		}
	}
	if modules != float64(int(modules)) || modules < 1 {
		return nil, fmt.Errorf("hyper-parameter modules: %v is not a positive integer", modules)
	}
	c.Modules, c.Feedback = int(modules), fb != 0
	return model.NewTRNN(p, c)
}
