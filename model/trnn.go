package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Parameter names of the transient-trajectory network. They name the
// parameter in the errors of [NewTRNN].
const (
	ParamTRNNW    = "W"    // N×N recurrent weights (zero outside the mask)
	ParamTRNNMask = "mask" // N×N binary connection mask M
	ParamTRNNU    = "U"    // N×I input weights (module 1 rows only)
	ParamTRNNB    = "b"    // N bias
	ParamTRNNV    = "V"    // O×N readout weights (module L columns only)
	ParamTRNNC    = "c"    // O readout bias
)

// TRNNActivation selects the nonlinearity φ of a [TRNN].
type TRNNActivation int

const (
	// TRNNReLU is φ(z) = max(z, 0). Its derivative is taken as 1 for z > 0
	// and 0 for z ≤ 0, so at the kink z = 0 the Jacobians use the left
	// derivative 0 (the subgradient PyTorch's autograd also uses). It is
	// the zero value.
	TRNNReLU TRNNActivation = iota
	// TRNNTanh is φ(z) = tanh z.
	TRNNTanh
)

// String returns "relu" or "tanh".
func (a TRNNActivation) String() string {
	switch a {
	case TRNNReLU:
		return "relu"
	case TRNNTanh:
		return "tanh"
	}
	return fmt.Sprintf("TRNNActivation(%d)", int(a))
}

// TRNNConfig holds the architecture of a [TRNN]: the three modifications of
// Liu et al. (2025) (self-inhibition, a sparse mask, hierarchical modules)
// and the time constants. Every number is a [PROPOSAL] of science spec §4.1,
// since the paper's Methods were not available; [DefaultTRNNConfig] gives
// the proposed values and [VanillaConfig] the vanilla baseline.
type TRNNConfig struct {
	// Activation is φ. Default ReLU: it is listed first in (4.1), its
	// rates φ(z) are non-negative like recorded firing rates, and
	// rectified units are the usual choice in the sequential-activity
	// studies (Orhan & Ma 2019) whose metrics §4.2 borrows.
	Activation TRNNActivation
	// DT and Tau are the Euler step and the time constant, in units of τ
	// by default (Tau = 1, DT = 0.2), so a = DT/Tau = 0.2 as in (4.1) and
	// eigenvalues of the velocity Jacobian are rates per τ.
	DT, Tau float64
	// SelfInhibition is s ≥ 0 in the fixed, non-trainable term −s·h_i
	// inside φ. Default 0.5 (§4.1); the diagonal of W is masked to 0, so
	// −s is each unit's net self-coupling. Vanilla: 0.
	SelfInhibition float64
	// ConnProb is the connection probability p_c ∈ (0, 1] of each allowed
	// off-diagonal pair (within a module and module ℓ → ℓ+1). Default 0.2,
	// the upper end of §4.1's 0.1–0.2, so that at N = 100–300 every unit
	// still has several inputs. Vanilla: 1.
	ConnProb float64
	// Modules is the number L ≥ 1 of equal modules in the chain. Default
	// 3 (§4.1): input, middle and output stage. Vanilla: 1.
	Modules int
	// Feedback enables sparse feedback connections from module ℓ+1 to ℓ.
	// Default false: §4.1 makes them optional, and a strict feed-forward
	// chain is the plainest hierarchy.
	Feedback bool
	// FeedbackProb is the connection probability p_fb of a feedback pair
	// when Feedback is on. Default 0.05 (§4.1: weak feedback).
	FeedbackProb float64
	// Gain is g in the variance g²/(p_c N) of the nonzero recurrent
	// weights at initialisation. Default 1 (§4.1), which makes the
	// vanilla network's W of variance 1/N, at the edge of chaos.
	Gain float64
}

// DefaultTRNNConfig returns the proposed TRNN of science spec §4.1: ReLU,
// a = 0.2 (DT = 0.2, Tau = 1), s = 0.5, p_c = 0.2, L = 3 modules in a
// feed-forward chain (feedback off, p_fb = 0.05 when switched on), g = 1.
func DefaultTRNNConfig() TRNNConfig {
	return TRNNConfig{
		Activation:     TRNNReLU,
		DT:             0.2,
		Tau:            1,
		SelfInhibition: 0.5,
		ConnProb:       0.2,
		Modules:        3,
		Feedback:       false,
		FeedbackProb:   0.05,
		Gain:           1,
	}
}

