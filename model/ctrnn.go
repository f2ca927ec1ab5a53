package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// CTRNN is the continuous-time rate network of Sussillo & Abbott (2009) and
// Ghazizadeh & Ching (2021), with state the current x of N neurons:
//
//	τ dx/dt = −x + g J φ(x) + W_f z_o + W_fd z_d + W_in u + b,   φ = tanh (or ReLU, field Phi),
//	z_o = W_oᵀ φ(x) + b_o,   z_d = W_dᵀ φ(x).
//
// z_o is the trained output (one or more channels) and z_d the "dummy"
// latent memory readout of Ghazizadeh & Ching; both are fed back through
// W_f and W_fd. The feedback uses the readouts of the current state, so the
// vector field is autonomous in x and its Jacobian is
//
//	∂F/∂x = (−I + J_T diag(φ'(x))) / τ,   J_T = g J + W_f W_oᵀ + W_fd W_dᵀ,
//
// with φ'(x) = 1 − tanh²(x) for tanh (science spec eq. 1.1, §1.4, §3.1). Step is the
// forward-Euler step x + DT·F(x, u) (eq. 1.2) and its Jacobian is
// I + DT·∂F/∂x.
//
// The fields are the parameters. They may be read freely, and their values
// may be changed in place (FORCE training rewrites W_o and W_d), but their
// shapes must not change after [NewCTRNN]: the scratch space is sized by
// them. A CTRNN is not safe for concurrent use; see [CTRNN.Clone].
type CTRNN struct {
	// G is the gain g of the random recurrent matrix.
	G float64
	// J is the N×N recurrent matrix, dense or sparse.
	J Recurrent
	// WF is the N×O output feedback W_f, or nil for no output feedback.
	WF *mat.Dense
	// WFD is the N×D latent-readout feedback W_fd, or nil.
	WFD *mat.Dense
	// WIn is the N×I input matrix W_in, or nil for a network without input.
	WIn *mat.Dense
	// WO is the N×O output readout W_o (z_o = W_oᵀ r), or nil for none.
	WO *mat.Dense
	// WD is the N×D latent readout W_d (z_d = W_dᵀ r), or nil for none.
	WD *mat.Dense
	// B is the length-N bias b, or nil for zero bias.
	B []float64
	// Tau is the time constant τ, in model time units (1 in both papers).
	Tau float64
	// DT is the forward-Euler step, in the same units (0.1 in both papers).
	DT float64
	// Phi is the transfer function φ: CTRNNTanh (the default, both papers)
	// or CTRNNReLU (PsychRNN's default, for imported networks).
	Phi CTRNNActivation
	// BO is the length-O output bias, added to z_o (and so fed back with
	// it), or nil for none. Imported networks may have one.
	BO []float64

	n, nIn, nOut, nD int

	// scratch
	r    []float64 // φ(x)
	dphi []float64 // φ'(x)
	y    []float64 // W_o[:,k] ⊙ φ'(x)
	zo   []float64
	zd   []float64
	// rx is the state whose φ is in r when rOK, with φ = rPhi (see
	// phiCached).
	rx   []float64
	rOK  bool
	rPhi CTRNNActivation
	// batch is StepBatch's scratch (φ of the rows and J·Φᵀ), grown on use.
	batch []float64
}

// CTRNNParams are the parameters of [NewCTRNN]; the fields mean the same as
// those of [CTRNN]. WF may be non-nil only with a WO of the same number of
// columns, and WFD only with a WD of the same number of columns.
type CTRNNParams struct {
	Phi CTRNNActivation
	BO  []float64
	G   float64
	J   Recurrent
	WF  *mat.Dense
	WFD *mat.Dense
	WIn *mat.Dense
	WO  *mat.Dense
	WD  *mat.Dense
	B   []float64
	Tau float64
	DT  float64
}

