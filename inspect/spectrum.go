package inspect

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"

	"attractor/internal/gemm"
	"attractor/model"
)

// Convention says what a set of Jacobian eigenvalues means.
type Convention int

const (
	// ContinuousTime eigenvalues λ are rates of the velocity Jacobian ∂F/∂x
	// of a flow ẋ = F(x), in 1/(model time unit). A mode is stable when
	// Re λ < 0 and decays with time constant 1/|Re λ| time units.
	ContinuousTime Convention = iota
	// DiscreteMap eigenvalues μ are multipliers of the step Jacobian ∂f/∂x
	// of a map x ← f(x). A mode is stable when |μ| < 1 and decays with time
	// constant 1/|ln|μ|| steps. For a forward-Euler step of size dt,
	// μ = 1 + dt·λ.
	DiscreteMap
)

// String returns "continuous-time" or "discrete-map".
func (c Convention) String() string {
	switch c {
	case ContinuousTime:
		return "continuous-time"
	case DiscreteMap:
		return "discrete-map"
	}
	return fmt.Sprintf("Convention(%d)", int(c))
}

// Kind classifies a fixed or slow point by its speed q and the spectrum of
// its Jacobian.
type Kind int

const (
	// Stable: every mode decays (Re λ < −tol, or |μ| < 1 − tol).
	Stable Kind = iota
	// Saddle: at least one growing mode (Re λ > tol, or |μ| > 1 + tol) and
	// at least one that does not grow.
	Saddle
	// Unstable: every mode grows (a source or repeller).
	Unstable
	// Marginal: no growing mode, but at least one within tol of the
	// stability boundary (a line attractor or slow manifold direction).
	Marginal
	// Slow: a local minimum of q with tol_q < q < q_slow, not a true fixed
	// point (a ghost or a point on a slow manifold).
	Slow
)

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	switch k {
	case Stable:
		return "stable"
	case Saddle:
		return "saddle"
	case Unstable:
		return "unstable"
	case Marginal:
		return "marginal"
	case Slow:
		return "slow"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Spectrum is a set of Jacobian eigenvalues together with the convention
// they follow and the Euler step Dt that relates the two conventions
// (μ = 1 + Dt·λ; Dt is 0 when unknown).
type Spectrum struct {
	Values     []complex128
	Convention Convention
	Dt         float64
}

// Units names the unit of the eigenvalues: "1/time unit" for
// continuous-time rates, "per step" for discrete-map multipliers.
func (s Spectrum) Units() string {
	if s.Convention == DiscreteMap {
		return "multiplier per step"
	}
	return "rate, 1/time unit"
}

// String summarises the spectrum: its size, convention, units and leading
// eigenvalue (largest real part for rates, largest modulus for multipliers).
func (s Spectrum) String() string {
	if len(s.Values) == 0 {
		return fmt.Sprintf("empty %s spectrum", s.Convention)
	}
	lead := s.Leading()
	name := "max Re λ"
	v := real(lead)
	if s.Convention == DiscreteMap {
		name = "max |μ|"
		v = cmplx.Abs(lead)
	}
	return fmt.Sprintf("%d %s eigenvalues (%s), %s = %.6g (leading %.6g%+.6gi)",
		len(s.Values), s.Convention, s.Units(), name, v, real(lead), imag(lead))
}

// Leading returns the eigenvalue that decides stability: the one with the
// largest real part (ContinuousTime) or the largest modulus (DiscreteMap).
// It returns NaN for an empty spectrum.
func (s Spectrum) Leading() complex128 {
	if len(s.Values) == 0 {
		return cmplx.NaN()
	}
	best := s.Values[0]
	for _, v := range s.Values[1:] {
		if specGrowth(v, s.Convention) > specGrowth(best, s.Convention) {
			best = v
		}
	}
	return best
}

// specGrowth is Re λ for rates and |μ| − 1 for multipliers: positive for a
// growing mode.
func specGrowth(v complex128, c Convention) float64 {
	if c == DiscreteMap {
		return cmplx.Abs(v) - 1
	}
	return real(v)
}

// Sort orders the values from the most unstable to the most stable (by
// decreasing Re λ, or decreasing |μ|), breaking ties by decreasing
// imaginary part, so that conjugate pairs come out as (a+bi, a−bi).
func (s Spectrum) Sort() {
	sort.SliceStable(s.Values, func(i, j int) bool {
		gi, gj := specGrowth(s.Values[i], s.Convention), specGrowth(s.Values[j], s.Convention)
		if gi != gj {
			return gi > gj
		}
		return imag(s.Values[i]) > imag(s.Values[j])
	})
}

// TimeConstants writes the decay (or growth) time constant of every mode
// into dst, growing it if needed, and returns it: 1/|Re λ| in model time
// units for rates, 1/|ln|μ|| in steps for multipliers. A mode exactly on the
// boundary has an infinite time constant.
func (s Spectrum) TimeConstants(dst []float64) []float64 {
	dst = specResize(dst, len(s.Values))
	for i, v := range s.Values {
		if s.Convention == DiscreteMap {
			dst[i] = 1 / math.Abs(math.Log(cmplx.Abs(v)))
		} else {
			dst[i] = TimeConstant(v)
		}
	}
	return dst
}

// Classify counts the growing and marginal modes with tolerance tol on Re λ
// (ContinuousTime) or on |μ| − 1 (DiscreteMap) and names the kind: Stable
// when no mode grows or is marginal, Marginal when none grows but one is
// within tol of the boundary, Unstable when every mode grows, Saddle
// otherwise. An empty spectrum is Stable. Classify never returns Slow,
// which depends on q, not on the spectrum.
func (s Spectrum) Classify(tol float64) (kind Kind, unstable, marginal int) {
	for _, v := range s.Values {
		g := specGrowth(v, s.Convention)
		switch {
		case g > tol || math.IsNaN(g):
			unstable++
		case g >= -tol:
			marginal++
		}
	}
	switch {
	case unstable == 0 && marginal == 0:
		kind = Stable
	case unstable == 0:
		kind = Marginal
	case unstable == len(s.Values):
		kind = Unstable
	default:
		kind = Saddle
	}
	return kind, unstable, marginal
}

// ToMultipliers returns the discrete-map multipliers μ = 1 + dt·λ of the
// forward-Euler step with step dt, given continuous-time rates λ (science
// spec EC-27). It writes into dst, growing it if needed; dst may be rates.
func ToMultipliers(dst, rates []complex128, dt float64) []complex128 {
	dst = specResizeC(dst, len(rates))
	for i, l := range rates {
		dst[i] = 1 + complex(dt, 0)*l
	}
	return dst
}

// ToRates inverts [ToMultipliers]: λ = (μ − 1)/dt. It writes into dst,
// growing it if needed; dst may be mults.
func ToRates(dst, mults []complex128, dt float64) []complex128 {
	dst = specResizeC(dst, len(mults))
	for i, m := range mults {
		dst[i] = (m - 1) / complex(dt, 0)
	}
	return dst
}

// TimeConstant returns 1/|Re λ|, the time constant in model time units of a
// continuous-time mode with rate λ (+Inf when Re λ = 0).
func TimeConstant(lambda complex128) float64 {
	return 1 / math.Abs(real(lambda))
}

// The level-3 BLAS of gonum's LAPACK (the Hessenberg reduction's and the
// multishift QR's blocked updates) runs on the project's AVX2/FMA tile:
// gonum's Dgemm reaches 8 GFLOP per CPU second, the tile that rounds as
// gonum does 20, the fused one (in the eigenvalue path's own memory) 40.
func init() { blas64.Use(gemm.Implementation{}) }

// ErrEigen is returned when the eigenvalue decomposition does not converge.
var ErrEigen = errors.New("inspect: eigenvalue decomposition failed")

// Eigenvalues computes the eigenvalues of the square matrix m, writes them
// into dst (grown if needed) and returns it. It runs LAPACK's values-only
// path directly through gonum (balancing Dgebal, Hessenberg reduction
// Dgehrd, Hessenberg QR Dhseqr without the Schur vectors), which is what
// mat.Eigen with EigenNone does, minus its copies. The order is LAPACK's;
// see [Spectrum.Sort]. At N = 1000 this takes about 1.7 s (NumPy on
// OpenBLAS: 0.45 s); when only stability matters see [LeadingEigenvalues].
func Eigenvalues(dst []complex128, m mat.Matrix) ([]complex128, error) {
	r, c := m.Dims()
	if r != c {
		return dst, fmt.Errorf("inspect: Eigenvalues of a %d×%d matrix: %w", r, c, mat.ErrSquare)
	}
	n := r
	dst = specResizeC(dst, n)
	if n == 0 {
		return dst, nil
	}
	a := make([]float64, n*n)
	if d, ok := m.(mat.RawMatrixer); ok {
		raw := d.RawMatrix()
		for i := 0; i < n; i++ {
			copy(a[i*n:(i+1)*n], raw.Data[i*raw.Stride:i*raw.Stride+n])
		}
	} else {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				a[i*n+j] = m.At(i, j)
			}
		}
	}
	for _, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return dst, fmt.Errorf("%w: the matrix holds %v", ErrEigen, v)
		}
	}
	wr, wi, err := specHessenbergQR(a, n)
	if err != nil {
		return dst, err
	}
	for i := range dst {
		dst[i] = complex(wr[i], wi[i])
	}
	return dst, nil
}

