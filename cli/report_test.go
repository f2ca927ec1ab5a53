package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"attractor/analysis"
	"attractor/saved"
	"attractor/train/sweep"
	"attractor/tui"
)

// TestReportSameEverywhere is issue 15's "same file and settings → same
// report": `attractor inspect --json`, the UI's stages (tui.SessionReport)
// and the sweep's "report" analysis give the same bytes, on a gallery
// network and on a GRU trained by real PyTorch; and a real sweep stores
// in its result the bytes inspect prints for the network it saved.
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
			sw, err := analysis.SweepReport(context.Background(), sweep.AnalysisInput{Network: n, Options: map[string]any{"name": file}})
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
	t.Run("sweep-run", testReportSweepRun)
}

// testReportSweepRun checks that a sweep stores the report in its result: a small flip-flop sweep with
// the "report" analysis, run by the sweep machinery (the network analysed
// in memory right after training), carries in result.json exactly the
// bytes `attractor inspect --json` prints for the network it saved, read
// back from its file under the name the report gives it (net.npz).
func testReportSweepRun(t *testing.T) {
	spec := writeSpec(t, `name = "report sweep"
task = "flipflop"
analyses = ["report"]
seeds = 1

[base]
family = "gru"
hidden = 6
bits = 1
steps = 40
batch = 8
epochs = 20
`)
	dir := filepath.Join(t.TempDir(), "sw")
	if _, errs, code := runMain(t, "sweep", spec, "-o", dir, "--workers", "1"); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, errs)
	}
	sw, err := sweep.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sw.ReadResult(0, true)
	if err != nil {
		t.Fatal(err)
	}
	stored, ok := res.Analyses["report"]["report"].(string)
	if !ok || !strings.HasPrefix(stored, "{") {
		t.Fatalf("result.json has no report: %v", res.Analyses["report"])
	}
	t.Chdir(sw.NetDir(0))
	code, cliOut, stderr := run("inspect", sweep.NetworkFile, "--json")
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	if stored != cliOut {
		writeDiffFiles(t, "sweep result", cliOut, stored)
		t.Errorf("the report the sweep stored differs from inspect --json on the network it saved")
	}
	if cl, _ := res.Analyses["report"]["class"].(string); cl == "" || res.Class != cl {
		t.Errorf("class %q, result class %q", cl, res.Class)
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
