//go:build !amd64 || purego

package train

func kernHaveAVX2FMA() bool { return false }

func kernHaveAVX512() bool { return false }

func kernLeakyFwdAVX2(n int, xNext, xPrev, h, pre *float64, a float64) {
	panic("train: no assembly kernels")
}

func kernLeakyBwdAVX2(n int, dpre, gOut, gin, h *float64, a float64) {
	panic("train: no assembly kernels")
}

func kernLeakyFwdAVX512(n int, xNext, xPrev, h, pre *float64, a float64) {
	panic("train: no assembly kernels")
}

func kernLeakyBwdAVX512(n int, dpre, gOut, gin, h *float64, a float64) {
	panic("train: no assembly kernels")
}

func kernNormalsAVX512(n int, dst *float64, s0 uint64, scale float64, kn *uint64, wn *float64, rej *uint8) {
	panic("train: no assembly kernels")
}

func kernRLSRowAVX512(n int, row, pk, r, kn *float64, cki, ri, acc float64) float64 {
	panic("train: no assembly kernels")
}
