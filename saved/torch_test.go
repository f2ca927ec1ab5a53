package saved

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ptArray is one array of a fixture JSON file.
type ptArray struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// ptFixtureParams returns the "params" of the fixture testdata/<name>_forward_grad.json
// in file order.
func ptFixtureParams(t testing.TB, name string) ([]string, map[string]ptArray) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+"_forward_grad.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	params := map[string]ptArray{}
	if err := json.Unmarshal(doc.Params, &params); err != nil {
		t.Fatal(err)
	}
	// Key order as in the file.
	dec := json.NewDecoder(bytes.NewReader(doc.Params))
	var order []string
	dec.Token() // {
	for dec.More() {
		k, _ := dec.Token()
		order = append(order, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	return order, params
}

// TestReadTorchFixtures reads the state dicts real PyTorch 1.13 saved
// (torch.save(module.float().state_dict())) and compares names, order and
// shapes exactly, and values at 1e-6 relative, with the float64 parameters
// in the JSON twin written by the same script.
func TestReadTorchFixtures(t *testing.T) {
	for _, name := range []string{"rnn_tanh", "gru", "lstm", "leaky_rnn"} {
		t.Run(name, func(t *testing.T) {
			order, params := ptFixtureParams(t, name)
			ts, err := ReadTorch(filepath.Join("testdata", name+"_state_dict.pt"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range ts {
				got = append(got, x.Name)
			}
			if !reflect.DeepEqual(got, order) {
				t.Fatalf("names %q, want %q", got, order)
			}
			worst := 0.0
			for _, x := range ts {
				want := params[x.Name]
				if !reflect.DeepEqual(x.Shape, want.Shape) || x.DType != Float32 || len(x.Data) != x.Len() {
					t.Fatalf("%s: shape %v dtype %s len %d, want %v float32", x.Name, x.Shape, x.DType, len(x.Data), want.Shape)
				}
				for i, v := range x.Data {
					w := want.Data[i]
					rel := math.Abs(v-w) / math.Max(math.Abs(w), 1e-30)
					if math.Abs(v-w) > 1e-6*math.Abs(w) && math.Abs(v-w) > 1e-12 {
						t.Fatalf("%s[%d] = %.9g, want %.9g", x.Name, i, v, w)
					}
					if v != float64(float32(w)) {
						t.Fatalf("%s[%d] = %.9g is not float32(%.17g)", x.Name, i, v, w)
					}
					worst = math.Max(worst, rel)
				}
			}
			t.Logf("%d tensors, max relative error vs float64 JSON %.3g", len(ts), worst)
		})
	}
}

// ptExtraEntry is one tensor of testdata/torch_extra.json.
type ptExtraEntry struct {
	Name  string    `json:"name"`
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// TestReadTorchExtra reads checkpoints real PyTorch wrote for this test
// (testdata/make_torch_extra.py): strided views sharing a storage, storage
// offsets, stride 0, permuted dims, ten element types, a training
// checkpoint with nested state dicts, optimizer state and plain values,
// pickle protocols 4 and 5, an nn.Parameter, a bare tensor and an archive
// without 64-byte alignment; names, dtypes, shapes and values must equal
// what torch reported exactly.
func TestReadTorchExtra(t *testing.T) {
	b, err := os.ReadFile("testdata/torch_extra.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]ptExtraEntry
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) < 8 {
		t.Fatalf("torch_extra.json lists %d files", len(want))
	}
	dtypes := map[string]DType{"float32": Float32, "float64": Float64, "float16": Float16, "bfloat16": BFloat16,
		"int64": Int64, "int32": Int32, "int16": ptInt16, "int8": ptInt8, "uint8": ptUint8, "bool": ptBool}
	for file, entries := range want {
		t.Run(file, func(t *testing.T) {
			ts, err := ReadTorch(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != len(entries) {
				t.Fatalf("%d tensors, want %d", len(ts), len(entries))
			}
			for i, w := range entries {
				g := ts[i]
				if g.Name != w.Name || g.DType != dtypes[w.DType] || !reflect.DeepEqual(g.Shape, append([]int{}, w.Shape...)) {
					t.Fatalf("tensor %d: %s %s %v, want %s %s %v", i, g.Name, g.DType, g.Shape, w.Name, w.DType, w.Shape)
				}
				if !reflect.DeepEqual(g.Data, append([]float64{}, w.Data...)) {
					t.Fatalf("%s: data %v, want %v", g.Name, g.Data, w.Data)
				}
			}
		})
	}
}

// TestReadTorchCheckpointNames pins the naming policy for a training
// checkpoint: dotted paths, non-tensor values skipped, order kept.
func TestReadTorchCheckpointNames(t *testing.T) {
	ts, err := ReadTorch("testdata/torch_checkpoint.pt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range ts {
		names = append(names, x.Name)
	}
	want := []string{
		"model_state_dict.weight_ih_l0", "model_state_dict.weight_hh_l0",
		"model_state_dict.bias_ih_l0", "model_state_dict.bias_hh_l0",
		"optimizer_state_dict.state.0.step", "optimizer_state_dict.state.0.exp_avg", "optimizer_state_dict.state.0.exp_avg_sq",
	}
	if len(names) < len(want) || !reflect.DeepEqual(names[:len(want)], want) {
		t.Fatalf("names %q, want to start with %q", names, want)
	}
	if last := names[len(names)-1]; last != "hist.0" {
		t.Errorf("last name %q, want hist.0", last)
	}
}

// TestReadTorchLegacy checks that a checkpoint in the pre-1.6 format,
// written by real PyTorch, is refused with the conversion recipe.
func TestReadTorchLegacy(t *testing.T) {
	_, err := ReadTorch("testdata/torch_legacy.pt")
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != "testdata/torch_legacy.pt" || !strings.Contains(err.Error(), "torch.save(torch.load(") {
		t.Fatalf("err = %v, want a FileError with the conversion recipe", err)
	}
}

// TestTorchRoundTrip writes tensors with WriteTorchAs in every dtype and
// reads them back: names, order and shapes exact, values equal to the
// dtype's rounding of the input (computed by the float32 conversion of Go
// and the half-precision converters).
func TestTorchRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "W_rec.weight", Shape: []int{3, 2}, Data: []float64{1, -2, math.Pi, 1e-30, -0.0, 65504}},
		{Name: "b", Shape: []int{4}, Data: []float64{0.1, 0.2, 0.3, math.Nextafter(1, 0)}},
		{Name: "tau", Shape: []int{}, Data: []float64{10}},
		{Name: "empty", Shape: []int{0, 2}, Data: []float64{}},
		{Name: "x", Shape: []int{2, 1, 2, 2}, Data: []float64{1, 2, 3, 4, 5, 6, 7, 8}},
		{Name: "nan", Shape: []int{3}, Data: []float64{math.NaN(), math.Inf(1), math.Inf(-1)}},
		{Name: "ünïcode", Shape: []int{1}, Data: []float64{1}},
	}
	round := map[DType]func(float64) float64{
		Float32:  func(v float64) float64 { return float64(float32(v)) },
		Float64:  func(v float64) float64 { return v },
		Float16:  func(v float64) float64 { return Float16ToFloat64(Float64ToFloat16(v)) },
		BFloat16: func(v float64) float64 { return BFloat16ToFloat64(Float64ToBFloat16(v)) },
	}
	dir := t.TempDir()
	for dt, rnd := range round {
		name := filepath.Join(dir, string(dt)+".pt")
		if err := WriteTorchAs(name, in, dt); err != nil {
			t.Fatal(err)
		}
		out, err := ReadTorch(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(in) {
			t.Fatalf("%s: %d tensors, want %d", dt, len(out), len(in))
		}
		for i := range in {
			g, w := out[i], in[i]
			if g.Name != w.Name || g.DType != dt || !reflect.DeepEqual(g.Shape, append([]int{}, w.Shape...)) {
				t.Fatalf("%s: tensor %d is %s %s %v, want %s %s %v", dt, i, g.Name, g.DType, g.Shape, w.Name, dt, w.Shape)
			}
			for j, v := range w.Data {
				r := rnd(v)
				if math.Float64bits(g.Data[j]) != math.Float64bits(r) && !(math.IsNaN(r) && math.IsNaN(g.Data[j])) {
					t.Fatalf("%s: %s[%d] = %v, want %v", dt, g.Name, j, g.Data[j], r)
				}
			}
		}
	}
	// WriteTorch is float32.
	name := filepath.Join(dir, "default.pt")
	if err := WriteTorch(name, in); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(name)
	b, _ := os.ReadFile(filepath.Join(dir, "float32.pt"))
	if !bytes.Equal(a, b) {
		t.Error("WriteTorch differs from WriteTorchAs(Float32)")
	}
}

// TestWriteTorchLayout checks the archive WriteTorch writes: deterministic
// bytes, the entry names and contents torch.save writes, stored entries
// whose data start at multiples of 64 bytes, and the fixture's values
// unchanged through a write and read.
func TestWriteTorchLayout(t *testing.T) {
	ts, err := ReadTorch("testdata/gru_state_dict.pt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n1, n2 := filepath.Join(dir, "a.pt"), filepath.Join(dir, "b.pt")
	if err := WriteTorch(n1, ts); err != nil {
		t.Fatal(err)
	}
	if err := WriteTorch(n2, ts); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(n1)
	b2, _ := os.ReadFile(n2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("two writes of the same tensors differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(b1), int64(len(b1)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		if off%64 != 0 || f.Method != zip.Store {
			t.Errorf("%s: data at offset %d (method %d), want a stored entry at a multiple of 64", f.Name, off, f.Method)
		}
		rc, _ := f.Open()
		var body bytes.Buffer
		body.ReadFrom(rc)
		rc.Close()
		switch f.Name {
		case "archive/version":
			if body.String() != "3\n" {
				t.Errorf("version %q", body.String())
			}
		case "archive/byteorder":
			if body.String() != "little" {
				t.Errorf("byteorder %q", body.String())
			}
		case "archive/data/1":
			// weight_hh_l0, little-endian float32, row-major.
			x := ts[1]
			for i, v := range x.Data {
				if got := math.Float32frombits(binary.LittleEndian.Uint32(body.Bytes()[4*i:])); float64(got) != v {
					t.Fatalf("data/1[%d] = %v, want %v", i, got, v)
				}
			}
		}
	}
	want := []string{"archive/data.pkl", "archive/data/0", "archive/data/1", "archive/data/2", "archive/data/3", "archive/version", "archive/byteorder"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("entries %q, want %q", names, want)
	}
	back, err := ReadTorch(n1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ts) {
		t.Fatal("fixture tensors changed through WriteTorch and ReadTorch")
	}
}

// TestWriteTorchErrors checks what WriteTorchAs refuses, and that a refused
// write leaves no file.
func TestWriteTorchErrors(t *testing.T) {
	ok := Tensor{Name: "a", Shape: []int{1}, Data: []float64{1}}
	cases := []struct {
		name  string
		ts    []Tensor
		dt    DType
		field string
		want  string
	}{
		{"duplicate", []Tensor{ok, ok}, Float32, "a", "duplicate"},
		{"short data", []Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float64{1}}}, Float32, "w", "data has 1"},
		{"empty name", []Tensor{{Name: "", Shape: []int{1}, Data: []float64{1}}}, Float32, "", "empty"},
		{"float32 overflow", []Tensor{{Name: "w", Shape: []int{1}, Data: []float64{1e39}}}, Float32, "w", "beyond the range of float32"},
		{"float16 overflow", []Tensor{{Name: "w", Shape: []int{1}, Data: []float64{7e4}}}, Float16, "w", "beyond the range of float16"},
		{"int dtype", []Tensor{ok}, Int64, "", "cannot be written"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := filepath.Join(dir, "x.pt")
			err := WriteTorchAs(name, c.ts, c.dt)
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != name || fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want FileError{%s, %q} containing %q", err, name, c.field, c.want)
			}
			if _, err := os.Stat(name); !os.IsNotExist(err) {
				t.Fatalf("refused write left a file: %v", err)
			}
		})
	}
}

