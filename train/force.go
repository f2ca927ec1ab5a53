package train

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// Force trains the readouts of a continuous-time rate network with output
// feedback by FORCE learning (Sussillo & Abbott 2009; docs/science.md §3.3,
// §7.1): the network runs forward with its readouts fed back, and every
// Every steps recursive least squares moves the readouts so that they
// follow their targets.
//
// The simulation is that of the authors' code: at each step
//
//	x ← x + (dt/τ)(−x + g J r + W_f z_o + W_fd z_d + W_in u + b)
//	r = tanh(x),  z_o = W_oᵀ r,  z_d = W_dᵀ r
//
// and then, on update steps, with k = P r, c = 1/(1 + rᵀ k):
//
//	P ← P − c k kᵀ,   W ← W − c k eᵀ,   e = W_oldᵀ r − target.
//
// The readouts fed back at a step are those computed after the previous
// step, before that step's update (e₋ of Sussillo & Abbott).
//
// The output readout W_o has its own P_o and the latent readout W_d its own
// P_d (Ghazizadeh & Ching's temporally restricted error kernel). With a task
// batch, updates happen only on steps where the target is scored (loss
// weight non-zero on every channel of that readout), on even steps k ≥ 2;
// with Native set, every Every-th step k ≥ Every is an update step and
// unscored targets count as 0 (the "native FORCE" baseline).
type Force struct {
	Net    *model.CTRNN
	Alpha  float64 // RLS regulariser, P(0) = I/α (1)
	Every  int     // steps between updates (2)
	Native bool    // update at every Every-th step with zero targets outside the kernel

	// FeedbackMix is γ of Sussillo & Abbott's mixed feedback (2009, Fig
	// 4A; docs/science.md §7.1, EC-13): during TrainSignal the output fed back
	// into the network is γ f + (1 − γ) z instead of z, f being the target
	// the fed-back z was trained to follow (the target at the time of the
	// state before the step). 0 (the default) is ordinary FORCE and 1
	// feeds the target alone (teacher forcing). TestSignal, TrainSequence
	// and Advance always feed back z.
	FeedbackMix float64

	x, r, zo, zd []float64
	drive        []float64 // scratch for the velocity
	po, pd       *RLS
	step         int // steps taken since Reset
	eo, ed       []float64
	lastDW       float64 // ‖Δw‖ of the last update
}

// NewForce returns a FORCE trainer for net starting from state x0 (copied).
func NewForce(net *model.CTRNN, alpha float64, every int, x0 []float64) (*Force, error) {
	return forceNew(net, alpha, every, x0, true)
}

// forceNew is NewForce; without rls it allocates no P matrices (for runs
// with learning off).
func forceNew(net *model.CTRNN, alpha float64, every int, x0 []float64, rls bool) (*Force, error) {
	n := net.Dims().State
	if len(x0) != n {
		return nil, fmt.Errorf("force: initial state has length %d, want %d", len(x0), n)
	}
	if net.Phi != model.CTRNNTanh || net.BO != nil {
		return nil, fmt.Errorf("force: FORCE trains tanh networks without an output bias (this one has φ = %v)", net.Phi)
	}
	if !(alpha > 0) || every < 1 {
		return nil, fmt.Errorf("force: α = %v and update interval %d; want α > 0 and interval ≥ 1", alpha, every)
	}
	f := &Force{Net: net, Alpha: alpha, Every: every,
		x: append([]float64(nil), x0...), r: make([]float64, n), drive: make([]float64, n)}
	if net.WO != nil {
		_, o := net.WO.Dims()
		f.zo, f.eo = make([]float64, o), make([]float64, o)
		if rls {
			f.po = NewRLS(n, alpha)
		}
	}
	if net.WD != nil {
		_, d := net.WD.Dims()
		f.zd, f.ed = make([]float64, d), make([]float64, d)
		if rls {
			f.pd = NewRLS(n, alpha)
		}
	}
	f.readout()
	return f, nil
}

// State returns the current state x (a view).
func (f *Force) State() []float64 { return f.x }

// Outputs returns the current readouts z_o and z_d (views).
func (f *Force) Outputs() (zo, zd []float64) { return f.zo, f.zd }

// Steps returns the number of steps taken.
func (f *Force) Steps() int { return f.step }

func (f *Force) readout() {
	for i, v := range f.x {
		f.r[i] = math.Tanh(v)
	}
	if f.zo != nil {
		mulTrans(f.zo, f.Net.WO, f.r)
	}
	if f.zd != nil {
		mulTrans(f.zd, f.Net.WD, f.r)
	}
}

