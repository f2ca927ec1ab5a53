package model

import (
	"fmt"
	"testing"
)

// BenchmarkCTRNNStep times one Euler step of a CTRNN with dense J and with
// sparse J of density 0.1, with output and latent feedback and input.
func BenchmarkCTRNNStep(b *testing.B) {
	for _, kind := range []string{"dense", "sparse"} {
		for _, n := range []int{100, 300, 1000} {
			b.Run(fmt.Sprintf("%s/N=%d", kind, n), func(b *testing.B) {
				rng := NewRNG(1, 0)
				var j Recurrent
				if kind == "dense" {
					j = NewDenseRecurrent(DenseGaussian(n, 1, rng))
				} else {
					j = SparseGaussian(n, 0.1, 1, rng)
				}
				net, err := NewCTRNN(CTRNNParams{
					G: 1.5, J: j,
					WF: ctrnnNormalDense(n, 1, 1, rng), WO: ctrnnNormalDense(n, 1, 0.01, rng),
					WFD: ctrnnNormalDense(n, 2, 1, rng), WD: ctrnnNormalDense(n, 2, 0.01, rng),
					WIn: ctrnnNormalDense(n, 2, 0.02, rng), Tau: 1, DT: 0.1,
				})
				if err != nil {
					b.Fatal(err)
				}
				x := NormalVector(n, 1, rng)
				dst := make([]float64, n)
				u := []float64{0.5, -0.5}
				b.ReportAllocs()
				for b.Loop() {
					net.Step(dst, x, u)
					x, dst = dst, x
				}
			})
		}
	}
}
