package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"attractor/internal/figure"
	"attractor/saved"
)

// Census counts the networks of each class.
type Census struct {
	Total   int
	Classes []string // by decreasing count, then name
	Counts  map[string]int
}

// className is the class shown for a result without one.
func className(r *Result) string {
	if r.Class == "" {
		return "unclassified"
	}
	return r.Class
}

// CensusOf counts results by class.
func CensusOf(rs []*Result) Census {
	c := Census{Total: len(rs), Counts: map[string]int{}}
	for _, r := range rs {
		c.Counts[className(r)]++
	}
	for k := range c.Counts {
		c.Classes = append(c.Classes, k)
	}
	sort.Slice(c.Classes, func(i, j int) bool {
		a, b := c.Classes[i], c.Classes[j]
		if c.Counts[a] != c.Counts[b] {
			return c.Counts[a] > c.Counts[b]
		}
		return a < b
	})
	return c
}

// Fraction returns the fraction of networks in class.
func (c Census) Fraction(class string) float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Counts[class]) / float64(c.Total)
}

// WriteText writes the census as a table.
func (c Census) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%-16s %8s %9s\n", "class", "count", "fraction")
	for _, k := range c.Classes {
		fmt.Fprintf(w, "%-16s %8d %8.1f%%\n", k, c.Counts[k], 100*c.Fraction(k))
	}
	_, err := fmt.Fprintf(w, "%-16s %8d %8.1f%%\n", "total", c.Total, 100.0)
	return err
}

// Figure draws the census as a bar chart: one bar per class, its length
// the fraction of networks, with the count and percentage beside it.
func (c Census) Figure(title string) *figure.Figure {
	top := 0.0
	for _, k := range c.Classes {
		top = max(top, c.Fraction(k))
	}
	p := &figure.Panel{
		XLabel: "fraction of networks",
		// A fifth of the width is left right of the longest bar for its count.
		XMin: 0, XMax: max(top, 0.1) / 0.8,
		Height: float64(30*max(1, len(c.Classes)) + 20),
	}
	for _, k := range c.Classes {
		p.Bars = append(p.Bars, figure.Bar{Label: k, Value: c.Fraction(k),
			Text: fmt.Sprintf("%d (%.1f%%)", c.Counts[k], 100*c.Fraction(k))})
	}
	if len(p.Bars) == 0 {
		p.Notes = []string{"no results yet"}
	}
	return &figure.Figure{Title: fmt.Sprintf("%s (n = %d)", title, c.Total), Panels: []*figure.Panel{p}}
}

// Phase is a phase diagram: the networks of each class in every cell of
// two swept axes (all other axes pooled).
type Phase struct {
	X, Y         string
	XVals, YVals []string // axis values as written in the results
	Classes      []string
	Counts       [][]map[string]int // [y][x] class → count
	N            [][]int            // [y][x] networks
}

// PhaseDiagram tabulates results over the swept fields x and y, with the
// axes in the spec's order of values.
func (s *Sweep) PhaseDiagram(rs []*Result, x, y string) (*Phase, error) {
	vals := func(f string) ([]string, error) {
		for _, ax := range s.Spec.Axes {
			if ax.Field == f {
				var out []string
				for _, v := range ax.Values {
					out = append(out, valueString(v))
				}
				return out, nil
			}
		}
		return nil, fmt.Errorf("%q is not a grid axis of the sweep (axes: %s)", f, strings.Join(s.gridFields(), ", "))
	}
	p := &Phase{X: x, Y: y}
	var err error
	if p.XVals, err = vals(x); err != nil {
		return nil, err
	}
	if p.YVals, err = vals(y); err != nil {
		return nil, err
	}
	xi, yi := indexOf(p.XVals), indexOf(p.YVals)
	p.Counts = make([][]map[string]int, len(p.YVals))
	p.N = make([][]int, len(p.YVals))
	for j := range p.Counts {
		p.Counts[j] = make([]map[string]int, len(p.XVals))
		p.N[j] = make([]int, len(p.XVals))
		for i := range p.Counts[j] {
			p.Counts[j][i] = map[string]int{}
		}
	}
	p.Classes = CensusOf(rs).Classes
	for _, r := range rs {
		i, iok := xi[valueString(r.Params[x])]
		j, jok := yi[valueString(r.Params[y])]
		if !iok || !jok {
			continue
		}
		p.Counts[j][i][className(r)]++
		p.N[j][i]++
	}
	return p, nil
}

func (s *Sweep) gridFields() []string {
	var f []string
	for _, ax := range s.Spec.Axes {
		f = append(f, ax.Field)
	}
	return f
}

func indexOf(vals []string) map[string]int {
	m := map[string]int{}
	for i, v := range vals {
		m[v] = i
	}
	return m
}

// valueString writes a parameter as JSON does, so 0.1 from the spec and
// 0.1 read back from a result agree.
func valueString(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.Trim(string(b), `"`)
}

// Fraction returns the fraction of class in cell (i, j), NaN when empty.
func (p *Phase) Fraction(class string, i, j int) float64 {
	if p.N[j][i] == 0 {
		return math.NaN()
	}
	return float64(p.Counts[j][i][class]) / float64(p.N[j][i])
}

