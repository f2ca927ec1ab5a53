//go:build !amd64 || purego

package gemm

func haveAVX2FMA() bool { return false }

func haveAVX512() bool { return false }

func tile4x12(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}

func tile4x8(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}

func tile4x4(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}

func tile4x8MulAdd(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}

func tile8x24z(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}

func tile8x16z(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}

func tile8x8z(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("gemm: no assembly kernels")
}
