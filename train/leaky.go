package train

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"attractor/model"
	"attractor/train/task"

	"gonum.org/v1/gonum/mat"
)

// LeakyLoss selects how the weighted squared error of a [LeakyTrainer] is
// normalised.
type LeakyLoss int

const (
	// LeakyLossMean is Kurtkaya et al.'s weighted MSE (science spec §5.4),
	// the mean over all T·B·O elements: L = Σ w (o − y)² / (T·B·O). It is
	// the zero value.
	LeakyLossMean LeakyLoss = iota
	// LeakyLossWeightMean divides by the sum of the weights instead:
	// L = Σ w (o − y)² / Σ w. With a 0/1 mask repeated over the O outputs
	// this is the fixture's sum(mask·(o − y)²)/sum(mask)/O.
	LeakyLossWeightMean
)

// LeakyStats are the figures of one epoch of a [LeakyTrainer], all measured
// on the forward pass before the parameter update.
type LeakyStats struct {
	Loss float64 // the loss (see LeakyLoss)
	// Accuracy is 1 − mean |argmax p − argmax y| and Reliability the mean of
	// p[argmax y], with p = o/Σo the normalised outputs, over the trials and
	// the steps of the batch's Score window (science spec §5.4).
	Accuracy, Reliability float64
	GradNorm              float64 // joint 2-norm of the gradient before clipping
}

// LeakyTrainer trains a [*model.Leaky] network by full-batch
// backpropagation through time over whole trials (science spec §5.1, §5.4):
//
//	r_{k+1} = (1 − a) r_k + a tanh(W_rec r_k + b_rec + W_in u_k + b_in + ε_k),  ε_k ~ N(0, Noise²),
//	o_k = sigmoid(W_out r_k + b_out)   (or linear; from r_{k+1} if OutputAfterUpdate),
//	r_0 = tanh(z), z ~ N(0, InitStd²) per trial and unit,
//	L = Σ w (o − y)² / (T·B·O)         (LeakyLossMean; or / Σ w).
//
// Each epoch runs the batch forward, backpropagates through all steps,
// clips the joint gradient norm to ClipNorm (when positive) and lets Opt
// update the parameters in place: the trainer's [Param] values share memory
// with the network's matrices.
//
// The batch is split into fixed chunks of up to 64 trials that run forward
// and backward independently (on Threads goroutines) and whose gradient
// sums are added in chunk order, so the result does not depend on Threads,
// bit for bit. The products, the element-wise kernels and the normal
// variates run in AVX-512 or AVX2/FMA assembly when the CPU has it (the
// same bits as the pure-Go code on every CPU), with inputs, biases and the
// readout folded into one product per step and direction, the noise as the
// forward product's initial C, and the weight gradients accumulated as
// (T·B)-deep products.
//
// Random numbers: each epoch draws one value from the rng argument; the
// initial state and the noise of every (step, trial, unit) are normal
// variates (Marsaglia–Tsang ziggurat) of a counter-based SplitMix64 stream
// keyed by that value, so every draw is a fixed function of the rng state,
// independent of Threads and of the order in which chunks run.
//
// A LeakyTrainer is not safe for concurrent use; its scratch space is
// reused between epochs of the same batch shape.
type LeakyTrainer struct {
	Net      *model.Leaky // the network trained, shared
	Opt      Optimizer    // updates the parameters after each gradient
	Noise    float64      // σ_n, the std of ε (0.001 in Kurtkaya et al.)
	InitStd  float64      // std of z in r_0 = tanh(z) (0.1)
	Threads  int          // goroutines for the chunks; ≤ 0 means 1
	ClipNorm float64      // clip the joint gradient norm to this when > 0
	Loss     LeakyLoss    // normalisation of the loss
	// OutputAfterUpdate reads o_k from r_{k+1} (the project's PyTorch
	// fixture) instead of r_k (Kurtkaya et al.'s rnn.py, the default).
	OutputAfterUpdate bool

	params     []*Param
	n, in, out int
	np, p0, q0 int // padded N; offsets of r in a state row and of pre in a product row
	xw, cw     int // widths of a state row [1, u, 0…, r, 0…] and of a product row [z, 0…, pre, 0…]
	wf, wb     []float64
	dw         []float64
	chunks     []*leakyChunk
	steps      int // T of the scratch
	size       int // B of the scratch
}

