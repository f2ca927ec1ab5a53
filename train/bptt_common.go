package train

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// SeqLoss selects the loss a [SeqTrainer] minimises. In both, ŷ_{t,b} =
// W_out h_{t,b} + b_out is the readout of the hidden state after step t of
// trial b (h_{t,b} is the state after the input u_{t,b}, as torch's output
// sequence), y the batch's targets and w its loss weights.
type SeqLoss int

const (
	// SeqMSE is the weighted mean squared error
	//
	//	L = Σ_{t,b,k} w_{tbk} (ŷ_{tbk} − y_{tbk})² / Σ_{t,b,k} w_{tbk},
	//
	// the mean over weighted elements. With every weight 1 it is
	// torch.nn.MSELoss with reduction "mean".
	SeqMSE SeqLoss = iota
	// SeqCrossEntropy is the softmax cross-entropy over the O outputs, with
	// the targets y_{tb·} read as a probability vector (one-hot for a class):
	//
	//	L = −Σ_{t,b} ω_{tb} Σ_k y_{tbk} log softmax(ŷ_{tb})_k / Σ_{t,b} ω_{tb},
	//
	// where ω_{tb} = (1/O) Σ_k w_{tbk} is the mean weight of the step.
	SeqCrossEntropy
)

// String returns "mse" or "cross-entropy".
func (l SeqLoss) String() string {
	switch l {
	case SeqMSE:
		return "mse"
	case SeqCrossEntropy:
		return "cross-entropy"
	}
	return fmt.Sprintf("SeqLoss(%d)", int(l))
}

// SeqStats summarises one training epoch of a [SeqTrainer].
//
// Accuracy is measured over the scored entries: steps inside the batch's
// Score window (every step when the window is empty) with a non-zero loss
// weight. For [SeqMSE] it is the fraction of scored (step, trial, channel)
// entries with a non-zero target for which sign(ŷ) = sign(y) (a zero output
// counts as wrong); for [SeqCrossEntropy] it is the fraction of scored
// (step, trial) pairs, those with ω_{tb} ≠ 0, whose largest output is the
// largest target. It is 0 when nothing is scored.
type SeqStats struct {
	Loss     float64 // the loss before the update
	Accuracy float64 // see the type's doc comment
	GradNorm float64 // joint 2-norm of the gradient before clipping
}

// SeqTrainer trains a PyTorch-style network — a [*model.TorchRNN],
// [*model.GRU] or [*model.LSTM] — by backpropagation through time over whole
// trials, with batched forward passes (gonum BLAS) and hand-written
// backward passes.
//
// Every epoch starts from the zero state h_0 = 0 (and c_0 = 0), runs the
// batch forward, computes Loss on the readout, backpropagates through all
// steps, clips the joint gradient norm to ClipNorm (when positive) and lets
// Opt update the parameters in place. The trainer's [Param] values share
// memory with the network's matrices, so the network sees every update.
//
// A SeqTrainer is not safe for concurrent use. Its scratch space grows to
// the largest batch seen and is then reused, so an epoch allocates only
// for starting its worker goroutines. With every epoch's batch drawn from a
// seeded [model.RNG], a run is bit-for-bit reproducible.
type SeqTrainer struct {
	Net      model.Network // the network trained, shared; set by NewSeqTrainer
	Opt      Optimizer     // updates the parameters after each gradient
	ClipNorm float64       // maximum joint gradient norm; 0 disables clipping
	Loss     SeqLoss       // the loss minimised
	// Workers is the number of goroutines an epoch uses (trials are split
	// between them); 0 means runtime.GOMAXPROCS(0). Results are
	// bit-for-bit the same for every value.
	Workers int

	p                  *model.TorchParams
	kind               bpttKind
	gates              int // gate blocks G
	hid, in, out       int
	params             []*Param
	gWih, gWhh         []float64
	gBih, gBhh         []float64
	gWout, gBout       []float64
	steps, size        int       // shape of the recorded forward pass
	u                  []float64 // inputs of the recorded pass (not owned)
	hs                 []float64 // (T+1)·B·H hidden states h_0…h_T
	cs, tcs            []float64 // LSTM: (T+1)·B·H cells c_0…c_T; T·B·H tanh(c_t)
	act                []float64 // T·B·G·H input pre-activations, then gate activations
	ghn                []float64 // GRU: T·B·H W_hn h_{t−1} + b_hn
	gh                 []float64 // B·G·H recurrent pre-activations of one step
	dgi, dgh           []float64 // T·B·G·H gradients wrt input and recurrent pre-activations
	dh, dhPrev, dc     []float64 // B·H gradient carries
	yhat, dy, dH       []float64 // T·B·O readout, its gradient; T·B·H dL/dh_t
	upstream           []float64 // dH of the running Backward
	capSteps, capBatch int
}

