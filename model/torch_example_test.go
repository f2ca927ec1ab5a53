package model_test

import (
	"fmt"

	"attractor/model"

	"gonum.org/v1/gonum/mat"
)

// A one-unit GRU whose only non-zero weight feeds the input to the
// candidate n. Then r = z = σ(0) = 1/2, n = tanh(u) and
// h' = (1 − z) n + z h = (tanh(0.5) + 0.2)/2 for h = 0.2, u = 0.5; the
// readout is 2h' + 1, and ∂h'/∂h = z = 1/2.
func ExampleNewGRU() {
	gru, err := model.NewGRU(model.TorchParams{
		WeightIH: mat.NewDense(3, 1, []float64{0, 0, 1}), // rows r, z, n
		WeightHH: mat.NewDense(3, 1, []float64{0, 0, 0}),
		WOut:     mat.NewDense(1, 1, []float64{2}),
		BOut:     []float64{1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := []float64{0.2}
	next := make([]float64, 1)
	gru.Step(next, h, []float64{0.5})
	y := make([]float64, 1)
	gru.Output(y, next)
	jac := mat.NewDense(1, 1, nil)
	gru.Jacobian(jac, h, []float64{0.5})
	fmt.Printf("h' = %.6f, y = %.6f, ∂h'/∂h = %.2f\n", next[0], y[0], jac.At(0, 0))
	// Output:
	// h' = 0.331059, y = 1.662117, ∂h'/∂h = 0.50
}

// A one-unit tanh RNN: h' = tanh(u + 0.5 h) = tanh(0.5) from h = 0 with
// u = 0.5, and ∂h'/∂h = 0.5 (1 − h'²).
func ExampleNewTorchRNN() {
	rnn, err := model.NewTorchRNN(model.TorchParams{
		WeightIH: mat.NewDense(1, 1, []float64{1}),
		WeightHH: mat.NewDense(1, 1, []float64{0.5}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	next := make([]float64, 1)
	rnn.Step(next, []float64{0}, []float64{0.5})
	jac := mat.NewDense(1, 1, nil)
	rnn.Jacobian(jac, []float64{0}, []float64{0.5})
	fmt.Printf("h' = %.6f, ∂h'/∂h = %.6f\n", next[0], jac.At(0, 0))
	// Output:
	// h' = 0.462117, ∂h'/∂h = 0.393224
}

// The LSTM state is (h, c) of length 2H. With the forget bias set to 1, at
// h = 0 and no input every forget gate is σ(1), which is the ∂c'/∂c block
// of the Jacobian.
func ExampleLSTM_SetForgetBias() {
	const H = 64
	lstm := model.RandomLSTM(H, 2, 1, model.NewRNG(1, 0))
	lstm.SetForgetBias(1)
	fmt.Println(lstm.Dims(), lstm.StateVar())

	s := make([]float64, 2*H) // h = 0, c = 0
	jac := mat.NewDense(2*H, 2*H, nil)
	lstm.Jacobian(jac, s, nil)
	fmt.Printf("∂c'_0/∂c_0 = %.6f\n", jac.At(H, H))
	// Output:
	// {128 2 1} hidden h, cell c
	// ∂c'_0/∂c_0 = 0.731059
}
