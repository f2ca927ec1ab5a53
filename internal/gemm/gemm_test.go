package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/lapack/lapack64"

	"attractor/internal/cputime"
)

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// TestAddMulMatchesReference checks the assembly tiles (AVX-512 where the
// CPU has it, and AVX2 with HaveAVX512 cleared) against AddMulGo bit for
// bit, on shapes that use every tile width and row and column remainder
// (the DCDT products are 64×104×104, 64×104×104 and 104×108×64ᵀ).
func TestAddMulMatchesReference(t *testing.T) {
	saved := HaveAVX512
	defer func() { HaveAVX512 = saved }()
	for _, avx512 := range []bool{false, true} {
		if avx512 && !saved {
			t.Log("no AVX-512 on this CPU: the AVX-512 tiles were not run")
			continue
		}
		HaveAVX512 = avx512
		t.Run(fmt.Sprintf("avx512=%v", avx512), testAddMulMatchesReference)
	}
}

func testAddMulMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		m, n, k int
		trans   bool
	}{
		{4, 12, 7, false}, {64, 104, 104, false}, {64, 100, 104, false}, {7, 20, 5, false},
		{3, 8, 16, false}, {104, 104, 64, true}, {6, 4, 1, true}, {5, 24, 0, false},
		{104, 108, 64, true}, {64, 4, 104, false}, {4, 108, 64, true}, {8, 8, 3, false},
		{9, 20, 5, false}, {16, 40, 2, true}, {24, 56, 9, false}, {13, 100, 11, false},
		{15, 12, 6, true}, {8, 28, 1, false}, {40, 32, 17, false},
	} {
		lda := tc.k + 3
		ars, acs := lda, 1
		if tc.trans {
			lda = tc.m + 1
			ars, acs = 1, lda
		}
		a := randSlice(rng, tc.m*tc.k+tc.m*lda+tc.k*lda+1)
		ldb, ldc := tc.n+4, tc.n+8
		b := randSlice(rng, tc.k*ldb+tc.n)
		c0 := randSlice(rng, tc.m*ldc)
		cAsm := append([]float64(nil), c0...)
		cGo := append([]float64(nil), c0...)
		AddMul(tc.m, tc.n, tc.k, a, ars, acs, b, ldb, cAsm, ldc)
		AddMulGo(tc.m, tc.n, tc.k, a, ars, acs, b, ldb, cGo, ldc)
		var maxErr float64
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				// Independent reference: plain sum in float64 (not the same
				// rounding as fma, so compared with a tolerance).
				s := c0[i*ldc+j]
				for p := 0; p < tc.k; p++ {
					s += a[i*ars+p*acs] * b[p*ldb+j]
				}
				maxErr = math.Max(maxErr, math.Abs(s-cGo[i*ldc+j]))
				if math.Float64bits(cAsm[i*ldc+j]) != math.Float64bits(cGo[i*ldc+j]) {
					t.Fatalf("%+v: asm and Go differ at (%d,%d): %v vs %v", tc, i, j, cAsm[i*ldc+j], cGo[i*ldc+j])
				}
			}
		}
		if maxErr > 1e-12*float64(tc.k+1) {
			t.Errorf("%+v: Go kernel differs from the plain sum by %g", tc, maxErr)
		}
		// Elements outside the m×n block must be untouched.
		for i := range c0 {
			if r, col := i/ldc, i%ldc; (r >= tc.m || col >= tc.n) && cAsm[i] != c0[i] {
				t.Fatalf("%+v: element %d outside C was written", tc, i)
			}
		}
	}
	if !HaveAsm {
		t.Log("no AVX2/FMA on this CPU: compared the Go kernel with itself")
	}
}