// bpttKind identifies the family of a SeqTrainer.
type bpttKind int

const (
	bpttRNN bpttKind = iota
	bpttGRU
	bpttLSTM
)

// NewSeqTrainer returns a trainer for net, which must be a
// [*model.TorchRNN], [*model.GRU] or [*model.LSTM] whose matrices are
// contiguous (as the model constructors make them). The optimiser may be
// nil when only [SeqTrainer.Gradients] or [SeqTrainer.Backward] are used.
// The loss is [SeqMSE] and clipping is off until the fields are set.
func NewSeqTrainer(net model.Network, opt Optimizer) (*SeqTrainer, error) {
	tr := &SeqTrainer{Net: net, Opt: opt}
	switch n := net.(type) {
	case *model.TorchRNN:
		tr.p, tr.kind, tr.gates = &n.TorchParams, bpttRNN, 1
	case *model.GRU:
		tr.p, tr.kind, tr.gates = &n.TorchParams, bpttGRU, 3
	case *model.LSTM:
		tr.p, tr.kind, tr.gates = &n.TorchParams, bpttLSTM, 4
	default:
		return nil, fmt.Errorf("train: NewSeqTrainer: network family %q is not a PyTorch-style RNN, GRU or LSTM", net.Family())
	}
	d := net.Dims()
	_, tr.hid = tr.p.WeightHH.Dims()
	tr.in, tr.out = d.Input, d.Output
	add := func(name string, v []float64) []float64 {
		g := make([]float64, len(v))
		tr.params = append(tr.params, &Param{Name: name, Value: v, Grad: g})
		return g
	}
	for _, m := range []struct {
		name string
		m    *mat.Dense
		g    *[]float64
	}{{model.ParamWeightIH, tr.p.WeightIH, &tr.gWih}, {model.ParamWeightHH, tr.p.WeightHH, &tr.gWhh}} {
		if m.m == nil {
			continue
		}
		v, err := bpttContiguous(m.name, m.m)
		if err != nil {
			return nil, err
		}
		*m.g = add(m.name, v)
	}
	tr.gBih = add(model.ParamBiasIH, tr.p.BiasIH)
	tr.gBhh = add(model.ParamBiasHH, tr.p.BiasHH)
	if tr.p.WOut != nil {
		v, err := bpttContiguous(model.ParamWOut, tr.p.WOut)
		if err != nil {
			return nil, err
		}
		tr.gWout = add(model.ParamWOut, v)
		tr.gBout = add(model.ParamBOut, tr.p.BOut)
	}
	return tr, nil
}

// bpttContiguous returns the backing array of m, or an error when its rows
// are not stored contiguously.
func bpttContiguous(name string, m *mat.Dense) ([]float64, error) {
	raw := m.RawMatrix()
	if raw.Stride != raw.Cols {
		return nil, fmt.Errorf("train: NewSeqTrainer: %s has stride %d, want %d (a contiguous matrix)", name, raw.Stride, raw.Cols)
	}
	return raw.Data[:raw.Rows*raw.Cols], nil
}

// Params returns the trainable parameters in torch's order: weight_ih_l0
// (absent without input), weight_hh_l0, bias_ih_l0, bias_hh_l0, and, with a
// readout, W_out and b_out. Values share memory with the network's
// matrices, row-major in PyTorch's layout; Grad holds the last gradient.
func (tr *SeqTrainer) Params() []*Param { return tr.params }

// Hidden returns the hidden size H.
func (tr *SeqTrainer) Hidden() int { return tr.hid }

