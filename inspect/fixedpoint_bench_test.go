package inspect

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFixedPoints times the search on the peer's construction with
// 256 inits, for both methods, with and without the spectra. Compare with
// /work/shared/bench/fixedpoints_torch.py (see BENCHMARKS.md).
func BenchmarkFixedPoints(b *testing.B) {
	for _, n := range []int{300, 1000} {
		j, inits := fptPeerNet(n, 256, 1)
		net := fptCTRNN(b, j)
		for _, c := range []struct {
			name string
			s    FixedPointSettings
		}{
			{"trust-region", FixedPointSettings{}},
			{"trust-region-nospectra", FixedPointSettings{NoSpectra: true}},
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
			})
		}
	}
}
