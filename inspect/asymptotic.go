package inspect

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// EndKind is where a forward simulation ends up (science spec §9 step 2).
type EndKind int

const (
	// EndFixedPoint: the readout is constant and the state no longer moves.
	EndFixedPoint EndKind = iota
	// EndLimitCycle: the trajectory repeats itself with a period T_p.
	EndLimitCycle
	// EndOther: neither (quasi-periodic, chaotic or still moving slowly).
	EndOther
	// EndDiverged: the state became NaN or infinite.
	EndDiverged
)

// String returns "FP", "LC", "other" or "diverged".
func (k EndKind) String() string {
	switch k {
	case EndFixedPoint:
		return "FP"
	case EndLimitCycle:
		return "LC"
	case EndOther:
		return "other"
	case EndDiverged:
		return "diverged"
	}
	return fmt.Sprintf("EndKind(%d)", int(k))
}

// AsymptoticSettings holds the thresholds of [Settle], with the defaults of
// science spec §9 step 2 and §10 item 19. A zero field takes its default; a
// nil *AsymptoticSettings means all defaults.
type AsymptoticSettings struct {
	// VarTol (1e-9) bounds the variance over the window of every readout
	// channel for a fixed point (population variance, as numpy's var).
	VarTol float64
	// SpeedTol (1e-6) bounds the speed ‖F(x_end)‖/√N for a fixed point, in
	// state units per model time unit (F is the velocity of a Flow, or
	// f(x) − x per step for a plain map).
	SpeedTol float64
	// ACFPeak (0.9) is the height the first non-zero-lag peak of the
	// autocorrelation of the PC1 projection must exceed for a limit cycle.
	ACFPeak float64
	// ReturnTol (1e-3) bounds the return distance ‖x(t) − x(t+T_p)‖/√N over
	// the window for a limit cycle.
	ReturnTol float64
	// AmplitudeTol (0.02) bounds |AmplitudeRatio − 1| for a limit cycle. A
	// small, slowly damped oscillation (a stable focus with weak damping)
	// passes the return test, whose tolerance is absolute, but shrinks:
	// on FORCE networks of N = 300 such spirals lose 20 % of their
	// amplitude over the test, while the cycles keep it to 1e-3.
	AmplitudeTol float64
	// ExtendRun (5) multiplies the run of a probe that looks periodic (an
	// ACF peak above ACFPeak) but is not a cycle yet (no return within
	// ReturnTol, or its amplitude still changes) and is not chaotic (largest Lyapunov exponent below ExtendMaxLyapunov, or
	// none computed): it is simulated again for ExtendRun times as long, so
	// 10 trial lengths (the Ghazizadeh paper's forward simulation) become 50
	// (their code's n_fw) for the probes that need it. Limit cycles of
	// trained networks can take that long to close. A value ≤ 1 disables
	// the extension.
	ExtendRun float64
	// ExtendMaxLyapunov (0.01 per model time unit, per step for a map) is
	// the largest Lyapunov exponent of a probe that is run again; a
	// converging or neutral orbit has λ ≤ 0 up to the estimate's noise
	// (±0.003 on FORCE networks of N = 300), a chaotic network at g = 2
	// about 0.05–0.1 (EC-04).
	ExtendMaxLyapunov float64
	// CycleFrac (0.5) is the fraction of the run the limit-cycle test looks
	// at when that is longer than the window. The autocorrelation test sees
	// periods up to 2/3 of what it looks at: on science spec §9's window of
	// 2 trial lengths that is 47 time units for the Ghazizadeh task, while
	// FORCE networks of N = 300 trained on it oscillate with periods near
	// 67; half of the 10-trial-length run sees periods up to 117. The fixed
	// point tests keep the window. A negative value restricts the limit-cycle
	// test to the window, as the spec proposes.
	CycleFrac float64
	// FloquetMaxN (400) is the largest state size for which the Floquet
	// multipliers are computed (the monodromy matrix costs one N×N×N
	// product per step of the period); −1 disables them.
	FloquetMaxN int
	// Lyapunov configures the largest Lyapunov exponent computed for an
	// EndOther result; its Transient is ignored (the run to the window has
	// already settled the state). Lyapunov.Blocks < 0 disables it.
	Lyapunov LyapunovSettings
	// FullRun simulates every probe for the whole run. By default a probe
	// stops early once its state has settled on a fixed point: from the
	// end of the first window on, every quarter window, its speed must
	// have fallen at three successive checks at a rate that is not slowing
	// down (converging, not passing a saddle or a ghost), the travel left at
	// that rate must be below 1e-3·SpeedTol per unit time of the interval,
	// and the readout must pass the fixed-point test on the window ending
	// there. The rest of the run would only bring it closer.
	FullRun bool
}

