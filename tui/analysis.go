package tui

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// analysisJob is what a background analysis needs, copied from the UI so
// the job shares nothing mutable with it.
type analysisJob struct {
	gen   int
	net   model.Network  // a clone
	proto Protocol       // conditions are read only
	cond  int            // the condition shown
	inits int            // starting states of a fixed census (0: the adaptive census of the analysis defaults)
	file  *saved.Network // read only: the inits array of a file that has one

	// cache shares the results with other sessions (nil: none); digest
	// hashes the network for its keys.
	cache  Cache
	digest *netDigest
}

// portraitRequest names stage 1 of job in a cache key. Its first field
// names the analysis (tests count runs by it); heat-cols marks the layout
// that holds the activity and connectivity views, so results computed
// without them never match.
func (job analysisJob) portraitRequest() string {
	return fmt.Sprintf("portrait/v1 pca-states=%d heat-cols=%d protocol=%s", maxPCAStates, heatMaxCols, protocolDigest(&job.proto))
}

// fixedRequest names stage 2 of job in a cache key: the census's settings
// and protocol.
func (job analysisJob) fixedRequest() string {
	return fmt.Sprintf("fixed/v2 settings=%s pca-states=%d protocol=%s", settingsDigest(uiSettings(job.inits)), maxPCAStates, protocolDigest(&job.proto))
}

// uiSettings returns the analysis settings of the UI: the defaults of
// `attractor inspect`, so the UI's census and verdict are the command
// line's, with a fixed census of inits starts when inits > 0.
func uiSettings(inits int) *analysis.Settings {
	s := analysis.DefaultSettings()
	if inits > 0 {
		s.Census.Starts, s.Census.Adaptive, s.Census.Budget = inits, false, inits
	}
	return s
}

// settingsDigest returns a short hash of the settings, for cache keys.
func settingsDigest(s *analysis.Settings) string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%x", sum[:8])
}

// portraitData is the first stage of an analysis: the reference
// trajectories of every condition and their PCA.
type portraitData struct {
	pca    *inspect.PCAResult
	xs, ys [][]float64 // projected trajectory of each condition
	states [][]float64 // states sampled from the trajectories (fixed-point inits)
	// bounds of the finite projected points
	xmin, xmax, ymin, ymax float64
	diverged               int // trajectories that became non-finite
	// heat holds the sorted activity of every condition and the
	// connectivity for the other views of the portrait pane.
	heat *heatData
}

// fixedData is the second stage: the census's fixed points and their
// spectra (res holds census's points in the shape the panes read).
type fixedData struct {
	census *analysis.CensusResult
	res    *inspect.FixedPointResult
	px, py []float64 // projected fixed points
}

// Private result messages of the analysis stages.
type (
	portraitMsg struct {
		gen  int
		data *portraitData
		err  error
	}
	fixedMsg struct {
		gen  int
		data *fixedData
		err  error
	}
)

// guard turns a panic of a background job into an error.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("analysis failed: %v", r)
	}
}

// portraitCmd simulates the conditions and projects them (stage 1),
// through the job's cache.
func portraitCmd(ctx context.Context, job analysisJob) tea.Cmd {
	return func() tea.Msg {
		d, err := cacheDo(ctx, job.cache, job.digest, job.net, job.portraitRequest(),
			func(ctx context.Context) (*portraitData, error) { return runPortrait(ctx, job) })
		return portraitMsg{gen: job.gen, data: d, err: err}
	}
}

// fixedCmd searches fixed points from states of stage 1 (stage 2), through
// the job's cache.
func fixedCmd(ctx context.Context, job analysisJob, pd *portraitData) tea.Cmd {
	return func() tea.Msg {
		d, err := cacheDo(ctx, job.cache, job.digest, job.net, job.fixedRequest(),
			func(ctx context.Context) (*fixedData, error) { return runFixed(ctx, job, pd) })
		return fixedMsg{gen: job.gen, data: d, err: err}
	}
}

