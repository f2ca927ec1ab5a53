package saved

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// ptLegacyMagic is the magic number 0x1950a86a20f9469cfc6c that starts
// a checkpoint in the legacy (before PyTorch 1.6) format, as the LONG1
// opcode pickles it (10 bytes, little-endian).
var ptLegacyMagic = []byte{0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}

// ptIsLegacy reports whether head, the first bytes of a file, is a pickle
// whose first value is the legacy magic number: PROTO n, an optional
// FRAME, then the magic.
func ptIsLegacy(head []byte) bool {
	if len(head) < 2 || head[0] != pklProto {
		return false
	}
	head = head[2:]
	if len(head) > 9 && head[0] == pklFrame {
		head = head[9:]
	}
	return bytes.HasPrefix(head, ptLegacyMagic)
}

// errPTLegacy explains how to convert a legacy checkpoint.
var errPTLegacy = errors.New("legacy (PyTorch < 1.6) checkpoint format is not read; convert it with a current PyTorch: " +
	"python3 -c 'import torch; torch.save(torch.load(\"old.pt\"), \"new.pt\")' " +
	"(torch.save writes the zip format, _use_new_zipfile_serialization=True, by default)")

// ReadTorch reads a PyTorch checkpoint under DefaultLimits. See
// Limits.ReadTorchFrom.
func ReadTorch(name string) ([]Tensor, error) { return DefaultLimits.ReadTorch(name) }

// ReadTorchFrom reads a PyTorch checkpoint under DefaultLimits. See
// Limits.ReadTorchFrom.
func ReadTorchFrom(name string, r io.ReaderAt, size int64) ([]Tensor, error) {
	return DefaultLimits.ReadTorchFrom(name, r, size)
}

// ReadTorch opens the file name and reads it as a PyTorch checkpoint; see
// ReadTorchFrom.
func (l Limits) ReadTorch(name string) ([]Tensor, error) {
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return l.ReadTorchFrom(name, f, fi.Size())
}

// ReadTorchFrom reads the PyTorch checkpoint r of size bytes, as
// torch.save writes it since PyTorch 1.6: a zip archive whose entries share
// one top directory <archive> (the directory of the first entry), holding
// the pickle <archive>/data.pkl, one entry <archive>/data/<key> per
// storage, <archive>/version and, from PyTorch 2, <archive>/byteorder.
// name is used in errors, which are *FileError naming the file and the
// entry, tensor or global at fault.
//
// The pickle is run by a restricted unpickler that executes nothing and
// accepts only the globals torch.load(weights_only=True) accepts for
// weights (collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// _rebuild_parameter, _rebuild_parameter_with_state, torch.Size,
// torch.device, storage classes and dtypes); a checkpoint naming any other
// global, such as os.system, is refused with an error naming it.
//
// The tensors returned are those reachable from the pickled object through
// dicts, lists and tuples, in the order they appear, each converted to
// float64 in row-major order whatever its storage's type (float16,
// bfloat16, float32, float64, int64, int32, int16, int8, uint8, bool) and
// strides. A state dict, the usual case, gives its keys as names
// ("weight_ih_l0", "W_in.weight"). Inside a larger checkpoint, names are
// the dotted paths of keys and list indices: {"model_state_dict":
// {"W_in.weight": w}, "epoch": 3} gives "model_state_dict.W_in.weight",
// and non-tensor values such as the epoch are skipped. A checkpoint that is
// one bare tensor gives one tensor named after the file (without directory
// and extension). A checkpoint holding no tensors gives an empty list.
//
// Every storage is checked before its data is used: the entry must hold
// numel·itemsize bytes for the numel its persistent id declares, and each
// tensor's offset and extent, offset + Σ (size_i − 1)·stride_i, must lie
// within numel. Entries are bounded by l.MaxEntryBytes and their sum by
// l.MaxTotalBytes, the pickle by l.MaxHeaderBytes, and the tensors' total
// size as float64 by l.MaxTotalBytes.
//
// A checkpoint in the legacy format of PyTorch before 1.6 is refused with
// an error that says how to convert it.
func (l Limits) ReadTorchFrom(name string, r io.ReaderAt, size int64) ([]Tensor, error) {
	l = l.orDefault()
	var head [32]byte
	n, _ := r.ReadAt(head[:], 0)
	switch {
	case n >= 4 && string(head[:4]) == "PK\x03\x04":
	case ptIsLegacy(head[:n]):
		return nil, &FileError{File: name, Field: "format", Err: errPTLegacy}
	case ptIsTar(r, size):
		return nil, &FileError{File: name, Field: "format", Err: fmt.Errorf("tar archive: %w", errPTLegacy)}
	default:
		return nil, &FileError{File: name, Field: "format", Err: errors.New("not a PyTorch checkpoint (no zip header)")}
	}
	zr, err := l.openZip(name, r, size)
	if err != nil {
		return nil, err
	}
	if len(zr.File) == 0 {
		return nil, &FileError{File: name, Field: "zip", Err: errors.New("empty archive")}
	}
	first := zr.File[0].Name
	slash := strings.IndexByte(first, '/')
	if slash <= 0 {
		return nil, &FileError{File: name, Field: first, Err: errors.New("first entry is not inside an archive directory")}
	}
	prefix := first[:slash+1]
	entries := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if rest, ok := strings.CutPrefix(f.Name, prefix); ok {
			entries[rest] = f
		}
	}
	rd := &ptReader{name: name, prefix: prefix, entries: entries, lim: l, left: l.MaxTotalBytes,
		order: binary.LittleEndian, cache: map[string][]byte{}}
	if err := rd.readVersion(); err != nil {
		return nil, err
	}
	if err := rd.readByteOrder(); err != nil {
		return nil, err
	}
	pf, ok := entries["data.pkl"]
	if !ok {
		return nil, &FileError{File: name, Field: prefix + "data.pkl", Err: errors.New("entry missing")}
	}
	pkl, err := readZipEntry(pf, min(l.MaxHeaderBytes, rd.left))
	if err != nil {
		return nil, &FileError{File: name, Field: pf.Name, Err: err}
	}
	rd.left -= int64(len(pkl))
	root, err := ptUnpickle(pkl)
	if err != nil {
		return nil, &FileError{File: name, Field: pf.Name, Err: err}
	}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	return ptTensors(name, root, base, rd.storage, l.MaxTotalBytes)
}

