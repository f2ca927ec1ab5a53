package model_test

import (
	"fmt"

	"attractor/model"

	"gonum.org/v1/gonum/mat"
)

// A two-neuron CTRNN with a rotation as recurrent matrix: the Jacobian of
// the vector field at the origin is −I + gJ, with eigenvalues −1 ± i, and
// one Euler step from x = (0.5, 0) is (0.5 − 0.05, −0.1·tanh 0.5).
func ExampleNewCTRNN() {
	j := model.NewDenseRecurrent(mat.NewDense(2, 2, []float64{
		0, 1,
		-1, 0,
	}))
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: j, Tau: 1, DT: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	jac := mat.NewDense(2, 2, nil)
	net.VelocityJacobian(jac, []float64{0, 0}, nil)
	fmt.Printf("%v\n", mat.Formatted(jac))

	x := []float64{0.5, 0}
	next := make([]float64, 2)
	net.Step(next, x, nil)
	fmt.Printf("x(0.1) = (%.5f, %.5f)\n", next[0], next[1])
	// Output:
	// ⎡-1   1⎤
	// ⎣-1  -1⎦
	// x(0.1) = (0.45000, -0.04621)
}

// The untrained network of Ghazizadeh & Ching: N neurons, sparse J of
// density p used as g·J, a scalar output and a two-channel latent readout
// fed back into the network, and two input channels.
func ExampleRandomGhazizadeh() {
	rng := model.NewRNG(0, 0)
	net, err := model.RandomGhazizadeh(200, 0.1, 1.5, 5, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, sparse := net.J.(*model.CSR)
	fmt.Printf("%+v, state %q, sparse J: %v, τ = %v, dt = %v\n",
		net.Dims(), net.StateVar(), sparse, net.Tau, net.DT)

	// Integrate 10 time units from the paper's x(0) = 0.1·N(0, 1).
	x := model.NormalVector(200, 0.1, rng)
	next := make([]float64, 200)
	u := []float64{0, 0}
	for k := 0; k < 100; k++ {
		net.Step(next, x, u)
		x, next = next, x
	}
	out := make([]float64, 3)
	net.Output(out, x) // (z_o, z_d): zero until the readouts are trained
	fmt.Println(out)
	// Output:
	// {State:200 Input:2 Output:3}, state "current x", sparse J: true, τ = 1, dt = 0.1
	// [0 0 0]
}

// EffectiveJ gives J_T = gJ + W_f W_oᵀ + W_fd W_dᵀ, whose spectrum shifted by
// −1 is the spectrum of the Jacobian at the origin (τ = 1).
func ExampleCTRNN_EffectiveJ() {
	j := model.NewDenseRecurrent(mat.NewDense(2, 2, []float64{0, 1, 1, 0}))
	net, err := model.NewCTRNN(model.CTRNNParams{
		G: 0.5, J: j,
		WF:  mat.NewDense(2, 1, []float64{1, 1}),
		WO:  mat.NewDense(2, 1, []float64{0.25, 0.25}),
		Tau: 1, DT: 0.1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v\n", mat.Formatted(net.EffectiveJ()))
	// Output:
	// ⎡0.25  0.75⎤
	// ⎣0.75  0.25⎦
}
