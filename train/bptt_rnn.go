package train

import "math"

// rnnStep finishes step t of the forward pass of a torch.nn.RNN (tanh) for
// trials b0…b1−1: h_t = tanh(gi_t + gh_t), with gi_t = W_ih u_t + b_ih in
// the activation buffer and gh_t = W_hh h_{t−1} + b_hh in tr.gh.
func (tr *SeqTrainer) rnnStep(t, b0, b1 int) {
	B, H := tr.size, tr.hid
	lo, hi := (t*B+b0)*H, (t*B+b1)*H
	a := tr.act[lo:hi]
	h := tr.hs[lo+B*H : hi+B*H]
	gh := tr.gh[b0*H : b1*H]
	for i, v := range a {
		h[i] = math.Tanh(v + gh[i])
	}
}

// rnnBack takes dL/dh_t (tr.dh) through the tanh of step t for trials
// b0…b1−1: the pre-activation gradient dL/da_t = dL/dh_t ⊙ (1 − h_t²) goes
// to dgi (which is also dgh for this family), and h_{t−1} has no direct
// path.
func (tr *SeqTrainer) rnnBack(t, b0, b1 int) {
	B, H := tr.size, tr.hid
	lo, hi := (t*B+b0)*H, (t*B+b1)*H
	h := tr.hs[lo+B*H : hi+B*H]
	d := tr.dgi[lo:hi]
	dh := tr.dh[b0*H : b1*H]
	for i, v := range h {
		d[i] = dh[i] * (1 - v*v)
	}
	clear(tr.dhPrev[b0*H : b1*H])
}