// VanillaConfig returns the vanilla baseline of science spec §4.1: the
// default TRNN with all three modifications removed, that is a dense mask
// (all ones minus the diagonal, p_c = 1), no self-inhibition (s = 0) and one
// module (L = 1). φ, a and g are those of [DefaultTRNNConfig].
func VanillaConfig() TRNNConfig {
	c := DefaultTRNNConfig()
	c.SelfInhibition = 0
	c.ConnProb = 1
	c.Modules = 1
	c.Feedback = false
	return c
}

// validate checks that every field is finite and in range.
func (c TRNNConfig) validate() error {
	if c.Activation != TRNNReLU && c.Activation != TRNNTanh {
		return fmt.Errorf("unknown activation %v", c.Activation)
	}
	if err := leakyCheckTime(c.DT, c.Tau); err != nil {
		return err
	}
	for _, v := range []struct {
		name   string
		v      float64
		lo, hi float64
		loOpen bool
	}{
		{"SelfInhibition", c.SelfInhibition, 0, math.Inf(1), false},
		{"ConnProb", c.ConnProb, 0, 1, true},
		{"FeedbackProb", c.FeedbackProb, 0, 1, false},
		{"Gain", c.Gain, 0, math.Inf(1), false},
	} {
		if err := CheckFinite(v.name, []float64{v.v}); err != nil {
			return err
		}
		if v.v < v.lo || v.v > v.hi || (v.loOpen && v.v == v.lo) {
			return fmt.Errorf("%s = %v out of range", v.name, v.v)
		}
	}
	if c.Modules < 1 {
		return fmt.Errorf("Modules = %d, want >= 1", c.Modules)
	}
	return nil
}

// TRNNParams holds the parameters of a [TRNN] of N units, I inputs and O
// outputs: W is N×N and already masked (W_ij = 0 wherever Mask_ij = 0),
// Mask is the N×N binary mask M, U is N×I (nonzero only in the rows of
// module 1), B has length N, V is O×N (nonzero only in the columns of
// module L) and C has length O. U is nil without input and V nil without
// readout; nil B or C mean zeros. Values of W, U, B, V, C may be changed in
// place (training does, multiplying gradients by the masks so that pruned
// weights stay 0); shapes and the mask are fixed at construction.
type TRNNParams struct {
	W    *mat.Dense // N×N recurrent weights, zero outside Mask
	Mask *mat.Dense // N×N binary mask M (0 or 1), zero diagonal
	U    *mat.Dense // N×I input weights, or nil
	B    []float64  // N bias
	V    *mat.Dense // O×N readout weights, or nil
	C    []float64  // O readout bias
}

// TRNN is the transient-trajectory network proposed in science spec §4.1 for
// Liu et al. (2025): a leaky rate network with self-inhibition, a fixed
// sparse connection mask and a chain of modules, with state h ∈ R^N:
//
//	h_{t+1} = (1 − a) h_t + a·φ((M ⊙ W) h_t − s·h_t + U u_t + b),   a = DT/Tau,
//	y_t = V h_t + c.
//
// The N units are split into L modules of equal size (module ℓ = 0…L−1
// holds units ⌊ℓN/L⌋ … ⌊(ℓ+1)N/L⌋−1; the spec's modules 1…L). The mask M
// has a zero diagonal and allows connections only within a module and from
// module ℓ to ℓ+1 (and, with Feedback, from ℓ+1 to ℓ); inputs enter only
// module 0 and the readout reads only module L−1. The vanilla network
// ([VanillaConfig]) is the degenerate case M = 1 − I, s = 0, L = 1.
//
// Step is the forward-Euler step of dh/dt = (1/τ)(−h + φ(z)),
// z = W h − s h + U u + b; the Jacobian of Step is
// (1 − a) I + a diag(φ'(z)) (W − s I).
//
// The spec's alternative form of self-inhibition, an adaptation current
// τ_A dA/dt = −A + h entering as −s_A·A, is not implemented: it would add A
// to the state.
type TRNN struct {
	TRNNParams
	cfg        TRNNConfig
	n, in, out int
	bounds     []int     // module ℓ is units bounds[ℓ] … bounds[ℓ+1]−1
	phi        []float64 // scratch: z, then φ(z)
}

