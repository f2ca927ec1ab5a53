package train

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// TRNNTrainer trains a [*model.TRNN] (science spec §4.1) by
// backpropagation through time over whole trials, with the same API shape
// as [SeqTrainer]. For trial b, with h_0 = 0 unless Forward is given
// another initial state,
//
//	z_t = (M ⊙ W) h_{t−1} − s h_{t−1} + U u_t + b,
//	h_t = (1 − a) h_{t−1} + a φ(z_t),   a = DT/Tau,
//	ŷ_t = V h_t + c,
//
// so h_t is the state after input u_t (as for SeqTrainer) and the readout
// is that of [model.TRNN.Output]. The loss ([SeqMSE] or [SeqCrossEntropy])
// and the accuracy are those of SeqTrainer, computed with the same code.
//
// The sparse and modular structure is kept by masks: the gradient of W is
// multiplied by the fixed connection mask M (W enters only as M ⊙ W, so the
// gradient of a pruned entry is exactly 0), that of U by the input mask
// (rows of module 1) and that of V by the output mask (columns of module
// L). The masks are also set as [Param.Mask], so every [Optimizer] keeps
// the pruned values exactly 0. The self-inhibition s and the mask are not
// trained.
//
// Every epoch runs the batch forward from the zero state, computes Loss on
// the readout, backpropagates through all steps, clips the joint gradient
// norm to ClipNorm (when positive) and lets Opt update the parameters in
// place; the [Param] values share memory with the network's matrices. Trials
// are split between Workers goroutines; every sum runs in an order that
// does not depend on the split, so results are bit-for-bit the same for
// every number of workers.
//
// A TRNNTrainer is not safe for concurrent use; its scratch space grows to
// the largest batch seen and is then reused.
type TRNNTrainer struct {
	Net      *model.TRNN // the network trained, shared
	Opt      Optimizer   // updates the parameters after each gradient
	ClipNorm float64     // maximum joint gradient norm; 0 disables clipping
	Loss     SeqLoss     // the loss minimised
	// Workers is the number of goroutines (0 means runtime.GOMAXPROCS(0));
	// results are bit-for-bit the same for every value.
	Workers int

	n, in, out         int
	w, u, v            []float64 // raw data of W, U, V
	params             []*Param
	gW, gU, gB, gV, gC []float64
	mW, mU, mV         []float64 // masks of W, U, V
	steps, size        int
	uIn                []float64 // inputs of the recorded pass (not owned)
	hs                 []float64 // (T+1)·B·N states h_0…h_T
	phi                []float64 // T·B·N φ(z_t)
	dz                 []float64 // T·B·N dL/dz_t
	dh, carry          []float64 // B·N gradient carries
	yhat, dy, dH       []float64
	upstream           []float64
	capSteps, capBatch int
	acc                SeqTrainer // only its Loss, for the shared accuracy
}

// NewTRNNTrainer returns a trainer for net, whose matrices must be
// contiguous (as [model.RandomTRNN] makes them). The optimiser may be nil
// when only Gradients, Evaluate, Forward or Backward are used. The loss is
// [SeqMSE] and clipping is off until the fields are set.
func NewTRNNTrainer(net *model.TRNN, opt Optimizer) (*TRNNTrainer, error) {
	if net == nil {
		return nil, errors.New("train: NewTRNNTrainer: nil network")
	}
	d := net.Dims()
	tr := &TRNNTrainer{Net: net, Opt: opt, n: d.State, in: d.Input, out: d.Output}
	contig := func(name string, m *mat.Dense) ([]float64, error) {
		raw := m.RawMatrix()
		if raw.Stride != raw.Cols {
			return nil, fmt.Errorf("train: NewTRNNTrainer: %s has stride %d, want %d (a contiguous matrix)", name, raw.Stride, raw.Cols)
		}
		return raw.Data[:raw.Rows*raw.Cols], nil
	}
	add := func(name string, v, mask []float64) []float64 {
		g := make([]float64, len(v))
		tr.params = append(tr.params, &Param{Name: name, Value: v, Grad: g, Mask: mask})
		return g
	}
	var err error
	if tr.w, err = contig(model.ParamTRNNW, net.W); err != nil {
		return nil, err
	}
	if tr.mW, err = contig(model.ParamTRNNMask, net.Mask); err != nil {
		return nil, err
	}
	tr.gW = add(model.ParamTRNNW, tr.w, tr.mW)
	if net.U != nil {
		if tr.u, err = contig(model.ParamTRNNU, net.U); err != nil {
			return nil, err
		}
		tr.mU = net.InputMask().RawMatrix().Data
		tr.gU = add(model.ParamTRNNU, tr.u, tr.mU)
	}
	tr.gB = add(model.ParamTRNNB, net.B, nil)
	if net.V != nil {
		if tr.v, err = contig(model.ParamTRNNV, net.V); err != nil {
			return nil, err
		}
		tr.mV = net.OutputMask().RawMatrix().Data
		tr.gV = add(model.ParamTRNNV, tr.v, tr.mV)
		tr.gC = add(model.ParamTRNNC, net.C, nil)
	}
	return tr, nil
}

