package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// GatedConfig holds the parameters of the gated associative network. The
// model of Goto et al. (2025) is a reconstruction (science spec §6.1,
// [LOW]); every ingredient the source does not give is a field here, with
// the proposed default of DefaultGatedConfig.
type GatedConfig struct {
	// Gamma is the gate steepness γ of G_γ(z) = 1/(1 + e^{−γz}), γ ≥ 0.
	// γ = 0 gives G ≡ ½, the Amari–Hopfield network with time rescaled by
	// 2 (an exact identity, EC-33); γ = +Inf gives the binary gate
	// G = Θ(z) (G = 1 for z > 0, 0 for z ≤ 0, G' = 0), where neurons with
	// z_i ≤ 0 are frozen ("closed", EC-34). The captions use 0, 10 and ∞.
	Gamma float64
	// Beta is the gain β of φ(x) = tanh(βx). [PROPOSAL] β = 10 (§10 item
	// 10): with β = 1 and the 1/N Hebbian normalisation no retrieval state
	// exists, and a high gain is needed for the caption's α_c ≈ 0.13.
	Beta float64
	// TauX is the neuronal time constant τ_x. [PROPOSAL] 1 (§6.1).
	TauX float64
	// TauZ is the neuromodulator time constant τ_z. [PROPOSAL] 1 (§10
	// item 11); §6.4 notes that τ_z = 10 with open initial gates removes
	// the basin shrinkage but also the above-capacity gain.
	TauZ float64
	// GW is the scale g_W of the gate coupling W_ij ~ N(0, g_W²/N).
	// [PROPOSAL] 1 (§10 item 11).
	GW float64
	// DT is the forward-Euler step, returned by the Dt method. 0.2 is the
	// Fig 1–2 caption value [MED] (Fig 4 uses 0.25).
	DT float64
	// Z0Mean and Z0Std give the initial gate variables
	// z_i(0) ~ N(Z0Mean, Z0Std²) of InitialState. [PROPOSAL] N(0, 1) (§10
	// item 11); §6.4 also tries open gates N(2, 0.5²).
	Z0Mean, Z0Std float64
	// X0Scale scales the initial currents of InitialState:
	// x_i(0) = X0Scale · s_i with s a NoisyPattern. [PROPOSAL] 1 (§10 item
	// 12, so m(0) ≈ m₀ tanh β); one §6.4 run uses 0.1.
	X0Scale float64
	// Form selects the dense J or the O(NP) pattern form of J φ.
	Form ConnForm
}

// DefaultGatedConfig returns the proposed defaults of science spec §6.1 and
// §10 items 10–12: γ = +Inf (the binary gate, the paper's main gated case),
// β = 10, τ_x = τ_z = 1, g_W = 1, dt = 0.2, z(0) ~ N(0, 1), x(0) = s (an
// unscaled ±1 noisy pattern) and the automatic connectivity form. Each
// choice's reason is given on its GatedConfig field.
func DefaultGatedConfig() GatedConfig {
	return GatedConfig{
		Gamma:   math.Inf(1),
		Beta:    10,
		TauX:    1,
		TauZ:    1,
		GW:      1,
		DT:      0.2,
		Z0Mean:  0,
		Z0Std:   1,
		X0Scale: 1,
		Form:    ConnAuto,
	}
}

// validate checks every parameter; Gamma may be +Inf.
func (c GatedConfig) validate() error {
	if math.IsNaN(c.Gamma) {
		return &NonFiniteError{Param: "Gamma", Value: c.Gamma}
	}
	if c.Gamma < 0 {
		return fmt.Errorf("model: Gamma = %v, want ≥ 0", c.Gamma)
	}
	for _, p := range []struct {
		name     string
		v        float64
		positive bool
	}{
		{"Beta", c.Beta, true}, {"TauX", c.TauX, true}, {"TauZ", c.TauZ, true},
		{"GW", c.GW, false}, {"DT", c.DT, true}, {"Z0Std", c.Z0Std, false},
	} {
		if err := hopfieldCheckParam(p.name, p.v, p.positive); err != nil {
			return err
		}
	}
	if math.IsNaN(c.Z0Mean) || math.IsInf(c.Z0Mean, 0) {
		return &NonFiniteError{Param: "Z0Mean", Value: c.Z0Mean}
	}
	if math.IsNaN(c.X0Scale) || math.IsInf(c.X0Scale, 0) {
		return &NonFiniteError{Param: "X0Scale", Value: c.X0Scale}
	}
	return nil
}

