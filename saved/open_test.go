package saved

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
)

type fixJSON struct {
	Params map[string]struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	} `json:"params"`
}

func readFixJSON(t *testing.T, name string) fixJSON {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var f fixJSON
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOpenTorchFixtures opens every real torch.save fixture, checks the
// inferred family and compares every parameter with its JSON twin at 1e-6
// (the .pt files are float32).
func TestOpenTorchFixtures(t *testing.T) {
	for _, tc := range []struct {
		pt, js string
		fam    model.Family
		params map[string]string // JSON name → codec tensor name
	}{
		{"rnn_tanh_state_dict.pt", "rnn_tanh_forward_grad.json", model.FamilyTorchRNN, nil},
		{"gru_state_dict.pt", "gru_forward_grad.json", model.FamilyGRU, nil},
		{"lstm_state_dict.pt", "lstm_forward_grad.json", model.FamilyLSTM, nil},
		{"leaky_rnn_state_dict.pt", "leaky_rnn_forward_grad.json", model.FamilyLeaky, nil},
	} {
		n, format, err := Open(filepath.Join("testdata", tc.pt), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.pt, err)
		}
		if format != FormatTorch || n.Net.Family() != tc.fam {
			t.Fatalf("%s: opened as %s %s, want %s %s", tc.pt, format, n.Net.Family(), FormatTorch, tc.fam)
		}
		enc, _, err := codecs[tc.fam].encode(n.Net)
		if err != nil {
			t.Fatal(err)
		}
		got := newTensorSet(enc)
		want := readFixJSON(t, tc.js)
		for name, p := range want.Params {
			g, ok := got[name]
			if !ok {
				t.Errorf("%s: parameter %s not read", tc.pt, name)
				continue
			}
			for i, v := range p.Data {
				if math.Abs(g.Data[i]-v) > 1e-6*math.Max(1, math.Abs(v)) {
					t.Fatalf("%s: %s[%d] = %v, JSON %v", tc.pt, name, i, g.Data[i], v)
				}
			}
		}
	}
}

