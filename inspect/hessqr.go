// Portions of this file are derived from gonum's lapack/gonum/dlaqr04.go,
// Copyright ©2016 The Gonum Authors, under its BSD-style licence
// (https://github.com/gonum/gonum/blob/master/LICENSE).

package inspect

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"

	"attractor/internal/gemm"
)

// hqrParams are the tuning parameters of the small-bulge multishift QR
// with aggressive early deflation (LAPACK's IPARMQ) for an active block of
// order nh: the number of simultaneous shifts ns, the deflation window nw,
// the Dlahqr crossover nmin, the sweep-skipping threshold nibble (percent)
// and kacc22, the mode of Dlaqr5's far-from-diagonal updates.
//
// gonum v0.17's Iparmq picks its shift count with a switch whose first case
// (nh ≥ 30) catches every larger block, so it chases 4 shifts at any order
// and its Dlaqr5 never accumulates reflectors into level-3 updates. These
// are LAPACK 3.12's values, which chase 64 shifts at N = 1000 and let
// Dlaqr5 apply them through Dgemm.
func hqrParams(nh int) (ns, nw, nmin, nibble, kacc22 int) {
	ns = 2
	if nh >= 30 {
		ns = 4
	}
	if nh >= 60 {
		ns = 10
	}
	if nh >= 150 {
		ns = max(10, nh/int(math.Round(math.Log2(float64(nh)))))
	}
	if nh >= 590 {
		ns = 64
	}
	if nh >= 3000 {
		ns = 128
	}
	if nh >= 6000 {
		ns = 256
	}
	ns = max(2, ns-ns%2)
	nw = ns
	if nh > 500 {
		nw = 3 * ns / 2
	}
	kacc22 = 0
	if ns >= 14 {
		kacc22 = 2
	}
	return ns, nw, 75, 14, kacc22
}

// hqrEigenvalues computes the eigenvalues of the upper Hessenberg matrix h
// (row-major, n×n, stride ldh; the block outside ilo..ihi already isolated
// by balancing) into wr and wi, like Dhseqr with job EigenvaluesOnly. The
// part of h below the first subdiagonal is used as workspace. It returns
// the number of eigenvalues that failed to converge (those are wr[:k]).
func hqrEigenvalues(n, ilo, ihi int, h []float64, ldh int, wr, wi []float64) int {
	var impl gonum.Implementation
	for i := 0; i < ilo; i++ {
		wr[i], wi[i] = h[i*ldh+i], 0
	}
	for i := ihi + 1; i < n; i++ {
		wr[i], wi[i] = h[i*ldh+i], 0
	}
	if ilo == ihi {
		wr[ilo], wi[ilo] = h[ilo*ldh+ilo], 0
		return 0
	}
	if _, _, nmin, _, _ := hqrParams(ihi - ilo + 1); n <= nmin {
		work := make([]float64, max(1, n))
		impl.Dhseqr(lapack.EigenvaluesOnly, lapack.SchurNone, n, ilo, ihi, h, ldh, wr, wi, nil, 1, work, -1)
		work = make([]float64, max(n, int(work[0])))
		return impl.Dhseqr(lapack.EigenvaluesOnly, lapack.SchurNone, n, ilo, ihi, h, ldh, wr, wi, nil, 1, work, len(work))
	}
	work := make([]float64, 1)
	hqrMultishift(n, ilo, ihi, h, ldh, wr[:ihi+1], wi[:ihi+1], work, -1)
	work = make([]float64, max(n, int(work[0])))
	defer gemm.Fused(work)()
	return hqrMultishift(n, ilo, ihi, h, ldh, wr[:ihi+1], wi[:ihi+1], work, len(work))
}

