package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Parameter names of the leaky rate network, as the reference PyTorch
// module (three nn.Linear layers W_in, W_rec, W_out) spells them in its
// state_dict. They name the parameter in the errors of [NewLeaky].
const (
	ParamLeakyWIn  = "W_in.weight"  // N×I input weights
	ParamLeakyBIn  = "W_in.bias"    // N input bias
	ParamLeakyWRec = "W_rec.weight" // N×N recurrent weights
	ParamLeakyBRec = "W_rec.bias"   // N recurrent bias
	ParamLeakyWOut = "W_out.weight" // O×N readout weights
	ParamLeakyBOut = "W_out.bias"   // O readout bias
)

// Kurtkaya et al.'s time step and time constant in milliseconds (science
// spec §5.1): a = dt/τ = 0.5.
const (
	KurtkayaDT  = 5.0  // ms
	KurtkayaTau = 10.0 // ms
)

// LeakyReadout selects the readout nonlinearity of a [Leaky] network.
type LeakyReadout int

const (
	// LeakySigmoid is o = sigmoid(W_out r + b_out), the readout of
	// Kurtkaya et al.'s rnn.py (science spec (5.2)). It is the zero value.
	LeakySigmoid LeakyReadout = iota
	// LeakyLinear is o = W_out r + b_out, the rnn_linear.py variant used
	// for the fixed-point "hold" control.
	LeakyLinear
)

// String returns "sigmoid" or "linear".
func (r LeakyReadout) String() string {
	switch r {
	case LeakySigmoid:
		return "sigmoid"
	case LeakyLinear:
		return "linear"
	}
	return fmt.Sprintf("LeakyReadout(%d)", int(r))
}

// LeakyParams holds the parameters of a [Leaky] network in the layout of
// PyTorch's nn.Linear: a weight is out×in and y = W x + b.
//
// With N units, I inputs and O outputs, WIn is N×I (W_in.weight), BIn has
// length N (W_in.bias), WRec is N×N (W_rec.weight), BRec has length N
// (W_rec.bias), WOut is O×N (W_out.weight) and BOut has length O
// (W_out.bias). WIn is nil when the network has no input and WOut is nil
// when it has no readout. A nil bias means nn.Linear(bias=False); the
// constructor replaces it with zeros.
//
// DT and Tau are the Euler step and the time constant, in milliseconds by
// convention (Kurtkaya et al.: DT = 5, Tau = 10). Only a = DT/Tau enters
// Step; Velocity and the eigenvalues of VelocityJacobian are per unit of
// DT and Tau (per ms).
//
// Values may be changed in place (training does); shapes are fixed when the
// network is constructed.
type LeakyParams struct {
	WIn  *mat.Dense // N×I input weights, or nil
	BIn  []float64  // N input bias
	WRec *mat.Dense // N×N recurrent weights
	BRec []float64  // N recurrent bias
	WOut *mat.Dense // O×N readout weights, or nil
	BOut []float64  // O readout bias

	DT  float64 // Euler step (ms), > 0
	Tau float64 // time constant τ (ms), > 0

	Readout LeakyReadout // sigmoid (default) or linear readout
}

