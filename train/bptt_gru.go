package train

import "math"

// bpttSigmoid is the logistic function 1/(1+e^{−x}), written to avoid
// overflow.
func bpttSigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// gruStep finishes step t of the forward pass of a torch.nn.GRU. On entry
// the activation rows of step t hold gi = W_ih u_t + b_ih (blocks r, z, n)
// and tr.gh holds gh = W_hh h_{t−1} + b_hh. It leaves r, z, n in the
// activation rows, gh_n = W_hn h_{t−1} + b_hn in tr.ghn, and
//
//	h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},  n = tanh(gi_n + r ⊙ gh_n).
func (tr *SeqTrainer) gruStep(t, b0, b1 int) {
	B, H := tr.size, tr.hid
	GH := 3 * H
	for b := b0; b < b1; b++ {
		row := t*B + b
		a := tr.act[row*GH : (row+1)*GH]
		g := tr.gh[b*GH : (b+1)*GH]
		ghn := tr.ghn[row*H : (row+1)*H]
		hp := tr.hs[row*H : (row+1)*H]
		hn := tr.hs[(row+B)*H : (row+B+1)*H]
		for j := 0; j < H; j++ {
			r := bpttSigmoid(a[j] + g[j])
			z := bpttSigmoid(a[H+j] + g[H+j])
			ghn[j] = g[2*H+j]
			n := math.Tanh(a[2*H+j] + r*ghn[j])
			a[j], a[H+j], a[2*H+j] = r, z, n
			hn[j] = (1-z)*n + z*hp[j]
		}
	}
}

// gruBack takes dL/dh_t (tr.dh) through step t of a GRU. With
// a_n = gi_n + r ⊙ gh_n it writes
//
//	dgi = (dL/da_r, dL/da_z, dL/da_n),  dgh = (dL/da_r, dL/da_z, r ⊙ dL/da_n),
//	dL/da_n = dL/dh_t (1 − z)(1 − n²),  dL/da_z = dL/dh_t (h_{t−1} − n) z(1 − z),
//	dL/da_r = dL/da_n gh_n r(1 − r),
//
// and the direct part dL/dh_t ⊙ z of dL/dh_{t−1} into tr.dhPrev.
func (tr *SeqTrainer) gruBack(t, b0, b1 int) {
	B, H := tr.size, tr.hid
	GH := 3 * H
	for b := b0; b < b1; b++ {
		row := t*B + b
		a := tr.act[row*GH : (row+1)*GH]
		ghn := tr.ghn[row*H : (row+1)*H]
		hp := tr.hs[row*H : (row+1)*H]
		di := tr.dgi[row*GH : (row+1)*GH]
		dg := tr.dgh[row*GH : (row+1)*GH]
		dh := tr.dh[b*H : (b+1)*H]
		dp := tr.dhPrev[b*H : (b+1)*H]
		for j := 0; j < H; j++ {
			r, z, n := a[j], a[H+j], a[2*H+j]
			d := dh[j]
			dp[j] = d * z
			dan := d * (1 - z) * (1 - n*n)
			daz := d * (hp[j] - n) * z * (1 - z)
			dar := dan * ghn[j] * r * (1 - r)
			di[j], di[H+j], di[2*H+j] = dar, daz, dan
			dg[j], dg[H+j], dg[2*H+j] = dar, daz, dan*r
		}
	}
}