// reserve sizes the scratch space for steps×size.
func (tr *SeqTrainer) reserve(steps, size int) {
	tr.steps, tr.size = steps, size
	if steps <= tr.capSteps && size <= tr.capBatch {
		return
	}
	tr.capSteps, tr.capBatch = max(steps, tr.capSteps), max(size, tr.capBatch)
	T, B, H, G, O := tr.capSteps, tr.capBatch, tr.hid, tr.gates, tr.out
	tr.hs = make([]float64, (T+1)*B*H)
	tr.act = make([]float64, T*B*G*H)
	tr.gh = make([]float64, B*G*H)
	tr.dgi = make([]float64, T*B*G*H)
	if tr.kind == bpttGRU {
		tr.ghn = make([]float64, T*B*H)
		tr.dgh = make([]float64, T*B*G*H)
	} else {
		tr.dgh = tr.dgi
	}
	if tr.kind == bpttLSTM {
		tr.cs = make([]float64, (T+1)*B*H)
		tr.tcs = make([]float64, T*B*H)
	}
	tr.dh = make([]float64, B*H)
	tr.dhPrev = make([]float64, B*H)
	tr.dc = make([]float64, B*H)
	tr.yhat = make([]float64, T*B*O)
	tr.dy = make([]float64, T*B*O)
	tr.dH = make([]float64, T*B*H)
}

// bpttGeneral wraps data as a rows×cols row-major blas64 matrix.
func bpttGeneral(data []float64, rows, cols int) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: data[:rows*cols]}
}

// bpttTileRows and bpttTileCols bound the tiles of bpttGemm: with gonum's
// 64×64 blocks, a tile of at most 64×128 entries (2 blocks, fewer than its
// minimum of 4 for going parallel) always takes gonum's serial path.
const (
	bpttTileRows = 64
	bpttTileCols = 128
)

// bpttGemm computes c = alpha·op(a)·op(b) + beta·c as blas64.Gemm does, but
// tile by tile so that every call takes gonum's serial path, in which each
// entry of c is summed over the whole inner dimension in one fixed order.
// The result is therefore bit-for-bit the same for every tiling, every
// number of workers and every split of the rows of c between calls. With
// workers > 1 the tiles are spread over that many goroutines.
func bpttGemm(workers int, tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	n := ((c.Rows + bpttTileRows - 1) / bpttTileRows) * ((c.Cols + bpttTileCols - 1) / bpttTileCols)
	if workers <= 1 || n == 1 {
		bpttGemmTiles(0, n, tA, tB, alpha, a, b, beta, c)
		return
	}
	bpttParallel(min(workers, n), n, func(lo, hi int) {
		bpttGemmTiles(lo, hi, tA, tB, alpha, a, b, beta, c)
	})
}

// bpttGemmTiles computes tiles lo…hi−1 (row-major order) of bpttGemm.
func bpttGemmTiles(lo, hi int, tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	tilesC := (c.Cols + bpttTileCols - 1) / bpttTileCols
	for k := lo; k < hi; k++ {
		i0, j0 := (k/tilesC)*bpttTileRows, (k%tilesC)*bpttTileCols
		i1, j1 := min(i0+bpttTileRows, c.Rows), min(j0+bpttTileCols, c.Cols)
		as, bs := a, b
		if tA == blas.NoTrans {
			as.Rows, as.Data = i1-i0, a.Data[i0*a.Stride:]
		} else {
			as.Cols, as.Data = i1-i0, a.Data[i0:]
		}
		if tB == blas.NoTrans {
			bs.Cols, bs.Data = j1-j0, b.Data[j0:]
		} else {
			bs.Rows, bs.Data = j1-j0, b.Data[j0*b.Stride:]
		}
		cs := blas64.General{Rows: i1 - i0, Cols: j1 - j0, Stride: c.Stride, Data: c.Data[i0*c.Stride+j0:]}
		blas64.Gemm(tA, tB, alpha, as, bs, beta, cs)
	}
}

// bpttParallel splits [0, n) into w contiguous chunks and runs f on each in
// its own goroutine (the first on the calling one), returning when all are
// done.
func bpttParallel(w, n int, f func(lo, hi int)) {
	if w <= 1 || n <= 1 {
		f(0, n)
		return
	}
	w = min(w, n)
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for k := 1; k < w; k++ {
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(k*n/w, (k+1)*n/w)
	}
	f(0, n/w)
	wg.Wait()
}