// ptIsTar reports whether r looks like a tar archive (the oldest
// torch.save format), by the "ustar" magic at byte 257.
func ptIsTar(r io.ReaderAt, size int64) bool {
	if size < 262 {
		return false
	}
	var m [5]byte
	n, _ := r.ReadAt(m[:], 257)
	return n == 5 && string(m[:]) == "ustar"
}

// ptReader reads the entries of one checkpoint archive.
type ptReader struct {
	name    string
	prefix  string
	entries map[string]*zip.File // by name without prefix
	lim     Limits
	left    int64 // bytes of entries that may still be read
	order   binary.ByteOrder
	cache   map[string][]byte // storage bytes by key
}

// readSmall reads the optional small entry rel (at most 64 bytes) and
// returns it trimmed of white space, or ok = false if it is absent.
func (rd *ptReader) readSmall(rel string) (s string, ok bool, err error) {
	f, ok := rd.entries[rel]
	if !ok {
		return "", false, nil
	}
	b, err := readZipEntry(f, 64)
	if err != nil {
		return "", true, &FileError{File: rd.name, Field: f.Name, Err: err}
	}
	return strings.TrimSpace(string(b)), true, nil
}

// readVersion checks the format version in version or .data/version, if
// present: a positive decimal integer. PyTorch 1.6 to 2.x write 3; the
// version concerns TorchScript operators, not how tensors are stored.
func (rd *ptReader) readVersion() error {
	for _, rel := range []string{".data/version", "version"} {
		s, ok, err := rd.readSmall(rel)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if v, err := strconv.Atoi(s); err != nil || v < 1 {
			return &FileError{File: rd.name, Field: rd.prefix + rel, Err: fmt.Errorf("version %q is not a positive integer", s)}
		}
		return nil
	}
	return nil
}

// readByteOrder reads the optional byteorder entry, "little" or "big".
func (rd *ptReader) readByteOrder() error {
	s, ok, err := rd.readSmall("byteorder")
	if err != nil || !ok {
		return err
	}
	switch s {
	case "little":
		rd.order = binary.LittleEndian
	case "big":
		rd.order = binary.BigEndian
	default:
		return &FileError{File: rd.name, Field: rd.prefix + "byteorder", Err: fmt.Errorf("byte order %q, want little or big", s)}
	}
	return nil
}

