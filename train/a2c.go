package train

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"

	"attractor/model"
	"attractor/train/task"
)

// A2CStats summarises one update of an [A2C] agent: the batch of episodes
// collected with the current policy, and the objective before the update.
type A2CStats struct {
	Return   float64 // mean undiscounted return per episode
	Length   float64 // mean episode length in steps
	Loss     float64 // the objective L (see A2C) before the update
	Entropy  float64 // mean policy entropy (nats) over the episodes' steps
	GradNorm float64 // joint 2-norm of the gradient before clipping
}

// A2C is advantage actor-critic (synchronous, Monte-Carlo returns) with a
// recurrent network as the shared core, for the spatial-memory task of
// science spec §4.2. The core is a [*model.GRU] or [*model.TorchRNN]
// without readout (trained through [SeqTrainer]'s backward pass) or a
// [*model.TRNN] without readout (through [TRNNTrainer]'s). Two linear heads
// read the core's hidden state h_t, the state after observation o_t:
//
//	π(·|h_t) = softmax(W_π h_t + b_π),   V(h_t) = w_vᵀ h_t + b_v.
//
// For a TRNN the heads read only the last module (their weights carry its
// output mask), as its readout does.
//
// Each update runs Episodes episodes in parallel from h_0 = 0, sampling
// a_t ~ π(·|h_t), until all have ended (at most the environment's
// horizon); then, with the discounted returns G_t = Σ_k γ^k r_{t+k} of
// each episode (0 after its end), the advantages A_t = G_t − V(h_t) held
// constant, and n the number of steps taken by all episodes, it minimises
//
//	L = (1/n) Σ_t [ −A_t log π(a_t|h_t) + (c_v/2) (G_t − V(h_t))² − β H(π(·|h_t)) ]
//
// by backpropagation through time over the whole episodes, clipping the
// joint gradient norm to ClipNorm and taking one Opt step. Every random
// draw (episode starts, actions) comes from the rng passed to Update, in a
// fixed order, and the core's passes do not depend on Workers, so a run is
// bit-for-bit reproducible for a seed.
//
// An A2C is not safe for concurrent use.
type A2C struct {
	Env         task.Env  // the environment, cloned once per parallel episode
	Opt         Optimizer // updates core and heads
	Gamma       float64   // discount γ ∈ [0, 1]
	ValueCoef   float64   // c_v, weight of the value loss
	EntropyCoef float64   // β, weight of the entropy bonus
	ClipNorm    float64   // maximum joint gradient norm; 0 disables clipping
	Episodes    int       // episodes per update

	seq  *SeqTrainer
	trnn *TRNNTrainer
	hid  int
	in   int
	nAct int

	params       []*Param
	wPi, bPi     []float64 // A×H, A
	wV, bV       []float64 // H, 1
	gWPi, gBPi   []float64
	gWV, gBV     []float64
	envs         []task.Env
	steps        int       // steps of the last rollout
	obs          []float64 // T·E·I observations
	act          []int     // T·E actions (−1 after the end)
	rew          []float64 // T·E rewards
	ret, adv     []float64 // T·E returns and advantages
	logits, prob []float64 // T·E·A
	val          []float64 // T·E values
	dH           []float64 // T·E·H
	dz, dv       []float64 // T·E·A, T·E
	h            []float64 // E·H rollout state
	live         []bool    // E: episode still running
	ngrad        int       // n of the last objective
}

