package model

import (
	"fmt"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// SparseDensityThreshold is the connection density below which
// [NewRecurrent] stores a recurrent matrix in compressed sparse rows. Above
// it a dense matrix-vector product (BLAS) is faster than the indexed loop.
const SparseDensityThreshold = 0.3

// Recurrent is a square recurrent weight matrix J, stored dense
// ([*DenseRecurrent]) or in compressed sparse rows ([*CSR]). It is a
// read-only [mat.Matrix], so gonum functions accept it (for example
// mat.DenseCopyOf), and it adds the few products a network needs in its
// hot path. None of the product methods allocate. A Recurrent is not
// modified by its methods, so networks and their clones share it.
type Recurrent interface {
	mat.Matrix

	// MulVecTo sets dst = J x. dst must not alias x.
	MulVecTo(dst, x []float64)
	// MulTransVecTo sets dst = Jᵀ x. dst must not alias x.
	MulTransVecTo(dst, x []float64)
	// AddMulDiagTo adds alpha·J·diag(d) to the dense square matrix dst,
	// that is dst_ij += alpha·J_ij·d_j (the recurrent term of a Jacobian).
	AddMulDiagTo(dst *mat.Dense, alpha float64, d []float64)
	// NNZ returns the number of stored entries (n² for a dense matrix).
	NNZ() int
	// DoNonZero calls fn for every nonzero entry (for a CSR, every stored
	// entry) in row-major order.
	DoNonZero(fn func(i, j int, v float64))
}

// NewRecurrent returns the square matrix m as a Recurrent in the storage
// that suits its density: a [*CSR] when the fraction of nonzero entries is
// below [SparseDensityThreshold], a [*DenseRecurrent] otherwise. The result
// does not share memory with m unless m is already a Recurrent of the
// chosen kind. It panics with a ShapeError if m is not square.
func NewRecurrent(m mat.Matrix) Recurrent {
	r, c := m.Dims()
	if r != c {
		panic(ShapeError{Op: "NewRecurrent", Arg: "m", Want: r * r, Got: r * c})
	}
	nnz := 0
	switch m := m.(type) {
	case Recurrent:
		m.DoNonZero(func(_, _ int, v float64) {
			if v != 0 {
				nnz++
			}
		})
	default:
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if m.At(i, j) != 0 {
					nnz++
				}
			}
		}
	}
	if r == 0 || float64(nnz) < SparseDensityThreshold*float64(r)*float64(r) {
		if s, ok := m.(*CSR); ok {
			return s
		}
		return CSRFromDense(m)
	}
	if d, ok := m.(*DenseRecurrent); ok {
		return d
	}
	if s, ok := m.(*CSR); ok {
		return NewDenseRecurrent(s.Dense())
	}
	return NewDenseRecurrent(mat.DenseCopyOf(m))
}

// DenseRecurrent is a Recurrent stored as a dense gonum matrix.
type DenseRecurrent struct {
	m *mat.Dense
}

// NewDenseRecurrent wraps the square matrix m, without copying it: later
// changes to m are seen by the Recurrent. It panics with a ShapeError if m
// is not square.
func NewDenseRecurrent(m *mat.Dense) *DenseRecurrent {
	r, c := m.Dims()
	if r != c {
		panic(ShapeError{Op: "NewDenseRecurrent", Arg: "m", Want: r * r, Got: r * c})
	}
	return &DenseRecurrent{m: m}
}

// Matrix returns the wrapped dense matrix (not a copy).
func (d *DenseRecurrent) Matrix() *mat.Dense { return d.m }

// Dims returns the number of rows and columns.
func (d *DenseRecurrent) Dims() (r, c int) { return d.m.Dims() }

// At returns the entry (i, j).
func (d *DenseRecurrent) At(i, j int) float64 { return d.m.At(i, j) }

// T returns the transpose as an implicit matrix.
func (d *DenseRecurrent) T() mat.Matrix { return mat.Transpose{Matrix: d} }

// NNZ returns n², the number of stored entries.
func (d *DenseRecurrent) NNZ() int {
	r, c := d.m.Dims()
	return r * c
}

// MulVecTo sets dst = J x.
func (d *DenseRecurrent) MulVecTo(dst, x []float64) {
	n, _ := d.m.Dims()
	checkLen("DenseRecurrent.MulVecTo", "x", x, n)
	checkLen("DenseRecurrent.MulVecTo", "dst", dst, n)
	mulVecAdd(dst, d.m, x, 0)
}

