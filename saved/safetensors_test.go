package saved

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestReadSafetensorsMixed reads a file built by testdata/numpy/gen.py from
// the format description (F32, F16, BF16, F64, I64, I32 and metadata) and
// compares with NumPy's float64 conversion, exactly.
func TestReadSafetensorsMixed(t *testing.T) {
	var want map[string]npyExpected
	if err := json.Unmarshal(npyLoadExpected(t)["mixed.safetensors"], &want); err != nil {
		t.Fatal(err)
	}
	ts, meta, err := ReadSafetensors("testdata/numpy/mixed.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(meta, map[string]string{"format": "pt", "source": "gen.py"}) {
		t.Errorf("metadata %v", meta)
	}
	var names []string
	for _, x := range ts {
		names = append(names, x.Name)
		w := want[x.Name]
		if !reflect.DeepEqual(x.Shape, w.Shape) || !npySameBits(x.Data, w.Data) {
			t.Errorf("%s: got %v %v, want %v %v", x.Name, x.Shape, x.Data, w.Shape, w.Data)
		}
	}
	if wantNames := []string{"a_f32", "b_f16", "c_bf16", "d_f64", "e_i64", "f_i32"}; !reflect.DeepEqual(names, wantNames) {
		t.Errorf("names %v, want %v in data order", names, wantNames)
	}
	dts := map[string]DType{"a_f32": Float32, "b_f16": Float16, "c_bf16": BFloat16, "d_f64": Float64, "e_i64": Int64, "f_i32": Int32}
	for _, x := range ts {
		if x.DType != dts[x.Name] {
			t.Errorf("%s: dtype %s, want %s", x.Name, x.DType, dts[x.Name])
		}
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := []Tensor{
		{Name: "z", Shape: []int{2}, Data: []float64{math.Inf(-1), 5e-324}},
		{Name: "a<b>&", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, math.Pi}},
		{Name: "s", Shape: []int{}, Data: []float64{-0.5}},
		{Name: "e", Shape: []int{0}, Data: []float64{}},
	}
	meta := map[string]string{"kind": "ctrnn", "τ": "10 ms"}
	p := filepath.Join(dir, "m.safetensors")
	if err := WriteSafetensors(p, in, meta); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p)
	if err := WriteSafetensors(p, []Tensor{in[3], in[1], in[2], in[0]}, meta); err != nil {
		t.Fatal(err)
	}
	b2, _ := os.ReadFile(p)
	if !bytes.Equal(b1, b2) {
		t.Error("bytes depend on the order of the tensors given")
	}
	if hl := binary.LittleEndian.Uint64(b1); hl%8 != 0 {
		t.Errorf("header length %d not a multiple of 8", hl)
	}
	ts, m2, err := ReadSafetensors(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2, meta) {
		t.Errorf("metadata %v, want %v", m2, meta)
	}
	// Sorted by name, the layout order: a<b>&, e, s, z.
	want := []Tensor{in[1], in[3], in[2], in[0]}
	if len(ts) != len(want) {
		t.Fatalf("%d tensors", len(ts))
	}
	for i := range want {
		if ts[i].Name != want[i].Name || len(ts[i].Shape) != len(want[i].Shape) || ts[i].Len() != want[i].Len() ||
			!npySameBits(ts[i].Data, want[i].Data) || ts[i].DType != Float64 {
			t.Errorf("tensor %d: got %+v, want %+v", i, ts[i], want[i])
		}
	}
	for _, bad := range [][]Tensor{
		{{Name: "__metadata__", Shape: []int{1}, Data: []float64{1}}},
		{{Name: "a", Shape: []int{1}, Data: []float64{1}}, {Name: "a", Shape: []int{1}, Data: []float64{1}}},
		{{Name: "a", Shape: []int{3}, Data: []float64{1}}},
	} {
		if err := WriteSafetensors(filepath.Join(dir, "bad.safetensors"), bad, nil); err == nil {
			t.Errorf("WriteSafetensors(%v) succeeded", bad)
		}
	}
}

// stRaw builds a safetensors file from a header text and data length.
func stRaw(header string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, data)...)
}

