package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// memoryAlphaC is the critical load α_c ≈ 0.138 of the Hopfield network
// (Amit, Gutfreund & Sompolinsky; science spec §7.2), drawn as a dashed
// line on the phase diagram.
const memoryAlphaC = 0.138

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

// memoryPanel is one heat map of the SVG.
type memoryPanel struct {
	title  string
	d      *inspect.PhaseDiagram
	signed bool // diverging colour scale on [−1, 1]; otherwise [0, 1]
}

// memoryColor maps v to a colour: white (0) to dark blue (1), or for a
// signed panel red (−1), white (0), blue (+1). NaN is grey.
func memoryColor(v float64, signed bool) string {
	if math.IsNaN(v) {
		return "#bbbbbb"
	}
	lerp := func(a, b [3]float64, t float64) string {
		t = math.Max(0, math.Min(1, t))
		return fmt.Sprintf("#%02x%02x%02x", int(math.Round(a[0]+(b[0]-a[0])*t)),
			int(math.Round(a[1]+(b[1]-a[1])*t)), int(math.Round(a[2]+(b[2]-a[2])*t)))
	}
	white := [3]float64{255, 255, 255}
	blue := [3]float64{8, 48, 107}
	if !signed {
		return lerp(white, blue, v)
	}
	if v < 0 {
		return lerp(white, [3]float64{178, 24, 43}, -v)
	}
	return lerp(white, [3]float64{33, 102, 172}, v)
}

// memorySVG writes the panels side by side as an SVG document: cells as
// rectangles (equal widths whatever the grid spacing), axes α (x) and m(0)
// (y), a dashed line at α_c and a colour bar per panel.
func memorySVG(w io.Writer, panels []memoryPanel) error {
	const (
		plotW, plotH = 300.0, 240.0
		left, top    = 60.0, 40.0
		barGap, barW = 14.0, 12.0
		panelW       = left + plotW + barGap + barW + 50
		height       = top + plotH + 50
	)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="11">`+"\n",
		panelW*float64(len(panels)), height, panelW*float64(len(panels)), height)
	fmt.Fprintf(bw, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for k, p := range panels {
		d := p.d
		na, nm := len(d.Alphas), len(d.M0s)
		cw, ch := plotW/float64(na), plotH/float64(nm)
		fmt.Fprintf(bw, `<g transform="translate(%g,0)">`+"\n", float64(k)*panelW)
		fmt.Fprintf(bw, `<text x="%g" y="20" text-anchor="middle" font-size="12">%s</text>`+"\n", left+plotW/2, memoryEscape(p.title))
		// Cells: row i = M0s[i] from the bottom.
		for i := 0; i < nm; i++ {
			for j := 0; j < na; j++ {
				m, s := d.At(i, j)
				fmt.Fprintf(bw, `<rect class="cell" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"><title>α=%g m(0)=%g: %.3f ± %.3f</title></rect>`+"\n",
					left+float64(j)*cw, top+plotH-float64(i+1)*ch, cw+0.3, ch+0.3, memoryColor(m, p.signed), d.Alphas[j], d.M0s[i], m, s)
			}
		}
		fmt.Fprintf(bw, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="black"/>`+"\n", left, top, plotW, plotH)
		// Ticks: at most ~6 labels per axis.
		for j := 0; j < na; j += max(1, (na+5)/6) {
			x := left + (float64(j)+0.5)*cw
			fmt.Fprintf(bw, `<line x1="%.2f" y1="%g" x2="%.2f" y2="%g" stroke="black"/><text x="%.2f" y="%g" text-anchor="middle">%g</text>`+"\n",
				x, top+plotH, x, top+plotH+4, x, top+plotH+16, d.Alphas[j])
		}
		for i := 0; i < nm; i += max(1, (nm+5)/6) {
			y := top + plotH - (float64(i)+0.5)*ch
			fmt.Fprintf(bw, `<line x1="%g" y1="%.2f" x2="%g" y2="%.2f" stroke="black"/><text x="%g" y="%.2f" text-anchor="end" dominant-baseline="middle">%g</text>`+"\n",
				left-4, y, left, y, left-6, y, d.M0s[i])
		}
		fmt.Fprintf(bw, `<text x="%g" y="%g" text-anchor="middle">memory load α</text>`+"\n", left+plotW/2, top+plotH+34)
		fmt.Fprintf(bw, `<text transform="translate(%g,%g) rotate(-90)" text-anchor="middle">initial overlap m(0)</text>`+"\n", left-40, top+plotH/2)
		if x, ok := memoryColumnPos(d.Alphas, memoryAlphaC); ok {
			xp := left + (x+0.5)*cw
			fmt.Fprintf(bw, `<line class="alpha-c" x1="%.2f" y1="%g" x2="%.2f" y2="%g" stroke="black" stroke-dasharray="4 3"/><text x="%.2f" y="%g" font-size="10">α_c</text>`+"\n",
				xp, top, xp, top+plotH, xp+2, top-3)
		}
		// Colour bar.
		bx := left + plotW + barGap
		lo := 0.0
		if p.signed {
			lo = -1
		}
		const nb = 40
		for b := 0; b < nb; b++ {
			v := lo + (1-lo)*(float64(b)+0.5)/nb
			fmt.Fprintf(bw, `<rect x="%g" y="%.2f" width="%g" height="%.2f" fill="%s"/>`+"\n",
				bx, top+plotH-float64(b+1)*plotH/nb, barW, plotH/nb+0.3, memoryColor(v, p.signed))
		}
		fmt.Fprintf(bw, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="black"/>`+"\n", bx, top, barW, plotH)
		for _, v := range []float64{lo, (lo + 1) / 2, 1} {
			y := top + plotH - (v-lo)/(1-lo)*plotH
			fmt.Fprintf(bw, `<text x="%g" y="%.2f" dominant-baseline="middle">%g</text>`+"\n", bx+barW+3, y, v)
		}
		fmt.Fprintln(bw, `</g>`)
	}
	fmt.Fprintln(bw, `</svg>`)
	return bw.Flush()
}

