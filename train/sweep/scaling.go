package sweep

import (
	"fmt"
	"sort"
	"strconv"
)

// ScalingFit is the critical-delay analysis of a sweep over learning rate
// and delay (docs/science.md §5.6): the critical delay T₀ of each learning
// rate, fitted to the fraction of its networks unable to learn across the
// delays, and the log-log law lr ∝ T₀^B across learning rates.
type ScalingFit struct {
	// LRs are the learning rates with a fit, ascending; Critical holds
	// their fits. FitErr names the learning rates whose fit failed.
	LRs      []float64
	Critical map[float64]ExpSaturation
	FitErr   error
	// LogLog is the fit log(lr) = B log(T₀) + log A (95 % interval of B)
	// over the learning rates with T₀ > 0, or nil with LogLogErr saying
	// why not.
	LogLog    *LogLogFit
	LogLogErr error
}

// Scaling fits the critical delays of the results rs: the grid axes lrAxis
// and delayAxis (their values must be numbers) give each network's
// learning rate and delay, and a network counts as unable to learn when
// its class is one of unable. Failed fits are reported in the result; an
// error means the axes do not make a phase diagram of numbers.
func (s *Sweep) Scaling(rs []*Result, lrAxis, delayAxis string, unable []string) (*ScalingFit, error) {
	p, err := s.PhaseDiagram(rs, delayAxis, lrAxis)
	if err != nil {
		return nil, err
	}
	delays := make([]float64, len(p.XVals))
	for i, v := range p.XVals {
		if delays[i], err = strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("delay %q is not a number", v)
		}
	}
	frac := map[float64][]float64{}
	for j, v := range p.YVals {
		lr, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("learning rate %q is not a number", v)
		}
		f := make([]float64, len(delays))
		for i := range delays {
			for _, cl := range unable {
				f[i] += p.Fraction(cl, i, j)
			}
		}
		frac[lr] = f
	}
	out := &ScalingFit{}
	out.Critical, out.FitErr = CriticalDelays(delays, frac)
	for lr := range out.Critical {
		out.LRs = append(out.LRs, lr)
	}
	sort.Float64s(out.LRs)
	var lrs, t0s []float64
	for _, lr := range out.LRs {
		if f := out.Critical[lr]; f.T0 > 0 {
			lrs, t0s = append(lrs, lr), append(t0s, f.T0)
		}
	}
	if ll, err := FitLogLog(t0s, lrs, 0.95); err == nil {
		out.LogLog = &ll
	} else {
		out.LogLogErr = err
	}
	return out, nil
}