// trnnBounds returns the module boundaries ⌊ℓN/L⌋, ℓ = 0…L.
func trnnBounds(n, l int) []int {
	b := make([]int, l+1)
	for i := range b {
		b[i] = i * n / l
	}
	return b
}

// trnnModule returns the module of unit i.
func trnnModule(bounds []int, i int) int {
	for l := 1; l < len(bounds); l++ {
		if i < bounds[l] {
			return l - 1
		}
	}
	return len(bounds) - 2
}

// trnnAllowed reports whether the mask may connect presynaptic unit module
// lj to postsynaptic module li: 0 no, 1 within or feed-forward, 2 feedback.
func trnnAllowed(li, lj int, feedback bool) int {
	switch {
	case li == lj || li == lj+1:
		return 1
	case feedback && li == lj-1:
		return 2
	}
	return 0
}

// NewTRNN returns the network with parameters p and architecture cfg. It
// uses p without copying (nil biases become zeros). It returns an error
// when cfg is out of range, when shapes do not fit, when the mask is not
// binary or breaks the structure of cfg (a diagonal entry, a connection
// between modules that are not neighbours in the chain, a feedback
// connection without cfg.Feedback), when W is nonzero outside the mask, U
// outside module 0 or V outside module L−1, and a wrapped
// [*NonFiniteError] when a value is NaN or infinite.
func NewTRNN(p TRNNParams, cfg TRNNConfig) (*TRNN, error) {
	const op = "NewTRNN"
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("model: %s: config: %w", op, err)
	}
	if p.W == nil {
		return nil, fmt.Errorf("model: %s: %s is missing", op, ParamTRNNW)
	}
	n, c := p.W.Dims()
	if n != c {
		return nil, fmt.Errorf("model: %s: %s is %d×%d, want square N×N", op, ParamTRNNW, n, c)
	}
	if n < cfg.Modules {
		return nil, fmt.Errorf("model: %s: %d units cannot form %d modules", op, n, cfg.Modules)
	}
	if p.Mask == nil {
		return nil, fmt.Errorf("model: %s: %s is missing", op, ParamTRNNMask)
	}
	if r, c := p.Mask.Dims(); r != n || c != n {
		return nil, fmt.Errorf("model: %s: %s is %d×%d, want %d×%d", op, ParamTRNNMask, r, c, n, n)
	}
	in, out := 0, 0
	if p.U != nil {
		r, c := p.U.Dims()
		if r != n {
			return nil, fmt.Errorf("model: %s: %s is %d×%d, want %d rows (N)", op, ParamTRNNU, r, c, n)
		}
		in = c
	}
	if p.V != nil {
		r, c := p.V.Dims()
		if c != n {
			return nil, fmt.Errorf("model: %s: %s is %d×%d, want %d columns (N)", op, ParamTRNNV, r, c, n)
		}
		out = r
	}
	for _, b := range []struct {
		name string
		v    *[]float64
		n    int
	}{{ParamTRNNB, &p.B, n}, {ParamTRNNC, &p.C, out}} {
		if *b.v == nil {
			*b.v = make([]float64, b.n)
		} else if len(*b.v) != b.n {
			return nil, fmt.Errorf("model: %s: %s has length %d, want %d", op, b.name, len(*b.v), b.n)
		}
		if err := CheckFinite(b.name, *b.v); err != nil {
			return nil, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{ParamTRNNW, p.W}, {ParamTRNNMask, p.Mask}, {ParamTRNNU, p.U}, {ParamTRNNV, p.V}} {
		if err := checkFiniteDense(m.name, m.m); err != nil {
			return nil, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	bounds := trnnBounds(n, cfg.Modules)
	if err := trnnCheckStructure(&p, cfg, bounds); err != nil {
		return nil, fmt.Errorf("model: %s: %w", op, err)
	}
	t := &TRNN{TRNNParams: p, cfg: cfg, n: n, in: in, out: out, bounds: bounds}
	t.phi = make([]float64, n)
	return t, nil
}

// trnnCheckStructure checks the mask against cfg and the zeros of W, U, V.
func trnnCheckStructure(p *TRNNParams, cfg TRNNConfig, bounds []int) error {
	n, _ := p.W.Dims()
	for i := 0; i < n; i++ {
		li := trnnModule(bounds, i)
		for j := 0; j < n; j++ {
			m := p.Mask.At(i, j)
			if m != 0 && m != 1 {
				return fmt.Errorf("%s[%d,%d] = %v, want 0 or 1", ParamTRNNMask, i, j, m)
			}
			if m == 1 && (i == j || trnnAllowed(li, trnnModule(bounds, j), cfg.Feedback) == 0) {
				return fmt.Errorf("%s[%d,%d] = 1 connects module %d to module %d (or a unit to itself), which the architecture forbids",
					ParamTRNNMask, i, j, trnnModule(bounds, j), li)
			}
			if m == 0 && p.W.At(i, j) != 0 {
				return fmt.Errorf("%s[%d,%d] = %v is outside the mask", ParamTRNNW, i, j, p.W.At(i, j))
			}
		}
	}
	if p.U != nil {
		_, in := p.U.Dims()
		for i := bounds[1]; i < n; i++ {
			for k := 0; k < in; k++ {
				if p.U.At(i, k) != 0 {
					return fmt.Errorf("%s[%d,%d] = %v feeds input to unit %d outside module 0", ParamTRNNU, i, k, p.U.At(i, k), i)
				}
			}
		}
	}
	if p.V != nil {
		out, _ := p.V.Dims()
		last := bounds[len(bounds)-2]
		for o := 0; o < out; o++ {
			for j := 0; j < last; j++ {
				if p.V.At(o, j) != 0 {
					return fmt.Errorf("%s[%d,%d] = %v reads unit %d outside the last module", ParamTRNNV, o, j, p.V.At(o, j), j)
				}
			}
		}
	}
	return nil
}

// RandomTRNN returns a TRNN of n units, in inputs and out outputs with
// architecture cfg (science spec §4.1). The draws come from rng in this
// order:
//
//   - the mask and W, row-major over (i, j): every allowed off-diagonal
//     pair is connected with probability p_c (p_fb for a feedback pair),
//     decided by one uniform draw unless the probability is 1, and a
//     connected W_ij is then drawn N(0, g²/(p_c N));
//   - U (n×in): rows of module 0 N(0, 1/I), other rows 0;
//   - V (out×n): columns of the last module N(0, 1/N_L) with N_L its size,
//     other columns 0.
//
// b and c start at 0. The input and readout scales are proposals (the spec
// gives none): they make a unit-norm input and a unit-rate last module
// produce order-one drives. It returns an error when cfg is invalid or
// n < cfg.Modules, and panics when in or out is negative.
func RandomTRNN(n, in, out int, cfg TRNNConfig, rng *RNG) (*TRNN, error) {
	if in < 0 || out < 0 {
		panic(fmt.Sprintf("model: RandomTRNN: sizes in=%d out=%d, want >= 0", in, out))
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("model: RandomTRNN: config: %w", err)
	}
	if n < cfg.Modules || n <= 0 {
		return nil, fmt.Errorf("model: RandomTRNN: %d units cannot form %d modules", n, cfg.Modules)
	}
	bounds := trnnBounds(n, cfg.Modules)
	sd := cfg.Gain / math.Sqrt(cfg.ConnProb*float64(n))
	p := TRNNParams{
		W:    mat.NewDense(n, n, nil),
		Mask: mat.NewDense(n, n, nil),
		B:    make([]float64, n),
		C:    make([]float64, out),
	}
	for i := 0; i < n; i++ {
		li := trnnModule(bounds, i)
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			var prob float64
			switch trnnAllowed(li, trnnModule(bounds, j), cfg.Feedback) {
			case 0:
				continue
			case 1:
				prob = cfg.ConnProb
			case 2:
				prob = cfg.FeedbackProb
			}
			if prob < 1 && rng.Float64() >= prob {
				continue
			}
			p.Mask.Set(i, j, 1)
			p.W.Set(i, j, sd*rng.Norm())
		}
	}
	if in > 0 {
		p.U = mat.NewDense(n, in, nil)
		s := 1 / math.Sqrt(float64(in))
		for i := 0; i < bounds[1]; i++ {
			for k := 0; k < in; k++ {
				p.U.Set(i, k, s*rng.Norm())
			}
		}
	}
	if out > 0 {
		p.V = mat.NewDense(out, n, nil)
		last := bounds[len(bounds)-2]
		s := 1 / math.Sqrt(float64(n-last))
		for o := 0; o < out; o++ {
			for j := last; j < n; j++ {
				p.V.Set(o, j, s*rng.Norm())
			}
		}
	}
	return NewTRNN(p, cfg)
}

// Config returns the architecture.
func (t *TRNN) Config() TRNNConfig { return t.cfg }

// Alpha returns the leak a = DT/Tau.
func (t *TRNN) Alpha() float64 { return t.cfg.DT / t.cfg.Tau }

// Modules returns the module boundaries: module ℓ (0-based) holds units
// b[ℓ] … b[ℓ+1]−1, for ℓ = 0…L−1. The slice is shared; do not modify it.
func (t *TRNN) Modules() []int { return t.bounds }

// Module returns the (0-based) module of unit i.
func (t *TRNN) Module(i int) int {
	if i < 0 || i >= t.n {
		panic(fmt.Sprintf("model: TRNN.Module: unit %d out of range [0, %d)", i, t.n))
	}
	return trnnModule(t.bounds, i)
}

// RecurrentMask returns the N×N binary mask M (shared; do not modify).
// Training multiplies the gradient of W by it elementwise.
func (t *TRNN) RecurrentMask() *mat.Dense { return t.Mask }

// InputMask returns a new N×I binary matrix that is 1 in the rows of module
// 0, where U may be nonzero, or nil without input.
func (t *TRNN) InputMask() *mat.Dense {
	if t.in == 0 {
		return nil
	}
	m := mat.NewDense(t.n, t.in, nil)
	for i := 0; i < t.bounds[1]; i++ {
		for k := 0; k < t.in; k++ {
			m.Set(i, k, 1)
		}
	}
	return m
}

// OutputMask returns a new O×N binary matrix that is 1 in the columns of
// the last module, where V may be nonzero, or nil without readout.
func (t *TRNN) OutputMask() *mat.Dense {
	if t.out == 0 {
		return nil
	}
	m := mat.NewDense(t.out, t.n, nil)
	for o := 0; o < t.out; o++ {
		for j := t.bounds[len(t.bounds)-2]; j < t.n; j++ {
			m.Set(o, j, 1)
		}
	}
	return m
}

// Family returns FamilyTRNN.
func (t *TRNN) Family() Family { return FamilyTRNN }

// Dims returns the sizes: state N, input I, output O.
func (t *TRNN) Dims() Dims { return Dims{State: t.n, Input: t.in, Output: t.out} }

// StateVar returns StateHidden.
func (t *TRNN) StateVar() StateVar { return StateHidden }

// Dt returns the Euler step cfg.DT.
func (t *TRNN) Dt() float64 { return t.cfg.DT }

// drive leaves φ(z), z = W x − s x + U u + b, in t.phi.
func (t *TRNN) drive(op string, x, u []float64) {
	checkLen(op, "x", x, t.n)
	checkInput(op, u, t.in)
	z := t.phi
	s := t.cfg.SelfInhibition
	for i, v := range x {
		z[i] = t.B[i] - s*v
	}
	if u != nil && t.U != nil {
		mulVecAdd(z, t.U, u, 1)
	}
	mulVecAdd(z, t.W, x, 1)
	if t.cfg.Activation == TRNNTanh {
		for i, v := range z {
			z[i] = math.Tanh(v)
		}
		return
	}
	for i, v := range z {
		if v <= 0 { // NaN passes through
			z[i] = 0
		}
	}
}

// deriv returns φ'(z_i) from φ(z_i): 1 − φ² for tanh, 1 if φ > 0 else 0
// for ReLU (so φ'(0) = 0).
func (t *TRNN) deriv(phi float64) float64 {
	if t.cfg.Activation == TRNNTanh {
		return 1 - phi*phi
	}
	if phi > 0 {
		return 1
	}
	return 0
}

// Step writes h' = (1 − a) x + a·φ(W x − s x + U u + b) into dst.
func (t *TRNN) Step(dst, x, u []float64) {
	checkLen("TRNN.Step", "dst", dst, t.n)
	t.drive("TRNN.Step", x, u)
	a := t.Alpha()
	for i, f := range t.phi {
		dst[i] = (1-a)*x[i] + a*f
	}
}

// Velocity writes dh/dt = (−x + φ(W x − s x + U u + b))/τ into dst.
func (t *TRNN) Velocity(dst, x, u []float64) {
	checkLen("TRNN.Velocity", "dst", dst, t.n)
	t.drive("TRNN.Velocity", x, u)
	for i, f := range t.phi {
		dst[i] = (f - x[i]) / t.cfg.Tau
	}
}

// scaledJac writes c·diag(φ')(W − sI) + d·I into dst.
func (t *TRNN) scaledJac(dst *mat.Dense, c, d float64) {
	draw, wraw := dst.RawMatrix(), t.W.RawMatrix()
	s := t.cfg.SelfInhibition
	for i, f := range t.phi {
		g := c * t.deriv(f)
		drow := draw.Data[i*draw.Stride : i*draw.Stride+draw.Cols]
		wrow := wraw.Data[i*wraw.Stride : i*wraw.Stride+wraw.Cols]
		for j, v := range wrow {
			drow[j] = g * v
		}
		drow[i] += d - g*s
	}
}

// Jacobian writes (1 − a) I + a diag(φ'(z)) (W − s I) into the N×N dst.
func (t *TRNN) Jacobian(dst *mat.Dense, x, u []float64) {
	checkDense("TRNN.Jacobian", "dst", dst, t.n, t.n)
	t.drive("TRNN.Jacobian", x, u)
	a := t.Alpha()
	t.scaledJac(dst, a, 1-a)
}

// VelocityJacobian writes (1/τ)(−I + diag(φ'(z)) (W − s I)) into the N×N
// dst.
func (t *TRNN) VelocityJacobian(dst *mat.Dense, x, u []float64) {
	checkDense("TRNN.VelocityJacobian", "dst", dst, t.n, t.n)
	t.drive("TRNN.VelocityJacobian", x, u)
	inv := 1 / t.cfg.Tau
	t.scaledJac(dst, inv, -inv)
}

// InputJacobian writes a diag(φ'(z)) U into the N×I dst. With no input
// dst may be nil or empty and nothing is written.
func (t *TRNN) InputJacobian(dst *mat.Dense, x, u []float64) {
	const op = "TRNN.InputJacobian"
	if t.in == 0 {
		checkLen(op, "x", x, t.n)
		leakyNoInputJac(op, dst, t.n)
		return
	}
	checkDense(op, "dst", dst, t.n, t.in)
	t.drive(op, x, u)
	a := t.Alpha()
	draw, uraw := dst.RawMatrix(), t.U.RawMatrix()
	for i, f := range t.phi {
		g := a * t.deriv(f)
		drow := draw.Data[i*draw.Stride : i*draw.Stride+draw.Cols]
		urow := uraw.Data[i*uraw.Stride : i*uraw.Stride+uraw.Cols]
		for k, v := range urow {
			drow[k] = g * v
		}
	}
}

// Output writes the linear readout y = V x + c into dst, of length O.
func (t *TRNN) Output(dst, x []float64) {
	checkLen("TRNN.Output", "dst", dst, t.out)
	checkLen("TRNN.Output", "x", x, t.n)
	if t.out == 0 {
		return
	}
	copy(dst, t.C)
	mulVecAdd(dst, t.V, x, 1)
}

// Clone returns a network sharing the parameters with its own scratch.
func (t *TRNN) Clone() Network {
	c := *t
	c.phi = make([]float64, t.n)
	return &c
}