// specHessenbergQR overwrites the row-major n×n matrix a and returns its
// eigenvalues (real and imaginary parts) by Dgebal + Dgehrd + Dhseqr.
func specHessenbergQR(a []float64, n int) (wr, wi []float64, err error) {
	var impl gonum.Implementation
	scale := make([]float64, n)
	ilo, ihi := impl.Dgebal(lapack.PermuteScale, n, a, n, scale)
	tau := make([]float64, max(n-1, 1))
	work := make([]float64, 1)
	impl.Dgehrd(n, ilo, ihi, a, n, tau[:max(n-1, 0)], work, -1)
	lw := int(work[0])
	wr, wi = make([]float64, n), make([]float64, n)
	work = make([]float64, max(lw, 1))
	// The products written into a and work may use fused multiply–adds:
	// twice as fast as gonum's rounding, which every other caller keeps.
	defer gemm.Fused(a, work)()
	impl.Dgehrd(n, ilo, ihi, a, n, tau[:max(n-1, 0)], work, lw)
	if hqrEigenvalues(n, ilo, ihi, a, n, wr, wi) > 0 {
		return nil, nil, ErrEigen
	}
	return wr, wi, nil
}

// OriginAnalysis is the spectral summary of the origin of a continuous-time
// rate network τẋ = −x + J_T φ(x) with φ'(0) = 1 (science spec §3.4(a)),
// whose Jacobian at the origin is A₀ = −I + J_T, in units of 1/τ.
type OriginAnalysis struct {
	// JT holds the eigenvalues of the effective connectivity J_T.
	JT []complex128
	// Radius is the bulk radius g + margin used to call outliers.
	Radius float64
	// Outliers are the eigenvalues of J_T with |λ| > Radius, outside the
	// circular-law disk of the random part gJ, sorted by decreasing real part.
	Outliers []complex128
	// LambdaMax is the eigenvalue of A₀ = −I + J_T with the largest real
	// part; the origin is stable iff Re LambdaMax < 0.
	LambdaMax complex128
	// RealOutliersAboveOne counts real outliers of J_T greater than 1, each of
	// which generically gives a ± pair of non-trivial fixed points.
	RealOutliersAboveOne int
}

