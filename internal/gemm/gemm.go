// Package gemm holds the project's float64 matrix-multiply kernel, an
// AVX2/FMA register tile (4×12, with 4×8 and 4×4 edges) and, on CPUs with
// AVX-512, an 8-row tile (8×24, 8×16, 8×8) that AddMul prefers, behind a
// pure-Go fallback, and a blas64 implementation whose Dgemm runs on the
// AVX2 tiles. train's
// backpropagation calls AddMul directly; inspect installs Implementation
// with blas64.Use so that gonum's LAPACK (Hessenberg reduction, the
// multishift QR's reflector blocks) runs its level-3 work on the tiles:
// with gonum's rounding everywhere, and with fused multiply–adds in the
// memory its eigenvalue path marks with Fused.
//
// Every element of C is accumulated as c = fma(a_p, b_p, c) for
// p = 0, 1, …, k−1 in both versions, so the assembly and the Go code agree
// bit for bit.
package gemm

import (
	"math"
	"sync"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// HaveAsm reports whether the CPU runs the AVX2/FMA assembly tiles.
var HaveAsm = haveAVX2FMA()

// HaveAVX512 reports whether AddMul runs its 8-row AVX-512 tiles (when
// HaveAsm too). They compute every element in the same order as the AVX2
// tiles, so the bits do not depend on it; tests may clear it to run the
// AVX2 tiles instead.
var HaveAVX512 = haveAVX512()

// AddMul adds A·B to C with the assembly tiles when HaveAsm (else
// AddMulGo). A is m×k with element (i, p) at a[i*ars+p*acs] (ars = lda,
// acs = 1 for A; ars = 1, acs = lda for Aᵀ), B is k×n row-major with stride
// ldb and C is m×n row-major with stride ldc. The n columns must be a
// multiple of 4.
func AddMul(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	addMul(HaveAsm, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// AddMulGo is AddMul in pure Go (the same bits).
func AddMulGo(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	addMul(false, m, n, k, a, ars, acs, b, ldb, c, ldc)
}

func addMul(asm bool, m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if n%4 != 0 {
		panic("gemm: column count not a multiple of 4")
	}
	// Bounds: the largest index each operand is read or written at.
	if k > 0 && ((m-1)*ars+(k-1)*acs >= len(a) || (k-1)*ldb+n-1 >= len(b)) {
		panic("gemm: operand too short")
	}
	if (m-1)*ldc+n-1 >= len(c) {
		panic("gemm: destination too short")
	}
	if !asm {
		addMulGo(m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	if k == 0 {
		return
	}
	if HaveAVX512 && m >= 8 && n >= 8 {
		addMul512(m, n, k, a, ars, acs, b, ldb, c, ldc)
		return
	}
	addMul256(m, n, k, a, ars, acs, b, ldb, c, ldc)
}

// addMul512 runs the AVX-512 tiles over the first m&^7 rows and n&^7
// columns and the AVX2 tiles over the rest. The 8-column vectors of a row
// block are split into tiles of 3 (and, for the remainder, 2 or 1), so
// that no tile is narrower than needed: 13 vectors (N = 104) are 3+3+3+2+2.
func addMul512(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	m8, nz := m&^7, n/8
	threes, twos := nz/3, 0
	switch nz % 3 {
	case 2:
		twos = 1
	case 1:
		if threes > 0 {
			threes, twos = threes-1, 2
		}
	}
	j := 0
	for ; threes > 0; threes-- {
		for i := 0; i < m8; i += 8 {
			tile8x24z(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
		j += 24
	}
	for ; twos > 0; twos-- {
		for i := 0; i < m8; i += 8 {
			tile8x16z(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
		j += 16
	}
	if j+8 <= n {
		for i := 0; i < m8; i += 8 {
			tile8x8z(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
		j += 8
	}
	if j < n { // four columns left
		for i := 0; i < m8; i += 4 {
			tile4x4(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
	}
	if m8 < m {
		addMul256(m-m8, n, k, a[m8*ars:], ars, acs, b, ldb, c[m8*ldc:], ldc)
	}
}

// addMul256 runs the AVX2 tiles over the first m&^3 rows and the Go loop
// over the rest.
func addMul256(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	m4 := m &^ 3
	j := 0
	for ; j+12 <= n; j += 12 {
		for i := 0; i < m4; i += 4 {
			tile4x12(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
	}
	switch n - j {
	case 8:
		for i := 0; i < m4; i += 4 {
			tile4x8(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
	case 4:
		for i := 0; i < m4; i += 4 {
			tile4x4(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
	}
	if m4 < m {
		addMulGo(m-m4, n, k, a[m4*ars:], ars, acs, b, ldb, c[m4*ldc:], ldc)
	}
}

// addMulGo is the pure-Go AddMul, without checks.
func addMulGo(m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		for p := 0; p < k; p++ {
			av := a[i*ars+p*acs]
			bp := b[p*ldb : p*ldb+n]
			for j, bv := range bp {
				ci[j] = math.FMA(av, bv, ci[j])
			}
		}
	}
}

// Blocking of Implementation.Dgemm: a kc-deep slab of B, packed in strips
// of 8 columns, is multiplied by mc-row blocks of A, so a strip of the slab
// (16 KiB) stays in L1 across a row block and the A block (256 KiB) in L2
// across the strips.
const (
	kc = 256
	mc = 128
	// minFlops is the size m·n·k under which gonum's Dgemm is used.
	minFlops = 32 * 32 * 32
)

var packPool = sync.Pool{New: func() any { s := make([]float64, 0); return &s }}

// Implementation is gonum's pure-Go BLAS whose Dgemm with op(B) = B and
// Dsyrk with op(A) = Aᵀ run on an AVX2 tile (when HaveAsm, for products of
// at least 32³) that rounds exactly as gonum does: every element of C is
// scaled by beta, then accumulates c = c + (alpha·a_p)·b_p, a product and
// a sum each rounded, for p = 0, 1, …, k−1 — so results are the same bits
// as gonum's and installing it with blas64.Use changes no result anywhere
// in the program, only the time. gonum skips the terms whose alpha·a_p is
// zero; adding them instead gives the same bits unless B holds an infinity
// or NaN or C a negative zero, and those calls are left to gonum. The
// other transposes (gonum forms them with dot products, another order of
// summation) are gonum's. A Dgemm whose C lies in memory given to Fused
// runs on the FMA tiles instead, for every transpose.
type Implementation struct{ gonum.Implementation }

// Dgemm computes C = alpha·op(A)·op(B) + beta·C (row-major, like every
// blas64 routine).
func (impl Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if len(c) > 0 && fused(&c[0]) {
		impl.dgemmFMA(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	impl.dgemmGonum(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// dgemmGonum is Dgemm with gonum's bits, wherever C lies.
func (impl Implementation) dgemmGonum(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if !HaveAsm || m*n*k < minFlops || n < 8 || m < 4 || alpha == 0 || tB != blas.NoTrans ||
		(tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans) {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	aTrans := tA != blas.NoTrans
	rowA, colA := m, k
	if aTrans {
		rowA, colA = k, m
	}
	if lda < max(1, colA) || ldb < max(1, n) || ldc < max(1, n) ||
		len(a) < lda*(rowA-1)+colA || len(b) < ldb*(k-1)+n || len(c) < ldc*(m-1)+n {
		// gonum's checks and panics.
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	ars, acs := lda, 1
	if aTrans {
		ars, acs = 1, lda
	}
	if !sameAsGonum(m, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc) {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	scaleC(m, n, beta, c, ldc)
	mulAdd(m, n, k, alpha, a, ars, acs, b, ldb, c, ldc)
}

// scaleC sets C = beta·C as gonum does (zero for beta = 0).
func scaleC(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ci)
			continue
		}
		for j := range ci {
			ci[j] *= beta
		}
	}
}

// sameAsGonum reports whether adding the terms gonum skips (alpha·a_p = 0)
// leaves C's bits as gonum's: when B is finite and C, once scaled by beta,
// holds no negative zero, or else when op(A) holds no zero. The first two
// are sequential scans; A is read only when they fail.
func sameAsGonum(m, n, k int, alpha float64, a []float64, ars, acs int, b []float64, ldb int, beta float64, c []float64, ldc int) bool {
	ok := true
	for p := 0; p < k && ok; p++ {
		for _, v := range b[p*ldb : p*ldb+n] {
			if v-v != 0 { // an infinity or a NaN
				ok = false
				break
			}
		}
	}
	for i := 0; i < m && ok && beta != 0; i++ {
		for _, v := range c[i*ldc : i*ldc+n] {
			if v*beta == 0 && math.Signbit(v*beta) {
				ok = false
				break
			}
		}
	}
	if ok {
		return true
	}
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			if alpha*a[i*ars+p*acs] == 0 {
				return false
			}
		}
	}
	return true
}

// mulAdd adds (alpha·A)·B to C as gonum does (see Implementation), A with
// element (i, p) at a[i*ars+p*acs], B k×n row-major. For alpha = ±1 the
// tile reads A in place (−1 is applied to B, which rounds the same: both
// products are exact negations); otherwise a block of alpha·A is packed.
func mulAdd(m, n, k int, alpha float64, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	nb := (n + 7) &^ 7 // columns of the packed strips, the last zero-padded
	pack := alpha != 1 && alpha != -1
	bAlpha := 1.0
	if alpha == -1 {
		bAlpha = -1
	}
	bufp := packPool.Get().(*[]float64)
	defer packPool.Put(bufp)
	if need := kc*nb + mc*kc + mc*8; cap(*bufp) < need {
		*bufp = make([]float64, need)
	}
	buf := (*bufp)[:kc*nb]
	abuf := (*bufp)[kc*nb : kc*nb+mc*kc]
	ctail := (*bufp)[kc*nb+mc*kc : kc*nb+mc*kc+mc*8]
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		// Pack B[p0:p0+kb, :] in strips of 8 columns, each kb×8, the last
		// padded with zeros.
		for j0 := 0; j0 < n; j0 += 8 {
			w := min(8, n-j0)
			strip := buf[kb*j0:]
			for p := 0; p < kb; p++ {
				row := strip[p*8 : p*8+8]
				src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+w]
				if bAlpha == 1 {
					copy(row, src)
				} else {
					for j, v := range src {
						row[j] = -v
					}
				}
				clear(row[w:])
			}
		}
		for i0 := 0; i0 < m; i0 += mc {
			mb := min(mc, m-i0)
			mb4 := mb &^ 3
			ab, abRS, abCS := a[i0*ars+p0*acs:], ars, acs
			if pack {
				// The block of alpha·A, row-major mb×kb (alpha·a rounded as
				// gonum rounds it).
				for i := 0; i < mb; i++ {
					for p := 0; p < kb; p++ {
						abuf[i*kb+p] = alpha * a[(i0+i)*ars+(p0+p)*acs]
					}
				}
				ab, abRS, abCS = abuf, kb, 1
			}
			cb := c[i0*ldc:]
			for j0 := 0; j0 < n; j0 += 8 {
				w := min(8, n-j0)
				strip := buf[kb*j0:]
				if w == 8 {
					for i := 0; i < mb4; i += 4 {
						tile4x8MulAdd(kb, &ab[i*abRS], abRS, abCS, &strip[0], 8, &cb[i*ldc+j0], ldc)
					}
					continue
				}
				// The last columns through a padded copy of C.
				for i := 0; i < mb4; i++ {
					copy(ctail[i*8:i*8+w], cb[i*ldc+j0:i*ldc+j0+w])
				}
				for i := 0; i < mb4; i += 4 {
					tile4x8MulAdd(kb, &ab[i*abRS], abRS, abCS, &strip[0], 8, &ctail[i*8], 8)
				}
				for i := 0; i < mb4; i++ {
					copy(cb[i*ldc+j0:i*ldc+j0+w], ctail[i*8:i*8+w])
				}
			}
			// The rows the tiles leave, in Go (no FMA: the conversion keeps
			// each product rounded).
			for i := mb4; i < mb; i++ {
				for j := 0; j < n; j++ {
					s := cb[i*ldc+j]
					strip := buf[kb*(j&^7)+j&7:]
					for p := 0; p < kb; p++ {
						s += float64(ab[i*abRS+p*abCS] * strip[p*8])
					}
					cb[i*ldc+j] = s
				}
			}
		}
	}
}

// dgemmFMA computes C = alpha·op(A)·op(B) + beta·C on the FMA tiles
// (AddMul's rounding: alpha applied to B, sums fused), for every
// transpose.
func (impl Implementation) dgemmFMA(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if !HaveAsm || m*n*k < minFlops || n < 4 || alpha == 0 ||
		(tA != blas.NoTrans && tA != blas.Trans && tA != blas.ConjTrans) ||
		(tB != blas.NoTrans && tB != blas.Trans && tB != blas.ConjTrans) {
		impl.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	aTrans, bTrans := tA != blas.NoTrans, tB != blas.NoTrans
	// Argument checks as in gonum (it panics on the same inputs).
	rowA, colA, rowB, colB := m, k, k, n
	if aTrans {
		rowA, colA = k, m
	}
	if bTrans {
		rowB, colB = n, k
	}
	switch {
	case m < 0 || n < 0 || k < 0:
		panic("gemm: negative dimension")
	case lda < max(1, colA) || ldb < max(1, colB) || ldc < max(1, n):
		panic("gemm: bad leading dimension")
	case len(a) < lda*(rowA-1)+colA || len(b) < ldb*(rowB-1)+colB || len(c) < ldc*(m-1)+n:
		panic("gemm: short slice")
	}
	scaleC(m, n, beta, c, ldc)
	ars, acs := lda, 1
	if aTrans {
		ars, acs = 1, lda
	}
	n4 := n &^ 3
	bufp := packPool.Get().(*[]float64)
	defer packPool.Put(bufp)
	if cap(*bufp) < kc*n {
		*bufp = make([]float64, kc*n)
	}
	buf := (*bufp)[:kc*n]
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		// Pack alpha·op(B)[p0:p0+kb, :] in strips of 12 columns (the last
		// of 8 or 4, then the n%4 columns left), each strip kb×w
		// row-major with stride w, so the tile reads its B contiguously.
		for j0 := 0; j0 < n; {
			w := stripWidth(n4, n, j0)
			strip := buf[p0Off(kb, j0):]
			for p := 0; p < kb; p++ {
				row := strip[p*w : (p+1)*w]
				if bTrans {
					for j := range row {
						row[j] = alpha * b[(j0+j)*ldb+p0+p]
					}
				} else {
					src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+w]
					if alpha == 1 {
						copy(row, src)
					} else {
						for j, v := range src {
							row[j] = alpha * v
						}
					}
				}
			}
			j0 += w
		}
		for i0 := 0; i0 < m; i0 += mc {
			mb := min(mc, m-i0)
			mb4 := mb &^ 3
			ab := a[i0*ars+p0*acs:]
			cb := c[i0*ldc:]
			for j0 := 0; j0 < n; {
				w := stripWidth(n4, n, j0)
				strip := buf[p0Off(kb, j0):]
				if w%4 == 0 {
					for i := 0; i < mb4; i += 4 {
						tile(w, kb, &ab[i*ars], ars, acs, &strip[0], &cb[i*ldc+j0], ldc)
					}
				}
				// Rows (and, in the last strip, columns) the tiles leave, in
				// Go with the same order of operations.
				i1 := mb4
				if w%4 != 0 {
					i1 = 0
				}
				for i := i1; i < mb; i++ {
					for j := 0; j < w; j++ {
						s := cb[i*ldc+j0+j]
						for p := 0; p < kb; p++ {
							s = math.FMA(ab[i*ars+p*acs], strip[p*w+j], s)
						}
						cb[i*ldc+j0+j] = s
					}
				}
				j0 += w
			}
		}
	}
}

// stripWidth is the width of the packed strip of B starting at column j0
// of n (n4 = n rounded down to a multiple of 4): 12, then 8 or 4, then the
// n%4 columns left.
func stripWidth(n4, n, j0 int) int {
	if j0 >= n4 {
		return n - j0
	}
	return min(12, n4-j0)
}

// p0Off is the offset of the strip starting at column j0 in the packed
// buffer of a kb-row slab: the strips before it hold kb·j0 elements.
func p0Off(kb, j0 int) int { return kb * j0 }

// tile runs the w-column AVX2 tile (w = 12, 8 or 4) on a packed strip.
func tile(w, k int, a *float64, ars, acs int, b *float64, c *float64, ldc int) {
	switch w {
	case 12:
		tile4x12(k, a, ars, acs, b, 12, c, ldc)
	case 8:
		tile4x8(k, a, ars, acs, b, 8, c, ldc)
	case 4:
		tile4x4(k, a, ars, acs, b, 4, c, ldc)
	}
}

// The regions of memory whose products may round differently from gonum's
// (fused multiply–adds, alpha applied to B): a Dgemm whose C starts inside
// one runs on the FMA tiles, twice as fast as the tile that rounds as
// gonum does.
var (
	regionsMu sync.RWMutex
	regions   = map[*float64]uintptr{}
)

// Fused lets the Dgemm calls whose destination C lies in one of bufs
// round as the FMA tiles do, until the returned function is called. The
// caller owns bufs: other code (another goroutine training a network, say)
// never writes there, so its results keep gonum's bits. inspect's
// eigenvalue path marks its matrix and workspace this way.
func Fused(bufs ...[]float64) (release func()) {
	regionsMu.Lock()
	defer regionsMu.Unlock()
	var keys []*float64
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		regions[&b[0]] = uintptr(len(b)) * 8
		keys = append(keys, &b[0])
	}
	return func() {
		regionsMu.Lock()
		defer regionsMu.Unlock()
		for _, k := range keys {
			delete(regions, k)
		}
	}
}

// fused reports whether p lies in a region given to Fused.
func fused(p *float64) bool {
	regionsMu.RLock()
	defer regionsMu.RUnlock()
	if len(regions) == 0 {
		return false
	}
	a := uintptr(unsafe.Pointer(p))
	for start, size := range regions {
		s := uintptr(unsafe.Pointer(start))
		if a >= s && a < s+size {
			return true
		}
	}
	return false
}

// syrkBlock is the block size of Implementation.Dsyrk.
const syrkBlock = 64

// Dsyrk computes the uplo triangle of C = alpha·A·Aᵀ + beta·C (tA =
// NoTrans, A n×k; gonum's) or C = alpha·Aᵀ·A + beta·C (A k×n; on the tile,
// the same bits as gonum's): the triangle is cut into row blocks of 64,
// each a diagonal block (computed whole on a copy, its triangle copied
// back) and the rectangle beside it.
func (impl Implementation) Dsyrk(ul blas.Uplo, tA blas.Transpose, n, k int, alpha float64, a []float64, lda int, beta float64, c []float64, ldc int) {
	if !HaveAsm || n*n*k < 2*minFlops || n < 32 || alpha == 0 ||
		(ul != blas.Upper && ul != blas.Lower) || (tA != blas.Trans && tA != blas.ConjTrans) ||
		lda < max(1, n) || ldc < max(1, n) || len(a) < lda*(k-1)+n || len(c) < ldc*(n-1)+n {
		impl.Implementation.Dsyrk(ul, tA, n, k, alpha, a, lda, beta, c, ldc)
		return
	}
	// In a region given to Fused every block runs on the FMA tiles.
	mm := impl.Dgemm
	if fused(&c[0]) {
		mm = impl.dgemmFMA
	}
	tmp := make([]float64, syrkBlock*syrkBlock)
	for i0 := 0; i0 < n; i0 += syrkBlock {
		ib := min(syrkBlock, n-i0)
		i1 := i0 + ib
		for i := 0; i < ib; i++ {
			copy(tmp[i*ib:(i+1)*ib], c[(i0+i)*ldc+i0:(i0+i)*ldc+i1])
		}
		mm(blas.Trans, blas.NoTrans, ib, ib, k, alpha, a[i0:], lda, a[i0:], lda, beta, tmp, ib)
		for i := 0; i < ib; i++ {
			j0, j1 := i, ib
			if ul == blas.Lower {
				j0, j1 = 0, i+1
			}
			copy(c[(i0+i)*ldc+i0+j0:(i0+i)*ldc+i0+j1], tmp[i*ib+j0:i*ib+j1])
		}
		if ul == blas.Upper && i1 < n {
			mm(blas.Trans, blas.NoTrans, ib, n-i1, k, alpha, a[i0:], lda, a[i1:], lda, beta, c[i0*ldc+i1:], ldc)
		}
		if ul == blas.Lower && i0 > 0 {
			mm(blas.Trans, blas.NoTrans, ib, i0, k, alpha, a[i0:], lda, a, lda, beta, c[i0*ldc:], ldc)
		}
	}
}

// trsmBlock is the row-block size of Implementation.Dtrsm.
const trsmBlock = 16

// Dtrsm solves op(A)·X = alpha·B or X·op(A) = alpha·B for X, written over
// B. The case Cholesky's upper factorisation (gonum's Dpotrf) calls — A on
// the left, upper triangular, transposed, alpha = 1 — is blocked: B's rows
// are solved 16 at a time by gonum's Dtrsm, and each block's contribution
// to the rows below it is one Dgemm on the tile. Every element of B still
// receives b = b + (−a_ki)·b_k for k = 0, 1, … in turn, each product and
// sum rounded, before its row is divided by the diagonal, which is what
// gonum's loop does: the same bits, also in a region given to Fused (the
// update runs on the tile that rounds as gonum). Every other case is
// gonum's.
func (impl Implementation) Dtrsm(s blas.Side, ul blas.Uplo, tA blas.Transpose, d blas.Diag, m, n int, alpha float64, a []float64, lda int, b []float64, ldb int) {
	if !HaveAsm || s != blas.Left || ul != blas.Upper || (tA != blas.Trans && tA != blas.ConjTrans) ||
		(d != blas.NonUnit && d != blas.Unit) || alpha != 1 || m <= trsmBlock || n < 8 ||
		lda < max(1, m) || ldb < max(1, n) || len(a) < lda*(m-1)+m || len(b) < ldb*(m-1)+n {
		impl.Implementation.Dtrsm(s, ul, tA, d, m, n, alpha, a, lda, b, ldb)
		return
	}
	for i0 := 0; i0 < m; i0 += trsmBlock {
		ib := min(trsmBlock, m-i0)
		i1 := i0 + ib
		impl.Implementation.Dtrsm(s, ul, tA, d, ib, n, 1, a[i0*lda+i0:], lda, b[i0*ldb:], ldb)
		if i1 < m {
			// B[i1:m] += −A[i0:i1, i1:m]ᵀ · B[i0:i1]. When no coefficient
			// is zero, gonum skips no term and the tile adds the same
			// ones: no need for dgemmGonum's scan of B and C.
			if (m-i1)*n*ib >= minFlops && m-i1 >= 4 && noZero(a[i0*lda+i1:], ib, m-i1, lda) {
				mulAdd(m-i1, n, ib, -1, a[i0*lda+i1:], 1, lda, b[i0*ldb:], ldb, b[i1*ldb:], ldb)
				continue
			}
			impl.dgemmGonum(blas.Trans, blas.NoTrans, m-i1, n, ib, -1, a[i0*lda+i1:], lda, b[i0*ldb:], ldb, 1, b[i1*ldb:], ldb)
		}
	}
}

// noZero reports whether the r×c block of a (stride lda) holds no zero.
func noZero(a []float64, r, c, lda int) bool {
	for i := range r {
		for _, v := range a[i*lda : i*lda+c] {
			if v == 0 {
				return false
			}
		}
	}
	return true
}
