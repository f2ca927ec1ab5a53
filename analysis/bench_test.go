package analysis

import (
	"context"
	"path/filepath"
	"testing"

	"attractor/saved"
)

// BenchmarkAnalyzeTorchGRU8 is the speed goal: the whole default
// analysis (adaptive census, end-behaviour verdict) of a 24-unit GRU
// trained by PyTorch, what `attractor inspect net.pt` runs.
func BenchmarkAnalyzeTorchGRU8(b *testing.B) {
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Analyze(context.Background(), "gru8", n, nil, DefaultSettings()); err != nil {
			b.Fatal(err)
		}
	}
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
