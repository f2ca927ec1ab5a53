//go:build science

package saved

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ptPython returns a python3 that can import torch, or skips the test.
func ptPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if err := exec.Command(p, "-c", "import torch").Run(); err == nil {
			return p
		}
	}
	t.Skip("skipping: no python3 with torch found (install python3-torch to check WriteTorch against real PyTorch)")
	return ""
}

// ptLoadScript loads the checkpoint argv[1] with
// torch.load(weights_only=True) into torch.nn.GRU(4, 8) (strict
// load_state_dict), converts the module to argv[3], runs the fixture
// argv[2]'s input from h0, and prints as JSON the parameter and output
// differences from the fixture's float64 values, the loaded dtypes and the
// state dict's type.
const ptLoadScript = `
import json, sys, torch
path, fixture, dtype = sys.argv[1], sys.argv[2], sys.argv[3]
fx = json.load(open(fixture))
sd = torch.load(path, weights_only=True)
gru = torch.nn.GRU(4, 8)
missing = gru.load_state_dict(sd, strict=True)
dt = {"float32": torch.float32, "float64": torch.float64}[dtype]
gru = gru.to(dt)
def t(a):
    return torch.tensor(a["data"], dtype=torch.float64).reshape(a["shape"])
pdiff = max((sd[k].double() - t(v)).abs().max().item() for k, v in fx["params"].items())
with torch.no_grad():
    out, hn = gru(t(fx["input"]).to(dt), t(fx["h0"]).reshape(1, -1, 8).to(dt))
odiff = (out.double() - t(fx["output"])).abs().max().item()
print(json.dumps({"type": type(sd).__name__, "keys": list(sd.keys()),
                  "dtypes": sorted({str(v.dtype) for v in sd.values()}),
                  "param_diff": pdiff, "output_diff": odiff}))
`

// TestWriteTorchLoadsInPyTorch writes the GRU fixture's float64 parameters
// with WriteTorch (float32) and WriteTorchAs(Float64), has real PyTorch
// load each with torch.load(weights_only=True) and
// torch.nn.GRU(4, 8).load_state_dict, and compares the parameters and the
// GRU's output on the fixture's input with the fixture: float32 within
// float32 rounding (6e-8 relative to weights below 1, outputs 1e-6),
// float64 exactly and outputs at 1e-12.
func TestWriteTorchLoadsInPyTorch(t *testing.T) {
	py := ptPython(t)
	order, params := ptFixtureParams(t, "gru")
	var ts []Tensor
	for _, k := range order {
		ts = append(ts, Tensor{Name: k, Shape: params[k].Shape, Data: params[k].Data})
	}
	fixture, err := filepath.Abs("testdata/gru_forward_grad.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		dtype            DType
		maxParam, maxOut float64
	}{
		{Float32, 6e-8, 1e-6},
		{Float64, 0, 1e-12},
	} {
		name := filepath.Join(dir, string(c.dtype)+".pt")
		if err := WriteTorchAs(name, ts, c.dtype); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(py, "-c", ptLoadScript, name, fixture, string(c.dtype))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: python: %v", c.dtype, err)
		}
		var res struct {
			Type       string   `json:"type"`
			Keys       []string `json:"keys"`
			DTypes     []string `json:"dtypes"`
			ParamDiff  float64  `json:"param_diff"`
			OutputDiff float64  `json:"output_diff"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: %v in %q", c.dtype, err, out)
		}
		t.Logf("%s: torch.load gives %s %v %v; max |param - fixture| = %.3g, max |GRU output - fixture| = %.3g",
			c.dtype, res.Type, res.Keys, res.DTypes, res.ParamDiff, res.OutputDiff)
		if res.Type != "OrderedDict" || len(res.Keys) != len(order) || len(res.DTypes) != 1 || res.DTypes[0] != "torch."+string(c.dtype) {
			t.Errorf("%s: torch.load gave %s %v %v", c.dtype, res.Type, res.Keys, res.DTypes)
		}
		for i, k := range order {
			if i < len(res.Keys) && res.Keys[i] != k {
				t.Errorf("%s: key %d is %q, want %q", c.dtype, i, res.Keys[i], k)
			}
		}
		if res.ParamDiff > c.maxParam || res.OutputDiff > c.maxOut {
			t.Errorf("%s: param diff %.3g (max %.3g), output diff %.3g (max %.3g)", c.dtype, res.ParamDiff, c.maxParam, res.OutputDiff, c.maxOut)
		}
	}
}

// TestReadTorchFromPyTorch has real PyTorch save a module's state dict
// with non-contiguous and shared storages in several dtypes and compares
// ReadTorch with the values torch prints.
func TestReadTorchFromPyTorch(t *testing.T) {
	py := ptPython(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "m.pt")
	script := `
import json, sys, torch, collections
torch.manual_seed(7)
lin = torch.nn.Linear(5, 3)
sd = collections.OrderedDict()
sd["lin.weight"] = lin.weight.data
sd["lin.weight_t"] = lin.weight.data.t()
sd["half"] = torch.randn(4, 3).half()[:, 1:]
sd["bf16"] = torch.randn(2, 5).bfloat16().t()
sd["steps"] = torch.tensor(12345678901, dtype=torch.int64)
torch.save({"model": sd, "epoch": 9}, sys.argv[1])
print(json.dumps({k: v.double().reshape(-1).tolist() for k, v in sd.items()}))
`
	cmd := exec.Command(py, "-c", script, name)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want map[string][]float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	ts, err := ReadTorch(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(want) {
		t.Fatalf("%d tensors, want %d", len(ts), len(want))
	}
	for _, x := range ts {
		w := want[x.Name[len("model."):]]
		if len(w) != len(x.Data) {
			t.Fatalf("%s: %d values, want %d", x.Name, len(x.Data), len(w))
		}
		for i := range w {
			if w[i] != x.Data[i] {
				t.Fatalf("%s[%d] = %v, torch says %v", x.Name, i, x.Data[i], w[i])
			}
		}
	}
}