// Gated is the gated associative network, the reconstructed model of Goto
// et al. (2025) (science spec §6.1, [LOW]), on the state s = (x, z) of
// length 2N (StateCurrentGate):
//
//	τ_x ẋ = G_γ(z) ⊙ (−x + J φ(x))       neuronal layer, J Hebbian, J_ii = 0
//	τ_z ż = −z + W φ(x)                  neuromodulator (gate) layer
//	G_γ(z) = 1/(1 + e^{−γz}),  φ(x) = tanh(βx),  W_ij ~ N(0, g_W²/N).
//
// γ = +Inf is the binary gate Θ(z): a neuron with z_i ≤ 0 is closed and its
// x_i is frozen exactly. The network has no input (Dims().Input = 0); its
// output is the vector of P overlaps m_μ = (1/N) Σ_i ξ_i^μ φ(x_i). Step is
// the forward-Euler step s + dt·F(s).
//
// The velocity Jacobian has the blocks (science spec §1.4)
//
//	∂ẋ/∂x = diag(G/τ_x)(−I + J diag(φ')),  ∂ẋ/∂z = diag(G' ⊙ (−x + Jφ)/τ_x),
//	∂ż/∂x = W diag(φ')/τ_z,                ∂ż/∂z = −I/τ_z,
//
// with G' = γ G (1 − G), and G' = 0 for γ = +Inf (the derivative at z = 0
// itself does not exist there).
type Gated struct {
	cfg  GatedConfig
	conn hopfieldConn
	w    *mat.Dense
	// scratch
	phi, dphi, h, gate, work []float64
	xiD                      []float64 // N×P, pattern-form Jacobian only
}

// NewGated returns the gated network storing p with gate coupling w (N×N,
// copied) and parameters cfg. A NaN or infinite weight or parameter gives a
// *NonFiniteError (Gamma may be +Inf); Beta, TauX, TauZ and DT must be
// positive, Gamma, GW and Z0Std non-negative.
func NewGated(p *Patterns, w *mat.Dense, cfg GatedConfig) (*Gated, error) {
	if p == nil {
		return nil, errors.New("model: NewGated: nil patterns")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("model: NewGated: %w", err)
	}
	if w == nil {
		return nil, errors.New("model: NewGated: nil W")
	}
	if r, c := w.Dims(); r != p.n || c != p.n {
		return nil, fmt.Errorf("model: NewGated: W is %d×%d, want %d×%d", r, c, p.n, p.n)
	}
	if err := checkFiniteDense("W", w); err != nil {
		return nil, fmt.Errorf("model: NewGated: %w", err)
	}
	return newGated(p, mat.DenseCopyOf(w), cfg)
}

// newGated builds the network around w without copying it.
func newGated(p *Patterns, w *mat.Dense, cfg GatedConfig) (*Gated, error) {
	conn, err := newHopfieldConn(p, cfg.Form)
	if err != nil {
		return nil, fmt.Errorf("model: NewGated: %w", err)
	}
	cfg.Form = conn.form()
	g := &Gated{cfg: cfg, conn: conn, w: w}
	g.alloc()
	return g, nil
}

// RandomGated returns the gated network storing p with a gate coupling W
// drawn from rng, W_ij ~ N(0, g_W²/N) i.i.d. in row-major order.
func RandomGated(p *Patterns, cfg GatedConfig, rng *RNG) (*Gated, error) {
	if p == nil {
		return nil, errors.New("model: RandomGated: nil patterns")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("model: RandomGated: %w", err)
	}
	n := p.n
	data := make([]float64, n*n)
	s := cfg.GW / math.Sqrt(float64(n))
	for k := range data {
		data[k] = s * rng.Norm()
	}
	return newGated(p, mat.NewDense(n, n, data), cfg)
}

// alloc allocates the scratch space.
func (g *Gated) alloc() {
	n, p := g.conn.pat.n, g.conn.pat.p
	g.phi = make([]float64, n)
	g.dphi = make([]float64, n)
	g.h = make([]float64, n)
	g.gate = make([]float64, n)
	g.work = make([]float64, p)
	if g.conn.j == nil {
		g.xiD = make([]float64, n*p)
	}
}

// Config returns the parameters, with Form resolved to ConnDense or
// ConnPatterns.
func (g *Gated) Config() GatedConfig { return g.cfg }

// Patterns returns the stored patterns.
func (g *Gated) Patterns() *Patterns { return g.conn.pat }

// W returns the gate coupling matrix (shared; do not modify).
func (g *Gated) W() *mat.Dense { return g.w }

