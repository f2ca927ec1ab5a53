package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Patterns holds P binary patterns ξ^1 … ξ^P of length N, ξ_i^μ = ±1, as the
// columns of an N×P matrix Ξ, and the Hebbian connectivity they define
// (science spec §6.1 Eq. 6.4, §7.2):
//
//	J_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ,  J_ii = 0,   α = P/N.
//
// Because ξ_i² = 1, the zero-diagonal J equals (1/N) Ξ Ξᵀ − α I, so J φ can
// be computed in O(NP) operations as (1/N) Ξ (Ξᵀ φ) − α φ without forming J
// ([Patterns.HebbianMulVec]). A Patterns is immutable after construction and
// safe to share between networks and goroutines.
type Patterns struct {
	n, p int
	xi   *mat.Dense // N×P, entries ±1
}

// NewPatterns returns the patterns stored in the columns of the N×P matrix
// xi, which is copied. Every entry must be +1 or −1: a NaN or infinity gives
// a *NonFiniteError for parameter "xi", any other value an error.
func NewPatterns(xi *mat.Dense) (*Patterns, error) {
	if xi == nil || xi.IsEmpty() {
		return nil, errors.New("model: NewPatterns: empty pattern matrix")
	}
	if err := checkFiniteDense("xi", xi); err != nil {
		return nil, fmt.Errorf("model: NewPatterns: %w", err)
	}
	n, p := xi.Dims()
	for i := 0; i < n; i++ {
		for mu := 0; mu < p; mu++ {
			if v := xi.At(i, mu); v != 1 && v != -1 {
				return nil, fmt.Errorf("model: NewPatterns: ξ_%d^%d = %v, want ±1", i, mu+1, v)
			}
		}
	}
	return &Patterns{n: n, p: p, xi: mat.DenseCopyOf(xi)}, nil
}

// RandomPatterns draws p patterns of length n with i.i.d. entries ±1 of
// probability ½ each. Pattern μ is drawn in full before pattern μ+1, so
// with the same seed the first p patterns of RandomPatterns(n, p+k, rng)
// equal those of RandomPatterns(n, p, rng). It panics if n < 1 or p < 1.
func RandomPatterns(n, p int, rng *RNG) *Patterns {
	if n < 1 || p < 1 {
		panic(fmt.Sprintf("model: RandomPatterns(%d, %d): need n ≥ 1 and p ≥ 1", n, p))
	}
	xi := mat.NewDense(n, p, nil)
	raw := xi.RawMatrix()
	for mu := 0; mu < p; mu++ {
		for i := 0; i < n; i++ {
			v := -1.0
			if rng.Uint64()>>63 == 1 {
				v = 1
			}
			raw.Data[i*raw.Stride+mu] = v
		}
	}
	return &Patterns{n: n, p: p, xi: xi}
}

// OrthogonalPair draws two exactly orthogonal patterns of even length n
// (science spec §6.2 Fig 4 and §10 item 14, [PROPOSAL]): ξ¹ is a random ±1
// vector and ξ² = ξ¹ ⊙ s, where s has exactly n/2 entries +1 and n/2
// entries −1 in a uniformly random arrangement, so ξ¹·ξ² = Σ s_i = 0.
// It panics if n is odd or less than 2.
func OrthogonalPair(n int, rng *RNG) *Patterns {
	if n < 2 || n%2 != 0 {
		panic(fmt.Sprintf("model: OrthogonalPair(%d): n must be even and ≥ 2", n))
	}
	xi := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		v := -1.0
		if rng.Uint64()>>63 == 1 {
			v = 1
		}
		xi.Set(i, 0, v)
	}
	perm := rng.Perm(n)
	for k, i := range perm {
		s := 1.0
		if k >= n/2 {
			s = -1
		}
		xi.Set(i, 1, s*xi.At(i, 0))
	}
	return &Patterns{n: n, p: 2, xi: xi}
}

// Dims returns the pattern length N and the number of patterns P.
func (p *Patterns) Dims() (n, count int) { return p.n, p.p }

// Alpha returns the memory load α = P/N.
func (p *Patterns) Alpha() float64 { return float64(p.p) / float64(p.n) }

// At returns ξ_i^μ for the zero-based pattern index mu.
func (p *Patterns) At(i, mu int) float64 { return p.xi.At(i, mu) }

// Matrix returns a copy of Ξ, the N×P matrix whose columns are the patterns.
func (p *Patterns) Matrix() *mat.Dense { return mat.DenseCopyOf(p.xi) }

