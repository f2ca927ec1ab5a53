package model_test

import (
	"fmt"
	"math"

	"attractor/model"
)

// A graded Hopfield network at load α = 0.05 retrieves a stored pattern
// from a start that agrees with it on 80 % of the signs (m(0) = 0.6).
func ExampleHopfield() {
	rng := model.NewRNG(1, 0)
	pat := model.RandomPatterns(500, 25, rng)
	net, err := model.NewHopfield(pat, model.DefaultHopfieldConfig()) // β = 10, τ = 1, dt = 0.2
	if err != nil {
		panic(err)
	}
	x := make([]float64, 500)
	pat.NoisyPattern(x, 0, 0.6, rng)
	next := make([]float64, 500)
	for k := 0; k < 500; k++ { // t = 100
		net.Step(next, x, nil)
		x, next = next, x
	}
	m := make([]float64, net.Dims().Output)
	net.Output(m, x)
	fmt.Printf("form %v, overlap with ξ¹ %.2f\n", net.Config().Form, m[0])
	// Output: form patterns, overlap with ξ¹ 1.00
}

// Two exactly orthogonal patterns, as in the P = 2 flow diagrams.
func ExampleOrthogonalPair() {
	pat := model.OrthogonalPair(1000, model.NewRNG(2, 0))
	var dot float64
	for i := 0; i < 1000; i++ {
		dot += pat.At(i, 0) * pat.At(i, 1)
	}
	fmt.Println("ξ¹·ξ² =", dot)
	// Output: ξ¹·ξ² = 0
}

// The O(NP) Hebbian product equals the dense zero-diagonal J times φ.
func ExamplePatterns_HebbianMulVec() {
	rng := model.NewRNG(3, 0)
	pat := model.RandomPatterns(200, 10, rng)
	phi := make([]float64, 200)
	pat.NoisyPattern(phi, 0, 0, rng)
	fast := make([]float64, 200)
	pat.HebbianMulVec(fast, phi, make([]float64, 10))
	j := pat.Hebbian()
	var worst float64
	for i := range fast {
		var s float64
		for k := range phi {
			s += j.At(i, k) * phi[k]
		}
		worst = math.Max(worst, math.Abs(s-fast[i]))
	}
	fmt.Println("agree to 1e-12:", worst < 1e-12)
	// Output: agree to 1e-12: true
}

// With the binary gate (γ = ∞, the default), a step leaves the current of
// every closed neuron (z_i ≤ 0) exactly unchanged.
func ExampleGated() {
	rng := model.NewRNG(4, 0)
	pat := model.RandomPatterns(300, 30, rng)
	net, err := model.RandomGated(pat, model.DefaultGatedConfig(), rng)
	if err != nil {
		panic(err)
	}
	n := 300
	s := make([]float64, 2*n)
	net.InitialState(s, 0, 0.55, rng) // x(0) noisy ξ¹, z(0) ~ N(0, 1)
	next := make([]float64, 2*n)
	net.Step(next, s, nil)
	frozen := true
	for i := 0; i < n; i++ {
		if s[n+i] <= 0 && next[i] != s[i] {
			frozen = false
		}
	}
	fmt.Println("state", net.StateVar(), "| closed neurons frozen:", frozen)
	// Output: state current x, gate z | closed neurons frozen: true
}