// maxPCAStates bounds the states handed to PCA.
const maxPCAStates = 2000

// runPortrait simulates every condition for a whole trial, stops a
// trajectory at its first non-finite state, runs PCA (2 components) on the
// pooled states, projects each trajectory and prepares the activity and
// connectivity views (heatBuild).
func runPortrait(ctx context.Context, job analysisJob) (d *portraitData, err error) {
	defer guard(&err)
	net := job.net
	n := net.Dims().State
	trajs := make([][][]float64, len(job.proto.Conditions))
	total := 0
	d = &portraitData{}
	for c := range job.proto.Conditions {
		steps := job.proto.Steps(c)
		x := append([]float64(nil), job.proto.Conditions[c].X0...)
		tr := make([][]float64, 0, steps+1)
		tr = append(tr, x)
		for t := range steps {
			if t%256 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			next := make([]float64, n)
			net.Step(next, x, job.proto.Input(c, t))
			if !finiteVec(next) {
				d.diverged++
				break
			}
			tr = append(tr, next)
			x = next
		}
		trajs[c] = tr
		total += len(tr)
	}
	stride := max(1, (total+maxPCAStates-1)/maxPCAStates)
	var pool [][]float64
	for _, tr := range trajs {
		for i := 0; i < len(tr); i += stride {
			pool = append(pool, tr[i])
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.pca, err = inspect.PCA(pool, 2)
	if err != nil {
		return nil, err
	}
	d.states = pool
	if d.heat, err = heatBuild(ctx, net, trajs); err != nil {
		return nil, err
	}
	var buf [2]float64
	d.xmin, d.ymin = math.Inf(1), math.Inf(1)
	d.xmax, d.ymax = math.Inf(-1), math.Inf(-1)
	for _, tr := range trajs {
		xs, ys := make([]float64, len(tr)), make([]float64, len(tr))
		for i, s := range tr {
			p := d.pca.Project(buf[:0], s)
			if len(p) < 2 {
				p = append(p, 0) // one-dimensional data
			}
			xs[i], ys[i] = p[0], p[1]
			d.xmin, d.xmax = min(d.xmin, p[0]), max(d.xmax, p[0])
			d.ymin, d.ymax = min(d.ymin, p[1]), max(d.ymax, p[1])
		}
		d.xs, d.ys = append(d.xs, xs), append(d.ys, ys)
	}
	return d, nil
}

// runFixed runs the census of the analysis (analysis.Census: starts
// along the protocol's trajectories and from a random cloud, forward
// simulation, coverage) with the UI's settings, and projects the points.
func runFixed(ctx context.Context, job analysisJob, pd *portraitData) (d *fixedData, err error) {
	defer guard(&err)
	c, err := analysis.Census(ctx, job.net, job.file, &job.proto, uiSettings(job.inits))
	if err != nil {
		return nil, err
	}
	res := &inspect.FixedPointResult{Convention: c.Convention, Method: c.Method, Converged: c.Converged,
		Captured: c.Captured, Slow: c.Slow, NotConverged: c.NotConv, NonFinite: c.NonFinite, DistanceOutliers: c.Outliers,
		Candidates: make([]inspect.Candidate, c.Candidates), BestQ: math.NaN()}
	for _, p := range c.Points {
		res.Points = append(res.Points, p.FixedPoint)
	}
	return (&fixedData{census: c, res: res}).reproject(pd), nil
}

// reproject returns the fixed points of d projected onto the PCA of pd
// (a new portrait of the same network), sharing the census.
func (d *fixedData) reproject(pd *portraitData) *fixedData {
	out := &fixedData{census: d.census, res: d.res}
	var buf [2]float64
	for _, p := range d.res.Points {
		q := pd.pca.Project(buf[:0], p.X)
		if len(q) < 2 {
			q = append(q, 0)
		}
		out.px, out.py = append(out.px, q[0]), append(out.py, q[1])
	}
	return out
}

// finiteVec reports whether every entry of x is finite.
func finiteVec(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
