package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/inspect"
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
	if texts := svgTexts(t, svg); !strings.Contains(texts, "m_ss: hopfield β=10 N=80") || !strings.Contains(texts, "2 runs per cell") {
		t.Errorf("figure texts:\n%s", texts)
	}
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
	texts := svgTexts(t, svg)
	for _, want := range []string{"γ=∞", "γ=0", "Δm_ss = m_ss(γ) − m_ss(γ=0)", "memory load α = P/N", "α_c ≈ 0.138"} {
		if !strings.Contains(texts, want) {
			t.Errorf("figure lacks %q:\n%s", want, texts)
		}
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
		{[]string{"memory", hn, "--m0-grid", "2", "--runs", "1"}, 2, "--m0-grid: m(0) = 2: want overlaps in [−1, 1]"},
		{[]string{"memory", hn, "--alpha-grid", "0,0.1", "--runs", "1"}, 2, "--alpha-grid: α = 0: want memory loads > 0"},
		{[]string{"memory", hn, "--n", "100000000"}, 2, "N = 100000000 with α up to 0.5 needs"},
		{[]string{"memory", hn, "--n", "5000", "--alpha-grid", "5"}, 2, "at most N = 5000"},
		{[]string{"memory", lr}, 1, "not an associative memory"},
		{[]string{"memory", filepath.Join(t.TempDir(), "missing.npz")}, 1, "missing.npz"},
	} {
		code, _, errOut := run(c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "inspect:") {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// The figure has one heat map per diagram, with every cell, and -o
// writes PNG and PDF too.
func TestMemoryFigure(t *testing.T) {
	d := &inspect.PhaseDiagram{Model: "m", Alphas: []float64{0.05, 0.2, 0.3}, M0s: []float64{0.5, 1}, Runs: 2, T: 4,
		Mean: []float64{0, 0.5, 1, 0.2, math.NaN(), 0.9}}
	f := memoryFigure([]memoryPanel{{title: "a", d: d}, {title: "Δ", d: d, signed: true}})
	if len(f.Panels) != 2 || len(f.Panels[0].Heat.Z) != 6 || f.Panels[1].Heat.Min != -1 || !f.Panels[1].Heat.Signed {
		t.Fatalf("figure %+v", f.Panels)
	}
	h, _ := model.NewHopfield(model.RandomPatterns(20, 1, model.NewRNG(1, 0)), model.DefaultHopfieldConfig())
	net := memoryWriteNet(t, h)
	for _, ext := range []string{".png", ".pdf"} {
		out := filepath.Join(t.TempDir(), "phase"+ext)
		code, _, errOut := run("memory", net, "--alpha-grid", "0.05", "--m0-grid", "1", "--runs", "1", "--t", "2", "-o", out)
		b, _ := os.ReadFile(out)
		if code != 0 || len(b) < 1000 || !strings.Contains(errOut, "wrote "+out) {
			t.Errorf("%s: exit %d, %d bytes, stderr %q", ext, code, len(b), errOut)
		}
	}
	code, _, errOut := run("memory", net, "-o", "phase.jpg")
	if code != 2 || !strings.Contains(errOut, ".svg, .png or .pdf") {
		t.Errorf("-o phase.jpg: exit %d, stderr %q", code, errOut)
	}
}