// AnalyzeOrigin computes the origin analysis of §3.4(a) for effective
// connectivity jT with random-bulk gain g: eigenvalues of jT, outliers
// |λ| > g + margin, λ_max of −I + jT, and the number of real outliers > 1.
// An eigenvalue counts as real when |Im λ| ≤ 1e-9·max(1, |λ|).
func AnalyzeOrigin(jT mat.Matrix, g, margin float64) (OriginAnalysis, error) {
	vals, err := Eigenvalues(nil, jT)
	if err != nil {
		return OriginAnalysis{}, err
	}
	a := OriginAnalysis{JT: vals, Radius: g + margin}
	best := math.Inf(-1)
	for _, v := range vals {
		if real(v) > best {
			best = real(v)
			a.LambdaMax = v - 1
		}
		if cmplx.Abs(v) > a.Radius {
			a.Outliers = append(a.Outliers, v)
			if math.Abs(imag(v)) <= 1e-9*math.Max(1, cmplx.Abs(v)) && real(v) > 1 {
				a.RealOutliersAboveOne++
			}
		}
	}
	Spectrum{Values: a.Outliers}.Sort()
	return a, nil
}

// specResize returns a float slice of length n, reusing dst when possible.
func specResize(dst []float64, n int) []float64 {
	if cap(dst) < n {
		return make([]float64, n)
	}
	return dst[:n]
}