// DefaultAsymptoticSettings returns the settings with every default filled in.
func DefaultAsymptoticSettings() *AsymptoticSettings {
	s := &AsymptoticSettings{}
	s.fill()
	return s
}

func (s *AsymptoticSettings) fill() {
	vdDefault(&s.VarTol, 1e-9)
	vdDefault(&s.SpeedTol, 1e-6)
	vdDefault(&s.ACFPeak, 0.9)
	vdDefault(&s.ReturnTol, 1e-3)
	vdDefault(&s.CycleFrac, 0.5)
	vdDefault(&s.AmplitudeTol, 0.02)
	vdDefault(&s.ExtendRun, 5)
	vdDefault(&s.ExtendMaxLyapunov, 0.01)
	if s.FloquetMaxN == 0 {
		s.FloquetMaxN = 400
	}
	s.Lyapunov.fill()
}

// vdDefault sets *p to v when it is zero.
func vdDefault(p *float64, v float64) {
	if *p == 0 {
		*p = v
	}
}

// Asymptote is the end behaviour of one forward simulation.
type Asymptote struct {
	Kind EndKind
	// X is the final state and Readout the readout there.
	X, Readout []float64
	// Time is the simulated time and Steps the number of steps; Window is
	// the length of the final window the tests look at, in the same units
	// (model time units for a Flow, steps for a plain map).
	Time, Window float64
	Steps        int
	// ReadoutMean and ReadoutVar are the mean and (population) variance of
	// each readout channel over the window; MaxReadoutVar is the largest
	// variance (NaN when the network has no readout).
	ReadoutMean, ReadoutVar []float64
	MaxReadoutVar           float64
	// Speed is ‖F(X)‖/√N (per model time unit; per step for a plain map).
	Speed float64
	// MaxDrift is max_t ‖x(t) − x(0)‖/√N over the whole run (the DFP test
	// of §3.4(b) uses it with x(0) = x(T_d)).
	MaxDrift float64
	// ACFPeak is the first non-zero-lag peak of the autocorrelation of the
	// PC1 projection over the window (NaN if there is none) and
	// PeriodSteps its lag.
	ACFPeak     float64
	PeriodSteps int
	// Period is the refined period of a limit cycle in model time units
	// (steps for a plain map): the mean over the window of the shift that
	// brings x(t+shift) closest to x(t), with sub-step interpolation.
	// ReturnDist is max_t ‖x(t) − x(t+Period)‖/√N over the window. Both are
	// NaN when no ACF peak was found.
	Period, ReturnDist float64
	// AmplitudeRatio is the RMS of the PC1 projection over the last whole
	// periods of the limit-cycle test's states divided by that over the
	// first (NaN when not computed): 1 on a cycle, below 1 on a spiral into
	// a fixed point, above 1 on one growing away from it.
	AmplitudeRatio float64
	// Floquet are the eigenvalues of the monodromy matrix (the product of
	// the step Jacobians over round(Period/dt) steps), sorted by decreasing
	// modulus, for a limit cycle with N ≤ FloquetMaxN; TangentMultiplier
	// is the one closest to 1 (the direction along the orbit).
	Floquet           []complex128
	TangentMultiplier complex128
	// Lyapunov is the largest Lyapunov exponent (1/model time unit) for an
	// EndOther result, NaN otherwise.
	Lyapunov float64
	// Extended reports that the run was lengthened by ExtendRun because the
	// orbit looked periodic but had not closed.
	Extended bool
	// Settled reports that the run stopped before its end because the state
	// had settled on a fixed point (see AsymptoticSettings.FullRun).
	Settled bool
}

