package figure

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// svgTexts checks that doc is well-formed XML with an <svg> root and
// returns the text of every element.
func svgTexts(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return texts
}

func write(t *testing.T, f *Figure, format Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// series is the colour of the markers the tests count.
const series = "#123456"

// testFigure has 7 markers of colour series in range, one NaN and one
// far outside, a line through a NaN, reference lines, a circle and a
// heat map.
func testFigure() *Figure {
	nan := math.NaN()
	return &Figure{Title: "fig <1> & λ", Panels: []*Panel{{
		Title: "spectrum", XLabel: "Re λ (1/τ)", YLabel: "Im λ (1/τ)", Equal: true, XMin: -2, XMax: 2, YMin: -2, YMax: 2,
		Lines:   []Line{{Label: "trajectory", Color: "#0072B2", X: []float64{0, 1, nan, 1, 0}, Y: []float64{0, 1, 2, 0, -1}}},
		Points:  []Points{{Label: "eigenvalues", Color: series, X: []float64{-1.5, -1, -0.5, 0, 0.5, 1, 1.5, nan, 1e300}, Y: []float64{0, 0.5, -0.5, 0, 0.2, -0.2, 0, 0, 0}}},
		VLines:  []Ref{{Label: "Re λ = 0", Value: 0, Dash: "4 3"}},
		Circles: []Circle{{Label: "unit circle", R: 1}},
		Notes:   []string{"a note"},
	}, {
		Title: "heat", XLabel: "α", YLabel: "m(0)",
		Heat: &Heat{X: []float64{0.1, 0.2}, Y: []float64{0.5, 1}, Z: []float64{0, 0.5, 1, nan}, Label: "m_ss"},
	}}}
}

// Every format draws the series: SVG parses as XML and holds the texts
// and one path per marker (and one in the legend); PNG decodes at two
// pixels per px with the markers' colour; PDF has its header, cross
// reference table and trailer.
func TestWriteFormats(t *testing.T) {
	f := testFigure()

	doc := write(t, f, SVG)
	texts := strings.Join(svgTexts(t, doc), "\n")
	for _, want := range []string{"fig <1> & λ", "spectrum", "Re λ (1/τ)", "Im λ (1/τ)", "trajectory", "eigenvalues",
		"Re λ = 0", "unit circle", "a note", "3 points not shown", "m_ss"} {
		if !strings.Contains(texts, want) {
			t.Errorf("SVG lacks the text %q:\n%s", want, texts)
		}
	}
	if got := strings.Count(string(doc), "fill:"+series); got != 7+1 {
		t.Errorf("SVG has %d shapes of the series colour, want 7 markers and 1 in the legend", got)
	}
	if low := strings.ToLower(string(doc)); strings.Contains(low, "nan") || strings.Contains(low, "inf") {
		t.Error("the SVG mentions NaN or Inf")
	}

	img, err := png.Decode(bytes.NewReader(write(t, f, PNG)))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 2*defaultWidth {
		t.Errorf("PNG is %d pixels wide, want %d", b.Dx(), 2*defaultWidth)
	}
	if n := countColor(img, color.RGBA{0x12, 0x34, 0x56, 0xff}); n < 7*20 {
		t.Errorf("PNG has %d pixels of the series colour, want the 7 markers' (each ≥ 20)", n)
	}

	pdf := write(t, f, PDF)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("\nxref")) || !bytes.Contains(pdf, []byte("trailer")) ||
		!bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Errorf("PDF lacks its header, xref, trailer or %%%%EOF (%d bytes)", len(pdf))
	}
}

func countColor(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}

// A very large figure is drawn as a PNG of fewer pixels per px, within
// the memory bound.
func TestLargePNG(t *testing.T) {
	f := testFigure()
	f.Width = 20000
	img, err := png.Decode(bytes.NewReader(write(t, f, PNG)))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx()*b.Dy()*4 > maxPNGBytes || b.Dx() < 10000 {
		t.Errorf("PNG of a 20000 px figure is %v", b)
	}
}

