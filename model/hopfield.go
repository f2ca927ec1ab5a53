package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// HopfieldConfig holds the parameters of a graded Amari–Hopfield network.
type HopfieldConfig struct {
	// Beta is the gain β of φ(x) = tanh(βx). With the 1/N Hebbian
	// normalisation, β = 1 has no retrieval state at all (m = tanh m has
	// only m = 0, EC-09); high gain (β ≳ 5) is needed for α_c ≈ 0.13.
	Beta float64
	// Tau is the time constant τ (> 0).
	Tau float64
	// DT is the forward-Euler step in model time units (> 0), returned by
	// the Dt method.
	DT float64
	// Form selects the dense J or the O(NP) pattern form of J φ.
	Form ConnForm
}

// DefaultHopfieldConfig returns β = 10, τ = 1, dt = 0.2 and the automatic
// connectivity form (science spec §6.1, §6.3, §10 item 10: β = 10 is a
// [PROPOSAL]; dt = 0.2 is the Fig 1–2 caption value [MED]).
func DefaultHopfieldConfig() HopfieldConfig {
	return HopfieldConfig{Beta: 10, Tau: 1, DT: 0.2, Form: ConnAuto}
}

// validate checks that every parameter is finite and in range.
func (c HopfieldConfig) validate() error {
	if err := hopfieldCheckParam("Beta", c.Beta, true); err != nil {
		return err
	}
	if err := hopfieldCheckParam("Tau", c.Tau, true); err != nil {
		return err
	}
	return hopfieldCheckParam("DT", c.DT, true)
}

// Hopfield is the graded Amari–Hopfield network (science spec §7.2, and the
// γ = 0 / ungated reference of §6.1) with Hebbian connectivity:
//
//	τ dx/dt = −x + J φ(x),   φ(x) = tanh(βx),
//	J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ,  J_ii = 0.
//
// The state is the current x (StateCurrent, length N); the network has no
// input (Dims().Input = 0) and its output is the vector of P overlaps
// m_μ = (1/N) Σ_i ξ_i^μ φ(x_i). Step is the forward-Euler step
// x + dt·F(x). J φ is computed either with a dense J (O(N²) per step) or in
// the pattern form (1/N) Ξ (Ξᵀ φ) − α φ (O(NP)); both agree to 1e-12.
//
// The velocity Jacobian is (1/τ)(−I + J diag(φ'(x))), φ'(x) = β(1 − tanh²(βx)).
type Hopfield struct {
	cfg  HopfieldConfig
	conn hopfieldConn
	// scratch
	phi, dphi, h, work []float64
	xiD                []float64 // N×P, pattern-form Jacobian only
}

// NewHopfield returns the Hopfield network storing p with parameters cfg.
// A NaN or infinite parameter gives a *NonFiniteError; Beta, Tau and DT
// must be positive. cfg.Form is resolved at construction: ConnAuto becomes
// ConnPatterns when P < N/4 and ConnDense (forming J, N² floats) otherwise.
func NewHopfield(p *Patterns, cfg HopfieldConfig) (*Hopfield, error) {
	if p == nil {
		return nil, errors.New("model: NewHopfield: nil patterns")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("model: NewHopfield: %w", err)
	}
	conn, err := newHopfieldConn(p, cfg.Form)
	if err != nil {
		return nil, fmt.Errorf("model: NewHopfield: %w", err)
	}
	cfg.Form = conn.form()
	h := &Hopfield{cfg: cfg, conn: conn}
	h.alloc()
	return h, nil
}

// alloc allocates the scratch space.
func (h *Hopfield) alloc() {
	n, p := h.conn.pat.n, h.conn.pat.p
	h.phi = make([]float64, n)
	h.dphi = make([]float64, n)
	h.h = make([]float64, n)
	h.work = make([]float64, p)
	if h.conn.j == nil {
		h.xiD = make([]float64, n*p)
	}
}

// Config returns the parameters, with Form resolved to ConnDense or
// ConnPatterns.
func (h *Hopfield) Config() HopfieldConfig { return h.cfg }

// Patterns returns the stored patterns.
func (h *Hopfield) Patterns() *Patterns { return h.conn.pat }

// Connectivity returns the dense Hebbian J: the stored matrix in the dense
// form (shared; do not modify), a newly formed one in the pattern form.
func (h *Hopfield) Connectivity() *mat.Dense {
	if h.conn.j != nil {
		return h.conn.j
	}
	return h.conn.pat.Hebbian()
}

// Family returns FamilyHopfield.
func (h *Hopfield) Family() Family { return FamilyHopfield }

// Dims returns State = N, Input = 0, Output = P.
func (h *Hopfield) Dims() Dims { return Dims{State: h.conn.pat.n, Output: h.conn.pat.p} }

// StateVar returns StateCurrent.
func (h *Hopfield) StateVar() StateVar { return StateCurrent }

// Dt returns the Euler step cfg.DT.
func (h *Hopfield) Dt() float64 { return h.cfg.DT }