// Pattern copies pattern mu (zero-based) into dst, of length N.
func (p *Patterns) Pattern(dst []float64, mu int) {
	checkLen("Patterns.Pattern", "dst", dst, p.n)
	p.checkMu("Patterns.Pattern", mu)
	raw := p.xi.RawMatrix()
	for i := range dst {
		dst[i] = raw.Data[i*raw.Stride+mu]
	}
}

// Hebbian returns the dense N×N Hebbian matrix J = (1/N) Σ_μ ξ^μ ξ^μᵀ with
// zero diagonal. It costs O(N²P) time and N² memory; prefer
// [Patterns.HebbianMulVec] when P ≪ N.
func (p *Patterns) Hebbian() *mat.Dense {
	j := mat.NewDense(p.n, p.n, nil)
	blas64.Gemm(blas.NoTrans, blas.Trans, 1/float64(p.n), p.xi.RawMatrix(), p.xi.RawMatrix(), 0, j.RawMatrix())
	for i := 0; i < p.n; i++ {
		j.Set(i, i, 0)
	}
	return j
}

// HebbianMulVec writes J φ into dst for the zero-diagonal Hebbian J, in
// O(NP) operations without forming J:
//
//	J φ = (1/N) Ξ (Ξᵀ φ) − α φ,
//
// which is exact because the diagonal of (1/N) Ξ Ξᵀ is P/N = α. work is
// caller scratch of length P; dst and phi have length N and dst must not
// alias phi. It does not allocate.
func (p *Patterns) HebbianMulVec(dst, phi, work []float64) {
	const op = "Patterns.HebbianMulVec"
	checkLen(op, "dst", dst, p.n)
	checkLen(op, "phi", phi, p.n)
	checkLen(op, "work", work, p.p)
	raw := p.xi.RawMatrix()
	blas64.Gemv(blas.Trans, 1, raw, blas64.Vector{N: p.n, Inc: 1, Data: phi}, 0, blas64.Vector{N: p.p, Inc: 1, Data: work})
	blas64.Gemv(blas.NoTrans, 1/float64(p.n), raw, blas64.Vector{N: p.p, Inc: 1, Data: work}, 0, blas64.Vector{N: p.n, Inc: 1, Data: dst})
	alpha := p.Alpha()
	for i, v := range phi {
		dst[i] -= alpha * v
	}
}

// Overlaps writes the overlaps of φ with the stored patterns into dst, of
// length P (science spec §6.2):
//
//	m_μ = (1/N) Σ_i ξ_i^μ φ_i.
//
// It does not allocate.
func (p *Patterns) Overlaps(dst, phi []float64) {
	checkLen("Patterns.Overlaps", "dst", dst, p.p)
	checkLen("Patterns.Overlaps", "phi", phi, p.n)
	blas64.Gemv(blas.Trans, 1/float64(p.n), p.xi.RawMatrix(),
		blas64.Vector{N: p.n, Inc: 1, Data: phi}, 0, blas64.Vector{N: p.p, Inc: 1, Data: dst})
}

// NoisyPattern writes a corrupted copy of pattern mu (zero-based) into dst,
// of length N: s_i = ξ_i^μ, with each sign flipped independently with
// probability (1 − m0)/2, so that the expected overlap (1/N) Σ ξ_i^μ s_i is
// m0 (science spec §6.1, §10 item 12, [PROPOSAL]). One uniform variate is
// drawn per neuron, in index order. It panics unless −1 ≤ m0 ≤ 1.
func (p *Patterns) NoisyPattern(dst []float64, mu int, m0 float64, rng *RNG) {
	checkLen("Patterns.NoisyPattern", "dst", dst, p.n)
	p.checkMu("Patterns.NoisyPattern", mu)
	if !(m0 >= -1 && m0 <= 1) {
		panic(fmt.Sprintf("model: Patterns.NoisyPattern: m0 = %v outside [−1, 1]", m0))
	}
	q := (1 - m0) / 2
	raw := p.xi.RawMatrix()
	for i := range dst {
		v := raw.Data[i*raw.Stride+mu]
		if rng.Float64() < q {
			v = -v
		}
		dst[i] = v
	}
}

// checkMu panics unless 0 ≤ mu < P.
func (p *Patterns) checkMu(op string, mu int) {
	if mu < 0 || mu >= p.p {
		panic(fmt.Sprintf("model: %s: pattern index %d outside [0, %d)", op, mu, p.p))
	}
}

// ConnForm selects how a Hebbian network computes its recurrent input J φ.
type ConnForm int