// vdSettleFactor scales SpeedTol into the early stop's tolerance: a probe
// stops when the distance it would still travel is below
// vdSettleFactor·SpeedTol per unit time of a check interval, a thousand
// times less than the fixed-point test allows, so where it stops is where
// the whole run ends to within 1e-9/|λ| state units per unit of speed
// (far inside TolUnique and the code classifier's 4 decimals).
const vdSettleFactor = 1e-3

// vdSettleCheck decides when a run has settled: fed the speed every check
// interval, it reports true once the last three speeds fall at a rate r
// that is not slowing down (r₂ ≤ r₁·(1 + 1e-3) < 1) and the travel left if
// they keep falling so, speed·r₂/(1 − r₂) per interval length, is below
// tol — or once the speed is below tol·1e-6, the level of rounding.
type vdSettleCheck struct {
	s [3]float64
	n int
}

func (c *vdSettleCheck) settled(speed, tol float64) bool {
	c.s[0], c.s[1], c.s[2] = c.s[1], c.s[2], speed
	c.n++
	if !(speed < tol) {
		return false
	}
	if speed < tol*1e-6 {
		return true
	}
	if c.n < 3 {
		return false
	}
	r1, r2 := c.s[1]/c.s[0], c.s[2]/c.s[1]
	return r1 < 1 && r2 < 1 && r2 <= r1*(1+1e-3) && speed*r2/(1-r2) < tol
}

// vdDt returns the time step of net: Dt() for a Flow, 1 (a step) otherwise.
func vdDt(net model.Network) float64 {
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		return f.Dt()
	}
	return 1
}

// vdCheckState validates a state and an input against net.
func vdCheckState(net model.Network, x, u []float64) error {
	if net == nil {
		return errors.New("inspect: no network")
	}
	d := net.Dims()
	if len(x) != d.State {
		return fmt.Errorf("inspect: state has length %d, want %d", len(x), d.State)
	}
	if u != nil && len(u) != d.Input {
		return fmt.Errorf("inspect: input has length %d, want %d", len(u), d.Input)
	}
	return nil
}

// vdMaxLoops is the largest number of loops of an orbit whose period
// Settle tries when the autocorrelation peaks at one loop.
const vdMaxLoops = 4

// vdCtxEvery is how many steps pass between context checks.
const vdCtxEvery = 128

// Settle simulates net from x0 with the input held at input (nil: zero) for
// run time units (model time units for a [model.Flow], steps otherwise) and
// classifies the end behaviour on the final window of the given length
// (science spec §9 step 2):
//
//   - FP when every readout channel has variance below VarTol on the window
//     and the speed ‖F(x_end)‖/√N is below SpeedTol (networks without a
//     readout are judged by the speed alone);
//   - LC when not FP, the autocorrelation of the projection of the states on
//     their first principal component has its first non-zero-lag peak above
//     ACFPeak, and the return distance ‖x(t) − x(t+T_p)‖/√N stays below
//     ReturnTol; both on the final CycleFrac of the run, or the window when
//     that is longer. A peak is a local maximum that follows a dip of the
//     autocorrelation below zero, so a slow drift (whose autocorrelation
//     stays near 1) has none. When the orbit does not return after the
//     peak's lag, up to 4 whole multiples of it are tried (an orbit of
//     several nearly equal loops). Because a discretised orbit's period is
//     not a whole number of steps, x(t+T_p) is interpolated quadratically
//     between steps. The oscillation must also keep its amplitude
//     (AmplitudeTol), which tells a cycle from a slowly damped spiral of
//     small amplitude. A probe that passes the autocorrelation test but not
//     the others, and is not chaotic, is simulated again for ExtendRun times
//     the run. For an LC the Floquet multipliers are the eigenvalues of the
//     monodromy matrix, the product of the step Jacobians over one period;
//   - otherwise EndOther, with the largest Lyapunov exponent of [Lyapunov]
//     from the final state.
//
// A state that becomes NaN or infinite ends the run as EndDiverged, never a
// panic. A run that has settled on a fixed point ends early, as FP with
// Settled set (see AsymptoticSettings.FullRun). The context is checked
// every 128 steps.
func Settle(ctx context.Context, net model.Network, x0, input []float64, run, window float64, s *AsymptoticSettings) (*Asymptote, error) {
	if err := vdCheckState(net, x0, input); err != nil {
		return nil, err
	}
	var set AsymptoticSettings
	if s != nil {
		set = *s
	}
	set.fill()
	if !(run > 0) || math.IsInf(run, 0) || !(window > 0) {
		return nil, fmt.Errorf("inspect: Settle: run %v and window %v must be positive and finite", run, window)
	}
	a, err := vdSettle(ctx, net, x0, input, run, window, &set)
	if err != nil || !(set.ExtendRun > 1) || a.Kind != EndOther || !(a.ACFPeak > set.ACFPeak) || a.Lyapunov >= set.ExtendMaxLyapunov {
		return a, err
	}
	// It looks periodic but has not closed: follow it longer.
	b, err := vdSettle(ctx, net, x0, input, set.ExtendRun*run, window, &set)
	if b != nil {
		b.Extended = true
	}
	return b, err
}

