package train

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"attractor/model"
	"attractor/saved"
)

// FuzzRunRecord feeds arbitrary run.json files to ParseRunRecord: an error
// or a record that names a clean absolute output, never a panic.
func FuzzRunRecord(f *testing.F) {
	f.Add([]byte(`{"task": "flipflop", "method": "bptt", "out": "/tmp/net.npz", "args": ["train", "flipflop", "-o", "net.npz"]}`))
	f.Add([]byte(`{"task": "dcdt", "out": "/n.npz", "out_sha256": "` + string(bytes.Repeat([]byte("ab"), 32)) + `"}`))
	f.Add([]byte(`{"task": "x", "out": "relative"}`))
	f.Add([]byte(`{"task": "x", "out": "/a/../etc/passwd"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRunRecord("run.json", b)
		if err != nil {
			return
		}
		if r.Task == "" || !filepath.IsAbs(r.Out) || filepath.Clean(r.Out) != r.Out {
			t.Fatalf("accepted %+v", r)
		}
	})
}

// FuzzRunDir feeds a run directory of arbitrary run.json, metrics.jsonl and
// checkpoint.npz to what --resume reads: errors, never a panic or a hang.
func FuzzRunDir(f *testing.F) {
	var ck bytes.Buffer
	net := &saved.Network{Net: model.RandomGRU(2, 1, 1, model.NewRNG(1, 0)),
		Manifest: saved.Manifest{Train: trainManifest("bptt", map[string]any{"lr": 0.01})},
		Extra:    []saved.Tensor{{Name: "train.done", Shape: []int{1}, DType: saved.Float64, Data: []float64{3}}}}
	if err := saved.EncodeNative(&ck, net); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"task": "flipflop", "method": "bptt", "out": "/tmp/net.npz"}`),
		[]byte("{\"step\":1,\"loss\":1,\"accuracy\":0,\"wall_s\":0.1}\n{\"resume\":0}\n{\"step\":1,\"loss\":0.5,\"accuracy\":0,\"wall_s\":0.1}\n"),
		ck.Bytes())
	f.Add([]byte(`{}`), []byte("{\"resume\":-1}\n{\"step\":"), []byte("PK\x05\x06"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, run, metrics, checkpoint []byte) {
		for name, b := range map[string][]byte{RunFile: run, MetricsFile: metrics, CheckpointFile: checkpoint} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Skip(err)
			}
		}
		if r, err := ReadRunRecord(dir); err == nil && r.Out == "" {
			t.Fatal("a record without an output")
		}
		ms, _, err := ReadMetrics(filepath.Join(dir, MetricsFile), 0)
		if err == nil {
			for i := 1; i < len(ms); i++ {
				_ = ms[i].Step
			}
		}
		var cfg map[string]any
		if c, err := loadCheckpoint(filepath.Join(dir, CheckpointFile), "bptt", &cfg); err == nil && (c.net == nil || c.done < 0) {
			t.Fatalf("checkpoint read as %+v", c)
		}
	})
}
