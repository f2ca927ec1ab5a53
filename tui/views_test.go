package tui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train"
)

// heatIdentity is the activity source of a state that is its own
// activity, with Kurtkaya's threshold on or off.
func heatIdentity(n int, threshold bool) heatSource {
	return heatSource{n: n, sym: "r", origin: "r = 0", threshold: threshold}
}

// heatTraj builds a T-state trajectory of n neurons from f(i, t).
func heatTraj(n, T int, f func(i, t int) float64) [][]float64 {
	tr := make([][]float64, T)
	for t := range tr {
		tr[t] = make([]float64, n)
		for i := range n {
			tr[t][i] = f(i, t)
		}
	}
	return tr
}

// Three neurons peaking (in |r|) at known times come out in peak-time
// order, each row divided by its own peak |r|, unbinned when the trial
// fits in the columns.
func TestHeatSortByPeakTime(t *testing.T) {
	peaks := []int{7, 2, 4}          // neuron i peaks at peaks[i]
	amp := []float64{0.9, -0.8, 0.6} // signed peak values, all above 0.5
	tr := heatTraj(3, 10, func(i, t int) float64 {
		if t == peaks[i] {
			return amp[i]
		}
		return 0.1 * amp[i] // same sign, smaller
	})
	a := heatSortActivity(tr, heatIdentity(3, true), heatMaxCols)
	if want := []int{1, 2, 0}; !slices.Equal(a.order, want) {
		t.Fatalf("order %v, want %v (peaks at 2, 4, 7)", a.order, want)
	}
	if want := []int{2, 4, 7}; !slices.Equal(a.peak, want) {
		t.Errorf("peak times %v, want %v", a.peak, want)
	}
	if a.active != 3 || a.cols != 10 || a.states != 10 {
		t.Errorf("active %d, cols %d, states %d; want 3, 10, 10", a.active, a.cols, a.states)
	}
	for k, i := range a.order {
		for c := range 10 {
			want := tr[c][i] / math.Abs(amp[i])
			if got := a.data[k*10+c]; math.Abs(got-want) > 1e-15 {
				t.Fatalf("row %d (neuron %d) column %d = %g, want %g", k, i, c, got, want)
			}
		}
	}
	// Ties in peak time keep the neuron order; a silent neuron stays 0.
	tr = heatTraj(3, 4, func(i, t int) float64 {
		if i < 2 && t == 1 {
			return 1
		}
		return 0
	})
	a = heatSortActivity(tr, heatIdentity(3, false), heatMaxCols)
	if !slices.Equal(a.order, []int{2, 0, 1}) || slices.ContainsFunc(a.data[:4], func(v float64) bool { return v != 0 }) {
		t.Errorf("ties and silence: order %v, silent row %v; want [2 0 1] (silent peaks at t = 0) and zeros", a.order, a.data[:4])
	}
}