// leakyChunk is the scratch of one chunk of trials.
type leakyChunk struct {
	b0, bc int       // first trial, trial count
	x      []float64 // S × bc × xw states [1, u, 0…, r, 0…]
	h      []float64 // S × bc × np tanh values
	c      []float64 // bc × cw forward product [z, 0…, pre, 0…]
	d      []float64 // bc × cw backward rows [dL/dz, 0…, dL/dpre, 0…]
	g, g2  []float64 // bc × np dL/dr
	o      []float64 // S × bc × out outputs (zero where none is read)
	dz     []float64 // S × bc × out dL/dz
	dw     []float64 // cw × xw gradient sums Dᵀ X
	rej    []uint8   // N/8 bytes: kernNormals' rejection scratch
	loss   float64
	acc    float64 // Σ |argmax p − argmax y|
	rel    float64 // Σ p[argmax y]
	scored int
}

// leakyChunkTrials is the number of trials per chunk. It fixes the order of
// the gradient sums, so changing it changes results in the last bits.
const leakyChunkTrials = 64

// NewLeakyTrainer returns a trainer for net with Kurtkaya et al.'s
// settings: Noise 0.001, InitStd 0.1, one thread, no clipping. It returns an
// error if net has no readout or a weight matrix whose rows are not
// contiguous (which the shared parameter slices need).
func NewLeakyTrainer(net *model.Leaky, opt Optimizer) (*LeakyTrainer, error) {
	if net == nil {
		return nil, errors.New("train: NewLeakyTrainer: nil network")
	}
	d := net.Dims()
	if d.Output == 0 {
		return nil, errors.New("train: NewLeakyTrainer: network has no readout")
	}
	t := &LeakyTrainer{Net: net, Opt: opt, Noise: 0.001, InitStd: 0.1, Threads: 1,
		n: d.State, in: d.Input, out: d.Output}
	t.np = leakyRound4(t.n)
	t.p0 = leakyRound4(1 + t.in)
	t.q0 = leakyRound4(t.out)
	t.xw, t.cw = t.p0+t.np, t.q0+t.np
	add := func(name string, v []float64) {
		t.params = append(t.params, &Param{Name: name, Value: v, Grad: make([]float64, len(v))})
	}
	flat := func(name string, m *mat.Dense) ([]float64, error) {
		raw := m.RawMatrix()
		if raw.Stride != raw.Cols {
			return nil, fmt.Errorf("train: NewLeakyTrainer: %s has stride %d ≠ %d columns", name, raw.Stride, raw.Cols)
		}
		return raw.Data[:raw.Rows*raw.Cols], nil
	}
	if t.in > 0 {
		v, err := flat(model.ParamLeakyWIn, net.WIn)
		if err != nil {
			return nil, err
		}
		add(model.ParamLeakyWIn, v)
	}
	add(model.ParamLeakyBIn, net.BIn)
	v, err := flat(model.ParamLeakyWRec, net.WRec)
	if err != nil {
		return nil, err
	}
	add(model.ParamLeakyWRec, v)
	add(model.ParamLeakyBRec, net.BRec)
	if v, err = flat(model.ParamLeakyWOut, net.WOut); err != nil {
		return nil, err
	}
	add(model.ParamLeakyWOut, v)
	add(model.ParamLeakyBOut, net.BOut)
	t.wf = make([]float64, (t.p0+t.n)*t.cw)
	t.wb = make([]float64, (t.q0+t.n)*t.np)
	t.dw = make([]float64, t.cw*t.xw)
	return t, nil
}

func leakyRound4(n int) int { return (n + 3) &^ 3 }

// Params returns the trainable parameters in the order W_in.weight (absent
// without inputs), W_in.bias, W_rec.weight, W_rec.bias, W_out.weight,
// W_out.bias (nn.Linear names, row-major out×in), sharing memory with Net.
func (t *LeakyTrainer) Params() []*Param { return t.params }

// Epoch computes the loss and gradient on b (noise and initial states drawn
// from rng), clips the gradient and updates the parameters. A NaN or
// infinite loss or gradient returns an error wrapping a
// [*model.NonFiniteError] that names the quantity ("loss", or the
// parameter whose gradient is bad); the parameters are then left
// unchanged.
func (t *LeakyTrainer) Epoch(b *task.Batch, rng *model.RNG) (LeakyStats, error) {
	st, err := t.Gradients(b, nil, rng)
	if err != nil {
		return st, err
	}
	if t.ClipNorm > 0 {
		st.GradNorm = ClipGradNorm(t.params, t.ClipNorm)
	} else {
		st.GradNorm = GradNorm(t.params)
	}
	if t.Opt != nil {
		t.Opt.Step(t.params)
	}
	return st, nil
}

