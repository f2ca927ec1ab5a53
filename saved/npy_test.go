package saved

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// npyExpected is one case of testdata/numpy/expected.json, written by
// testdata/numpy/gen.py with NumPy.
type npyExpected struct {
	Shape   []int     `json:"shape"`
	Descr   string    `json:"descr"`
	Fortran bool      `json:"fortran"`
	Data    []float64 `json:"data"`
}

// npyLoadExpected reads testdata/numpy/expected.json.
func npyLoadExpected(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/numpy/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// npyTestLimits are small limits for hostile-input tests.
var npyTestLimits = Limits{MaxHeaderBytes: 1 << 12, MaxEntryBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxEntries: 64}

// npyRaw builds a .npy file from a header dictionary text and data, with
// a version 1.0 prefix.
func npyRaw(header string, data []byte) []byte {
	hl := len(header) + 1
	pad := 64 - (10+hl)%64
	b := []byte(npyMagic + "\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(hl+pad))
	b = append(b, header...)
	b = append(b, strings.Repeat(" ", pad)...)
	b = append(b, '\n')
	return append(b, data...)
}

// npySameBits reports whether a and b hold bit-identical float64 values.
func npySameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestReadNPYNumPyFiles reads every .npy file NumPy wrote in
// testdata/numpy (all dtypes, byte orders, Fortran order, scalar, empty,
// versions 1.0, 2.0 and 3.0) and compares with NumPy's own float64
// conversion of each array, exactly.
func TestReadNPYNumPyFiles(t *testing.T) {
	exp := npyLoadExpected(t)
	n := 0
	for key, raw := range exp {
		if strings.Contains(key, ".") {
			continue
		}
		n++
		t.Run(key, func(t *testing.T) {
			var want npyExpected
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			ts, err := ReadNPY(filepath.Join("testdata", "numpy", key+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 {
				t.Fatalf("got %d tensors", len(ts))
			}
			got := ts[0]
			if got.Name != key {
				t.Errorf("name %q, want %q", got.Name, key)
			}
			if len(got.Shape) != len(want.Shape) || (len(want.Shape) > 0 && !reflect.DeepEqual(got.Shape, want.Shape)) {
				t.Errorf("shape %v, want %v", got.Shape, want.Shape)
			}
			if len(got.Data) != got.Len() {
				t.Errorf("len(Data) = %d, Len() = %d", len(got.Data), got.Len())
			}
			if !npySameBits(got.Data, want.Data) {
				t.Errorf("data %v, want %v", got.Data, want.Data)
			}
			if e, _ := npyElemFor(want.Descr); got.DType != e.dtype {
				t.Errorf("dtype %q, want %q (descr %s)", got.DType, e.dtype, want.Descr)
			}
		})
	}
	if n < 16 {
		t.Fatalf("only %d .npy cases in expected.json", n)
	}
}

// TestNPYEncodeMatchesNumPy checks that npyEncode writes the same bytes as
// numpy.save for float64 C-order arrays of several ranks.
func TestNPYEncodeMatchesNumPy(t *testing.T) {
	for _, name := range []string{"f8_c", "vec", "scalar", "empty"} {
		path := filepath.Join("testdata", "numpy", name+".npy")
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := ReadNPY(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := npyEncode(&ts[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encoded\n%q\nnumpy wrote\n%q", name, got, want)
		}
	}
}

func TestNPYParseHeader(t *testing.T) {
	good := []struct {
		in   string
		want npyHeader
	}{
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (12, 12), }      \n", npyHeader{"<f8", false, []int64{12, 12}}},
		{`{"shape": (3,), "descr": ">f4", "fortran_order": True}`, npyHeader{">f4", true, []int64{3}}},
		{"{'descr':'<i8','fortran_order':False,'shape':()}", npyHeader{"<i8", false, []int64{}}},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 4L), }", npyHeader{"<f8", false, []int64{3, 4}}},
		{"{ 'descr' : '<f8' ,\n 'fortran_order' : False , 'shape' : ( 2 , 0 , ) , }", npyHeader{"<f8", false, []int64{2, 0}}},
	}
	for _, c := range good {
		h, err := npyParseHeader(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(h, c.want) {
			t.Errorf("%q: got %+v, want %+v", c.in, h, c.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "expected '{'"},
		{"{'descr': '<f8', 'fortran_order': False}", `missing key "shape"`},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3), }", "trailing comma"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", "non-negative"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (03,), }", "leading zero"},
		{"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }", "True or False"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}", `unexpected key "x"`},
		{"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", "duplicate key"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x", "after '}'"},
		{"{'descr': '<f\\x38', 'fortran_order': False, 'shape': (3,)}", "escape"},
		{"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,)}", "quoted string"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", "out of range"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (__import__('os'),)}", "non-negative integer"},
		{"{'descr': '<f8', 'fortran_order': False, 'shape': (3,", "expected"},
	}
	for _, c := range bad {
		_, err := npyParseHeader(c.in)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %v, want one containing %q", c.in, err, c.msg)
		}
	}
}

// TestNPYHostile feeds hand-made hostile .npy files to the decoder and
// checks each error names the file and the field and mentions the cause.
func TestNPYHostile(t *testing.T) {
	f8 := func(n int) []byte { return make([]byte, 8*n) }
	good, err := os.ReadFile("testdata/numpy/f8_c.npy")
	if err != nil {
		t.Fatal(err)
	}
	lying := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(lying[8:], 60000)
	v2huge := append([]byte(npyMagic+"\x02\x00"), 0xff, 0xff, 0xff, 0xff)
	v2huge = append(v2huge, make([]byte, 100)...)
	bigHeader := npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"+strings.Repeat(" ", 5000), f8(1))
	cases := []struct {
		name  string
		b     []byte
		field string
		msg   string
		limit bool
	}{
		{"1e12 elements", npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 4096)),
			"shape", "(1000000, 1000000) declares 1000000000000 elements of <f8 (8000000000000 bytes), file has 4096 bytes of data", false},
		{"overflowing shape", npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 1099511627776, 1099511627776), }", nil),
			"shape", "element count overflows", false},
		{"zero-size with huge dim", npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 1099511627776), }", nil),
			"shape", "dimension 1099511627776 too large", true},
		{"truncated data", good[:len(good)-5], "shape", "(3, 4) declares 12 elements of <f8 (96 bytes), file has 91 bytes of data", false},
		{"trailing data", append(append([]byte(nil), good...), 1, 2, 3), "shape", "file has 99 bytes of data", false},
		{"header length lies", lying, "header length", "declares 60000 bytes, file has", false},
		{"v2 header length lies", v2huge, "header length", "declares 4294967295 bytes, file has 100 bytes", false},
		{"header above limit", bigHeader, "header length", "limit 4096", true},
		{"array above limit", npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (131073,), }", f8(131073)),
			"shape", "limit 1048576", true},
		{"object dtype", npyRaw("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", f8(1)), "descr", `unsupported dtype "|O"`, false},
		{"native order", npyRaw("{'descr': '=f8', 'fortran_order': False, 'shape': (1,), }", f8(1)), "descr", "unsupported dtype", false},
		{"bad magic", []byte("PK\x03\x04 not numpy at all"), "magic", "not a .npy file", false},
		{"short", []byte(npyMagic), "magic", "not a .npy file", false},
		{"bad version", append([]byte(npyMagic+"\x04\x00"), make([]byte, 20)...), "version", "unsupported format version 4.0", false},
		{"bad header", npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'evil': __import__('os')}", f8(1)), "header", `unexpected key "evil"`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := npyDecoder{lim: npyTestLimits.orDefault()}
			_, err := d.decode("net.npz: W_rec.npy", "W_rec", c.b)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "net.npz: W_rec.npy" || fe.Field != c.field {
				t.Fatalf("error %v (%#v), want a FileError for field %q", err, err, c.field)
			}
			want := "saved: net.npz: W_rec.npy: " + c.field + ": "
			if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q, want prefix %q and %q", err, want, c.msg)
			}
			if errors.Is(err, ErrLimit) != c.limit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !c.limit, c.limit)
			}
		})
	}
}