// TestDgemmMatchesGonum checks that Implementation.Dgemm gives gonum's
// bits for every transpose, several alpha and beta, and shapes that
// exercise the k and m blocking and the row and column remainders; also
// with zeros in A, an infinity in B and negative zeros in C (the terms
// gonum skips).
func TestDgemmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var ours Implementation
	var ref gonum.Implementation
	for _, sh := range [][3]int{{40, 37, 33}, {130, 129, 300}, {257, 64, 520}, {33, 1001, 40}, {5, 3, 2}, {64, 64, 64}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, ab := range [][2]float64{{1, 1}, {-0.5, 0}, {2, 0.25}, {-1, -1}} {
					for special := 0; special < 4; special++ {
						alpha, beta := ab[0], ab[1]
						lda, ldb, ldc := k+2, n+1, n+3
						if tA == blas.Trans {
							lda = m + 2
						}
						if tB == blas.Trans {
							ldb = k + 1
						}
						a := randSlice(rng, max(m, k)*lda)
						b := randSlice(rng, max(n, k)*ldb)
						c := randSlice(rng, m*ldc)
						if special > 0 {
							for i := 0; i < len(a); i += 7 {
								a[i] = 0
							}
						}
						if special == 2 {
							b[len(b)/2] = math.Inf(1)
						}
						if special == 3 {
							for i := 0; i < len(c); i += 5 {
								c[i] = math.Copysign(0, -1)
							}
						}
						want := append([]float64(nil), c...)
						ours.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
						ref.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
						for i := range c {
							if math.Float64bits(c[i]) != math.Float64bits(want[i]) && !(math.IsNaN(c[i]) && math.IsNaN(want[i])) {
								t.Fatalf("%v %c%c alpha %v beta %v special %d: element %d: %v, gonum %v", sh, tA, tB, alpha, beta, special, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// BenchmarkDgemm compares Implementation.Dgemm with gonum's on square
// products and reports GFLOP/s.
func BenchmarkDgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{128, 500, 1000} {
		a, bm, c := randSlice(rng, n*n), randSlice(rng, n*n), make([]float64, n*n)
		for _, impl := range []struct {
			name string
			f    func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
		}{{"tile", Implementation{}.Dgemm}, {"gonum", gonum.Implementation{}.Dgemm}} {
			b.Run(fmt.Sprintf("N=%d/%s", n, impl.name), func(b *testing.B) {
				cpu0 := cputime.Process()
				for b.Loop() {
					impl.f(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, bm, n, 0, c, n)
				}
				b.ReportMetric(2*float64(n*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(2*float64(n*n*n)*float64(b.N)/(cputime.Process()-cpu0).Seconds()/1e9, "GFLOP/cpu-s")
			})
		}
	}
}

// TestDsyrkMatchesGonum checks that Implementation.Dsyrk gives gonum's
// bits on both triangles and transposes and leaves the other triangle
// alone.
func TestDsyrkMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var ours Implementation
	var ref gonum.Implementation
	for _, sh := range [][2]int{{300, 300}, {150, 77}, {129, 200}, {64, 300}, {40, 90}, {20, 5}} {
		n, k := sh[0], sh[1]
		for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
			for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, ab := range [][2]float64{{1, 0}, {-0.5, 1}, {2, 0.25}} {
					alpha, beta := ab[0], ab[1]
					lda, ldc := k+1, n+2
					if tA == blas.Trans {
						lda = n + 3
					}
					a := randSlice(rng, max(n, k)*lda)
					c := randSlice(rng, n*ldc)
					want := append([]float64(nil), c...)
					c0 := append([]float64(nil), c...)
					ours.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
					ref.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, want, ldc)
					for i := 0; i < n; i++ {
						for j := 0; j < ldc; j++ {
							e := i*ldc + j
							inTri := j < n && (ul == blas.Upper && j >= i || ul == blas.Lower && j <= i)
							if !inTri && c[e] != c0[e] {
								t.Fatalf("%v %c %c: element (%d,%d) outside the triangle written", sh, ul, tA, i, j)
							}
							if math.Float64bits(c[e]) != math.Float64bits(want[e]) {
								t.Fatalf("%v %c %c alpha %v beta %v: (%d,%d): %v, gonum %v", sh, ul, tA, alpha, beta, i, j, c[e], want[e])
							}
						}
					}
				}
			}
		}
	}
}

// TestFusedRegions checks that a Dgemm whose C lies in memory given to
// Fused rounds as the FMA tiles do (AddMul's bits when alpha = 1 and
// beta = 1), that one outside keeps gonum's bits meanwhile, and that
// after the release the region rounds as gonum again.
func TestFusedRegions(t *testing.T) {
	if !HaveAsm {
		t.Skip("no AVX2/FMA on this CPU: Dgemm is gonum's everywhere")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	const m, n, k = 64, 96, 80
	a, b := randSlice(rng, m*k), randSlice(rng, k*n)
	c0 := randSlice(rng, m*n)
	var ours Implementation
	var ref gonum.Implementation
	fusedC := append([]float64(nil), c0...)
	otherC := append([]float64(nil), c0...)
	release := Fused(fusedC)
	ours.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 1, fusedC, n)
	ours.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 1, otherC, n)
	release()
	wantFMA := append([]float64(nil), c0...)
	AddMulGo(m, n, k, a, k, 1, b, n, wantFMA, n)
	wantGonum := append([]float64(nil), c0...)
	ref.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 1, wantGonum, n)
	after := append([]float64(nil), c0...)
	ours.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 1, after, n)
	differ := false
	for i := range c0 {
		if math.Float64bits(fusedC[i]) != math.Float64bits(wantFMA[i]) {
			t.Fatalf("fused region: element %d %v, FMA tiles %v", i, fusedC[i], wantFMA[i])
		}
		if math.Float64bits(otherC[i]) != math.Float64bits(wantGonum[i]) || math.Float64bits(after[i]) != math.Float64bits(wantGonum[i]) {
			t.Fatalf("outside the region or after release: element %d %v / %v, gonum %v", i, otherC[i], after[i], wantGonum[i])
		}
		differ = differ || wantFMA[i] != wantGonum[i]
	}
	if !differ {
		t.Error("the FMA and gonum roundings agree everywhere: the test cannot tell them apart")
	}
}