// WriteFile picks the format by extension and replaces the file
// atomically: a failure leaves the old file and no temporary file.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{".svg", ".PNG", ".pdf"} {
		name := filepath.Join(dir, "fig"+ext)
		if err := WriteFile(name, testFigure()); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(name)
		if len(b) < 1000 {
			t.Errorf("%s: %d bytes", name, len(b))
		}
	}
	old := filepath.Join(dir, "old.svg")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(old, &Figure{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty figure: %v, want ErrEmpty", err)
	}
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("a failed write changed the file to %q", b)
	}
	if err := WriteFile(filepath.Join(dir, "fig.jpg"), testFigure()); err == nil || !strings.Contains(err.Error(), ".svg, .png or .pdf") {
		t.Errorf("fig.jpg: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 4 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q, want the three figures and old.svg", names)
	}
}

// NaN, ±Inf and huge values never reach the renderer: every format is
// written, and the SVG names no NaN or Inf.
func TestWriteNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for name, p := range map[string]*Panel{
		"mixed": {Lines: []Line{{X: []float64{0, 1, nan, 2, 3, inf, 4}, Y: []float64{0, 1, 2, nan, 3, 4, -inf}}},
			Points: []Points{{X: []float64{nan, 1, 1e300}, Y: []float64{0, inf, 1e300}}}},
		"all nan":  {Lines: []Line{{X: []float64{nan, nan}, Y: []float64{nan, nan}}}, HLines: []Ref{{Value: nan}}, Circles: []Circle{{R: nan}}},
		"log":      {LogY: true, Lines: []Line{{X: []float64{0, 1, 2, 3}, Y: []float64{1, 0, -1, 1e-3}}}},
		"huge":     {XMin: -1, XMax: 1, YMin: -1, YMax: 1, Lines: []Line{{X: []float64{-1e300, 1e300, 0}, Y: []float64{-1e300, 1e300, 0.5}}}},
		"overflow": {XMin: -1, XMax: 1, YMin: -1, YMax: 1, Lines: []Line{{X: []float64{-1.7e308, 1.7e308}, Y: []float64{0, 0}}}},
		"bad heat": {Heat: &Heat{X: []float64{1, nan}, Y: []float64{1}, Z: []float64{inf, 0}, Min: nan}},
		"empty":    {},
	} {
		t.Run(name, func(t *testing.T) {
			f := &Figure{Panels: []*Panel{p}}
			doc := write(t, f, SVG)
			svgTexts(t, doc)
			if low := strings.ToLower(string(doc)); strings.Contains(low, "nan") || strings.Contains(low, "inf") {
				t.Error("the SVG mentions NaN or Inf")
			}
			if _, err := png.Decode(bytes.NewReader(write(t, f, PNG))); err != nil {
				t.Errorf("PNG: %v", err)
			}
			write(t, f, PDF)
		})
	}
}

// Equal axes give one data unit the same length on both axes.
func TestEqualRange(t *testing.T) {
	p := &Panel{Equal: true, Circles: []Circle{{R: 1}}, Points: []Points{{X: []float64{3}, Y: []float64{0}}}}
	xmin, xmax, ymin, ymax := p.dataRange(600, 300)
	if sx, sy := (xmax-xmin)/600, (ymax-ymin)/300; math.Abs(sx-sy) > 1e-12*sx {
		t.Errorf("units per px: x %v, y %v", sx, sy)
	}
	if xmin > -1 || xmax < 3 || ymin > -1 || ymax < 1 {
		t.Errorf("range [%v, %v] × [%v, %v] does not hold the data", xmin, xmax, ymin, ymax)
	}
}

