//go:build amd64 && !purego

#include "textflag.h"

// Constants, each repeated in the four lanes of a vector.
DATA kernConst<>+0(SB)/8, $0x7fffffffffffffff
DATA kernConst<>+8(SB)/8, $0x7fffffffffffffff
DATA kernConst<>+16(SB)/8, $0x7fffffffffffffff
DATA kernConst<>+24(SB)/8, $0x7fffffffffffffff
DATA kernConst<>+32(SB)/8, $0x8000000000000000
DATA kernConst<>+40(SB)/8, $0x8000000000000000
DATA kernConst<>+48(SB)/8, $0x8000000000000000
DATA kernConst<>+56(SB)/8, $0x8000000000000000
DATA kernConst<>+64(SB)/8, $0xc000000000000000
DATA kernConst<>+72(SB)/8, $0xc000000000000000
DATA kernConst<>+80(SB)/8, $0xc000000000000000
DATA kernConst<>+88(SB)/8, $0xc000000000000000
DATA kernConst<>+96(SB)/8, $0xc044000000000000
DATA kernConst<>+104(SB)/8, $0xc044000000000000
DATA kernConst<>+112(SB)/8, $0xc044000000000000
DATA kernConst<>+120(SB)/8, $0xc044000000000000
DATA kernConst<>+128(SB)/8, $0x3ff71547652b82fe
DATA kernConst<>+136(SB)/8, $0x3ff71547652b82fe
DATA kernConst<>+144(SB)/8, $0x3ff71547652b82fe
DATA kernConst<>+152(SB)/8, $0x3ff71547652b82fe
DATA kernConst<>+160(SB)/8, $0x4338000000000000
DATA kernConst<>+168(SB)/8, $0x4338000000000000
DATA kernConst<>+176(SB)/8, $0x4338000000000000
DATA kernConst<>+184(SB)/8, $0x4338000000000000
DATA kernConst<>+192(SB)/8, $0xbfe62e42fee00000
DATA kernConst<>+200(SB)/8, $0xbfe62e42fee00000
DATA kernConst<>+208(SB)/8, $0xbfe62e42fee00000
DATA kernConst<>+216(SB)/8, $0xbfe62e42fee00000
DATA kernConst<>+224(SB)/8, $0xbdea39ef35793c76
DATA kernConst<>+232(SB)/8, $0xbdea39ef35793c76
DATA kernConst<>+240(SB)/8, $0xbdea39ef35793c76
DATA kernConst<>+248(SB)/8, $0xbdea39ef35793c76
DATA kernConst<>+256(SB)/8, $0x3ff0000000000000
DATA kernConst<>+264(SB)/8, $0x3ff0000000000000
DATA kernConst<>+272(SB)/8, $0x3ff0000000000000
DATA kernConst<>+280(SB)/8, $0x3ff0000000000000
DATA kernConst<>+288(SB)/8, $0x4000000000000000
DATA kernConst<>+296(SB)/8, $0x4000000000000000
DATA kernConst<>+304(SB)/8, $0x4000000000000000
DATA kernConst<>+312(SB)/8, $0x4000000000000000
DATA kernConst<>+320(SB)/8, $0x3de6124613a86d09
DATA kernConst<>+328(SB)/8, $0x3de6124613a86d09
DATA kernConst<>+336(SB)/8, $0x3de6124613a86d09
DATA kernConst<>+344(SB)/8, $0x3de6124613a86d09
DATA kernConst<>+352(SB)/8, $0x3e21eed8eff8d898
DATA kernConst<>+360(SB)/8, $0x3e21eed8eff8d898
DATA kernConst<>+368(SB)/8, $0x3e21eed8eff8d898
DATA kernConst<>+376(SB)/8, $0x3e21eed8eff8d898
DATA kernConst<>+384(SB)/8, $0x3e5ae64567f544e4
DATA kernConst<>+392(SB)/8, $0x3e5ae64567f544e4
DATA kernConst<>+400(SB)/8, $0x3e5ae64567f544e4
DATA kernConst<>+408(SB)/8, $0x3e5ae64567f544e4
DATA kernConst<>+416(SB)/8, $0x3e927e4fb7789f5c
DATA kernConst<>+424(SB)/8, $0x3e927e4fb7789f5c
DATA kernConst<>+432(SB)/8, $0x3e927e4fb7789f5c
DATA kernConst<>+440(SB)/8, $0x3e927e4fb7789f5c
DATA kernConst<>+448(SB)/8, $0x3ec71de3a556c734
DATA kernConst<>+456(SB)/8, $0x3ec71de3a556c734
DATA kernConst<>+464(SB)/8, $0x3ec71de3a556c734
DATA kernConst<>+472(SB)/8, $0x3ec71de3a556c734
DATA kernConst<>+480(SB)/8, $0x3efa01a01a01a01a
DATA kernConst<>+488(SB)/8, $0x3efa01a01a01a01a
DATA kernConst<>+496(SB)/8, $0x3efa01a01a01a01a
DATA kernConst<>+504(SB)/8, $0x3efa01a01a01a01a
DATA kernConst<>+512(SB)/8, $0x3f2a01a01a01a01a
DATA kernConst<>+520(SB)/8, $0x3f2a01a01a01a01a
DATA kernConst<>+528(SB)/8, $0x3f2a01a01a01a01a
DATA kernConst<>+536(SB)/8, $0x3f2a01a01a01a01a
DATA kernConst<>+544(SB)/8, $0x3f56c16c16c16c17
DATA kernConst<>+552(SB)/8, $0x3f56c16c16c16c17
DATA kernConst<>+560(SB)/8, $0x3f56c16c16c16c17
DATA kernConst<>+568(SB)/8, $0x3f56c16c16c16c17
DATA kernConst<>+576(SB)/8, $0x3f81111111111111
DATA kernConst<>+584(SB)/8, $0x3f81111111111111
DATA kernConst<>+592(SB)/8, $0x3f81111111111111
DATA kernConst<>+600(SB)/8, $0x3f81111111111111
DATA kernConst<>+608(SB)/8, $0x3fa5555555555555
DATA kernConst<>+616(SB)/8, $0x3fa5555555555555
DATA kernConst<>+624(SB)/8, $0x3fa5555555555555
DATA kernConst<>+632(SB)/8, $0x3fa5555555555555
DATA kernConst<>+640(SB)/8, $0x3fc5555555555555
DATA kernConst<>+648(SB)/8, $0x3fc5555555555555
DATA kernConst<>+656(SB)/8, $0x3fc5555555555555
DATA kernConst<>+664(SB)/8, $0x3fc5555555555555
DATA kernConst<>+672(SB)/8, $0x3fe0000000000000
DATA kernConst<>+680(SB)/8, $0x3fe0000000000000
DATA kernConst<>+688(SB)/8, $0x3fe0000000000000
DATA kernConst<>+696(SB)/8, $0x3fe0000000000000
GLOBL kernConst<>(SB), RODATA|NOPTR, $704