// MulTransVecTo sets dst = Jᵀ x.
func (d *DenseRecurrent) MulTransVecTo(dst, x []float64) {
	n, _ := d.m.Dims()
	checkLen("DenseRecurrent.MulTransVecTo", "x", x, n)
	checkLen("DenseRecurrent.MulTransVecTo", "dst", dst, n)
	mulTransVecAdd(dst, d.m, x, 0)
}

// AddMulDiagTo adds alpha·J·diag(dg) to dst.
func (d *DenseRecurrent) AddMulDiagTo(dst *mat.Dense, alpha float64, dg []float64) {
	n, _ := d.m.Dims()
	checkLen("DenseRecurrent.AddMulDiagTo", "d", dg, n)
	checkDense("DenseRecurrent.AddMulDiagTo", "dst", dst, n, n)
	src, out := d.m.RawMatrix(), dst.RawMatrix()
	for i := 0; i < n; i++ {
		row := src.Data[i*src.Stride : i*src.Stride+n]
		orow := out.Data[i*out.Stride : i*out.Stride+n]
		for j, v := range row {
			orow[j] += alpha * v * dg[j]
		}
	}
}

// DoNonZero calls fn for every nonzero entry in row-major order.
func (d *DenseRecurrent) DoNonZero(fn func(i, j int, v float64)) {
	raw := d.m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if v != 0 {
				fn(i, j, v)
			}
		}
	}
}

// CSR is a square sparse matrix in compressed sparse row form: the entries
// of row i are val[rowPtr[i]:rowPtr[i+1]] in the columns
// colInd[rowPtr[i]:rowPtr[i+1]], sorted by column. Stored entries may be
// zero (the sparsity pattern is kept as given). A CSR is immutable after
// construction.
type CSR struct {
	n      int
	rowPtr []int
	colInd []int
	val    []float64
}

// NewCSR builds an n×n CSR matrix from triplets (rows[k], cols[k], vals[k]).
// Duplicate positions are summed, as in scipy.sparse. It returns an error if
// the slices differ in length or an index is out of range, and a
// *NonFiniteError (Param "CSR values") if a value is NaN or infinite.
func NewCSR(n int, rows, cols []int, vals []float64) (*CSR, error) {
	if n < 0 {
		return nil, fmt.Errorf("model: NewCSR: negative size %d", n)
	}
	if len(rows) != len(vals) || len(cols) != len(vals) {
		return nil, fmt.Errorf("model: NewCSR: %d rows, %d cols, %d vals: lengths differ", len(rows), len(cols), len(vals))
	}
	if err := CheckFinite("CSR values", vals); err != nil {
		return nil, err
	}
	for k := range rows {
		if rows[k] < 0 || rows[k] >= n || cols[k] < 0 || cols[k] >= n {
			return nil, fmt.Errorf("model: NewCSR: entry %d at (%d, %d) is outside %d×%d", k, rows[k], cols[k], n, n)
		}
	}
	order := make([]int, len(vals))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := order[a], order[b]
		if rows[ka] != rows[kb] {
			return rows[ka] < rows[kb]
		}
		return cols[ka] < cols[kb]
	})
	c := &CSR{n: n, rowPtr: make([]int, n+1)}
	c.colInd = make([]int, 0, len(vals))
	c.val = make([]float64, 0, len(vals))
	lastRow, lastCol := -1, -1
	for _, k := range order {
		if rows[k] == lastRow && cols[k] == lastCol {
			c.val[len(c.val)-1] += vals[k]
			continue
		}
		lastRow, lastCol = rows[k], cols[k]
		c.colInd = append(c.colInd, cols[k])
		c.val = append(c.val, vals[k])
		c.rowPtr[rows[k]+1]++
	}
	for i := 0; i < n; i++ {
		c.rowPtr[i+1] += c.rowPtr[i]
	}
	return c, nil
}

// CSRFromDense returns the nonzero entries of the square matrix m as a CSR.
// It panics with a ShapeError if m is not square.
func CSRFromDense(m mat.Matrix) *CSR {
	r, cc := m.Dims()
	if r != cc {
		panic(ShapeError{Op: "CSRFromDense", Arg: "m", Want: r * r, Got: r * cc})
	}
	c := &CSR{n: r, rowPtr: make([]int, r+1)}
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			if v := m.At(i, j); v != 0 {
				c.colInd = append(c.colInd, j)
				c.val = append(c.val, v)
			}
		}
		c.rowPtr[i+1] = len(c.val)
	}
	return c
}

