package train

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// LowRankStats summarises one epoch of a [LowRankTrainer], measured on the
// forward pass before the update.
type LowRankStats struct {
	Loss float64 // the weighted MSE (see LowRankTrainer)
	// Accuracy is the fraction of scored entries (steps inside the batch's
	// Score window, every step when it is empty, with a non-zero weight)
	// whose output is on the target's side of 0.5.
	Accuracy float64
	GradNorm float64 // joint 2-norm of the gradient before clipping
}

// LowRankTrainer trains a [*model.LowRank] network on the delayed
// activation task by full-batch backpropagation through time, as Kurtkaya
// et al.'s rank-2 experiments do (science spec §5.2–§5.4). Every trial
// starts from the same fixed state X0 (they draw x_0 ~ N(0, 0.1² I) once,
// see [LowRankInitialState]); for t = 0…T−1
//
//	κ_t = n x_t,
//	x_{t+1} = (1 − a) x_t + a tanh(m κ_t + b),
//	o_t = sigmoid(W_outᵀ κ_{t+1} + b_out),   κ_{t+1} = n x_{t+1},
//
// so the output of step t is read from the state after the update, as in
// the reference code (model.LowRank's doc). The loss is the class-balanced
// weighted MSE of the reference code, averaged over all T·B elements
// (torch's mean, not a division by Σ w):
//
//	L = Σ_{t,b} w_{tb} (o_{tb} − y_{tb})² / (T·B),
//
// with the weights taken from the batch ([task.Activation] with Weighting
// "balanced" gives target-0 entries the fraction of target-1 entries and
// vice versa). The default optimiser of the experiments is plain [SGD]
// (no momentum, no weight decay).
//
// The trainable parameters m, n, b, W_out and b_out share memory with the
// network (b_out through a one-element view of the field BOut). The
// no-input network makes every trial of a batch identical, so a batch of
// one trial (the task's) is the usual case. A LowRankTrainer is not safe
// for concurrent use.
type LowRankTrainer struct {
	Net      *model.LowRank // the network trained, shared
	Opt      Optimizer      // updates the parameters after each gradient
	ClipNorm float64        // maximum joint gradient norm; 0 disables clipping
	X0       []float64      // the fixed initial state x_0 (length N)

	nn, k                  int
	m, n                   []float64 // raw data of m (N×K) and n (K×N)
	params                 []*Param
	gM, gN, gB, gWOut, gBO []float64
	steps                  int
	xs, th, kap            []float64 // (T+1)·N states, T·N tanh, (T+1)·K κ
	out, dz                []float64 // T outputs, T dL/d(readout pre-activation)
	g, gPrev, dk           []float64 // N, N, K carries
}

// LowRankInitialState draws Kurtkaya et al.'s fixed initial state
// x_0 ~ N(0, 0.1² I) (torch.randn(N)/10) of length n from rng.
func LowRankInitialState(n int, rng *model.RNG) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.1 * rng.Norm()
	}
	return x
}

// NewLowRankTrainer returns a trainer for net starting every trial from x0
// (copied). It returns an error when x0 does not have length N or m, n are
// not contiguous. opt may be nil when only Gradients and Evaluate are used.
func NewLowRankTrainer(net *model.LowRank, opt Optimizer, x0 []float64) (*LowRankTrainer, error) {
	if net == nil {
		return nil, errors.New("train: NewLowRankTrainer: nil network")
	}
	nn, k := net.M.Dims()
	if len(x0) != nn {
		return nil, fmt.Errorf("train: NewLowRankTrainer: x0 has length %d, want %d (N)", len(x0), nn)
	}
	tr := &LowRankTrainer{Net: net, Opt: opt, X0: append([]float64(nil), x0...), nn: nn, k: k}
	for _, m := range []struct {
		name string
		m    *mat.Dense
		dst  *[]float64
	}{{model.ParamLowRankM, net.M, &tr.m}, {model.ParamLowRankN, net.N, &tr.n}} {
		raw := m.m.RawMatrix()
		if raw.Stride != raw.Cols {
			return nil, fmt.Errorf("train: NewLowRankTrainer: %s has stride %d, want %d (a contiguous matrix)", m.name, raw.Stride, raw.Cols)
		}
		*m.dst = raw.Data[:raw.Rows*raw.Cols]
	}
	add := func(name string, v []float64) []float64 {
		g := make([]float64, len(v))
		tr.params = append(tr.params, &Param{Name: name, Value: v, Grad: g})
		return g
	}
	tr.gM = add(model.ParamLowRankM, tr.m)
	tr.gN = add(model.ParamLowRankN, tr.n)
	tr.gB = add(model.ParamLowRankB, net.B)
	tr.gWOut = add(model.ParamLowRankWOut, net.WOut)
	tr.gBO = add(model.ParamLowRankBOut, unsafe.Slice(&net.BOut, 1))
	tr.g, tr.gPrev, tr.dk = make([]float64, nn), make([]float64, nn), make([]float64, k)
	return tr, nil
}