// ptZipEntry is one entry of a hand-built archive.
type ptZipEntry struct {
	name string
	data []byte
}

// ptZip builds a stored zip archive of entries, in order.
func ptZip(t testing.TB, entries ...ptZipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(e.data),
			CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ptTensorPickle returns the protocol 2 pickle of {name:
// _rebuild_tensor_v2(('storage', torch.<storage>, '0', 'cpu', numel),
// offset, size, stride, False, OrderedDict())}, built opcode by opcode.
func ptTensorPickle(name, storage string, numel, offset int64, size, stride []int64) []byte {
	var p ptPickler
	p.Write([]byte{pklProto, 2, pklEmptyDict})
	p.str(name)
	p.global("torch._utils", "_rebuild_tensor_v2")
	p.Write([]byte{pklMark, pklMark})
	p.str("storage")
	p.global("torch", storage)
	p.str("0")
	p.str("cpu")
	p.int(numel)
	p.Write([]byte{pklTuple, pklBinPersID})
	p.int(offset)
	p.tuple(size)
	p.tuple(stride)
	p.WriteByte(pklNewFalse)
	p.global("collections", "OrderedDict")
	p.Write([]byte{pklEmptyTuple, pklReduce, pklTuple, pklReduce, pklSetItem, pklStop})
	return p.Bytes()
}

// ptCheckpoint builds a checkpoint archive "archive/" of one pickle and one
// storage data/0.
func ptCheckpoint(t testing.TB, pkl, storage []byte) []byte {
	return ptZip(t, ptZipEntry{"archive/data.pkl", pkl}, ptZipEntry{"archive/data/0", storage}, ptZipEntry{"archive/version", []byte("3\n")})
}

// TestReadTorchStrides reads hand-built views whose values are known:
// storage 0..11 as float64, transposed, offset and strided views.
func TestReadTorchStrides(t *testing.T) {
	st := make([]byte, 12*8)
	for i := range 12 {
		binary.LittleEndian.PutUint64(st[8*i:], math.Float64bits(float64(i)))
	}
	cases := []struct {
		offset       int64
		size, stride []int64
		want         []float64
	}{
		{0, []int64{3, 4}, []int64{4, 1}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{0, []int64{4, 3}, []int64{1, 4}, []float64{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}},
		{5, []int64{2, 2}, []int64{4, 2}, []float64{5, 7, 9, 11}},
		{2, []int64{2, 3}, []int64{0, 1}, []float64{2, 3, 4, 2, 3, 4}},
		{7, []int64{}, []int64{}, []float64{7}},
		{11, []int64{1}, []int64{100}, []float64{11}},
		{3, []int64{2, 0, 5}, []int64{1, 1, 1}, []float64{}},
	}
	for _, c := range cases {
		b := ptCheckpoint(t, ptTensorPickle("w", "DoubleStorage", 12, c.offset, c.size, c.stride), st)
		ts, err := ReadTorchFrom("v.pt", bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("offset %d size %v stride %v: %v", c.offset, c.size, c.stride, err)
		}
		if !reflect.DeepEqual(ts[0].Data, c.want) || len(ts[0].Shape) != len(c.size) {
			t.Errorf("offset %d size %v stride %v: %v %v, want %v", c.offset, c.size, c.stride, ts[0].Shape, ts[0].Data, c.want)
		}
	}
}

// TestReadTorchBigEndian reads a checkpoint whose byteorder entry says
// "big", as PyTorch 2 on a big-endian machine writes it.
func TestReadTorchBigEndian(t *testing.T) {
	st := make([]byte, 12)
	for i, v := range []float32{1.5, -2, 1e-3} {
		binary.BigEndian.PutUint32(st[4*i:], math.Float32bits(v))
	}
	b := ptZip(t, ptZipEntry{"x/data.pkl", ptTensorPickle("w", "FloatStorage", 3, 0, []int64{3}, []int64{1})},
		ptZipEntry{"x/byteorder", []byte("big")}, ptZipEntry{"x/data/0", st})
	ts, err := ReadTorchFrom("be.pt", bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1.5, -2, float64(float32(1e-3))}; !reflect.DeepEqual(ts[0].Data, want) {
		t.Fatalf("data %v, want %v", ts[0].Data, want)
	}
}

// TestReadTorchHostile feeds damaged and hostile checkpoints: each must be
// refused with a FileError naming the file and the field at fault, without
// a panic and without allocating what the file declares.
func TestReadTorchHostile(t *testing.T) {
	f32 := func(n int) []byte { return make([]byte, 4*n) }
	one := func(numel, off int64, size, stride []int64) []byte {
		return ptTensorPickle("w", "FloatStorage", numel, off, size, stride)
	}
	good := one(6, 0, []int64{2, 3}, []int64{3, 1})
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	tw.WriteHeader(&tar.Header{Name: "sys_info", Size: 1, Mode: 0o644})
	tw.Write([]byte{0})
	tw.Close()
	cases := []struct {
		name  string
		file  []byte
		field string
		want  string
	}{
		{"storage shorter than numel", ptCheckpoint(t, one(100, 0, []int64{100}, []int64{1}), f32(10)), "w", "needs 400"},
		{"size beyond storage", ptCheckpoint(t, one(6, 0, []int64{2, 3}, []int64{3, 2}), f32(6)), "w", "reach element 7"},
		{"offset beyond storage", ptCheckpoint(t, one(6, 6, []int64{1}, []int64{1}), f32(6)), "w", "reach element 6"},
		{"shape product 1e12", ptCheckpoint(t, one(6, 0, []int64{1_000_000, 1_000_000}, []int64{1_000_000, 1}), f32(6)), "w", "limit exceeded"},
		{"shape product overflows int64", ptCheckpoint(t, one(6, 0, []int64{1 << 40, 1 << 40}, []int64{0, 0}), f32(6)), "w", "limit exceeded"},
		{"stride overflow", ptCheckpoint(t, one(6, 0, []int64{3, 3}, []int64{1 << 62, 1 << 62}), f32(6)), "w", "overflow"},
		{"numel overflow", ptCheckpoint(t, one(1<<62, 0, []int64{1}, []int64{1}), f32(6)), "w", "limit exceeded"},
		{"empty view offset beyond", ptCheckpoint(t, one(6, 7, []int64{0}, []int64{1}), f32(6)), "w", "beyond storage"},
		{"missing storage", ptZip(t, ptZipEntry{"archive/data.pkl", good}), "w", "missing"},
		{"missing data.pkl", ptZip(t, ptZipEntry{"archive/data/0", f32(6)}), "archive/data.pkl", "missing"},
		{"no archive directory", ptZip(t, ptZipEntry{"data.pkl", good}), "data.pkl", "archive directory"},
		{"bad version", ptZip(t, ptZipEntry{"a/data.pkl", good}, ptZipEntry{"a/version", []byte("x")}), "a/version", "not a positive integer"},
		{"bad byteorder", ptZip(t, ptZipEntry{"a/data.pkl", good}, ptZipEntry{"a/byteorder", []byte("middle")}), "a/byteorder", "byte order"},
		{"os.system", ptCheckpoint(t, []byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R."), f32(6)), "archive/data.pkl", "os.system is not allowed"},
		{"truncated pickle", ptCheckpoint(t, good[:len(good)/2], f32(6)), "archive/data.pkl", "truncated"},
		{"legacy", append([]byte{pklProto, 2}, ptLegacyMagic...), "format", "torch.save(torch.load("},
		{"legacy protocol 4", append([]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00"), ptLegacyMagic...), "format", "torch.save(torch.load("},
		{"tar", tarBuf.Bytes(), "format", "tar archive"},
		{"not a checkpoint", []byte("hello, world"), "format", "not a PyTorch checkpoint"},
		{"empty file", nil, "format", "not a PyTorch checkpoint"},
		{"truncated zip", ptCheckpoint(t, good, f32(6))[:100], "zip", "zip"},
		{"same name twice", nil, "a.b", "two tensors"}, // built below
	}
	// The last case holds one tensor object both at "a.b" and under "a" →
	// "b", so that the dotted names collide.
	{
		var p ptPickler
		p.Write([]byte{pklProto, 2, pklEmptyDict, pklMark})
		p.str("a.b")
		t0 := one(6, 0, []int64{6}, []int64{1})
		// t0 is "\x80\x02}" + key + tensor + "s." : take the tensor's opcodes.
		body := t0[3 : len(t0)-2]
		body = body[bytes.Index(body, []byte{pklGlobal}):]
		p.Write(body)
		p.put(0)
		p.str("a")
		p.WriteByte(pklEmptyDict)
		p.str("b")
		p.get(0)
		p.Write([]byte{pklSetItem, pklSetItems, pklStop})
		cases[len(cases)-1].file = ptCheckpoint(t, p.Bytes(), f32(6))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lim := Limits{MaxTotalBytes: 1 << 20}
			_, err := lim.ReadTorchFrom("evil.pt", bytes.NewReader(c.file), int64(len(c.file)))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if fe.File != "evil.pt" || fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %q (field %q), want field %q and %q", err, fe.Field, c.field, c.want)
			}
		})
	}
}

// TestReadTorchLimits checks that Limits bound the tensors' float64 size
// and the storages read.
func TestReadTorchLimits(t *testing.T) {
	path := "testdata/leaky_rnn_state_dict.pt"
	if _, err := ReadTorch(path); err != nil {
		t.Fatal(err)
	}
	// W_rec.weight alone is 256 float64 = 2048 bytes.
	_, err := Limits{MaxTotalBytes: 2000}.ReadTorch(path)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
	// data.pkl has 637 bytes, W_rec.weight's storage data/2 1024.
	_, err = Limits{MaxEntryBytes: 1000}.ReadTorch(path)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "data/2") {
		t.Fatalf("err = %v, want ErrLimit for the 1024-byte storage", err)
	}
}

// ptFuzzSeeds returns the fixture checkpoints and a written one.
func ptFuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"gru_state_dict.pt", "leaky_rnn_state_dict.pt", "torch_views.pt", "torch_dtypes.pt", "torch_checkpoint.pt", "torch_proto5.pt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	var buf bytes.Buffer
	if err := ptEncode(&buf, []Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}}}, Float64); err != nil {
		f.Fatal(err)
	}
	return append(seeds, buf.Bytes())
}

// FuzzTorchZip reads arbitrary bytes as a checkpoint under small limits,
// and again as the data.pkl of an archive with storages data/0 to data/3
// of 1024 bytes each (so that mutations of the pickle reach the storage and
// view checks past the zip CRCs): no panic, errors are *FileError naming
// the file, and every tensor returned has as many values as its shape
// declares.
func FuzzTorchZip(f *testing.F) {
	for _, s := range ptFuzzSeeds(f) {
		f.Add(s)
	}
	f.Add(ptTensorPickle("w", "FloatStorage", 16, 2, []int64{2, 3}, []int64{1, 2}))
	f.Add(ptFixturePickle(f, "torch_views.pt"))
	lim := Limits{MaxHeaderBytes: 1 << 16, MaxEntryBytes: 1 << 16, MaxTotalBytes: 1 << 20, MaxEntries: 64}
	storage := make([]byte, 1024)
	for i := range storage {
		storage[i] = byte(i * 37)
	}
	check := func(t *testing.T, b []byte) {
		ts, err := lim.ReadTorchFrom("fuzz.pt", bytes.NewReader(b), int64(len(b)))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "fuzz.pt" {
				t.Fatalf("error %v is not a FileError for fuzz.pt", err)
			}
			return
		}
		for _, x := range ts {
			if len(x.Data) != x.Len() {
				t.Fatalf("%s: %d values for shape %v", x.Name, len(x.Data), x.Shape)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check(t, b)
		if len(b) <= 1<<16 {
			check(t, ptZip(t, ptZipEntry{"a/data.pkl", b}, ptZipEntry{"a/data/0", storage}, ptZipEntry{"a/data/1", storage},
				ptZipEntry{"a/data/2", storage}, ptZipEntry{"a/data/3", storage}))
		}
	})
}

func ExampleWriteTorch() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "rnn.pt")
	// torch.nn.RNN(1, 2) names; load in PyTorch with
	// rnn.load_state_dict(torch.load("rnn.pt", weights_only=True)).
	err = WriteTorch(name, []Tensor{
		{Name: "weight_ih_l0", Shape: []int{2, 1}, Data: []float64{0.5, -0.5}},
		{Name: "weight_hh_l0", Shape: []int{2, 2}, Data: []float64{0.9, 0.1, -0.1, 0.9}},
		{Name: "bias_ih_l0", Shape: []int{2}, Data: []float64{0, 0}},
		{Name: "bias_hh_l0", Shape: []int{2}, Data: []float64{0.1, 0.2}},
	})
	if err != nil {
		panic(err)
	}
	ts, err := ReadTorch(name)
	if err != nil {
		panic(err)
	}
	for _, t := range ts {
		fmt.Println(t.Name, t.Shape, t.DType, t.Data)
	}
	// Output:
	// weight_ih_l0 [2 1] float32 [0.5 -0.5]
	// weight_hh_l0 [2 2] float32 [0.8999999761581421 0.10000000149011612 -0.10000000149011612 0.8999999761581421]
	// bias_ih_l0 [2] float32 [0 0]
	// bias_hh_l0 [2] float32 [0.10000000149011612 0.20000000298023224]
}

func ExampleReadTorch() {
	// A state dict saved by torch.save(net.state_dict(), path) from a
	// leaky RNN built of nn.Linear layers W_in, W_rec and W_out.
	ts, err := ReadTorch("testdata/leaky_rnn_state_dict.pt")
	if err != nil {
		panic(err)
	}
	for _, t := range ts {
		fmt.Println(t.Name, t.Shape, t.DType)
	}
	// Output:
	// W_in.weight [16 2] float32
	// W_in.bias [16] float32
	// W_rec.weight [16 16] float32
	// W_rec.bias [16] float32
	// W_out.weight [2 16] float32
	// W_out.bias [2] float32
}
