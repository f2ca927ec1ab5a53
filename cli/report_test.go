package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
	"attractor/train/sweep"
	"attractor/tui"
)

// TestReportSameEverywhere is issue 15's "same file and settings → same
// report": `attractor inspect --json`, the UI's stages (tui.SessionReport)
// and the sweep's "report" analysis give the same bytes, on a gallery
// network and on a GRU trained by real PyTorch.
func TestReportSameEverywhere(t *testing.T) {
	for _, file := range []string{
		filepath.Join("..", "tui", "gallery", "06-flipflop-gru.npz"),
		filepath.Join("testdata", "flipflop_gru_torch8.pt"),
	} {
		t.Run(filepath.Base(file), func(t *testing.T) {
			code, cliOut, stderr := run("inspect", file, "--json")
			if code != 0 {
				t.Fatalf("inspect: exit %d: %s", code, stderr)
			}
			n, _, err := saved.Open(file, nil)
			if err != nil {
				t.Fatal(err)
			}
			ui, err := tui.SessionReport(context.Background(), file, n)
			if err != nil {
				t.Fatal(err)
			}
			uiOut, err := ui.JSON()
			if err != nil {
				t.Fatal(err)
			}
			sw, err := sweepReportAnalysis(context.Background(), sweep.AnalysisInput{Network: n, Options: map[string]any{"name": file}})
			if err != nil {
				t.Fatal(err)
			}
			if string(uiOut) != cliOut {
				writeDiffFiles(t, "ui", cliOut, string(uiOut))
				t.Errorf("the UI's report differs from inspect --json")
			}
			if sw["report"] != cliOut {
				writeDiffFiles(t, "sweep", cliOut, sw["report"].(string))
				t.Errorf("the sweep's report differs from inspect --json")
			}
		})
	}
}

// writeDiffFiles logs the first line at which two reports differ.
func writeDiffFiles(t *testing.T, what, a, b string) {
	t.Helper()
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			t.Logf("line %d: inspect %q, %s %q", i+1, la[i], what, lb[i])
			return
		}
	}
	t.Logf("inspect has %d lines, %s %d", len(la), what, len(lb))
}
