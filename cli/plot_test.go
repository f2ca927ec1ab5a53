package cli

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
	"attractor/train"
)

// plotNet writes the untrained leaky network of a short DCDT session, with
// a training history, and returns its path.
func plotNet(t *testing.T, dir string) string {
	t.Helper()
	cfg := train.DefaultLeaky()
	cfg.Hidden, cfg.Epochs, cfg.Seed = 12, 1, 2
	s, err := train.NewLeakySession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := s.Network()
	n.Manifest.History = []saved.HistoryPoint{{Step: 1, Loss: 0.5, Accuracy: 0.4}, {Step: 2, Loss: 0.1, Accuracy: 0.8}}
	name := filepath.Join(dir, "net.npz")
	if err := saved.WriteNative(name, n); err != nil {
		t.Fatal(err)
	}
	return name
}

// svgTexts parses an SVG file as XML and returns its text content.
func svgTexts(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if low := bytes.ToLower(b); bytes.Contains(low, []byte("nan")) || bytes.Contains(low, []byte("inf")) {
		t.Errorf("%s mentions NaN or Inf", name)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var texts []string
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not XML: %v", name, err)
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
		t.Errorf("%s: root element %q", name, root)
	}
	return strings.Join(texts, " ")
}

func TestPlotFigures(t *testing.T) {
	dir := t.TempDir()
	net := plotNet(t, dir)
	for _, tc := range []struct {
		flag string
		want []string
	}{
		{"--portrait", []string{"PC1 (", "stable fixed point", "saddle", "slow point", "class 0", "class 1"}},
		{"--spectrum", []string{"Re λ (1/ms)", "Im λ (1/ms)", "Re λ = 0", "point 1"}},
		{"--curves", []string{"loss (log scale)", "accuracy", "epoch", "history in the network file"}},
	} {
		out := filepath.Join(dir, strings.TrimPrefix(tc.flag, "--")+".svg")
		code, stdout, stderr := run("plot", net, tc.flag, "-o", out, "--inits", "8")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.flag, code, stderr)
		}
		if stdout != "" || !strings.Contains(stderr, "wrote "+out) {
			t.Errorf("%s: stdout %q, stderr %q; want the note on stderr", tc.flag, stdout, stderr)
		}
		got := svgTexts(t, out)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: figure lacks %q: %s", tc.flag, w, got)
			}
		}
	}
}

// The spectrum of fixed point 1 of the 12-unit network is drawn as 12
// markers (and one in the legend) in SVG; the same figure is a PNG that
// decodes and a PDF with its cross-reference table and trailer.
func TestPlotFormats(t *testing.T) {
	dir := t.TempDir()
	net := plotNet(t, dir)
	files := map[string][]byte{}
	for _, ext := range []string{".svg", ".png", ".pdf"} {
		out := filepath.Join(dir, "spectrum"+ext)
		code, stdout, stderr := run("plot", net, "--spectrum", "--point", "1", "--inits", "8", "-o", out)
		if code != 0 || stdout != "" || !strings.Contains(stderr, "wrote "+out) {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", ext, code, stdout, stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		files[ext] = b
	}
	svgTexts(t, filepath.Join(dir, "spectrum.svg"))
	// Point 1 is drawn in the first condition colour, #0072B2.
	if n := strings.Count(strings.ToUpper(string(files[".svg"])), "FILL:#0072B2"); n != 12+1 {
		t.Errorf("SVG has %d shapes of point 1's colour, want 12 eigenvalues and 1 in the legend", n)
	}
	img, err := png.Decode(bytes.NewReader(files[".png"]))
	if err != nil || img.Bounds().Dx() != 2*720 {
		t.Errorf("PNG: %v (bounds %v)", err, img.Bounds())
	}
	pdf := files[".pdf"]
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("xref")) || !bytes.Contains(pdf, []byte("trailer")) {
		t.Errorf("PDF lacks its header, xref or trailer")
	}
}

// A run directory's metrics log is the source of the curves, and a
// resumed run's repeated steps are dropped.
func TestPlotCurvesFromRunDir(t *testing.T) {
	dir := t.TempDir()
	net := plotNet(t, dir)
	run1 := filepath.Join(dir, "run")
	if err := os.Mkdir(run1, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(net, filepath.Join(run1, train.CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	log := `{"step":1,"loss":1,"accuracy":0.1}
{"step":2,"loss":0.5,"accuracy":0.2}
{"step":2,"loss":0.4,"accuracy":0.3}
{"step":3,"loss":0.01,"accuracy":0.95}
`
	if err := os.WriteFile(filepath.Join(run1, train.MetricsFile), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "c.svg")
	if code, _, stderr := run("plot", run1, "--curves", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := svgTexts(t, out)
	if !strings.Contains(got, train.MetricsFile) || !strings.Contains(got, "10 −2") {
		t.Errorf("curves not from the log: %s", got)
	}
}

func TestPlotUsage(t *testing.T) {
	dir := t.TempDir()
	net := plotNet(t, dir)
	out := filepath.Join(dir, "f.svg")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{net, "-o", out}, 2, "choose one of"},
		{[]string{net, "--portrait", "--curves", "-o", out}, 2, "choose one of"},
		{[]string{net, "--portrait"}, 2, "-o FIG.svg (or .png, .pdf) is required"},
		{[]string{"--portrait", "-o", out}, 2, "name one network"},
		{[]string{net, "other.npz", "--portrait", "-o", out}, 2, "name one network"},
		{[]string{net, "--portrait", "-o", filepath.Join(dir, "f.jpg")}, 2, "name the figure .svg, .png or .pdf"},
		{[]string{net, "--portrait", "--point", "2", "-o", out}, 2, "--spectrum only"},
		{[]string{net, "--spectrum", "--point", "-1", "-o", out}, 2, "--point -1"},
		{[]string{net, "--spectrum", "--inits", "0", "-o", out}, 2, "--inits 0"},
		{[]string{net, "--spectrum", "--width", "NaN", "-o", out}, 2, "--width"},
		{[]string{net, "--spectrum", "--nope", "-o", out}, 2, "attractor plot: unknown flag -nope\nsee attractor plot --help\n"},
		{[]string{filepath.Join(dir, "missing.npz"), "--portrait", "-o", out}, 1, "missing.npz"},
		{[]string{net, "--spectrum", "--point", "99", "-o", out}, 1, "fixed point 99"},
	} {
		code, _, stderr := run(append([]string{"plot"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("plot %q: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed plot left %s behind (%v)", out, err)
	}
}