// vdSettle is one run of [Settle].
func vdSettle(ctx context.Context, net model.Network, x0, input []float64, run, window float64, set *AsymptoticSettings) (*Asymptote, error) {
	dt := vdDt(net)
	steps := int(math.Ceil(run/dt - 1e-9))
	wsteps := min(steps, max(3, int(math.Ceil(window/dt-1e-9))))
	n := len(x0)
	nOut := net.Dims().Output
	a := &Asymptote{Steps: steps, Time: float64(steps) * dt, Window: float64(wsteps) * dt,
		ACFPeak: math.NaN(), Period: math.NaN(), ReturnDist: math.NaN(), AmplitudeRatio: math.NaN(), Lyapunov: math.NaN(), MaxReadoutVar: math.NaN(),
		TangentMultiplier: cmplx.NaN(), Speed: math.NaN()}
	x := append([]float64(nil), x0...)
	y := make([]float64, n)
	wstart := steps - wsteps
	// The limit-cycle test looks at the last csteps ≥ wsteps states.
	csteps := wsteps
	if set.CycleFrac > 0 {
		csteps = min(steps, max(wsteps, int(math.Ceil(set.CycleFrac*float64(steps)))))
	}
	cstart := steps - csteps
	traj := make([][]float64, 0, csteps)
	outs := make([][]float64, 0, wsteps)
	sqn := math.Sqrt(float64(n))
	// Early stop: the readouts of the last wsteps steps, and the check
	// interval.
	var ring [][]float64
	var check vdSettleCheck
	chk := max(1, wsteps/4)
	if !set.FullRun {
		ring = make([][]float64, wsteps)
		for i := range ring {
			ring[i] = make([]float64, nOut)
		}
	}
	for t := 0; t < steps; t++ {
		if t%vdCtxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		net.Step(y, x, input)
		x, y = y, x
		var d2 float64
		for i, v := range x {
			e := v - x0[i]
			d2 += e * e
		}
		drift := math.Sqrt(d2) / sqn
		if math.IsNaN(drift) || math.IsInf(drift, 0) {
			a.Kind = EndDiverged
			a.X = x
			a.MaxDrift = math.Inf(1)
			a.Steps = t + 1
			a.Time = float64(t+1) * dt
			return a, nil
		}
		a.MaxDrift = math.Max(a.MaxDrift, drift)
		if t >= cstart {
			traj = append(traj, append([]float64(nil), x...))
		}
		if t >= wstart {
			o := make([]float64, nOut)
			if nOut > 0 {
				net.Output(o, x)
			}
			outs = append(outs, o)
		}
		if ring == nil || t+1 >= steps {
			continue
		}
		if nOut > 0 {
			net.Output(ring[t%wsteps], x)
		}
		if t+1 < wsteps || (t+1)%chk != 0 {
			continue
		}
		sp := vdSpeed(net, x, input, y) / sqn
		if !check.settled(sp, vdSettleFactor*set.SpeedTol) {
			continue
		}
		win := append(append([][]float64(nil), ring[(t+1)%wsteps:]...), ring[:(t+1)%wsteps]...)
		mean, va := vdMeanVar(win, nOut)
		maxVar := math.NaN()
		for c, v := range va {
			if c == 0 || v > maxVar || math.IsNaN(v) {
				maxVar = v
			}
		}
		if nOut > 0 && !(maxVar < set.VarTol) {
			continue
		}
		a.Kind, a.Settled = EndFixedPoint, true
		a.X, a.Speed = x, sp
		a.Steps, a.Time = t+1, float64(t+1)*dt
		a.Readout = append([]float64(nil), win[len(win)-1]...)
		a.ReadoutMean, a.ReadoutVar, a.MaxReadoutVar = mean, va, maxVar
		return a, nil
	}
	a.X = x
	a.Readout = outs[len(outs)-1]
	a.ReadoutMean, a.ReadoutVar = vdMeanVar(outs, nOut)
	for c, v := range a.ReadoutVar {
		if c == 0 || v > a.MaxReadoutVar || math.IsNaN(v) {
			a.MaxReadoutVar = v
		}
	}
	a.Speed = vdSpeed(net, x, input, y) / sqn
	varOK := nOut == 0 || a.MaxReadoutVar < set.VarTol
	if varOK && a.Speed < set.SpeedTol {
		a.Kind = EndFixedPoint
		return a, nil
	}
	// Limit-cycle test.
	p := vdPC1Projection(traj)
	a.ACFPeak, a.PeriodSteps = vdACFPeak(p, 2*len(p)/3)
	if a.PeriodSteps > 0 {
		a.Period, a.ReturnDist = vdReturn(traj, a.PeriodSteps)
		a.Period *= dt
		a.ReturnDist /= sqn
		// An orbit that winds several nearly equal loops (a period-doubled or
		// -tripled cycle) has its ACF peak at one loop but returns only
		// after all of them: try whole multiples of the lag while at least
		// half a loop of states remains to compare.
		k := a.PeriodSteps
		for mult := 2; a.ACFPeak > set.ACFPeak && a.ReturnDist >= set.ReturnTol && mult <= vdMaxLoops && len(traj)-mult*k >= k/2+3; mult++ {
			per, dist := vdReturn(traj, mult*k)
			if dist/sqn < set.ReturnTol {
				a.PeriodSteps, a.Period, a.ReturnDist = mult*k, per*dt, dist/sqn
			}
		}
	}
	if a.PeriodSteps > 0 {
		a.AmplitudeRatio = vdAmplitudeRatio(p, int(math.Round(a.Period/dt)))
	}
	if a.PeriodSteps > 0 && a.ACFPeak > set.ACFPeak && a.ReturnDist < set.ReturnTol && math.Abs(a.AmplitudeRatio-1) <= set.AmplitudeTol {
		a.Kind = EndLimitCycle
		if set.FloquetMaxN >= 0 && n <= set.FloquetMaxN {
			k := max(1, int(math.Round(a.Period/dt)))
			fl, err := FloquetMultipliers(ctx, net, traj[0], input, k)
			if err != nil {
				return nil, err
			}
			a.Floquet = fl
			best := math.Inf(1)
			for _, m := range fl {
				if d := cmplx.Abs(m - 1); d < best {
					best, a.TangentMultiplier = d, m
				}
			}
		}
		return a, nil
	}
	a.Kind = EndOther
	if set.Lyapunov.Blocks >= 0 {
		ls := set.Lyapunov
		ls.Transient = -1
		l, err := Lyapunov(ctx, net, x, input, &ls)
		if err != nil {
			return nil, err
		}
		a.Lyapunov = l
	}
	return a, nil
}