// NewA2C returns an agent with core network core (a *model.GRU,
// *model.TorchRNN or *model.TRNN with Dims().Input = env.ObsSize() and no
// readout), environment env and optimiser opt, and heads drawn from rng:
// every entry of W_π and w_v uniform in [−1/√H, 1/√H) (PyTorch's nn.Linear
// default), biases 0. Defaults: γ = 0.95, c_v = 0.5, β = 0.01, ClipNorm 1,
// 32 episodes per update. Workers of the core's trainer may be set with
// [A2C.SetWorkers].
func NewA2C(core model.Network, env task.Env, opt Optimizer, rng *model.RNG) (*A2C, error) {
	if core == nil || env == nil {
		return nil, errors.New("train: NewA2C: nil core or environment")
	}
	d := core.Dims()
	if d.Input != env.ObsSize() {
		return nil, fmt.Errorf("train: NewA2C: core has %d inputs, the environment %d observation channels", d.Input, env.ObsSize())
	}
	if d.Output != 0 {
		return nil, fmt.Errorf("train: NewA2C: core has a readout of %d outputs; the heads replace it, build the core without one", d.Output)
	}
	a := &A2C{Env: env, Opt: opt, Gamma: 0.95, ValueCoef: 0.5, EntropyCoef: 0.01, ClipNorm: 1, Episodes: 32,
		in: d.Input, nAct: env.Actions()}
	var readMask []float64
	switch n := core.(type) {
	case *model.GRU, *model.TorchRNN:
		tr, err := NewSeqTrainer(core, nil)
		if err != nil {
			return nil, fmt.Errorf("train: NewA2C: %w", err)
		}
		a.seq, a.hid = tr, tr.Hidden()
		a.params = append(a.params, tr.Params()...)
	case *model.TRNN:
		tr, err := NewTRNNTrainer(n, nil)
		if err != nil {
			return nil, fmt.Errorf("train: NewA2C: %w", err)
		}
		a.trnn, a.hid = tr, tr.Hidden()
		a.params = append(a.params, tr.Params()...)
		readMask = make([]float64, a.hid)
		mods := n.Modules()
		for j := mods[len(mods)-2]; j < a.hid; j++ {
			readMask[j] = 1
		}
	default:
		return nil, fmt.Errorf("train: NewA2C: core family %q is not a GRU, tanh RNN or TRNN", core.Family())
	}
	H, A := a.hid, a.nAct
	lim := 1 / math.Sqrt(float64(H))
	a.wPi, a.bPi = make([]float64, A*H), make([]float64, A)
	a.wV, a.bV = make([]float64, H), make([]float64, 1)
	var mPi []float64
	if readMask != nil {
		mPi = make([]float64, A*H)
		for k := 0; k < A; k++ {
			copy(mPi[k*H:], readMask)
		}
	}
	for i := range a.wPi {
		a.wPi[i] = rng.Uniform(-lim, lim)
		if mPi != nil && mPi[i] == 0 {
			a.wPi[i] = 0
		}
	}
	for i := range a.wV {
		a.wV[i] = rng.Uniform(-lim, lim)
		if readMask != nil && readMask[i] == 0 {
			a.wV[i] = 0
		}
	}
	add := func(name string, v, mask []float64) []float64 {
		g := make([]float64, len(v))
		a.params = append(a.params, &Param{Name: name, Value: v, Grad: g, Mask: mask})
		return g
	}
	a.gWPi = add("W_pi", a.wPi, mPi)
	a.gBPi = add("b_pi", a.bPi, nil)
	a.gWV = add("w_v", a.wV, readMask)
	a.gBV = add("b_v", a.bV, nil)
	return a, nil
}

// SetWorkers sets the number of goroutines of the core's passes (0 means
// runtime.GOMAXPROCS(0)); results do not depend on it.
func (a *A2C) SetWorkers(w int) {
	if a.seq != nil {
		a.seq.Workers = w
	} else {
		a.trnn.Workers = w
	}
}

// Params returns the trainable parameters: the core's (those of
// [SeqTrainer.Params] or [TRNNTrainer.Params]), then W_π (A×H row-major),
// b_π, w_v and b_v.
func (a *A2C) Params() []*Param { return a.params }

// forward runs the core over u (steps×size×I) from h0 and returns the
// hidden states h_1…h_T.
func (a *A2C) forward(u []float64, steps, size int, h0 []float64) []float64 {
	if a.seq != nil {
		return a.seq.Forward(u, steps, size, h0, nil)
	}
	return a.trnn.Forward(u, steps, size, h0)
}

// backward backpropagates dH through the last forward pass of the core.
func (a *A2C) backward(dH []float64) {
	if a.seq != nil {
		a.seq.Backward(dH, nil, nil)
		return
	}
	a.trnn.Backward(dH, nil)
}

