//go:build amd64 && !purego

package train

//go:noescape
func kernGemm4x12AVX2(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func kernGemm4x8AVX2(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func kernGemm4x4AVX2(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func kernLeakyFwdAVX2(n int, xNext, xPrev, h, pre *float64, a float64)

//go:noescape
func kernLeakyBwdAVX2(n int, dpre, gOut, gin, h *float64, a float64)

func kernCPUID(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func kernXGETBV() (eax, edx uint32)

// kernHaveAVX2FMA reports whether the CPU and the operating system support
// AVX2 and FMA (CPUID leaf 1 ECX bits 12, 27, 28; XCR0 bits 1–2; leaf 7 EBX
// bit 5).
func kernHaveAVX2FMA() bool {
	maxID, _, _, _ := kernCPUID(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := kernCPUID(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := kernXGETBV(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := kernCPUID(7, 0)
	return ebx7&(1<<5) != 0
}
