package analysis

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/model"
	"attractor/saved"
)

// inputsNet is a small network with 2 inputs.
func inputsNet(t testing.TB) model.Network {
	t.Helper()
	n, _, err := saved.Open(filepath.Join("testdata", "flipflop_gru_torch8.pt"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n.Net
}

func TestReadInputs(t *testing.T) {
	net := inputsNet(t) // 3 inputs, 24 units
	dir := t.TempDir()
	good := make([]float64, 2*5*3)
	good[0], good[5*3+4] = 1, -1 // condition 1 step 0 channel 0; condition 2 step 1 channel 1
	npz := filepath.Join(dir, "trials.npz")
	x0 := make([]float64, 2*24)
	x0[24] = 0.5
	if err := saved.WriteNPZ(npz, []saved.Tensor{{Name: "inputs", Shape: []int{2, 5, 3}, DType: saved.Float64, Data: good},
		{Name: "x0", Shape: []int{2, 24}, DType: saved.Float64, Data: x0}}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := ReadInputs(npz, net, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conditions) != 2 || p.Steps(0) != 5 || p.Input(0, 0)[0] != 1 || p.Input(0, 1) != nil || p.Input(1, 1)[1] != -1 ||
		p.Conditions[1].X0[0] != 0.5 || !strings.HasPrefix(p.Source, "inputs ") {
		t.Errorf("protocol %+v", p)
	}
	npy := filepath.Join(dir, "trials.npy")
	if err := saved.WriteNPY(npy, saved.Tensor{Name: "trials", Shape: []int{2, 5, 3}, DType: saved.Float64, Data: good}); err != nil {
		t.Fatal(err)
	}
	if p, err := ReadInputs(npy, net, nil); err != nil || len(p.Conditions) != 2 {
		t.Errorf(".npy: %v", err)
	}
	nan := append([]float64(nil), good...)
	nan[7] = math.NaN()
	for _, tc := range []struct {
		name  string
		t     saved.Tensor
		field string
		want  string
	}{
		{"dim.npy", saved.Tensor{Name: "x", Shape: []int{2, 5, 2}, Data: make([]float64, 20)}, "inputs", "2 inputs per step, the network takes 3"},
		{"nan.npy", saved.Tensor{Name: "x", Shape: []int{2, 5, 3}, Data: nan}, "inputs", "condition 0, step 2, input 1 is NaN"},
		{"flat.npy", saved.Tensor{Name: "x", Shape: []int{10, 3}, Data: make([]float64, 30)}, "inputs", "want 3 dimensions"},
	} {
		name := filepath.Join(dir, tc.name)
		tc.t.DType = saved.Float64
		if err := saved.WriteNPY(name, tc.t); err != nil {
			t.Fatal(err)
		}
		_, err := ReadInputs(name, net, nil)
		var fe *saved.FileError
		if !errors.As(err, &fe) || fe.File != name || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want a FileError on %s, field %s, saying %q", tc.name, err, name, tc.field, tc.want)
		}
	}
	if _, err := ReadInputs(filepath.Join(dir, "trials.csv"), net, nil); err == nil || !strings.Contains(err.Error(), "trials.csv") {
		t.Errorf(".csv: %v", err)
	}
	bad := filepath.Join(dir, "noinputs.npz")
	if err := saved.WriteNPZ(bad, []saved.Tensor{{Name: "a", Shape: []int{1}, DType: saved.Float64, Data: []float64{1}},
		{Name: "b", Shape: []int{1}, DType: saved.Float64, Data: []float64{1}}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInputs(bad, net, nil); err == nil || !strings.Contains(err.Error(), "no array named inputs") {
		t.Errorf("no inputs array: %v", err)
	}
}

// FuzzReadInputs feeds arbitrary bytes as a .npy and an .npz file: the
// reader returns a protocol or an error, never panics, and a protocol it
// returns fits the network.
func FuzzReadInputs(f *testing.F) {
	net := inputsNet(f)
	dir := f.TempDir()
	seed := filepath.Join(dir, "seed.npy")
	if err := saved.WriteNPY(seed, saved.Tensor{Name: "x", Shape: []int{1, 2, 3}, DType: saved.Float64, Data: []float64{1, 0, 0, 0, -1, 0}}); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, false)
	seedZ := filepath.Join(dir, "seed.npz")
	if err := saved.WriteNPZ(seedZ, []saved.Tensor{{Name: "inputs", Shape: []int{1, 2, 3}, DType: saved.Float64, Data: []float64{1, 0, 0, 0, -1, 0}}}, nil); err != nil {
		f.Fatal(err)
	}
	bz, err := os.ReadFile(seedZ)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bz, true)
	f.Fuzz(func(t *testing.T, data []byte, zip bool) {
		name := filepath.Join(t.TempDir(), "f.npy")
		if zip {
			name = filepath.Join(t.TempDir(), "f.npz")
		}
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := ReadInputs(name, net, nil)
		if err != nil {
			return
		}
		for c := range p.Conditions {
			for s := range p.Steps(c) {
				if u := p.Input(c, s); u != nil && len(u) != 3 {
					t.Fatalf("condition %d step %d: %d inputs", c, s, len(u))
				}
			}
		}
		if _, err := inspectTrialsValid(net, &p); err != nil {
			t.Fatal(err)
		}
	})
}

// inspectTrialsValid runs every trial of p once.
func inspectTrialsValid(net model.Network, p *Protocol) (int, error) {
	steps := 0
	x := make([]float64, net.Dims().State)
	y := make([]float64, len(x))
	for c := range p.Conditions {
		copy(x, p.Conditions[c].X0)
		for s := range p.Steps(c) {
			net.Step(y, x, p.Input(c, s))
			x, y = y, x
			steps++
		}
	}
	return steps, nil
}