// BPTT_TANH computes Y0 = tanh(Y0) as −expm1(−2|x|)/(2 + expm1(−2|x|)) with
// the sign of x; it clobbers Y1, Y2, Y4..Y8 and mirrors kernTanhGo op by op.
#define BPTT_TANH \
	VANDPD kernConst<>+32(SB), Y0, Y1 \
	VANDPD kernConst<>+0(SB), Y0, Y0 \
	VMULPD kernConst<>+64(SB), Y0, Y0 \
	VMOVUPD kernConst<>+96(SB), Y2 \
	VMAXPD Y0, Y2, Y0 \
	VMULPD kernConst<>+128(SB), Y0, Y2 \
	VADDPD kernConst<>+160(SB), Y2, Y2 \
	VSUBPD kernConst<>+160(SB), Y2, Y4 \
	VPSLLQ $52, Y2, Y2 \
	VPADDQ kernConst<>+256(SB), Y2, Y5 \
	VMOVAPD Y0, Y6 \
	VFMADD231PD kernConst<>+192(SB), Y4, Y6 \
	VFMADD231PD kernConst<>+224(SB), Y4, Y6 \
	VMOVUPD kernConst<>+320(SB), Y7 \
	VFMADD213PD kernConst<>+352(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+384(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+416(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+448(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+480(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+512(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+544(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+576(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+608(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+640(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+672(SB), Y6, Y7 \
	VFMADD213PD kernConst<>+256(SB), Y6, Y7 \
	VMULPD Y7, Y6, Y7 \
	VSUBPD kernConst<>+256(SB), Y5, Y8 \
	VFMADD231PD Y7, Y5, Y8 \
	VADDPD kernConst<>+288(SB), Y8, Y2 \
	VDIVPD Y2, Y8, Y0 \
	VXORPD kernConst<>+32(SB), Y1, Y1 \
	VXORPD Y1, Y0, Y0


// func kernLeakyFwdAVX2(n int, xNext, xPrev, h, pre *float64, a float64)
// For i < n (a multiple of 4): h[i] = tanh(pre[i]);
// xNext[i] = (1−a)·xPrev[i] + a·h[i] (two products and a sum, no FMA).
TEXT ·kernLeakyFwdAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ xNext+8(FP), DI
	MOVQ xPrev+16(FP), SI
	MOVQ h+24(FP), DX
	MOVQ pre+32(FP), R8
	VBROADCASTSD a+40(FP), Y10
	VBROADCASTSD kernConst<>+256(SB), Y11
	VSUBPD Y10, Y11, Y11
	SHRQ $2, CX
	JEQ  fwddone

fwdloop:
	VMOVUPD (R8), Y0
	BPTT_TANH
	VMOVUPD Y0, (DX)
	VMULPD  Y10, Y0, Y0
	VMULPD  (SI), Y11, Y9
	VADDPD  Y0, Y9, Y9
	VMOVUPD Y9, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	DECQ    CX
	JNZ     fwdloop

fwddone:
	VZEROUPPER
	RET

// func kernLeakyBwdAVX2(n int, dpre, gOut, gin, h *float64, a float64)
// For i < n (a multiple of 4): dpre[i] = (a·g[i])·(1 − h[i]·h[i]);
// gOut[i] = (1−a)·g[i].
TEXT ·kernLeakyBwdAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ dpre+8(FP), DI
	MOVQ gOut+16(FP), SI
	MOVQ gin+24(FP), DX
	MOVQ h+32(FP), R8
	VBROADCASTSD a+40(FP), Y10
	VBROADCASTSD kernConst<>+256(SB), Y12
	VSUBPD Y10, Y12, Y11
	SHRQ $2, CX
	JEQ  bwddone

bwdloop:
	VMOVUPD (DX), Y0
	VMOVUPD (R8), Y1
	VMULPD  Y1, Y1, Y1
	VSUBPD  Y1, Y12, Y1
	VMULPD  Y10, Y0, Y2
	VMULPD  Y1, Y2, Y2
	VMOVUPD Y2, (DI)
	VMULPD  Y11, Y0, Y0
	VMOVUPD Y0, (SI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	DECQ    CX
	JNZ     bwdloop

bwddone:
	VZEROUPPER
	RET


// AVX-512 versions of the two kernels: eight lanes, the constants held in
// registers (Z8 = a, Z9 = 1−a, Z10–Z19 the constants of BPTT_TANH in the
// order of kernConst, Z20–Z31 the twelve Taylor coefficients), and the
// last four elements, when n is not a multiple of 8, under the mask K1
// (masked loads, so nothing past n is read). TANH512 is BPTT_TANH op by op
// on Z0 (same operand order, so the same bits, NaN included); it clobbers
// Z1, Z2, Z4–Z7.
#define TANH512 \
	VANDPD Z11, Z0, Z1 \
	VANDPD Z10, Z0, Z0 \
	VMULPD Z12, Z0, Z0 \
	VMAXPD Z0, Z13, Z0 \
	VMULPD Z14, Z0, Z2 \
	VADDPD Z15, Z2, Z2 \
	VSUBPD Z15, Z2, Z4 \
	VPSLLQ $52, Z2, Z2 \
	VPADDQ Z18, Z2, Z5 \
	VMOVAPD Z0, Z6 \
	VFMADD231PD Z16, Z4, Z6 \
	VFMADD231PD Z17, Z4, Z6 \
	VMOVAPD Z20, Z7 \
	VFMADD213PD Z21, Z6, Z7 \
	VFMADD213PD Z22, Z6, Z7 \
	VFMADD213PD Z23, Z6, Z7 \
	VFMADD213PD Z24, Z6, Z7 \
	VFMADD213PD Z25, Z6, Z7 \
	VFMADD213PD Z26, Z6, Z7 \
	VFMADD213PD Z27, Z6, Z7 \
	VFMADD213PD Z28, Z6, Z7 \
	VFMADD213PD Z29, Z6, Z7 \
	VFMADD213PD Z30, Z6, Z7 \
	VFMADD213PD Z31, Z6, Z7 \
	VFMADD213PD Z18, Z6, Z7 \
	VMULPD Z7, Z6, Z7 \
	VSUBPD Z18, Z5, Z2 \
	VFMADD231PD Z7, Z5, Z2 \
	VADDPD Z19, Z2, Z4 \
	VDIVPD Z4, Z2, Z0 \
	VXORPD Z11, Z1, Z1 \
	VXORPD Z1, Z0, Z0

// func kernLeakyFwdAVX512(n int, xNext, xPrev, h, pre *float64, a float64)
// kernLeakyFwdAVX2 on eight lanes.
TEXT ·kernLeakyFwdAVX512(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ xNext+8(FP), DI
	MOVQ xPrev+16(FP), SI
	MOVQ h+24(FP), DX
	MOVQ pre+32(FP), R8
	VBROADCASTSD a+40(FP), Z8
	VBROADCASTSD kernConst<>+256(SB), Z9
	VSUBPD Z8, Z9, Z9
	VBROADCASTSD kernConst<>+0(SB), Z10
	VBROADCASTSD kernConst<>+32(SB), Z11
	VBROADCASTSD kernConst<>+64(SB), Z12
	VBROADCASTSD kernConst<>+96(SB), Z13
	VBROADCASTSD kernConst<>+128(SB), Z14
	VBROADCASTSD kernConst<>+160(SB), Z15
	VBROADCASTSD kernConst<>+192(SB), Z16
	VBROADCASTSD kernConst<>+224(SB), Z17
	VBROADCASTSD kernConst<>+256(SB), Z18
	VBROADCASTSD kernConst<>+288(SB), Z19
	VBROADCASTSD kernConst<>+320(SB), Z20
	VBROADCASTSD kernConst<>+352(SB), Z21
	VBROADCASTSD kernConst<>+384(SB), Z22
	VBROADCASTSD kernConst<>+416(SB), Z23
	VBROADCASTSD kernConst<>+448(SB), Z24
	VBROADCASTSD kernConst<>+480(SB), Z25
	VBROADCASTSD kernConst<>+512(SB), Z26
	VBROADCASTSD kernConst<>+544(SB), Z27
	VBROADCASTSD kernConst<>+576(SB), Z28
	VBROADCASTSD kernConst<>+608(SB), Z29
	VBROADCASTSD kernConst<>+640(SB), Z30
	VBROADCASTSD kernConst<>+672(SB), Z31
	MOVQ CX, BX
	SHRQ $3, CX
	JEQ  fwd512tail

fwd512loop:
	VMOVUPD (R8), Z0
	TANH512
	VMOVUPD Z0, (DX)
	VMULPD  Z8, Z0, Z0
	VMULPD  (SI), Z9, Z3
	VADDPD  Z0, Z3, Z3
	VMOVUPD Z3, (DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	DECQ    CX
	JNZ     fwd512loop

fwd512tail:
	ANDQ $4, BX
	JEQ  fwd512done
	MOVQ $15, AX
	KMOVW AX, K1
	VMOVUPD.Z (R8), K1, Z0
	TANH512
	VMOVUPD Z0, K1, (DX)
	VMULPD  Z8, Z0, Z0
	VMOVUPD.Z (SI), K1, Z3
	VMULPD  Z3, Z9, Z3
	VADDPD  Z0, Z3, Z3
	VMOVUPD Z3, K1, (DI)

fwd512done:
	VZEROUPPER
	RET

// func kernLeakyBwdAVX512(n int, dpre, gOut, gin, h *float64, a float64)
// kernLeakyBwdAVX2 on eight lanes.
TEXT ·kernLeakyBwdAVX512(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ dpre+8(FP), DI
	MOVQ gOut+16(FP), SI
	MOVQ gin+24(FP), DX
	MOVQ h+32(FP), R8
	VBROADCASTSD a+40(FP), Z10
	VBROADCASTSD kernConst<>+256(SB), Z12
	VSUBPD Z10, Z12, Z11
	MOVQ CX, BX
	SHRQ $3, CX
	JEQ  bwd512tail

bwd512loop:
	VMOVUPD (DX), Z0
	VMOVUPD (R8), Z1
	VMULPD  Z1, Z1, Z1
	VSUBPD  Z1, Z12, Z1
	VMULPD  Z10, Z0, Z2
	VMULPD  Z1, Z2, Z2
	VMOVUPD Z2, (DI)
	VMULPD  Z11, Z0, Z0
	VMOVUPD Z0, (SI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	DECQ    CX
	JNZ     bwd512loop

bwd512tail:
	ANDQ $4, BX
	JEQ  bwd512done
	MOVQ $15, AX
	KMOVW AX, K1
	VMOVUPD.Z (DX), K1, Z0
	VMOVUPD.Z (R8), K1, Z1
	VMULPD  Z1, Z1, Z1
	VSUBPD  Z1, Z12, Z1
	VMULPD  Z10, Z0, Z2
	VMULPD  Z1, Z2, Z2
	VMOVUPD Z2, K1, (DI)
	VMULPD  Z11, Z0, Z0
	VMOVUPD Z0, K1, (SI)

bwd512done:
	VZEROUPPER
	RET

// normConst: the lane offsets j·γ (j = 0 … 7) of SplitMix64's increment
// γ, then 8γ, the two multipliers of its output function and the layer
// mask 127 of the ziggurat.
DATA normConst<>+0(SB)/8, $0x0000000000000000
DATA normConst<>+8(SB)/8, $0x9e3779b97f4a7c15
DATA normConst<>+16(SB)/8, $0x3c6ef372fe94f82a
DATA normConst<>+24(SB)/8, $0xdaa66d2c7ddf743f
DATA normConst<>+32(SB)/8, $0x78dde6e5fd29f054
DATA normConst<>+40(SB)/8, $0x1715609f7c746c69
DATA normConst<>+48(SB)/8, $0xb54cda58fbbee87e
DATA normConst<>+56(SB)/8, $0x538454127b096493
DATA normConst<>+64(SB)/8, $0xf1bbcdcbfa53e0a8
DATA normConst<>+72(SB)/8, $0xbf58476d1ce4e5b9
DATA normConst<>+80(SB)/8, $0x94d049bb133111eb
DATA normConst<>+88(SB)/8, $0x000000000000007f
GLOBL normConst<>(SB), RODATA|NOPTR, $96

// func kernNormalsAVX512(n int, dst *float64, s0 uint64, scale float64, kn *uint64, wn *float64, rej *uint8)
// For k < n (a multiple of 8), with u the SplitMix64 hash of s0 + k·γ,
// hz = int32(u>>32) and iz = u&127: dst[k] = scale·(float64(hz)·wn[iz]),
// leakyNormal's fast path; bit k%8 of rej[k/8] is set where that path
// rejects (|hz| ≥ kn[iz]) and dst[k] must be redone by leakyNormalSlow.
TEXT ·kernNormalsAVX512(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ dst+8(FP), DI
	VPBROADCASTQ s0+16(FP), Z0
	VPADDQ normConst<>+0(SB), Z0, Z0
	VBROADCASTSD scale+24(FP), Z8
	MOVQ kn+32(FP), AX
	MOVQ wn+40(FP), BX
	MOVQ rej+48(FP), R9
	VPBROADCASTQ normConst<>+64(SB), Z9
	VPBROADCASTQ normConst<>+72(SB), Z10
	VPBROADCASTQ normConst<>+80(SB), Z11
	VPBROADCASTQ normConst<>+88(SB), Z12
	MOVQ $0xff, R10
	SHRQ $3, CX
	JEQ  normdone

normloop:
	VPSRLQ     $30, Z0, Z1
	VPXORQ     Z1, Z0, Z1
	VPMULLQ    Z10, Z1, Z1
	VPSRLQ     $27, Z1, Z2
	VPXORQ     Z2, Z1, Z1
	VPMULLQ    Z11, Z1, Z1
	VPSRLQ     $31, Z1, Z2
	VPXORQ     Z2, Z1, Z1
	VPSRAQ     $32, Z1, Z2
	VPANDQ     Z12, Z1, Z3
	KMOVW      R10, K2
	VPGATHERQQ (AX)(Z3*8), K2, Z4
	KMOVW      R10, K3
	VGATHERQPD (BX)(Z3*8), K3, Z5
	VPABSQ     Z2, Z6
	VPCMPUQ    $1, Z4, Z6, K1
	VCVTQQ2PD  Z2, Z7
	VMULPD     Z5, Z7, Z7
	VMULPD     Z8, Z7, Z7
	VMOVUPD    Z7, (DI)
	KMOVW      K1, DX
	NOTL       DX
	MOVB       DX, (R9)
	VPADDQ     Z9, Z0, Z0
	ADDQ       $64, DI
	INCQ       R9
	DECQ       CX
	JNZ        normloop

normdone:
	VZEROUPPER
	RET

// func kernRLSRowAVX512(n int, row, pk, r, kn *float64, cki, ri, acc float64) float64
// For j < n (a multiple of 8): v = row[j] − cki·pk[j] (a product, then a
// difference: no FMA), row[j] = v, kn[j] = kn[j] + v·ri, and acc = acc +
// v·r[j] added one lane at a time in the order j = 0, 1, …: the bits of
// RLS.Update's scalar loop. The element-wise work runs on eight lanes; the
// sum stays a chain of scalar additions (the kernel's critical path).
TEXT ·kernRLSRowAVX512(SB), NOSPLIT, $0-72
	MOVQ n+0(FP), CX
	MOVQ row+8(FP), DI
	MOVQ pk+16(FP), SI
	MOVQ r+24(FP), DX
	MOVQ kn+32(FP), R8
	VBROADCASTSD cki+40(FP), Z10
	VBROADCASTSD ri+48(FP), Z11
	VMOVSD acc+56(FP), X8
	SHRQ $3, CX
	JEQ  rlsdone

rlsloop:
	PREFETCHT0 1024(DI) // 16 lines ahead in P: its rows are short streams
	VMOVUPD (SI), Z1
	VMULPD  Z10, Z1, Z1
	VMOVUPD (DI), Z0
	VSUBPD  Z1, Z0, Z0
	VMOVUPD Z0, (DI)
	VMULPD  Z11, Z0, Z3
	VADDPD  (R8), Z3, Z3
	VMOVUPD Z3, (R8)
	VMULPD  (DX), Z0, Z2
	VADDSD  X2, X8, X8
	VPERMILPD $1, X2, X4
	VADDSD  X4, X8, X8
	VEXTRACTF128 $1, Y2, X5
	VADDSD  X5, X8, X8
	VPERMILPD $1, X5, X5
	VADDSD  X5, X8, X8
	VEXTRACTF64X4 $1, Z2, Y6
	VADDSD  X6, X8, X8
	VPERMILPD $1, X6, X7
	VADDSD  X7, X8, X8
	VEXTRACTF128 $1, Y6, X6
	VADDSD  X6, X8, X8
	VPERMILPD $1, X6, X6
	VADDSD  X6, X8, X8
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	DECQ    CX
	JNZ     rlsloop

rlsdone:
	VMOVSD X8, ret+64(FP)
	VZEROUPPER
	RET
