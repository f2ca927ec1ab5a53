//go:build science

package saved

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNativeOpensInNumPy checks that a Python user gets every array by name
// and the manifest from numpy.load, with Debian's python3-numpy (installed
// by .ci/run).
func TestNativeOpensInNumPy(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skipf("%s with numpy is not installed (apt-get install python3-numpy): %v", py, err)
	}
	dir := t.TempDir()
	for _, net := range testNetworks(t) {
		name := filepath.Join(dir, string(net.Family())+".npz")
		if err := WriteNative(name, &Network{Net: net}); err != nil {
			t.Fatal(err)
		}
		want, _, err := encodeNative(&Network{Net: net})
		if err != nil {
			t.Fatal(err)
		}
		script := `
import json, sys, numpy as np
d = np.load(sys.argv[1])
m = json.loads(bytes(d["manifest.json"]))
names = sorted(k for k in d.files if k != "manifest.json")
print(m["family"], m["dims"]["State"], " ".join(f"{k}:{d[k].dtype}:{'x'.join(map(str, d[k].shape))}:{float(np.sum(d[k])):.12g}" for k in names))
`
		out, err := exec.Command(py, "-c", script, name).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: numpy.load failed: %v\n%s", net.Family(), err, out)
		}
		fields := strings.Fields(string(out))
		if fields[0] != string(net.Family()) {
			t.Errorf("numpy sees family %q, want %q", fields[0], net.Family())
		}
		if len(fields)-2 != len(want) {
			t.Errorf("%s: numpy sees %d arrays, wrote %d: %s", net.Family(), len(fields)-2, len(want), out)
		}
		for _, f := range fields[2:] {
			if !strings.Contains(f, ":float64:") {
				t.Errorf("%s: array %s is not float64", net.Family(), f)
			}
		}
	}
}