// specResizeC returns a complex slice of length n, reusing dst when possible.
func specResizeC(dst []complex128, n int) []complex128 {
	if cap(dst) < n {
		return make([]complex128, n)
	}
	return dst[:n]
}

// LeadingEigenvalues computes the k eigenvalues of the square matrix m that
// grow fastest under conv — the largest real parts (ContinuousTime) or the
// largest moduli (DiscreteMap) — writes them into dst (grown if needed),
// sorted as [Spectrum.Sort] does, and returns it. These are the modes that
// decide stability: a point is stable iff the first is stable, and the
// number of unstable modes is known once the last one returned is stable.
//
// It runs the Arnoldi process on m from a fixed start vector (classical
// Gram–Schmidt applied twice), computing the Ritz values of the Krylov
// space at dimensions 2k+20, 2k+36, … up to 400, and stops once the k
// wanted Ritz values have settled and their Ritz pairs have residual below 1e-10·|H|_F; each step costs one
// matrix–vector product, so at N = 1000 a call takes tens of milliseconds
// instead of the seconds of [Eigenvalues]. When the Krylov space reaches
// N/2 without convergence, or k ≥ N/4, it computes all eigenvalues with
// [Eigenvalues] instead. Like every Krylov method it can in principle miss
// an eigenvalue whose eigenvector is orthogonal to the start vector.
func LeadingEigenvalues(dst []complex128, m mat.Matrix, k int, conv Convention) ([]complex128, error) {
	r, c := m.Dims()
	if r != c {
		return dst, fmt.Errorf("inspect: LeadingEigenvalues of a %d×%d matrix: %w", r, c, mat.ErrSquare)
	}
	k = max(0, min(k, r))
	if k == 0 {
		return specResizeC(dst, 0), nil
	}
	return specArnoldi(dst, m, conv, k, func([]complex128) int { return k })
}

