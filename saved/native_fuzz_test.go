package saved

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"attractor/model"
)

// FuzzManifest feeds arbitrary manifests to the native reader: every input
// is refused with an error or decoded into a network, never a panic.
func FuzzManifest(f *testing.F) {
	net := model.RandomGRU(3, 2, 1, model.NewRNG(1, 0))
	var buf bytes.Buffer
	if err := EncodeNative(&buf, &Network{Net: net}); err != nil {
		f.Fatal(err)
	}
	_, extra, err := DefaultLimits.DecodeNPZ("seed", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(extra[ManifestEntry])
	f.Add([]byte(`{"schema": 1, "family": "ctrnn", "hyper": {"g": "+Inf", "dt": -1}}`))
	f.Add([]byte(`{"schema": 1, "family": "gated", "hyper": {"gamma": "+Inf", "form": "patterns"}}`))
	f.Add([]byte(`{"schema": 1, "family": "trnn", "hyper": {"modules": 1e300}}`))
	tensors, _, _ := encodeNative(&Network{Net: net})
	f.Fuzz(func(t *testing.T, manifest []byte) {
		var b bytes.Buffer
		if err := encodeNPZ(&b, tensors, map[string][]byte{ManifestEntry: manifest}); err != nil {
			return
		}
		n, err := DefaultLimits.DecodeNative("fuzz.npz", bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err == nil && n.Net == nil {
			t.Fatal("no error and no network")
		}
	})
}

// FuzzOpen feeds arbitrary files to Open, which detects the format by
// content and infers the family: an error or a network, never a panic.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"gru_state_dict.pt", "psychrnn_weights.npz", "leaky_rnn_state_dict.pt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var buf bytes.Buffer
	EncodeNative(&buf, &Network{Net: model.RandomLSTM(2, 1, 1, model.NewRNG(2, 0))})
	f.Add(buf.Bytes())
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Join(dir, "in")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Skip(err)
		}
		n, _, err := Open(name, &OpenOptions{Limits: Limits{MaxEntryBytes: 1 << 22, MaxTotalBytes: 1 << 24}})
		if err == nil && n.Net == nil {
			t.Fatal("no error and no network")
		}
	})
}
