package saved

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

// testNetworks returns one small network of every family with a codec.
func testNetworks(t *testing.T) []model.Network {
	t.Helper()
	rng := model.NewRNG(1, 0)
	ct, err := model.RandomGhazizadeh(12, 0.5, 1.2, 5, rng)
	if err != nil {
		t.Fatal(err)
	}
	pats := model.RandomPatterns(20, 3, rng)
	hop, err := model.NewHopfield(pats, model.DefaultHopfieldConfig())
	if err != nil {
		t.Fatal(err)
	}
	gated, err := model.RandomGated(pats, model.DefaultGatedConfig(), rng)
	if err != nil {
		t.Fatal(err)
	}
	trnn, err := model.RandomTRNN(30, 2, 2, model.DefaultTRNNConfig(), rng)
	if err != nil {
		t.Fatal(err)
	}
	return []model.Network{
		ct,
		model.RandomKurtkaya(10, 2, 2, rng),
		model.RandomLowRank(10, 2, rng),
		trnn,
		model.RandomTorchRNN(6, 3, 2, rng),
		model.RandomGRU(6, 3, 2, rng),
		model.RandomLSTM(6, 3, 0, rng),
		hop,
		gated,
	}
}

// sameDynamics asserts that a and b give identical steps and outputs.
func sameDynamics(t *testing.T, a, b model.Network) {
	t.Helper()
	d := a.Dims()
	if b.Dims() != d || a.Family() != b.Family() || a.StateVar() != b.StateVar() {
		t.Fatalf("%s: read back %v %s %v, wrote %v %s %v", a.Family(), b.Dims(), b.Family(), b.StateVar(), d, a.Family(), a.StateVar())
	}
	rng := model.NewRNG(9, 0)
	x := make([]float64, d.State)
	for i := range x {
		x[i] = 0.5 * rng.Norm()
	}
	var u []float64
	if d.Input > 0 {
		u = make([]float64, d.Input)
		for i := range u {
			u[i] = rng.Norm()
		}
	}
	sa, sb := make([]float64, d.State), make([]float64, d.State)
	a.Step(sa, x, u)
	b.Step(sb, x, u)
	for i := range sa {
		if sa[i] != sb[i] {
			t.Fatalf("%s: step differs at %d: %v vs %v", a.Family(), i, sa[i], sb[i])
		}
	}
	if d.Output > 0 {
		oa, ob := make([]float64, d.Output), make([]float64, d.Output)
		a.Output(oa, x)
		b.Output(ob, x)
		for i := range oa {
			if oa[i] != ob[i] {
				t.Fatalf("%s: output differs at %d", a.Family(), i)
			}
		}
	}
}

func TestNativeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	seed := uint64(42)
	for _, net := range testNetworks(t) {
		name := filepath.Join(dir, string(net.Family())+".npz")
		in := &Network{Net: net, Manifest: Manifest{Seed: &seed, Program: Program{Version: "test"},
			History: []HistoryPoint{{Step: 10, Loss: 0.5, Accuracy: 0.75}}},
			Extra: []Tensor{{Name: "inits", Shape: []int{1, 2}, DType: Float64, Data: []float64{1, 2}}}}
		if err := WriteNative(name, in); err != nil {
			t.Fatalf("%s: %v", net.Family(), err)
		}
		out, err := ReadNative(name)
		if err != nil {
			t.Fatalf("%s: %v", net.Family(), err)
		}
		sameDynamics(t, net, out.Net)
		m := out.Manifest
		if m.Schema != SchemaVersion || *m.Seed != 42 || m.Program.Version != "test" || len(m.History) != 1 || m.History[0].Accuracy != 0.75 {
			t.Errorf("%s: manifest read back as %+v", net.Family(), m)
		}
		if len(out.Extra) != 1 || out.Extra[0].Name != "inits" {
			t.Errorf("%s: extra arrays %v", net.Family(), out.Extra)
		}
		// Writing again gives the same bytes.
		var b1, b2 bytes.Buffer
		if err := EncodeNative(&b1, in); err != nil {
			t.Fatal(err)
		}
		if err := EncodeNative(&b2, out); err != nil {
			t.Fatal(err)
		}
		disk, _ := os.ReadFile(name)
		if !bytes.Equal(b1.Bytes(), disk) || !bytes.Equal(b2.Bytes(), disk) {
			t.Errorf("%s: re-encoding does not give the same bytes", net.Family())
		}
	}
}