// storage returns the bytes and byte order of st, read once from
// data/<key> and checked to hold numel·itemsize bytes.
func (rd *ptReader) storage(st *ptStorage) ([]byte, binary.ByteOrder, error) {
	if b, ok := rd.cache[st.key]; ok {
		return b, rd.order, nil
	}
	rel := "data/" + st.key
	f, ok := rd.entries[rel]
	if !ok {
		return nil, nil, fmt.Errorf("storage entry %s%s missing", rd.prefix, rel)
	}
	if st.numel > math.MaxInt64/int64(st.itemSize) {
		return nil, nil, fmt.Errorf("storage %q declares %d elements: %w", st.key, st.numel, ErrLimit)
	}
	need := st.numel * int64(st.itemSize)
	if f.UncompressedSize64 < uint64(need) {
		return nil, nil, fmt.Errorf("storage entry %s has %d bytes, %s of %d elements needs %d", f.Name, f.UncompressedSize64, st.typ, st.numel, need)
	}
	// The budget: the entry's bytes and the float64 copy of its elements,
	// checked before the entry is inflated.
	if mem := int64(f.UncompressedSize64); st.numel > (math.MaxInt64-mem)/8 || mem+8*st.numel > rd.left {
		return nil, nil, fmt.Errorf("storage entry %s: %d stored bytes and %d elements as float64 exceed the %d bytes left of the budget: %w",
			f.Name, f.UncompressedSize64, st.numel, rd.left, ErrLimit)
	}
	b, err := readZipEntry(f, min(rd.lim.MaxEntryBytes, rd.left))
	if err != nil {
		return nil, nil, fmt.Errorf("storage entry %s: %w", f.Name, err)
	}
	rd.left -= int64(len(b))
	b = b[:need]
	rd.cache[st.key] = b
	return b, rd.order, nil
}

// ptStorageFunc returns the bytes of a storage, at least numel·itemsize
// of them, and their byte order.
type ptStorageFunc func(st *ptStorage) ([]byte, binary.ByteOrder, error)

// ptTensors walks root, the unpickled object, for tensors (see
// ReadTorchFrom for the naming) and reads each through storage. The total
// of 8 bytes per element is bounded by maxBytes. Errors are *FileError with
// File = file and Field = the tensor's name.
func ptTensors(file string, root any, bareName string, storage ptStorageFunc, maxBytes int64) ([]Tensor, error) {
	w := &ptWalker{file: file, storage: storage, left: maxBytes, names: map[string]bool{}}
	if t, ok := root.(*ptTensorRef); ok {
		if bareName == "" {
			bareName = "tensor"
		}
		if err := w.add(bareName, t); err != nil {
			return nil, err
		}
		return w.out, nil
	}
	if err := w.walk(root, "", 0); err != nil {
		return nil, err
	}
	return w.out, nil
}

// ptWalker collects the tensors of an unpickled object.
type ptWalker struct {
	file    string
	storage ptStorageFunc
	left    int64 // bytes of float64 data that may still be allocated
	visits  int
	names   map[string]bool
	out     []Tensor
}

// walk visits v at path prefix and depth.
func (w *ptWalker) walk(v any, prefix string, depth int) error {
	switch v.(type) {
	case *pyDict, *pyList, pyTuple:
	default:
		return nil
	}
	if depth > pickleMaxDepth {
		return &FileError{File: w.file, Field: prefix, Err: fmt.Errorf("containers nested deeper than %d: %w", pickleMaxDepth, ErrLimit)}
	}
	child := func(key string, c any) error {
		w.visits++
		if w.visits > pickleMaxVisits {
			return &FileError{File: w.file, Field: prefix, Err: fmt.Errorf("more than %d container items: %w", pickleMaxVisits, ErrLimit)}
		}
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		if t, ok := c.(*ptTensorRef); ok {
			return w.add(path, t)
		}
		return w.walk(c, path, depth+1)
	}
	switch x := v.(type) {
	case *pyDict:
		for i, k := range x.keys {
			if err := child(ptKeyName(k), x.vals[i]); err != nil {
				return err
			}
		}
	case *pyList:
		for i, c := range x.items {
			if err := child(strconv.Itoa(i), c); err != nil {
				return err
			}
		}
	case pyTuple:
		for i, c := range x {
			if err := child(strconv.Itoa(i), c); err != nil {
				return err
			}
		}
	}
	return nil
}

// ptKeyName formats a dict key as part of a tensor name.
func ptKeyName(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return pickleTypeName(k)
}

