package sweep

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// ExpSaturation is Kurtkaya et al.'s fit of the fraction of networks
// unable to learn against the delay T (docs/science.md §5.6, exp_saturation):
//
//	f(T) = 0                       for T < T₀
//	f(T) = 1 − exp(−A (T − T₀))    for T ≥ T₀
type ExpSaturation struct {
	T0, A float64
	SSE   float64       // sum of squared residuals
	Cov   [2][2]float64 // covariance of (T₀, A): s²(JᵀJ)⁻¹, s² = SSE/(n−2)
}

// At evaluates the fitted curve.
func (e ExpSaturation) At(t float64) float64 {
	if t < e.T0 {
		return 0
	}
	return 1 - math.Exp(-e.A*(t-e.T0))
}

// FitExpSaturation fits f(T) to fractions frac at delays t by least
// squares (Levenberg–Marquardt with analytic derivatives, started from the
// reference code's p0 = (T₀, A) = (0.1, 0.1) and from T₀ at every data
// point; the best fit with A > 0 is kept). It fails when no delay has a
// positive fraction (no critical delay within the range).
func FitExpSaturation(t, frac []float64) (ExpSaturation, error) {
	n := len(t)
	if n != len(frac) || n < 3 {
		return ExpSaturation{}, fmt.Errorf("exp-saturation fit needs at least 3 points, have %d delays and %d fractions", len(t), len(frac))
	}
	anyPos := false
	for _, f := range frac {
		anyPos = anyPos || f > 0
	}
	if !anyPos {
		return ExpSaturation{}, errors.New("no delay has a positive fraction: the critical delay lies beyond the range")
	}
	sse := func(t0, a float64) float64 {
		e := ExpSaturation{T0: t0, A: a}
		var s float64
		for i := range t {
			r := e.At(t[i]) - frac[i]
			s += r * r
		}
		return s
	}
	starts := [][2]float64{{0.1, 0.1}}
	span := t[n-1] - t[0]
	for _, x := range t {
		for _, a := range []float64{0.1, 1 / math.Max(span, 1e-12), 10 / math.Max(span, 1e-12)} {
			starts = append(starts, [2]float64{x, a})
		}
	}
	best := ExpSaturation{SSE: math.Inf(1)}
	for _, p0 := range starts {
		t0, a := expSatLM(t, frac, p0[0], p0[1], sse)
		if !(a > 0) || math.IsNaN(t0) {
			continue
		}
		if s := sse(t0, a); s < best.SSE {
			best = ExpSaturation{T0: t0, A: a, SSE: s}
		}
	}
	if math.IsInf(best.SSE, 1) {
		return best, errors.New("exp-saturation fit did not converge")
	}
	// Covariance as scipy's curve_fit (absolute_sigma=False).
	var jtj [2][2]float64
	for i := range t {
		d0, da := expSatGrad(t[i], best.T0, best.A)
		jtj[0][0] += d0 * d0
		jtj[0][1] += d0 * da
		jtj[1][1] += da * da
	}
	jtj[1][0] = jtj[0][1]
	det := jtj[0][0]*jtj[1][1] - jtj[0][1]*jtj[1][0]
	s2 := math.Inf(1)
	if n > 2 {
		s2 = best.SSE / float64(n-2)
	}
	if det != 0 {
		best.Cov = [2][2]float64{{s2 * jtj[1][1] / det, -s2 * jtj[0][1] / det}, {-s2 * jtj[1][0] / det, s2 * jtj[0][0] / det}}
	} else {
		inf := math.Inf(1)
		best.Cov = [2][2]float64{{inf, inf}, {inf, inf}}
	}
	return best, nil
}

// expSatGrad returns ∂f/∂T₀ and ∂f/∂A at delay t.
func expSatGrad(t, t0, a float64) (float64, float64) {
	if t < t0 {
		return 0, 0
	}
	e := math.Exp(-a * (t - t0))
	return -a * e, (t - t0) * e
}

// expSatLM runs Levenberg–Marquardt from (t0, a).
func expSatLM(t, frac []float64, t0, a float64, sse func(t0, a float64) float64) (float64, float64) {
	lambda := 1e-3
	cur := sse(t0, a)
	for it := 0; it < 500; it++ {
		var g [2]float64
		var h [2][2]float64
		e := ExpSaturation{T0: t0, A: a}
		for i := range t {
			r := e.At(t[i]) - frac[i]
			d0, da := expSatGrad(t[i], t0, a)
			g[0] += d0 * r
			g[1] += da * r
			h[0][0] += d0 * d0
			h[0][1] += d0 * da
			h[1][1] += da * da
		}
		improved := false
		for try := 0; try < 30; try++ {
			m00 := h[0][0] * (1 + lambda)
			m11 := h[1][1] * (1 + lambda)
			if m00 == 0 {
				m00 = lambda
			}
			if m11 == 0 {
				m11 = lambda
			}
			det := m00*m11 - h[0][1]*h[0][1]
			if det == 0 {
				lambda *= 10
				continue
			}
			s0 := -(m11*g[0] - h[0][1]*g[1]) / det
			s1 := -(m00*g[1] - h[0][1]*g[0]) / det
			nt0, na := t0+s0, a+s1
			if na <= 0 {
				na = a / 2
			}
			if ns := sse(nt0, na); ns < cur {
				done := cur-ns <= 1e-15*(1+cur)
				t0, a, cur = nt0, na, ns
				lambda = math.Max(lambda/10, 1e-12)
				improved = true
				if done {
					return t0, a
				}
				break
			}
			lambda *= 10
		}
		if !improved {
			break
		}
	}
	return t0, a
}