// TestNPYTotalLimit checks that the float64 total counts across arrays.
func TestNPYTotalLimit(t *testing.T) {
	b := npyRaw("{'descr': '|u1', 'fortran_order': False, 'shape': (1000,), }", make([]byte, 1000))
	d := npyDecoder{lim: Limits{MaxTotalBytes: 12000}.orDefault()}
	if _, err := d.decode("a.npy", "a", b); err != nil {
		t.Fatal(err)
	}
	_, err := d.decode("b.npy", "b", b) // 16000 bytes of float64 > 12000
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "b.npy: shape:") {
		t.Errorf("second array: %v, want a limit error on b.npy", err)
	}
}

func TestWriteNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := Tensor{Name: "x", Shape: []int{2, 3}, Data: []float64{1, -2, math.Pi, math.Inf(1), math.SmallestNonzeroFloat64, -0.0}}
	path := filepath.Join(dir, "x.npy")
	if err := WriteNPY(path, in); err != nil {
		t.Fatal(err)
	}
	ts, err := ReadNPY(path)
	if err != nil {
		t.Fatal(err)
	}
	if ts[0].Name != "x" || !reflect.DeepEqual(ts[0].Shape, in.Shape) || !npySameBits(ts[0].Data, in.Data) || ts[0].DType != Float64 {
		t.Errorf("round trip: got %+v, want %+v", ts[0], in)
	}
	bad := Tensor{Name: "y", Shape: []int{2, 2}, Data: []float64{1}}
	err = WriteNPY(filepath.Join(dir, "y.npy"), bad)
	if err == nil || !strings.Contains(err.Error(), "y.npy: y: ") {
		t.Errorf("short data: %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, "y.npy")); !os.IsNotExist(serr) {
		t.Errorf("failed write left a file: %v", serr)
	}
}

