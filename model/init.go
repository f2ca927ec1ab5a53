package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Random initialisation (science spec §1.2, §3.1, §7.1). Every function
// draws from the RNG it is given in a documented order (row-major unless
// stated), so the same seed gives the same matrices everywhere. Invalid
// sizes (n ≤ 0) are programming errors and panic.

// DenseGaussian returns an n×n matrix with i.i.d. entries N(0, g²/n), drawn
// in row-major order. Its eigenvalues fill the disk |λ| ≤ g uniformly as
// n → ∞ (circular law, spec §1.3).
func DenseGaussian(n int, g float64, rng *RNG) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	s := g / math.Sqrt(float64(n))
	raw := m.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = s * rng.Norm()
	}
	return m
}

// SparseGaussian returns an n×n sparse matrix in which each entry is
// nonzero with probability p (the connection density, which Ghazizadeh &
// Ching call "sparsity") and the nonzeros are N(0, g²/(p n)), so that every
// entry has variance g²/n and Σ_j J_ij² ≈ g² (EC-05). Entries are visited
// in row-major order; for each, one uniform draw decides whether it is
// present and, if so, one normal draw gives its value. It panics unless
// 0 < p ≤ 1.
func SparseGaussian(n int, p, g float64, rng *RNG) *CSR {
	if !(p > 0 && p <= 1) {
		panic(fmt.Sprintf("model: SparseGaussian: density p = %v, want 0 < p <= 1", p))
	}
	if n <= 0 {
		panic(fmt.Sprintf("model: SparseGaussian: n = %d, want > 0", n))
	}
	s := g / math.Sqrt(p*float64(n))
	c := &CSR{n: n, rowPtr: make([]int, n+1)}
	est := int(p*float64(n)*float64(n)) + 16
	c.colInd = make([]int, 0, est)
	c.val = make([]float64, 0, est)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if rng.Float64() < p {
				c.colInd = append(c.colInd, j)
				c.val = append(c.val, s*rng.Norm())
			}
		}
		c.rowPtr[i+1] = len(c.val)
	}
	return c
}

// XavierUniform returns a rows×cols matrix with i.i.d. entries U(−a, a),
// a = √(6/(rows+cols)) (Glorot; torch.nn.init.xavier_uniform_, whose
// fan_in + fan_out is rows + cols). With zeroDiag the diagonal is set to 0
// after all rows·cols draws, as Kurtkaya et al. do for W_rec (spec §1.2).
func XavierUniform(rows, cols int, zeroDiag bool, rng *RNG) *mat.Dense {
	m := mat.NewDense(rows, cols, nil)
	a := math.Sqrt(6 / float64(rows+cols))
	raw := m.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = rng.Uniform(-a, a)
	}
	if zeroDiag {
		for i := 0; i < min(rows, cols); i++ {
			m.Set(i, i, 0)
		}
	}
	return m
}

// TorchLinearBias returns n i.i.d. values U(−1/√fanIn, 1/√fanIn), the
// default bias initialisation of torch.nn.Linear and torch.nn.RNN.
func TorchLinearBias(n, fanIn int, rng *RNG) []float64 {
	if fanIn <= 0 {
		panic(fmt.Sprintf("model: TorchLinearBias: fanIn = %d, want > 0", fanIn))
	}
	k := 1 / math.Sqrt(float64(fanIn))
	b := make([]float64, n)
	for i := range b {
		b[i] = rng.Uniform(-k, k)
	}
	return b
}

// Orthogonal returns a Haar-random n×n orthogonal matrix: the Q factor of
// the QR decomposition of a standard Gaussian matrix (drawn row-major),
// with column j multiplied by the sign of R_jj (Mezzadri 2007).
func Orthogonal(n int, rng *RNG) *mat.Dense {
	a := DenseGaussian(n, math.Sqrt(float64(n)), rng) // N(0, 1) entries
	var qr mat.QR
	qr.Factorize(a)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := 0; j < n; j++ {
		if r.At(j, j) < 0 {
			for i := 0; i < n; i++ {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q
}

// NormalVector returns n i.i.d. values N(0, std²), for example the initial
// state x(0) = 0.1·N(0, 1) of Ghazizadeh & Ching (std = 0.1) or
// x(0) = 0.5·N(0, 1) of Sussillo & Abbott (std = 0.5).
func NormalVector(n int, std float64, rng *RNG) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = std * rng.Norm()
	}
	return v
}

// ctrnnNormalDense returns an r×c matrix of i.i.d. N(0, std²) values drawn
// row-major.
func ctrnnNormalDense(r, c int, std float64, rng *RNG) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	raw := m.RawMatrix()
	for i := range raw.Data {
		raw.Data[i] = std * rng.Norm()
	}
	return m
}