// GrowingEigenvalues computes the eigenvalues of the square matrix m whose
// growth under conv (Re λ for ContinuousTime, |μ| − 1 for DiscreteMap)
// exceeds floor, and at least the leading one, sorted as [Spectrum.Sort]
// does, by the Arnoldi process of [LeadingEigenvalues]: the set is final
// once the Ritz values above floor have settled and converged. With floor
// a little below −tol this is all [Spectrum.Classify] needs to count the
// unstable and marginal modes, at a small fraction of the cost of the full
// spectrum when few modes grow. It falls back to [Eigenvalues] when more
// than N/4 values lie above floor or the Arnoldi process does not
// converge within min(N/2, 400) steps.
func GrowingEigenvalues(dst []complex128, m mat.Matrix, conv Convention, floor float64) ([]complex128, error) {
	r, c := m.Dims()
	if r != c {
		return dst, fmt.Errorf("inspect: GrowingEigenvalues of a %d×%d matrix: %w", r, c, mat.ErrSquare)
	}
	if r == 0 {
		return specResizeC(dst, 0), nil
	}
	want := func(vals []complex128) int {
		k := 1
		for k < len(vals) && specGrowth(vals[k], conv) > floor {
			k++
		}
		return k
	}
	return specArnoldi(dst, m, conv, 1, want)
}

// specArnoldi runs the Arnoldi process for LeadingEigenvalues and
// GrowingEigenvalues: want returns, from the Ritz values sorted by growth,
// how many of them are wanted (at least k0 are expected).
func specArnoldi(dst []complex128, m mat.Matrix, conv Convention, k0 int, want func([]complex128) int) ([]complex128, error) {
	n, _ := m.Dims()
	full := func() ([]complex128, error) {
		all, err := Eigenvalues(nil, m)
		if err != nil {
			return dst, err
		}
		Spectrum{Values: all, Convention: conv}.Sort()
		k := min(want(all), n)
		dst = specResizeC(dst, k)
		copy(dst, all[:k])
		return dst, nil
	}
	if 4*k0 >= n {
		return full()
	}
	a := mat.DenseCopyOf(m).RawMatrix()
	for _, v := range a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return dst, fmt.Errorf("%w: the matrix holds %v", ErrEigen, v)
		}
	}
	maxDim := min(n/2, 400)
	// v holds the basis as rows; h the (dim+1)×dim Hessenberg matrix,
	// row-major with stride maxDim.
	v := make([]float64, (maxDim+1)*n)
	h := make([]float64, (maxDim+1)*maxDim)
	rng := model.NewRNG(0x5eed, 1)
	for i := 0; i < n; i++ {
		v[i] = rng.Norm()
	}
	specScale(v[:n], 1/specNorm(v[:n]))
	coef := make([]float64, maxDim+1)
	dim := 0
	check := min(2*k0+20, maxDim)
	var prev []complex128
	for dim < maxDim {
		w := v[(dim+1)*n : (dim+2)*n]
		blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: n, Inc: 1, Data: v[dim*n : (dim+1)*n]}, 0, blas64.Vector{N: n, Inc: 1, Data: w})
		basis := blas64.General{Rows: dim + 1, Cols: n, Stride: n, Data: v[:(dim+1)*n]}
		for pass := 0; pass < 2; pass++ {
			cf := coef[:dim+1]
			blas64.Gemv(blas.NoTrans, 1, basis, blas64.Vector{N: n, Inc: 1, Data: w}, 0, blas64.Vector{N: dim + 1, Inc: 1, Data: cf})
			blas64.Gemv(blas.Trans, -1, basis, blas64.Vector{N: dim + 1, Inc: 1, Data: cf}, 1, blas64.Vector{N: n, Inc: 1, Data: w})
			for i, x := range cf {
				h[i*maxDim+dim] += x
			}
		}
		beta := specNorm(w)
		h[(dim+1)*maxDim+dim] = beta
		dim++
		invariant := beta <= 1e-13*specFrob(h, dim, maxDim)
		if !invariant {
			specScale(w, 1/beta)
		}
		if dim < check && !invariant && dim < maxDim {
			continue
		}
		check = min(check+16, maxDim)
		// Cheap test first: the wanted Ritz values (values only) must
		// have settled since the previous check; then the residuals.
		all, err := specRitzValues(h, dim, maxDim, conv)
		if err != nil {
			return dst, err
		}
		k := want(all)
		if 4*k >= n || k > dim/2 && !invariant {
			return full()
		}
		settled := len(prev) == k && specSettled(all[:k], prev, 1e-9*specFrob(h, dim, maxDim))
		prev = append(prev[:0], all[:k]...)
		if !settled && !invariant && dim < maxDim {
			continue
		}
		vals, ok, err := specRitz(h, dim, maxDim, k, conv, invariant)
		if err != nil {
			return dst, err
		}
		if ok {
			dst = specResizeC(dst, k)
			copy(dst, vals)
			return dst, nil
		}
		if invariant {
			break // an invariant subspace with fewer than k wanted values
		}
	}
	return full()
}