// Gradients runs b forward and backward and leaves the gradient of the loss
// in the Grad of every parameter, without updating. If r0 is not nil it is
// the initial state, B×N row-major, and rng is used only for the noise (it
// may be nil when Noise is 0); otherwise r_0 is drawn too. Errors are as for
// Epoch. GradNorm is not filled in.
func (t *LeakyTrainer) Gradients(b *task.Batch, r0 []float64, rng *model.RNG) (LeakyStats, error) {
	return t.run(b, r0, rng, true)
}

// Evaluate runs b forward only and returns the loss, accuracy and
// reliability, drawing noise and initial states from rng like Epoch.
func (t *LeakyTrainer) Evaluate(b *task.Batch, rng *model.RNG) (LeakyStats, error) {
	return t.run(b, nil, rng, false)
}

func (t *LeakyTrainer) run(b *task.Batch, r0 []float64, rng *model.RNG, backward bool) (LeakyStats, error) {
	if b.Inputs != t.in || b.Outputs != t.out {
		return LeakyStats{}, fmt.Errorf("train: leaky: batch has %d inputs and %d outputs, network %d and %d", b.Inputs, b.Outputs, t.in, t.out)
	}
	if b.Steps <= 0 || b.Size <= 0 {
		return LeakyStats{}, fmt.Errorf("train: leaky: empty batch (%d steps, %d trials)", b.Steps, b.Size)
	}
	if r0 != nil && len(r0) != b.Size*t.n {
		return LeakyStats{}, fmt.Errorf("train: leaky: r0 has length %d, want %d", len(r0), b.Size*t.n)
	}
	var key uint64
	if r0 == nil || t.Noise != 0 {
		if rng == nil {
			return LeakyStats{}, errors.New("train: leaky: nil rng")
		}
		key = rng.Uint64()
	}
	t.reserve(b.Steps, b.Size)
	t.pack()
	var norm float64
	if t.Loss == LeakyLossWeightMean {
		for _, w := range b.W {
			norm += w
		}
	} else {
		norm = float64(len(b.W))
	}
	job := leakyJob{t: t, b: b, r0: r0, key: key, norm: norm, backward: backward}
	threads := max(1, min(t.Threads, len(t.chunks)))
	if threads == 1 {
		for _, c := range t.chunks {
			job.chunk(c)
		}
	} else {
		var wg sync.WaitGroup
		for w := 0; w < threads; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(t.chunks); i += threads {
					job.chunk(t.chunks[i])
				}
			}(w)
		}
		wg.Wait()
	}
	var st LeakyStats
	var scored int
	for _, c := range t.chunks {
		st.Loss += c.loss
		st.Accuracy += c.acc
		st.Reliability += c.rel
		scored += c.scored
	}
	st.Loss /= norm
	if scored > 0 {
		st.Accuracy = 1 - st.Accuracy/float64(scored)
		st.Reliability /= float64(scored)
	}
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, fmt.Errorf("train: leaky epoch: %w", &model.NonFiniteError{Param: "loss", Value: st.Loss})
	}
	if !backward {
		return st, nil
	}
	t.unpackGrad()
	for _, p := range t.params {
		if err := model.CheckFinite("gradient of "+p.Name, p.Grad); err != nil {
			return st, fmt.Errorf("train: leaky epoch: %w", err)
		}
	}
	return st, nil
}

// reserve sizes the scratch for T steps and B trials.
func (t *LeakyTrainer) reserve(steps, size int) {
	if steps == t.steps && size == t.size {
		return
	}
	t.steps, t.size = steps, size
	s := steps + 1
	t.chunks = t.chunks[:0]
	for b0 := 0; b0 < size; b0 += leakyChunkTrials {
		bc := min(leakyChunkTrials, size-b0)
		t.chunks = append(t.chunks, &leakyChunk{b0: b0, bc: bc,
			x:   make([]float64, s*bc*t.xw),
			h:   make([]float64, s*bc*t.np),
			c:   make([]float64, bc*t.cw),
			d:   make([]float64, bc*t.cw),
			g:   make([]float64, bc*t.np),
			g2:  make([]float64, bc*t.np),
			o:   make([]float64, s*bc*t.out),
			dz:  make([]float64, s*bc*t.out),
			dw:  make([]float64, t.cw*t.xw),
			rej: make([]uint8, t.n/8),
		})
	}
}

