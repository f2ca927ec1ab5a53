//go:build amd64 && !purego

package train

import "attractor/internal/gemm"

//go:noescape
func kernLeakyFwdAVX2(n int, xNext, xPrev, h, pre *float64, a float64)

//go:noescape
func kernLeakyBwdAVX2(n int, dpre, gOut, gin, h *float64, a float64)

//go:noescape
func kernLeakyFwdAVX512(n int, xNext, xPrev, h, pre *float64, a float64)

//go:noescape
func kernLeakyBwdAVX512(n int, dpre, gOut, gin, h *float64, a float64)

//go:noescape
func kernNormalsAVX512(n int, dst *float64, s0 uint64, scale float64, kn *uint64, wn *float64, rej *uint8)

//go:noescape
func kernRLSRowAVX512(n int, row, pk, r, kn *float64, cki, ri, acc float64) float64

// kernHaveAVX512 reports whether the AVX-512 versions can run (internal/gemm's
// detection: AVX-512F and DQ enabled by the operating system).
func kernHaveAVX512() bool { return gemm.HaveAVX512 }

// kernHaveAVX2FMA reports whether the leaky kernels' assembly can run: the
// CPU features internal/gemm detects.
func kernHaveAVX2FMA() bool { return gemm.HaveAsm }
