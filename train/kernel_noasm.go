//go:build !amd64 || purego

package train

func kernHaveAVX2FMA() bool { return false }

func kernGemm4x12AVX2(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("train: no assembly kernels")
}

func kernGemm4x8AVX2(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("train: no assembly kernels")
}

func kernGemm4x4AVX2(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("train: no assembly kernels")
}

func kernLeakyFwdAVX2(n int, xNext, xPrev, h, pre *float64, a float64) {
	panic("train: no assembly kernels")
}

func kernLeakyBwdAVX2(n int, dpre, gOut, gin, h *float64, a float64) {
	panic("train: no assembly kernels")
}