// Clone returns a network sharing the patterns and J, with its own scratch.
func (h *Hopfield) Clone() Network {
	c := &Hopfield{cfg: h.cfg, conn: h.conn}
	c.alloc()
	return c
}

// hopfieldPhi sets phi = tanh(βx) and, when dphi is non-nil,
// dphi = β(1 − tanh²(βx)).
func hopfieldPhi(phi, dphi, x []float64, beta float64) {
	for i, v := range x {
		t := math.Tanh(beta * v)
		phi[i] = t
		if dphi != nil {
			dphi[i] = beta * (1 - t*t)
		}
	}
}

// relax sets dst = (−x + J φ(x))/τ, leaving φ(x) in h.phi and J φ in h.h.
func (h *Hopfield) relax(dst, x []float64) {
	hopfieldPhi(h.phi, nil, x, h.cfg.Beta)
	h.conn.mulVec(h.h, h.phi, h.work)
	tau := h.cfg.Tau
	for i, v := range x {
		dst[i] = (-v + h.h[i]) / tau
	}
}

// Velocity writes F(x) = (−x + J φ(x))/τ into dst. u must be nil or empty.
func (h *Hopfield) Velocity(dst, x, u []float64) {
	const op = "Hopfield.Velocity"
	n := h.conn.pat.n
	checkLen(op, "dst", dst, n)
	checkLen(op, "x", x, n)
	checkInput(op, u, 0)
	h.relax(dst, x)
}

// Step writes the Euler step x + dt·F(x) into dst. u must be nil or empty.
func (h *Hopfield) Step(dst, x, u []float64) {
	const op = "Hopfield.Step"
	n := h.conn.pat.n
	checkLen(op, "dst", dst, n)
	checkLen(op, "x", x, n)
	checkInput(op, u, 0)
	h.relax(dst, x)
	dt := h.cfg.DT
	for i, v := range x {
		dst[i] = v + dt*dst[i]
	}
}

// VelocityJacobian writes ∂F/∂x = (1/τ)(−I + J diag(φ'(x))) into the N×N dst.
func (h *Hopfield) VelocityJacobian(dst *mat.Dense, x, u []float64) {
	const op = "Hopfield.VelocityJacobian"
	n := h.conn.pat.n
	checkDense(op, "dst", dst, n, n)
	checkLen(op, "x", x, n)
	checkInput(op, u, 0)
	h.velJac(dst, x)
}

// velJac implements VelocityJacobian after the shape checks.
func (h *Hopfield) velJac(dst *mat.Dense, x []float64) {
	n := h.conn.pat.n
	hopfieldPhi(h.phi, h.dphi, x, h.cfg.Beta)
	inv := 1 / h.cfg.Tau
	for i := range h.h {
		h.h[i] = inv // row scale
	}
	h.conn.scaledBlock(hopfieldSubBlock(dst, 0, 0, n, n), h.h, h.dphi, h.xiD)
	for i := 0; i < n; i++ {
		dst.Set(i, i, dst.At(i, i)-inv)
	}
}

// Jacobian writes the Jacobian of Step, I + dt·∂F/∂x, into the N×N dst.
func (h *Hopfield) Jacobian(dst *mat.Dense, x, u []float64) {
	const op = "Hopfield.Jacobian"
	n := h.conn.pat.n
	checkDense(op, "dst", dst, n, n)
	checkLen(op, "x", x, n)
	checkInput(op, u, 0)
	h.velJac(dst, x)
	hopfieldEulerJac(dst, h.cfg.DT)
}

// hopfieldEulerJac turns a velocity Jacobian in dst into I + dt·dst.
func hopfieldEulerJac(dst *mat.Dense, dt float64) {
	raw := dst.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for k := range row {
			row[k] *= dt
		}
		row[i]++
	}
}

// InputJacobian writes nothing: the network has no input, so ∂f/∂u is an
// N×0 matrix. Because gonum cannot make a matrix with zero columns, dst may
// be nil or empty (any other dst panics with a ShapeError).
func (h *Hopfield) InputJacobian(dst *mat.Dense, x, u []float64) {
	hopfieldNoInputJac("Hopfield.InputJacobian", dst, h.conn.pat.n)
}

// hopfieldNoInputJac accepts a nil or empty dst and panics otherwise.
func hopfieldNoInputJac(op string, dst *mat.Dense, rows int) {
	if dst == nil || dst.IsEmpty() {
		return
	}
	checkDense(op, "dst", dst, rows, 0)
}

// Output writes the overlaps m_μ = (1/N) Σ_i ξ_i^μ tanh(βx_i) into dst, of
// length P.
func (h *Hopfield) Output(dst, x []float64) {
	const op = "Hopfield.Output"
	checkLen(op, "dst", dst, h.conn.pat.p)
	checkLen(op, "x", x, h.conn.pat.n)
	hopfieldPhi(h.phi, nil, x, h.cfg.Beta)
	h.conn.pat.Overlaps(dst, h.phi)
}