// Family returns FamilyGated.
func (g *Gated) Family() Family { return FamilyGated }

// Dims returns State = 2N, Input = 0, Output = P.
func (g *Gated) Dims() Dims { return Dims{State: 2 * g.conn.pat.n, Output: g.conn.pat.p} }

// StateVar returns StateCurrentGate.
func (g *Gated) StateVar() StateVar { return StateCurrentGate }

// Dt returns the Euler step cfg.DT.
func (g *Gated) Dt() float64 { return g.cfg.DT }

// Clone returns a network sharing the patterns, J and W, with its own
// scratch.
func (g *Gated) Clone() Network {
	c := &Gated{cfg: g.cfg, conn: g.conn, w: g.w}
	c.alloc()
	return c
}

// InitialState writes a random initial state (x(0), z(0)) of length 2N into
// dst: first x(0) = X0Scale · s with s = Patterns().NoisyPattern(mu, m0)
// (N uniform draws), then z_i(0) = Z0Mean + Z0Std · N(0, 1) (N normal
// draws). It panics unless −1 ≤ m0 ≤ 1.
func (g *Gated) InitialState(dst []float64, mu int, m0 float64, rng *RNG) {
	n := g.conn.pat.n
	checkLen("Gated.InitialState", "dst", dst, 2*n)
	x := dst[:n]
	g.conn.pat.NoisyPattern(x, mu, m0, rng)
	for i := range x {
		x[i] *= g.cfg.X0Scale
	}
	for i := n; i < 2*n; i++ {
		dst[i] = g.cfg.Z0Mean + g.cfg.Z0Std*rng.Norm()
	}
}

// Gate returns G_γ(z) and its derivative G'_γ(z) for the steepness gamma:
// ½ and 0 for γ = 0, Θ(z) (0 at z = 0) and 0 for γ = +Inf.
func Gate(gamma, z float64) (g, dg float64) {
	switch {
	case gamma == 0:
		return 0.5, 0
	case math.IsInf(gamma, 1):
		if z > 0 {
			return 1, 0
		}
		return 0, 0
	}
	g = sigmoid(gamma * z)
	return g, gamma * g * (1 - g)
}

// velocity writes F(s) into dst; when jac is set it leaves φ' in g.dphi and
// G' ⊙ (−x + Jφ)/τ_x in g.h.
func (g *Gated) velocity(dst, s []float64, jac bool) {
	n := g.conn.pat.n
	x, z := s[:n], s[n:]
	var dphi []float64
	if jac {
		dphi = g.dphi
	}
	hopfieldPhi(g.phi, dphi, x, g.cfg.Beta)
	g.conn.mulVec(g.h, g.phi, g.work)
	tx := g.cfg.TauX
	for i, v := range x {
		r := (-v + g.h[i]) / tx
		gi, dgi := Gate(g.cfg.Gamma, z[i])
		g.gate[i] = gi
		if gi == 0 {
			dst[i] = 0 // closed: frozen exactly, even if r is not finite
		} else {
			dst[i] = gi * r
		}
		if jac {
			g.h[i] = dgi * r
		}
	}
	dz := dst[n:]
	mulVecAdd(dz, g.w, g.phi, 0)
	tz := g.cfg.TauZ
	for i, v := range z {
		dz[i] = (-v + dz[i]) / tz
	}
}

// Velocity writes F(s) = (ẋ, ż) into dst, of length 2N. u must be nil or
// empty.
func (g *Gated) Velocity(dst, s, u []float64) {
	const op = "Gated.Velocity"
	n2 := 2 * g.conn.pat.n
	checkLen(op, "dst", dst, n2)
	checkLen(op, "s", s, n2)
	checkInput(op, u, 0)
	g.velocity(dst, s, false)
}

// Step writes the Euler step s + dt·F(s) into dst. With γ = +Inf every
// neuron with z_i ≤ 0 keeps x_i exactly. u must be nil or empty.
func (g *Gated) Step(dst, s, u []float64) {
	const op = "Gated.Step"
	n2 := 2 * g.conn.pat.n
	checkLen(op, "dst", dst, n2)
	checkLen(op, "s", s, n2)
	checkInput(op, u, 0)
	g.velocity(dst, s, false)
	dt := g.cfg.DT
	for i, v := range s {
		dst[i] = v + dt*dst[i]
	}
}