// add reads the tensor t and appends it under name.
func (w *ptWalker) add(name string, t *ptTensorRef) error {
	if w.names[name] {
		return &FileError{File: w.file, Field: name, Err: errors.New("two tensors have this name")}
	}
	w.names[name] = true
	data, err := w.read(t)
	if err != nil {
		return &FileError{File: w.file, Field: name, Err: err}
	}
	shape := make([]int, len(t.size))
	for i, d := range t.size {
		shape[i] = int(d)
	}
	w.out = append(w.out, Tensor{Name: name, Shape: shape, DType: t.storage.dtype, Data: data})
	return nil
}

// read checks the view t against its storage and returns its elements in
// row-major order as float64.
func (w *ptWalker) read(t *ptTensorRef) ([]float64, error) {
	st := t.storage
	// Element count, bounded by the float64 budget before anything is read.
	n := int64(1)
	for _, d := range t.size {
		if d != 0 && n > (w.left/8)/d {
			return nil, fmt.Errorf("size %v needs more than the %d bytes left for tensors as float64: %w", t.size, w.left, ErrLimit)
		}
		n *= d
	}
	if n == 0 {
		if t.offset > st.numel {
			return nil, fmt.Errorf("storage_offset %d beyond storage %q of %d elements", t.offset, st.key, st.numel)
		}
		return []float64{}, nil
	}
	// Extent: the last element the view touches, offset + Σ (size_i−1)·stride_i.
	last := t.offset
	for i, d := range t.size {
		s := t.stride[i]
		if s != 0 && d-1 > (math.MaxInt64-last)/s {
			return nil, fmt.Errorf("size %v and stride %v overflow", t.size, t.stride)
		}
		last += (d - 1) * s
	}
	if last >= st.numel {
		return nil, fmt.Errorf("storage_offset %d, size %v and stride %v reach element %d of storage %q, which has %d elements",
			t.offset, t.size, t.stride, last, st.key, st.numel)
	}
	b, order, err := w.storage(st)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) < st.numel*int64(st.itemSize) {
		return nil, fmt.Errorf("storage %q has %d bytes, %d elements of %s need %d", st.key, len(b), st.numel, st.typ, st.numel*int64(st.itemSize))
	}
	w.left -= 8 * n
	out := make([]float64, n)
	elem := ptElemFunc(st.dtype, order)
	k := int64(st.itemSize)
	nd := len(t.size)
	idx := make([]int64, nd)
	pos := t.offset
	for j := range out {
		out[j] = elem(b[pos*k:])
		// Advance the multi-index in row-major order.
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			pos += t.stride[d]
			if idx[d] < t.size[d] {
				break
			}
			pos -= t.stride[d] * idx[d]
			idx[d] = 0
		}
	}
	return out, nil
}

// ptElemFunc returns the decoder of one element of type dt.
func ptElemFunc(dt DType, o binary.ByteOrder) func([]byte) float64 {
	switch dt {
	case Float16:
		return func(b []byte) float64 { return Float16ToFloat64(o.Uint16(b)) }
	case BFloat16:
		return func(b []byte) float64 { return BFloat16ToFloat64(o.Uint16(b)) }
	case Float32:
		return func(b []byte) float64 { return float64(math.Float32frombits(o.Uint32(b))) }
	case Float64:
		return func(b []byte) float64 { return math.Float64frombits(o.Uint64(b)) }
	case Int64:
		return func(b []byte) float64 { return float64(int64(o.Uint64(b))) }
	case Int32:
		return func(b []byte) float64 { return float64(int32(o.Uint32(b))) }
	case ptInt16:
		return func(b []byte) float64 { return float64(int16(o.Uint16(b))) }
	case ptInt8:
		return func(b []byte) float64 { return float64(int8(b[0])) }
	case ptUint8:
		return func(b []byte) float64 { return float64(b[0]) }
	case ptBool:
		return func(b []byte) float64 {
			if b[0] != 0 {
				return 1
			}
			return 0
		}
	}
	panic("saved: ptElemFunc: unknown dtype " + string(dt))
}

// WriteTorch writes tensors to the file name as a PyTorch checkpoint of
// float32 tensors; see WriteTorchAs.
func WriteTorch(name string, tensors []Tensor) error { return WriteTorchAs(name, tensors, Float32) }

