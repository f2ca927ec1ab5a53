package tui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/charmbracelet/x/ansi"
	"gonum.org/v1/gonum/mat"

	"attractor/inspect"
	"attractor/model"
	"attractor/tui/plot"
)

// heatView is what the big portrait pane shows; the key v cycles through
// the views in this order.
type heatView int

const (
	viewPortrait     heatView = iota // PCA phase portrait
	viewActivity                     // sorted, normalised activity heat map (science spec §1.7)
	viewConnectivity                 // recurrent matrix in the same neuron order
	numViews
)

const (
	// heatThreshold is Kurtkaya et al.'s peak-time threshold on |r|:
	// neurons whose raw |activity| never exceeds it go to the end of the
	// order (science spec §1.7). It is applied only where the activity is
	// a bounded rate or hidden activation (see heatSourceOf).
	heatThreshold = 0.5
	// heatMaxCols bounds the time columns stored per condition: longer
	// trials are averaged into this many bins in the background.
	heatMaxCols = 512
	// heatPercentile sets the colour range of the connectivity view:
	// ± this quantile of |shown values| off the diagonal.
	heatPercentile = 0.99
)

// heatSource says which part of a network's state is its activity and
// what to call it.
type heatSource struct {
	n         int    // neurons shown
	sym       string // symbol of the activity: r, h or x
	origin    string // the state at which the Jacobian is taken, e.g. "h = 0"
	threshold bool   // whether Kurtkaya's |a| > 0.5 rule applies
	rates     *model.CTRNN
}

// heatSourceOf chooses the activity of net: the rate r = φ(x) of a CTRNN,
// the hidden half h of an LSTM's (h, c), the current half x of the gated
// network's (x, z), and the whole state of every other family. The
// threshold rule applies to activities bounded by 1 by construction (tanh
// rates and hidden states); for currents (Hopfield, gated x) and rectified
// units (ReLU CTRNN or TRNN), whose scale is not that of a tanh, every
// neuron is ranked by its peak time alone.
func heatSourceOf(net model.Network) heatSource {
	d := net.Dims().State
	src := heatSource{n: d, sym: "x", origin: "x = 0"}
	switch net.StateVar() {
	case model.StateRate:
		src.sym, src.origin, src.threshold = "r", "r = 0", true
	case model.StateHidden:
		src.sym, src.origin, src.threshold = "h", "h = 0", true
	case model.StateHiddenCell:
		src.n, src.sym, src.origin, src.threshold = d/2, "h", "(h, c) = 0", true
	case model.StateCurrentGate:
		src.n, src.origin = d/2, "(x, z) = 0"
	}
	switch c := net.(type) {
	case *model.CTRNN:
		src.sym, src.threshold, src.rates = "r", c.Phi == model.CTRNNTanh, c
	case *model.TRNN:
		src.threshold = c.Config().Activation == model.TRNNTanh
	}
	return src
}

// activity writes the activity of state s into dst (length src.n).
func (src heatSource) activity(dst, s []float64) {
	if src.rates != nil {
		src.rates.Rates(dst, s)
		return
	}
	copy(dst, s[:src.n])
}

// heatActivity is the activity view of one condition: the n×cols matrix
// of the reference trajectory's activity with rows in peak-time order.
type heatActivity struct {
	n, cols int
	states  int       // states of the trajectory, steps + 1
	data    []float64 // row k is neuron order[k] divided by its max |a|, in [−1, 1]; time bins are means
	order   []int     // order[k] is the neuron shown in row k
	peak    []int     // peak[k] is the state index t of max |a| of row k
	active  int       // rows [0, active) crossed the threshold (n without the rule)
	bad     int       // non-finite activity values, taken as 0
}

// heatData holds what the activity and connectivity views show, computed
// once per network and protocol in stage 1 of the analysis.
type heatData struct {
	src      heatSource
	flow     bool    // time axis in model time units (else steps)
	dt       float64 // Euler step of a flow
	acts     []*heatActivity
	conn     []float64 // cn×cn row-major, unsorted; non-finite entries set to 0
	cn       int
	connName string // "J_T" or the Jacobian convention
	connErr  error
	connBad  int // non-finite entries of the matrix, set to 0
}