// FuzzNPYHeader checks that the header parser never panics and that every
// header it accepts, printed back in canonical form, parses to the same
// value.
func FuzzNPYHeader(f *testing.F) {
	for _, s := range []string{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (12, 12), }          \n",
		"{'descr': '>f4', 'fortran_order': True, 'shape': (), }",
		`{"descr": "|b1", "shape": (3L,), "fortran_order": False}`,
		"{'descr': '<f8', 'fortran_order': False, 'shape': (0, 99999999999), }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := npyParseHeader(s)
		if err != nil {
			return
		}
		fo := "False"
		if h.Fortran {
			fo = "True"
		}
		if strings.ContainsAny(h.Descr, "\\\n\r") || strings.Contains(h.Descr, "'") && strings.Contains(h.Descr, `"`) {
			t.Fatalf("descr %q holds a backslash, a newline or both quotes", h.Descr)
		}
		q := "'"
		if strings.Contains(h.Descr, "'") {
			q = `"`
		}
		canon := "{'descr': " + q + h.Descr + q + ", 'fortran_order': " + fo + ", 'shape': " + npyShapeString(h.Shape) + ", }"
		h2, err := npyParseHeader(canon)
		if err != nil {
			t.Fatalf("canonical form %q of accepted %q: %v", canon, s, err)
		}
		if !reflect.DeepEqual(h, h2) {
			t.Fatalf("%q parsed to %+v, canonical %q to %+v", s, h, canon, h2)
		}
	})
}

// npyFuzzSeeds returns the .npy files of testdata/numpy.
func npyFuzzSeeds(f *testing.F) [][]byte {
	paths, err := filepath.Glob("testdata/numpy/*.npy")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzNPY checks that decoding arbitrary bytes never panics, that an
// accepted file yields Len() elements, and that it survives a float64
// write and read unchanged.
func FuzzNPY(f *testing.F) {
	for _, b := range npyFuzzSeeds(f) {
		f.Add(b)
	}
	f.Add(npyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 64)))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := npyDecoder{lim: npyTestLimits.orDefault()}
		ts, err := d.decode("fuzz.npy", "x", b)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "fuzz.npy" || fe.Field == "" {
				t.Fatalf("error %v is not a FileError naming file and field", err)
			}
			return
		}
		if len(ts.Data) != ts.Len() {
			t.Fatalf("len(Data) = %d, Len() = %d", len(ts.Data), ts.Len())
		}
		enc, err := npyEncode(&ts)
		if err != nil {
			t.Fatal(err)
		}
		d2 := npyDecoder{lim: npyTestLimits.orDefault()}
		back, err := d2.decode("re.npy", "x", enc)
		if err != nil {
			t.Fatalf("re-reading own output: %v", err)
		}
		if !reflect.DeepEqual(back.Shape, ts.Shape) || !npySameBits(back.Data, ts.Data) {
			t.Fatalf("round trip changed %+v to %+v", ts, back)
		}
	})
}

// BenchmarkNPYDecode measures decoding a 512×512 float64 array.
func BenchmarkNPYDecode(b *testing.B) {
	in := Tensor{Name: "W", Shape: []int{512, 512}, Data: make([]float64, 512*512)}
	for i := range in.Data {
		in.Data[i] = float64(i)
	}
	enc, err := npyEncode(&in)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		d := npyDecoder{lim: DefaultLimits}
		if _, err := d.decode("W.npy", "W", enc); err != nil {
			b.Fatal(err)
		}
	}
}