// Kurtkaya's rule: neurons whose raw |r| never exceeds 0.5 go after the
// others (in their own peak-time order), whatever their peak time; without
// the rule every neuron is ranked by peak time alone.
func TestHeatThreshold(t *testing.T) {
	// Neuron 0 peaks early but weakly (0.4), neuron 1 late and strongly
	// (0.9), neuron 2 exactly at the threshold (not above it) at t = 2.
	height := []float64{0.4, 0.9, 0.5}
	at := []int{1, 8, 2}
	tr := heatTraj(3, 10, func(i, t int) float64 {
		if t == at[i] {
			return height[i]
		}
		return 0
	})
	a := heatSortActivity(tr, heatIdentity(3, true), heatMaxCols)
	if !slices.Equal(a.order, []int{1, 0, 2}) || a.active != 1 {
		t.Errorf("with the threshold: order %v, active %d; want [1 0 2] and 1", a.order, a.active)
	}
	a = heatSortActivity(tr, heatIdentity(3, false), heatMaxCols)
	if !slices.Equal(a.order, []int{0, 2, 1}) || a.active != 3 {
		t.Errorf("without the threshold: order %v, active %d; want [0 2 1] and 3", a.order, a.active)
	}
	// The rule applies to bounded rates and hidden states only.
	ct, err := model.RandomSussilloAbbott(6, 1, 1.2, model.NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	relu := *ct
	relu.Phi = model.CTRNNReLU
	lstm := model.RandomLSTM(5, 1, 1, model.NewRNG(1, 0))
	for _, c := range []struct {
		net       model.Network
		n         int
		sym       string
		threshold bool
	}{
		{ct, 6, "r", true},
		{&relu, 6, "r", false},
		{model.RandomTorchRNN(4, 1, 1, model.NewRNG(1, 0)), 4, "h", true},
		{lstm, 5, "h", true},
		{model.RandomKurtkaya(7, 1, 1, model.NewRNG(1, 0)), 7, "r", true},
	} {
		src := heatSourceOf(c.net)
		if src.n != c.n || src.sym != c.sym || src.threshold != c.threshold {
			t.Errorf("%s: n %d, %s, threshold %v; want %d, %s, %v", c.net.Family(), src.n, src.sym, src.threshold, c.n, c.sym, c.threshold)
		}
	}
	// A CTRNN's activity is its rate tanh(x).
	src := heatSourceOf(ct)
	x := []float64{-2, -0.5, 0, 0.3, 1, 4}
	r := make([]float64, 6)
	src.activity(r, x)
	for i := range x {
		if math.Abs(r[i]-math.Tanh(x[i])) > 1e-15 {
			t.Fatalf("CTRNN activity %v, want tanh of %v", r, x)
		}
	}
}

// Long trials are averaged into equal time bins.
func TestHeatTimeBins(t *testing.T) {
	tr := heatTraj(1, 8, func(_, t int) float64 { return float64(t + 1) }) // 1…8
	a := heatSortActivity(tr, heatIdentity(1, false), 4)
	want := []float64{1.5 / 8, 3.5 / 8, 5.5 / 8, 7.5 / 8}
	for c, w := range want {
		if math.Abs(a.data[c]-w) > 1e-15 {
			t.Fatalf("bins %v, want %v", a.data, want)
		}
	}
}

// The connectivity view permutes rows and columns by the peak-time order
// and averages blocks when the matrix is larger than the pane.
func TestHeatConnectivityPermutation(t *testing.T) {
	const n = 4
	m := make([]float64, n*n)
	for i := range n {
		for j := range n {
			m[i*n+j] = float64(10*i + j)
		}
	}
	order := []int{2, 0, 3, 1}
	g := &heatGrid{nr: n, nc: n}
	got := g.heatBinMatrix(m, n, order)
	for k := range n {
		for l := range n {
			if want := m[order[k]*n+order[l]]; got[k*n+l] != want {
				t.Fatalf("sorted[%d][%d] = %g, want m[%d][%d] = %g", k, l, got[k*n+l], order[k], order[l], want)
			}
		}
	}
	// 2×2 bins: sorted rows {2, 0} and {3, 1}, likewise the columns.
	g = &heatGrid{nr: 2, nc: 2}
	got = g.heatBinMatrix(m, n, order)
	want := []float64{
		(22 + 20 + 2 + 0) / 4.0, (23 + 21 + 3 + 1) / 4.0,
		(32 + 30 + 12 + 10) / 4.0, (33 + 31 + 13 + 11) / 4.0,
	}
	if !slices.Equal(got, want) {
		t.Errorf("2×2 bins %v, want %v", got, want)
	}
	// Through the pane's grid: data of one condition with that order.
	d := &heatData{src: heatIdentity(n, true), conn: m, cn: n, connName: "J_T",
		acts: []*heatActivity{{n: n, cols: 1, states: 1, data: make([]float64, n), order: order, peak: make([]int, n), active: n}}}
	st := DefaultStyles(testRenderer())
	var hg heatGrid
	hg.heatRebuild(st, d, 0, 1, viewConnectivity, 80, 80, 80, true)
	if hg.msg != "" || hg.nr != n || hg.nc != n || !strings.Contains(hg.title, "J_T") {
		t.Fatalf("grid %d×%d, message %q, title %q", hg.nr, hg.nc, hg.msg, hg.title)
	}
	// Range: the 99th percentile of the off-diagonal |values|, here the
	// largest, 32; the grid holds value/32 clamped to [−1, 1].
	if hg.grid[1*n+2] != m[0*n+3]/32 || hg.lo != -1 || hg.hi != 1 || !strings.Contains(hg.legend, "±32 (p99 |off-diag|)") {
		t.Errorf("shown[1][2] = %g, want m[0][3]/32 = %g; range [%g, %g]; legend %q", hg.grid[1*n+2], m[3]/32.0, hg.lo, hg.hi, hg.legend)
	}
	if hg.grid[2*n+2] != 1 || !strings.Contains(hg.legend, "1 bins clipped") {
		t.Errorf("the diagonal m[3][3] = 33 shows as %g, legend %q; want clipped to 1", hg.grid[2*n+2], hg.legend)
	}
}

// The connectivity of a CTRNN is J_T; that of a discrete map is the
// Jacobian of one step at the origin, here checked against torch.nn.RNN's
// formula diag(1 − tanh²(b_ih + b_hh)) W_hh; an LSTM shows its h→h block.
func TestHeatConnectivityMatrix(t *testing.T) {
	ct, err := model.RandomGhazizadeh(6, 1, 1.5, 1, model.NewRNG(3, 0))
	if err != nil {
		t.Fatal(err)
	}
	m, name, err := heatConnectivity(ct, heatSourceOf(ct))
	if err != nil || name != "J_T" {
		t.Fatalf("CTRNN: %v, %q", err, name)
	}
	if !slices.Equal(m, ct.EffectiveJ().RawMatrix().Data) {
		t.Error("CTRNN connectivity is not EffectiveJ")
	}
	rnn := model.RandomTorchRNN(5, 2, 1, model.NewRNG(4, 0))
	m, name, err = heatConnectivity(rnn, heatSourceOf(rnn))
	if err != nil || name != "∂h(t+1)/∂h(t) at h = 0" {
		t.Fatalf("torch RNN: %v, %q", err, name)
	}
	for i := range 5 {
		th := math.Tanh(rnn.BiasIH[i] + rnn.BiasHH[i])
		for j := range 5 {
			want := (1 - th*th) * rnn.WeightHH.At(i, j)
			if math.Abs(m[i*5+j]-want) > 1e-14 {
				t.Fatalf("J[%d][%d] = %g, want %g", i, j, m[i*5+j], want)
			}
		}
	}
	lstm := model.RandomLSTM(3, 1, 1, model.NewRNG(5, 0))
	m, name, err = heatConnectivity(lstm, heatSourceOf(lstm))
	if err != nil || len(m) != 9 || !strings.Contains(name, "(h, c) = 0") {
		t.Fatalf("LSTM: %v, %d entries, %q", err, len(m), name)
	}
	full := mat.NewDense(6, 6, nil)
	lstm.Jacobian(full, make([]float64, 6), nil)
	for i := range 3 {
		for j := range 3 {
			if m[i*3+j] != full.At(i, j) {
				t.Fatalf("LSTM block [%d][%d] = %g, want ∂h'/∂h %g", i, j, m[i*3+j], full.At(i, j))
			}
		}
	}
}

// NaN, ±Inf and ±1e300 activity and connectivity neither crash nor reach
// the screen as anything but finite colours.
func TestHeatNonFinite(t *testing.T) {
	bad := []float64{math.NaN(), math.Inf(1), 1e300, -1e300, math.MaxFloat64}
	tr := heatTraj(5, 6, func(i, t int) float64 {
		if t == 3 {
			return bad[i]
		}
		return 0.1
	})
	a := heatSortActivity(tr, heatIdentity(5, true), 4)
	if a.bad != 2 {
		t.Errorf("%d non-finite values counted, want 2", a.bad)
	}
	for _, v := range a.data {
		if !(v >= -1 && v <= 1) {
			t.Fatalf("activity data %v not in [−1, 1]", a.data)
		}
	}
	m := []float64{math.NaN(), 1e300, -1e300, math.Inf(-1), math.MaxFloat64, 1, 0, -math.MaxFloat64, 2}
	d := &heatData{src: heatIdentity(3, true), conn: m, cn: 3, connName: "J_T",
		acts: []*heatActivity{heatSortActivity(heatTraj(3, 3, func(i, t int) float64 { return bad[i] }), heatIdentity(3, true), 8)}}
	d.connBad = heatSanitise(d.conn)
	if d.connBad != 2 || d.conn[0] != 0 || d.conn[3] != 0 {
		t.Errorf("sanitised %d entries to %v, want the 2 non-finite ones set to 0", d.connBad, d.conn)
	}
	st := DefaultStyles(testRenderer())
	for _, sz := range [][2]int{{80, 80}, {2, 2}} {
		for _, v := range []heatView{viewActivity, viewConnectivity} {
			var g heatGrid
			g.heatRebuild(st, d, 0, 1, v, sz[0], sz[1], 60, false)
			for _, x := range g.grid {
				if !heatFinite(x) {
					t.Fatalf("view %d at %v: grid %v holds a non-finite value", v, sz, g.grid)
				}
			}
			if !heatFinite(g.lo) || !heatFinite(g.hi) || !(g.lo < g.hi) {
				t.Errorf("view %d at %v: range [%g, %g]", v, sz, g.lo, g.hi)
			}
		}
	}
	// Through the UI: the network's state is NaN or huge while the
	// activity view shows, and the pane stays drawn.
	for _, v := range []float64{math.NaN(), 1e300} {
		ui := newTestModel(t, entryFree, 200, 60)
		press(ui, "v")
		for i := range ui.s.x {
			ui.s.x[i] = v
		}
		press(ui, ".")
		ui.s.portrait = &portraitData{pca: ui.s.portrait.pca, heat: d}
		ui.portrait.invalidate()
		if view := ui.View(); !strings.Contains(view, "Activity") {
			t.Errorf("state %v: no activity pane", v)
		}
		press(ui, "v")
		if view := ui.View(); !strings.Contains(view, "Connectivity") || !strings.Contains(view, "2 non-finite as 0") {
			t.Errorf("state %v: connectivity pane without its non-finite note:\n%s", v, view)
		}
	}
}

// The views' titles show at 80×24 and 200×60, the screen keeps its size,
// and v comes back to the portrait.
func TestHeatViewsRender(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			for _, e := range []int{entrySine, entryMap} {
				m := newTestModel(t, e, sz.w, sz.h)
				titles := []string{"Activity · cond 1/", "Connectivity", "Phase portrait"} // at 80 columns a title drops its " · " parts that do not fit
				if sz.w >= 200 {
					titles[0] += "1 · neurons sorted by peak |r| time · t in model time units"
					titles[1] += " · J_T · sorted by peak time"
					if e == entryMap {
						titles[0] = "Activity · cond 1/3 · neurons sorted by peak |h| time · t in steps"
						titles[1] = "Connectivity · ∂h(t+1)/∂h(t) at h = 0"
					}
				}
				for _, title := range titles {
					press(m, "v")
					view := m.View()
					if !strings.Contains(view, title) {
						t.Errorf("entry %d: no %q in\n%s", e, title, view)
					}
					lines := strings.Split(view, "\n")
					if len(lines) != sz.h {
						t.Errorf("%d lines, want %d", len(lines), sz.h)
					}
					for i, l := range lines {
						if w := ansi.StringWidth(l); w > sz.w {
							t.Errorf("line %d is %d wide", i, w)
						}
					}
				}
			}
		})
	}
}