// pack copies the parameters into the forward matrix wf ((p0+N) × cw,
// rows: bias, inputs, zero padding, r; columns: readout, padding, units)
// and the backward matrix wb ((q0+N) × np, rows: readout, padding, units).
func (t *LeakyTrainer) pack() {
	net := t.Net
	clear(t.wf)
	clear(t.wb)
	n, cw := t.n, t.cw
	copy(t.wf[:t.out], net.BOut)
	for j := 0; j < n; j++ {
		t.wf[t.q0+j] = net.BRec[j] + net.BIn[j]
		for c := 0; c < t.in; c++ {
			t.wf[(1+c)*cw+t.q0+j] = net.WIn.At(j, c)
		}
	}
	wrec := net.WRec.RawMatrix()
	wout := net.WOut.RawMatrix()
	for k := 0; k < n; k++ {
		row := t.wf[(t.p0+k)*cw : (t.p0+k+1)*cw]
		for q := 0; q < t.out; q++ {
			row[q] = wout.Data[q*wout.Stride+k]
		}
		for j := 0; j < n; j++ {
			row[t.q0+j] = wrec.Data[j*wrec.Stride+k]
		}
	}
	for q := 0; q < t.out; q++ {
		copy(t.wb[q*t.np:q*t.np+n], wout.Data[q*wout.Stride:q*wout.Stride+n])
	}
	for i := 0; i < n; i++ {
		copy(t.wb[(t.q0+i)*t.np:(t.q0+i)*t.np+n], wrec.Data[i*wrec.Stride:i*wrec.Stride+n])
	}
}

// unpackGrad adds the chunks' gradient sums in chunk order and scatters
// them into the parameters' gradients.
func (t *LeakyTrainer) unpackGrad() {
	copy(t.dw, t.chunks[0].dw)
	for _, c := range t.chunks[1:] {
		for i, v := range c.dw {
			t.dw[i] += v
		}
	}
	n, xw := t.n, t.xw
	pi := 0
	next := func() []float64 { g := t.params[pi].Grad; pi++; return g }
	if t.in > 0 {
		g := next()
		for i := 0; i < n; i++ {
			copy(g[i*t.in:(i+1)*t.in], t.dw[(t.q0+i)*xw+1:(t.q0+i)*xw+1+t.in])
		}
	}
	gbin := next()
	for i := 0; i < n; i++ {
		gbin[i] = t.dw[(t.q0+i)*xw]
	}
	g := next()
	for i := 0; i < n; i++ {
		copy(g[i*n:(i+1)*n], t.dw[(t.q0+i)*xw+t.p0:(t.q0+i)*xw+t.p0+n])
	}
	copy(next(), gbin)
	g = next()
	for q := 0; q < t.out; q++ {
		copy(g[q*n:(q+1)*n], t.dw[q*xw+t.p0:q*xw+t.p0+n])
	}
	g = next()
	for q := 0; q < t.out; q++ {
		g[q] = t.dw[q*xw]
	}
}

// leakyJob is one epoch's work, shared read-only by the chunk workers.
type leakyJob struct {
	t        *LeakyTrainer
	b        *task.Batch
	r0       []float64
	key      uint64
	norm     float64
	backward bool
}

// Domains of the counter-based normal stream.
const (
	leakyDomainInit  = 1
	leakyDomainNoise = 2
)