// TestSafetensorsHostile checks that each hostile file gives an error
// naming the file and the field at fault.
func TestSafetensorsHostile(t *testing.T) {
	lenTooBig := binary.LittleEndian.AppendUint64(nil, 1<<40)
	lenTooBig = append(lenTooBig, "{}"...)
	cases := []struct {
		name, b, field, msg string
		limit               bool
	}{
		{"header length beyond file", string(lenTooBig), "header length", "declares 1099511627776 bytes, file has 2 bytes after the length", false},
		{"short file", "abc", "header length", "file has 3 bytes", false},
		{"header above limit", string(stRaw(`{}`+strings.Repeat(" ", 5000), 0)), "header length", "limit 4096", true},
		{"huge offset", string(stRaw(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,18446744073709551615]}}`, 8)),
			"w", "data_offsets: [0, 18446744073709551615] beyond the 8-byte data area", false},
		{"negative offset", string(stRaw(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[-8,0]}}`, 8)), "w", "cannot unmarshal number -8", false},
		{"begin after end", string(stRaw(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[8,0]}}`, 8)), "w", "begin 8 after end 0", false},
		{"overlap", string(stRaw(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}`, 16)),
			"b", `data_offsets [8, 16] overlap tensor "a", which ends at 16`, false},
		{"gap", string(stRaw(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}}`, 24)),
			"b", "leave a gap after offset 8", false},
		{"data left over", string(stRaw(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 16)), "header", "tensors cover 8 bytes, the data area has 16", false},
		{"size mismatch", string(stRaw(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8)), "a", "shape [3] declares 3 elements of F32 (12 bytes), data_offsets [0, 8] hold 8 bytes", false},
		{"1e12 elements", string(stRaw(`{"a":{"dtype":"F64","shape":[1000000,1000000],"data_offsets":[0,4096]}}`, 4096)), "a", "declares 1000000000000 elements of F64 (8000000000000 bytes)", false},
		{"overflowing shape", string(stRaw(`{"a":{"dtype":"F64","shape":[1000000,1000000,1000000,1000000],"data_offsets":[0,8]}}`, 8)), "a", "element count overflows", false},
		{"zero-size huge dim", string(stRaw(`{"a":{"dtype":"F64","shape":[0,18446744073709551615],"data_offsets":[0,0]}}`, 0)), "a", "too large", true},
		{"array above limit", string(stRaw(`{"a":{"dtype":"F64","shape":[131073],"data_offsets":[0,1048584]}}`, 1048584)), "a", "limit 1048576", true},
		{"unknown dtype", string(stRaw(`{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}`, 8)), "a", `dtype: unsupported "C64"`, false},
		{"unknown field", string(stRaw(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8],"x":1}}`, 8)), "a", `unknown field "x"`, false},
		{"missing field", string(stRaw(`{"a":{"dtype":"F64","data_offsets":[0,8]}}`, 8)), "a", "needs dtype, shape and data_offsets", false},
		{"three offsets", string(stRaw(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8,8]}}`, 8)), "a", "3 numbers, want 2", false},
		{"duplicate key", string(stRaw(`{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, 8)), "a", "duplicate key", false},
		{"bad metadata", string(stRaw(`{"__metadata__":{"a":1}}`, 0)), "__metadata__", "cannot unmarshal number", false},
		{"not an object", string(stRaw(`[1,2]`, 0)), "header", "not a JSON object", false},
		{"trailing text", string(stRaw(`{} x`, 0)), "header", "text after the JSON object", false},
		{"bad JSON", string(stRaw(`{"a":`, 0)), "a", "JSON header ends early", false},
		{"empty header", string(stRaw(``, 0)), "header", "JSON header ends early", false},
		{"unclosed", string(stRaw(`{"__metadata__":{}`, 0)), "header", "JSON header ends early", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := npyTestLimits.ReadSafetensorsFrom("m.safetensors", strings.NewReader(c.b), int64(len(c.b)))
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "m.safetensors" || fe.Field != c.field {
				t.Fatalf("error %v (%#v), want a FileError for field %q", err, err, c.field)
			}
			if !strings.HasPrefix(err.Error(), "saved: m.safetensors: "+c.field+": ") || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q, want field %q and %q", err, c.field, c.msg)
			}
			if errors.Is(err, ErrLimit) != c.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !c.limit, c.limit)
			}
		})
	}
}

// FuzzSafetensors checks that reading arbitrary bytes never panics, that
// errors are FileErrors naming the file, and that an accepted file
// survives a write and read with the same tensors and metadata.
func FuzzSafetensors(f *testing.F) {
	b, err := os.ReadFile("testdata/numpy/mixed.safetensors")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	var buf bytes.Buffer
	if err := encodeSafetensors(&buf, []Tensor{{Name: "W", Shape: []int{2, 1}, Data: []float64{1, 2}}, {Name: "s", Data: []float64{3}}},
		map[string]string{"k": "v"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(stRaw(`{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, meta, err := npyTestLimits.ReadSafetensorsFrom("fuzz.safetensors", bytes.NewReader(b), int64(len(b)))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "fuzz.safetensors" {
				t.Fatalf("error %v is not a FileError naming the file", err)
			}
			return
		}
		for _, x := range ts {
			if len(x.Data) != x.Len() {
				t.Fatalf("%s: len(Data) = %d, Len() = %d", x.Name, len(x.Data), x.Len())
			}
		}
		var out bytes.Buffer
		if err := encodeSafetensors(&out, ts, meta); err != nil {
			return // e.g. an empty name or invalid UTF-8 after JSON decoding
		}
		back, meta2, err := Limits{}.ReadSafetensorsFrom("re.safetensors", bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil {
			t.Fatalf("re-reading own output: %v", err)
		}
		if len(back) != len(ts) || len(meta2) != len(meta) {
			t.Fatalf("round trip: %d tensors %d metadata, want %d %d", len(back), len(meta2), len(ts), len(meta))
		}
		byName := map[string]Tensor{}
		for _, x := range ts {
			byName[x.Name] = x
		}
		for _, x := range back {
			w := byName[x.Name]
			if !reflect.DeepEqual(x.Shape, w.Shape) || !npySameBits(x.Data, w.Data) {
				t.Fatalf("round trip changed %+v to %+v", w, x)
			}
		}
	})
}

// ExampleReadSafetensors reads a safetensors file holding tensors of
// several element types, all converted to float64.
func ExampleReadSafetensors() {
	ts, meta, err := ReadSafetensors("testdata/numpy/mixed.safetensors")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(meta["format"])
	for _, t := range ts {
		fmt.Println(t.Name, t.DType, t.Shape)
	}
	// Output:
	// pt
	// a_f32 float32 [2 3]
	// b_f16 float16 [4]
	// c_bf16 bfloat16 [4]
	// d_f64 float64 [1 2]
	// e_i64 int64 [2]
	// f_i32 int32 [2 1]
}
