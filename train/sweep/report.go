package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

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

// WriteSVG draws the census as a bar chart.
func (c Census) WriteSVG(w io.Writer, title string) error {
	const barH, left, width = 24, 150, 360
	h := 50 + barH*len(c.Classes)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+width+90, h)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14">%s (n = %d)</text>`+"\n", html.EscapeString(title), c.Total)
	for i, k := range c.Classes {
		y := 35 + i*barH
		bw := c.Fraction(k) * width
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+16, html.EscapeString(k))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, y+2, bw, barH-6, classColor(i))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%d (%.1f%%)</text>`+"\n", float64(left)+bw+6, y+16, c.Counts[k], 100*c.Fraction(k))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func classColor(i int) string {
	pal := []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}
	return pal[i%len(pal)]
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

// WriteSVG draws the fraction of class per cell as a heat map (white 0 to
// dark blue 1, grey for empty cells) with the fraction written in each.
func (p *Phase) WriteSVG(w io.Writer, class string) error {
	const cell, left, top = 44, 80, 40
	W, H := left+cell*len(p.XVals)+20, top+cell*len(p.YVals)+60
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="10">`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14">fraction %s: %s × %s</text>`+"\n", html.EscapeString(class), html.EscapeString(p.X), html.EscapeString(p.Y))
	for j := range p.YVals {
		y := top + cell*(len(p.YVals)-1-j) // y increases upwards
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-4, y+cell/2+4, html.EscapeString(shortNum(p.YVals[j])))
		for i := range p.XVals {
			x := left + cell*i
			f := p.Fraction(class, i, j)
			fill, label, ink := "#dddddd", "", "#000"
			if !math.IsNaN(f) {
				v := int(math.Round(255 * (1 - f)))
				fill = fmt.Sprintf("#%02x%02x%02x", v, v, 128+v/2)
				label = fmt.Sprintf("%.2f", f)
				if f > 0.6 {
					ink = "#fff"
				}
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"/>`+"\n", x, y, cell, cell, fill)
			if label != "" {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", x+cell/2, y+cell/2+4, ink, label)
			}
		}
	}
	by := top + cell*len(p.YVals)
	for i, xv := range p.XVals {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", left+cell*i+cell/2, by+14, html.EscapeString(shortNum(xv)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12">%s</text>`+"\n", left+cell*len(p.XVals)/2, by+36, html.EscapeString(p.X))
	fmt.Fprintf(&b, `<text x="14" y="%d" font-size="12" transform="rotate(-90 14 %d)" text-anchor="middle">%s</text>`+"\n", top+cell*len(p.YVals)/2, top+cell*len(p.YVals)/2, html.EscapeString(p.Y))
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes one row per result: index, id, status, class, the swept
// parameters, the final metrics, every analysis figure (columns
// "ANALYSIS.KEY") and the network file, for pandas.read_csv.
func (s *Sweep) WriteCSV(w io.Writer, rs []*Result) error {
	params := s.Spec.Fields()
	extras, figures := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		for k := range r.Extra {
			extras[k] = true
		}
		for a, m := range r.Analyses {
			for k := range m {
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

// WriteSVGFile writes an SVG file atomically.
func WriteSVGFile(name string, draw func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return saved.WriteFileAtomic(name, draw, 0o644)
}