// ctrnnCheckSize validates the size, density and gain of a random network.
func ctrnnCheckSize(op string, n int, p, g float64) error {
	if n <= 0 {
		return fmt.Errorf("model: %s: N = %d, want > 0", op, n)
	}
	if !(p > 0 && p <= 1) {
		return fmt.Errorf("model: %s: connection density p = %v, want 0 < p <= 1", op, p)
	}
	if math.IsNaN(g) || math.IsInf(g, 0) {
		return &NonFiniteError{Param: "g", Value: g}
	}
	return nil
}

// RandomSussilloAbbott returns the untrained FORCE network of Sussillo &
// Abbott (2009), spec §7.1 eq. (7.1):
//
//	τ ẋ = −x + g J r + J^Gz z,   z = wᵀ r,   r = tanh(x),
//
// with N = n neurons, J sparse of density p with nonzeros N(0, 1/(pN))
// (g_GG = g is kept in the field G; the paper uses p = 0.1, g = 1.5,
// N = 1000), one output z with feedback W_f = J^Gz ~ U(−1, 1) (g_Gz = 1),
// readout W_o = w = 0, no input and no bias, τ = 1 (time in units of τ,
// which is 10 ms in the paper) and DT = 0.1, the step of Sussillo's demo.
// J is stored sparse when p < SparseDensityThreshold. Draws: J (as in
// SparseGaussian), then W_f row by row. All of these are plain fields of
// the result and may be changed before use (the paper also considers
// w(0) ~ N(0, 1/(p_z N)), and the time step is [PROPOSAL]-level).
func RandomSussilloAbbott(n int, p, g float64, rng *RNG) (*CTRNN, error) {
	if err := ctrnnCheckSize("RandomSussilloAbbott", n, p, g); err != nil {
		return nil, err
	}
	j := NewRecurrent(SparseGaussian(n, p, 1, rng))
	wf := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		wf.Set(i, 0, rng.Uniform(-1, 1))
	}
	return NewCTRNN(CTRNNParams{
		G: g, J: j, WF: wf, WO: mat.NewDense(n, 1, nil),
		Tau: 1, DT: 0.1,
	})
}

// GhazizadehInputStd is the standard deviation 0.02 of the input weights
// W_in of Ghazizadeh & Ching (code `randn/50`; the paper calls 0.02 a
// variance), spec §3.1.
const GhazizadehInputStd = 0.02

// RandomGhazizadeh returns the untrained network of Ghazizadeh & Ching
// (2021), spec §3.1 eq. (1)–(3):
//
//	τ ẋ = −x + g J r + W_f z_o + W_fd z_d + W_in u,   z_o = W_oᵀ r,  z_d = W_dᵀ r,
//
// with N = n neurons, J sparse of density p with nonzeros N(0, 1/(pN)) used
// as g·J, a scalar output z_o and a two-channel latent readout z_d, both
// initialised to zero (W_o, W_d = 0), feedback W_f (N×1) and W_fd (N×2)
// i.i.d. N(0, σ_f²) with σ_f = 1/fb (code `randn/fb_var`, fb ∈ {1, 5, 10,
// 20, 30, 40}; the paper's wording for σ_f is lost, [LOW]), input weights
// W_in (N×2) i.i.d. N(0, GhazizadehInputStd²), no bias, τ = 1 and DT = 0.1.
// J is stored sparse when p < SparseDensityThreshold. Draws, in order: J
// (as in SparseGaussian), W_f, W_fd, W_in, each row-major. The initial
// state of the paper, x(0) = 0.1·N(0, 1), is NormalVector(n, 0.1, rng).
// All parameters are plain fields of the result and may be changed before
// use (the code's alternative "Uniform" initialisation, for instance).
func RandomGhazizadeh(n int, p, g, fb float64, rng *RNG) (*CTRNN, error) {
	if err := ctrnnCheckSize("RandomGhazizadeh", n, p, g); err != nil {
		return nil, err
	}
	if !(fb > 0) || math.IsInf(fb, 0) {
		return nil, fmt.Errorf("model: RandomGhazizadeh: feedback scale fb = %v, want finite and > 0", fb)
	}
	j := NewRecurrent(SparseGaussian(n, p, 1, rng))
	wf := ctrnnNormalDense(n, 1, 1/fb, rng)
	wfd := ctrnnNormalDense(n, 2, 1/fb, rng)
	win := ctrnnNormalDense(n, 2, GhazizadehInputStd, rng)
	return NewCTRNN(CTRNNParams{
		G: g, J: j, WF: wf, WFD: wfd, WIn: win,
		WO: mat.NewDense(n, 1, nil), WD: mat.NewDense(n, 2, nil),
		Tau: 1, DT: 0.1,
	})
}
