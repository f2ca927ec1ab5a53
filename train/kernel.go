package train

import (
	"math"
	mathbits "math/bits"

	"attractor/internal/gemm"
)

// The kernels of this file are the hot loops of backpropagation through time
// for the leaky rate network (leaky.go). Each has a pure-Go version that
// defines its result; on amd64 with AVX2 and FMA an assembly version, and
// with AVX-512 (F and DQ) a second one on eight lanes, computes the same
// operations in the same order (the same bits, checked by kernel_test.go
// and TestLeakyDeterministic).

// kernUseAsm reports whether the AVX2/FMA assembly kernels are used. It is
// set at start-up from the CPU's features and may be cleared by tests.
var kernUseAsm = kernHaveAVX2FMA()

// kernUseAVX512 selects, with kernUseAsm, the AVX-512 versions of the
// element-wise kernels (the same operations lane by lane, so the same
// bits). It is set at start-up and may be cleared by tests.
var kernUseAVX512 = kernHaveAVX512()

// kernGemm adds A·B to C (internal/gemm's AddMul; see there for the
// operands). Every element of C is accumulated as c = fma(a_p, b_p, c) for
// p = 0, 1, …, k−1, so the assembly and Go versions agree bit for bit.
func kernGemm(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if kernUseAsm {
		gemm.AddMul(m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	gemm.AddMulGo(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// kernLeakyFwd sets h = tanh(pre) and xNext = (1−a)·xPrev + a·h elementwise,
// over the first n elements (n a multiple of 4). xNext may alias xPrev and h
// may alias pre.
func kernLeakyFwd(n int, xNext, xPrev, h, pre []float64, a float64) {
	if n%4 != 0 || len(xNext) < n || len(xPrev) < n || len(h) < n || len(pre) < n {
		panic("train: kernLeakyFwd: bad length")
	}
	if n == 0 {
		return
	}
	if kernUseAsm && kernUseAVX512 {
		kernLeakyFwdAVX512(n, &xNext[0], &xPrev[0], &h[0], &pre[0], a)
		return
	}
	if kernUseAsm {
		kernLeakyFwdAVX2(n, &xNext[0], &xPrev[0], &h[0], &pre[0], a)
		return
	}
	oma := 1 - a
	for i := 0; i < n; i++ {
		t := kernTanh(pre[i])
		h[i] = t
		xNext[i] = float64(oma*xPrev[i]) + float64(a*t)
	}
}

// kernLeakyBwd sets dpre = (a·g)·(1 − h·h) and gOut = (1−a)·g elementwise
// over the first n elements (n a multiple of 4). gOut may alias g.
func kernLeakyBwd(n int, dpre, gOut, g, h []float64, a float64) {
	if n%4 != 0 || len(dpre) < n || len(gOut) < n || len(g) < n || len(h) < n {
		panic("train: kernLeakyBwd: bad length")
	}
	if n == 0 {
		return
	}
	if kernUseAsm && kernUseAVX512 {
		kernLeakyBwdAVX512(n, &dpre[0], &gOut[0], &g[0], &h[0], a)
		return
	}
	if kernUseAsm {
		kernLeakyBwdAVX2(n, &dpre[0], &gOut[0], &g[0], &h[0], a)
		return
	}
	oma := 1 - a
	for i := 0; i < n; i++ {
		gi := g[i]
		d := 1 - float64(h[i]*h[i])
		dpre[i] = float64(a*gi) * d
		gOut[i] = oma * gi
	}
}

// kernNormals sets dst[k] = scale·leakyNormal(s0 + k·γ) for every k <
// len(dst) (γ = leakyGamma), the noise and initial states of a row. With
// AVX-512 the hashes and the ziggurat's fast path run on eight lanes (64-bit
// multiplies, gathers from the layer tables) and the rare rejections, about
// 1.2 %, are redone here with leakyNormalSlow: every value is the bits of
// the scalar loop. rej is scratch of at least len(dst)/8 bytes.
func kernNormals(dst []float64, s0 uint64, scale float64, rej []uint8) {
	n8 := 0
	if kernUseAsm && kernUseAVX512 {
		n8 = len(dst) &^ 7
	}
	if n8 > 0 {
		if len(rej) < n8/8 {
			panic("train: kernNormals: short rejection scratch")
		}
		kernNormalsAVX512(n8, &dst[0], s0, scale, &leakyZigKn64[0], &leakyZig.wn[0], &rej[0])
		for blk, bits := range rej[:n8/8] {
			for ; bits != 0; bits &= bits - 1 {
				k := blk*8 + mathbits.TrailingZeros8(bits)
				dst[k] = scale * leakyNormalSlow(leakyHash(s0+uint64(k)*leakyGamma))
			}
		}
	}
	for k := n8; k < len(dst); k++ {
		dst[k] = scale * leakyNormal(s0+uint64(k)*leakyGamma)
	}
}

// Constants of kernTanh (bit patterns shared with kernel_amd64.s): the
// Taylor coefficients 1/(n+1)! of (eʳ − 1)/r, n = 12 … 1, and Cody–Waite
// ln 2 split as in fdlibm.
var kernExpC = [12]float64{
	math.Float64frombits(0x3de6124613a86d09), math.Float64frombits(0x3e21eed8eff8d898),
	math.Float64frombits(0x3e5ae64567f544e4), math.Float64frombits(0x3e927e4fb7789f5c),
	math.Float64frombits(0x3ec71de3a556c734), math.Float64frombits(0x3efa01a01a01a01a),
	math.Float64frombits(0x3f2a01a01a01a01a), math.Float64frombits(0x3f56c16c16c16c17),
	math.Float64frombits(0x3f81111111111111), math.Float64frombits(0x3fa5555555555555),
	math.Float64frombits(0x3fc5555555555555), math.Float64frombits(0x3fe0000000000000),
}

const (
	kernLn2Hi = 6.93147180369123816490e-01
	kernLn2Lo = 1.90821492927058770002e-10
	kernMagic = 0x1.8p52
)

// kernTanh is tanh(x) = sign(x)·(−e)/(2 + e) with e = expm1(−2|x|), where
// expm1(y) = 2ᵏ·q(r) + (2ᵏ − 1), y = k ln 2 + r, |r| ≤ ln2/2 and q(r) the
// degree-13 Taylor polynomial of eʳ − 1. Its error is a few ulp for every
// x; it returns ±1 for |x| ≥ 20 and a NaN for a NaN.
func kernTanh(x float64) float64 {
	bits := math.Float64bits(x)
	sign := bits & (1 << 63)
	y := -2 * math.Float64frombits(bits&^(1<<63))
	if !(y >= -40) { // also NaN: VMAXPD returns its second operand, the NaN
		if y == y {
			y = -40
		}
	}
	t := float64(y*math.Log2E) + kernMagic
	kf := t - kernMagic
	s := math.Float64frombits(math.Float64bits(t)<<52 + math.Float64bits(1))
	r := math.FMA(kf, -kernLn2Hi, y)
	r = math.FMA(kf, -kernLn2Lo, r)
	p := kernExpC[0]
	for _, c := range kernExpC[1:] {
		p = math.FMA(p, r, c)
	}
	p = math.FMA(p, r, 1)
	q := r * p
	e := math.FMA(s, q, s-1)
	v := e / (e + 2)
	return math.Float64frombits(math.Float64bits(v) ^ sign ^ (1 << 63))
}