// heatBuild computes the views' data from the trajectories of every
// condition (the states of stage 1) on the job's network.
func heatBuild(ctx context.Context, net model.Network, trajs [][][]float64) (*heatData, error) {
	src := heatSourceOf(net)
	h := &heatData{src: src}
	if f, ok := net.(model.Flow); ok && f.Dt() > 0 {
		h.flow, h.dt = true, f.Dt()
	}
	for _, tr := range trajs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h.acts = append(h.acts, heatSortActivity(tr, src, heatMaxCols))
	}
	h.conn, h.connName, h.connErr = heatConnectivity(net, src)
	if h.connErr == nil {
		h.cn = src.n
		h.connBad = heatSanitise(h.conn)
	}
	return h, ctx.Err()
}

// heatSanitise sets the NaN and infinite entries of m to 0 and returns
// how many there were.
func heatSanitise(m []float64) int {
	bad := 0
	for i, v := range m {
		if !heatFinite(v) {
			m[i] = 0
			bad++
		}
	}
	return bad
}

// heatSortActivity builds the activity view of trajectory traj (states
// t = 0, 1, …): the peak time t_i = argmax_t |a_i(t)| of each neuron (the
// first on ties), the order by peak time (ties by neuron index) with the
// neurons whose raw |a_i| never exceeds heatThreshold moved to the end
// (also by peak time) when src.threshold is set, each row divided by its
// max |a_i| and time averaged into at most maxCols equal bins. Non-finite
// activity counts as 0.
func heatSortActivity(traj [][]float64, src heatSource, maxCols int) *heatActivity {
	n, T := src.n, len(traj)
	cols := max(0, min(T, maxCols))
	a := &heatActivity{n: n, cols: cols, states: T, data: make([]float64, n*cols),
		order: make([]int, n), peak: make([]int, n)}
	if n == 0 || T == 0 {
		return a
	}
	raw := make([]float64, n*cols)
	mx := make([]float64, n)
	pk := make([]int, n)
	cnt := make([]int, cols)
	for t := range T {
		cnt[t*cols/T]++
	}
	buf := make([]float64, n)
	for t, s := range traj {
		src.activity(buf, s)
		c := t * cols / T
		w := 1 / float64(cnt[c])
		for i, v := range buf {
			if !heatFinite(v) {
				v = 0
				a.bad++
			}
			if av := math.Abs(v); av > mx[i] {
				mx[i], pk[i] = av, t
			}
			raw[i*cols+c] += v * w // a mean of values ≤ max|a| cannot overflow
		}
	}
	crossed := func(i int) bool { return !src.threshold || mx[i] > heatThreshold }
	a.order = inspect.PeakOrder(pk, func(i int) bool { return !crossed(i) })
	for k, i := range a.order {
		a.peak[k] = pk[i]
		if crossed(i) {
			a.active++
		}
		row, out := raw[i*cols:][:cols], a.data[k*cols:][:cols]
		if mx[i] == 0 {
			continue // a silent neuron stays 0
		}
		inv := 1 / mx[i]
		for c, v := range row {
			out[c] = max(-1, min(1, v*inv))
		}
	}
	return a
}

// heatConnectivity returns the recurrent matrix of net restricted to the
// src.n activity units, row-major: J_T = gJ + W_f W_oᵀ + W_fd W_dᵀ for a
// CTRNN, else the Jacobian of one step at the origin with zero input. A
// panicking model is reported as an error.
func heatConnectivity(net model.Network, src heatSource) (m []float64, name string, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("connectivity: %v", r)
		}
	}()
	var J *mat.Dense
	if c, ok := net.(*model.CTRNN); ok {
		J, name = c.EffectiveJ(), "J_T"
	} else {
		d := net.Dims().State
		J = mat.NewDense(d, d, nil)
		net.Jacobian(J, make([]float64, d), nil)
		name = "∂" + src.sym + "(t+1)/∂" + src.sym + "(t) at " + src.origin
	}
	n := src.n
	m = make([]float64, n*n)
	for i := range n {
		for j := range n {
			m[i*n+j] = J.At(i, j)
		}
	}
	return m, name, nil
}

