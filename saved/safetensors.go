package saved

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"unicode/utf8"
)

// stMetadataKey is the reserved header key of the string-to-string
// metadata map.
const stMetadataKey = "__metadata__"

// stElemFor returns the element type of a safetensors dtype name. All
// safetensors data is little-endian.
func stElemFor(dtype string) (npyElem, bool) {
	descr := map[string]string{
		"F16": "<f2", "F32": "<f4", "F64": "<f8",
		"I8": "|i1", "I16": "<i2", "I32": "<i4", "I64": "<i8",
		"U8": "|u1", "U16": "<u2", "U32": "<u4", "U64": "<u8",
		"BOOL": "|b1",
	}[dtype]
	if descr != "" {
		return npyElemFor(descr)
	}
	if dtype == "BF16" {
		return npyElem{BFloat16, 2, func(b []byte) float64 { return BFloat16ToFloat64(binary.LittleEndian.Uint16(b)) }}, true
	}
	return npyElem{}, false
}

// stInfo is one tensor entry of a safetensors header.
type stInfo struct {
	DType       *string   `json:"dtype"`
	Shape       *[]uint64 `json:"shape"`
	DataOffsets *[]uint64 `json:"data_offsets"`
}

// stEntry is a validated tensor entry.
type stEntry struct {
	name       string
	elem       npyElem
	shape      []int
	n          int64
	begin, end int64
}

// ReadSafetensors reads a safetensors file under DefaultLimits. See
// Limits.ReadSafetensorsFrom.
func ReadSafetensors(name string) ([]Tensor, map[string]string, error) {
	return DefaultLimits.ReadSafetensors(name)
}

// ReadSafetensorsFrom reads safetensors data under DefaultLimits. See
// Limits.ReadSafetensorsFrom.
func ReadSafetensorsFrom(name string, r io.ReaderAt, size int64) ([]Tensor, map[string]string, error) {
	return DefaultLimits.ReadSafetensorsFrom(name, r, size)
}

// ReadSafetensors opens the file name and reads it; see ReadSafetensorsFrom.
func (l Limits) ReadSafetensors(name string) ([]Tensor, map[string]string, error) {
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return l.ReadSafetensorsFrom(name, f, fi.Size())
}

// ReadSafetensorsFrom reads the safetensors file r of size bytes: an 8-byte
// little-endian header length N, N bytes of a JSON object mapping each tensor
// name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the
// data that follows the header) plus an optional "__metadata__" map of
// strings, and the data. It returns the tensors in the order of their data
// and the metadata (nil if absent).
//
// As the format requires, the header must lie within the file, each tensor's
// byte range must hold exactly product(shape)·itemsize bytes, and the ranges
// must cover the data area without gaps or overlaps. Duplicate keys, unknown
// fields, an unknown dtype and sizes beyond l are errors. The dtypes F16, BF16,
// F32, F64, I8–I64, U8–U64 and BOOL are converted to float64. Errors are
// *FileError naming the file and the tensor or field at fault.
func (l Limits) ReadSafetensorsFrom(name string, r io.ReaderAt, size int64) ([]Tensor, map[string]string, error) {
	l = l.orDefault()
	ferr := func(field string, err error) ([]Tensor, map[string]string, error) {
		return nil, nil, &FileError{File: name, Field: field, Err: err}
	}
	if size < 8 {
		return ferr("header length", fmt.Errorf("file has %d bytes, fewer than the 8-byte header length", size))
	}
	var lb [8]byte
	if _, err := r.ReadAt(lb[:], 0); err != nil {
		return ferr("header length", err)
	}
	hlen := binary.LittleEndian.Uint64(lb[:])
	if hlen > uint64(size-8) {
		return ferr("header length", fmt.Errorf("declares %d bytes, file has %d bytes after the length", hlen, size-8))
	}
	if hlen > uint64(l.MaxHeaderBytes) {
		return ferr("header length", fmt.Errorf("declares %d bytes, limit %d: %w", hlen, l.MaxHeaderBytes, ErrLimit))
	}
	hdr := make([]byte, hlen)
	if _, err := r.ReadAt(hdr, 8); err != nil && hlen > 0 {
		return ferr("header", err)
	}
	dataStart := 8 + int64(hlen)
	dataLen := size - dataStart
	entries, meta, err := l.stParseHeader(hdr, dataLen)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.File = name
			return nil, nil, fe
		}
		return ferr("header", err)
	}
	ts := make([]Tensor, len(entries))
	for i, e := range entries {
		raw := make([]byte, e.end-e.begin)
		if _, err := r.ReadAt(raw, dataStart+e.begin); err != nil && !(errors.Is(err, io.EOF) && len(raw) == 0) {
			return ferr(e.name, fmt.Errorf("data: %w", err))
		}
		t := Tensor{Name: e.name, Shape: e.shape, DType: e.elem.dtype, Data: make([]float64, e.n)}
		sz := e.elem.size
		for j := range t.Data {
			t.Data[j] = e.elem.decode(raw[j*sz:])
		}
		ts[i] = t
	}
	return ts, meta, nil
}

