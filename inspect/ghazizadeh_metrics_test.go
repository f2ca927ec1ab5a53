package inspect

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// TestTrainedConnectivityNorm checks ‖J_T − gJ‖_F against the trace
// identity ‖F Oᵀ‖_F² = tr((FᵀF)(OᵀO)) with F = [W_f W_fd], O = [W_o W_d],
// computed without forming any N×N matrix.
func TestTrainedConnectivityNorm(t *testing.T) {
	rng := model.NewRNG(3, 0)
	net, err := model.RandomGhazizadeh(30, 0.3, 1.4, 2, rng)
	if err != nil {
		t.Fatal(err)
	}
	net.WO = mat.NewDense(30, 1, model.NormalVector(30, 0.2, rng))
	net.WD = mat.NewDense(30, 2, model.NormalVector(60, 0.3, rng))
	var f, o mat.Dense
	f.Augment(net.WF, net.WFD)
	o.Augment(net.WO, net.WD)
	var ff, oo, p mat.Dense
	ff.Mul(f.T(), &f)
	oo.Mul(o.T(), &o)
	p.Mul(&ff, &oo)
	want := math.Sqrt(mat.Trace(&p))
	if got := TrainedConnectivityNorm(net); math.Abs(got-want) > 1e-12*want || want == 0 {
		t.Errorf("‖J_T − gJ‖_F = %v, want %v", got, want)
	}
	net.WO.Zero()
	net.WD.Zero()
	if got := TrainedConnectivityNorm(net); got > 1e-12 {
		t.Errorf("untrained readouts: ‖J_T − gJ‖_F = %v, want 0", got)
	}
}

// TestSaturationRatioAndBand checks the saturation ratio on a decoupled
// network whose rates are known in closed form, the peak-time order and the
// band means of a permuted matrix.
func TestSaturationRatioAndBand(t *testing.T) {
	// J = 0, no feedback or input: x(t) = 0.9^t x(0) under Euler steps of
	// 0.1 τ; over the first step r = tanh(0.9 x(0)).
	net, err := model.NewCTRNN(model.CTRNNParams{G: 1, J: model.NewDenseRecurrent(mat.NewDense(4, 4, nil)),
		WO: mat.NewDense(4, 1, nil), Tau: 1, DT: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	x0 := []float64{5, 0.1, -5, 0.5} // tanh(0.9 x0) = 0.9998, 0.09, −0.9998, 0.42
	tr := Trial{X0: x0, Inputs: make([][]float64, 20), Delay: StepWindow{0, 1}, Score: StepWindow{19, 20}}
	got, err := SaturationRatio(context.Background(), net, []Trial{tr}, nil, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if got != 0.5 {
		t.Errorf("saturation ratio %v, want 0.5 (2 of 4 neurons)", got)
	}
	// |r_i| decays from t = 0 for every neuron: all peak at step 0, and
	// the stable sort keeps index order.
	order, err := PeakTimeOrder(context.Background(), net, []Trial{tr})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range order {
		if o != i {
			t.Fatalf("peak-time order %v, want identity", order)
		}
	}
	// M[i][j] = 10·i + j under order (2, 0, 1): superdiagonal c of the
	// permuted matrix.
	m := mat.NewDense(3, 3, []float64{0, 1, 2, 10, 11, 12, 20, 21, 22})
	band := DiagonalBand(m, []int{2, 0, 1})
	want := []float64{(22 + 0 + 11) / 3.0, (20 + 1) / 2.0, 21}
	for c := range want {
		if band[c] != want[c] {
			t.Errorf("band %v, want %v", band, want)
			break
		}
	}
}
