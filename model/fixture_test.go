package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// fixArray is one array of a PyTorch fixture: its shape and row-major data.
type fixArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// fixture is a forward/gradient fixture of testdata/*_forward_grad.json.
type fixture struct {
	Kind       string              `json:"kind"`
	InputSize  int                 `json:"input_size"`
	HiddenSize int                 `json:"hidden_size"`
	OutputSize int                 `json:"output_size"`
	SeqLen     int                 `json:"seq_len"`
	Batch      int                 `json:"batch"`
	Alpha      float64             `json:"alpha"`
	Params     map[string]fixArray `json:"params"`
	Grads      map[string]fixArray `json:"grads"`
	Input      fixArray            `json:"input"`
	H0         fixArray            `json:"h0"`
	C0         fixArray            `json:"c0"`
	R0         fixArray            `json:"r0"`
	Output     fixArray            `json:"output"`
	Rates      fixArray            `json:"rates"`
	HN         fixArray            `json:"h_n"`
	CN         fixArray            `json:"c_n"`
}

// loadFixture reads testdata/name.
func loadFixture(t testing.TB, name string) *fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &f
}

// relClose reports whether got and want agree to tol relative to
// max(1, |want|).
func relClose(got, want, tol float64) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	s := want
	if s < 0 {
		s = -s
	}
	if s < 1 {
		s = 1
	}
	return d <= tol*s
}
