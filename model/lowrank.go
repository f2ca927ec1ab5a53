package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Parameter names of the rank-K network, as Kurtkaya et al.'s RankKRNN
// module spells them. They name the parameter in the errors of
// [NewLowRank].
const (
	ParamLowRankM    = "m"     // N×K left connectivity vectors
	ParamLowRankN    = "n"     // K×N right connectivity vectors
	ParamLowRankB    = "b"     // N bias
	ParamLowRankWOut = "W_out" // K readout weights on κ
	ParamLowRankBOut = "b_out" // scalar readout bias
)

// LowRankParams holds the parameters of a [LowRank] network of N units and
// rank K: M is N×K (m), N is K×N (n), B has length N (b), WOut has length
// K (W_out, the readout weights on κ = n x) and BOut is the readout bias
// (b_out). DT and Tau are the Euler step and time constant in ms (Kurtkaya
// et al.: a = DT/Tau = 0.5). A nil B means zeros. Values may be changed in
// place; shapes are fixed at construction.
type LowRankParams struct {
	M    *mat.Dense // N×K, m
	N    *mat.Dense // K×N, n
	B    []float64  // N, b
	WOut []float64  // K, W_out
	BOut float64    // b_out

	DT  float64 // Euler step (ms), > 0
	Tau float64 // time constant τ (ms), > 0
}

// LowRank is the rank-K leaky network of Kurtkaya et al.'s rank-2
// experiments (science spec (5.3)), with state x ∈ R^N and connectivity
// W = m n of rank K:
//
//	x_{t+1} = (1 − a) x_t + a·tanh(m n x_t + b),   a = DT/Tau,
//	o = sigmoid(W_outᵀ κ + b_out),   κ = n x ∈ R^K.
//
// It has no input (Dims().Input = 0) and one output. In the reference code
// the output at step t is computed from the state after the update,
// o_t = Output(x_{t+1}).
//
// Step is the forward-Euler step of dx/dt = (1/τ)(−x + tanh(m n x + b)) and
// costs O(NK): it forms κ = n x first and then m κ, never the N×N matrix
// m n. The Jacobian of Step is (1 − a) I + a diag(1 − t²) m n,
// t = tanh(m κ + b). The latent variables κ (see [LowRank.Kappa]) carry
// the Mastrogiuseppe–Ostojic reduced flow, exact for x in the span of m.
type LowRank struct {
	LowRankParams
	n, k  int
	kappa []float64 // scratch: κ = n x
	pre   []float64 // scratch: pre-activation, then tanh
}

