package analysis

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// Schema names the version of the JSON document [Report] encodes to. It
// changes whenever a field changes meaning or disappears; new fields do
// not change it.
const Schema = "attractor.report/1"

// Program is the program version recorded in every report; the command
// line sets it at start-up from its build information.
var Program = "devel"

// Report is everything the analysis says about one network: the model,
// the protocol, the settings, the fixed points with their states (as
// FixedPointFinder's xstar), the attractors found by simulation, the limit
// cycles, the census's coverage and the verdict. `attractor inspect
// --json` prints it, the UI renders it and the sweeps store it; the same
// file and settings give the same bytes everywhere.
type Report struct {
	Schema  string `json:"schema"`
	Program string `json:"program_version"`
	File    string `json:"file"`
	// Run names the network of a run directory that was analysed, when the
	// command line was given the directory.
	Run   string `json:"run,omitempty"`
	Model Model  `json:"model"`
	Task  string `json:"task,omitempty"`

	Protocol ProtocolInfo `json:"protocol"`
	Settings *Settings    `json:"settings"`

	// Convention names the eigenvalue convention ("continuous-time" rates
	// λ or "discrete-map" multipliers μ) and Units their unit.
	Convention  string         `json:"convention"`
	Units       string         `json:"eigenvalue_units"`
	Search      Search         `json:"search"`
	Coverage    Coverage       `json:"coverage"`
	FixedPoints []FixedPoint   `json:"fixed_points"`
	Attractors  []AttractorDoc `json:"attractors"`
	Cycles      []Cycle        `json:"cycles"`
	// Manifolds are the slow manifolds (line attractors) among the fixed
	// points: see [Manifolds].
	Manifolds []Manifold `json:"manifolds"`

	Verdict     *inspect.Verdict `json:"verdict,omitempty"`
	CodeVerdict *inspect.Verdict `json:"code_verdict,omitempty"`
	// Basins are the basin fractions of the stable points, when asked for
	// (inspect --basins).
	Basins   *inspect.BasinReport `json:"basins,omitempty"`
	Notes    []string             `json:"notes,omitempty"`
	Warnings []string             `json:"warnings,omitempty"`
}

// Model describes the network.
type Model struct {
	Family   string   `json:"family"`
	StateVar string   `json:"state_var"`
	Size     int      `json:"size"`
	Inputs   int      `json:"inputs"`
	Outputs  int      `json:"outputs"`
	Dt       *float64 `json:"dt,omitempty"`
	// TimeUnit is the model's time unit ("τ", "ms") or "steps".
	TimeUnit string `json:"time_unit"`
}

// ProtocolInfo describes the protocol the analysis ran.
type ProtocolInfo struct {
	Source     string   `json:"source"`
	Task       string   `json:"task,omitempty"`
	Note       string   `json:"note"`
	Conditions []string `json:"conditions"`
	Delay      int      `json:"delay_steps"`
	DelayText  string   `json:"delay"`
	Scheme     string   `json:"verdict_scheme"`
	Digest     string   `json:"digest"`
}

// Search summarises the fixed-point search over every round of the census.
type Search struct {
	Method           string         `json:"method"`
	Inits            int            `json:"inits"`
	InitsFrom        string         `json:"inits_from"`
	Sources          map[string]int `json:"sources"`
	Rounds           []int          `json:"rounds"`
	Input            []float64      `json:"input,omitempty"`
	Converged        int            `json:"converged"`
	Captured         int            `json:"captured"`
	Slow             int            `json:"slow"`
	NotConverged     int            `json:"not_converged"`
	NonFinite        int            `json:"non_finite"`
	DistanceOutliers int            `json:"distance_outliers"`
	Unsettled        int            `json:"unsettled_simulations"`
}

// FixedPoint is one fixed or slow point in a report.
type FixedPoint struct {
	XStar        []float64      `json:"xstar"`
	Input        []float64      `json:"input,omitempty"`
	Q            any            `json:"q"`
	Kind         string         `json:"kind"`
	UnstableDims int            `json:"unstable_dims"`
	MarginalDims int            `json:"marginal_dims"`
	Count        int            `json:"count"`
	Sources      map[string]int `json:"sources"`
	Norm         any            `json:"norm"`
	Leading      []any          `json:"leading"`
	Eigenvalues  [][]any        `json:"eigenvalues"`
	Convention   string         `json:"convention"`
	// Drift is where the forward simulation from a slow point ends (see
	// [DriftFrom]): a ghost drifts to an attractor.
	Drift *Drift `json:"drift,omitempty"`
}

// AttractorDoc is one attractor found by forward simulation in a report.
type AttractorDoc struct {
	Kind   string `json:"kind"`
	Point  int    `json:"fixed_point"` // index into fixed_points, −1 when the search missed it
	Starts int    `json:"starts"`
}

// SchemeName names a verdict scheme in a report.
func (s Scheme) String() string {
	switch s {
	case SchemeGhazizadeh:
		return "ghazizadeh"
	case SchemeKurtkaya:
		return "kurtkaya"
	}
	return "end-behaviour"
}

// ConventionText names an eigenvalue convention and its unit for people.
func ConventionText(c inspect.Convention) (name, units string) {
	if c == inspect.DiscreteMap {
		return "discrete-map multipliers μ", "multiplier per step (stable when |μ| < 1)"
	}
	return "continuous-time eigenvalues λ (1/τ)", "rate, 1/model time unit (stable when Re λ < 0)"
}

