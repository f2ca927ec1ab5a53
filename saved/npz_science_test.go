//go:build science

package saved

import (
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// npzPython returns a python3 that can import numpy, or skips the test.
func npzPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(p, "-c", "import numpy").Run(); err == nil {
			return p
		}
	}
	t.Skip("skipping: no python3 with numpy found (install python3-numpy to run this check against real NumPy)")
	return ""
}

// TestNPZThroughNumPy writes an .npz with an extra manifest entry, loads
// it with numpy.load, and compares NumPy's view (file list, shapes, values,
// raw extra bytes) with what was written; then has NumPy write arrays of
// several dtypes and orders with savez and savez_compressed and compares
// this package's reading with the values NumPy prints.
func TestNPZThroughNumPy(t *testing.T) {
	py := npzPython(t)
	dir := t.TempDir()
	in := []Tensor{
		{Name: "W_rec", Shape: []int{3, 2}, Data: []float64{1, -2, math.Pi, 1e-310, -0.0, math.MaxFloat64}},
		{Name: "b", Shape: []int{4}, Data: []float64{0.1, 0.2, 0.3, math.Nextafter(1, 0)}},
		{Name: "tau", Shape: []int{}, Data: []float64{10}},
		{Name: "W_rec/Adam", Shape: []int{0, 2}, Data: []float64{}},
	}
	manifest := []byte(`{"format":"attractor","version":1}`)
	path := filepath.Join(dir, "net.npz")
	if err := WriteNPZ(path, in, map[string][]byte{"manifest.json": manifest}); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys
import numpy as np
z = np.load(sys.argv[1])
out = {"files": z.files, "arrays": {}}
for k in z.files:
    v = z[k]
    if isinstance(v, bytes):
        out["extra_" + k] = v.decode()
    else:
        out["arrays"][k] = {"shape": list(v.shape), "dtype": v.dtype.str, "c": bool(v.flags.c_contiguous),
                            "data": [float(x) for x in v.ravel()]}
print(json.dumps(out))
`
	outb, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy.load: %v\n%s", err, outb)
	}
	var got struct {
		Files  []string `json:"files"`
		Arrays map[string]struct {
			Shape []int     `json:"shape"`
			DType string    `json:"dtype"`
			C     bool      `json:"c"`
			Data  []float64 `json:"data"`
		} `json:"arrays"`
		Manifest string `json:"extra_manifest.json"`
	}
	if err := json.Unmarshal(outb, &got); err != nil {
		t.Fatalf("%v\n%s", err, outb)
	}
	if want := []string{"W_rec", "b", "tau", "W_rec/Adam", "manifest.json"}; !reflect.DeepEqual(got.Files, want) {
		t.Errorf("numpy files %v, want %v", got.Files, want)
	}
	if got.Manifest != string(manifest) {
		t.Errorf("numpy read manifest.json as %q", got.Manifest)
	}
	for _, x := range in {
		a, ok := got.Arrays[x.Name]
		if !ok {
			t.Errorf("numpy did not load %s", x.Name)
			continue
		}
		if a.DType != "<f8" || !a.C || len(a.Shape) != len(x.Shape) || len(a.Data) != len(x.Data) {
			t.Errorf("%s: numpy sees %+v", x.Name, a)
			continue
		}
		if !npySameBits(a.Data, x.Data) {
			t.Errorf("%s: numpy read %v, wrote %v", x.Name, a.Data, x.Data)
		}
	}

	// NumPy writes, this package reads.
	script2 := `
import json, sys
import numpy as np
rng = np.random.default_rng(7)
arrs = {"f8": rng.standard_normal((3, 4)), "f4be": rng.standard_normal((2, 3)).astype(">f4"),
        "fort": np.asfortranarray(rng.standard_normal((2, 3, 2))), "i4": np.arange(-3, 3, dtype="<i4"),
        "f2": rng.standard_normal(5).astype("<f2"), "s": np.float64(2.5), "W/Adam_1": rng.standard_normal(2)}
np.savez(sys.argv[1], **arrs)
np.savez_compressed(sys.argv[2], **arrs)
print(json.dumps({k: {"shape": list(np.shape(v)), "data": [float(x) for x in np.ravel(np.asarray(v), order="C")]} for k, v in arrs.items()}))
`
	p1, p2 := filepath.Join(dir, "plain.npz"), filepath.Join(dir, "packed.npz")
	outb, err = exec.Command(py, "-c", script2, p1, p2).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy.savez: %v\n%s", err, outb)
	}
	var want map[string]struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	if err := json.Unmarshal(outb, &want); err != nil {
		t.Fatalf("%v\n%s", err, outb)
	}
	for _, p := range []string{p1, p2} {
		ts, err := ReadNPZ(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != len(want) {
			t.Errorf("%s: %d arrays, want %d", p, len(ts), len(want))
		}
		for _, x := range ts {
			w := want[x.Name]
			if len(x.Shape) != len(w.Shape) || len(x.Data) != len(w.Data) {
				t.Errorf("%s: %s: shape %v, want %v", p, x.Name, x.Shape, w.Shape)
				continue
			}
			if !npySameBits(x.Data, w.Data) {
				t.Errorf("%s: %s = %v, numpy %v", filepath.Base(p), x.Name, x.Data, w.Data)
			}
		}
	}
}
