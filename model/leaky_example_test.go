package model_test

import (
	"fmt"
	"math"

	"attractor/model"
)

// A Kurtkaya-style network (N = 100, dt = 5 ms, τ = 10 ms) reads a 30 ms cue
// on its two input channels; the readout is a sigmoid of the rates.
func ExampleRandomKurtkaya() {
	net := model.RandomKurtkaya(100, 2, 2, model.NewRNG(1, 0))
	r := make([]float64, 100) // rates, start at 0
	next := make([]float64, 100)
	cue := []float64{0, 1}   // class 0
	for k := 0; k < 6; k++ { // 6 steps of 5 ms
		net.Step(next, r, cue)
		r, next = next, r
	}
	o := make([]float64, 2)
	net.Output(o, r)
	fmt.Printf("a = %.2f, state %v, outputs in (0, 1): %v\n", net.Alpha(), net.StateVar(), o[0] > 0 && o[0] < 1 && o[1] > 0 && o[1] < 1)
	// Output: a = 0.50, state rate r, outputs in (0, 1): true
}

// The rank-2 network's step never forms the N×N matrix m n, and its latent
// coordinates κ = n x obey the closed two-dimensional map
// κ' = (1 − a) κ + a n tanh(m κ + b) of the reduced flow.
func ExampleLowRank_Kappa() {
	net := model.RandomLowRank(100, 2, model.NewRNG(2, 0))
	x := make([]float64, 100)
	for i := range x {
		x[i] = 3 * net.M.At(i, 0) // a state along m₁
	}
	kappa := make([]float64, 2)
	net.Kappa(kappa, x)
	// The reduced map, computed from κ alone.
	a := net.Alpha()
	reduced := []float64{(1 - a) * kappa[0], (1 - a) * kappa[1]}
	for i := 0; i < 100; i++ {
		t := math.Tanh(net.M.At(i, 0)*kappa[0] + net.M.At(i, 1)*kappa[1] + net.B[i])
		reduced[0] += a * net.N.At(0, i) * t
		reduced[1] += a * net.N.At(1, i) * t
	}
	next := make([]float64, 100)
	net.Step(next, x, nil)
	kNext := make([]float64, 2)
	net.Kappa(kNext, next)
	fmt.Println("κ' from the full step equals the reduced map:",
		math.Abs(kNext[0]-reduced[0]) < 1e-12 && math.Abs(kNext[1]-reduced[1]) < 1e-12)
	// Output: κ' from the full step equals the reduced map: true
}

// The default TRNN has three modules in a chain; the vanilla baseline has one
// module and a dense mask.
func ExampleRandomTRNN() {
	rng := model.NewRNG(3, 0)
	trnn, err := model.RandomTRNN(90, 2, 2, model.DefaultTRNNConfig(), rng)
	if err != nil {
		panic(err)
	}
	vanilla, err := model.RandomTRNN(90, 2, 2, model.VanillaConfig(), rng)
	if err != nil {
		panic(err)
	}
	// Module 2 (units 60–89) never projects back to module 0 (units 0–29).
	var back float64
	for i := 0; i < 30; i++ {
		for j := 60; j < 90; j++ {
			back += trnn.RecurrentMask().At(i, j)
		}
	}
	fmt.Println("TRNN modules:", trnn.Modules(), "connections 2→0:", back)
	fmt.Println("vanilla modules:", vanilla.Modules(), "a =", vanilla.Alpha())
	// Output:
	// TRNN modules: [0 30 60 90] connections 2→0: 0
	// vanilla modules: [0 90] a = 0.2
}