// heatBenchPane is the portrait pane at 200×60 in the activity view of a
// network of N = 300 neurons over a 2000-step trial (a travelling bump,
// deterministic), with the connectivity of a random matrix.
func heatBenchPane(tb testing.TB) (*portraitPane, *session) {
	m := newTestModel(tb, entrySine, 200, 60)
	const n, T = 300, 2001
	tr := heatTraj(n, T, func(i, t int) float64 {
		d := float64(t)/T - float64((i*7)%n)/n
		return math.Tanh(2*math.Exp(-d*d*200)) - 0.1
	})
	src := heatIdentity(n, true)
	rng := model.NewRNG(9, 0)
	conn := make([]float64, n*n)
	for i := range conn {
		conn[i] = rng.Norm() / math.Sqrt(n)
	}
	d := &heatData{src: src, flow: true, dt: 0.05, conn: conn, cn: n, connName: "J_T",
		acts: []*heatActivity{heatSortActivity(tr, src, heatMaxCols)}}
	s := m.s
	s.portrait = &portraitData{pca: s.portrait.pca, heat: d}
	p := newPortraitPane(m.ctx)
	p.s = s
	p.SetSize(200, 60)
	p.cycleView()
	p.View() // first frame: bins the map, sizes the canvas, frame and legend
	return p, s
}