// mulTrans sets dst = Wᵀ r for an N×k matrix W.
func mulTrans(dst []float64, w *mat.Dense, r []float64) {
	raw := w.RawMatrix()
	clear(dst)
	for i, ri := range r {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			dst[j] += v * ri
		}
	}
}

// addCols adds W z to dst for an N×k matrix W.
func addCols(dst []float64, w *mat.Dense, z []float64) {
	raw := w.RawMatrix()
	for i := range dst {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		var s float64
		for j, v := range row {
			s += v * z[j]
		}
		dst[i] += s
	}
}

// Advance takes one Euler step with input u (nil for none) and updates the
// rates and readouts; it does not learn.
func (f *Force) Advance(u []float64) {
	net := f.Net
	d := f.drive
	net.J.MulVecTo(d, f.r)
	g := net.G
	for i := range d {
		d[i] *= g
	}
	if net.WF != nil {
		addCols(d, net.WF, f.zo)
	}
	if net.WFD != nil {
		addCols(d, net.WFD, f.zd)
	}
	if net.WIn != nil && u != nil {
		addCols(d, net.WIn, u)
	}
	a := net.DT / net.Tau
	for i, x := range f.x {
		v := d[i] - x
		if net.B != nil {
			v += net.B[i]
		}
		f.x[i] = x + a*v
	}
	f.step++
	f.readout()
}

// update applies one RLS step to readout w with its P, outputs z and
// targets y (nil targets are zeros); it returns |e|² summed over channels
// and stores the size of the weight change ‖Δw‖ = |c|·‖e‖·‖k‖ in f.lastDW.
func (f *Force) update(p *RLS, w *mat.Dense, z, e, y []float64) float64 {
	var e2 float64
	for j := range z {
		t := 0.0
		if y != nil {
			t = y[j]
		}
		e[j] = z[j] - t
		e2 += e[j] * e[j]
	}
	k, c := p.Update(f.r)
	var kk float64
	for _, v := range k {
		kk += v * v
	}
	f.lastDW = math.Abs(c) * math.Sqrt(e2*kk)
	raw := w.RawMatrix()
	for i, ki := range k {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j := range row {
			row[j] -= c * ki * e[j]
		}
	}
	return e2
}

// ErrDiverged is returned when the state or a readout becomes non-finite.
var ErrDiverged = errors.New("network state is not finite")

// SignalStats summarises FORCE training on a signal.
type SignalStats struct {
	MAE     float64 // mean |z − f| over the steps recorded
	Updates int
	MaxDW   float64 // largest ‖Δw‖ of one update among the recorded steps
}

// TrainSignal runs steps Euler steps, learning z_o (channel 0) to follow
// target.At(t) with t = (step index)·DT, as the peer script does: an update
// at every step index divisible by Every, counting from 0. The MAE is the
// mean |e₋| over update steps among the last `record` steps (all when record
// ≤ 0). With FeedbackMix γ ≠ 0 the feedback is γ f + (1 − γ) z (see Force).
func (f *Force) TrainSignal(target task.Signal, steps, record int) (SignalStats, error) {
	if f.po == nil {
		return SignalStats{}, errors.New("force: the network has no output readout W_o")
	}
	var st SignalStats
	var sum float64
	var n int
	y := make([]float64, len(f.zo))
	gamma := f.FeedbackMix
	for s := 0; s < steps; s++ {
		idx := f.step
		if gamma != 0 {
			// The z fed back at step idx was read after step idx−1 and
			// trained toward the target at time (idx−1)·DT. Advance
			// recomputes f.zo from the new state, so the mix is not kept.
			z := f.zo[0]
			f.zo[0] = gamma*target.At(float64(idx-1)*f.Net.DT) + (1-gamma)*z
		}
		f.Advance(nil)
		if idx%f.Every != 0 {
			continue
		}
		y[0] = target.At(float64(idx) * f.Net.DT)
		e2 := f.update(f.po, f.Net.WO, f.zo, f.eo, y)
		st.Updates++
		if math.IsNaN(e2) || math.IsInf(e2, 0) {
			return st, fmt.Errorf("force: step %d: %w", idx, ErrDiverged)
		}
		if record <= 0 || s >= steps-record {
			sum += math.Abs(f.eo[0])
			n++
			st.MaxDW = math.Max(st.MaxDW, f.lastDW)
		}
	}
	if n > 0 {
		st.MAE = sum / float64(n)
	}
	return st, nil
}

