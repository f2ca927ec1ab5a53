package inspect

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/mat"
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

// ErrEigen is returned when the eigenvalue decomposition does not converge.
var ErrEigen = errors.New("inspect: eigenvalue decomposition failed")

// Eigenvalues computes the eigenvalues of the square matrix m with gonum's
// mat.Eigen (values only), writes them into dst (grown if needed) and
// returns it. The order is LAPACK's; see [Spectrum.Sort].
func Eigenvalues(dst []complex128, m mat.Matrix) ([]complex128, error) {
	r, c := m.Dims()
	if r != c {
		return dst, fmt.Errorf("inspect: Eigenvalues of a %d×%d matrix: %w", r, c, mat.ErrSquare)
	}
	var e mat.Eigen
	if !e.Factorize(m, mat.EigenNone) {
		return dst, ErrEigen
	}
	dst = specResizeC(dst, r)
	return e.Values(dst), nil
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
