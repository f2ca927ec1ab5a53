package sweep

import (
	"math"
	"testing"
)

func TestFisherExact(t *testing.T) {
	cases := []struct {
		a, b, c, d               int
		two, less, greater, odds float64
	}{
		// Tea tasting: margins 4,4 | 4,4, P(a = k) = C(4,k)C(4,4−k)/70 =
		// {1, 16, 36, 16, 1}/70 for k = 0…4. Observed a = 3 (16/70):
		// two-sided = (1+16+16+1)/70, greater = 17/70, less = 69/70.
		{3, 1, 1, 3, 34.0 / 70, 69.0 / 70, 17.0 / 70, 9},
		// [[8, 2], [1, 5]]: a ∈ 3…9, C(9,a)C(7,10−a) = 84, 882, 2646, 2940,
		// 1260, 189, 7 (sum C(16,10) = 8008); observed 189: two-sided =
		// (84+189+7)/8008 (scipy's documented 0.0349650…), greater =
		// (189+7)/8008.
		{8, 2, 1, 5, 280.0 / 8008, (8008.0 - 7) / 8008, 196.0 / 8008, 20},
	}
	for _, c := range cases {
		r, err := FisherExact(c.a, c.b, c.c, c.d)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range [][2]float64{{r.TwoSided, c.two}, {r.Less, c.less}, {r.Greater, c.greater}, {r.OddsRatio, c.odds}} {
			if math.Abs(x[0]-x[1]) > 1e-12 {
				t.Fatalf("[[%d %d] [%d %d]]: %+v, want two %v less %v greater %v", c.a, c.b, c.c, c.d, r, c.two, c.less, c.greater)
			}
		}
	}
	if Bonferroni(0.02, 8) != 0.16 || Bonferroni(0.3, 8) != 1 {
		t.Fatal("Bonferroni")
	}
	if _, err := FisherExact(-1, 0, 0, 0); err == nil {
		t.Fatal("negative count accepted")
	}
}

func TestFitLogLog(t *testing.T) {
	// x = log T₀ = 0, 1, 2 and y = log lr = 1, 3, 4: x̄ = 1, ȳ = 8/3,
	// Sxx = 2, Sxy = 3 ⇒ B = 3/2, log A = 8/3 − 3/2 = 7/6; residuals
	// −1/6, 1/3, −1/6 ⇒ SSE = 1/6, s² = SSE/(n−2) = 1/6, se(B) =
	// sqrt(s²/Sxx) = sqrt(1/12); t(0.975, 1) = 12.7062047361747 ⇒ the 95 %
	// interval is 1.5 ± 3.66796…; R² = 1 − (1/6)/(14/3) = 27/28.
	f, err := FitLogLog([]float64{1, math.E, math.E * math.E}, []float64{math.E, math.Exp(3), math.Exp(4)}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	half := 12.7062047361747 * math.Sqrt(1.0/12)
	for _, x := range [][2]float64{{f.B, 1.5}, {f.LogA, 7.0 / 6}, {f.SEB, math.Sqrt(1.0 / 12)},
		{f.CI[0], 1.5 - half}, {f.CI[1], 1.5 + half}, {f.R2, 27.0 / 28}} {
		if math.Abs(x[0]-x[1]) > 1e-9 {
			t.Fatalf("fit %+v: %v, want %v", f, x[0], x[1])
		}
	}
	if _, err := FitLogLog([]float64{1, 1, 1}, []float64{1, 2, 3}, 0.95); err == nil {
		t.Fatal("equal delays accepted")
	}
}

func TestFitExpSaturation(t *testing.T) {
	delays := make([]float64, 21)
	for l := range delays {
		delays[l] = float64(20 * l) // 0 … 400 ms
	}
	for _, truth := range []ExpSaturation{{T0: 100, A: 0.02}, {T0: 130, A: 0.01}, {T0: 0, A: 0.005}} {
		frac := make([]float64, len(delays))
		for i, d := range delays {
			frac[i] = truth.At(d)
		}
		fit, err := FitExpSaturation(delays, frac)
		if err != nil {
			t.Fatal(err)
		}
		// T₀ = 0 on the first delay is only determined up to [0, 0]: the
		// data say f(0) = 0, f(20) = 1 − e^{−0.1}.
		if math.Abs(fit.T0-truth.T0) > 1e-4 || math.Abs(fit.A-truth.A) > 1e-6 || fit.SSE > 1e-12 {
			t.Fatalf("fit %+v, want T0 %v A %v", fit, truth.T0, truth.A)
		}
	}
	// Noisy data: the fitted curve beats its neighbours in T₀.
	frac := []float64{0, 0, 0, 0, 0, 0.05, 0.3, 0.5, 0.62, 0.75, 0.86, 0.88, 0.95, 0.97, 1, 0.98, 1, 1, 1, 1, 1}
	fit, err := FitExpSaturation(delays, frac)
	if err != nil {
		t.Fatal(err)
	}
	sse := func(e ExpSaturation) float64 {
		var s float64
		for i, d := range delays {
			s += (e.At(d) - frac[i]) * (e.At(d) - frac[i])
		}
		return s
	}
	if fit.T0 < 80 || fit.T0 > 120 || math.Abs(sse(fit)-fit.SSE) > 1e-12 {
		t.Fatalf("noisy fit %+v", fit)
	}
	for _, d := range [][2]float64{{1, 0}, {-1, 0}, {0, 1e-4}, {0, -1e-4}} {
		if n := sse(ExpSaturation{T0: fit.T0 + d[0], A: fit.A + d[1]}); n < fit.SSE {
			t.Fatalf("perturbed (%v) SSE %v < fitted %v", d, n, fit.SSE)
		}
	}
	if !(fit.Cov[0][0] > 0 && fit.Cov[1][1] > 0) {
		t.Fatalf("covariance %v", fit.Cov)
	}
	if _, err := FitExpSaturation(delays, make([]float64, len(delays))); err == nil {
		t.Fatal("all-zero fractions fitted")
	}
	fits, err := CriticalDelays(delays, map[float64][]float64{0.1: frac, 0.01: make([]float64, 21)})
	if len(fits) != 1 || err == nil {
		t.Fatalf("CriticalDelays %v, %v", fits, err)
	}
}