// chunk runs the forward (and backward) pass of one chunk.
func (j *leakyJob) chunk(c *leakyChunk) {
	t, b := j.t, j.b
	n, np, xw, cw, out := t.n, t.np, t.xw, t.cw, t.out
	a := t.Net.Alpha()
	T, B := b.Steps, b.Size
	shift := 0
	if t.OutputAfterUpdate {
		shift = 1
	}
	S := T + shift // states r_0 … r_{S−1}; updates from the first S−1
	nUpd := S - 1
	bc := c.bc
	// States: constant columns, inputs, r_0.
	for s := 0; s < S; s++ {
		for bi := 0; bi < bc; bi++ {
			row := c.x[(s*bc+bi)*xw : (s*bc+bi+1)*xw]
			row[0] = 1
			if s < T && t.in > 0 {
				copy(row[1:1+t.in], b.In(s, c.b0+bi))
			}
		}
	}
	keyInit := leakyHash(j.key ^ leakyDomainInit)
	keyNoise := leakyHash(j.key ^ leakyDomainNoise)
	for bi := 0; bi < bc; bi++ {
		r := c.x[bi*xw+t.p0 : bi*xw+t.p0+np]
		if j.r0 != nil {
			copy(r[:n], j.r0[(c.b0+bi)*n:(c.b0+bi+1)*n])
			continue
		}
		base := uint64((c.b0 + bi) * n)
		kernNormals(r[:n], keyInit+base*leakyGamma, t.InitStd, c.rej)
		kernLeakyFwd(np, r, r, c.c[:np], r, 1) // r = tanh(z)
	}
	c.loss, c.acc, c.rel, c.scored = 0, 0, 0, 0
	score := b.Score
	for s := 0; s < S; s++ {
		xs := c.x[s*bc*xw : (s+1)*bc*xw]
		clear(c.c)
		ncols := t.q0
		if s < nUpd {
			ncols = cw
			if t.Noise != 0 {
				for bi := 0; bi < bc; bi++ {
					row := c.c[bi*cw+t.q0 : bi*cw+t.q0+n]
					base := uint64((s*B + c.b0 + bi) * n)
					kernNormals(row, keyNoise+base*leakyGamma, t.Noise, c.rej)
				}
			}
		}
		kernGemm(bc, ncols, t.p0+n, xs, xw, 1, t.wf, cw, c.c, cw)
		if s < nUpd {
			xn := c.x[(s+1)*bc*xw : (s+2)*bc*xw]
			hs := c.h[s*bc*np : (s+1)*bc*np]
			for bi := 0; bi < bc; bi++ {
				kernLeakyFwd(np, xn[bi*xw+t.p0:], xs[bi*xw+t.p0:], hs[bi*np:], c.c[bi*cw+t.q0:], a)
			}
		}
		dz := c.dz[s*bc*out : (s+1)*bc*out]
		os := c.o[s*bc*out : (s+1)*bc*out]
		clear(dz)
		clear(os)
		tt := s - shift
		if tt < 0 {
			continue
		}
		for bi := 0; bi < bc; bi++ {
			y := b.Target(tt, c.b0+bi)
			w := b.Weight(tt, c.b0+bi)
			z := c.c[bi*cw : bi*cw+out]
			dzb := dz[bi*out : (bi+1)*out]
			var osum float64
			any := false
			for q := 0; q < out; q++ {
				o := z[q]
				if t.Net.Readout == model.LeakySigmoid {
					o = leakySigmoid(o)
				}
				z[q] = o // keep o for the metrics
				os[bi*out+q] = o
				diff := o - y[q]
				c.loss += w[q] * diff * diff
				g := 2 * w[q] * diff / j.norm
				if t.Net.Readout == model.LeakySigmoid {
					g *= o * (1 - o)
				}
				dzb[q] = g
				osum += o
				any = any || w[q] != 0
			}
			if (score.Len() > 0 && tt >= score.Start && tt < score.End) || (score.Len() == 0 && any) {
				py, pt := 0, 0
				for q := 1; q < out; q++ {
					if z[q] > z[py] {
						py = q
					}
					if y[q] > y[pt] {
						pt = q
					}
				}
				c.acc += math.Abs(float64(py - pt))
				c.rel += z[pt] / osum
				c.scored++
			}
		}
	}
	if !j.backward {
		return
	}
	clear(c.dw)
	clear(c.d)
	clear(c.g)
	gNext, gOut := c.g, c.g2
	for s := S - 1; s >= 0; s-- {
		xs := c.x[s*bc*xw : (s+1)*bc*xw]
		dz := c.dz[s*bc*out : (s+1)*bc*out]
		for bi := 0; bi < bc; bi++ {
			copy(c.d[bi*cw:bi*cw+out], dz[bi*out:(bi+1)*out])
		}
		rows := t.q0
		if s < nUpd {
			rows = cw
			hs := c.h[s*bc*np : (s+1)*bc*np]
			for bi := 0; bi < bc; bi++ {
				kernLeakyBwd(np, c.d[bi*cw+t.q0:], gOut[bi*np:], gNext[bi*np:], hs[bi*np:], a)
			}
		} else {
			clear(gOut)
		}
		// Weight gradients: dw += Dᵀ X_s (rows of D past q0 are zero at the
		// last state, so only the readout rows are formed there).
		kernGemm(rows, xw, bc, c.d, 1, cw, xs, xw, c.dw, xw)
		if s > 0 {
			kernGemm(bc, np, t.q0+n, c.d, cw, 1, t.wb, np, gOut, np)
			gNext, gOut = gOut, gNext
		}
	}
}

