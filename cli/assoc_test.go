package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/model"
	"attractor/saved"
)

// memoryWriteNet saves net to a native file in a temporary directory.
func memoryWriteNet(t *testing.T, net model.Network) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "net.npz")
	if err := saved.WriteNative(name, &saved.Network{Net: net}); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestMemoryParseGrid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []float64
	}{
		{"0.1:0.5:0.1", []float64{0.1, 0.2, 0.3, 0.4, 0.5}},
		{"0.05, 0.2,1", []float64{0.05, 0.2, 1}},
		{"0.3", []float64{0.3}},
	} {
		got, err := memoryParseGrid(c.in)
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%q: %v, %v", c.in, got, err)
			continue
		}
		for k := range got {
			if got[k] != c.want[k] {
				t.Errorf("%q: %v, want %v", c.in, got, c.want)
			}
		}
	}
	for _, bad := range []string{"", "a,b", "0.5:0.1:0.1", "0:1:0", "0:1:x", "0:1:1e-9"} {
		if g, err := memoryParseGrid(bad); err == nil {
			t.Errorf("%q accepted: %v", bad, g)
		}
	}
}

func TestMemoryHopfieldTable(t *testing.T) {
	net, err := model.NewHopfield(model.RandomPatterns(80, 2, model.NewRNG(1, 0)), model.DefaultHopfieldConfig())
	if err != nil {
		t.Fatal(err)
	}
	name := memoryWriteNet(t, net)
	svg := filepath.Join(t.TempDir(), "phase.svg")
	code, out, errOut := run("memory", name, "--alpha-grid", "0.025,0.1,0.3", "--m0-grid", "0.2:1:0.4", "--runs", "2", "--t", "10", "-o", svg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "wrote "+svg) {
		t.Errorf("stderr lacks %q: %s", "wrote "+svg, errOut)
	}
	for _, want := range []string{"hopfield β=10 N=80", "m0\\α", " 0.025"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Three m(0) rows, largest first.
	lines := strings.Split(out, "\n")
	var rows []string
	for _, l := range lines {
		if strings.Contains(l, "│") && !strings.Contains(l, "m0") {
			rows = append(rows, strings.TrimSpace(l))
		}
	}
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "1 ") || !strings.HasPrefix(rows[2], "0.2 ") {
		t.Errorf("rows %q", rows)
	}
	if strings.Contains(out, "Δm_ss") {
		t.Error("a Hopfield network printed a Δ table")
	}
	if n := memoryCountCells(t, svg); n != 9 {
		t.Errorf("SVG has %d cells, want 9", n)
	}
}

// memoryCountCells parses the SVG file as XML and counts the heat-map
// cells.
func memoryCountCells(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	cells, root := 0, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			for _, a := range se.Attr {
				if a.Name.Local == "class" && a.Value == "cell" {
					cells++
				}
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element %q", root)
	}
	return cells
}

func TestMemoryGatedJSON(t *testing.T) {
	net, err := model.RandomGated(model.RandomPatterns(60, 6, model.NewRNG(2, 0)), model.DefaultGatedConfig(), model.NewRNG(2, 1))
	if err != nil {
		t.Fatal(err)
	}
	name := memoryWriteNet(t, net)
	svg := filepath.Join(t.TempDir(), "phase.svg")
	code, out, errOut := run("memory", name, "--alpha-grid", "0.05,0.2", "--m0-grid", "0.5,1", "--runs", "2", "--t", "4", "--json", "-o", svg, "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep memoryReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if rep.Reference == nil || rep.Delta == nil {
		t.Fatal("no γ = 0 reference for a gated network")
	}
	d := rep.Diagram
	if len(d.Mean) != 2 || len(d.Mean[0]) != 2 || d.Runs != 2 || d.P[0] != 3 || d.P[1] != 12 || len(d.Closed) != 2 || rep.Seed != 3 {
		t.Fatalf("diagram %+v", d)
	}
	if !strings.Contains(d.Model, "γ=∞") || !strings.Contains(rep.Reference.Model, "γ=0") {
		t.Errorf("models %q, %q", d.Model, rep.Reference.Model)
	}
	for i := range d.Mean {
		for j := range d.Mean[i] {
			if want := d.Mean[i][j] - rep.Reference.Mean[i][j]; math.Abs(rep.Delta.Mean[i][j]-want) > 1e-12 {
				t.Errorf("Δ[%d][%d] = %v, want %v", i, j, rep.Delta.Mean[i][j], want)
			}
		}
	}
	if n := memoryCountCells(t, svg); n != 12 {
		t.Errorf("SVG has %d cells, want 3 panels × 4", n)
	}
	// --ref=false drops the reference.
	code, out, errOut = run("memory", name, "--alpha-grid", "0.05", "--m0-grid", "1", "--runs", "1", "--t", "2", "--ref=false")
	if code != 0 || strings.Contains(out, "Δm_ss") || !strings.Contains(out, "closed gates") {
		t.Errorf("--ref=false: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestMemoryErrors(t *testing.T) {
	lr := memoryWriteNet(t, model.RandomLowRank(10, 1, model.NewRNG(1, 0)))
	h, _ := model.NewHopfield(model.RandomPatterns(20, 1, model.NewRNG(1, 0)), model.DefaultHopfieldConfig())
	hn := memoryWriteNet(t, h)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"memory"}, 2, "name one"},
		{[]string{"memory", hn, "--alpha-grid", "x"}, 2, "--alpha-grid"},
		{[]string{"memory", hn, "--m0-grid", "1:0:0.1"}, 2, "--m0-grid"},
		{[]string{"memory", hn, "--runs", "0"}, 2, "--runs"},
		{[]string{"memory", hn, "--t", "-1"}, 2, "--t"},
		{[]string{"memory", hn, "--m0-grid", "2", "--runs", "1"}, 1, "m0 = 2"},
		{[]string{"memory", lr}, 1, "not an associative memory"},
		{[]string{"memory", filepath.Join(t.TempDir(), "missing.npz")}, 1, "missing.npz"},
	} {
		code, _, errOut := run(c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

func TestMemoryColor(t *testing.T) {
	for _, c := range []struct {
		v      float64
		signed bool
		want   string
	}{
		{0, false, "#ffffff"}, {1, false, "#08306b"}, {2, false, "#08306b"}, {-1, false, "#ffffff"},
		{0, true, "#ffffff"}, {-1, true, "#b2182b"}, {1, true, "#2166ac"}, {math.NaN(), false, "#bbbbbb"},
	} {
		if got := memoryColor(c.v, c.signed); got != c.want {
			t.Errorf("memoryColor(%v, %v) = %s, want %s", c.v, c.signed, got, c.want)
		}
	}
	if x, ok := memoryColumnPos([]float64{0.1, 0.2, 0.3}, 0.15); !ok || math.Abs(x-0.5) > 1e-12 {
		t.Errorf("column position %v, %v", x, ok)
	}
	if _, ok := memoryColumnPos([]float64{0.3, 0.2}, 0.25); ok {
		t.Error("decreasing grid gave a position")
	}
}