// Connectivity forms. Both give the same J φ to rounding (1e-12).
const (
	// ConnAuto chooses ConnPatterns when P < N/4 and ConnDense otherwise.
	ConnAuto ConnForm = iota
	// ConnDense stores the N×N matrix J: O(N²) per product.
	ConnDense
	// ConnPatterns keeps only Ξ and computes (1/N) Ξ (Ξᵀ φ) − α φ: O(NP).
	ConnPatterns
)

// String returns "auto", "dense" or "patterns".
func (f ConnForm) String() string {
	switch f {
	case ConnAuto:
		return "auto"
	case ConnDense:
		return "dense"
	case ConnPatterns:
		return "patterns"
	}
	return fmt.Sprintf("ConnForm(%d)", int(f))
}

// hopfieldConn is the recurrent connectivity shared by Hopfield and Gated:
// either a dense Hebbian J or the pattern form.
type hopfieldConn struct {
	pat *Patterns
	j   *mat.Dense // nil in the pattern form
}

// newHopfieldConn resolves form and builds the dense J when needed.
func newHopfieldConn(p *Patterns, form ConnForm) (hopfieldConn, error) {
	switch form {
	case ConnAuto:
		if 4*p.p < p.n {
			return hopfieldConn{pat: p}, nil
		}
		return hopfieldConn{pat: p, j: p.Hebbian()}, nil
	case ConnDense:
		return hopfieldConn{pat: p, j: p.Hebbian()}, nil
	case ConnPatterns:
		return hopfieldConn{pat: p}, nil
	}
	return hopfieldConn{}, fmt.Errorf("model: unknown connectivity form %d", int(form))
}

// form returns the resolved form, ConnDense or ConnPatterns.
func (c *hopfieldConn) form() ConnForm {
	if c.j != nil {
		return ConnDense
	}
	return ConnPatterns
}

// mulVec sets dst = J φ; work has length P.
func (c *hopfieldConn) mulVec(dst, phi, work []float64) {
	if c.j != nil {
		mulVecAdd(dst, c.j, phi, 0)
		return
	}
	c.pat.HebbianMulVec(dst, phi, work)
}

// scaledBlock sets the n×n block dst = diag(r) · J · diag(d), where dst is a
// view into a larger matrix. In the pattern form xiD (N×P scratch) receives
// diag(d) Ξ and the block is (1/N) Ξ (diag(d) Ξ)ᵀ − α diag(d), row-scaled.
func (c *hopfieldConn) scaledBlock(dst blas64.General, r, d []float64, xiD []float64) {
	n := c.pat.n
	if c.j != nil {
		jr := c.j.RawMatrix()
		for i := 0; i < n; i++ {
			row := dst.Data[i*dst.Stride : i*dst.Stride+n]
			jrow := jr.Data[i*jr.Stride : i*jr.Stride+n]
			ri := r[i]
			for k, v := range jrow {
				row[k] = ri * (v * d[k])
			}
		}
		return
	}
	p := c.pat.p
	xr := c.pat.xi.RawMatrix()
	for i := 0; i < n; i++ {
		src := xr.Data[i*xr.Stride : i*xr.Stride+p]
		out := xiD[i*p : (i+1)*p]
		for mu, v := range src {
			out[mu] = d[i] * v
		}
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1/float64(n), xr,
		blas64.General{Rows: n, Cols: p, Stride: p, Data: xiD}, 0, dst)
	alpha := c.pat.Alpha()
	for i := 0; i < n; i++ {
		row := dst.Data[i*dst.Stride : i*dst.Stride+n]
		row[i] -= alpha * d[i]
		ri := r[i]
		for k := range row {
			row[k] *= ri
		}
	}
}

// hopfieldSubBlock returns the r×c block of m starting at (i, j) as a
// blas64.General view, without allocating.
func hopfieldSubBlock(m *mat.Dense, i, j, r, c int) blas64.General {
	raw := m.RawMatrix()
	return blas64.General{Rows: r, Cols: c, Stride: raw.Stride, Data: raw.Data[i*raw.Stride+j:]}
}

// hopfieldCheckParam returns a *NonFiniteError for a NaN or infinite v, and
// an error when v is not positive (if positive is set) or negative.
func hopfieldCheckParam(name string, v float64, positive bool) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &NonFiniteError{Param: name, Value: v}
	}
	if positive && v <= 0 {
		return fmt.Errorf("model: %s = %v, want > 0", name, v)
	}
	if v < 0 {
		return fmt.Errorf("model: %s = %v, want ≥ 0", name, v)
	}
	return nil
}
