package saved

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestReadNPZPsychRNN reads the PsychRNN-style np.savez fixture and compares
// its parameters with the JSON NumPy wrote alongside, bit for bit (both hold
// the same float64 values), and checks the optimizer slots come back under
// their names with '/'.
func TestReadNPZPsychRNN(t *testing.T) {
	ts, err := ReadNPZ("testdata/psychrnn_weights.npz")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/psychrnn_weights.json")
	if err != nil {
		t.Fatal(err)
	}
	var fix struct {
		Params map[string]struct {
			Shape []int     `json:"shape"`
			Data  []float64 `json:"data"`
		} `json:"params"`
		OptimizerSlots []string `json:"optimizer_slots"`
	}
	if err := json.Unmarshal(raw, &fix); err != nil {
		t.Fatal(err)
	}
	byName := map[string]Tensor{}
	var order []string
	for _, x := range ts {
		byName[x.Name] = x
		order = append(order, x.Name)
	}
	wantOrder := []string{"W_in", "W_rec", "W_out", "b_rec", "b_out", "init_state",
		"W_in/Adam", "W_rec/Adam", "W_out/Adam", "W_in/Adam_1", "W_rec/Adam_1", "W_out/Adam_1"}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("names %v, want archive order %v", order, wantOrder)
	}
	if len(fix.Params) != 6 {
		t.Fatalf("fixture has %d params", len(fix.Params))
	}
	for name, p := range fix.Params {
		got, ok := byName[name]
		if !ok {
			t.Errorf("missing %s", name)
			continue
		}
		if !reflect.DeepEqual(got.Shape, p.Shape) || got.DType != Float64 {
			t.Errorf("%s: shape %v dtype %s, want %v float64", name, got.Shape, got.DType, p.Shape)
		}
		if !npySameBits(got.Data, p.Data) {
			t.Errorf("%s: data differs from the fixture JSON", name)
		}
	}
	for _, s := range fix.OptimizerSlots {
		if _, ok := byName[s]; !ok {
			t.Errorf("optimizer slot %q listed by the fixture is missing", s)
		}
	}
}

// TestReadNPZCompressed reads an np.savez_compressed file (deflated
// entries) and compares with NumPy's values.
func TestReadNPZCompressed(t *testing.T) {
	var want map[string]npyExpected
	if err := json.Unmarshal(npyLoadExpected(t)["compressed.npz"], &want); err != nil {
		t.Fatal(err)
	}
	ts, err := ReadNPZ("testdata/numpy/compressed.npz")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(want) || len(ts) != 2 {
		t.Fatalf("%d tensors, want %d", len(ts), len(want))
	}
	for _, x := range ts {
		w := want[x.Name]
		if !reflect.DeepEqual(x.Shape, w.Shape) || !npySameBits(x.Data, w.Data) {
			t.Errorf("%s: got %v %v, want %v %v", x.Name, x.Shape, x.Data, w.Shape, w.Data)
		}
	}
}