// Params returns m (N×K, row-major), n (K×N), b, W_out and b_out, sharing
// memory with the network.
func (tr *LowRankTrainer) Params() []*Param { return tr.params }

// Outputs returns the outputs o_0…o_{T−1} of the last forward pass (a view
// of scratch space).
func (tr *LowRankTrainer) Outputs() []float64 { return tr.out[:tr.steps] }

// States returns the states x_0…x_T of the last forward pass, (T+1)×N
// row-major (a view of scratch space).
func (tr *LowRankTrainer) States() []float64 { return tr.xs[:(tr.steps+1)*tr.nn] }

// forward runs T steps from X0, recording states, tanh values, κ and
// outputs.
func (tr *LowRankTrainer) forward(T int) {
	N, K := tr.nn, tr.k
	if T > tr.steps || tr.xs == nil {
		tr.xs = make([]float64, (T+1)*N)
		tr.th = make([]float64, T*N)
		tr.kap = make([]float64, (T+1)*K)
		tr.out = make([]float64, T)
		tr.dz = make([]float64, T)
	}
	tr.steps = T
	a := tr.Net.Alpha()
	copy(tr.xs[:N], tr.X0)
	lowRankKappa(tr.kap[:K], tr.n, tr.xs[:N])
	for t := 0; t < T; t++ {
		x, xn := tr.xs[t*N:(t+1)*N], tr.xs[(t+1)*N:(t+2)*N]
		kap := tr.kap[t*K : (t+1)*K]
		th := tr.th[t*N : (t+1)*N]
		for i := range th {
			p := tr.Net.B[i]
			for j, kv := range kap {
				p += tr.m[i*K+j] * kv
			}
			th[i] = math.Tanh(p)
			xn[i] = (1-a)*x[i] + a*th[i]
		}
		kn := tr.kap[(t+1)*K : (t+2)*K]
		lowRankKappa(kn, tr.n, xn)
		s := tr.Net.BOut
		for j, w := range tr.Net.WOut {
			s += w * kn[j]
		}
		tr.out[t] = 1 / (1 + math.Exp(-s))
	}
}

// lowRankKappa writes κ = n x into dst.
func lowRankKappa(dst, n, x []float64) {
	N := len(x)
	for j := range dst {
		var s float64
		for i, v := range n[j*N : (j+1)*N] {
			s += v * x[i]
		}
		dst[j] = s
	}
}

// evaluate runs the forward pass on b and returns the loss and accuracy,
// leaving dL/d(readout pre-activation) in tr.dz.
func (tr *LowRankTrainer) evaluate(b *task.Batch) (LowRankStats, error) {
	switch {
	case b.Steps <= 0 || b.Size <= 0:
		return LowRankStats{}, fmt.Errorf("train: LowRankTrainer: empty batch (%d steps × %d trials)", b.Steps, b.Size)
	case b.Inputs != 0:
		return LowRankStats{}, fmt.Errorf("train: LowRankTrainer: batch has %d inputs, the network none", b.Inputs)
	case b.Outputs != 1:
		return LowRankStats{}, fmt.Errorf("train: LowRankTrainer: batch has %d outputs, want 1", b.Outputs)
	case len(b.Y) != b.Steps*b.Size || len(b.W) != len(b.Y):
		return LowRankStats{}, errors.New("train: LowRankTrainer: batch arrays do not match its sizes")
	}
	T, B := b.Steps, b.Size
	tr.forward(T)
	lo, hi := b.Score.Start, b.Score.End
	if b.Score.Len() <= 0 {
		lo, hi = 0, T
	}
	norm := 1 / float64(T*B)
	var loss float64
	var hit, scored int
	for t := 0; t < T; t++ {
		o := tr.out[t]
		var d float64
		for trial := 0; trial < B; trial++ {
			y, w := b.Y[t*B+trial], b.W[t*B+trial]
			e := o - y
			loss += w * e * e
			d += 2 * w * e
			if w != 0 && t >= lo && t < hi {
				scored++
				if (o > 0.5) == (y > 0.5) {
					hit++
				}
			}
		}
		tr.dz[t] = d * norm * o * (1 - o)
	}
	st := LowRankStats{Loss: loss * norm}
	if scored > 0 {
		st.Accuracy = float64(hit) / float64(scored)
	}
	return st, nil
}