// Leaky is the discrete leaky rate network of Kurtkaya et al. (science spec
// (1.3), (5.1)–(5.2)), whose state is the firing rate r ∈ R^N:
//
//	r_{k+1} = (1 − a) r_k + a·tanh(W_rec r_k + b_rec + W_in u_k + b_in),  a = DT/Tau,
//	o = sigmoid(W_out r + b_out)   (or o = W_out r + b_out, LeakyLinear).
//
// It is the forward-Euler discretisation of the flow
//
//	dr/dt = (1/τ)(−r + tanh(W_rec r + b_rec + W_in u + b_in)),
//
// so Step is exactly r + DT·Velocity. The Jacobian of Step is
// (1 − a) I + a diag(1 − t²) W_rec with t = tanh(·), and its eigenvalues are
// 1 + a·μ for the eigenvalues μ of −I + diag(1 − t²) W_rec (science spec
// §1.4, EC-27).
//
// Kurtkaya et al. train with private noise inside the tanh,
// r_{k+1} = (1 − a) r_k + a·tanh(… + ε_k), ε_k ~ N(0, σ_n² I), σ_n = 0.001,
// present during evaluation too. That noise is not part of Step, which is
// the deterministic map the analysis needs; a caller who wants it adds ε_k
// to the bias for that step (training does so in its own forward pass).
//
// Output is a function of the state alone; which state a training loop
// reads it from is a convention of the loop, and the two references differ:
// Kurtkaya et al.'s rnn.py computes o_k from r_k, before the update at step
// k (science spec (5.2)), while the project's PyTorch fixture
// leaky_rnn_forward_grad.json records o_k = Output(r_{k+1}), after it (the
// test TestLeakyFixture tells the two apart: reading r_k misses the fixture
// by 6e-2).
type Leaky struct {
	LeakyParams
	n, in, out int
	pre        []float64 // scratch: pre-activation, then tanh
}

// NewLeaky returns the network with parameters p, which it uses without
// copying (nil biases become zeros). It returns an error naming the
// parameter when shapes do not fit together or DT, Tau are not positive and
// finite, and a wrapped [*NonFiniteError] when a weight is NaN or infinite.
func NewLeaky(p LeakyParams) (*Leaky, error) {
	const op = "NewLeaky"
	if p.WRec == nil {
		return nil, fmt.Errorf("model: %s: %s is missing", op, ParamLeakyWRec)
	}
	n, c := p.WRec.Dims()
	if n != c {
		return nil, fmt.Errorf("model: %s: %s is %d×%d, want square N×N", op, ParamLeakyWRec, n, c)
	}
	in, out := 0, 0
	if p.WIn != nil {
		r, c := p.WIn.Dims()
		if r != n {
			return nil, fmt.Errorf("model: %s: %s is %d×%d, want %d rows (N)", op, ParamLeakyWIn, r, c, n)
		}
		in = c
	}
	if p.WOut != nil {
		r, c := p.WOut.Dims()
		if c != n {
			return nil, fmt.Errorf("model: %s: %s is %d×%d, want %d columns (N)", op, ParamLeakyWOut, r, c, n)
		}
		out = r
	}
	for _, b := range []struct {
		name string
		v    *[]float64
		n    int
	}{{ParamLeakyBIn, &p.BIn, n}, {ParamLeakyBRec, &p.BRec, n}, {ParamLeakyBOut, &p.BOut, out}} {
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
	}{{ParamLeakyWIn, p.WIn}, {ParamLeakyWRec, p.WRec}, {ParamLeakyWOut, p.WOut}} {
		if err := checkFiniteDense(m.name, m.m); err != nil {
			return nil, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	if err := leakyCheckTime(p.DT, p.Tau); err != nil {
		return nil, fmt.Errorf("model: %s: %w", op, err)
	}
	if p.Readout != LeakySigmoid && p.Readout != LeakyLinear {
		return nil, fmt.Errorf("model: %s: unknown readout %v", op, p.Readout)
	}
	return &Leaky{LeakyParams: p, n: n, in: in, out: out, pre: make([]float64, n)}, nil
}

// leakyCheckTime checks that dt and tau are positive and finite.
func leakyCheckTime(dt, tau float64) error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"DT", dt}, {"Tau", tau}} {
		if err := CheckFinite(v.name, []float64{v.v}); err != nil {
			return err
		}
		if v.v <= 0 {
			return fmt.Errorf("%s = %v, want > 0", v.name, v.v)
		}
	}
	return nil
}