// WriteText writes the fraction of class per cell, y down, x across.
func (p *Phase) WriteText(w io.Writer, class string) error {
	fmt.Fprintf(w, "fraction %s  (rows %s, columns %s)\n", class, p.Y, p.X)
	fmt.Fprintf(w, "%10s", p.Y+`\`+p.X)
	for _, x := range p.XVals {
		fmt.Fprintf(w, " %7s", shortNum(x))
	}
	fmt.Fprintln(w)
	for j, y := range p.YVals {
		fmt.Fprintf(w, "%10s", shortNum(y))
		for i := range p.XVals {
			f := p.Fraction(class, i, j)
			if math.IsNaN(f) {
				fmt.Fprintf(w, " %7s", "·")
			} else {
				fmt.Fprintf(w, " %7.2f", f)
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}

func shortNum(s string) string {
	var f float64
	if _, err := fmt.Sscan(s, &f); err == nil && len(s) > 7 {
		return fmt.Sprintf("%.3g", f)
	}
	return s
}

// Figure draws the fraction of class per cell as a heat map (white 0 to
// dark blue 1, grey for a cell without networks) with the fraction
// written in each cell, x across and y up, the axes' values in the
// spec's order.
func (p *Phase) Figure(class string) *figure.Figure {
	nx, ny := len(p.XVals), len(p.YVals)
	h := &figure.Heat{Min: 0, Max: 1, Label: "fraction " + class, Values: nx <= 16 && ny <= 24,
		X: make([]float64, nx), Y: make([]float64, ny), Z: make([]float64, 0, nx*ny)}
	for i := range h.X {
		h.X[i] = float64(i)
	}
	for j := range h.Y {
		h.Y[j] = float64(j)
		for i := range nx {
			h.Z = append(h.Z, p.Fraction(class, i, j))
		}
	}
	short := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = shortNum(v)
		}
		return out
	}
	total := 0
	for _, row := range p.N {
		for _, n := range row {
			total += n
		}
	}
	panel := &figure.Panel{XLabel: p.X, YLabel: p.Y, XTicks: short(p.XVals), YTicks: short(p.YVals), Heat: h,
		Height: float64(min(max(36*ny, 160), 720)),
		Notes:  []string{fmt.Sprintf("%d networks; other axes pooled", total), "grey: no network in the cell"}}
	return &figure.Figure{Title: fmt.Sprintf("fraction %s: %s × %s", class, p.X, p.Y), Panels: []*figure.Panel{panel}}
}

// WriteCSV writes one row per result: index, id, status, class, the swept
// parameters, the final metrics, every scalar analysis figure (columns
// "ANALYSIS.KEY"; nested ones and JSON documents kept as text, such as a
// whole report, stay in result.json) and the network file, for pandas.read_csv.
func (s *Sweep) WriteCSV(w io.Writer, rs []*Result) error {
	params := s.Spec.Fields()
	extras, figures := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		for k := range r.Extra {
			extras[k] = true
		}
		for a, m := range r.Analyses {
			for k, v := range m {
				// Nested figures (a whole analysis report, lists)
				// stay in result.json: a CSV cell holds one value.
				switch t := v.(type) {
				case map[string]any, []any:
					continue
				case string: // a JSON document kept as text
					if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
						continue
					}
				}
				figures[a+"."+k] = true
			}
		}
	}
	ek, fk := sortedKeys(extras), sortedKeys(figures)
	cw := csv.NewWriter(w)
	head := append([]string{"index", "id", "status", "class"}, params...)
	head = append(head, "units", "final_loss", "final_accuracy")
	for _, k := range ek {
		head = append(head, "final_"+k)
	}
	head = append(head, fk...)
	head = append(head, "network")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rs {
		row := []string{fmt.Sprint(r.Index), r.ID, r.Status, r.Class}
		for _, p := range params {
			row = append(row, csvValue(r.Params[p]))
		}
		row = append(row, fmt.Sprint(r.Units), floatPtr(r.Loss), floatPtr(r.Accuracy))
		for _, k := range ek {
			if v, ok := r.Extra[k]; ok {
				row = append(row, fmt.Sprint(v))
			} else {
				row = append(row, "")
			}
		}
		for _, k := range fk {
			a, key, _ := strings.Cut(k, ".")
			row = append(row, csvValue(r.Analyses[a][key]))
		}
		row = append(row, filepath.ToSlash(filepath.Join("nets", fmt.Sprintf("%04d", r.Index/1000), r.ID, r.Network)))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvValue(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case bool:
		if t {
			return "True"
		}
		return "False"
	}
	return valueString(v)
}

func floatPtr(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

// WriteResultsCSV derives DIR/results.csv from the result files,
// atomically, and returns the results and the indices still missing.
func (s *Sweep) WriteResultsCSV() ([]*Result, []int, error) {
	rs, missing := s.Results()
	err := saved.WriteFileAtomic(filepath.Join(s.Dir, CSVFile), func(w io.Writer) error { return s.WriteCSV(w, rs) }, 0o644)
	return rs, missing, err
}

// WriteFigure writes f atomically to the file name, in the format its
// extension names (.svg, .png or .pdf), creating its directory.
func WriteFigure(name string, f *figure.Figure) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return figure.WriteFile(name, f)
}
