package saved

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ptFixturePickle returns the data.pkl of a fixture checkpoint.
func ptFixturePickle(t testing.TB, file string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/data.pkl") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s has no data.pkl", file)
	return nil
}

// ptU32 returns v as 4 little-endian bytes, as a string for building
// pickles.
func ptU32(v uint32) string { return string(binary.LittleEndian.AppendUint32(nil, v)) }

// ptU64 returns v as 8 little-endian bytes.
func ptU64(v uint64) string { return string(binary.LittleEndian.AppendUint64(nil, v)) }

// TestUnpickleValues runs hand-assembled pickles of every supported
// opcode family and compares the values built with Python's meaning of
// each pickle (worked out from the pickle documentation, not from this
// code).
func TestUnpickleValues(t *testing.T) {
	cases := []struct {
		name string
		pkl  string
		want any
	}{
		{"ints", "\x80\x02(K\x07M\x00\x01J\xff\xff\xff\xff\x8a\x00\x8a\x02\x00\x80\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\xfft.",
			pyTuple{int64(7), int64(256), int64(-1), int64(0), int64(-32768), int64(-1)}},
		{"float", "\x80\x02G\x3f\xf8\x00\x00\x00\x00\x00\x00.", 1.5},
		{"strings", "\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00(\x8c\x03h\xc3\xa9X\x01\x00\x00\x00a\x8d" + ptU64(1) + "bU\x01cC\x02\x00\x01B\x01\x00\x00\x00z\x8e" + ptU64(0) + "\x96" + ptU64(1) + "qt.",
			pyTuple{"h\u00e9", "a", "b", "c", []byte{0, 1}, []byte("z"), []byte{}, []byte("q")}},
		{"bools none", "\x80\x02\x88\x89N\x87.", pyTuple{true, false, pyNone{}}},
		{"tuples", "\x80\x02()K\x01\x85K\x01K\x02\x86K\x01K\x02K\x03\x87(K\x01K\x02K\x03K\x04tt.",
			pyTuple{pyTuple{}, pyTuple{int64(1)}, pyTuple{int64(1), int64(2)}, pyTuple{int64(1), int64(2), int64(3)}, pyTuple{int64(1), int64(2), int64(3), int64(4)}}},
		{"list", "\x80\x02]q\x00(K\x01K\x02eK\x03a.", &pyList{items: []any{int64(1), int64(2), int64(3)}}},
		{"memo", "\x80\x02K\x05q\x03r" + ptU32(70000) + "0h\x03j" + ptU32(70000) + "\x94\x86.", pyTuple{int64(5), int64(5)}},
		{"pop mark dup", "\x80\x02K\x01(K\x02K\x031\x32\x86.", pyTuple{int64(1), int64(1)}},
		{"long big", "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", pyBigInt{0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}},
		{"long4", "\x80\x02\x8b" + ptU32(2) + "\xff\x7f.", int64(32767)},
		{"frozenset", "\x80\x04(K\x01K\x01K\x02\x91.", &pySet{items: []any{int64(1), int64(2)}, index: map[string]bool{"i1;": true, "i2;": true}}},
		{"set", "\x80\x04\x8f(K\x01\x88\x90.", &pySet{items: []any{int64(1)}, index: map[string]bool{"i1;": true}}},
		{"device", "\x80\x02ctorch\ndevice\nX\x04\x00\x00\x00cudaK\x01\x86R.", "cuda:1"},
		{"size", "\x80\x04\x8c\x05torch\x8c\x04Size\x93K\x02K\x03\x86\x85R.", pyTuple{int64(2), int64(3)}},
		{"dtype", "\x80\x02ctorch\nfloat32\n.", &pyGlobal{"torch", "float32"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ptUnpickle([]byte(c.pkl))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

// TestUnpickleDict checks dict semantics: insertion order, a repeated key
// keeps its place with the new value, 1 and True are one key, and
// OrderedDict through REDUCE, NEWOBJ and BUILD.
func TestUnpickleDict(t *testing.T) {
	pkl := "\x80\x02ccollections\nOrderedDict\n)R(X\x01\x00\x00\x00bK\x01X\x01\x00\x00\x00aK\x02K\x01K\x03\x88K\x04X\x01\x00\x00\x00bK\x05u}X\x09\x00\x00\x00_metadata}sb."
	v, err := ptUnpickle([]byte(pkl))
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*pyDict)
	wantK := []any{"b", "a", int64(1)}
	wantV := []any{int64(5), int64(2), int64(4)}
	if !reflect.DeepEqual(d.keys, wantK) || !reflect.DeepEqual(d.vals, wantV) {
		t.Fatalf("keys %v vals %v, want %v %v", d.keys, d.vals, wantK, wantV)
	}
	v, err = ptUnpickle([]byte("\x80\x02ccollections\nOrderedDict\n)\x81."))
	if _, ok := v.(*pyDict); err != nil || !ok {
		t.Fatalf("NEWOBJ OrderedDict: %v %v", v, err)
	}
	v, err = ptUnpickle([]byte("\x80\x02(K\x01K\x02d."))
	if d, ok := v.(*pyDict); err != nil || !ok || len(d.keys) != 1 {
		t.Fatalf("DICT: %v %v", v, err)
	}
}

// TestUnpickleFixtures runs the pickles of the real torch checkpoints and
// checks the structure they build.
func TestUnpickleFixtures(t *testing.T) {
	v, err := ptUnpickle(ptFixturePickle(t, "gru_state_dict.pt"))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := v.(*pyDict)
	if !ok || len(d.keys) != 4 {
		t.Fatalf("got %s, want an OrderedDict of 4", pickleTypeName(v))
	}
	tr := d.vals[1].(*ptTensorRef)
	if d.keys[1] != "weight_hh_l0" || tr.storage.key != "1" || tr.storage.typ != "FloatStorage" || tr.storage.numel != 192 ||
		!reflect.DeepEqual(tr.size, []int64{24, 8}) || !reflect.DeepEqual(tr.stride, []int64{8, 1}) || tr.offset != 0 {
		t.Fatalf("weight_hh_l0 = %+v (storage %+v)", tr, tr.storage)
	}
}

// TestUnpickleHostile runs hostile and broken pickles: each must fail with
// an error naming the global or the fault, and nothing is executed (the
// unpickler has no way to call anything but the allow-listed functions).
func TestUnpickleHostile(t *testing.T) {
	deep := "\x80\x02" + strings.Repeat("(", 100000) + "."
	cases := []struct {
		name string
		pkl  string
		want string
	}{
		{"os.system", "\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.", "global os.system is not allowed"},
		{"posix.system", "\x80\x02cposix\nsystem\nX\x02\x00\x00\x00ls\x85R.", "global posix.system is not allowed"},
		{"builtins.eval", "\x80\x02cbuiltins\neval\nX\x01\x00\x00\x001\x85R.", "global builtins.eval is not allowed"},
		{"__builtin__.eval", "\x80\x02c__builtin__\neval\nX\x01\x00\x00\x001\x85R.", "global __builtin__.eval is not allowed"},
		{"subprocess.Popen", "\x80\x02csubprocess\nPopen\n]\x85R.", "global subprocess.Popen is not allowed"},
		{"stack global os.system", "\x80\x04\x8c\x02os\x8c\x06system\x93.", "global os.system is not allowed"},
		{"unknown global", "\x80\x02ctorch.nn.modules.linear\nLinear\n)\x81.", "global torch.nn.modules.linear.Linear is not allowed"},
		{"whole model", "\x80\x02c__main__\nNet\n)\x81.", "global __main__.Net is not allowed (torch.load(weights_only=True) accepts only"},
		{"whole model hint", "\x80\x02c__main__\nNet\n)\x81.", "save its weights with torch.save(model.state_dict(), PATH)"},
		{"getattr", "\x80\x02cbuiltins\ngetattr\n.", "global builtins.getattr is not allowed"},
		{"odd global name", "\x80\x02cos \nsys\x00tem\n.", `global "os ".`},
		{"deep MARK nesting", deep, "nested MARKs"},
		{"huge BINUNICODE", "\x80\x02X\xff\xff\xff\x7fabc.", "declares 2147483647 bytes"},
		{"huge BINUNICODE8", "\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\xffabc.", "declares 18446744073709551615 bytes"},
		{"huge BINBYTES8", "\x80\x04\x8e" + ptU64(1<<62) + ".", "declares 4611686018427387904 bytes"},
		{"huge FRAME", "\x80\x04\x95" + ptU64(1<<40) + "N.", "frame of"},
		{"huge LONG4", "\x80\x02\x8b" + ptU32(1000) + strings.Repeat("\x01", 1000) + ".", "integer of 1000 bytes"},
		{"memo out of range", "\x80\x02K\x01q\x00h\x05.", "memo index 5 was never stored"},
		{"long memo out of range", "\x80\x02j\xff\xff\xff\xff.", "memo index 4294967295"},
		{"REDUCE non-callable", "\x80\x02K\x01)R.", "call of int"},
		{"REDUCE storage class", "\x80\x02ctorch\nFloatStorage\n)R.", "call of torch.FloatStorage"},
		{"REDUCE args not tuple", "\x80\x02ccollections\nOrderedDict\n]R.", "not a tuple"},
		{"NEWOBJ tensor", "\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)\x81.", "only collections.OrderedDict"},
		{"BUILD list", "\x80\x02]}b.", "only an OrderedDict's state"},
		{"unhashable key", "\x80\x02}]K\x01s.", "unhashable"},
		{"append to int", "\x80\x02K\x01K\x02a.", "not a list"},
		{"setitem on list", "\x80\x02]K\x01K\x02s.", "not a dict"},
		{"stack underflow", "\x80\x02R.", "stack underflow"},
		{"pop through mark", "\x80\x02K\x01(\x86.", "stack underflow"},
		{"no mark", "\x80\x02K\x01t.", "no MARK"},
		{"mark left", "\x80\x02(K\x01.", "MARK left"},
		{"two values", "\x80\x02K\x01K\x02.", "2 values on the stack"},
		{"empty", "", "truncated"},
		{"no stop", "\x80\x02K\x01", "truncated"},
		{"truncated BININT", "\x80\x02J\x01\x02", "truncated"},
		{"truncated GLOBAL", "\x80\x02ccollections\nOrdered", "truncated"},
		{"protocol 9", "\x80\x09N.", "protocol 9"},
		{"text opcode", "\x80\x02I1\n.", "not supported"},
		{"invalid utf8", "\x80\x02X\x01\x00\x00\x00\xff.", "UTF-8"},
		{"persid not tuple", "\x80\x02K\x01Q.", "persistent id is int"},
		{"persid storage type", "\x80\x02(X\x07\x00\x00\x00storagecos\nsystem\n", "global os.system is not allowed"},
		{"persid bad numel", "\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuJ\xff\xff\xff\xfftQ.", "numel is -1"},
		{"persid kind", "\x80\x02(X\x04\x00\x00\x00evilK\x01K\x02K\x03K\x04tQ.", "want 'storage'"},
		{"rebuild wrong storage", "\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(K\x01K\x00)))\x89}tR.", "not a persistent storage"},
		{"deep tuple key", "\x80\x02}K\x01" + strings.Repeat("\x85", 200) + "K\x01s.", "nested deeper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ptUnpickle([]byte(c.pkl))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	// The same through ReadTorchFrom: a FileError naming the file and
	// data.pkl, with the global in the message.
	b := ptZip(t, ptZipEntry{"ckpt/data.pkl", []byte(cases[0].pkl)})
	_, err := ReadTorchFrom("evil.pt", bytes.NewReader(b), int64(len(b)))
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != "evil.pt" || fe.Field != "ckpt/data.pkl" || !strings.Contains(err.Error(), "os.system") || !strings.Contains(err.Error(), "nothing was executed") {
		t.Fatalf("err = %v", err)
	}
}

// TestUnpickleTruncated cuts a real torch pickle at every length: each
// prefix must fail cleanly.
func TestUnpickleTruncated(t *testing.T) {
	for _, file := range []string{"gru_state_dict.pt", "torch_proto5.pt"} {
		b := ptFixturePickle(t, file)
		for n := range len(b) {
			if _, err := ptUnpickle(b[:n]); err == nil {
				t.Fatalf("%s: prefix of %d bytes of %d accepted", file, n, len(b))
			}
		}
	}
}

// TestUnpickleVisitBudget builds a DAG of lists that would take 2^40 steps
// to walk as a tree and checks that the walk is refused within its budget.
func TestUnpickleVisitBudget(t *testing.T) {
	var p ptPickler
	p.Write([]byte{pklProto, 2, pklEmptyList})
	p.put(0)
	p.WriteByte(pklPop)
	for range 40 {
		// memo[0] = [memo[0], memo[0]]
		p.WriteByte(pklMark)
		p.get(0)
		p.get(0)
		p.WriteByte(pklList)
		p.put(0)
		p.WriteByte(pklPop)
	}
	p.get(0)
	p.WriteByte(pklStop)
	v, err := ptUnpickle(p.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ptTensors("dag.pt", v, "", nil, 1<<20)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrLimit", err)
	}
}

// ptFuzzStorage serves zero bytes for small storages and refuses big ones.
func ptFuzzStorage(st *ptStorage) ([]byte, binary.ByteOrder, error) {
	n := st.numel * int64(st.itemSize)
	if st.numel > 1<<16 {
		return nil, nil, ErrLimit
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b, binary.LittleEndian, nil
}

// FuzzPickle runs arbitrary bytes through the restricted unpickler and the
// tensor walk: no panic, no unbounded allocation, and every tensor has as
// many values as its shape declares.
func FuzzPickle(f *testing.F) {
	for _, file := range []string{"gru_state_dict.pt", "leaky_rnn_state_dict.pt", "torch_views.pt", "torch_checkpoint.pt", "torch_proto4.pt", "torch_proto5.pt", "torch_parameter.pt", "torch_bare.pt"} {
		f.Add(ptFixturePickle(f, file))
	}
	f.Add([]byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R."))
	f.Add([]byte("\x80\x04\x8c\x05torch\x8c\x04Size\x93K\x02K\x03\x86\x85R."))
	f.Add([]byte("\x80\x04(K\x01K\x01K\x02\x91\x8f(K\x01\x88\x90\x86."))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ptUnpickle(b)
		if err != nil {
			return
		}
		ts, err := ptTensors("fuzz.pt", v, "bare", ptFuzzStorage, 1<<22)
		if err != nil {
			return
		}
		for _, x := range ts {
			if len(x.Data) != x.Len() {
				t.Fatalf("%s: %d values for shape %v", x.Name, len(x.Data), x.Shape)
			}
			for _, d := range x.Data {
				if math.IsNaN(d) && x.DType != Float16 && x.DType != BFloat16 && x.DType != Float32 && x.DType != Float64 {
					t.Fatalf("%s: NaN in an integer tensor", x.Name)
				}
			}
		}
	})
}

// TestPicklerInts checks the integer opcodes the writer picks, by reading
// them back.
func TestPicklerInts(t *testing.T) {
	for _, v := range []int64{0, 255, 256, 65535, 65536, 1<<31 - 1, 1 << 31, 1<<32 + 5, 1<<55 + 3, math.MaxInt64} {
		var p ptPickler
		p.Write([]byte{pklProto, 2})
		p.int(v)
		p.WriteByte(pklStop)
		got, err := ptUnpickle(p.Bytes())
		if err != nil || got != any(v) {
			t.Errorf("int %d read back as %v (%v)", v, got, err)
		}
	}
}