// NewCTRNN returns a CTRNN with the parameters p, which it uses without
// copying. It returns an error naming the parameter when a shape does not
// fit J, when Tau or DT is not positive, and a *NonFiniteError when a
// parameter holds a NaN or an infinity.
func NewCTRNN(p CTRNNParams) (*CTRNN, error) {
	if p.J == nil {
		return nil, fmt.Errorf("model: NewCTRNN: J is nil")
	}
	n, c := p.J.Dims()
	if n != c || n == 0 {
		return nil, fmt.Errorf("model: NewCTRNN: J is %d×%d, want square and nonempty", n, c)
	}
	cols := func(name string, m *mat.Dense) (int, error) {
		if m == nil {
			return 0, nil
		}
		r, c := m.Dims()
		if r != n {
			return 0, fmt.Errorf("model: NewCTRNN: %s has %d rows, want N = %d", name, r, n)
		}
		return c, nil
	}
	nOut, err := cols("W_o", p.WO)
	if err != nil {
		return nil, err
	}
	nD, err := cols("W_d", p.WD)
	if err != nil {
		return nil, err
	}
	nIn, err := cols("W_in", p.WIn)
	if err != nil {
		return nil, err
	}
	nf, err := cols("W_f", p.WF)
	if err != nil {
		return nil, err
	}
	if p.WF != nil && p.WO == nil {
		return nil, fmt.Errorf("model: NewCTRNN: W_f is set but W_o is nil (feedback needs a readout)")
	}
	if p.WF != nil && nf != nOut {
		return nil, fmt.Errorf("model: NewCTRNN: W_f has %d columns, want %d (the columns of W_o)", nf, nOut)
	}
	nfd, err := cols("W_fd", p.WFD)
	if err != nil {
		return nil, err
	}
	if p.WFD != nil && p.WD == nil {
		return nil, fmt.Errorf("model: NewCTRNN: W_fd is set but W_d is nil (feedback needs a readout)")
	}
	if p.WFD != nil && nfd != nD {
		return nil, fmt.Errorf("model: NewCTRNN: W_fd has %d columns, want %d (the columns of W_d)", nfd, nD)
	}
	if p.B != nil && len(p.B) != n {
		return nil, fmt.Errorf("model: NewCTRNN: b has length %d, want N = %d", len(p.B), n)
	}
	if err := CheckFinite("g", []float64{p.G}); err != nil {
		return nil, err
	}
	if err := CheckFinite("tau", []float64{p.Tau}); err != nil {
		return nil, err
	}
	if err := CheckFinite("dt", []float64{p.DT}); err != nil {
		return nil, err
	}
	if p.Tau <= 0 {
		return nil, fmt.Errorf("model: NewCTRNN: tau = %v, want > 0", p.Tau)
	}
	if p.DT <= 0 {
		return nil, fmt.Errorf("model: NewCTRNN: dt = %v, want > 0", p.DT)
	}
	var jerr error
	p.J.DoNonZero(func(i, j int, v float64) {
		if jerr == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			jerr = &NonFiniteError{Param: "J", Index: i*n + j, Value: v}
		}
	})
	if jerr != nil {
		return nil, jerr
	}
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{"W_f", p.WF}, {"W_fd", p.WFD}, {"W_in", p.WIn}, {"W_o", p.WO}, {"W_d", p.WD}} {
		if err := checkFiniteDense(m.name, m.m); err != nil {
			return nil, err
		}
	}
	if err := CheckFinite("b", p.B); err != nil {
		return nil, err
	}
	if p.BO != nil && len(p.BO) != nOut {
		return nil, fmt.Errorf("model: NewCTRNN: b_o has length %d, want %d (the columns of W_o)", len(p.BO), nOut)
	}
	if err := CheckFinite("b_o", p.BO); err != nil {
		return nil, err
	}
	if p.Phi != CTRNNTanh && p.Phi != CTRNNReLU {
		return nil, fmt.Errorf("model: NewCTRNN: unknown transfer function %d", p.Phi)
	}
	net := &CTRNN{
		G: p.G, J: p.J, WF: p.WF, WFD: p.WFD, WIn: p.WIn, WO: p.WO, WD: p.WD,
		B: p.B, Tau: p.Tau, DT: p.DT, Phi: p.Phi, BO: p.BO,
		n: n, nIn: nIn, nOut: nOut, nD: nD,
	}
	net.ctrnnAlloc()
	return net, nil
}

// ctrnnAlloc allocates the scratch space of c.
func (c *CTRNN) ctrnnAlloc() {
	c.r = make([]float64, c.n)
	c.rx, c.rOK = make([]float64, c.n), false
	c.dphi = make([]float64, c.n)
	c.y = make([]float64, c.n)
	c.zo = make([]float64, c.nOut)
	c.zd = make([]float64, c.nD)
	c.batch = nil
}

// Family returns FamilyCTRNN.
func (c *CTRNN) Family() Family { return FamilyCTRNN }

// Dims returns State = N, Input = the columns of W_in and Output = the
// columns of W_o plus those of W_d.
func (c *CTRNN) Dims() Dims { return Dims{State: c.n, Input: c.nIn, Output: c.nOut + c.nD} }

// StateVar returns StateCurrent: the state is the current x, r = φ(x).
func (c *CTRNN) StateVar() StateVar { return StateCurrent }

// Dt returns the Euler step DT.
func (c *CTRNN) Dt() float64 { return c.DT }

// Clone returns a CTRNN sharing the parameters of c with its own scratch.
func (c *CTRNN) Clone() Network {
	d := *c
	d.ctrnnAlloc()
	return &d
}