// stParseHeader parses and validates a safetensors JSON header for a data
// area of dataLen bytes. It returns the entries sorted by offset. Errors
// about one tensor are *FileError with an empty File.
func (l Limits) stParseHeader(hdr []byte, dataLen int64) ([]stEntry, map[string]string, error) {
	if !utf8.Valid(hdr) {
		return nil, nil, errors.New("not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, stJSONErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("not a JSON object")
	}
	var entries []stEntry
	var meta map[string]string
	seen := map[string]bool{}
	var total int64
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, stJSONErr(err)
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return nil, nil, &FileError{Field: key, Err: errors.New("duplicate key")}
		}
		seen[key] = true
		if len(seen) > l.MaxEntries+1 {
			return nil, nil, fmt.Errorf("more than %d tensors: %w", l.MaxEntries, ErrLimit)
		}
		if key == stMetadataKey {
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, &FileError{Field: key, Err: stJSONErr(err)}
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, &FileError{Field: key, Err: stJSONErr(err)}
		}
		e, err := l.stCheckEntry(key, raw, dataLen)
		if err != nil {
			return nil, nil, &FileError{Field: key, Err: err}
		}
		if e.n*8 > l.MaxTotalBytes-total {
			return nil, nil, &FileError{Field: key, Err: fmt.Errorf("tensors exceed the limit of %d bytes of float64 in total: %w", l.MaxTotalBytes, ErrLimit)}
		}
		total += e.n * 8
		entries = append(entries, e)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, nil, stJSONErr(err)
	}
	if rest := hdr[dec.InputOffset():]; len(bytes.TrimRight(rest, " \t\r\n")) != 0 {
		return nil, nil, errors.New("text after the JSON object")
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	var at int64
	prev := ""
	for _, e := range entries {
		switch {
		case e.begin < at:
			return nil, nil, &FileError{Field: e.name, Err: fmt.Errorf("data_offsets [%d, %d] overlap tensor %q, which ends at %d", e.begin, e.end, prev, at)}
		case e.begin > at:
			return nil, nil, &FileError{Field: e.name, Err: fmt.Errorf("data_offsets [%d, %d] leave a gap after offset %d", e.begin, e.end, at)}
		}
		at, prev = e.end, e.name
	}
	if at != dataLen {
		return nil, nil, fmt.Errorf("tensors cover %d bytes, the data area has %d", at, dataLen)
	}
	return entries, meta, nil
}

// stJSONErr replaces the io.EOF a JSON decoder reports for a header that
// stops early with a clearer error.
func stJSONErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("JSON header ends early")
	}
	return err
}

