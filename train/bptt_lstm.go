package train

import "math"

// lstmStep finishes step t of the forward pass of a torch.nn.LSTM. On entry
// the activation rows of step t hold gi = W_ih u_t + b_ih (blocks i, f, g,
// o) and tr.gh holds W_hh h_{t−1} + b_hh. It leaves the gate activations in
// the activation rows and
//
//	c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t),
//
// with tanh(c_t) kept in tr.tcs.
func (tr *SeqTrainer) lstmStep(t, b0, b1 int) {
	B, H := tr.size, tr.hid
	GH := 4 * H
	for b := b0; b < b1; b++ {
		row := t*B + b
		a := tr.act[row*GH : (row+1)*GH]
		g := tr.gh[b*GH : (b+1)*GH]
		cp := tr.cs[row*H : (row+1)*H]
		cn := tr.cs[(row+B)*H : (row+B+1)*H]
		tc := tr.tcs[row*H : (row+1)*H]
		hn := tr.hs[(row+B)*H : (row+B+1)*H]
		for j := 0; j < H; j++ {
			ig := bpttSigmoid(a[j] + g[j])
			fg := bpttSigmoid(a[H+j] + g[H+j])
			gg := math.Tanh(a[2*H+j] + g[2*H+j])
			og := bpttSigmoid(a[3*H+j] + g[3*H+j])
			a[j], a[H+j], a[2*H+j], a[3*H+j] = ig, fg, gg, og
			c := fg*cp[j] + ig*gg
			cn[j] = c
			tc[j] = math.Tanh(c)
			hn[j] = og * tc[j]
		}
	}
}

// lstmBack takes dL/dh_t (tr.dh) and the carried dL/dc_t (tr.dc) through
// step t of an LSTM. With dc = dL/dc_t + dL/dh_t o (1 − tanh² c_t) it writes
// the pre-activation gradients (the same for the input and recurrent
// pre-activations)
//
//	dL/da_i = dc g i(1−i),  dL/da_f = dc c_{t−1} f(1−f),
//	dL/da_g = dc i (1−g²),  dL/da_o = dL/dh_t tanh(c_t) o(1−o)
//
// into dgi, replaces tr.dc by dL/dc_{t−1} = dc ⊙ f, and zeroes tr.dhPrev
// (h_{t−1} enters only through the pre-activations).
func (tr *SeqTrainer) lstmBack(t, b0, b1 int) {
	B, H := tr.size, tr.hid
	GH := 4 * H
	for b := b0; b < b1; b++ {
		row := t*B + b
		a := tr.act[row*GH : (row+1)*GH]
		cp := tr.cs[row*H : (row+1)*H]
		tc := tr.tcs[row*H : (row+1)*H]
		d := tr.dgi[row*GH : (row+1)*GH]
		dh := tr.dh[b*H : (b+1)*H]
		dcs := tr.dc[b*H : (b+1)*H]
		for j := 0; j < H; j++ {
			ig, fg, gg, og := a[j], a[H+j], a[2*H+j], a[3*H+j]
			dc := dcs[j] + dh[j]*og*(1-tc[j]*tc[j])
			d[j] = dc * gg * ig * (1 - ig)
			d[H+j] = dc * cp[j] * fg * (1 - fg)
			d[2*H+j] = dc * ig * (1 - gg*gg)
			d[3*H+j] = dh[j] * tc[j] * og * (1 - og)
			dcs[j] = dc * fg
		}
	}
	clear(tr.dhPrev[b0*H : b1*H])
}
