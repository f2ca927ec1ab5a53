package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// SaturationRatio returns Ghazizadeh & Ching's saturation ratio (science
// spec §1.7, Fig 4c): for each trial, the fraction of neurons whose rate
// averaged over the window, |mean_t r_i(t)| with r = φ(x), exceeds
// threshold (the authors' 0.8), averaged over the trials. win selects the
// window of each trial (nil: the delay window).
func SaturationRatio(ctx context.Context, net *model.CTRNN, trials []Trial, win func(*Trial) StepWindow, threshold float64) (float64, error) {
	if net == nil || len(trials) == 0 {
		return 0, errors.New("inspect: saturation ratio needs a network and trials")
	}
	if win == nil {
		win = func(tr *Trial) StepWindow { return tr.Delay }
	}
	n := net.Dims().State
	mean := make([]float64, n)
	r := make([]float64, n)
	var tot float64
	for i := range trials {
		tr := &trials[i]
		if err := tr.validate(net); err != nil {
			return 0, err
		}
		w := win(tr)
		if w.Len() < 1 || w.Start < 0 || w.End > tr.Steps() {
			return 0, fmt.Errorf("inspect: trial %q: saturation window [%d, %d) outside the trial", tr.Name, w.Start, w.End)
		}
		clear(mean)
		_, _, err := runTrial(ctx, net, tr, trialRun{record: func(t int, x, _ []float64) {
			if t >= w.Start && t < w.End {
				net.Rates(r, x)
				for j, v := range r {
					mean[j] += v
				}
			}
		}})
		if err != nil {
			return 0, err
		}
		sat := 0
		for _, m := range mean {
			if math.Abs(m/float64(w.Len())) > threshold {
				sat++
			}
		}
		tot += float64(sat) / float64(n)
	}
	return tot / float64(len(trials)), nil
}

// TrainedConnectivityNorm returns ‖J_T − gJ‖_F, the Frobenius norm of the
// trained low-rank part W_f W_oᵀ + W_fd W_dᵀ of the effective connectivity
// (science spec §3.1 eq. 3, §3.4(e), EC-20): how far training moved the
// connectivity from the random gJ. FORCE does not change J, so this is the
// whole weight change.
func TrainedConnectivityNorm(net *model.CTRNN) float64 {
	jt := net.EffectiveJ()
	n, _ := jt.Dims()
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	net.J.AddMulDiagTo(jt, -net.G, ones)
	return mat.Norm(jt, 2)
}

// PeakTimeOrder returns the neurons sorted by the time of their peak
// trial-averaged activity |r̄_i(t)| over the trials (science spec §1.7,
// Ghazizadeh's sorting by time of peak activity), earliest first; ties keep
// index order. The trials must have equal lengths.
func PeakTimeOrder(ctx context.Context, net *model.CTRNN, trials []Trial) ([]int, error) {
	if net == nil || len(trials) == 0 {
		return nil, errors.New("inspect: peak-time order needs a network and trials")
	}
	n := net.Dims().State
	T := trials[0].Steps()
	avg := make([][]float64, T)
	for t := range avg {
		avg[t] = make([]float64, n)
	}
	r := make([]float64, n)
	for i := range trials {
		tr := &trials[i]
		if err := tr.validate(net); err != nil {
			return nil, err
		}
		if tr.Steps() != T {
			return nil, fmt.Errorf("inspect: trial %q has %d steps, the first %d", tr.Name, tr.Steps(), T)
		}
		_, _, err := runTrial(ctx, net, tr, trialRun{record: func(t int, x, _ []float64) {
			net.Rates(r, x)
			for j, v := range r {
				avg[t][j] += v
			}
		}})
		if err != nil {
			return nil, err
		}
	}
	peak := make([]int, n)
	for j := range peak {
		best := -1.0
		for t := range T {
			if a := math.Abs(avg[t][j]); a > best {
				best, peak[j] = a, t
			}
		}
	}
	return PeakOrder(peak, nil), nil
}

// DiagonalBand returns, for c = 0…N−1, the mean of the c-th superdiagonal
// {M[o_i, o_{i+c}]} of the matrix m with rows and columns permuted by order
// (science spec §3.4(e), after Rajan, Harvey & Tank 2016): with neurons
// sorted by peak time, an indirect-fixed-point network's J_T shows a peak at
// small c (a "daisy chain" of temporally adjacent neurons).
func DiagonalBand(m mat.Matrix, order []int) []float64 {
	n := len(order)
	band := make([]float64, n)
	for c := range n {
		var s float64
		for i := 0; i+c < n; i++ {
			s += m.At(order[i], order[i+c])
		}
		band[c] = s / float64(n-c)
	}
	return band
}
