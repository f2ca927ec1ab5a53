package analysis

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"attractor/internal/cputime"
	"attractor/saved"
)

// benchAnalyze runs Analyze on file name b.N times and reports the CPU
// seconds per run beside the wall time (the machine is shared).
func benchAnalyze(b *testing.B, name string, s *Settings) {
	n, _, err := saved.Open(name, nil)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := Analyze(context.Background(), filepath.Base(name), n, nil, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cputime.Process()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkAnalyzeTorchGRU8 is issue 15's speed goal (under 2 s): the
// whole default analysis (adaptive census, end-behaviour verdict) of a
// 24-unit GRU trained by PyTorch, what `attractor inspect net.pt` runs.
func BenchmarkAnalyzeTorchGRU8(b *testing.B) {
	benchAnalyze(b, filepath.Join("testdata", "flipflop_gru_torch8.pt"), DefaultSettings())
}

// BenchmarkCensusTorchGRU8 is the adaptive census alone.
func BenchmarkCensusTorchGRU8(b *testing.B) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		b.Fatal(err)
	}
	s := DefaultSettings()
	p, err := ProtocolFor(n, s.Seed)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Census(context.Background(), n.Net, n, &p, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzeGallery is the whole default analysis (census and
// verdict, `attractor inspect --json`) of the gallery networks users wait
// for: 01 (N = 300, Ghazizadeh verdict; issue 18's goal 5 CPU-seconds)
// and 03 (N = 300, limit cycles: the probes run 5× longer), and the two
// associative networks (N = 400 and 2 × 300).
func BenchmarkAnalyzeGallery(b *testing.B) {
	for _, name := range []string{"01-ghazizadeh-dfp-g1.5-fb1", "03-ghazizadeh-lc-g1.3-fb3", "10-hopfield", "11-gated"} {
		b.Run(name, func(b *testing.B) {
			benchAnalyze(b, filepath.Join("..", "tui", "gallery", name+".npz"), DefaultSettings())
		})
	}
}

// BenchmarkAnalyzeFile is `attractor inspect --no-verdict` (text: growing
// modes only) on the file named by ATTRACTOR_BENCH_FILE, such as the
// peer's N = 1000 network (`fixedpoints_torch.py --make net.npz --n
// 1000`, 10 MB, not in the repository; issue 18's goal 3 CPU-seconds).
func BenchmarkAnalyzeFile(b *testing.B) {
	name := os.Getenv("ATTRACTOR_BENCH_FILE")
	if name == "" {
		b.Skip("set ATTRACTOR_BENCH_FILE to a network file")
	}
	s := DefaultSettings()
	s.Verdict.Skip = true
	s.Census.GrowingOnly = true
	benchAnalyze(b, name, s)
}