// Evaluate returns the loss and accuracy on b (GradNorm 0) without changing
// parameters or gradients. It returns an error when b does not fit the
// network (inputs, more than one output, inconsistent arrays).
func (tr *LowRankTrainer) Evaluate(b *task.Batch) (LowRankStats, error) { return tr.evaluate(b) }

// Gradients sets the gradients of [LowRankTrainer.Params] to those of the
// loss on b and returns the loss, accuracy and gradient norm. It changes
// no parameter. Going back from t = T to 0 with D_t = dL/dκ_t and
// G_t = dL/dx_t:
//
//	D_t = dz_{t−1} W_out (t ≥ 1) + mᵀ dp_t (t < T),  dp_t = a (1 − tanh²) ⊙ G_{t+1},
//	G_t = nᵀ D_t + (1 − a) G_{t+1},
//
// with dm = Σ dp_t κ_tᵀ, dn = Σ D_t x_tᵀ, db = Σ dp_t, dW_out = Σ dz_t κ_{t+1}
// and db_out = Σ dz_t, each O(NK) per step.
func (tr *LowRankTrainer) Gradients(b *task.Batch) (LowRankStats, error) {
	st, err := tr.evaluate(b)
	if err != nil {
		return st, err
	}
	ZeroGrad(tr.params)
	T, N, K := b.Steps, tr.nn, tr.k
	a := tr.Net.Alpha()
	g, gp, dk := tr.g, tr.gPrev, tr.dk
	clear(g) // G_{t+1}
	for t := T; t >= 0; t-- {
		clear(dk)
		if t < T {
			th := tr.th[t*N : (t+1)*N]
			kap := tr.kap[t*K : (t+1)*K]
			for i, h := range th {
				dp := a * (1 - h*h) * g[i]
				tr.gB[i] += dp
				for j, kv := range kap {
					tr.gM[i*K+j] += dp * kv
					dk[j] += tr.m[i*K+j] * dp
				}
				g[i] *= 1 - a
			}
		}
		if t >= 1 {
			dz := tr.dz[t-1]
			tr.gBO[0] += dz
			kn := tr.kap[t*K : (t+1)*K]
			for j, w := range tr.Net.WOut {
				tr.gWOut[j] += dz * kn[j]
				dk[j] += dz * w
			}
		}
		x := tr.xs[t*N : (t+1)*N]
		copy(gp, g) // (1 − a) G_{t+1}, or 0 at t = T
		for j, d := range dk {
			row := tr.n[j*N : (j+1)*N]
			grow := tr.gN[j*N : (j+1)*N]
			for i, xv := range x {
				grow[i] += d * xv
				gp[i] += d * row[i]
			}
		}
		g, gp = gp, g
	}
	st.GradNorm = GradNorm(tr.params)
	return st, nil
}

// Epoch performs one full-batch step: loss and gradient, a finiteness
// check, clipping to ClipNorm (when positive) and one Opt step. It returns
// the figures before the update; a NaN or infinite loss or gradient is an
// error wrapping a [*model.NonFiniteError], returned before any parameter
// changes.
func (tr *LowRankTrainer) Epoch(b *task.Batch) (LowRankStats, error) {
	if tr.Opt == nil {
		return LowRankStats{}, errors.New("train: LowRankTrainer.Epoch: no optimiser")
	}
	st, err := tr.Gradients(b)
	if err != nil {
		return st, err
	}
	if err := trnnCheckStep("LowRankTrainer.Epoch", SeqStats{Loss: st.Loss, GradNorm: st.GradNorm}, tr.params); err != nil {
		return st, err
	}
	if tr.ClipNorm > 0 {
		ClipGradNorm(tr.params, tr.ClipNorm)
	}
	tr.Opt.Step(tr.params)
	return st, nil
}