// stCheckEntry validates one tensor entry of the header.
func (l Limits) stCheckEntry(name string, raw json.RawMessage, dataLen int64) (stEntry, error) {
	var info stInfo
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&info); err != nil {
		return stEntry{}, err
	}
	if info.DType == nil || info.Shape == nil || info.DataOffsets == nil {
		return stEntry{}, errors.New("needs dtype, shape and data_offsets")
	}
	elem, ok := stElemFor(*info.DType)
	if !ok {
		return stEntry{}, fmt.Errorf("dtype: unsupported %q", *info.DType)
	}
	off := *info.DataOffsets
	if len(off) != 2 {
		return stEntry{}, fmt.Errorf("data_offsets: %d numbers, want 2", len(off))
	}
	if off[0] > off[1] {
		return stEntry{}, fmt.Errorf("data_offsets: begin %d after end %d", off[0], off[1])
	}
	if off[1] > uint64(dataLen) {
		return stEntry{}, fmt.Errorf("data_offsets: [%d, %d] beyond the %d-byte data area", off[0], off[1], dataLen)
	}
	shape := *info.Shape
	if len(shape) > 64 {
		return stEntry{}, fmt.Errorf("shape: %d dimensions", len(shape))
	}
	n := uint64(1)
	zero := false
	for _, dim := range shape {
		if dim > uint64(l.MaxEntryBytes) {
			return stEntry{}, fmt.Errorf("shape: %v: dimension %d too large: %w", shape, dim, ErrLimit)
		}
		zero = zero || dim == 0
	}
	if zero {
		n = 0
	} else {
		for _, dim := range shape {
			if n > math.MaxInt64/8/dim {
				return stEntry{}, fmt.Errorf("shape: %v: element count overflows", shape)
			}
			n *= dim
		}
	}
	need := n * uint64(elem.size)
	if need != off[1]-off[0] {
		return stEntry{}, fmt.Errorf("shape %v declares %d elements of %s (%d bytes), data_offsets [%d, %d] hold %d bytes",
			shape, n, *info.DType, need, off[0], off[1], off[1]-off[0])
	}
	if need > uint64(l.MaxEntryBytes) {
		return stEntry{}, fmt.Errorf("shape: %v: %d bytes, limit %d: %w", shape, need, l.MaxEntryBytes, ErrLimit)
	}
	s := make([]int, len(shape))
	for i, dim := range shape {
		s[i] = int(dim)
	}
	return stEntry{name: name, elem: elem, shape: s, n: int64(n), begin: int64(off[0]), end: int64(off[1])}, nil
}

// WriteSafetensors writes tensors to the file name in the safetensors
// format, atomically (see WriteFileAtomic) with permission 0644. Every tensor
// is written as F64 (little-endian float64, row-major); the tensors are
// sorted by name and laid out contiguously in that order, metadata (which may
// be nil) is written as "__metadata__", and the header is padded with spaces
// to a multiple of 8 bytes, so the bytes depend only on the arguments.
func WriteSafetensors(name string, tensors []Tensor, metadata map[string]string) error {
	var buf bytes.Buffer
	if err := encodeSafetensors(&buf, tensors, metadata); err != nil {
		return &FileError{File: name, Err: err}
	}
	return WriteFileAtomic(name, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}, 0o644)
}

// encodeSafetensors writes the file WriteSafetensors describes to w.
func encodeSafetensors(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
		t := &tensors[i]
		if err := npyCheckTensor(t); err != nil {
			return err
		}
		if t.Name == stMetadataKey {
			return fmt.Errorf("tensor name %q is reserved", t.Name)
		}
	}
	sort.Slice(order, func(a, b int) bool { return tensors[order[a]].Name < tensors[order[b]].Name })
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("metadata %q is not UTF-8", k)
		}
	}
	jstr := func(s string) []byte {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(s) // a valid UTF-8 string always encodes
		return bytes.TrimRight(b.Bytes(), "\n")
	}
	var h bytes.Buffer
	h.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h.Write(jstr(stMetadataKey))
		h.WriteString(":{")
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			h.Write(jstr(k))
			h.WriteByte(':')
			h.Write(jstr(metadata[k]))
		}
		h.WriteByte('}')
	}
	var off int64
	for i, ti := range order {
		t := &tensors[ti]
		if i > 0 && t.Name == tensors[order[i-1]].Name {
			return fmt.Errorf("duplicate tensor name %q", t.Name)
		}
		if i > 0 || len(metadata) > 0 {
			h.WriteByte(',')
		}
		h.Write(jstr(t.Name))
		fmt.Fprintf(&h, `:{"dtype":"F64","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			fmt.Fprint(&h, d)
		}
		end := off + 8*int64(len(t.Data))
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	var lb [8]byte
	binary.LittleEndian.PutUint64(lb[:], uint64(h.Len()))
	if _, err := w.Write(lb[:]); err != nil {
		return err
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return err
	}
	var e [8]byte
	for _, ti := range order {
		for _, v := range tensors[ti].Data {
			binary.LittleEndian.PutUint64(e[:], math.Float64bits(v))
			if _, err := w.Write(e[:]); err != nil {
				return err
			}
		}
	}
	return nil
}
