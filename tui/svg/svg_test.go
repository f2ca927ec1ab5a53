package svg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// parse checks that doc is well-formed XML with an <svg> root and returns
// the text of every element and the numeric attributes.
func parse(t *testing.T, doc []byte) (texts []string, nums map[string][]float64) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	nums = map[string][]float64{}
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "width", "height":
					v, err := strconv.ParseFloat(a.Value, 64)
					if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("<%s %s=%q> is not a finite number", tok.Name.Local, a.Name.Local, a.Value)
					}
					nums[a.Name.Local] = append(nums[a.Name.Local], v)
				case "points":
					for _, f := range strings.FieldsFunc(a.Value, func(r rune) bool { return r == ' ' || r == ',' }) {
						v, err := strconv.ParseFloat(f, 64)
						if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
							t.Errorf("<%s points> holds %q", tok.Name.Local, f)
						}
						nums["points"] = append(nums["points"], v)
					}
				}
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
	return texts, nums
}

func encode(t *testing.T, f *Figure) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contains(texts []string, s string) bool {
	for _, x := range texts {
		if x == s {
			return true
		}
	}
	return false
}

// A figure holds its titles, axis labels, tick labels and legend entries
// as text, and parses as XML.
func TestFigureText(t *testing.T) {
	f := &Figure{Title: "fig <1> & more", Panels: []*Panel{{
		Title: "panel", XLabel: "Re λ (1/τ)", YLabel: "Im λ (1/τ)",
		Lines:   []Line{{Label: "trajectory", X: []float64{0, 1, 2}, Y: []float64{0, 1, 0}}},
		Points:  []Points{{Label: "stable", Shape: Disc, X: []float64{1}, Y: []float64{0.5}}, {Label: "saddle", Shape: Ring, X: []float64{2}, Y: []float64{1}}},
		VLines:  []Ref{{Label: "Re λ = 0", Value: 0, Dash: "4 3"}},
		Circles: []Circle{{Label: "unit circle", R: 1}},
		Notes:   []string{"a note"},
	}}}
	texts, _ := parse(t, encode(t, f))
	for _, want := range []string{"fig <1> & more", "panel", "Re λ (1/τ)", "Im λ (1/τ)", "trajectory", "stable", "saddle", "Re λ = 0", "unit circle", "a note", "0", "1", "2"} {
		if !contains(texts, want) {
			t.Errorf("no text %q in %q", want, texts)
		}
	}
}

// NaN, ±Inf and huge values never produce a non-finite coordinate; they
// are counted in a note, and every coordinate of the data lies in the
// plot area.
func TestFigureNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for name, p := range map[string]*Panel{
		"mixed": {Lines: []Line{{X: []float64{0, 1, nan, 2, 3, inf, 4}, Y: []float64{0, 1, 2, nan, 3, 4, -inf}}},
			Points: []Points{{X: []float64{nan, 1, 1e300}, Y: []float64{0, inf, 1e300}}}},
		"all nan":  {Lines: []Line{{X: []float64{nan, nan}, Y: []float64{nan, nan}}}, HLines: []Ref{{Value: nan}}, Circles: []Circle{{R: nan}}},
		"log":      {LogY: true, Lines: []Line{{X: []float64{0, 1, 2, 3}, Y: []float64{1, 0, -1, 1e-3}}}},
		"huge":     {XMin: -1, XMax: 1, YMin: -1, YMax: 1, Lines: []Line{{X: []float64{-1e300, 1e300, 0}, Y: []float64{-1e300, 1e300, 0.5}}}},
		"overflow": {XMin: -1, XMax: 1, YMin: -1, YMax: 1, Lines: []Line{{X: []float64{-1.7e308, 1.7e308}, Y: []float64{0, 0}}}},
		"empty":    {},
	} {
		t.Run(name, func(t *testing.T) {
			doc := encode(t, &Figure{Panels: []*Panel{p}})
			if bytes.Contains(bytes.ToLower(doc), []byte("nan")) || bytes.Contains(bytes.ToLower(doc), []byte("inf")) {
				t.Errorf("document mentions NaN or Inf:\n%s", doc)
			}
			_, nums := parse(t, doc)
			if name == "huge" {
				pts := nums["points"]
				if len(pts) == 0 {
					t.Fatal("the clipped line was not drawn")
				}
				for _, v := range pts {
					if v < 0 || v > svgDefaultWidth {
						t.Errorf("coordinate %v outside the figure", v)
					}
				}
			}
		})
	}
}

// The hidden-point note counts exactly the points that are left out.
func TestFigureHiddenCount(t *testing.T) {
	p := &Panel{XMin: 0, XMax: 1, YMin: 0, YMax: 1,
		Points: []Points{{X: []float64{0.5, 2, math.NaN(), 0.2}, Y: []float64{0.5, 0.5, 0, math.Inf(-1)}}}}
	texts, nums := parse(t, encode(t, &Figure{Panels: []*Panel{p}}))
	if !contains(texts, "3 points not shown (non-finite") && !strings.Contains(strings.Join(texts, " "), "3 points not shown") {
		t.Errorf("no note of 3 hidden points in %q", texts)
	}
	if got := len(nums["cx"]); got != 1 {
		t.Errorf("%d markers drawn, want 1", got)
	}
}

// Equal axes give one data unit the same length in px on both axes.
func TestFigureEqual(t *testing.T) {
	p := &Panel{Equal: true, Circles: []Circle{{R: 1}}, Points: []Points{{X: []float64{3}, Y: []float64{0}}}}
	doc := encode(t, &Figure{Panels: []*Panel{p}})
	_, nums := parse(t, doc)
	if len(nums["rx"]) != 1 || math.Abs(nums["rx"][0]-nums["ry"][0]) > 0.02 {
		t.Errorf("unit circle drawn with rx %v, ry %v; want equal", nums["rx"], nums["ry"])
	}
}

// A log axis labels decades.
func TestFigureLogTicks(t *testing.T) {
	p := &Panel{LogY: true, YLabel: "loss", Lines: []Line{{X: []float64{0, 1, 2}, Y: []float64{1, 1e-2, 1e-4}}}}
	texts, _ := parse(t, encode(t, &Figure{Panels: []*Panel{p}}))
	for _, want := range []string{"10⁰", "10⁻²", "10⁻⁴", "loss"} {
		if !contains(texts, want) {
			t.Errorf("no tick label %q in %q", want, texts)
		}
	}
}

func TestFigureEmpty(t *testing.T) {
	if err := (&Figure{}).Encode(io.Discard); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty figure: %v, want ErrEmpty", err)
	}
}

func TestNum(t *testing.T) {
	re := regexp.MustCompile(`^-?[0-9]+(\.[0-9]{1,2})?$`)
	for _, v := range []float64{0, -0.0, 1, 1.5, -2.25, 1e9, 1.005, math.NaN(), math.Inf(-1)} {
		if s := num(v); !re.MatchString(s) {
			t.Errorf("num(%v) = %q", v, s)
		}
	}
	if num(-0.001) != "0" {
		t.Errorf("num(-0.001) = %q, want 0", num(-0.001))
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
		ax, ay, bx, by, ok := svgClip(c.x0, c.y0, c.x1, c.y1, 0, 1, 0, 1)
		if ok != c.ok || (ok && (ax != c.ax || ay != c.ay || bx != c.bx || by != c.by)) {
			t.Errorf("clip %v: got %v %v %v %v %v", c, ax, ay, bx, by, ok)
		}
	}
}