// TestNPZRoundTrip writes tensors and an extra entry, reads them back,
// and checks the bytes are deterministic.
func TestNPZRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := []Tensor{
		{Name: "W_rec", Shape: []int{2, 2}, Data: []float64{1, 2, 3, math.Nextafter(1, 2)}},
		{Name: "b", Shape: []int{3}, Data: []float64{-1, 0, 1e-300}},
		{Name: "W_rec/Adam", Shape: []int{}, Data: []float64{42}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float64{}},
	}
	extra := map[string][]byte{"manifest.json": []byte(`{"kind":"ctrnn"}`), "notes.txt": nil}
	p1, p2 := filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")
	if err := WriteNPZ(p1, in, extra); err != nil {
		t.Fatal(err)
	}
	if err := WriteNPZ(p2, in, extra); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	if !bytes.Equal(b1, b2) {
		t.Error("two writes of the same tensors differ")
	}
	ts, ex, err := Limits{}.DecodeNPZ(p1, bytes.NewReader(b1), int64(len(b1)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(in) {
		t.Fatalf("%d tensors back, want %d", len(ts), len(in))
	}
	for i := range in {
		if ts[i].Name != in[i].Name || len(ts[i].Shape) != len(in[i].Shape) || ts[i].Len() != in[i].Len() || !npySameBits(ts[i].Data, in[i].Data) {
			t.Errorf("tensor %d: got %+v, want %+v", i, ts[i], in[i])
		}
	}
	if !reflect.DeepEqual(ex, map[string][]byte{"manifest.json": []byte(`{"kind":"ctrnn"}`), "notes.txt": {}}) {
		t.Errorf("extra entries %q", ex)
	}
	zr, err := zip.NewReader(bytes.NewReader(b1), int64(len(b1)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Store || f.Modified.Year() != 1980 {
			t.Errorf("%s: method %d time %v, want stored at 1980-01-01", f.Name, f.Method, f.Modified)
		}
	}
	if want := []string{"W_rec.npy", "b.npy", "W_rec/Adam.npy", "empty.npy", "manifest.json", "notes.txt"}; !reflect.DeepEqual(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
	for _, bad := range [][]Tensor{
		{{Name: "a", Shape: []int{1}, Data: []float64{1}}, {Name: "a", Shape: []int{1}, Data: []float64{2}}},
		{{Name: "", Shape: []int{1}, Data: []float64{1}}},
		{{Name: "manifest", Shape: []int{1}, Data: []float64{1, 2}}},
	} {
		if err := WriteNPZ(filepath.Join(dir, "bad.npz"), bad, nil); err == nil {
			t.Errorf("WriteNPZ(%v) succeeded", bad)
		}
	}
	if err := WriteNPZ(filepath.Join(dir, "bad.npz"), in[:1], map[string][]byte{"W_rec.npy": nil}); err == nil {
		t.Error("extra entry shadowing a tensor accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.npz")); !os.IsNotExist(err) {
		t.Errorf("failed writes left bad.npz: %v", err)
	}
}

// npzEntry is one entry of a hand-made zip: raw holds the stored or deflated
// bytes, and size, crc the values to declare.
type npzEntry struct {
	name   string
	method uint16
	raw    []byte
	size   uint64
	crc    uint32
}

// npzStored returns a stored entry declaring its true size and CRC-32.
func npzStored(name string, b []byte) npzEntry {
	return npzEntry{name, zip.Store, b, uint64(len(b)), crc32.ChecksumIEEE(b)}
}

// npzDeflate returns the DEFLATE compression of b.
func npzDeflate(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// npzBuild writes entries to a zip with whatever sizes they declare.
func npzBuild(t testing.TB, entries ...npzEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: e.method, CRC32: e.crc,
			CompressedSize64: uint64(len(e.raw)), UncompressedSize64: e.size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNPZHostile feeds hand-made hostile archives to the reader with small
// limits and checks every error names the archive and the entry.
func TestNPZHostile(t *testing.T) {
	good, err := os.ReadFile("testdata/numpy/f8_c.npy")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 8<<20) // 8 MiB of zeros deflate to about 8 KiB
	bomb := npzDeflate(t, zeros)
	lying := npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 4096))
	many := make([]npzEntry, 65)
	for i := range many {
		many[i] = npzStored(fmt.Sprintf("a%d.npy", i), good)
	}
	cases := []struct {
		name, field, msg string
		zip              []byte
		limit            bool
	}{
		{"lying npy in npz", "W_rec.npy", "shape: (1000000, 1000000) declares 1000000000000 elements", npzBuild(t, npzStored("W_rec.npy", lying)), false},
		{"declared size above limit", "bomb.npy", "declares 8388608 uncompressed bytes, limit 1048576",
			npzBuild(t, npzEntry{"bomb.npy", zip.Deflate, bomb, uint64(len(zeros)), crc32.ChecksumIEEE(zeros)}), true},
		{"bomb declaring a small size", "bomb.npy", "inflates to more than the 1000 bytes it declares",
			npzBuild(t, npzEntry{"bomb.npy", zip.Deflate, bomb, 1000, 0}), false},
		{"impossible declared size", "x.npy", "declares 900000 uncompressed bytes, impossible for 10 deflated bytes",
			npzBuild(t, npzEntry{"x.npy", zip.Deflate, make([]byte, 10), 900000, 0}), false},
		{"stored sizes disagree", "x.npy", "stored entry declares 224 compressed and 500 uncompressed bytes",
			npzBuild(t, npzEntry{"x.npy", zip.Store, good, 500, 0}), false},
		{"short entry", "x.npy", "inflates to fewer than the 300 bytes it declares",
			npzBuild(t, npzEntry{"x.npy", zip.Deflate, npzDeflate(t, good), 300, 0}), false},
		{"bad crc", "x.npy", "checksum", npzBuild(t, npzEntry{"x.npy", zip.Store, good, uint64(len(good)), 12345}), false},
		{"duplicate", "a.npy", "duplicate entry name", npzBuild(t, npzStored("a.npy", good), npzStored("a.npy", good)), false},
		{"too many entries", "zip", "65 entries, limit 64", npzBuild(t, many...), true},
		{"total above limit", "a4.npy", "entries declare more than 4194304 uncompressed bytes in total",
			npzBuild(t, npzStored("a0.npy", make([]byte, 1<<20)), npzStored("a1.npy", make([]byte, 1<<20)),
				npzStored("a2.npy", make([]byte, 1<<20)), npzStored("a3.npy", make([]byte, 1<<20)), npzStored("a4.npy", make([]byte, 10))), true},
		{"method", "x.npy", "unsupported compression method 12", npzBuild(t, npzEntry{"x.npy", 12, good, uint64(len(good)), 0}), false},
		{"not a zip", "zip", "not a valid zip file", good, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			_, _, err := npyTestLimits.DecodeNPZ("net.npz", bytes.NewReader(c.zip), int64(len(c.zip)))
			runtime.ReadMemStats(&ms1)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FileError", err)
			}
			want := "saved: net.npz: " + c.field + ": "
			if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q, want prefix %q and %q", err, want, c.msg)
			}
			t.Log(err)
			if errors.Is(err, ErrLimit) != c.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !c.limit, c.limit)
			}
			if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 2<<20 {
				t.Errorf("allocated %d bytes reading a hostile archive", alloc)
			}
		})
	}
}