// heads writes the logits, probabilities and values of the rows of hs
// (rows×H) into the given slices.
func (a *A2C) heads(hs []float64, rows int, logits, prob, val []float64) {
	H, A := a.hid, a.nAct
	for r := 0; r < rows; r++ {
		copy(logits[r*A:(r+1)*A], a.bPi)
	}
	bpttGemm(1, blas.NoTrans, blas.Trans, 1, bpttGeneral(hs, rows, H), bpttGeneral(a.wPi, A, H), 1, bpttGeneral(logits, rows, A))
	for r := 0; r < rows; r++ {
		z, p := logits[r*A:(r+1)*A], prob[r*A:(r+1)*A]
		m := z[0]
		for _, v := range z {
			m = math.Max(m, v)
		}
		var s float64
		for k, v := range z {
			p[k] = math.Exp(v - m)
			s += p[k]
		}
		for k := range p {
			p[k] /= s
		}
		h := hs[r*H : (r+1)*H]
		v := a.bV[0]
		for j, w := range a.wV {
			v += w * h[j]
		}
		val[r] = v
	}
}

// reserve sizes the rollout scratch for T steps of E episodes.
func (a *A2C) reserve(T, E int) {
	H, A, I := a.hid, a.nAct, a.in
	if len(a.act) >= T*E && len(a.h) == E*H {
		return
	}
	a.obs = make([]float64, T*E*I)
	a.act = make([]int, T*E)
	a.rew, a.ret, a.adv = make([]float64, T*E), make([]float64, T*E), make([]float64, T*E)
	a.logits, a.prob = make([]float64, T*E*A), make([]float64, T*E*A)
	a.val, a.dv = make([]float64, T*E), make([]float64, T*E)
	a.dz = make([]float64, T*E*A)
	a.dH = make([]float64, T*E*H)
	a.h = make([]float64, E*H)
	a.live = make([]bool, E)
}

// rollout plays Episodes episodes with the current policy (greedy: the most
// probable action; otherwise sampled with one rng.Float64 per step of a
// running episode), recording observations, actions and rewards. It
// returns the mean return and length.
func (a *A2C) rollout(rng *model.RNG, greedy bool) (ret, length float64) {
	E, H, A, I := a.Episodes, a.hid, a.nAct, a.in
	T := a.Env.Horizon()
	a.reserve(T, E)
	for len(a.envs) < E {
		a.envs = append(a.envs, a.Env.Clone())
	}
	clear(a.obs[:T*E*I])
	for e := 0; e < E; e++ {
		a.envs[e].Reset(a.obs[e*I:(e+1)*I], rng)
		a.live[e] = true
	}
	clear(a.h)
	alive := E
	lens := 0
	var total float64
	t := 0
	for ; t < T && alive > 0; t++ {
		u := a.obs[t*E*I : (t+1)*E*I]
		hs := a.forward(u, 1, E, a.h)
		copy(a.h, hs[:E*H])
		lg, pr, vl := a.logits[t*E*A:(t+1)*E*A], a.prob[t*E*A:(t+1)*E*A], a.val[t*E:(t+1)*E]
		a.heads(a.h, E, lg, pr, vl)
		for e := 0; e < E; e++ {
			i := t*E + e
			a.act[i], a.rew[i] = -1, 0
			if !a.live[e] {
				continue // ended before step t; its observation stays 0
			}
			p := pr[e*A : (e+1)*A]
			act := bpttArgmax(p)
			if !greedy {
				act = a2cSample(p, rng.Float64())
			}
			a.act[i] = act
			var next []float64
			if t+1 < T {
				next = a.obs[((t+1)*E+e)*I : ((t+1)*E+e+1)*I]
			} else {
				next = make([]float64, I)
			}
			r, done := a.envs[e].Step(next, act)
			a.rew[i] = r
			total += r
			lens++
			if done {
				alive--
				a.live[e] = false
				clear(next)
			}
		}
	}
	a.steps = t
	return total / float64(E), float64(lens) / float64(E)
}

// a2cSample returns the action whose cumulative probability first exceeds
// u ∈ [0, 1).
func a2cSample(p []float64, u float64) int {
	var c float64
	for k, v := range p {
		c += v
		if u < c {
			return k
		}
	}
	return len(p) - 1
}