// leakySigmoid is 1/(1 + e^{−x}) without overflow.
func leakySigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// leakyGamma is SplitMix64's increment: the i-th draw of a stream with key
// k hashes k + i·γ.
const leakyGamma = 0x9e3779b97f4a7c15

// leakyHash is the SplitMix64 output function (Steele, Lea & Flood 2014).
func leakyHash(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	return z ^ z>>31
}

// leakyZig holds the 128-layer ziggurat tables of Marsaglia & Tsang (2000).
var leakyZig = func() (z struct {
	kn     [128]uint32
	wn, fn [128]float64
}) {
	const m1 = 2147483648.0
	dn, tn, vn := leakyZigR, leakyZigR, 9.91256303526217e-3
	q := vn / math.Exp(-0.5*dn*dn)
	z.kn[0] = uint32(dn / q * m1)
	z.kn[1] = 0
	z.wn[0] = q / m1
	z.wn[127] = dn / m1
	z.fn[0] = 1
	z.fn[127] = math.Exp(-0.5 * dn * dn)
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(vn/dn+math.Exp(-0.5*dn*dn)))
		z.kn[i+1] = uint32(dn / tn * m1)
		tn = dn
		z.fn[i] = math.Exp(-0.5 * dn * dn)
		z.wn[i] = dn / m1
	}
	return z
}()

const leakyZigR = 3.442619855899

// leakyZigKn64 is leakyZig.kn widened to 64 bits, the table the AVX-512
// kernel gathers from.
var leakyZigKn64 = func() (kn [128]uint64) {
	for i, v := range leakyZig.kn {
		kn[i] = uint64(v)
	}
	return kn
}()

// leakyNormal returns a standard normal variate made from the hash of
// state (Marsaglia–Tsang ziggurat: layer from the low 7 bits, value from the
// high 32; the rare rejections, about 1.2 %, rehash in leakyNormalSlow).
func leakyNormal(state uint64) float64 {
	u := leakyHash(state)
	hz := int64(int32(u >> 32))
	iz := u & 127
	m := hz >> 63
	if uint64((hz^m)-m) < uint64(leakyZig.kn[iz]) {
		return float64(hz) * leakyZig.wn[iz]
	}
	return leakyNormalSlow(u)
}

// leakyNormalSlow is the wedge and tail part of leakyNormal for the
// rejected bits u.
func leakyNormalSlow(u uint64) float64 {
	for {
		hz := int32(u >> 32)
		iz := u & 127
		abs := uint32(hz)
		if hz < 0 {
			abs = uint32(-int64(hz))
		}
		if abs < leakyZig.kn[iz] {
			return float64(hz) * leakyZig.wn[iz]
		}
		x := float64(hz) * leakyZig.wn[iz]
		u = leakyHash(u + leakyGamma)
		if iz == 0 { // the tail beyond R
			for {
				u1 := leakyUnit(u)
				u = leakyHash(u + leakyGamma)
				u2 := leakyUnit(u)
				u = leakyHash(u + leakyGamma)
				xx := -math.Log(u1) / leakyZigR
				if -2*math.Log(u2) >= xx*xx {
					if hz > 0 {
						return leakyZigR + xx
					}
					return -leakyZigR - xx
				}
			}
		}
		if leakyZig.fn[iz]+leakyUnit(u)*(leakyZig.fn[iz-1]-leakyZig.fn[iz]) < math.Exp(-0.5*x*x) {
			return x
		}
		u = leakyHash(u + leakyGamma)
	}
}

// leakyUnit maps 64 random bits to a uniform value in (0, 1].
func leakyUnit(u uint64) float64 { return float64(u>>11+1) * (1.0 / (1 << 53)) }
