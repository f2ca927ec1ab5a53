//go:build amd64 && !purego

package train

import "attractor/internal/gemm"

//go:noescape
func kernLeakyFwdAVX2(n int, xNext, xPrev, h, pre *float64, a float64)

//go:noescape
func kernLeakyBwdAVX2(n int, dpre, gOut, gin, h *float64, a float64)

// kernHaveAVX2FMA reports whether the leaky kernels' assembly can run: the
// CPU features internal/gemm detects.
func kernHaveAVX2FMA() bool { return gemm.HaveAsm }