// CTRNNActivation selects the transfer function φ of a CTRNN.
type CTRNNActivation int

const (
	// CTRNNTanh is φ = tanh, φ' = 1 − tanh² (the zero value).
	CTRNNTanh CTRNNActivation = iota
	// CTRNNReLU is φ = max(0, x), with φ'(x) = 1 for x > 0 and 0 otherwise
	// (the derivative at the kink is taken as 0).
	CTRNNReLU
)

// String returns "tanh" or "relu".
func (a CTRNNActivation) String() string {
	if a == CTRNNReLU {
		return "relu"
	}
	return "tanh"
}

// ctrnnPhi sets r = φ(x) and, when dphi is not nil, dphi = φ'(x).
func (c *CTRNN) ctrnnPhi(r, dphi, x []float64) {
	if c.Phi == CTRNNReLU {
		for i, v := range x {
			d := 0.0
			if v > 0 {
				d = 1
			} else {
				v = 0
			}
			if r != nil {
				r[i] = v
			}
			if dphi != nil {
				dphi[i] = d
			}
		}
		return
	}
	for i, v := range x {
		t := math.Tanh(v)
		if r != nil {
			r[i] = t
		}
		if dphi != nil {
			dphi[i] = 1 - t*t
		}
	}
}

// ctrnnReadouts fills c.r = φ(x), c.zo = W_oᵀ r + b_o and c.zd = W_dᵀ r.
func (c *CTRNN) ctrnnReadouts(x []float64) {
	if !c.phiCached(x) {
		c.ctrnnPhi(c.r, nil, x)
		c.rememberPhi(x)
	}
	c.ctrnnReadoutsOf(c.r)
}

// ctrnnReadoutsOf fills c.zo = W_oᵀ r + b_o and c.zd = W_dᵀ r.
func (c *CTRNN) ctrnnReadoutsOf(r []float64) {
	if c.ctrnnReadoutsFast(r) {
		return
	}
	if c.WO != nil {
		mulTransVecAdd(c.zo, c.WO, r, 0)
		for i, b := range c.BO {
			c.zo[i] += b
		}
	}
	if c.WD != nil {
		mulTransVecAdd(c.zd, c.WD, r, 0)
	}
}

// Velocity writes F(x, u) = dx/dt =
// (−x + g J r + W_f z_o + W_fd z_d + W_in u + b)/τ into dst.
func (c *CTRNN) Velocity(dst, x, u []float64) {
	checkLen("CTRNN.Velocity", "dst", dst, c.n)
	checkLen("CTRNN.Velocity", "x", x, c.n)
	checkInput("CTRNN.Velocity", u, c.nIn)
	c.ctrnnVelocity(dst, x, u)
}

func (c *CTRNN) ctrnnVelocity(dst, x, u []float64) {
	c.ctrnnReadouts(x)
	c.J.MulVecTo(dst, c.r)
	c.ctrnnVelocityTail(dst, x, u)
}

// ctrnnVelocityTail turns dst = J r into F(x, u), with c.zo and c.zd the
// readouts of x.
func (c *CTRNN) ctrnnVelocityTail(dst, x, u []float64) {
	for i := range dst {
		dst[i] *= c.G
	}
	if c.WF != nil {
		mulVecAdd(dst, c.WF, c.zo, 1)
	}
	if c.WFD != nil {
		mulVecAdd(dst, c.WFD, c.zd, 1)
	}
	if c.WIn != nil && u != nil {
		mulVecAdd(dst, c.WIn, u, 1)
	}
	inv := 1 / c.Tau
	if c.B != nil {
		for i, xi := range x {
			dst[i] = (dst[i] + c.B[i] - xi) * inv
		}
		return
	}
	for i, xi := range x {
		dst[i] = (dst[i] - xi) * inv
	}
}

// Step writes the Euler step x + DT·F(x, u) into dst.
func (c *CTRNN) Step(dst, x, u []float64) {
	checkLen("CTRNN.Step", "dst", dst, c.n)
	checkLen("CTRNN.Step", "x", x, c.n)
	checkInput("CTRNN.Step", u, c.nIn)
	c.ctrnnVelocity(dst, x, u)
	for i, xi := range x {
		dst[i] = xi + c.DT*dst[i]
	}
}

// VelocityJacobian writes ∂F/∂x = (−I + J_T diag(φ'(x)))/τ into dst,
// with J_T = g J + W_f W_oᵀ + W_fd W_dᵀ. It does not depend on u.
func (c *CTRNN) VelocityJacobian(dst *mat.Dense, x, u []float64) {
	checkDense("CTRNN.VelocityJacobian", "dst", dst, c.n, c.n)
	checkLen("CTRNN.VelocityJacobian", "x", x, c.n)
	checkInput("CTRNN.VelocityJacobian", u, c.nIn)
	c.ctrnnVelocityJacobian(dst, x)
}