// workers returns the number of goroutines to use.
func (tr *SeqTrainer) workers() int {
	if tr.Workers > 0 {
		return tr.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Forward runs the network over the inputs u of steps×size trials,
// time-major as task.Batch.U (element (t, b, i) at u[(t·size+b)·I+i]; nil
// for no input), from the initial hidden states h0 (size×H, row b for trial
// b; nil for zeros) and, for an LSTM, cells c0 (likewise). It records what
// [SeqTrainer.Backward] needs and returns the hidden states h_1…h_T,
// time-major steps×size×H: h_t is the state after input u_t, so the last
// block is torch's h_n. The result is a view of scratch space, valid until
// the next call; u must not change before Backward.
//
// The trials are split between the workers; each runs its trials through
// all steps with batched products (gonum BLAS).
func (tr *SeqTrainer) Forward(u []float64, steps, size int, h0, c0 []float64) []float64 {
	if steps <= 0 || size <= 0 {
		panic(fmt.Sprintf("train: SeqTrainer.Forward: steps %d and size %d must be positive", steps, size))
	}
	H, I := tr.hid, tr.in
	if u != nil && len(u) != steps*size*I {
		panic(model.ShapeError{Op: "SeqTrainer.Forward", Arg: "u", Want: steps * size * I, Got: len(u)})
	}
	for _, s := range []struct {
		name string
		v    []float64
	}{{"h0", h0}, {"c0", c0}} {
		if s.v != nil && len(s.v) != size*H {
			panic(model.ShapeError{Op: "SeqTrainer.Forward", Arg: s.name, Want: size * H, Got: len(s.v)})
		}
	}
	tr.reserve(steps, size)
	tr.u = u
	bpttCopyOrZero(tr.hs[:size*H], h0)
	if tr.kind == bpttLSTM {
		bpttCopyOrZero(tr.cs[:size*H], c0)
	}
	bpttParallel(tr.workers(), size, tr.forwardTrials)
	return tr.hs[size*H : (steps+1)*size*H]
}

// forwardTrials runs the forward pass of trials b0…b1−1 through all steps.
func (tr *SeqTrainer) forwardTrials(b0, b1 int) {
	T, B, H, I, GH := tr.steps, tr.size, tr.hid, tr.in, tr.gates*tr.hid
	n := b1 - b0
	whh := tr.p.WeightHH.RawMatrix()
	gh := bpttGeneral(tr.gh[b0*GH:], n, GH)
	for t := 0; t < T; t++ {
		// gi = W_ih u_t + b_ih into the activation rows, gh = W_hh h + b_hh.
		gi := tr.act[(t*B+b0)*GH : (t*B+b1)*GH]
		for r := 0; r < n; r++ {
			copy(gi[r*GH:(r+1)*GH], tr.p.BiasIH)
			copy(gh.Data[r*GH:(r+1)*GH], tr.p.BiasHH)
		}
		if tr.u != nil && I > 0 && tr.p.WeightIH != nil {
			bpttGemm(1, blas.NoTrans, blas.Trans, 1, bpttGeneral(tr.u[(t*B+b0)*I:], n, I),
				tr.p.WeightIH.RawMatrix(), 1, bpttGeneral(gi, n, GH))
		}
		bpttGemm(1, blas.NoTrans, blas.Trans, 1, bpttGeneral(tr.hs[(t*B+b0)*H:], n, H), whh, 1, gh)
		switch tr.kind {
		case bpttRNN:
			tr.rnnStep(t, b0, b1)
		case bpttGRU:
			tr.gruStep(t, b0, b1)
		case bpttLSTM:
			tr.lstmStep(t, b0, b1)
		}
	}
}

// bpttCopyOrZero copies src into dst, or zeroes dst when src is nil.
func bpttCopyOrZero(dst, src []float64) {
	if src == nil {
		clear(dst)
		return
	}
	copy(dst, src)
}

// Backward adds to the gradients of [SeqTrainer.Params] (which it does not
// zero) the gradient of a loss L of the hidden states of the last
// [SeqTrainer.Forward], given
//
//   - dH, the partial derivatives ∂L/∂h_t for t = 1…T, laid out as Forward's
//     result (nil for zero);
//   - dHN, the extra ∂L/∂h_T of the final state, size×H (nil for zero),
//     which is added to the last block of dH — torch's h_n is h_T;
//   - dCN, ∂L/∂c_T of an LSTM's final cell, size×H (nil for zero; ignored
//     for the other families).
//
// The readout parameters are not touched. dH is read, not changed.
func (tr *SeqTrainer) Backward(dH, dHN, dCN []float64) {
	T, B, H, I, GH := tr.steps, tr.size, tr.hid, tr.in, tr.gates*tr.hid
	if T == 0 {
		panic("train: SeqTrainer.Backward without Forward")
	}
	if dH != nil && len(dH) != T*B*H {
		panic(model.ShapeError{Op: "SeqTrainer.Backward", Arg: "dH", Want: T * B * H, Got: len(dH)})
	}
	for _, s := range []struct {
		name string
		v    []float64
	}{{"dHN", dHN}, {"dCN", dCN}} {
		if s.v != nil && len(s.v) != B*H {
			panic(model.ShapeError{Op: "SeqTrainer.Backward", Arg: s.name, Want: B * H, Got: len(s.v)})
		}
	}
	bpttCopyOrZero(tr.dhPrev[:B*H], dHN)
	bpttCopyOrZero(tr.dc[:B*H], dCN)
	tr.upstream = dH
	w := tr.workers()
	bpttParallel(w, B, tr.backwardTrials)
	tr.upstream = nil
	TB := T * B
	dgi, dgh := bpttGeneral(tr.dgi, TB, GH), bpttGeneral(tr.dgh, TB, GH)
	// dW_ih = Σ_t dGI_tᵀ U_t, dW_hh = Σ_t dGH_tᵀ H_{t−1}: one product each.
	if tr.gWih != nil && tr.u != nil && I > 0 {
		bpttGemm(w, blas.Trans, blas.NoTrans, 1, dgi, bpttGeneral(tr.u, TB, I), 1, bpttGeneral(tr.gWih, GH, I))
	}
	bpttGemm(w, blas.Trans, blas.NoTrans, 1, dgh, bpttGeneral(tr.hs, TB, H), 1, bpttGeneral(tr.gWhh, GH, H))
	bpttColSums(tr.gBih, tr.dgi[:TB*GH], GH)
	bpttColSums(tr.gBhh, tr.dgh[:TB*GH], GH)
}

// backwardTrials runs the backward recursion of trials b0…b1−1 from the
// last step to the first, leaving the pre-activation gradients of every
// step in dgi and dgh.
func (tr *SeqTrainer) backwardTrials(b0, b1 int) {
	T, B, H, GH := tr.steps, tr.size, tr.hid, tr.gates*tr.hid
	n := b1 - b0
	whh := tr.p.WeightHH.RawMatrix()
	dh, dhPrev := tr.dh[b0*H:b1*H], tr.dhPrev[b0*H:b1*H]
	for t := T - 1; t >= 0; t-- {
		copy(dh, dhPrev)
		if tr.upstream != nil {
			for i, v := range tr.upstream[(t*B+b0)*H : (t*B+b1)*H] {
				dh[i] += v
			}
		}
		// The family's step writes dL/d(pre-activations) of step t into
		// dgi and dgh, and the direct part of dL/dh_{t−1} into dhPrev.
		switch tr.kind {
		case bpttRNN:
			tr.rnnBack(t, b0, b1)
		case bpttGRU:
			tr.gruBack(t, b0, b1)
		case bpttLSTM:
			tr.lstmBack(t, b0, b1)
		}
		// dL/dh_{t−1} += dGH_t W_hh.
		bpttGemm(1, blas.NoTrans, blas.NoTrans, 1, bpttGeneral(tr.dgh[(t*B+b0)*GH:], n, GH), whh,
			1, bpttGeneral(dhPrev, n, H))
	}
}

// bpttColSums adds the column sums of the row-major matrix m with n columns
// to dst.
func bpttColSums(dst, m []float64, n int) {
	for r := 0; r < len(m); r += n {
		for j, v := range m[r : r+n] {
			dst[j] += v
		}
	}
}

// Gradients sets the gradients of [SeqTrainer.Params] to those of the loss
// on batch b from the zero initial state, and returns the loss, the
// accuracy and the gradient norm. It changes no parameter. It returns an
// error when the batch does not fit the network, the network has no
// readout, or nothing in the batch carries a loss weight.
func (tr *SeqTrainer) Gradients(b *task.Batch) (SeqStats, error) {
	st, err := tr.evaluate(b)
	if err != nil {
		return SeqStats{}, err
	}
	ZeroGrad(tr.params)
	TB, H, O := b.Steps*b.Size, tr.hid, tr.out
	w := tr.workers()
	hs, dy, dH := tr.hs[b.Size*H:(b.Steps+1)*b.Size*H], tr.dy[:TB*O], tr.dH[:TB*H]
	// Readout gradients: dW_out = dŶᵀ H, db_out = Σ dŶ, dL/dh_t = dŶ W_out.
	bpttGemm(w, blas.Trans, blas.NoTrans, 1, bpttGeneral(dy, TB, O), bpttGeneral(hs, TB, H), 0, bpttGeneral(tr.gWout, O, H))
	bpttColSums(tr.gBout, dy, O)
	bpttGemm(w, blas.NoTrans, blas.NoTrans, 1, bpttGeneral(dy, TB, O), tr.p.WOut.RawMatrix(), 0, bpttGeneral(dH, TB, H))
	tr.Backward(dH, nil, nil)
	st.GradNorm = GradNorm(tr.params)
	return st, nil
}

// Evaluate returns the loss and accuracy on batch b from the zero initial
// state (GradNorm is 0), running the forward pass only. It changes neither
// parameters nor gradients. Its errors are those of [SeqTrainer.Gradients].
func (tr *SeqTrainer) Evaluate(b *task.Batch) (SeqStats, error) {
	return tr.evaluate(b)
}

// evaluate runs the forward pass and the readout on b and leaves dL/dŷ in
// tr.dy.
func (tr *SeqTrainer) evaluate(b *task.Batch) (SeqStats, error) {
	if err := tr.checkBatch(b); err != nil {
		return SeqStats{}, err
	}
	hs := tr.Forward(b.U, b.Steps, b.Size, nil, nil)
	TB, H, O := b.Steps*b.Size, tr.hid, tr.out
	yhat, dy := tr.yhat[:TB*O], tr.dy[:TB*O]
	for r := 0; r < TB; r++ {
		copy(yhat[r*O:(r+1)*O], tr.p.BOut)
	}
	bpttGemm(tr.workers(), blas.NoTrans, blas.Trans, 1, bpttGeneral(hs, TB, H), tr.p.WOut.RawMatrix(), 1, bpttGeneral(yhat, TB, O))
	var loss float64
	var err error
	switch tr.Loss {
	case SeqMSE:
		loss, err = bpttMSE(dy, yhat, b.Y, b.W)
	case SeqCrossEntropy:
		loss, err = bpttCrossEntropy(dy, yhat, b.Y, b.W, O)
	default:
		err = fmt.Errorf("train: SeqTrainer: unknown loss %v", tr.Loss)
	}
	if err != nil {
		return SeqStats{}, err
	}
	return SeqStats{Loss: loss, Accuracy: tr.accuracy(b, yhat)}, nil
}

// checkBatch reports a batch that does not fit the network.
func (tr *SeqTrainer) checkBatch(b *task.Batch) error {
	switch {
	case tr.p.WOut == nil:
		return errors.New("train: SeqTrainer: the network has no readout to train")
	case b.Steps <= 0 || b.Size <= 0:
		return fmt.Errorf("train: SeqTrainer: empty batch (%d steps × %d trials)", b.Steps, b.Size)
	case b.Inputs != tr.in:
		return fmt.Errorf("train: SeqTrainer: batch has %d inputs, network %d", b.Inputs, tr.in)
	case b.Outputs != tr.out:
		return fmt.Errorf("train: SeqTrainer: batch has %d outputs, network %d", b.Outputs, tr.out)
	case len(b.U) != b.Steps*b.Size*b.Inputs || len(b.Y) != b.Steps*b.Size*b.Outputs || len(b.W) != len(b.Y):
		return errors.New("train: SeqTrainer: batch arrays do not match its sizes")
	}
	return nil
}

// Epoch performs one training step on batch b: the loss and gradient from
// the zero state, a check that both are finite, clipping to ClipNorm, and
// one Opt step. It returns the loss, accuracy and gradient norm before the
// update. A NaN or infinite loss or gradient is returned as an error
// wrapping a [*model.NonFiniteError] before any parameter changes.
func (tr *SeqTrainer) Epoch(b *task.Batch) (SeqStats, error) {
	if tr.Opt == nil {
		return SeqStats{}, errors.New("train: SeqTrainer.Epoch: no optimiser")
	}
	st, err := tr.Gradients(b)
	if err != nil {
		return SeqStats{}, err
	}
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, fmt.Errorf("train: SeqTrainer.Epoch: %w", &model.NonFiniteError{Param: "loss", Value: st.Loss})
	}
	if math.IsNaN(st.GradNorm) || math.IsInf(st.GradNorm, 0) {
		for _, p := range tr.params {
			if err := model.CheckFinite("gradient of "+p.Name, p.Grad); err != nil {
				return st, fmt.Errorf("train: SeqTrainer.Epoch: %w", err)
			}
		}
		return st, fmt.Errorf("train: SeqTrainer.Epoch: %w", &model.NonFiniteError{Param: "gradient norm", Value: st.GradNorm})
	}
	if tr.ClipNorm > 0 {
		ClipGradNorm(tr.params, tr.ClipNorm)
	}
	tr.Opt.Step(tr.params)
	return st, nil
}

// bpttMSE writes dL/dŷ of the weighted mean squared error into dy and
// returns the loss.
func bpttMSE(dy, yhat, y, w []float64) (float64, error) {
	var sw float64
	for _, v := range w {
		sw += v
	}
	if !(sw > 0) {
		return 0, fmt.Errorf("train: SeqTrainer: the loss weights sum to %v, want > 0", sw)
	}
	var l float64
	s := 2 / sw
	for i, p := range yhat {
		e := p - y[i]
		l += w[i] * e * e
		dy[i] = s * w[i] * e
	}
	return l / sw, nil
}

// bpttCrossEntropy writes dL/dŷ of the weighted softmax cross-entropy over
// groups of o outputs into dy and returns the loss.
func bpttCrossEntropy(dy, yhat, y, w []float64, o int) (float64, error) {
	var sw float64
	for r := 0; r < len(yhat); r += o {
		sw += bpttMean(w[r : r+o])
	}
	if !(sw > 0) {
		return 0, fmt.Errorf("train: SeqTrainer: the loss weights sum to %v, want > 0", sw)
	}
	var l float64
	for r := 0; r < len(yhat); r += o {
		z, t, d := yhat[r:r+o], y[r:r+o], dy[r:r+o]
		om := bpttMean(w[r:r+o]) / sw
		m := z[0]
		for _, v := range z {
			m = math.Max(m, v)
		}
		var se, st float64
		for _, v := range z {
			se += math.Exp(v - m)
		}
		lse := m + math.Log(se)
		for k, v := range z {
			st += t[k]
			if t[k] != 0 {
				l -= om * t[k] * (v - lse)
			}
		}
		// d/dz_k of −Σ_j t_j (z_j − lse) = st·softmax_k − t_k.
		for k, v := range z {
			d[k] = om * (st*math.Exp(v-lse) - t[k])
		}
	}
	return l, nil
}

// bpttMean returns the mean of v.
func bpttMean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// accuracy measures the accuracy of the readout yhat on b (see SeqStats).
func (tr *SeqTrainer) accuracy(b *task.Batch, yhat []float64) float64 {
	lo, hi := b.Score.Start, b.Score.End
	if b.Score.Len() <= 0 {
		lo, hi = 0, b.Steps
	}
	lo, hi = max(lo, 0), min(hi, b.Steps)
	O := b.Outputs
	var hit, n int
	for t := lo; t < hi; t++ {
		for tb := t * b.Size; tb < (t+1)*b.Size; tb++ {
			z, y, w := yhat[tb*O:(tb+1)*O], b.Y[tb*O:(tb+1)*O], b.W[tb*O:(tb+1)*O]
			if tr.Loss == SeqCrossEntropy {
				if bpttMean(w) == 0 {
					continue
				}
				n++
				if bpttArgmax(z) == bpttArgmax(y) {
					hit++
				}
				continue
			}
			for k := range z {
				if w[k] == 0 || y[k] == 0 {
					continue
				}
				n++
				if (z[k] > 0 && y[k] > 0) || (z[k] < 0 && y[k] < 0) {
					hit++
				}
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// bpttArgmax returns the index of the first largest entry of v.
func bpttArgmax(v []float64) int {
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}