// TestDsyrkFused checks Dsyrk on the FMA tiles (C given to Fused): the
// triangle agrees with gonum's to rounding (k+2 roundings of terms of
// size |a|², with a margin of 4) and the other triangle is left alone.
func TestDsyrkFused(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n, k = 300, 300
	var ours Implementation
	var ref gonum.Implementation
	for _, ul := range []blas.Uplo{blas.Upper, blas.Lower} {
		a := randSlice(rng, k*n)
		c := randSlice(rng, n*n)
		c0 := append([]float64(nil), c...)
		want := append([]float64(nil), c...)
		release := Fused(c)
		ours.Dsyrk(ul, blas.Trans, n, k, 1, a, n, 0.5, c, n)
		release()
		ref.Dsyrk(ul, blas.Trans, n, k, 1, a, n, 0.5, want, n)
		tol := 4 * float64(k+2) * 0x1p-52 * 25 * float64(k)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				e := i*n + j
				if ul == blas.Upper && j < i || ul == blas.Lower && j > i {
					if c[e] != c0[e] {
						t.Fatalf("%c: (%d,%d) outside the triangle written", ul, i, j)
					}
					continue
				}
				if d := math.Abs(c[e] - want[e]); !(d <= tol) {
					t.Fatalf("%c: (%d,%d) %v, gonum %v", ul, i, j, c[e], want[e])
				}
			}
		}
	}
}

// BenchmarkTileInL1 runs one register tile over operands that stay in the
// L1 cache (k = 128: an 8×128 or 4×128 block of A and a 128×24 or 128×12
// strip of B), the rate its fused multiply–adds reach when memory is no
// limit: the practical float64 peak of one core against which the DCDT
// products are measured (BENCHMARKS.md). It reports GFLOP per wall and per
// CPU second.
func BenchmarkTileInL1(b *testing.B) {
	const k = 128
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		name   string
		avx512 bool
		m, n   int
	}{{"avx512_8x24", true, 8, 24}, {"avx2_4x12", false, 4, 12}} {
		if !HaveAsm || (tc.avx512 && !HaveAVX512) {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			saved := HaveAVX512
			defer func() { HaveAVX512 = saved }()
			HaveAVX512 = tc.avx512
			a, bm, c := randSlice(rng, tc.m*k), randSlice(rng, k*tc.n), make([]float64, tc.m*tc.n)
			cpu0 := cputime.Process()
			for b.Loop() {
				AddMul(tc.m, tc.n, k, a, k, 1, bm, tc.n, c, tc.n)
			}
			flops := 2 * float64(tc.m*tc.n*k) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(flops/(cputime.Process()-cpu0).Seconds()/1e9, "GFLOP/cpu-s")
		})
	}
}

