//go:build amd64 && !purego

package gemm

//go:noescape
func tile4x12(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tile4x8(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tile4x4(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tile8x24z(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tile8x16z(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tile8x8z(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func tile4x8MulAdd(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// haveAVX2FMA reports whether the CPU and the operating system support
// AVX2 and FMA (CPUID leaf 1 ECX bits 12, 27, 28; XCR0 bits 1–2; leaf 7 EBX
// bit 5).
func haveAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}

// haveAVX512 reports whether the CPU and the operating system support
// AVX-512F and AVX-512DQ (CPUID leaf 7 EBX bits 16, 17; XCR0 bits 5–7, the
// opmask and the upper ZMM state), on top of AVX2 and FMA.
func haveAVX512() bool {
	if !haveAVX2FMA() {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&0xe6 != 0xe6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const f, dq = 1 << 16, 1 << 17
	return ebx7&(f|dq) == f|dq
}