func (c *CTRNN) ctrnnVelocityJacobian(dst *mat.Dense, x []float64) {
	c.ctrnnPhi(nil, c.dphi, x)
	raw := dst.RawMatrix()
	for i := 0; i < c.n; i++ {
		clear(raw.Data[i*raw.Stride : i*raw.Stride+c.n])
	}
	inv := 1 / c.Tau
	c.J.AddMulDiagTo(dst, c.G*inv, c.dphi)
	c.ctrnnAddFeedback(raw, c.WF, c.WO, inv)
	c.ctrnnAddFeedback(raw, c.WFD, c.WD, inv)
	for i := 0; i < c.n; i++ {
		raw.Data[i*raw.Stride+i] -= inv
	}
}

// ctrnnAddFeedback adds alpha·W_f W_oᵀ diag(φ') to dst, one rank-one
// update per readout channel.
func (c *CTRNN) ctrnnAddFeedback(dst blas64.General, wf, wo *mat.Dense, alpha float64) {
	if wf == nil || wo == nil {
		return
	}
	f, o := wf.RawMatrix(), wo.RawMatrix()
	for k := 0; k < o.Cols; k++ {
		for j := 0; j < c.n; j++ {
			c.y[j] = o.Data[j*o.Stride+k] * c.dphi[j]
		}
		blas64.Ger(alpha,
			blas64.Vector{N: c.n, Inc: f.Stride, Data: f.Data[k:]},
			blas64.Vector{N: c.n, Inc: 1, Data: c.y},
			dst)
	}
}

// Jacobian writes the Jacobian of Step, I + DT·∂F/∂x, into dst.
func (c *CTRNN) Jacobian(dst *mat.Dense, x, u []float64) {
	checkDense("CTRNN.Jacobian", "dst", dst, c.n, c.n)
	checkLen("CTRNN.Jacobian", "x", x, c.n)
	checkInput("CTRNN.Jacobian", u, c.nIn)
	c.ctrnnVelocityJacobian(dst, x)
	raw := dst.RawMatrix()
	for i := 0; i < c.n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+c.n]
		for j := range row {
			row[j] *= c.DT
		}
		row[i]++
	}
}

// InputJacobian writes ∂Step/∂u = (DT/τ)·W_in, an N×I matrix, into dst.
func (c *CTRNN) InputJacobian(dst *mat.Dense, x, u []float64) {
	checkLen("CTRNN.InputJacobian", "x", x, c.n)
	checkInput("CTRNN.InputJacobian", u, c.nIn)
	if c.nIn == 0 {
		return
	}
	checkDense("CTRNN.InputJacobian", "dst", dst, c.n, c.nIn)
	dst.Scale(c.DT/c.Tau, c.WIn)
}

// Output writes the readouts at x, (z_o, z_d) = (W_oᵀ r, W_dᵀ r) with
// r = φ(x) (plus the output bias b_o on z_o), concatenated, into dst.
func (c *CTRNN) Output(dst, x []float64) {
	checkLen("CTRNN.Output", "dst", dst, c.nOut+c.nD)
	checkLen("CTRNN.Output", "x", x, c.n)
	c.ctrnnReadouts(x)
	copy(dst, c.zo)
	copy(dst[c.nOut:], c.zd)
}

// Rates writes the firing rates r = φ(x) into dst.
func (c *CTRNN) Rates(dst, x []float64) {
	checkLen("CTRNN.Rates", "dst", dst, c.n)
	checkLen("CTRNN.Rates", "x", x, c.n)
	c.ctrnnPhi(dst, nil, x)
}

// EffectiveJ returns a new dense N×N matrix holding the effective
// connectivity J_T = g J + W_f W_oᵀ + W_fd W_dᵀ (Ghazizadeh & Ching eq. 3),
// so that the velocity Jacobian at the origin is (−I + J_T)/τ.
func (c *CTRNN) EffectiveJ() *mat.Dense {
	jt := mat.NewDense(c.n, c.n, nil)
	ones := make([]float64, c.n)
	for i := range ones {
		ones[i] = 1
	}
	c.J.AddMulDiagTo(jt, c.G, ones)
	if c.WF != nil && c.WO != nil {
		var t mat.Dense
		t.Mul(c.WF, c.WO.T())
		jt.Add(jt, &t)
	}
	if c.WFD != nil && c.WD != nil {
		var t mat.Dense
		t.Mul(c.WFD, c.WD.T())
		jt.Add(jt, &t)
	}
	return jt
}
