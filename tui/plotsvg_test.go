package tui

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"attractor/internal/figure"
	"attractor/saved"
	"attractor/train"
)

// figTexts encodes f, checks that it is well-formed XML without NaN or Inf
// and returns its text content joined by newlines.
func figTexts(t *testing.T, f *figure.Figure) string {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b, figure.SVG); err != nil {
		t.Fatal(err)
	}
	low := strings.ToLower(b.String())
	if strings.Contains(low, "nan") || strings.Contains(low, "inf") {
		t.Errorf("the SVG mentions NaN or Inf")
	}
	d := xml.NewDecoder(&b)
	var texts []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		if c, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(c)) != "" {
			texts = append(texts, strings.TrimSpace(string(c)))
		}
	}
	return strings.Join(texts, " ")
}

func wantTexts(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("figure lacks %q; it has:\n%s", w, got)
		}
	}
}

func TestPortraitFigure(t *testing.T) {
	n := taskNet(t, "dcdt", nil)
	f, err := PortraitFigure(context.Background(), n, FigureOptions{Name: "dcdt-net", Inits: 8})
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, figTexts(t, f), "Phase portrait · dcdt-net", "PC1 (", "% of variance)", "PC2 (",
		"stable fixed point", "saddle", "slow point", "class 0", "class 1", "fixed/slow points from 8 starting states")
}

func TestSpectrumFigure(t *testing.T) {
	ctx := context.Background()
	f, err := SpectrumFigure(ctx, taskNet(t, "dcdt", nil), FigureOptions{Inits: 8})
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, figTexts(t, f), "Re λ (1/ms)", "Im λ (1/ms)", "Re λ = 0 (stability)", "point 1 (", "rates λ (1/ms)")

	f, err = SpectrumFigure(ctx, mapNet(t), FigureOptions{Inits: 8, Point: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, figTexts(t, f), "Re μ", "Im μ", "unit circle |μ| = 1", "multipliers μ")

	if _, err := SpectrumFigure(ctx, mapNet(t), FigureOptions{Inits: 8, Point: 99}); err == nil || !strings.Contains(err.Error(), "fixed point 99") {
		t.Errorf("point 99: error %v", err)
	}
}

func TestCurvesFigure(t *testing.T) {
	n := freeNet(t)
	if _, err := CurvesFigure(n, FigureOptions{}); err == nil {
		t.Error("no history: no error")
	}
	n.Manifest.History = []saved.HistoryPoint{{Step: 10, Loss: 1, Accuracy: 0.5}, {Step: 20, Loss: 0.01, Accuracy: 0.9}, {Step: 30, Loss: math.NaN(), Accuracy: 1}}
	n.Manifest.Train = []byte(`{"method":"bptt-leaky","config":{}}`)
	f, err := CurvesFigure(n, FigureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantTexts(t, figTexts(t, f), "loss (log scale)", "accuracy", "epoch", "10 −2", "history in the network file", "1 points not shown")

	ms := []train.Metrics{{Step: 1, Loss: -1}, {Step: 2, Loss: 2}}
	f, err = CurvesFigure(n, FigureOptions{Metrics: ms, MetricsSource: "run/metrics.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	got := figTexts(t, f)
	wantTexts(t, got, "run/metrics.jsonl", "loss")
	if strings.Contains(got, "log scale") || strings.Contains(got, "Accuracy") {
		t.Errorf("a negative loss got a log axis, or an absent accuracy a panel:\n%s", got)
	}
}
