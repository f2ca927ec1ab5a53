//go:build science

package saved

import (
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"attractor/model"
)

// TestExportLoadsInTorch exports a GRU, an LSTM and an RNN with readouts as
// .pt and loads each with real torch.load(weights_only=True) into the
// matching torch.nn module (strictly) and an nn.Linear readout, comparing a
// forward pass with ours.
func TestExportLoadsInTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skipf("%s with torch is not installed (apt-get install python3-torch): %v", py, err)
	}
	rng := model.NewRNG(12, 0)
	for _, tc := range []struct {
		net    model.Network
		module string
	}{
		{model.RandomTorchRNN(5, 3, 2, rng), "RNN"},
		{model.RandomGRU(5, 3, 2, rng), "GRU"},
		{model.RandomLSTM(5, 3, 2, rng), "LSTM"},
	} {
		name := filepath.Join(t.TempDir(), tc.module+".pt")
		if err := Export(name, &Network{Net: tc.net}, Float64); err != nil {
			t.Fatal(err)
		}
		// Our output after one step from zero state with input (1, -1, 0.5).
		d := tc.net.Dims()
		x, next := make([]float64, d.State), make([]float64, d.State)
		tc.net.Step(next, x, []float64{1, -1, 0.5})
		out := make([]float64, d.Output)
		tc.net.Output(out, next)
		script := `
import sys, torch
sd = torch.load(sys.argv[1], weights_only=True)
m = getattr(torch.nn, sys.argv[2])(3, 5).double()
m.load_state_dict({k: v for k, v in sd.items() if not k.startswith("readout.")}, strict=True)
ro = torch.nn.Linear(5, 2).double()
ro.load_state_dict({"weight": sd["readout.weight"], "bias": sd["readout.bias"]}, strict=True)
y, _ = m(torch.tensor([[[1.0, -1.0, 0.5]]], dtype=torch.float64))
print(" ".join(repr(v) for v in ro(y[0, 0]).tolist()))
`
		res, err := exec.Command(py, "-c", script, name, tc.module).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: torch could not load the export: %v\n%s", tc.module, err, res)
		}
		fields := strings.Fields(string(res))
		for i, f := range fields {
			var v float64
			if _, err := fmt.Sscan(f, &v); err != nil || math.Abs(v-out[i]) > 1e-12 {
				t.Errorf("%s: torch output %s, ours %v", tc.module, f, out[i])
			}
		}
	}
}