// RandomKurtkaya returns a network of n units, in inputs and out outputs
// initialised as Kurtkaya et al.'s rnn.py (science spec §1.2, §5.1), with
// DT = 5 ms, Tau = 10 ms (a = 0.5) and the sigmoid readout.
//
// Every weight matrix (W_in, W_rec, W_out) is Xavier-uniform,
// U(−c, c) with c = √(6/(fan_in + fan_out)), and diag(W_rec) is then set to
// 0; every bias has PyTorch's nn.Linear default U(−1/√fan_in, 1/√fan_in).
// The draws come from rng in the order W_in.weight, W_in.bias,
// W_rec.weight, W_rec.bias, W_out.weight, W_out.bias, each row-major.
// in = 0 gives no input and out = 0 no readout. It panics unless n > 0 and
// in, out >= 0.
func RandomKurtkaya(n, in, out int, rng *RNG) *Leaky {
	if n <= 0 || in < 0 || out < 0 {
		panic(fmt.Sprintf("model: RandomKurtkaya: sizes n=%d in=%d out=%d, want n > 0 and in, out >= 0", n, in, out))
	}
	p := LeakyParams{DT: KurtkayaDT, Tau: KurtkayaTau, Readout: LeakySigmoid}
	if in > 0 {
		p.WIn, p.BIn = leakyXavier(n, in, rng)
	} else {
		p.BIn = make([]float64, n)
	}
	p.WRec, p.BRec = leakyXavier(n, n, rng)
	for i := 0; i < n; i++ {
		p.WRec.Set(i, i, 0)
	}
	if out > 0 {
		p.WOut, p.BOut = leakyXavier(out, n, rng)
	}
	l, err := NewLeaky(p)
	if err != nil {
		panic(err) // unreachable: the shapes are consistent and the values finite
	}
	return l
}

// leakyXavier draws an nn.Linear(in=cols, out=rows) layer: the rows×cols
// weight Xavier-uniform U(−c, c), c = √(6/(rows+cols)), then the bias of
// length rows U(−1/√cols, 1/√cols).
func leakyXavier(rows, cols int, rng *RNG) (*mat.Dense, []float64) {
	c := math.Sqrt(6 / float64(rows+cols))
	w := make([]float64, rows*cols)
	for i := range w {
		w[i] = rng.Uniform(-c, c)
	}
	k := 1 / math.Sqrt(float64(cols))
	b := make([]float64, rows)
	for i := range b {
		b[i] = rng.Uniform(-k, k)
	}
	return mat.NewDense(rows, cols, w), b
}

// Family returns FamilyLeaky.
func (l *Leaky) Family() Family { return FamilyLeaky }

// Dims returns the sizes: state N, input I, output O.
func (l *Leaky) Dims() Dims { return Dims{State: l.n, Input: l.in, Output: l.out} }

// StateVar returns StateRate.
func (l *Leaky) StateVar() StateVar { return StateRate }

// Dt returns the Euler step DT.
func (l *Leaky) Dt() float64 { return l.DT }

// Alpha returns the leak a = DT/Tau.
func (l *Leaky) Alpha() float64 { return l.DT / l.Tau }

// drive leaves t = tanh(W_rec x + b_rec + W_in u + b_in) in l.pre.
func (l *Leaky) drive(op string, x, u []float64) {
	checkLen(op, "x", x, l.n)
	checkInput(op, u, l.in)
	pre := l.pre
	for i := range pre {
		pre[i] = l.BRec[i] + l.BIn[i]
	}
	if u != nil && l.WIn != nil {
		mulVecAdd(pre, l.WIn, u, 1)
	}
	mulVecAdd(pre, l.WRec, x, 1)
	for i, v := range pre {
		pre[i] = math.Tanh(v)
	}
}

// Step writes r' = (1 − a) x + a·tanh(W_rec x + b_rec + W_in u + b_in) into
// dst, with a = DT/Tau.
func (l *Leaky) Step(dst, x, u []float64) {
	checkLen("Leaky.Step", "dst", dst, l.n)
	l.drive("Leaky.Step", x, u)
	a := l.Alpha()
	for i, t := range l.pre {
		dst[i] = (1-a)*x[i] + a*t
	}
}

// Velocity writes dr/dt = (−x + tanh(W_rec x + b_rec + W_in u + b_in))/τ
// into dst.
func (l *Leaky) Velocity(dst, x, u []float64) {
	checkLen("Leaky.Velocity", "dst", dst, l.n)
	l.drive("Leaky.Velocity", x, u)
	for i, t := range l.pre {
		dst[i] = (t - x[i]) / l.Tau
	}
}

