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