// heatGrid is the heat map the pane draws: the chosen view's matrix binned
// to the canvas's pixels, with its title, range and legend. It is rebuilt
// only when its key (data, condition, view, size) changes, so a frame
// reuses it without allocating.
type heatGrid struct {
	data       *heatData
	cond       int
	view       heatView
	pcols, prs int // pixel columns and rows it was built for
	mono       bool
	built      bool

	grid    []float64
	nr, nc  int
	lo, hi  float64
	states  int // trajectory states along x (activity), for the time cursor
	title   string
	legend  string
	legendW int
	msg     string // shown instead of a map (no data, or the matrix failed)

	colBin  []int
	weight  []float64
	acc     []float64
	scratch []float64
}

// heatStale reports whether g must be rebuilt for these inputs.
func (g *heatGrid) heatStale(d *heatData, cond int, v heatView, pcols, prs int, mono bool) bool {
	return !g.built || g.data != d || g.cond != cond || g.view != v || g.pcols != pcols || g.prs != prs || g.mono != mono
}

// heatRebuild bins view v of d for condition cond (of conds) to pcols×prs
// pixels and sets the title and legend for an inner width w.
func (g *heatGrid) heatRebuild(st *Styles, d *heatData, cond, conds int, v heatView, pcols, prs, w int, mono bool) {
	g.data, g.cond, g.view, g.pcols, g.prs, g.mono, g.built = d, cond, v, pcols, prs, mono, true
	g.grid, g.msg, g.legend = g.grid[:0], "", ""
	if cond < 0 || cond >= len(d.acts) {
		g.msg = "no trajectory for this condition"
		g.title = heatTitles[v]
		return
	}
	a := d.acts[cond]
	sym := d.src.sym
	cs := strconv.Itoa(cond+1) + "/" + strconv.Itoa(conds)
	var parts []string
	switch v {
	case viewActivity:
		unit := "t in steps"
		if d.flow {
			unit = "t in model time units"
		}
		g.title = "Activity · cond " + cs + " · neurons sorted by peak |" + sym + "| time · " + unit
		if a.n == 0 || a.cols == 0 {
			g.msg = "no activity to show"
			return
		}
		g.nr, g.nc = min(a.n, prs), min(a.cols, pcols)
		g.grid = heatBinRows(g.grid, a.data, a.n, a.cols, g.nr, g.nc)
		g.lo, g.hi, g.states = -1, 1, a.states
		tEnd := float64(a.states - 1)
		if d.flow {
			tEnd *= d.dt
		}
		parts = append(parts, heatScaleText(mono, "1")+" ÷max|"+sym+"_i|")
		if a.bad > 0 {
			parts = append(parts, fmt.Sprintf("%d non-finite as 0", a.bad))
		}
		parts = append(parts, fmt.Sprintf("N=%d in %d rows", a.n, g.nr),
			"t 0–"+strconv.FormatFloat(tEnd, 'g', 4, 64))
		if below := a.n - a.active; d.src.threshold && below > 0 {
			parts = append(parts, fmt.Sprintf("last %d never |%s|>%g", below, sym, heatThreshold))
		}
		parts = append(parts, "bins: means")
	case viewConnectivity:
		g.title = "Connectivity · " + d.connName + " · sorted by peak time, cond " + cs
		if d.connErr != nil {
			g.msg = d.connErr.Error()
			return
		}
		if d.cn == 0 || len(a.order) != d.cn {
			g.msg = "no matrix to show"
			return
		}
		g.nr, g.nc = min(d.cn, prs), min(d.cn, pcols)
		g.grid = g.heatBinMatrix(d.conn, d.cn, a.order)
		// Shown as v/r clamped to [−1, 1], so the canvas never sees the
		// extreme ranges of a matrix holding ±1e300.
		r := g.heatRange(d.cn)
		clipped := 0
		for i, v := range g.grid {
			if u := v / r; u < -1 || u > 1 {
				g.grid[i] = max(-1, min(1, u))
				clipped++
			} else {
				g.grid[i] = u
			}
		}
		g.lo, g.hi = -1, 1
		parts = append(parts, heatScaleText(mono, "")+" ±"+strconv.FormatFloat(r, 'g', 3, 64)+" (p99 |off-diag|)")
		if d.connBad > 0 {
			parts = append(parts, fmt.Sprintf("%d non-finite as 0", d.connBad))
		}
		parts = append(parts, fmt.Sprintf("N=%d in %d rows", d.cn, g.nr))
		if clipped > 0 {
			parts = append(parts, fmt.Sprintf("%d bins clipped", clipped))
		}
		parts = append(parts, "bins: means")
	}
	// Legend: as many parts as fit.
	t := ""
	for _, p := range parts {
		next := p
		if t != "" {
			next = t + " · " + p
		}
		if ansi.StringWidth(next) > w {
			break
		}
		t = next
	}
	if t == "" && len(parts) > 0 {
		t = ansi.Truncate(parts[0], w, "")
	}
	g.legend = st.Dim.Render(t)
	g.legendW = ansi.StringWidth(t)
}