// vdSpeed returns ‖F(x)‖: the velocity of a Flow, f(x) − x for a map.
// scratch has length N.
func vdSpeed(net model.Network, x, u, scratch []float64) float64 {
	if f, ok := net.(model.Flow); ok {
		f.Velocity(scratch, x, u)
	} else {
		net.Step(scratch, x, u)
		for i, v := range x {
			scratch[i] -= v
		}
	}
	var s float64
	for _, v := range scratch {
		s += v * v
	}
	return math.Sqrt(s)
}

// vdMeanVar returns the per-channel mean and population variance of rows.
func vdMeanVar(rows [][]float64, c int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	if len(rows) == 0 {
		return mean, variance
	}
	for _, r := range rows {
		for j, v := range r {
			mean[j] += v
		}
	}
	m := float64(len(rows))
	for j := range mean {
		mean[j] /= m
	}
	for _, r := range rows {
		for j, v := range r {
			d := v - mean[j]
			variance[j] += d * d
		}
	}
	for j := range variance {
		variance[j] /= m
	}
	return mean, variance
}

// vdPC1Projection projects the centred states on their first principal
// axis, found by 60 power iterations on the covariance (started from the
// state of largest deviation from the mean, so the result is deterministic).
func vdPC1Projection(traj [][]float64) []float64 {
	m := len(traj)
	n := len(traj[0])
	mean := make([]float64, n)
	for _, x := range traj {
		for i, v := range x {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(m)
	}
	c := make([][]float64, m)
	best, bi := -1.0, 0
	for t, x := range traj {
		c[t] = make([]float64, n)
		var s float64
		for i, v := range x {
			c[t][i] = v - mean[i]
			s += c[t][i] * c[t][i]
		}
		if s > best {
			best, bi = s, t
		}
	}
	v := append([]float64(nil), c[bi]...)
	p := make([]float64, m)
	for it := 0; it < 60; it++ {
		nv := fpNorm(v)
		if !(nv > 0) {
			break
		}
		for i := range v {
			v[i] /= nv
		}
		vdDots(p, c, v)
		clear(v)
		vdAddCombination(v, p, c)
	}
	if nv := fpNorm(v); nv > 0 {
		for i := range v {
			v[i] /= nv
		}
	}
	vdDots(p, c, v)
	return p
}

// vdDots sets p[t] = fpDot(c[t], v) for every t, four rows at a time: four
// independent chains of additions instead of one, each summed in the order
// of fpDot, so the bits are the same.
func vdDots(p []float64, c [][]float64, v []float64) {
	n := len(v)
	t := 0
	for ; t+4 <= len(c); t += 4 {
		c0, c1, c2, c3 := c[t][:n], c[t+1][:n], c[t+2][:n], c[t+3][:n]
		var s0, s1, s2, s3 float64
		for i, vi := range v {
			s0 += c0[i] * vi
			s1 += c1[i] * vi
			s2 += c2[i] * vi
			s3 += c3[i] * vi
		}
		p[t], p[t+1], p[t+2], p[t+3] = s0, s1, s2, s3
	}
	for ; t < len(c); t++ {
		p[t] = fpDot(c[t], v)
	}
}

// vdAddCombination adds Σ_t p[t]·c[t] to v, four rows per pass over v:
// every element still receives the terms for t = 0, 1, … in turn, each
// product and sum rounded, so the bits are those of adding one row at a
// time.
func vdAddCombination(v, p []float64, c [][]float64) {
	n := len(v)
	t := 0
	for ; t+4 <= len(c); t += 4 {
		c0, c1, c2, c3 := c[t][:n], c[t+1][:n], c[t+2][:n], c[t+3][:n]
		p0, p1, p2, p3 := p[t], p[t+1], p[t+2], p[t+3]
		for i := range v {
			v[i] = v[i] + p0*c0[i] + p1*c1[i] + p2*c2[i] + p3*c3[i]
		}
	}
	for ; t < len(c); t++ {
		for i, ci := range c[t] {
			v[i] += p[t] * ci
		}
	}
}

// vdPearsonLag is the Pearson correlation of p[0:M−k] with p[k:M].
func vdPearsonLag(p []float64, k int) float64 {
	a, b := p[:len(p)-k], p[k:]
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}

// vdAmplitudeRatio returns the RMS of p over its last whole periods
// divided by that over its first (as many periods of period steps as fit
// in half of p, at least one), each about its own mean; NaN if p is shorter
// than a period or the first RMS is 0.
func vdAmplitudeRatio(p []float64, period int) float64 {
	if period < 2 || period > len(p) {
		return math.NaN()
	}
	l := period * max(1, len(p)/2/period)
	rms := func(q []float64) float64 {
		var m, s float64
		for _, v := range q {
			m += v
		}
		m /= float64(len(q))
		for _, v := range q {
			s += (v - m) * (v - m)
		}
		return math.Sqrt(s / float64(len(q)))
	}
	a, b := rms(p[:l]), rms(p[len(p)-l:])
	if !(a > 0) {
		return math.NaN()
	}
	return b / a
}

// vdACFPeak returns the first peak of the autocorrelation of p at lags
// 1…maxLag that follows a dip below zero, and its lag (NaN, 0 if none).
func vdACFPeak(p []float64, maxLag int) (float64, int) {
	maxLag = min(maxLag, len(p)-3)
	if maxLag < 2 {
		return math.NaN(), 0
	}
	r := make([]float64, maxLag+2)
	r[0] = 1
	for k := 1; k <= maxLag+1 && k < len(p)-1; k++ {
		r[k] = vdPearsonLag(p, k)
		if math.IsNaN(r[k]) {
			return math.NaN(), 0
		}
	}
	dipped := false
	for k := 1; k <= maxLag; k++ {
		if r[k] < 0 {
			dipped = true
		}
		if dipped && r[k] > 0 && r[k] >= r[k-1] && r[k] >= r[k+1] {
			return r[k], k
		}
	}
	return math.NaN(), 0
}

// vdReturn refines a period of about k steps: for every window state x_t
// with room after it, it finds the shift j ∈ [k−2, k+2] with x_{t+j}
// closest to x_t, fits the quadratic through x_{t+j−1}, x_{t+j}, x_{t+j+1}
// and minimises the distance over the fractional shift θ ∈ [−1, 1]. It
// returns the mean of j + θ (steps) and the largest distance (not scaled).
func vdReturn(traj [][]float64, k int) (period, dist float64) {
	m := len(traj)
	var sum float64
	cnt := 0
	dist = 0
	for t := 0; t+k+3 < m; t++ {
		x := traj[t]
		bj, bd := 0, math.Inf(1)
		for j := max(1, k-2); j <= k+2 && t+j+1 < m; j++ {
			if d := fpDist(x, traj[t+j]); d < bd {
				bd, bj = d, j
			}
		}
		if bj == 0 {
			continue
		}
		xm, x0, xp := traj[t+bj-1], traj[t+bj], traj[t+bj+1]
		var dd, da, db, aa, ab, bb float64
		for i := range x {
			d := x[i] - x0[i]
			av := (xp[i] - xm[i]) / 2
			bv := (xp[i] - 2*x0[i] + xm[i]) / 2
			dd += d * d
			da += d * av
			db += d * bv
			aa += av * av
			ab += av * bv
			bb += bv * bv
		}
		q := func(th float64) float64 {
			return dd - 2*th*da - 2*th*th*db + th*th*aa + 2*th*th*th*ab + th*th*th*th*bb
		}
		bt, bq := 0.0, dd
		for i := -100; i <= 100; i++ {
			th := float64(i) / 100
			if v := q(th); v < bq {
				bt, bq = th, v
			}
		}
		// Golden refinement around the best grid point.
		lo, hi := bt-0.01, bt+0.01
		for it := 0; it < 40; it++ {
			m1, m2 := lo+(hi-lo)*0.382, lo+(hi-lo)*0.618
			if q(m1) < q(m2) {
				hi = m2
			} else {
				lo = m1
			}
		}
		if th := (lo + hi) / 2; q(th) < bq {
			bt, bq = th, q(th)
		}
		sum += float64(bj) + bt
		cnt++
		dist = math.Max(dist, math.Sqrt(math.Max(bq, 0)))
	}
	if cnt == 0 {
		return math.NaN(), math.NaN()
	}
	return sum / float64(cnt), dist
}

// FloquetMultipliers returns the eigenvalues of the monodromy matrix
// M = ∂f/∂x(x_{k−1}) ⋯ ∂f/∂x(x_0), the product of the step Jacobians along
// the k steps of the orbit from x0 with the input held at u, sorted by
// decreasing modulus. For x0 on a limit cycle of period k steps one
// multiplier is ≈ 1 (the direction along the orbit) and the cycle is stable
// when every other |μ| < 1. The cost is k N×N×N products.
func FloquetMultipliers(ctx context.Context, net model.Network, x0, u []float64, k int) ([]complex128, error) {
	if err := vdCheckState(net, x0, u); err != nil {
		return nil, err
	}
	if k < 1 {
		return nil, fmt.Errorf("inspect: Floquet multipliers over %d steps", k)
	}
	n := len(x0)
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	jac := mat.NewDense(n, n, nil)
	tmp := mat.NewDense(n, n, nil)
	x := append([]float64(nil), x0...)
	y := make([]float64, n)
	for t := 0; t < k; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		net.Jacobian(jac, x, u)
		tmp.Mul(jac, m)
		m, tmp = tmp, m
		net.Step(y, x, u)
		x, y = y, x
	}
	if !fpFinite(m.RawMatrix().Data) {
		return nil, errors.New("inspect: Floquet: monodromy matrix is not finite")
	}
	vals, err := Eigenvalues(nil, m)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(vals, func(i, j int) bool {
		ai, aj := cmplx.Abs(vals[i]), cmplx.Abs(vals[j])
		if ai != aj {
			return ai > aj
		}
		return imag(vals[i]) > imag(vals[j])
	})
	return vals, nil
}