// BenchmarkHeatActivity renders one frame of the activity view at 200×60
// with N = 300 (the cursor moves, so the canvas is drawn anew), as while
// the network runs.
func BenchmarkHeatActivity(b *testing.B) {
	p, s := heatBenchPane(b)
	b.ReportAllocs()
	for b.Loop() {
		s.t = (s.t + 1) % 2001
		p.invalidate()
		p.View()
	}
}

// BenchmarkHeatRebin measures the rebinning after a change of condition,
// view or size: the activity (N = 300 × 512 columns) and the N×N
// connectivity.
func BenchmarkHeatRebin(b *testing.B) {
	p, _ := heatBenchPane(b)
	st := p.ctx.Styles
	d := p.s.portrait.heat
	b.ReportAllocs()
	for b.Loop() {
		p.hg.heatRebuild(st, d, 0, 1, viewActivity, 198, 114, 198, false)
		p.hg.heatRebuild(st, d, 0, 1, viewConnectivity, 198, 114, 198, false)
	}
}

// A frame of the activity view costs at most 10 allocations, the binned
// map is reused, and an unchanged pane is not re-rendered.
func TestHeatFrameAllocs(t *testing.T) {
	p, s := heatBenchPane(t)
	grid := &p.hg.grid[0]
	if n := testing.AllocsPerRun(20, func() { s.t = (s.t + 1) % 2001; p.invalidate(); p.View() }); n > 10 {
		t.Errorf("an activity frame allocates %v times, want ≤ 10", n)
	}
	if &p.hg.grid[0] != grid {
		t.Error("the heat map was rebinned although nothing but the time changed")
	}
	a := p.View()
	if n := testing.AllocsPerRun(20, func() { p.View() }); n != 0 || p.View() != a {
		t.Errorf("an unchanged activity view re-renders (%v allocations)", n)
	}
	// The cursor sits in the column of the current time.
	s.t = 1000
	p.invalidate()
	lines := strings.Split(p.View(), "\n")
	col := 1000 * 198 / 2001
	if r := []rune(ansi.Strip(lines[5])); r[1+col] != '│' {
		t.Errorf("no cursor in column %d of row 5: %q", col, string(r))
	}
}