// TestDtrsmMatchesGonum checks that the blocked Dtrsm gives gonum's bits
// in the case Dpotrf calls (left, upper, transposed), with zeros in A
// (which gonum skips) and in B, and that the other cases, which it leaves
// to gonum, do too.
func TestDtrsmMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var ours Implementation
	var ref gonum.Implementation
	for _, sh := range [][2]int{{64, 236}, {64, 300}, {100, 37}, {17, 64}, {16, 64}, {50, 8}, {33, 7}} {
		m, n := sh[0], sh[1]
		for _, c := range []struct {
			s     blas.Side
			ul    blas.Uplo
			tA    blas.Transpose
			d     blas.Diag
			alpha float64
		}{
			{blas.Left, blas.Upper, blas.Trans, blas.NonUnit, 1},
			{blas.Left, blas.Upper, blas.Trans, blas.Unit, 1},
			{blas.Left, blas.Upper, blas.Trans, blas.NonUnit, 0.5},
			{blas.Left, blas.Lower, blas.NoTrans, blas.NonUnit, 1},
			{blas.Right, blas.Lower, blas.Trans, blas.NonUnit, 1},
		} {
			na := m
			if c.s == blas.Right {
				na = n
			}
			lda, ldb := na+3, n+2
			a := randSlice(rng, na*lda)
			for i := 0; i < na; i++ {
				a[i*lda+i] = 2 + math.Abs(a[i*lda+i]) // well conditioned
				if i%7 == 3 {
					for j := range a[i*lda : i*lda+na] {
						if j != i {
							a[i*lda+j] = 0
						}
					}
				}
			}
			b := randSlice(rng, m*ldb)
			b[ldb+1], b[5*ldb] = 0, math.Copysign(0, -1)
			want := append([]float64(nil), b...)
			release := func() {}
			if m%2 == 0 { // in a region given to Fused: still gonum's bits
				release = Fused(b)
			}
			ours.Dtrsm(c.s, c.ul, c.tA, c.d, m, n, c.alpha, a, lda, b, ldb)
			release()
			ref.Dtrsm(c.s, c.ul, c.tA, c.d, m, n, c.alpha, a, lda, want, ldb)
			for e := range b {
				if math.Float64bits(b[e]) != math.Float64bits(want[e]) {
					t.Fatalf("%v %+v: element (%d,%d): %v, gonum %v", sh, c, e/ldb, e%ldb, b[e], want[e])
				}
			}
		}
	}
}

// BenchmarkPotrf times gonum's blocked Cholesky factorisation of an SPD
// 300×300 matrix, in a Fused region as inspect's Levenberg–Marquardt step
// runs it, with this package's Implementation installed and with gonum's.
func BenchmarkPotrf(b *testing.B) {
	const n = 300
	rng := rand.New(rand.NewPCG(1, 2))
	g := randSlice(rng, n*n)
	spd := make([]float64, n*n)
	var ref gonum.Implementation
	ref.Dgemm(blas.Trans, blas.NoTrans, n, n, n, 1, g, n, g, n, 0, spd, n)
	for i := range n {
		spd[i*n+i] += n
	}
	for _, c := range []struct {
		name string
		impl blas.Float64
	}{{"ours", Implementation{}}, {"gonum", ref}} {
		b.Run(c.name, func(b *testing.B) {
			prev := blas64.Implementation()
			blas64.Use(c.impl)
			defer blas64.Use(prev)
			w := make([]float64, n*n)
			defer Fused(w)()
			for b.Loop() {
				copy(w, spd)
				if _, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Uplo: blas.Upper, Data: w}); !ok {
					b.Fatal("not positive definite")
				}
			}
		})
	}
}