// Params returns the trainable parameters in the order W, U (absent without
// input), b, and with a readout V, c. Values share memory with the
// network's matrices (row-major); Grad holds the last gradient, already
// masked; Mask is the fixed mask of W, U and V (nil for the biases).
func (tr *TRNNTrainer) Params() []*Param { return tr.params }

// Hidden returns the number of units N.
func (tr *TRNNTrainer) Hidden() int { return tr.n }

func (tr *TRNNTrainer) workers() int {
	if tr.Workers > 0 {
		return tr.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// reserve sizes the scratch space for steps×size.
func (tr *TRNNTrainer) reserve(steps, size int) {
	tr.steps, tr.size = steps, size
	if steps <= tr.capSteps && size <= tr.capBatch {
		return
	}
	tr.capSteps, tr.capBatch = max(steps, tr.capSteps), max(size, tr.capBatch)
	T, B, N, O := tr.capSteps, tr.capBatch, tr.n, tr.out
	tr.hs = make([]float64, (T+1)*B*N)
	tr.phi = make([]float64, T*B*N)
	tr.dz = make([]float64, T*B*N)
	tr.dh = make([]float64, B*N)
	tr.carry = make([]float64, B*N)
	tr.yhat = make([]float64, T*B*O)
	tr.dy = make([]float64, T*B*O)
	tr.dH = make([]float64, T*B*N)
}

// Forward runs the network over the inputs u of steps×size trials,
// time-major as task.Batch.U (nil for no input), from the initial states h0
// (size×N, row b for trial b; nil for zeros). It records what
// [TRNNTrainer.Backward] needs and returns the states h_1…h_T, time-major
// steps×size×N (h_t is the state after input u_t). The result is a view of
// scratch space, valid until the next call; u must not change before
// Backward.
func (tr *TRNNTrainer) Forward(u []float64, steps, size int, h0 []float64) []float64 {
	if steps <= 0 || size <= 0 {
		panic(fmt.Sprintf("train: TRNNTrainer.Forward: steps %d and size %d must be positive", steps, size))
	}
	N, I := tr.n, tr.in
	if u != nil && len(u) != steps*size*I {
		panic(model.ShapeError{Op: "TRNNTrainer.Forward", Arg: "u", Want: steps * size * I, Got: len(u)})
	}
	if h0 != nil && len(h0) != size*N {
		panic(model.ShapeError{Op: "TRNNTrainer.Forward", Arg: "h0", Want: size * N, Got: len(h0)})
	}
	tr.reserve(steps, size)
	tr.uIn = u
	bpttCopyOrZero(tr.hs[:size*N], h0)
	bpttParallel(tr.workers(), size, tr.forwardTrials)
	return tr.hs[size*N : (steps+1)*size*N]
}

// forwardTrials runs trials b0…b1−1 through all steps.
func (tr *TRNNTrainer) forwardTrials(b0, b1 int) {
	T, B, N, I := tr.steps, tr.size, tr.n, tr.in
	cfg := tr.Net.Config()
	a, s := tr.Net.Alpha(), cfg.SelfInhibition
	tanh := cfg.Activation == model.TRNNTanh
	nb := b1 - b0
	w := bpttGeneral(tr.w, N, N)
	for t := 0; t < T; t++ {
		hp := tr.hs[(t*B+b0)*N : (t*B+b1)*N]
		z := tr.phi[(t*B+b0)*N : (t*B+b1)*N]
		for r := 0; r < nb; r++ {
			zr, hr := z[r*N:(r+1)*N], hp[r*N:(r+1)*N]
			for i, v := range hr {
				zr[i] = tr.Net.B[i] - s*v
			}
		}
		if tr.uIn != nil && I > 0 && tr.u != nil {
			bpttGemm(1, blas.NoTrans, blas.Trans, 1, bpttGeneral(tr.uIn[(t*B+b0)*I:], nb, I),
				bpttGeneral(tr.u, N, I), 1, bpttGeneral(z, nb, N))
		}
		bpttGemm(1, blas.NoTrans, blas.Trans, 1, bpttGeneral(hp, nb, N), w, 1, bpttGeneral(z, nb, N))
		h := tr.hs[((t+1)*B+b0)*N : ((t+1)*B+b1)*N]
		for i, v := range z {
			if tanh {
				v = math.Tanh(v)
			} else if v <= 0 {
				v = 0
			}
			z[i] = v
			h[i] = (1-a)*hp[i] + a*v
		}
	}
}

// Backward adds to the gradients of [TRNNTrainer.Params] (which it does not
// zero) the gradient of a loss L of the states of the last
// [TRNNTrainer.Forward], given dH = ∂L/∂h_t for t = 1…T laid out as
// Forward's result (nil for zero) and dHN, an extra ∂L/∂h_T (size×N, nil
// for zero). The readout parameters are not touched. The gradients of W and
// U are masked. dH is read, not changed.
//
// Per step, with g_t = dL/dh_t: dL/dz_t = a φ'(z_t) ⊙ g_t and
// dL/dh_{t−1} += (1 − a) g_t + (M ⊙ W)ᵀ dL/dz_t − s dL/dz_t; ReLU's
// derivative is 1 for z > 0 and 0 otherwise (as [model.TRNN]).
func (tr *TRNNTrainer) Backward(dH, dHN []float64) {
	T, B, N, I := tr.steps, tr.size, tr.n, tr.in
	if T == 0 {
		panic("train: TRNNTrainer.Backward without Forward")
	}
	if dH != nil && len(dH) != T*B*N {
		panic(model.ShapeError{Op: "TRNNTrainer.Backward", Arg: "dH", Want: T * B * N, Got: len(dH)})
	}
	if dHN != nil && len(dHN) != B*N {
		panic(model.ShapeError{Op: "TRNNTrainer.Backward", Arg: "dHN", Want: B * N, Got: len(dHN)})
	}
	bpttCopyOrZero(tr.carry[:B*N], dHN)
	tr.upstream = dH
	w := tr.workers()
	bpttParallel(w, B, tr.backwardTrials)
	tr.upstream = nil
	TB := T * B
	dz := bpttGeneral(tr.dz, TB, N)
	// dW = Σ_t dZ_tᵀ H_{t−1}, dU = Σ_t dZ_tᵀ U_t, db = Σ_t dZ_t.
	bpttGemm(w, blas.Trans, blas.NoTrans, 1, dz, bpttGeneral(tr.hs, TB, N), 1, bpttGeneral(tr.gW, N, N))
	trnnMaskGrad(tr.gW, tr.mW)
	if tr.gU != nil && tr.uIn != nil && I > 0 {
		bpttGemm(w, blas.Trans, blas.NoTrans, 1, dz, bpttGeneral(tr.uIn, TB, I), 1, bpttGeneral(tr.gU, N, I))
		trnnMaskGrad(tr.gU, tr.mU)
	}
	bpttColSums(tr.gB, tr.dz[:TB*N], N)
}

// trnnMaskGrad zeroes g wherever mask is 0.
func trnnMaskGrad(g, mask []float64) {
	for i, m := range mask {
		if m == 0 {
			g[i] = 0
		}
	}
}

// backwardTrials runs the backward recursion of trials b0…b1−1.
func (tr *TRNNTrainer) backwardTrials(b0, b1 int) {
	T, B, N := tr.steps, tr.size, tr.n
	cfg := tr.Net.Config()
	a, s := tr.Net.Alpha(), cfg.SelfInhibition
	tanh := cfg.Activation == model.TRNNTanh
	nb := b1 - b0
	w := bpttGeneral(tr.w, N, N)
	g, carry := tr.dh[b0*N:b1*N], tr.carry[b0*N:b1*N]
	for t := T - 1; t >= 0; t-- {
		copy(g, carry)
		if tr.upstream != nil {
			for i, v := range tr.upstream[(t*B+b0)*N : (t*B+b1)*N] {
				g[i] += v
			}
		}
		phi := tr.phi[(t*B+b0)*N : (t*B+b1)*N]
		dz := tr.dz[(t*B+b0)*N : (t*B+b1)*N]
		for i, f := range phi {
			var d float64
			if tanh {
				d = 1 - f*f
			} else if f > 0 {
				d = 1
			}
			dz[i] = a * d * g[i]
			carry[i] = (1-a)*g[i] - s*dz[i]
		}
		// dL/dh_{t−1} += dZ_t W.
		bpttGemm(1, blas.NoTrans, blas.NoTrans, 1, bpttGeneral(dz, nb, N), w, 1, bpttGeneral(carry, nb, N))
	}
}

// Gradients sets the gradients of [TRNNTrainer.Params] to those of the loss
// on batch b from the zero initial state, and returns the loss, accuracy
// and (masked) gradient norm. It changes no parameter. It returns an error
// when the batch does not fit the network, the network has no readout, or
// nothing in the batch carries a loss weight.
func (tr *TRNNTrainer) Gradients(b *task.Batch) (SeqStats, error) {
	st, err := tr.evaluate(b)
	if err != nil {
		return SeqStats{}, err
	}
	ZeroGrad(tr.params)
	TB, N, O := b.Steps*b.Size, tr.n, tr.out
	w := tr.workers()
	hs, dy, dH := tr.hs[b.Size*N:(b.Steps+1)*b.Size*N], tr.dy[:TB*O], tr.dH[:TB*N]
	bpttGemm(w, blas.Trans, blas.NoTrans, 1, bpttGeneral(dy, TB, O), bpttGeneral(hs, TB, N), 0, bpttGeneral(tr.gV, O, N))
	trnnMaskGrad(tr.gV, tr.mV)
	bpttColSums(tr.gC, dy, O)
	bpttGemm(w, blas.NoTrans, blas.NoTrans, 1, bpttGeneral(dy, TB, O), bpttGeneral(tr.v, O, N), 0, bpttGeneral(dH, TB, N))
	tr.Backward(dH, nil)
	st.GradNorm = GradNorm(tr.params)
	return st, nil
}

// Evaluate returns the loss and accuracy on batch b from the zero initial
// state (GradNorm is 0), running the forward pass only. It changes neither
// parameters nor gradients.
func (tr *TRNNTrainer) Evaluate(b *task.Batch) (SeqStats, error) { return tr.evaluate(b) }

// Outputs returns the readout ŷ of the last Gradients or Evaluate,
// time-major steps×size×O (a view of scratch space, valid until the next
// call).
func (tr *TRNNTrainer) Outputs() []float64 { return tr.yhat[:tr.steps*tr.size*tr.out] }

// States returns the states h_1…h_T of the last forward pass, time-major
// steps×size×N (a view of scratch space, valid until the next call).
func (tr *TRNNTrainer) States() []float64 { return tr.hs[tr.size*tr.n : (tr.steps+1)*tr.size*tr.n] }

func (tr *TRNNTrainer) evaluate(b *task.Batch) (SeqStats, error) {
	switch {
	case tr.v == nil:
		return SeqStats{}, errors.New("train: TRNNTrainer: the network has no readout to train")
	case b.Steps <= 0 || b.Size <= 0:
		return SeqStats{}, fmt.Errorf("train: TRNNTrainer: empty batch (%d steps × %d trials)", b.Steps, b.Size)
	case b.Inputs != tr.in:
		return SeqStats{}, fmt.Errorf("train: TRNNTrainer: batch has %d inputs, network %d", b.Inputs, tr.in)
	case b.Outputs != tr.out:
		return SeqStats{}, fmt.Errorf("train: TRNNTrainer: batch has %d outputs, network %d", b.Outputs, tr.out)
	case len(b.U) != b.Steps*b.Size*b.Inputs || len(b.Y) != b.Steps*b.Size*b.Outputs || len(b.W) != len(b.Y):
		return SeqStats{}, errors.New("train: TRNNTrainer: batch arrays do not match its sizes")
	}
	var sw float64
	for _, v := range b.W {
		sw += v
	}
	if !(sw > 0) {
		return SeqStats{}, fmt.Errorf("train: TRNNTrainer: the loss weights sum to %v, want > 0", sw)
	}
	var u []float64
	if b.Inputs > 0 {
		u = b.U
	}
	hs := tr.Forward(u, b.Steps, b.Size, nil)
	TB, N, O := b.Steps*b.Size, tr.n, tr.out
	yhat, dy := tr.yhat[:TB*O], tr.dy[:TB*O]
	for r := 0; r < TB; r++ {
		copy(yhat[r*O:(r+1)*O], tr.Net.C)
	}
	bpttGemm(tr.workers(), blas.NoTrans, blas.Trans, 1, bpttGeneral(hs, TB, N), bpttGeneral(tr.v, O, N), 1, bpttGeneral(yhat, TB, O))
	var loss float64
	var err error
	switch tr.Loss {
	case SeqMSE:
		loss, err = bpttMSE(dy, yhat, b.Y, b.W)
	case SeqCrossEntropy:
		loss, err = bpttCrossEntropy(dy, yhat, b.Y, b.W, O)
	default:
		err = fmt.Errorf("train: TRNNTrainer: unknown loss %v", tr.Loss)
	}
	if err != nil {
		return SeqStats{}, err
	}
	tr.acc.Loss = tr.Loss
	return SeqStats{Loss: loss, Accuracy: tr.acc.accuracy(b, yhat)}, nil
}

// Epoch performs one training step on batch b: the loss and gradient from
// the zero state, a check that both are finite, clipping to ClipNorm, and
// one Opt step. It returns the loss, accuracy and gradient norm before the
// update. A NaN or infinite loss or gradient is returned as an error
// wrapping a [*model.NonFiniteError] before any parameter changes.
func (tr *TRNNTrainer) Epoch(b *task.Batch) (SeqStats, error) {
	if tr.Opt == nil {
		return SeqStats{}, errors.New("train: TRNNTrainer.Epoch: no optimiser")
	}
	st, err := tr.Gradients(b)
	if err != nil {
		return SeqStats{}, err
	}
	if err := trnnCheckStep("TRNNTrainer.Epoch", st, tr.params); err != nil {
		return st, err
	}
	if tr.ClipNorm > 0 {
		ClipGradNorm(tr.params, tr.ClipNorm)
	}
	tr.Opt.Step(tr.params)
	return st, nil
}

// trnnCheckStep returns an error wrapping a [*model.NonFiniteError] when
// the loss or a gradient is NaN or infinite.
func trnnCheckStep(op string, st SeqStats, params []*Param) error {
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return fmt.Errorf("train: %s: %w", op, &model.NonFiniteError{Param: "loss", Value: st.Loss})
	}
	if math.IsNaN(st.GradNorm) || math.IsInf(st.GradNorm, 0) {
		for _, p := range params {
			if err := model.CheckFinite("gradient of "+p.Name, p.Grad); err != nil {
				return fmt.Errorf("train: %s: %w", op, err)
			}
		}
		return fmt.Errorf("train: %s: %w", op, &model.NonFiniteError{Param: "gradient norm", Value: st.GradNorm})
	}
	return nil
}