// specRitz computes the Ritz values of the dim×dim leading block of the
// Arnoldi matrix h (row stride ld) and reports whether the k that grow
// fastest under conv have converged (residual |h_{dim+1,dim}|·|y_dim| ≤
// 1e-10·|H|_F for each eigenvector y of unit norm), returning them sorted.
func specRitz(h []float64, dim, ld, k int, conv Convention, invariant bool) ([]complex128, bool, error) {
	if dim < k {
		return nil, false, nil
	}
	hm := mat.NewDense(dim, dim, nil)
	for i := 0; i < dim; i++ {
		for j := max(0, i-1); j < dim; j++ {
			hm.Set(i, j, h[i*ld+j])
		}
	}
	var e mat.Eigen
	if !e.Factorize(hm, mat.EigenRight) {
		return nil, false, ErrEigen
	}
	vals := e.Values(nil)
	var vecs mat.CDense
	e.VectorsTo(&vecs)
	idx := make([]int, dim)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ga, gb := specGrowth(vals[idx[a]], conv), specGrowth(vals[idx[b]], conv)
		if ga != gb {
			return ga > gb
		}
		return imag(vals[idx[a]]) > imag(vals[idx[b]])
	})
	beta := math.Abs(h[dim*ld+dim-1])
	tol := 1e-10 * specFrob(h, dim, ld)
	out := make([]complex128, k)
	for o, i := range idx[:k] {
		out[o] = vals[i]
		if invariant {
			continue
		}
		nrm := 0.0
		for r := 0; r < dim; r++ {
			nrm += real(vecs.At(r, i))*real(vecs.At(r, i)) + imag(vecs.At(r, i))*imag(vecs.At(r, i))
		}
		if beta*cmplx.Abs(vecs.At(dim-1, i)) > tol*math.Sqrt(nrm) {
			return nil, false, nil
		}
	}
	return out, true, nil
}

// specRitzValues returns the Ritz values of the dim×dim leading block of
// h (row stride ld), sorted by decreasing growth under conv.
func specRitzValues(h []float64, dim, ld int, conv Convention) ([]complex128, error) {
	a := make([]float64, dim*dim)
	for i := 0; i < dim; i++ {
		for j := max(0, i-1); j < dim; j++ {
			a[i*dim+j] = h[i*ld+j]
		}
	}
	wr, wi, err := specHessenbergQR(a, dim)
	if err != nil {
		return nil, err
	}
	vals := make([]complex128, dim)
	for i := range vals {
		vals[i] = complex(wr[i], wi[i])
	}
	Spectrum{Values: vals, Convention: conv}.Sort()
	return vals, nil
}

// specSettled reports whether a and b, sorted alike, agree within tol.
func specSettled(a, b []complex128, tol float64) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if cmplx.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// specFrob is the Frobenius norm of the (dim+1)×dim leading block of h.
func specFrob(h []float64, dim, ld int) float64 {
	s := 0.0
	for i := 0; i <= dim; i++ {
		for j := max(0, i-1); j < dim; j++ {
			s += h[i*ld+j] * h[i*ld+j]
		}
	}
	return math.Sqrt(s)
}

func specNorm(x []float64) float64 { return blas64.Nrm2(blas64.Vector{N: len(x), Inc: 1, Data: x}) }

func specScale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}