func TestNativeNaNWeightsFlagged(t *testing.T) {
	rng := model.NewRNG(3, 0)
	net, _ := model.RandomGhazizadeh(10, 0.5, 1.2, 5, rng)
	net.WO.Set(3, 0, math.NaN())
	name := filepath.Join(t.TempDir(), "diverged.npz")
	if err := WriteNative(name, &Network{Net: net}); err != nil {
		t.Fatal(err)
	}
	out, err := ReadNative(name)
	if err != nil {
		t.Fatalf("a diverged network must still load: %v", err)
	}
	if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "W_o") || !strings.Contains(out.Warnings[0], "diverged.npz") {
		t.Errorf("warnings %q should name the file and W_o", out.Warnings)
	}
	if !math.IsNaN(out.Net.(*model.CTRNN).WO.At(3, 0)) {
		t.Error("the NaN weight was not kept")
	}
}

func TestNativeRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	// An npz without a manifest.
	plain := filepath.Join(dir, "plain.npz")
	if err := WriteNPZ(plain, []Tensor{{Name: "J", Shape: []int{2, 2}, DType: Float64, Data: make([]float64, 4)}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadNative(plain); err == nil || !strings.Contains(err.Error(), "plain.npz") || !strings.Contains(err.Error(), "manifest") {
		t.Errorf("no manifest: %v", err)
	}
	cases := map[string]string{
		"future.npz":  `{"schema": 99, "family": "ctrnn"}`,
		"unknown.npz": `{"schema": 1, "family": "transformer"}`,
		"badhyp.npz":  `{"schema": 1, "family": "ctrnn", "hyper": {"dt": "fast"}}`,
		"nojson.npz":  `{"schema": `,
		"missing.npz": `{"schema": 1, "family": "gru"}`,
	}
	want := map[string]string{"future.npz": "schema", "unknown.npz": "transformer", "badhyp.npz": "dt",
		"nojson.npz": ManifestEntry, "missing.npz": "weight_hh_l0"}
	for file, js := range cases {
		name := filepath.Join(dir, file)
		j := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
		if err := WriteNPZ(name, []Tensor{matTensor("J", j)}, map[string][]byte{ManifestEntry: []byte(js)}); err != nil {
			t.Fatal(err)
		}
		_, err := ReadNative(name)
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), want[file]) {
			t.Errorf("%s: error %v should name the file and %q", file, err, want[file])
		}
	}
}

func TestEndState(t *testing.T) {
	net := testNetworks(t)[0]
	n := net.Dims().State
	vec := func(v []float64) Tensor {
		return Tensor{Name: EndStateName, Shape: []int{len(v)}, DType: Float64, Data: v}
	}
	good := make([]float64, n)
	for i := range good {
		good[i] = float64(i)
	}
	bad := append([]float64(nil), good...)
	bad[n/2] = math.NaN()
	for _, tc := range []struct {
		name  string
		extra []Tensor
		want  []float64
	}{
		{"none", nil, nil},
		{"other array", []Tensor{{Name: "inits", Shape: []int{n}, DType: Float64, Data: good}}, nil},
		{"wrong size", []Tensor{vec(good[:n-1])}, nil},
		{"not finite", []Tensor{vec(bad)}, nil},
		{"present", []Tensor{vec(good)}, good},
	} {
		nw := &Network{Net: net, Extra: tc.extra}
		got := nw.EndState()
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if got != nil {
			got[0] = -1
			if nw.Extra[0].Data[0] == -1 {
				t.Errorf("%s: EndState aliases the file's array", tc.name)
			}
		}
	}
}