// LyapunovSettings configures [Lyapunov], with the defaults of science
// spec EC-04. A zero field takes its default.
type LyapunovSettings struct {
	D0        float64 // initial separation d₀ (1e-7)
	Block     float64 // time between renormalisations, model time units (10)
	Blocks    int     // number of blocks averaged (100)
	Transient float64 // time simulated before the first block (100); negative for none
}

func (s *LyapunovSettings) fill() {
	vdDefault(&s.D0, 1e-7)
	vdDefault(&s.Block, 10)
	if s.Blocks == 0 {
		s.Blocks = 100
	}
	vdDefault(&s.Transient, 100)
}

// Lyapunov estimates the largest Lyapunov exponent of net from x0 with
// the input held at u by Benettin's renormalisation (science spec EC-04):
// after a transient, a copy displaced by D0 (along a fixed deterministic
// direction) is simulated beside the reference; at the end of every block
// the separation d is measured and the copy is pulled back to distance D0
// along the current separation. The estimate is Σ ln(d_k/D0)/(Blocks·Block)
// in 1/(model time unit) (per step for a plain map). A diverging state
// gives NaN.
func Lyapunov(ctx context.Context, net model.Network, x0, u []float64, s *LyapunovSettings) (float64, error) {
	if err := vdCheckState(net, x0, u); err != nil {
		return math.NaN(), err
	}
	var set LyapunovSettings
	if s != nil {
		set = *s
	}
	set.fill()
	dt := vdDt(net)
	n := len(x0)
	x := append([]float64(nil), x0...)
	y := make([]float64, n)
	step := func(x, y []float64, k int) ([]float64, []float64, error) {
		for t := 0; t < k; t++ {
			if t%vdCtxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return x, y, err
				}
			}
			net.Step(y, x, u)
			x, y = y, x
		}
		return x, y, nil
	}
	var err error
	if set.Transient > 0 {
		if x, y, err = step(x, y, int(math.Round(set.Transient/dt))); err != nil {
			return math.NaN(), err
		}
	}
	xp := make([]float64, n)
	yp := make([]float64, n)
	var nrm float64
	for i := range xp {
		v := math.Sin(1 + 2.399963229728653*float64(i))
		xp[i] = v
		nrm += v * v
	}
	nrm = math.Sqrt(nrm)
	for i := range xp {
		xp[i] = x[i] + set.D0*xp[i]/nrm
	}
	bsteps := max(1, int(math.Round(set.Block/dt)))
	var sum float64
	for b := 0; b < set.Blocks; b++ {
		if x, y, err = step(x, y, bsteps); err != nil {
			return math.NaN(), err
		}
		if xp, yp, err = step(xp, yp, bsteps); err != nil {
			return math.NaN(), err
		}
		d := fpDist(x, xp)
		if !(d > 0) || math.IsInf(d, 0) || math.IsNaN(d) {
			if d == 0 {
				return math.Inf(-1), nil
			}
			return math.NaN(), nil
		}
		sum += math.Log(d / set.D0)
		for i := range xp {
			xp[i] = x[i] + (xp[i]-x[i])*set.D0/d
		}
	}
	return sum / (float64(set.Blocks) * float64(bsteps) * dt), nil
}