// Control characters of a hostile name never reach the document.
func TestCleanText(t *testing.T) {
	f := &Figure{Title: "net\x1b[31m\x07.npz", Panels: []*Panel{{Title: "a\x00b"}}}
	doc := write(t, f, SVG)
	texts := svgTexts(t, doc)
	if !strings.Contains(strings.Join(texts, " "), "net[31m.npz") || bytes.ContainsAny(doc, "\x1b\x07\x00") {
		t.Errorf("texts %q", texts)
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		x0, y0, x1, y1 float64
		ok             bool
		ax, ay, bx, by float64
	}{
		{-1, 0.5, 2, 0.5, true, 0, 0.5, 1, 0.5},
		{0.2, 0.2, 0.8, 0.8, true, 0.2, 0.2, 0.8, 0.8},
		{2, 2, 3, 3, false, 0, 0, 0, 0},
		{-1, -1, 2, 2, true, 0, 0, 1, 1},
	} {
		ax, ay, bx, by, ok := clip(c.x0, c.y0, c.x1, c.y1, 0, 1, 0, 1)
		if ok != c.ok || (ok && (ax != c.ax || ay != c.ay || bx != c.bx || by != c.by)) {
			t.Errorf("clip %v: got %v %v %v %v %v", c, ax, ay, bx, by, ok)
		}
	}
}

func TestCellEdges(t *testing.T) {
	got := cellEdges([]float64{0.1, 0.2, 0.4})
	want := []float64{0.05, 0.15, 0.3, 0.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("cellEdges = %v, want %v", got, want)
		}
	}
	if cellEdges([]float64{1, 1}) != nil || cellEdges([]float64{math.NaN()}) != nil {
		t.Error("cellEdges accepts a non-increasing or NaN axis")
	}
}

// BenchmarkWrite draws a phase-portrait-sized figure (8 trajectories of
// 2000 points and a few markers) in each format.
func BenchmarkWrite(b *testing.B) {
	p := &Panel{Equal: true, XLabel: "PC1", YLabel: "PC2", Points: []Points{{Label: "fixed points", X: []float64{0, 0.5}, Y: []float64{0, 0.5}}}}
	for c := range 8 {
		x, y := make([]float64, 2000), make([]float64, 2000)
		for i := range x {
			a := float64(i) / 100
			x[i], y[i] = math.Cos(a+float64(c))*math.Exp(-a/10), math.Sin(a+float64(c))*math.Exp(-a/10)
		}
		p.Lines = append(p.Lines, Line{Label: "condition", Color: "#0072B2", X: x, Y: y})
	}
	f := &Figure{Title: "portrait", Panels: []*Panel{p}}
	for _, format := range []Format{SVG, PNG, PDF} {
		b.Run(string(format), func(b *testing.B) {
			for b.Loop() {
				if err := f.Write(io.Discard, format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Bars run from the top down in the order given, each labelled on the y
// axis with its text beside it; a categorical axis shows its labels, not
// numbers; a heat map with Values writes each finite cell's value.
func TestBarsAndCategories(t *testing.T) {
	f := &Figure{Panels: []*Panel{
		{Bars: []Bar{{Label: "first", Value: 0.75, Text: "3 (75.0%)"}, {Label: "second", Value: 0.25, Text: "1 (25.0%)"}}},
		{XTicks: []string{"lo", "hi"}, YTicks: []string{"r0"}, Heat: &Heat{X: []float64{0, 1}, Y: []float64{0},
			Z: []float64{0.25, math.NaN()}, Values: true}},
	}}
	var b bytes.Buffer
	if err := f.Write(&b, SVG); err != nil {
		t.Fatal(err)
	}
	texts := strings.Join(svgTexts(t, b.Bytes()), "|")
	for _, want := range []string{"first", "second", "3 (75.0%)", "1 (25.0%)", "lo", "hi", "r0", "0.25"} {
		if !strings.Contains("|"+texts+"|", "|"+want+"|") {
			t.Errorf("the SVG lacks the text %q: %s", want, texts)
		}
	}
	if strings.Contains(texts, "NaN") {
		t.Errorf("an empty cell is labelled: %s", texts)
	}
	// gonum writes text at y = −(height above the bottom) in a flipped
	// group: "first" above "second" has the smaller y.
	y := func(label string) float64 {
		i := bytes.Index(b.Bytes(), []byte(">"+label+"<"))
		j := bytes.LastIndex(b.Bytes()[:i], []byte(` y="`))
		var v float64
		fmt.Sscanf(string(b.Bytes()[j+4:i]), "%g", &v)
		return v
	}
	if y("first") >= y("second") {
		t.Errorf("bar label first at y %g, second at %g: want first above", y("first"), y("second"))
	}
}