// hqrMultishift is gonum's Dlaqr04 (LAPACK's DLAQR0) for eigenvalues only
// (wantt = wantz = false, recursion depth 1) with the parameters of
// hqrParams in place of gonum's Iparmq. n must exceed 15.
func hqrMultishift(n, ilo, ihi int, h []float64, ldh int, wr, wi []float64, work []float64, lwork int) (unconverged int) {
	const (
		kexnw = 5
		kexsh = 6
		wilk1 = 0.75
		wilk2 = -0.4375
		recur = 1
	)
	var impl gonum.Implementation
	const wantt, wantz = false, false
	var z []float64
	const ldz, iloz, ihiz = 1, 0, 0

	nsr, nwr, nmin, nibble, kacc22 := hqrParams(ihi - ilo + 1)
	nmin = max(15, nmin)
	nwr = max(2, nwr)
	nwr = min(ihi-ilo+1, min((n-1)/3, nwr))
	// The window's Schur form: LAPACK recurses into DLAQR4 for windows
	// larger than nmin, but gonum's Dlaqr04 would chase 4 shifts there
	// (its Iparmq), slower than Dlahqr on a window of at most nmin.
	nwr = min(nwr, nmin-1)
	nsr = min(nsr, min((n-3)/6, ihi-ilo))
	nsr = max(2, nsr&^1)

	impl.Dlaqr23(wantt, wantz, n, ilo, ihi, nwr+1, h, ldh, iloz, ihiz, z, ldz,
		wr, wi, h, ldh, n, h, ldh, n, h, ldh, work, -1, recur)
	lwkopt := max(3*nsr/2, int(work[0]))
	if lwork == -1 {
		work[0] = float64(lwkopt)
		return 0
	}

	nwmax := min((n-1)/3, lwork/2)
	nw := nwmax
	nsmax := min((n-3)/6, 2*lwork/3) &^ 1
	ndfl := 1
	ndec := 0

	itmax := max(30, 2*kexsh) * max(10, (ihi-ilo+1))
	it := 0
	for kbot := ihi; kbot >= ilo; {
		if it == itmax {
			unconverged = kbot + 1
			break
		}
		it++

		ktop := ilo
		for k := kbot; k >= ilo+1; k-- {
			if h[k*ldh+k-1] == 0 {
				ktop = k
				break
			}
		}

		nh := kbot - ktop + 1
		nwupbd := min(nh, nwmax)
		if ndfl < kexnw {
			nw = min(nwupbd, nwr)
		} else {
			nw = min(nwupbd, 2*nw)
		}
		if nw < nwmax {
			if nw >= nh-1 {
				nw = nh
			} else {
				kwtop := kbot - nw + 1
				if math.Abs(h[kwtop*ldh+kwtop-1]) > math.Abs(h[(kwtop-1)*ldh+kwtop-2]) {
					nw++
				}
			}
		}
		if ndfl < kexnw {
			ndec = -1
		} else if ndec >= 0 || nw >= nwupbd {
			ndec++
			if nw-ndec < 2 {
				ndec = 0
			}
			nw -= ndec
		}

		kv := n - nw
		kt := nw
		kwv := nw + 1
		nhv := n - kwv - kt
		ls, ld := impl.Dlaqr23(wantt, wantz, n, ktop, kbot, nw,
			h, ldh, iloz, ihiz, z, ldz, wr[:kbot+1], wi[:kbot+1],
			h[kv*ldh:], ldh, nhv, h[kv*ldh+kt:], ldh, nhv, h[kwv*ldh:], ldh, work, lwork, recur)

		kbot -= ld
		ks := kbot - ls + 1

		if ld > 0 && (100*ld > nw*nibble || kbot-ktop+1 <= min(nmin, nwmax)) {
			ndfl = 1
			continue
		}

		ns := min(min(nsmax, nsr), max(2, kbot-ktop)) &^ 1

		if ndfl%kexsh == 0 {
			ks = kbot - ns + 1
			for i := kbot; i > max(ks, ktop+1); i -= 2 {
				ss := math.Abs(h[i*ldh+i-1]) + math.Abs(h[(i-1)*ldh+i-2])
				aa := wilk1*ss + h[i*ldh+i]
				_, _, _, _, wr[i-1], wi[i-1], wr[i], wi[i], _, _ =
					impl.Dlanv2(aa, ss, wilk2*ss, aa)
			}
			if ks == ktop {
				wr[ks+1] = h[(ks+1)*ldh+ks+1]
				wi[ks+1] = 0
				wr[ks] = wr[ks+1]
				wi[ks] = wi[ks+1]
			}
		} else {
			if kbot-ks+1 <= ns/2 {
				ks = kbot - ns + 1
				kt = n - ns
				impl.Dlacpy(blas.All, ns, ns, h[ks*ldh+ks:], ldh, h[kt*ldh:], ldh)
				if ns > nmin && recur > 0 {
					ks += impl.Dlaqr04(false, false, ns, 1, ns-1, h[kt*ldh:], ldh,
						wr[ks:ks+ns], wi[ks:ks+ns], 0, 0, nil, 0, work, lwork, recur-1)
				} else {
					ks += impl.Dlahqr(false, false, ns, 0, ns-1, h[kt*ldh:], ldh,
						wr[ks:ks+ns], wi[ks:ks+ns], 0, 0, nil, 1)
				}
				if ks >= kbot {
					aa := h[(kbot-1)*ldh+kbot-1]
					bb := h[(kbot-1)*ldh+kbot]
					cc := h[kbot*ldh+kbot-1]
					dd := h[kbot*ldh+kbot]
					_, _, _, _, wr[kbot-1], wi[kbot-1], wr[kbot], wi[kbot], _, _ =
						impl.Dlanv2(aa, bb, cc, dd)
					ks = kbot - 1
				}
			}

			if kbot-ks+1 > ns {
				// Bubble sort by magnitude keeps conjugate pairs together.
				sorted := false
				for k := kbot; k > ks; k-- {
					if sorted {
						break
					}
					sorted = true
					for i := ks; i < k; i++ {
						if math.Abs(wr[i])+math.Abs(wi[i]) >= math.Abs(wr[i+1])+math.Abs(wi[i+1]) {
							continue
						}
						sorted = false
						wr[i], wr[i+1] = wr[i+1], wr[i]
						wi[i], wi[i+1] = wi[i+1], wi[i]
					}
				}
			}

			for i := kbot; i > ks+1; i -= 2 {
				if wi[i] == -wi[i-1] {
					continue
				}
				wr[i], wr[i-1], wr[i-2] = wr[i-1], wr[i-2], wr[i]
				wi[i], wi[i-1], wi[i-2] = wi[i-1], wi[i-2], wi[i]
			}
		}

		if kbot-ks+1 == 2 && wi[kbot] == 0 {
			if math.Abs(wr[kbot]-h[kbot*ldh+kbot]) < math.Abs(wr[kbot-1]-h[kbot*ldh+kbot]) {
				wr[kbot-1] = wr[kbot]
			} else {
				wr[kbot] = wr[kbot-1]
			}
		}

		ns = min(ns, kbot-ks+1) &^ 1
		ks = kbot - ns + 1

		kdu := 2 * ns
		ku := n - kdu
		kwh := kdu
		kwv = kdu + 3
		nhv = n - kwv - kdu
		impl.Dlaqr5(wantt, wantz, kacc22, n, ktop, kbot, ns,
			wr[ks:ks+ns], wi[ks:ks+ns], h, ldh, iloz, ihiz, z, ldz,
			work, 3, h[ku*ldh:], ldh, nhv, h[kwv*ldh:], ldh, nhv, h[ku*ldh+kwh:], ldh)

		if ld > 0 {
			ndfl = 1
		} else {
			ndfl++
		}
	}
	work[0] = float64(lwkopt)
	return unconverged
}
