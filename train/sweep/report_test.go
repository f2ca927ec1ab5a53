package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/internal/figure"
)

// The phase diagram's heat map holds, in every cell, the fraction of the
// class among the rows of results.csv with that cell's parameters,
// counted here from the table itself; the census bars hold the census.
func TestReportFiguresMatchResults(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	rs, _, err := s.WriteResultsCSV()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(s.Dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 13 {
		t.Fatalf("results.csv: %d rows, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	p, err := s.PhaseDiagram(rs, "x", "seed")
	if err != nil {
		t.Fatal(err)
	}
	for _, class := range []string{"big", "small", "big-odd", "small-odd"} {
		fig := p.Figure(class)
		h := fig.Panels[0].Heat
		if len(h.X) != 3 || len(h.Y) != 2 || len(h.Z) != 6 || !h.Values {
			t.Fatalf("%s: heat map %d×%d with %d cells (values %v)", class, len(h.X), len(h.Y), len(h.Z), h.Values)
		}
		for j, y := range p.YVals {
			for i, x := range p.XVals {
				n, k := 0, 0
				for _, r := range rows[1:] {
					if r[col["x"]] == x && r[col["seed"]] == y {
						n++
						if r[col["class"]] == class {
							k++
						}
					}
				}
				want := float64(k) / float64(n)
				if got := h.Z[j*len(h.X)+i]; n == 0 || got != want {
					t.Errorf("%s: cell x=%s seed=%s is %g, the table gives %d/%d", class, x, y, got, k, n)
				}
			}
		}
		if got := strings.Join(fig.Panels[0].XTicks, " "); got != "0.5 2 3" {
			t.Errorf("x ticks %q, want the spec's values 0.5 2 3", got)
		}
	}
	c := CensusOf(rs)
	bars := c.Figure("census").Panels[0].Bars
	if len(bars) != len(c.Classes) || bars[0].Label != "big" || bars[0].Value != 4.0/12 || bars[0].Text != "4 (33.3%)" {
		t.Errorf("census bars %+v", bars)
	}
}

// Every figure of the report is written as valid SVG (well-formed XML
// with an svg root), PNG (decodes to an image of the figure's size at 2
// pixels per px) and PDF (header and end-of-file marker), atomically and
// into a directory that did not exist.
func TestReportFiguresWrite(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	rs, _ := s.Results()
	p, err := s.PhaseDiagram(rs, "x", "label")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "new", "report")
	figs := map[string]*figure.Figure{"phase": p.Figure("big"), "census": CensusOf(rs).Figure("census fake"), "empty": CensusOf(nil).Figure("empty")}
	for name, fig := range figs {
		for _, ext := range []string{"svg", "png", "pdf"} {
			file := filepath.Join(dir, name+"."+ext)
			if err := WriteFigure(file, fig); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			switch ext {
			case "svg":
				checkSVG(t, file, b)
			case "png":
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				if w := img.Bounds().Dx(); w != 1440 {
					t.Errorf("%s: %d pixels wide, want 720 px at 2 pixels per px", file, w)
				}
			case "pdf":
				if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-32):], []byte("%%EOF")) {
					t.Errorf("%s: no PDF header or end marker", file)
				}
			}
		}
	}
	// The phase diagram's SVG writes each cell's fraction in it.
	b, _ := os.ReadFile(filepath.Join(dir, "phase.svg"))
	if !bytes.Contains(b, []byte(">0.50<")) || !bytes.Contains(b, []byte(">0.00<")) {
		t.Errorf("the phase diagram SVG lacks the cell values 0.50 and 0.00")
	}
	if err := WriteFigure(filepath.Join(dir, "x.gif"), figs["phase"]); err == nil || !strings.Contains(err.Error(), "x.gif") {
		t.Errorf("a .gif figure gave %v, want an error naming the file", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.gif")); !os.IsNotExist(err) {
		t.Errorf("a refused figure left a file: %v", err)
	}
}

// A phase diagram cell without networks is NaN (drawn grey, no value).
func TestPhaseFigureEmptyCell(t *testing.T) {
	p := &Phase{X: "x", Y: "y", XVals: []string{"1", "2"}, YVals: []string{"a"},
		Counts: [][]map[string]int{{{"c": 1}, {}}}, N: [][]int{{1, 0}}}
	z := p.Figure("c").Panels[0].Heat.Z
	if z[0] != 1 || !math.IsNaN(z[1]) {
		t.Errorf("cells %v, want [1 NaN]", z)
	}
}

func checkSVG(t *testing.T, name string, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s is not well-formed XML: %v", name, err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", name, root)
	}
}