// heatScaleText names the colour ends of the symmetric range ±r (r may
// be empty): the palette's colours, or the mono shades.
func heatScaleText(mono bool, r string) string {
	switch {
	case r == "" && mono:
		return "░− █+"
	case r == "":
		return "blue− red+"
	case mono:
		return "░−" + r + "…█+" + r
	}
	return "blue −" + r + "…red +" + r
}

// heatBinRows averages the n×cols matrix src into nr×nc bins (nr ≤ n,
// nc ≤ cols; row bin R covers rows [R·n/nr, (R+1)·n/nr), likewise the
// columns), appending to dst[:0].
func heatBinRows(dst, src []float64, n, cols, nr, nc int) []float64 {
	dst = slices.Grow(dst[:0], nr*nc)[:nr*nc]
	clear(dst)
	for R := range nr {
		r0, r1 := R*n/nr, (R+1)*n/nr
		wr := 1 / float64(r1-r0)
		out := dst[R*nc:][:nc]
		for r := r0; r < r1; r++ {
			row := src[r*cols:][:cols]
			for C := range nc {
				c0, c1 := C*cols/nc, (C+1)*cols/nc
				s := 0.0
				for _, v := range row[c0:c1] {
					s += v
				}
				out[C] += s / float64(c1-c0) * wr
			}
		}
	}
	return dst
}

// heatBinMatrix averages the n×n matrix m, rows and columns permuted by
// order (row k of the result is row order[k] of m, likewise the columns),
// into g.nr×g.nc bins laid out as in heatBinRows. It reads m row by row,
// so it costs one pass over m, and reuses g's buffers.
func (g *heatGrid) heatBinMatrix(m []float64, n int, order []int) []float64 {
	nr, nc := g.nr, g.nc
	dst := slices.Grow(g.grid[:0], nr*nc)[:nr*nc]
	clear(dst)
	g.colBin = slices.Grow(g.colBin[:0], n)[:n]
	g.weight = slices.Grow(g.weight[:0], n)[:n]
	g.acc = slices.Grow(g.acc[:0], nc)[:nc]
	for C := range nc {
		q0, q1 := C*n/nc, (C+1)*n/nc
		for q := q0; q < q1; q++ {
			j := order[q]
			g.colBin[j], g.weight[j] = C, 1/float64(q1-q0)
		}
	}
	for R := range nr {
		p0, p1 := R*n/nr, (R+1)*n/nr
		wr := 1 / float64(p1-p0)
		out := dst[R*nc:][:nc]
		for p := p0; p < p1; p++ {
			clear(g.acc)
			row := m[order[p]*n:][:n]
			for j, v := range row {
				g.acc[g.colBin[j]] += v * g.weight[j]
			}
			for C, s := range g.acc {
				out[C] += s * wr
			}
		}
	}
	return dst
}