// npzFuzzSeeds returns the .npz seeds: the fixtures and a round-trip output.
func npzFuzzSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, p := range []string{"testdata/psychrnn_weights.npz", "testdata/numpy/compressed.npz"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	var buf bytes.Buffer
	err := encodeNPZ(&buf, []Tensor{{Name: "W", Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}}, {Name: "s", Data: []float64{5}}},
		map[string][]byte{"manifest.json": []byte("{}")})
	if err != nil {
		f.Fatal(err)
	}
	out = append(out, buf.Bytes())
	small := npyRaw("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", make([]byte, 16))
	out = append(out, npzBuild(f, npzEntry{"a.npy", zip.Deflate, npzDeflate(f, small), uint64(len(small)), crc32.ChecksumIEEE(small)}))
	return append(out, npzBuild(f, npzStored("s.npy", small), npzStored("x.json", []byte("{}"))))
}

// FuzzNPZ checks that reading arbitrary bytes as an .npz never panics,
// returns only FileErrors naming the archive, and that an accepted archive
// survives a write and read unchanged.
func FuzzNPZ(f *testing.F) {
	for _, b := range npzFuzzSeeds(f) {
		f.Add(b)
	}
	lim := Limits{MaxHeaderBytes: 1 << 12, MaxEntryBytes: 1 << 16, MaxTotalBytes: 1 << 18, MaxEntries: 32}
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, extra, err := lim.DecodeNPZ("fuzz.npz", bytes.NewReader(b), int64(len(b)))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(fe.File, "fuzz.npz") {
				t.Fatalf("error %v is not a FileError naming the archive", err)
			}
			return
		}
		for _, x := range ts {
			if len(x.Data) != x.Len() {
				t.Fatalf("%s: len(Data) = %d, Len() = %d", x.Name, len(x.Data), x.Len())
			}
		}
		var buf bytes.Buffer
		if err := encodeNPZ(&buf, ts, extra); err != nil {
			// Names the writer refuses (an empty name, ".npy" alone,
			// a tensor and an extra entry colliding) are fine to refuse.
			return
		}
		back, extra2, err := Limits{}.DecodeNPZ("re.npz", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("re-reading own output: %v", err)
		}
		if len(back) != len(ts) || len(extra2) != len(extra) {
			t.Fatalf("round trip: %d tensors %d extra, want %d %d", len(back), len(extra2), len(ts), len(extra))
		}
		for i := range ts {
			if back[i].Name != ts[i].Name || !reflect.DeepEqual(back[i].Shape, ts[i].Shape) || !npySameBits(back[i].Data, ts[i].Data) {
				t.Fatalf("round trip changed %+v to %+v", ts[i], back[i])
			}
		}
	})
}

// ExampleWriteNPZ writes two tensors and a manifest entry to an .npz file
// that numpy.load can open, and reads the tensors back.
func ExampleWriteNPZ() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "net.npz")
	err = WriteNPZ(name, []Tensor{
		{Name: "W_rec", Shape: []int{2, 2}, Data: []float64{0.5, -1, 1, 0.5}},
		{Name: "b_rec", Shape: []int{2}, Data: []float64{0, 0.1}},
	}, map[string][]byte{"manifest.json": []byte(`{"kind":"rnn"}`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, err := ReadNPZ(name)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range ts {
		fmt.Println(t.Name, t.Shape, t.DType, t.Data)
	}
	// Output:
	// W_rec [2 2] float64 [0.5 -1 1 0.5]
	// b_rec [2] float64 [0 0.1]
}

// ExampleLimits reads an .npz file with a tighter bound on entry sizes; a
// zip bomb or an array declaring more is refused before it is inflated.
func ExampleLimits() {
	lim := Limits{MaxEntryBytes: 1 << 10}
	_, err := lim.ReadNPZ("testdata/psychrnn_weights.npz")
	fmt.Println(err)
	fmt.Println(errors.Is(err, ErrLimit))
	// Output:
	// saved: testdata/psychrnn_weights.npz: W_rec.npy: declares 1280 uncompressed bytes, limit 1024: limit exceeded
	// true
}
