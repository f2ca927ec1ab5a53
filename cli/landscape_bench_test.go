package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/saved"
)

// BenchmarkLandscapeCensus follows the landscape of the PyTorch flip-flop
// history (41 state dicts of a GRU of 8 units) and, when
// ATTRACTOR_LANDSCAPE_RUN names a run directory with a history, that run,
// warm-started and cold, without basin fractions. It reports the census's
// own time (the fixed-point searches, "census-s/op") and iterations beside
// the whole time, which includes the forward simulations both share.
func BenchmarkLandscapeCensus(b *testing.B) {
	type src struct{ name, dir string }
	srcs := []src{{"torch-gru8", ""}}
	if d := os.Getenv("ATTRACTOR_LANDSCAPE_RUN"); d != "" {
		srcs = append(srcs, src{"run", d})
	}
	for _, sr := range srcs {
		var files []string
		var steps []float64
		taskName := ""
		if sr.dir == "" {
			m, _ := filepath.Glob(filepath.Join("testdata", "flipflop_gru_history", "epoch-*.pt"))
			files, taskName = m, "flipflop"
			for i := range files {
				steps = append(steps, float64(i))
			}
		} else {
			var err error
			if files, steps, _, err = landscapeFiles([]string{sr.dir}); err != nil {
				b.Fatal(err)
			}
		}
		var lf []analysis.LandscapeFile
		for i, f := range files {
			n, _, err := saved.Open(f, nil)
			if err != nil {
				b.Fatal(err)
			}
			lf = append(lf, analysis.LandscapeFile{Name: f, Net: n, Step: steps[i]})
		}
		var task json.RawMessage
		if taskName != "" {
			task = json.RawMessage(`{"name": "flipflop", "config": {"bits": 2}}`)
		}
		for _, cold := range []bool{false, true} {
			name := sr.name + "/warm"
			if cold {
				name = sr.name + "/cold"
			}
			b.Run(name, func(b *testing.B) {
				var census float64
				var iters int
				for b.Loop() {
					res, err := analysis.Landscape(context.Background(), lf, &analysis.LandscapeSettings{Seed: 1, Task: task,
						Continuation: inspect.LandscapeSettings{Cold: cold}})
					if err != nil {
						b.Fatal(err)
					}
					for _, ck := range res.Checkpoints {
						census += ck.Search.Seconds
						iters += ck.Search.Iterations
					}
				}
				b.ReportMetric(census/float64(b.N), "census-s/op")
				b.ReportMetric(float64(iters)/float64(b.N), "iters/op")
			})
		}
	}
}