// objective runs the core over the recorded rollout, computes the heads,
// the returns and (unless fixedAdv) the advantages, and leaves dL/dlogits,
// dL/dV in a.dz, a.dv. It returns L and the mean entropy.
func (a *A2C) objective(fixedAdv bool) (hs []float64, loss, entropy float64) {
	T, E, A, I := a.steps, a.Episodes, a.nAct, a.in
	hs = a.forward(a.obs[:T*E*I], T, E, nil)
	a.heads(hs, T*E, a.logits, a.prob, a.val)
	n := 0
	for e := 0; e < E; e++ {
		var g float64
		for t := T - 1; t >= 0; t-- {
			i := t*E + e
			if a.act[i] < 0 {
				g = 0
				continue
			}
			g = a.rew[i] + a.Gamma*g
			a.ret[i] = g
			if !fixedAdv {
				a.adv[i] = g - a.val[i]
			}
			n++
		}
	}
	a.ngrad = n
	inv := 1 / float64(n)
	for i := 0; i < T*E; i++ {
		dz, p := a.dz[i*A:(i+1)*A], a.prob[i*A:(i+1)*A]
		if a.act[i] < 0 {
			clear(dz)
			a.dv[i] = 0
			continue
		}
		var ent float64
		for _, q := range p {
			if q > 0 {
				ent -= q * math.Log(q)
			}
		}
		entropy += ent
		adv, ac := a.adv[i], a.act[i]
		e := a.ret[i] - a.val[i]
		loss += inv * (-adv*math.Log(p[ac]) + 0.5*a.ValueCoef*e*e - a.EntropyCoef*ent)
		for k, q := range p {
			d := adv * q
			if k == ac {
				d -= adv
			}
			if q > 0 {
				d += a.EntropyCoef * q * (math.Log(q) + ent)
			}
			dz[k] = inv * d
		}
		a.dv[i] = -inv * a.ValueCoef * e
	}
	return hs, loss, entropy * inv
}

// gradients sets every gradient to that of the objective of the recorded
// rollout and returns L and the mean entropy.
func (a *A2C) gradients(fixedAdv bool) (float64, float64) {
	hs, loss, entropy := a.objective(fixedAdv)
	ZeroGrad(a.params)
	T, E, H, A := a.steps, a.Episodes, a.hid, a.nAct
	TE := T * E
	dz := bpttGeneral(a.dz, TE, A)
	bpttGemm(1, blas.Trans, blas.NoTrans, 1, dz, bpttGeneral(hs, TE, H), 0, bpttGeneral(a.gWPi, A, H))
	bpttColSums(a.gBPi, a.dz[:TE*A], A)
	dH := a.dH[:TE*H]
	bpttGemm(1, blas.NoTrans, blas.NoTrans, 1, dz, bpttGeneral(a.wPi, A, H), 0, bpttGeneral(dH, TE, H))
	for i := 0; i < TE; i++ {
		d := a.dv[i]
		if d == 0 {
			continue
		}
		h, g := hs[i*H:(i+1)*H], dH[i*H:(i+1)*H]
		for j, w := range a.wV {
			a.gWV[j] += d * h[j]
			g[j] += d * w
		}
		a.gBV[0] += d
	}
	for _, p := range a.params[len(a.params)-4:] {
		if p.Mask != nil {
			trnnMaskGrad(p.Grad, p.Mask)
		}
	}
	a.backward(dH)
	return loss, entropy
}

// Update collects Episodes episodes with the current policy, drawing from
// rng, and takes one optimiser step on L. It returns the statistics of the
// episodes and of L before the step; a NaN or infinite loss or gradient is
// an error wrapping a [*model.NonFiniteError], returned before any
// parameter changes.
func (a *A2C) Update(rng *model.RNG) (A2CStats, error) {
	if a.Opt == nil {
		return A2CStats{}, errors.New("train: A2C.Update: no optimiser")
	}
	if a.Episodes <= 0 {
		return A2CStats{}, fmt.Errorf("train: A2C.Update: Episodes = %d, want > 0", a.Episodes)
	}
	var st A2CStats
	st.Return, st.Length = a.rollout(rng, false)
	st.Loss, st.Entropy = a.gradients(false)
	st.GradNorm = GradNorm(a.params)
	if err := trnnCheckStep("A2C.Update", SeqStats{Loss: st.Loss, GradNorm: st.GradNorm}, a.params); err != nil {
		return st, err
	}
	if a.ClipNorm > 0 {
		ClipGradNorm(a.params, a.ClipNorm)
	}
	a.Opt.Step(a.params)
	return st, nil
}

// Evaluate plays Episodes episodes with the greedy policy (the most
// probable action at every step; rng only starts the episodes) and returns
// their mean return and length. It changes no parameter.
func (a *A2C) Evaluate(rng *model.RNG) (ret, length float64) {
	if a.Episodes <= 0 {
		return 0, 0
	}
	return a.rollout(rng, true)
}