// memoryColumnPos returns the fractional column index of v in the
// increasing grid xs by linear interpolation between columns, and whether v
// lies within the grid.
func memoryColumnPos(xs []float64, v float64) (float64, bool) {
	for j := 1; j < len(xs); j++ {
		if !(xs[j] > xs[j-1]) {
			return 0, false
		}
	}
	for j := 1; j < len(xs); j++ {
		if v >= xs[j-1] && v <= xs[j] {
			return float64(j-1) + (v-xs[j-1])/(xs[j]-xs[j-1]), true
		}
	}
	return 0, false
}

// memoryEscape escapes text for XML.
func memoryEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
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
	out := fs.String("o", "", "write the heat map(s) as an SVG file")
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
	if *runs < 1 {
		return usageError("--runs must be ≥ 1")
	}
	if !(*tRun > 0) || math.IsInf(*tRun, 0) {
		return usageError("--t must be positive")
	}
	if *n < 0 {
		return usageError("--n must be ≥ 0")
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
	fmt.Fprintf(env.Stderr, "memory: %s (each run stores fresh random patterns; the file gives N and the parameters)\n", mm)
	set := &inspect.PhaseSettings{Alphas: alphas, M0s: m0s, Runs: *runs, T: *tRun, Seed: *seed}
	var refModel *inspect.MemoryModel
	if mm.Gated && *ref && mm.Gate.Gamma != 0 {
		r := mm
		r.Gate.Gamma = 0
		refModel = &r
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	total := len(alphas) * len(m0s) * *runs
	passes := 1
	if refModel != nil {
		passes = 2
	}
	run := func(m inspect.MemoryModel, pass int) (*inspect.PhaseDiagram, error) {
		label := fmt.Sprintf("memory %d/%d", pass, passes)
		pr := newProgress(env.Stderr, label, "run", total)
		s := *set
		s.Progress = func(done, tot int) { pr.update(done, m.String()) }
		d, err := inspect.PhaseDiagramOf(ctx, m, &s)
		if err != nil {
			pr.finish()
		}
		return d, err
	}
	d, err := run(mm, 1)
	if err != nil {
		return err
	}
	var rd, delta *inspect.PhaseDiagram
	if refModel != nil {
		if rd, err = run(*refModel, 2); err != nil {
			return err
		}
		if delta, err = d.Minus(rd); err != nil {
			return err
		}
	}
	if *out != "" {
		panels := []memoryPanel{{title: "m_ss: " + d.Model, d: d}}
		if rd != nil {
			panels = append(panels, memoryPanel{title: "m_ss: " + rd.Model, d: rd},
				memoryPanel{title: "Δm_ss = m_ss(γ) − m_ss(γ=0)", d: delta, signed: true})
		}
		if err := saved.WriteFileAtomic(*out, func(w io.Writer) error { return memorySVG(w, panels) }, 0o644); err != nil {
			return err
		}
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
		var closed float64
		for _, c := range d.Closed {
			closed += c
		}
		fmt.Fprintf(env.Stdout, "mean fraction of closed gates at T: %.2f\n", closed/float64(len(d.Closed)))
	}
	if *out != "" {
		fmt.Fprintf(env.Stderr, "wrote %s\n", *out)
	}
	return nil
}

func init() {
	register(&command{name: "memory",
		args:  "NET [--alpha-grid LO:HI:STEP|a,b,…] [--m0-grid …] [--runs K] [--t T] [--n N] [--seed S] [--ref=false] [--json] [-o phase.svg]",
		short: "phase diagram of retrieval (m_ss over memory load α × initial overlap m(0)) for a Hopfield or gated network",
		run:   runMemory})
}