// Jacobian writes ∂r'/∂r = (1 − a) I + a diag(1 − t²) W_rec into the N×N
// dst, with t = tanh(W_rec x + b_rec + W_in u + b_in).
func (l *Leaky) Jacobian(dst *mat.Dense, x, u []float64) {
	checkDense("Leaky.Jacobian", "dst", dst, l.n, l.n)
	l.drive("Leaky.Jacobian", x, u)
	a := l.Alpha()
	leakyScaleRows(dst, l.WRec, l.pre, a)
	leakyAddDiag(dst, 1-a)
}

// VelocityJacobian writes ∂F/∂r = (1/τ)(−I + diag(1 − t²) W_rec) into the
// N×N dst.
func (l *Leaky) VelocityJacobian(dst *mat.Dense, x, u []float64) {
	checkDense("Leaky.VelocityJacobian", "dst", dst, l.n, l.n)
	l.drive("Leaky.VelocityJacobian", x, u)
	inv := 1 / l.Tau
	leakyScaleRows(dst, l.WRec, l.pre, inv)
	leakyAddDiag(dst, -inv)
}

// InputJacobian writes ∂r'/∂u = a diag(1 − t²) W_in into the N×I dst. With
// no input (I = 0) dst may be nil or empty and nothing is written.
func (l *Leaky) InputJacobian(dst *mat.Dense, x, u []float64) {
	const op = "Leaky.InputJacobian"
	if l.in == 0 {
		checkLen(op, "x", x, l.n)
		leakyNoInputJac(op, dst, l.n)
		return
	}
	checkDense(op, "dst", dst, l.n, l.in)
	l.drive(op, x, u)
	leakyScaleRows(dst, l.WIn, l.pre, l.Alpha())
}

// Output writes the readout sigmoid(W_out x + b_out) (or W_out x + b_out
// for LeakyLinear) into dst, of length O. Kurtkaya's rnn.py reads it from
// r_k before the update; the project's fixture from r_{k+1}.
func (l *Leaky) Output(dst, x []float64) {
	checkLen("Leaky.Output", "dst", dst, l.out)
	checkLen("Leaky.Output", "x", x, l.n)
	if l.out == 0 {
		return
	}
	copy(dst, l.BOut)
	mulVecAdd(dst, l.WOut, x, 1)
	if l.Readout == LeakySigmoid {
		for i, v := range dst {
			dst[i] = sigmoid(v)
		}
	}
}

// Clone returns a network sharing the parameters with its own scratch.
func (l *Leaky) Clone() Network {
	c := *l
	c.pre = make([]float64, l.n)
	return &c
}

// leakyScaleRows writes s·diag(1 − t²) w into dst, for t the tanh values.
func leakyScaleRows(dst, w *mat.Dense, t []float64, s float64) {
	draw, wraw := dst.RawMatrix(), w.RawMatrix()
	for i, ti := range t {
		d := s * (1 - ti*ti)
		drow := draw.Data[i*draw.Stride : i*draw.Stride+draw.Cols]
		wrow := wraw.Data[i*wraw.Stride : i*wraw.Stride+wraw.Cols]
		for j, v := range wrow {
			drow[j] = d * v
		}
	}
}

// leakyAddDiag adds c to the diagonal of the square dst.
func leakyAddDiag(dst *mat.Dense, c float64) {
	raw := dst.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		raw.Data[i*raw.Stride+i] += c
	}
}

// leakyNoInputJac accepts a nil or empty dst for a network without input
// (gonum cannot make an N×0 matrix) and panics with a ShapeError otherwise.
func leakyNoInputJac(op string, dst *mat.Dense, rows int) {
	if dst == nil || dst.IsEmpty() {
		return
	}
	checkDense(op, "dst", dst, rows, 0)
}

// leakyGemm sets dst = a·b for dense matrices without allocating.
func leakyGemm(dst, a, b *mat.Dense) {
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a.RawMatrix(), b.RawMatrix(), 0, dst.RawMatrix())
}