// WriteTorchAs writes tensors to the file name as a PyTorch checkpoint
// holding an OrderedDict from each tensor's name to a tensor of dtype
// (Float32, Float64, Float16 or BFloat16), in the order given, as
// torch.save(state_dict, name) writes it: a zip archive of stored entries
// archive/data.pkl (a protocol 2 pickle), archive/data/0, archive/data/1, …
// (one little-endian storage per tensor, contiguous, row-major),
// archive/version ("3") and archive/byteorder ("little"), each entry's data
// aligned to 64 bytes by padding in the zip extra field as torch does.
// torch.load(name, weights_only=True) reads it, and
// module.load_state_dict accepts it when the names and shapes match the
// module's. Values are rounded to nearest-even; a finite value beyond the
// range of dtype is an error. The bytes depend only on the arguments. The
// file is written atomically (see WriteFileAtomic) with permission 0644.
func WriteTorchAs(name string, tensors []Tensor, dtype DType) error {
	var buf bytes.Buffer
	if err := ptEncode(&buf, tensors, dtype); err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.File = name
			return fe
		}
		return &FileError{File: name, Err: err}
	}
	return WriteFileAtomic(name, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}, 0o644)
}

// ptWriteTypes maps the dtypes WriteTorchAs writes to their storage
// classes and element sizes.
var ptWriteTypes = map[DType]struct {
	storage string
	size    int
}{
	Float32:  {"FloatStorage", 4},
	Float64:  {"DoubleStorage", 8},
	Float16:  {"HalfStorage", 2},
	BFloat16: {"BFloat16Storage", 2},
}

// ptArchive is the top directory of the archives WriteTorchAs writes.
const ptArchive = "archive/"

// ptEncode writes the checkpoint WriteTorchAs describes to w. Errors
// about one tensor are *FileError with Field = its name and no File.
func ptEncode(w io.Writer, tensors []Tensor, dtype DType) error {
	wt, ok := ptWriteTypes[dtype]
	if !ok {
		return fmt.Errorf("dtype %q cannot be written, want float32, float64, float16 or bfloat16", dtype)
	}
	seen := map[string]bool{}
	type entry struct {
		name string
		data []byte
	}
	var entries []entry
	storages := make([][]byte, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if err := npyCheckTensor(t); err != nil {
			return &FileError{Field: t.Name, Err: err}
		}
		if seen[t.Name] {
			return &FileError{Field: t.Name, Err: errors.New("duplicate tensor name")}
		}
		seen[t.Name] = true
		b, err := ptEncodeData(t.Data, dtype, wt.size)
		if err != nil {
			return &FileError{Field: t.Name, Err: err}
		}
		storages[i] = b
	}
	entries = append(entries, entry{"data.pkl", ptEncodePickle(tensors, wt.storage)})
	for i, b := range storages {
		entries = append(entries, entry{"data/" + strconv.Itoa(i), b})
	}
	entries = append(entries, entry{"version", []byte("3\n")}, entry{"byteorder", []byte("little")})

	zw := zip.NewWriter(w)
	var off int64 // offset of the next local header, counted here
	for _, e := range entries {
		name := ptArchive + e.name
		// Pad with an extra field "FB" (as torch's writer does) so that
		// the data starts at a multiple of 64 bytes.
		const localHeader = 30
		pad := (64 - (off+localHeader+int64(len(name))+4)%64) % 64
		extra := make([]byte, 4+pad)
		copy(extra, "FB")
		binary.LittleEndian.PutUint16(extra[2:], uint16(pad))
		fh := &zip.FileHeader{
			Name:               name,
			Method:             zip.Store,
			CRC32:              crc32.ChecksumIEEE(e.data),
			CompressedSize64:   uint64(len(e.data)),
			UncompressedSize64: uint64(len(e.data)),
			Extra:              extra,
		}
		ew, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := ew.Write(e.data); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		off += localHeader + int64(len(name)) + int64(len(extra)) + int64(len(e.data))
	}
	return zw.Close()
}

// ptEncodeData encodes data as little-endian elements of dtype, size
// bytes each.
func ptEncodeData(data []float64, dtype DType, size int) ([]byte, error) {
	b := make([]byte, len(data)*size)
	for i, v := range data {
		e := b[i*size:]
		finite := !math.IsInf(v, 0) && !math.IsNaN(v)
		var inf bool
		switch dtype {
		case Float64:
			binary.LittleEndian.PutUint64(e, math.Float64bits(v))
		case Float32:
			f := float32(v)
			inf = math.IsInf(float64(f), 0)
			binary.LittleEndian.PutUint32(e, math.Float32bits(f))
		case Float16:
			h := Float64ToFloat16(v)
			inf = h&0x7fff == 0x7c00
			binary.LittleEndian.PutUint16(e, h)
		case BFloat16:
			h := Float64ToBFloat16(v)
			inf = h&0x7fff == 0x7f80
			binary.LittleEndian.PutUint16(e, h)
		}
		if finite && inf {
			return nil, fmt.Errorf("element %d = %g is beyond the range of %s", i, v, dtype)
		}
	}
	return b, nil
}

