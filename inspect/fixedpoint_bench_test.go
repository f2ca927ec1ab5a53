package inspect

import (
	"context"
	"fmt"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/saved"
)

// fptPeerFile returns the network and initial states that
// /work/shared/bench/fixedpoints_torch.py --make writes, read from
// /tmp/fp<n>.npz (keys J, dt, inits) when that file exists, so that the
// benchmark runs on exactly the peer's problem; otherwise it builds the
// same construction in Go with fptPeerNet. The second result names the
// source.
func fptPeerFile(tb testing.TB, n, k int) (*mat.Dense, [][]float64, string) {
	tb.Helper()
	name := fmt.Sprintf("/tmp/fp%d.npz", n)
	if _, err := os.Stat(name); err == nil {
		ts, err := saved.ReadNPZ(name)
		if err != nil {
			tb.Fatal(err)
		}
		var j *mat.Dense
		var inits [][]float64
		for _, t := range ts {
			switch t.Name {
			case "J":
				if len(t.Shape) != 2 || t.Shape[0] != n || t.Shape[1] != n {
					tb.Fatalf("%s: J has shape %v, want [%d %d]", name, t.Shape, n, n)
				}
				j = mat.NewDense(n, n, t.Data)
			case "dt":
				if len(t.Data) != 1 || t.Data[0] != 0.1 {
					tb.Fatalf("%s: dt = %v, want 0.1", name, t.Data)
				}
			case "inits":
				if len(t.Shape) != 2 || t.Shape[1] != n {
					tb.Fatalf("%s: inits have shape %v", name, t.Shape)
				}
				for i := 0; i < min(k, t.Shape[0]); i++ {
					inits = append(inits, t.Data[i*n:(i+1)*n])
				}
			}
		}
		if j != nil && len(inits) == k {
			return j, inits, name
		}
		tb.Logf("%s lacks J or %d inits; building the network in Go", name, k)
	}
	j, inits := fptPeerNet(n, k, 1)
	return j, inits, "go"
}

// BenchmarkFixedPoints times the search on the peer's network with 256
// inits (the peer's own file when present, see fptPeerFile), for both
// methods, with and without the spectra. Compare with
// /work/shared/bench/fixedpoints_torch.py (see BENCHMARKS.md).
func BenchmarkFixedPoints(b *testing.B) {
	for _, n := range []int{300, 1000} {
		j, inits, src := fptPeerFile(b, n, 256)
		net := fptCTRNN(b, j)
		for _, c := range []struct {
			name string
			s    FixedPointSettings
		}{
			{"trust-region", FixedPointSettings{}},
			{"trust-region-nospectra", FixedPointSettings{NoSpectra: true}},
			{"trust-region-growing", FixedPointSettings{GrowingOnly: true}},
			{"adam", FixedPointSettings{Method: Adam}},
		} {
			b.Run(fmt.Sprintf("N=%d/%s", n, c.name), func(b *testing.B) {
				var res *FixedPointResult
				for i := 0; i < b.N; i++ {
					s := c.s
					var err error
					res, err = FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: inits}, &s)
					if err != nil {
						b.Fatal(err)
					}
				}
				stable := 0
				for _, p := range res.Points {
					if p.Kind == Stable {
						stable++
					}
				}
				b.ReportMetric(float64(len(res.Points)), "points")
				b.ReportMetric(float64(stable), "stable")
				b.ReportMetric(float64(res.Iterations), "iters")
				b.Logf("%s: %s", src, fptSummary(res))
			})
		}
	}
}