// TestOpenPsychRNN reads the PsychRNN-style npz: weights taken, optimiser
// slots ignored, the ReLU CT network built.
func TestOpenPsychRNN(t *testing.T) {
	n, format, err := Open(filepath.Join("testdata", "psychrnn_weights.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ct, ok := n.Net.(*model.CTRNN)
	if format != FormatNPZ || !ok || ct.Phi != model.CTRNNReLU {
		t.Fatalf("opened as %s %T", format, n.Net)
	}
	want := readFixJSON(t, "psychrnn_weights.json")
	wrec := want.Params["W_rec"]
	for i := 0; i < 12; i++ {
		for j := 0; j < 12; j++ {
			if ct.J.At(i, j) != wrec.Data[i*12+j] {
				t.Fatalf("J[%d,%d] = %v, W_rec %v", i, j, ct.J.At(i, j), wrec.Data[i*12+j])
			}
		}
	}
	wout := want.Params["W_out"]
	if ct.WO.At(3, 1) != wout.Data[1*12+3] {
		t.Errorf("W_o is not W_outᵀ")
	}
	notes := strings.Join(n.Manifest.Notes, "\n")
	if !strings.Contains(notes, "W_rec/Adam") || !strings.Contains(notes, "0.1") {
		t.Errorf("notes %q should list the ignored optimiser slots and the assumed α", notes)
	}
	if len(n.Extra) != 1 || n.Extra[0].Name != "init_state" {
		t.Errorf("extra arrays %v, want init_state", n.Extra)
	}
}

// TestOpenFixedPointProblem reads the peer fixed-point script's npz (J, dt,
// inits), as attractor inspect must.
func TestOpenFixedPointProblem(t *testing.T) {
	name := filepath.Join(t.TempDir(), "fp.npz")
	j := mat.NewDense(3, 3, []float64{0, 1, 0, -1, 0, 0, 0, 0, 0.5})
	inits := Tensor{Name: "inits", Shape: []int{2, 3}, DType: Float64, Data: []float64{1, 2, 3, 4, 5, 6}}
	dt := Tensor{Name: "dt", Shape: []int{}, DType: Float64, Data: []float64{0.05}}
	if err := WriteNPZ(name, []Tensor{matTensor("J", j), dt, inits}, nil); err != nil {
		t.Fatal(err)
	}
	n, _, err := Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	ct := n.Net.(*model.CTRNN)
	if ct.DT != 0.05 || ct.G != 1 || ct.J.At(1, 0) != -1 {
		t.Errorf("network dt %v g %v J[1,0] %v", ct.DT, ct.G, ct.J.At(1, 0))
	}
	if len(n.Extra) != 1 || n.Extra[0].Name != "inits" || n.Extra[0].Shape[0] != 2 {
		t.Errorf("inits not kept: %v", n.Extra)
	}
}

// TestOpenSafetensorsAndAmbiguity writes a GRU state dict with two
// candidate readouts as safetensors: Open must refuse, list both, and
// accept --map readout=NAME.
func TestOpenSafetensorsAndAmbiguity(t *testing.T) {
	rng := model.NewRNG(4, 0)
	g := model.RandomGRU(5, 2, 3, rng)
	ts, _, _ := encodeTorch(g)
	var st []Tensor
	for _, t := range ts {
		switch t.Name {
		case model.ParamWOut:
			t.Name = "fc.weight"
		case model.ParamBOut:
			t.Name = "fc.bias"
		default:
			t.Name = "rnn." + t.Name
		}
		st = append(st, t)
	}
	st = append(st, Tensor{Name: "probe.weight", Shape: []int{4, 5}, DType: Float64, Data: make([]float64, 20)})
	name := filepath.Join(t.TempDir(), "gru.safetensors")
	if err := WriteSafetensors(name, st, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err := Open(name, nil)
	if err == nil || !strings.Contains(err.Error(), "fc.weight") || !strings.Contains(err.Error(), "probe.weight") || !strings.Contains(err.Error(), "--map readout=") {
		t.Fatalf("ambiguous readout: %v", err)
	}
	n, format, err := Open(name, &OpenOptions{Map: map[string]string{"readout": "fc.weight"}})
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatSafetensors || n.Net.Family() != model.FamilyGRU {
		t.Fatalf("opened as %s %s", format, n.Net.Family())
	}
	sameDynamics(t, g, n.Net)
	if _, _, err := Open(name, &OpenOptions{Map: map[string]string{"readout": "nope"}}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("bad --map: %v", err)
	}
}

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"empty.bin":  {},
		"text.txt":   []byte("hello, world\n"),
		"single.npy": nil,
	}
	WriteNPY(filepath.Join(dir, "single.npy"), Tensor{Name: "x", Shape: []int{2}, DType: Float64, Data: []float64{1, 2}})
	for name, b := range cases {
		p := filepath.Join(dir, name)
		if b != nil {
			os.WriteFile(p, b, 0o644)
		}
		_, _, err := Open(p, nil)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
	if _, _, err := Open(dir, nil); err == nil {
		t.Error("a directory opened")
	}
	// A native file is detected by content whatever its name.
	net := model.RandomGRU(3, 1, 1, model.NewRNG(1, 0))
	p := filepath.Join(dir, "looks_like.pt")
	if err := WriteNative(p, &Network{Net: net}); err != nil {
		t.Fatal(err)
	}
	if _, format, err := Open(p, nil); err != nil || format != FormatNative {
		t.Errorf("native file named .pt: %s %v", format, err)
	}
}

// TestExportRoundTrips exports every family to .safetensors and .npz and
// opens the result: same dynamics; a .pt export of a torch family opens as
// the same family.
func TestExportRoundTrips(t *testing.T) {
	dir := t.TempDir()
	for _, net := range testNetworks(t) {
		for _, ext := range []string{".safetensors", ".npz"} {
			name := filepath.Join(dir, string(net.Family())+ext)
			if err := Export(name, &Network{Net: net}, ""); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			n, _, err := Open(name, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sameDynamics(t, net, n.Net)
		}
	}
	g := model.RandomGRU(6, 3, 2, model.NewRNG(2, 0))
	name := filepath.Join(dir, "gru.pt")
	if err := Export(name, &Network{Net: g}, Float64); err != nil {
		t.Fatal(err)
	}
	n, _, err := Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameDynamics(t, g, n.Net)
	if err := Export(filepath.Join(dir, "x.h5"), &Network{Net: g}, ""); err == nil || !strings.Contains(err.Error(), ".h5") {
		t.Errorf("unknown extension: %v", err)
	}
}
