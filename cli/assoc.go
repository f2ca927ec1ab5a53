package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/internal/figure"
	"attractor/model"
)

// memoryAlphaC is the critical load α_c ≈ 0.138 of the Hopfield network
// (Amit, Gutfreund & Sompolinsky; science spec §7.2), drawn as a dashed
// line on the phase diagram.
const memoryAlphaC = 0.138

// memoryMaxN and memoryMaxPatternValues bound the size of one run of
// attractor memory: W holds N² values and the patterns α·N² (8 bytes each).
const (
	memoryMaxN             = 5000
	memoryMaxPatternValues = 5e7
)

// memoryParseGrid parses a grid flag: "LO:HI:STEP" or a comma-separated
// list of values.
func memoryParseGrid(s string) ([]float64, error) {
	if parts := strings.Split(s, ":"); len(parts) == 3 {
		var v [3]float64
		for k, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return nil, fmt.Errorf("grid %q: %v", s, err)
			}
			v[k] = f
		}
		g := inspect.StepGrid(v[0], v[1], v[2])
		if g == nil {
			return nil, fmt.Errorf("grid %q: want LO:HI:STEP with LO ≤ HI and STEP > 0", s)
		}
		if len(g) > 10000 {
			return nil, fmt.Errorf("grid %q has %d points", s, len(g))
		}
		return g, nil
	}
	var out []float64
	for _, p := range strings.Split(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("grid %q: want LO:HI:STEP or a list a,b,c: %v", s, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// memoryJSON is the --json form of a phase diagram; the per-cell arrays
// are rows by m(0) (the order of m0s), columns by α.
type memoryJSON struct {
	Model  string      `json:"model"`
	Alphas []float64   `json:"alphas"`
	M0s    []float64   `json:"m0s"`
	P      []int       `json:"p"`
	Runs   int         `json:"runs"`
	T      float64     `json:"t"`
	Tail   float64     `json:"tail"`
	Kind   string      `json:"overlap"`
	Mean   [][]float64 `json:"mean"`
	Std    [][]float64 `json:"std"`
	Start  [][]float64 `json:"start"`
	Closed [][]float64 `json:"closed,omitempty"`
}

// memoryReport is the --json output of attractor memory.
type memoryReport struct {
	Network   string      `json:"network"`
	Seed      uint64      `json:"seed"`
	Diagram   memoryJSON  `json:"diagram"`
	Reference *memoryJSON `json:"reference,omitempty"`
	Delta     *memoryJSON `json:"delta,omitempty"`
}

// memoryRows splits a row-major per-cell slice into rows.
func memoryRows(v []float64, cols int) [][]float64 {
	if v == nil {
		return nil
	}
	out := make([][]float64, 0, len(v)/cols)
	for i := 0; i < len(v); i += cols {
		out = append(out, v[i:i+cols])
	}
	return out
}

func memoryToJSON(d *inspect.PhaseDiagram) memoryJSON {
	na := len(d.Alphas)
	return memoryJSON{Model: d.Model, Alphas: d.Alphas, M0s: d.M0s, P: d.P, Runs: d.Runs, T: d.T, Tail: d.Tail,
		Kind: d.Kind.String(), Mean: memoryRows(d.Mean, na), Std: memoryRows(d.Std, na),
		Start: memoryRows(d.Start, na), Closed: memoryRows(d.Closed, na)}
}

// memoryTable prints d as a text table: rows m(0) from the largest down,
// columns α; signed values when signed is set.
func memoryTable(w io.Writer, title string, d *inspect.PhaseDiagram, signed bool) {
	fmt.Fprintf(w, "%s\n", title)
	fmt.Fprint(w, "  m0\\α │")
	for _, a := range d.Alphas {
		fmt.Fprintf(w, "%6.3g", a)
	}
	fmt.Fprintf(w, "\n%s┼%s\n", strings.Repeat("─", 7), strings.Repeat("─", 6*len(d.Alphas)))
	format := "%6.2f"
	if signed {
		format = "%+6.2f"
	}
	for i := len(d.M0s) - 1; i >= 0; i-- {
		fmt.Fprintf(w, "%6.3g │", d.M0s[i])
		for j := range d.Alphas {
			m, _ := d.At(i, j)
			fmt.Fprintf(w, format, m)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// memoryPanel is one heat map of the figure.
type memoryPanel struct {
	title  string
	d      *inspect.PhaseDiagram
	signed bool // diverging colour scale on [−1, 1]; otherwise [0, 1]
}

// memoryFigure draws the panels one above the other as heat maps: axes α
// (x) and m(0) (y), a dashed line at α_c and a colour bar per panel.
func memoryFigure(panels []memoryPanel) *figure.Figure {
	f := &figure.Figure{Title: "Retrieval phase diagram"}
	for _, p := range panels {
		d := p.d
		h := &figure.Heat{X: d.Alphas, Y: d.M0s, Z: d.Mean, Min: 0, Max: 1, Signed: p.signed, Label: "m_ss"}
		if p.signed {
			h.Min, h.Label = -1, "Δm_ss"
		}
		f.Panels = append(f.Panels, &figure.Panel{Title: p.title, XLabel: "memory load α = P/N", YLabel: "initial overlap m(0)",
			Height: 260, Heat: h, VLines: []figure.Ref{{Label: "α_c ≈ 0.138 (Amit et al.)", Value: memoryAlphaC, Color: "#000000", Dash: "4 3"}},
			Notes: []string{fmt.Sprintf("%d runs per cell, T = %g; grey: no value", d.Runs, d.T)}})
	}
	return f
}

// runMemory implements attractor memory.
func runMemory(env *Env, args []string) error {
	fs := newFlags(env, commands["memory"])
	alphaGrid := fs.String("alpha-grid", "0.02:0.5:0.02", "memory loads α = P/N: LO:HI:STEP or a,b,c")
	m0Grid := fs.String("m0-grid", "0.05:1:0.05", "initial overlaps m(0): LO:HI:STEP or a,b,c")
	runs := fs.Int("runs", 10, "runs per cell, each with fresh patterns, W and initial state")
	tRun := fs.Float64("t", inspect.DefaultRetrievalT, "run length in model time (m_ss is the mean over the last 10 %)")
	n := fs.Int("n", 0, "number of neurons (0: the network's own N)")
	seed := fs.Uint64("seed", 1, "random seed")
	ref := fs.Bool("ref", true, "for a gated network also run the γ = 0 network and print Δm_ss = m_ss − m_ss(γ=0)")
	jsonOut := fs.Bool("json", false, "print JSON instead of tables")
	out := fs.String("o", "", "write the heat map(s) as a figure: .svg, .png or .pdf")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("name one Hopfield or gated network")
	}
	alphas, err := memoryParseGrid(*alphaGrid)
	if err != nil {
		return usageError("--alpha-grid: %v", err)
	}
	m0s, err := memoryParseGrid(*m0Grid)
	if err != nil {
		return usageError("--m0-grid: %v", err)
	}
	for _, a := range alphas {
		if !(a > 0) || math.IsInf(a, 0) {
			return usageError("--alpha-grid: α = %v: want memory loads > 0", a)
		}
	}
	for _, m := range m0s {
		if !(m >= -1 && m <= 1) {
			return usageError("--m0-grid: m(0) = %v: want overlaps in [−1, 1]", m)
		}
	}
	if *runs < 1 {
		return usageError("--runs must be ≥ 1")
	}
	if !(*tRun > 0) || math.IsInf(*tRun, 0) {
		return usageError("--t must be positive")
	}
	if *n < 0 {
		return usageError("--n must be ≥ 0")
	}
	if _, err := figure.FormatOf(*out); *out != "" && err != nil {
		return usageError("-o %s: name the figure .svg, .png or .pdf", *out)
	}
	net, err := openNetwork(env, fs.Arg(0), nil)
	if err != nil {
		return err
	}
	switch net.Net.(type) {
	case *model.Hopfield, *model.Gated:
	default:
		return fmt.Errorf("%s: a %s network is not an associative memory: memory draws the retrieval phase diagram of a Hopfield or gated network (see attractor inspect)", fs.Arg(0), net.Net.Family())
	}
	mm, err := inspect.MemoryModelOf(net.Net)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if *n > 0 {
		mm.N = *n
	}
	// Each run holds W (N×N) and the patterns (P×N, P = αN) in memory.
	if amax := slices.Max(alphas); mm.N > memoryMaxN || amax*float64(mm.N)*float64(mm.N) > memoryMaxPatternValues {
		return usageError("N = %d with α up to %g needs %.0f MB per run; at most N = %d and α·N² = %.0e", mm.N, amax,
			8*(1+amax)*float64(mm.N)*float64(mm.N)/1e6, memoryMaxN, float64(memoryMaxPatternValues))
	}
	fmt.Fprintf(env.Stderr, "memory: %s (each run stores fresh random patterns; the file gives N and the parameters)\n", mm)
	set := inspect.PhaseSettings{Alphas: alphas, M0s: m0s, Runs: *runs, T: *tRun, Seed: *seed}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	total := len(alphas) * len(m0s) * *runs
	var pr *progress
	ph, err := analysis.Memory(ctx, mm, set, *ref, func(pass, passes int, m inspect.MemoryModel) func(done, total int) {
		bar := newProgress(env.Stderr, fmt.Sprintf("memory %d/%d", pass, passes), "run", total)
		pr = bar
		return func(done, tot int) { bar.update(done, m.String()) }
	})
	if err != nil {
		if pr != nil {
			pr.finish()
		}
		return err
	}
	d, rd, delta := ph.Diagram, ph.Reference, ph.Delta
	if *out != "" {
		panels := []memoryPanel{{title: "m_ss: " + d.Model, d: d}}
		if rd != nil {
			panels = append(panels, memoryPanel{title: "m_ss: " + rd.Model, d: rd},
				memoryPanel{title: "Δm_ss = m_ss(γ) − m_ss(γ=0)", d: delta, signed: true})
		}
		if err := figure.WriteFile(*out, memoryFigure(panels)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote %s\n", *out)
	}
	if *jsonOut {
		rep := memoryReport{Network: fs.Arg(0), Seed: *seed, Diagram: memoryToJSON(d)}
		if rd != nil {
			r, dl := memoryToJSON(rd), memoryToJSON(delta)
			rep.Reference, rep.Delta = &r, &dl
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", " ")
		return enc.Encode(rep)
	}
	head := func(m string) string {
		return fmt.Sprintf("steady-state overlap m_ss, %s, %d runs per cell, T = %g (rows m(0), columns α):", m, *runs, *tRun)
	}
	memoryTable(env.Stdout, head(d.Model), d, false)
	if rd != nil {
		memoryTable(env.Stdout, head(rd.Model), rd, false)
		memoryTable(env.Stdout, "Δm_ss = m_ss(γ) − m_ss(γ=0), paired runs:", delta, true)
	}
	if mm.Gated {
		fmt.Fprintf(env.Stdout, "mean fraction of closed gates at T: %.2f\n", ph.MeanClosed())
	}
	return nil
}

func init() {
	register(&command{name: "memory",
		args:  "NET [--alpha-grid LO:HI:STEP|a,b,…] [--m0-grid …] [--runs K] [--t T] [--n N] [--seed S] [--ref=false] [--json] [-o phase.svg|.png|.pdf]",
		short: "phase diagram of retrieval (m_ss over memory load α × initial overlap m(0)) for a Hopfield or gated network",
		run:   runMemory})
}
