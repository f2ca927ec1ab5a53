package model

import (
	"fmt"
	"testing"
)

// BenchmarkHopfieldStep times one Euler step at α = 0.1 with the dense J
// and with the O(NP) pattern form.
func BenchmarkHopfieldStep(b *testing.B) {
	for _, n := range []int{100, 300, 1000} {
		pat := RandomPatterns(n, n/10, NewRNG(1, 0))
		for _, form := range []ConnForm{ConnDense, ConnPatterns} {
			cfg := DefaultHopfieldConfig()
			cfg.Form = form
			h, err := NewHopfield(pat, cfg)
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float64, n)
			pat.NoisyPattern(x, 0, 0.5, NewRNG(2, 0))
			dst := make([]float64, n)
			b.Run(fmt.Sprintf("N=%d/%v", n, form), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					h.Step(dst, x, nil)
				}
			})
		}
	}
}

// BenchmarkGatedStep times one Euler step of the gated network (α = 0.1,
// automatic form, binary gate); the O(N²) gate layer W φ dominates.
func BenchmarkGatedStep(b *testing.B) {
	for _, n := range []int{100, 300, 1000} {
		rng := NewRNG(3, 0)
		pat := RandomPatterns(n, n/10, rng)
		g, err := RandomGated(pat, DefaultGatedConfig(), rng)
		if err != nil {
			b.Fatal(err)
		}
		s := make([]float64, 2*n)
		g.InitialState(s, 0, 0.5, rng)
		dst := make([]float64, 2*n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Step(dst, s, nil)
			}
		})
	}
}