// VelocityJacobian writes ∂F/∂s, a 2N×2N matrix, into dst.
func (g *Gated) VelocityJacobian(dst *mat.Dense, s, u []float64) {
	const op = "Gated.VelocityJacobian"
	n2 := 2 * g.conn.pat.n
	checkDense(op, "dst", dst, n2, n2)
	checkLen(op, "s", s, n2)
	checkInput(op, u, 0)
	g.velJac(dst, s)
}

// Jacobian writes the Jacobian of Step, I + dt·∂F/∂s, into the 2N×2N dst.
func (g *Gated) Jacobian(dst *mat.Dense, s, u []float64) {
	const op = "Gated.Jacobian"
	n2 := 2 * g.conn.pat.n
	checkDense(op, "dst", dst, n2, n2)
	checkLen(op, "s", s, n2)
	checkInput(op, u, 0)
	g.velJac(dst, s)
	hopfieldEulerJac(dst, g.cfg.DT)
}

// velJac implements VelocityJacobian after the shape checks.
func (g *Gated) velJac(dst *mat.Dense, s []float64) {
	n := g.conn.pat.n
	// The velocity itself is not needed: dst's first row (2N entries) holds
	// it as scratch and is overwritten below.
	raw := dst.RawMatrix()
	g.velocity(raw.Data[:2*n], s, true)
	tx, tz := g.cfg.TauX, g.cfg.TauZ
	// ∂ẋ/∂x = diag(G/τ_x)(−I + J diag φ'); g.gate is reused as the row scale.
	for i, gi := range g.gate {
		g.gate[i] = gi / tx
	}
	g.conn.scaledBlock(hopfieldSubBlock(dst, 0, 0, n, n), g.gate, g.dphi, g.xiD)
	for i := 0; i < n; i++ {
		xrow := raw.Data[i*raw.Stride : i*raw.Stride+2*n]
		xrow[i] -= g.gate[i]
		// ∂ẋ/∂z = diag(G' ⊙ (−x + Jφ)/τ_x).
		zb := xrow[n:]
		for k := range zb {
			zb[k] = 0
		}
		zb[i] = g.h[i]
	}
	// ∂ż/∂x = W diag(φ')/τ_z, ∂ż/∂z = −I/τ_z.
	wr := g.w.RawMatrix()
	itz := 1 / tz
	for i := 0; i < n; i++ {
		row := raw.Data[(n+i)*raw.Stride : (n+i)*raw.Stride+2*n]
		wrow := wr.Data[i*wr.Stride : i*wr.Stride+n]
		for k, v := range wrow {
			row[k] = v * g.dphi[k] / tz
		}
		zb := row[n:]
		for k := range zb {
			zb[k] = 0
		}
		zb[i] = -itz
	}
}

// InputJacobian writes nothing: the network has no input, so ∂f/∂u is a
// 2N×0 matrix. Because gonum cannot make a matrix with zero columns, dst may
// be nil or empty (any other dst panics with a ShapeError).
func (g *Gated) InputJacobian(dst *mat.Dense, s, u []float64) {
	hopfieldNoInputJac("Gated.InputJacobian", dst, 2*g.conn.pat.n)
}

// Output writes the overlaps m_μ = (1/N) Σ_i ξ_i^μ tanh(βx_i) into dst, of
// length P, where x is the first half of s.
func (g *Gated) Output(dst, s []float64) {
	const op = "Gated.Output"
	n := g.conn.pat.n
	checkLen(op, "dst", dst, g.conn.pat.p)
	checkLen(op, "s", s, 2*n)
	hopfieldPhi(g.phi, nil, s[:n], g.cfg.Beta)
	g.conn.pat.Overlaps(dst, g.phi)
}

// ClosedActiveOverlap splits the overlap with pattern mu (zero-based) at
// state s into the closed and active parts of science spec §6.2:
// mF = (1/N) Σ_{i: z_i ≤ 0} ξ_i^μ φ(x_i) and mA the same over z_i > 0, so
// that mF + mA = m_μ. The split follows the binary gate whatever γ is.
func (g *Gated) ClosedActiveOverlap(s []float64, mu int) (mF, mA float64) {
	n := g.conn.pat.n
	checkLen("Gated.ClosedActiveOverlap", "s", s, 2*n)
	g.conn.pat.checkMu("Gated.ClosedActiveOverlap", mu)
	beta := g.cfg.Beta
	for i := 0; i < n; i++ {
		v := g.conn.pat.At(i, mu) * math.Tanh(beta*s[i])
		if s[n+i] <= 0 {
			mF += v
		} else {
			mA += v
		}
	}
	return mF / float64(n), mA / float64(n)
}
