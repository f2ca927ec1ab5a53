package model

import (
	"fmt"
	"testing"
)

// leakyBenchSizes are the network sizes of the step benchmarks.
var leakyBenchSizes = []int{100, 300, 1000}

// BenchmarkLeakyStep times one step of a Kurtkaya network with 2 inputs
// (a dense N×N matrix–vector product).
func BenchmarkLeakyStep(b *testing.B) {
	for _, n := range leakyBenchSizes {
		rng := NewRNG(1, 0)
		net := RandomKurtkaya(n, 2, 2, rng)
		x, u, dst := leakyTestVec(rng, n, 0.5), []float64{1, 0}, make([]float64, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				net.Step(dst, x, u)
			}
		})
	}
}

// BenchmarkLowRankStep times one O(NK) step of a rank-2 network.
func BenchmarkLowRankStep(b *testing.B) {
	for _, n := range leakyBenchSizes {
		rng := NewRNG(2, 0)
		net := RandomLowRank(n, 2, rng)
		x, dst := leakyTestVec(rng, n, 0.5), make([]float64, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				net.Step(dst, x, nil)
			}
		})
	}
}

// BenchmarkTRNNStep times one step of the default TRNN (W stored dense and
// masked) with 2 inputs.
func BenchmarkTRNNStep(b *testing.B) {
	for _, n := range leakyBenchSizes {
		rng := NewRNG(3, 0)
		net, err := RandomTRNN(n, 2, 2, DefaultTRNNConfig(), rng)
		if err != nil {
			b.Fatal(err)
		}
		x, u, dst := leakyTestVec(rng, n, 0.5), []float64{1, 0}, make([]float64, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				net.Step(dst, x, u)
			}
		})
	}
}