// Analyze runs the whole analysis of network file n (named name in the
// report) under protocol p: the census, then the verdict. A nil p takes
// [ProtocolFor]'s.
func Analyze(ctx context.Context, name string, n *saved.Network, p *Protocol, s *Settings) (*Report, error) {
	if p == nil {
		pp, err := ProtocolFor(n, s.Seed)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p = &pp
	}
	c, err := Census(ctx, n.Net, n, p, s)
	if err != nil {
		return nil, err
	}
	var v *VerdictResult
	if !s.Verdict.Skip {
		if v, err = Verdict(ctx, n.Net, n, p, s); err != nil {
			return nil, err
		}
	}
	return NewReport(ctx, name, n, p, s, c, v)
}

// NewReport assembles the report of a census and a verdict (nil: none)
// made with protocol p and settings s; the cycles the verdict's probes
// reached join the census's.
func NewReport(ctx context.Context, name string, n *saved.Network, p *Protocol, s *Settings, c *CensusResult, v *VerdictResult) (*Report, error) {
	net := n.Net
	d := net.Dims()
	r := &Report{Schema: Schema, Program: Program, File: name, Task: p.Task, Settings: s.withDefaults(), Warnings: n.Warnings,
		Model: Model{Family: string(net.Family()), StateVar: string(net.StateVar()), Size: d.State, Inputs: d.Input, Outputs: d.Output, TimeUnit: "steps"}}
	if f, ok := net.(model.Flow); ok {
		dt := f.Dt()
		r.Model.Dt = &dt
		r.Model.TimeUnit = "model time units"
		if _, u := TimeUnit(net); u != "" {
			r.Model.TimeUnit = u
		}
	}
	r.Protocol = ProtocolInfo{Source: p.Source, Task: p.Task, Note: p.Note, Delay: p.Delay, DelayText: p.DelayText(),
		Scheme: p.Scheme.String(), Digest: p.Digest()}
	for _, cd := range p.Conditions {
		r.Protocol.Conditions = append(r.Protocol.Conditions, cd.Name)
	}
	r.Convention = c.Convention.String()
	_, r.Units = ConventionText(c.Convention)
	r.Search = Search{Method: c.Method.String(), Inits: c.Candidates, InitsFrom: c.InitsFrom, Sources: c.Starts, Rounds: c.Rounds,
		Input: c.Input, Converged: c.Converged, Captured: c.Captured, Slow: c.Slow, NotConverged: c.NotConv,
		NonFinite: c.NonFinite, DistanceOutliers: c.Outliers, Unsettled: c.Unsettled}
	r.Coverage = c.Coverage
	r.FixedPoints = []FixedPoint{}
	for _, pt := range c.Points {
		eig := make([][]any, len(pt.Eigenvalues.Values))
		for i, v := range pt.Eigenvalues.Values {
			eig[i] = pair(v)
		}
		r.FixedPoints = append(r.FixedPoints, FixedPoint{XStar: pt.X, Input: pt.Input, Q: inspect.JSONNumber(pt.Q), Kind: pt.Kind.String(),
			UnstableDims: pt.UnstableDims, MarginalDims: pt.MarginalDims, Count: pt.Count, Sources: pt.Sources,
			Norm:    inspect.JSONNumber(dist2(pt.X, make([]float64, len(pt.X))) / math.Sqrt(float64(max(1, len(pt.X))))),
			Leading: pair(pt.Eigenvalues.Leading()), Eigenvalues: eig, Convention: pt.Eigenvalues.Convention.String()})
	}
	r.Attractors = []AttractorDoc{}
	for _, a := range c.Attractors {
		r.Attractors = append(r.Attractors, AttractorDoc{Kind: a.Kind, Point: a.Point, Starts: a.Starts})
	}
	if err := slowReport(ctx, r, net, c); err != nil {
		return nil, err
	}
	raw := append([]Cycle(nil), c.Cycles...)
	if v != nil {
		r.Verdict, r.CodeVerdict, r.Notes = v.Main, v.Beside, v.Notes
		raw = append(raw, v.Cycles...)
	}
	cycles, err := describeCycles(ctx, net, raw, s)
	if err != nil {
		return nil, err
	}
	r.Cycles = []Cycle{}
	for _, cy := range cycles {
		sort.Strings(cy.Probes)
		r.Cycles = append(r.Cycles, cy)
	}
	if r.Coverage.BudgetHit {
		r.Notes = append(r.Notes, fmt.Sprintf("the census stopped at its budget of %d starts before a round found nothing new: %d stable points, %d reached from one start only (Good–Turing unseen mass %.3g, Chao1 estimate %.3g)",
			r.Coverage.Budget, r.Coverage.Stable, r.Coverage.Singletons, r.Coverage.Unseen, r.Coverage.Chao1))
	}
	missed := 0
	for _, a := range r.Attractors {
		if a.Kind == "FP" && a.Point < 0 {
			missed++
		}
	}
	if missed > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d fixed-point attractors reached by forward simulation have no census point within %g (‖Δx‖/√N)", missed, distinctTol))
	}
	return r, nil
}

// pair returns [re, im] with NaN as null.
func pair(v complex128) []any {
	return []any{inspect.JSONNumber(real(v)), inspect.JSONNumber(imag(v))}
}

// JSON returns the report as indented JSON with a final newline, the form
// `attractor inspect --json` prints and sweeps store.
func (r *Report) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