// NewLowRank returns the network with parameters p, which it uses without
// copying. It returns an error naming the parameter when shapes do not fit
// or DT, Tau are not positive and finite, and a wrapped [*NonFiniteError]
// when a value is NaN or infinite.
func NewLowRank(p LowRankParams) (*LowRank, error) {
	const op = "NewLowRank"
	if p.M == nil {
		return nil, fmt.Errorf("model: %s: %s is missing", op, ParamLowRankM)
	}
	if p.N == nil {
		return nil, fmt.Errorf("model: %s: %s is missing", op, ParamLowRankN)
	}
	n, k := p.M.Dims()
	if r, c := p.N.Dims(); r != k || c != n {
		return nil, fmt.Errorf("model: %s: %s is %d×%d, want %d×%d (K×N with %s N×K)", op, ParamLowRankN, r, c, k, n, ParamLowRankM)
	}
	if p.B == nil {
		p.B = make([]float64, n)
	}
	if len(p.B) != n {
		return nil, fmt.Errorf("model: %s: %s has length %d, want %d (N)", op, ParamLowRankB, len(p.B), n)
	}
	if len(p.WOut) != k {
		return nil, fmt.Errorf("model: %s: %s has length %d, want %d (K)", op, ParamLowRankWOut, len(p.WOut), k)
	}
	for _, m := range []struct {
		name string
		m    *mat.Dense
	}{{ParamLowRankM, p.M}, {ParamLowRankN, p.N}} {
		if err := checkFiniteDense(m.name, m.m); err != nil {
			return nil, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	for _, v := range []struct {
		name string
		v    []float64
	}{{ParamLowRankB, p.B}, {ParamLowRankWOut, p.WOut}, {ParamLowRankBOut, []float64{p.BOut}}} {
		if err := CheckFinite(v.name, v.v); err != nil {
			return nil, fmt.Errorf("model: %s: %w", op, err)
		}
	}
	if err := leakyCheckTime(p.DT, p.Tau); err != nil {
		return nil, fmt.Errorf("model: %s: %w", op, err)
	}
	return newLowRank(p, n, k), nil
}

// newLowRank allocates the scratch of a validated network.
func newLowRank(p LowRankParams, n, k int) *LowRank {
	return &LowRank{LowRankParams: p, n: n, k: k, kappa: make([]float64, k), pre: make([]float64, n)}
}

// RandomLowRank returns a rank-k network of n units initialised as
// Kurtkaya et al.'s RankKRNN (science spec §5.3): m and n with i.i.d.
// N(0, 1/N) entries, b = 0, W_out ~ N(0, 1/K) (1/2 for their K = 2),
// b_out ~ N(0, 1), DT = 5 ms and Tau = 10 ms (a = 0.5). The draws come from
// rng in the order m, n (row-major), W_out, b_out. It panics unless
// n > 0 and k > 0.
func RandomLowRank(n, k int, rng *RNG) *LowRank {
	if n <= 0 || k <= 0 {
		panic(fmt.Sprintf("model: RandomLowRank: sizes n=%d k=%d, want both > 0", n, k))
	}
	sd := 1 / math.Sqrt(float64(n))
	draw := func(v []float64, sd float64) []float64 {
		for i := range v {
			v[i] = sd * rng.Norm()
		}
		return v
	}
	p := LowRankParams{
		M:   mat.NewDense(n, k, draw(make([]float64, n*k), sd)),
		N:   mat.NewDense(k, n, draw(make([]float64, k*n), sd)),
		B:   make([]float64, n),
		DT:  KurtkayaDT,
		Tau: KurtkayaTau,
	}
	p.WOut = draw(make([]float64, k), 1/math.Sqrt(float64(k)))
	p.BOut = rng.Norm()
	return newLowRank(p, n, k)
}

// Family returns FamilyLowRank.
func (l *LowRank) Family() Family { return FamilyLowRank }

// Dims returns State = N, Input = 0, Output = 1.
func (l *LowRank) Dims() Dims { return Dims{State: l.n, Output: 1} }

// Rank returns K.
func (l *LowRank) Rank() int { return l.k }

// StateVar returns StateRate: the reference code calls the state x, but it
// obeys the rate form (1.3) of the leaky network (x itself, not tanh x, is
// multiplied by the connectivity), so it is a rate like the state of
// [Leaky].
func (l *LowRank) StateVar() StateVar { return StateRate }

// Dt returns the Euler step DT.
func (l *LowRank) Dt() float64 { return l.DT }

// Alpha returns the leak a = DT/Tau.
func (l *LowRank) Alpha() float64 { return l.DT / l.Tau }

// Kappa writes the K latent coordinates κ = n x into dst.
func (l *LowRank) Kappa(dst, x []float64) {
	checkLen("LowRank.Kappa", "dst", dst, l.k)
	checkLen("LowRank.Kappa", "x", x, l.n)
	mulVecAdd(dst, l.N, x, 0)
}

// drive leaves κ = n x in l.kappa and t = tanh(m κ + b) in l.pre, in O(NK).
func (l *LowRank) drive(op string, x, u []float64) {
	checkLen(op, "x", x, l.n)
	checkInput(op, u, 0)
	mulVecAdd(l.kappa, l.N, x, 0)
	copy(l.pre, l.B)
	mulVecAdd(l.pre, l.M, l.kappa, 1)
	for i, v := range l.pre {
		l.pre[i] = math.Tanh(v)
	}
}

// Step writes x' = (1 − a) x + a·tanh(m n x + b) into dst. u must be nil or
// empty. It costs O(NK).
func (l *LowRank) Step(dst, x, u []float64) {
	checkLen("LowRank.Step", "dst", dst, l.n)
	l.drive("LowRank.Step", x, u)
	a := l.Alpha()
	for i, t := range l.pre {
		dst[i] = (1-a)*x[i] + a*t
	}
}

// Velocity writes dx/dt = (−x + tanh(m n x + b))/τ into dst.
func (l *LowRank) Velocity(dst, x, u []float64) {
	checkLen("LowRank.Velocity", "dst", dst, l.n)
	l.drive("LowRank.Velocity", x, u)
	for i, t := range l.pre {
		dst[i] = (t - x[i]) / l.Tau
	}
}

// scaledConnectivity writes s·diag(1 − t²) m n into dst, with t in l.pre.
func (l *LowRank) scaledConnectivity(dst *mat.Dense, s float64) {
	leakyGemm(dst, l.M, l.N)
	raw := dst.RawMatrix()
	for i, t := range l.pre {
		d := s * (1 - t*t)
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] *= d
		}
	}
}

// Jacobian writes (1 − a) I + a diag(1 − t²) m n into the N×N dst, with
// t = tanh(m n x + b). It costs O(N²K).
func (l *LowRank) Jacobian(dst *mat.Dense, x, u []float64) {
	checkDense("LowRank.Jacobian", "dst", dst, l.n, l.n)
	l.drive("LowRank.Jacobian", x, u)
	a := l.Alpha()
	l.scaledConnectivity(dst, a)
	leakyAddDiag(dst, 1-a)
}

// VelocityJacobian writes (1/τ)(−I + diag(1 − t²) m n) into the N×N dst.
func (l *LowRank) VelocityJacobian(dst *mat.Dense, x, u []float64) {
	checkDense("LowRank.VelocityJacobian", "dst", dst, l.n, l.n)
	l.drive("LowRank.VelocityJacobian", x, u)
	inv := 1 / l.Tau
	l.scaledConnectivity(dst, inv)
	leakyAddDiag(dst, -inv)
}

// InputJacobian writes nothing: the network has no input, so dst may be nil
// or empty (any other dst panics with a ShapeError).
func (l *LowRank) InputJacobian(dst *mat.Dense, x, u []float64) {
	checkLen("LowRank.InputJacobian", "x", x, l.n)
	leakyNoInputJac("LowRank.InputJacobian", dst, l.n)
}

// Output writes o = sigmoid(W_outᵀ (n x) + b_out) into dst, of length 1.
// Kurtkaya's output at step t is Output(x_{t+1}).
func (l *LowRank) Output(dst, x []float64) {
	checkLen("LowRank.Output", "dst", dst, 1)
	checkLen("LowRank.Output", "x", x, l.n)
	mulVecAdd(l.kappa, l.N, x, 0)
	s := l.BOut
	for k, w := range l.WOut {
		s += w * l.kappa[k]
	}
	dst[0] = sigmoid(s)
}

// Clone returns a network sharing the parameters with its own scratch.
func (l *LowRank) Clone() Network {
	return newLowRank(l.LowRankParams, l.n, l.k)
}