// CriticalDelays fits FitExpSaturation for every learning rate: frac[lr]
// holds the fractions unable to learn at the delays. Learning rates whose
// fit fails are left out of the result and named in the error.
func CriticalDelays(delays []float64, frac map[float64][]float64) (map[float64]ExpSaturation, error) {
	out := map[float64]ExpSaturation{}
	var errs []error
	lrs := make([]float64, 0, len(frac))
	for lr := range frac {
		lrs = append(lrs, lr)
	}
	sort.Float64s(lrs)
	for _, lr := range lrs {
		fit, err := FitExpSaturation(delays, frac[lr])
		if err != nil {
			errs = append(errs, fmt.Errorf("lr %g: %w", lr, err))
			continue
		}
		out[lr] = fit
	}
	return out, errors.Join(errs...)
}

// LogLogFit is the regression log(lr) = B·log(T₀) + log A of the critical
// learning rate on the critical delay (lr_c ∝ T^B).
type LogLogFit struct {
	B, LogA float64
	SEB     float64    // standard error of B
	CI      [2]float64 // confidence interval of B
	Level   float64    // its level, e.g. 0.95
	R2      float64
	N       int
}

// FitLogLog regresses log(lr) on log(t0) by ordinary least squares and
// gives B's confidence interval at level (e.g. 0.95) from Student's t with
// n−2 degrees of freedom (scipy.stats.linregress's stderr; the reference
// code's Monte-Carlo over the covariance approximates the same interval).
func FitLogLog(t0, lr []float64, level float64) (LogLogFit, error) {
	n := len(t0)
	if n != len(lr) || n < 3 {
		return LogLogFit{}, fmt.Errorf("log-log fit needs at least 3 points, have %d and %d", len(t0), len(lr))
	}
	x := make([]float64, n)
	y := make([]float64, n)
	var mx, my float64
	for i := range t0 {
		if !(t0[i] > 0) || !(lr[i] > 0) {
			return LogLogFit{}, fmt.Errorf("point %d: T₀ = %v and lr = %v must be positive", i, t0[i], lr[i])
		}
		x[i], y[i] = math.Log(t0[i]), math.Log(lr[i])
		mx += x[i] / float64(n)
		my += y[i] / float64(n)
	}
	var sxx, sxy, syy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 {
		return LogLogFit{}, errors.New("log-log fit: all critical delays are equal")
	}
	f := LogLogFit{B: sxy / sxx, N: n, Level: level}
	f.LogA = my - f.B*mx
	var sse float64
	for i := range x {
		r := y[i] - f.LogA - f.B*x[i]
		sse += r * r
	}
	if syy > 0 {
		f.R2 = 1 - sse/syy
	}
	f.SEB = math.Sqrt(sse / float64(n-2) / sxx)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 2)}.Quantile(0.5 + level/2)
	f.CI = [2]float64{f.B - q*f.SEB, f.B + q*f.SEB}
	return f, nil
}

// FisherResult holds the p-values of Fisher's exact test of a 2×2 table.
type FisherResult struct {
	TwoSided  float64 // sum of the probabilities of tables no more likely than the observed one
	Less      float64 // P(X ≤ a): a smaller than expected
	Greater   float64 // P(X ≥ a): a larger than expected
	OddsRatio float64
}

// FisherExact tests independence in the table [[a, b], [c, d]] (rows:
// condition, columns: outcome) with the hypergeometric distribution of a
// given the margins, as scipy.stats.fisher_exact (the two-sided p sums the
// tables whose probability is at most the observed one's times 1 + 1e−7).
// EC-26 uses Greater: LC count a with post (row 1) larger than without.
func FisherExact(a, b, c, d int) (FisherResult, error) {
	if a < 0 || b < 0 || c < 0 || d < 0 {
		return FisherResult{}, fmt.Errorf("table [[%d %d] [%d %d]] has a negative count", a, b, c, d)
	}
	r1, c1, n := a+b, a+c, a+b+c+d
	lo, hi := max(0, r1+c1-n), min(r1, c1)
	lchoose := func(n, k int) float64 {
		x, _ := math.Lgamma(float64(n + 1))
		y, _ := math.Lgamma(float64(k + 1))
		z, _ := math.Lgamma(float64(n - k + 1))
		return x - y - z
	}
	lp := func(x int) float64 { return lchoose(c1, x) + lchoose(n-c1, r1-x) - lchoose(n, r1) }
	pObs := math.Exp(lp(a))
	var res FisherResult
	for x := lo; x <= hi; x++ {
		p := math.Exp(lp(x))
		if x <= a {
			res.Less += p
		}
		if x >= a {
			res.Greater += p
		}
		if p <= pObs*(1+1e-7) {
			res.TwoSided += p
		}
	}
	res.Less, res.Greater, res.TwoSided = math.Min(res.Less, 1), math.Min(res.Greater, 1), math.Min(res.TwoSided, 1)
	switch {
	case b*c != 0:
		res.OddsRatio = float64(a*d) / float64(b*c)
	case a*d != 0:
		res.OddsRatio = math.Inf(1)
	default:
		res.OddsRatio = math.NaN()
	}
	return res, nil
}

// Bonferroni returns p·m capped at 1: the p-value corrected for m tests.
func Bonferroni(p float64, m int) float64 { return math.Min(1, p*float64(max(1, m))) }
