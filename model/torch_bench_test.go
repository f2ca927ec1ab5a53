package model

import (
	"fmt"
	"testing"
)

// torchBenchSizes are the hidden sizes of the Step benchmarks.
var torchBenchSizes = []int{100, 300, 1000}

// torchBenchStep benchmarks Step of the networks made by newNet with input
// size 3, for each hidden size.
func torchBenchStep(b *testing.B, newNet func(h int, rng *RNG) Network) {
	for _, n := range torchBenchSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			rng := NewRNG(1, 0)
			net := newNet(n, rng)
			S := net.Dims().State
			x, dst := make([]float64, S), make([]float64, S)
			for i := range x {
				x[i] = rng.Uniform(-1, 1)
			}
			u := []float64{0.3, -0.2, 0.1}
			b.ReportAllocs()
			for b.Loop() {
				net.Step(dst, x, u)
			}
		})
	}
}

func BenchmarkTorchRNNStep(b *testing.B) {
	torchBenchStep(b, func(h int, rng *RNG) Network { return RandomTorchRNN(h, 3, 1, rng) })
}

func BenchmarkGRUStep(b *testing.B) {
	torchBenchStep(b, func(h int, rng *RNG) Network { return RandomGRU(h, 3, 1, rng) })
}

func BenchmarkLSTMStep(b *testing.B) {
	torchBenchStep(b, func(h int, rng *RNG) Network { return RandomLSTM(h, 3, 1, rng) })
}