// ptPickler writes the pickle opcodes of a state dict.
type ptPickler struct{ bytes.Buffer }

func (p *ptPickler) str(s string) {
	p.WriteByte(pklBinUnicode)
	p.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(s))))
	p.WriteString(s)
}

func (p *ptPickler) global(module, name string) {
	p.WriteByte(pklGlobal)
	p.WriteString(module + "\n" + name + "\n")
}

func (p *ptPickler) put(i byte) { p.Write([]byte{pklBinPut, i}) }
func (p *ptPickler) get(i byte) { p.Write([]byte{pklBinGet, i}) }

// int writes a non-negative integer in the shortest opcode.
func (p *ptPickler) int(v int64) {
	switch {
	case v < 0x100:
		p.Write([]byte{pklBinInt1, byte(v)})
	case v < 0x10000:
		p.WriteByte(pklBinInt2)
		p.Write(binary.LittleEndian.AppendUint16(nil, uint16(v)))
	case v < 0x80000000:
		p.WriteByte(pklBinInt)
		p.Write(binary.LittleEndian.AppendUint32(nil, uint32(v)))
	default:
		b := binary.LittleEndian.AppendUint64(nil, uint64(v))
		for len(b) > 1 && b[len(b)-1] == 0 && b[len(b)-2]&0x80 == 0 {
			b = b[:len(b)-1]
		}
		p.Write([]byte{pklLong1, byte(len(b))})
		p.Write(b)
	}
}

// tuple writes a tuple of non-negative integers.
func (p *ptPickler) tuple(vs []int64) {
	if len(vs) == 0 {
		p.WriteByte(pklEmptyTuple)
		return
	}
	if len(vs) > 3 {
		p.WriteByte(pklMark)
	}
	for _, v := range vs {
		p.int(v)
	}
	switch len(vs) {
	case 1:
		p.WriteByte(pklTuple1)
	case 2:
		p.WriteByte(pklTuple2)
	case 3:
		p.WriteByte(pklTuple3)
	default:
		p.WriteByte(pklTuple)
	}
}

// ptEncodePickle returns the protocol 2 pickle of an OrderedDict from
// each tensor's name to _rebuild_tensor_v2(storage i, 0, shape, contiguous
// stride, False, OrderedDict()), with storages of class storage, as
// torch.save writes it. Memo: 0 OrderedDict, 1 _rebuild_tensor_v2, 2 the
// storage class.
func ptEncodePickle(tensors []Tensor, storage string) []byte {
	var p ptPickler
	p.Write([]byte{pklProto, 2})
	p.global("collections", "OrderedDict")
	p.put(0)
	p.Write([]byte{pklEmptyTuple, pklReduce})
	if len(tensors) > 0 {
		p.WriteByte(pklMark)
	}
	for i := range tensors {
		t := &tensors[i]
		p.str(t.Name)
		if i == 0 {
			p.global("torch._utils", "_rebuild_tensor_v2")
			p.put(1)
		} else {
			p.get(1)
		}
		p.Write([]byte{pklMark, pklMark})
		p.str("storage")
		if i == 0 {
			p.global("torch", storage)
			p.put(2)
		} else {
			p.get(2)
		}
		p.str(strconv.Itoa(i))
		p.str("cpu")
		p.int(int64(len(t.Data)))
		p.Write([]byte{pklTuple, pklBinPersID})
		p.int(0)
		size := make([]int64, len(t.Shape))
		stride := make([]int64, len(t.Shape))
		s := int64(1)
		for d := len(t.Shape) - 1; d >= 0; d-- {
			size[d] = int64(t.Shape[d])
			stride[d] = s
			s *= max(size[d], 1) // torch's contiguous strides treat 0 as 1
		}
		p.tuple(size)
		p.tuple(stride)
		p.WriteByte(pklNewFalse)
		p.get(0)
		p.Write([]byte{pklEmptyTuple, pklReduce, pklTuple, pklReduce})
	}
	if len(tensors) > 0 {
		p.WriteByte(pklSetItems)
	}
	p.WriteByte(pklStop)
	return p.Bytes()
}