// Dims returns the number of rows and columns.
func (c *CSR) Dims() (r, cols int) { return c.n, c.n }

// At returns the entry (i, j), zero when it is not stored.
func (c *CSR) At(i, j int) float64 {
	if i < 0 || i >= c.n || j < 0 || j >= c.n {
		panic(mat.ErrIndexOutOfRange)
	}
	cols := c.colInd[c.rowPtr[i]:c.rowPtr[i+1]]
	k := sort.SearchInts(cols, j)
	if k < len(cols) && cols[k] == j {
		return c.val[c.rowPtr[i]+k]
	}
	return 0
}

// T returns the transpose as an implicit matrix.
func (c *CSR) T() mat.Matrix { return mat.Transpose{Matrix: c} }

// NNZ returns the number of stored entries.
func (c *CSR) NNZ() int { return len(c.val) }

// Density returns NNZ/n², the fraction of stored entries.
func (c *CSR) Density() float64 {
	if c.n == 0 {
		return 0
	}
	return float64(len(c.val)) / (float64(c.n) * float64(c.n))
}

// Row returns the column indices and values stored in row i. The slices
// alias the matrix and must not be modified.
func (c *CSR) Row(i int) (cols []int, vals []float64) {
	lo, hi := c.rowPtr[i], c.rowPtr[i+1]
	return c.colInd[lo:hi:hi], c.val[lo:hi:hi]
}

// Dense returns a new dense copy of the matrix.
func (c *CSR) Dense() *mat.Dense {
	if c.n == 0 {
		return &mat.Dense{}
	}
	d := mat.NewDense(c.n, c.n, nil)
	for i := 0; i < c.n; i++ {
		for k := c.rowPtr[i]; k < c.rowPtr[i+1]; k++ {
			d.Set(i, c.colInd[k], c.val[k])
		}
	}
	return d
}

// MulVecTo sets dst = J x.
func (c *CSR) MulVecTo(dst, x []float64) {
	checkLen("CSR.MulVecTo", "x", x, c.n)
	checkLen("CSR.MulVecTo", "dst", dst, c.n)
	for i := range dst {
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		dst[i] = csrRowDot(c.colInd[lo:hi], c.val[lo:hi], x)
	}
}

// MulTransVecTo sets dst = Jᵀ x.
func (c *CSR) MulTransVecTo(dst, x []float64) {
	checkLen("CSR.MulTransVecTo", "x", x, c.n)
	checkLen("CSR.MulTransVecTo", "dst", dst, c.n)
	clear(dst)
	for i, xi := range x {
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		cols, vals := c.colInd[lo:hi], c.val[lo:hi]
		for k, j := range cols {
			dst[j] += vals[k] * xi
		}
	}
}

// AddMulDiagTo adds alpha·J·diag(d) to dst.
func (c *CSR) AddMulDiagTo(dst *mat.Dense, alpha float64, d []float64) {
	checkLen("CSR.AddMulDiagTo", "d", d, c.n)
	checkDense("CSR.AddMulDiagTo", "dst", dst, c.n, c.n)
	out := dst.RawMatrix()
	for i := 0; i < c.n; i++ {
		orow := out.Data[i*out.Stride : i*out.Stride+c.n]
		lo, hi := c.rowPtr[i], c.rowPtr[i+1]
		cols, vals := c.colInd[lo:hi], c.val[lo:hi]
		for k, j := range cols {
			orow[j] += alpha * vals[k] * d[j]
		}
	}
}

// DoNonZero calls fn for every stored entry in row-major order.
func (c *CSR) DoNonZero(fn func(i, j int, v float64)) {
	for i := 0; i < c.n; i++ {
		for k := c.rowPtr[i]; k < c.rowPtr[i+1]; k++ {
			fn(i, c.colInd[k], c.val[k])
		}
	}
}

// csrRowDot returns Σ_k vals[k]·x[cols[k]], with four partial sums to
// shorten the floating-point dependency chain.
func csrRowDot(cols []int, vals []float64, x []float64) float64 {
	vals = vals[:len(cols)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(cols); k += 4 {
		c4, v4 := cols[k:k+4:k+4], vals[k:k+4:k+4]
		s0 += v4[0] * x[c4[0]]
		s1 += v4[1] * x[c4[1]]
		s2 += v4[2] * x[c4[2]]
		s3 += v4[3] * x[c4[3]]
	}
	for ; k < len(cols); k++ {
		s0 += vals[k] * x[cols[k]]
	}
	return (s0 + s1) + (s2 + s3)
}