// Stage 1 of the analysis prepares the views for every condition.
func TestHeatBuiltByAnalysis(t *testing.T) {
	m := newTestModel(t, entryFree, 120, 40)
	d := m.s.portrait.heat
	if d == nil || len(d.acts) != len(m.s.proto.Conditions) || d.cn != 12 || d.connName != "J_T" || !d.flow {
		t.Fatalf("heat data %+v", d)
	}
	for c, a := range d.acts {
		if a.n != 12 || a.states != m.s.proto.Steps(c)+1 {
			t.Errorf("condition %d: %d neurons over %d states, want 12 over %d", c, a.n, a.states, m.s.proto.Steps(c)+1)
		}
		for k := 1; k < a.active; k++ {
			if a.peak[k] < a.peak[k-1] {
				t.Errorf("condition %d: peak times %v not sorted", c, a.peak)
				break
			}
		}
	}
	// A cancelled analysis stops.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := heatBuild(ctx, m.s.net, [][][]float64{{m.s.x}}); err == nil {
		t.Error("heatBuild ignored a cancelled context")
	}
}

// Loss and accuracy are drawn on their own plots, each with its legend;
// a NaN loss is dropped, not drawn.
func TestTrainingLossAndAccuracyApart(t *testing.T) {
	p := newTrainingPane(testContext(t))
	p.SetSize(30, 20)
	for i := range 50 {
		loss := math.Exp(-float64(i) / 10)
		if i == 25 {
			loss = math.NaN()
		}
		p.metrics = append(p.metrics, train.Metrics{Step: i, Loss: loss, Accuracy: float64(i) / 49})
	}
	v := ansi.Strip(p.View())
	lossAt, accAt := strings.Index(v, "━━ loss (log) · 1 non-finite"), strings.Index(v, "━━ accuracy")
	if lossAt < 0 || accAt < lossAt {
		t.Errorf("the pane does not show loss, then accuracy, each with its legend:\n%s", v)
	}
	if n := strings.Count(v, "└"); n != 2 {
		t.Errorf("the pane has %d x axes, want one for loss and one for accuracy:\n%s", n, v)
	}
}