// TestSignal runs steps Euler steps without learning and returns the mean
// |z_o − target|, with the target indexed like TrainSignal's.
func (f *Force) TestSignal(target task.Signal, steps int) (float64, error) {
	var sum float64
	for s := 0; s < steps; s++ {
		idx := f.step
		f.Advance(nil)
		if math.IsNaN(f.zo[0]) {
			return math.NaN(), fmt.Errorf("force: test step %d: %w", idx, ErrDiverged)
		}
		sum += math.Abs(f.zo[0] - target.At(float64(idx)*f.Net.DT))
	}
	return sum / float64(steps), nil
}

// SequenceStats summarises FORCE training on a task sequence.
type SequenceStats struct {
	UpdatesO, UpdatesD int     // RLS updates of W_o and W_d
	RMSEO              float64 // root-mean-square e₋ of z_o over its updates
	RMSED              float64 // root-mean-square e₋ of z_d over its updates (per channel)
}

// TrainSequence runs the network through a sequence batch of size 1 (such
// as task.SPM.Sequence), channel 0 of the targets being z_o and the others
// z_d, learning with the temporally restricted kernel (or natively; see
// Force).
func (f *Force) TrainSequence(b *task.Batch) (SequenceStats, error) {
	if b.Size != 1 {
		return SequenceStats{}, fmt.Errorf("force: sequence batch has %d trials, want 1", b.Size)
	}
	no, nd := len(f.zo), len(f.zd)
	if b.Outputs != no+nd {
		return SequenceStats{}, fmt.Errorf("force: task has %d target channels, the network %d readouts (%d output + %d latent)", b.Outputs, no+nd, no, nd)
	}
	var st SequenceStats
	var so, sd float64
	for t := 0; t < b.Steps; t++ {
		f.Advance(b.In(t, 0))
		k := f.step - 1 // index of the step just taken
		y, w := b.Target(t, 0), b.Weight(t, 0)
		// The authors' code updates when i % update_step == 0 and
		// i >= update_step, natively as well as in the kernel windows.
		if f.Native {
			if k%f.Every != 0 || k < f.Every {
				continue
			}
		} else if k%2 != 0 || k < 2 {
			continue
		}
		if math.IsNaN(f.x[0]) || math.IsInf(f.x[0], 0) {
			return st, fmt.Errorf("force: step %d: %w", k, ErrDiverged)
		}
		if no > 0 && (f.Native || allPositive(w[:no])) {
			so += f.update(f.po, f.Net.WO, f.zo, f.eo, masked(y[:no], w[:no], f.Native))
			st.UpdatesO++
		}
		if nd > 0 && (f.Native || allPositive(w[no:])) {
			sd += f.update(f.pd, f.Net.WD, f.zd, f.ed, masked(y[no:], w[no:], f.Native))
			st.UpdatesD++
		}
	}
	if st.UpdatesO > 0 {
		st.RMSEO = math.Sqrt(so / float64(st.UpdatesO*no))
	}
	if st.UpdatesD > 0 {
		st.RMSED = math.Sqrt(sd / float64(st.UpdatesD*nd))
	}
	if math.IsNaN(so) || math.IsNaN(sd) {
		return st, fmt.Errorf("force: %w", ErrDiverged)
	}
	return st, nil
}

func allPositive(w []float64) bool {
	for _, v := range w {
		if !(v > 0) {
			return false
		}
	}
	return true
}

// masked returns y, or nil (zero targets) when native and unscored.
func masked(y, w []float64, native bool) []float64 {
	if native && !allPositive(w) {
		return nil
	}
	return y
}

// RLSStates returns the RLS states of the output and latent readouts (nil
// when absent), for checkpoints.
func (f *Force) RLSStates() (po, pd *RLS) { return f.po, f.pd }

// Restore sets the step counter, the state and the readouts fed back at the
// next step (which may predate the last weight update), from a checkpoint.
func (f *Force) Restore(step int, x, zo, zd []float64) error {
	if len(x) != len(f.x) || len(zo) != len(f.zo) || len(zd) != len(f.zd) {
		return fmt.Errorf("force: checkpoint sizes x %d, z_o %d, z_d %d; want %d, %d, %d", len(x), len(zo), len(zd), len(f.x), len(f.zo), len(f.zd))
	}
	f.step = step
	copy(f.x, x)
	for i, v := range f.x {
		f.r[i] = math.Tanh(v)
	}
	copy(f.zo, zo)
	copy(f.zd, zd)
	return nil
}