// heatRange returns the half-width of the symmetric colour range of the
// binned matrix in g (n×n before binning): the heatPercentile quantile of
// |value| over the bins that hold no diagonal entry (over all bins when
// every bin does), falling back to the largest |value| and then to 1 when
// that is 0.
func (g *heatGrid) heatRange(n int) float64 {
	g.scratch = g.scratch[:0]
	for R := range g.nr {
		p0, p1 := R*n/g.nr, (R+1)*n/g.nr
		for C := range g.nc {
			q0, q1 := C*n/g.nc, (C+1)*n/g.nc
			if p0 < q1 && q0 < p1 {
				continue // the bin holds diagonal entries
			}
			g.scratch = append(g.scratch, math.Abs(g.grid[R*g.nc+C]))
		}
	}
	if len(g.scratch) == 0 {
		for _, v := range g.grid {
			g.scratch = append(g.scratch, math.Abs(v))
		}
	}
	if len(g.scratch) == 0 {
		return 1
	}
	slices.Sort(g.scratch)
	k := max(0, int(math.Ceil(heatPercentile*float64(len(g.scratch))))-1)
	r := g.scratch[k]
	if !(r > 0) || math.IsInf(r, 0) {
		r = g.scratch[len(g.scratch)-1]
	}
	if !(r > 0) || math.IsInf(r, 0) {
		r = 1
	}
	return r
}

// heatFinite reports whether v is neither NaN nor ±Inf.
func heatFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// heatDraw draws the heat map of g on cv, with a cursor column at state
// index t of the trial for the activity view (none when t is past the
// trial).
func heatDraw(cv *plot.Canvas, st *Styles, g *heatGrid, t int) {
	cv.Clear()
	if len(g.grid) == 0 || g.msg != "" {
		cv.Text(0, 0, g.msg, plot.Default)
		return
	}
	_ = cv.HeatMap(g.grid, g.nr, g.nc, g.lo, g.hi, plot.Diverging)
	if g.view == viewActivity && g.states > 0 && t >= 0 && t < g.states {
		cols, rows := cv.Size()
		x := t * cols / g.states
		for r := range rows {
			cv.Text(x, r, "│", st.Cursor)
		}
	}
}

// heatTitles are the pane titles of the views before their data arrive.
var heatTitles = [numViews]string{"Phase portrait", "Activity", "Connectivity"}

// heatRender draws the activity or connectivity view. The heat map is
// binned again only when the network, condition, view or size changes; a
// frame (the cursor moves as the network runs) allocates only the string.
func (p *portraitPane) heatRender() string {
	st := p.ctx.Styles
	in, rows := max(0, p.w-2), p.h-3
	var d *heatData
	if p.s != nil && p.s.portrait != nil {
		d = p.s.portrait.heat
	}
	if d == nil || rows < 2 || in < 4 {
		p.fr.set(st, p.w, p.s.titled(heatTitles[p.view]), p.focused)
		msg := p.waitText()
		if p.s != nil && p.s.portrait != nil && d == nil {
			msg = "no activity data: press a to re-analyse"
		}
		return p.fr.box(msg, p.h)
	}
	s := p.s
	if cols, r := p.cv.Size(); cols != in || r != rows {
		p.cv.Resize(in, rows)
		p.rangeFor = nil
	}
	mono := p.ctx.mono()
	p.cv.Mono = mono
	if p.hg.heatStale(d, s.cond, p.view, in, 2*rows, mono) {
		p.hg.heatRebuild(st, d, s.cond, len(s.proto.Conditions), p.view, in, 2*rows, in, mono)
	}
	p.fr.set(st, p.w, p.s.titled(p.hg.title), p.focused)
	heatDraw(p.cv, st, &p.hg, s.t)
	return p.compose(rows, in, p.hg.legend, p.hg.legendW, nil)
}
