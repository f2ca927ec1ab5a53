package saved

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Element types of NumPy arrays read by this package beyond the Float and
// Int types of Tensor. Values are converted to float64, so 64-bit integers
// beyond 2^53 in magnitude are rounded.
const (
	Bool   DType = "bool"
	Int8   DType = "int8"
	Int16  DType = "int16"
	Uint8  DType = "uint8"
	Uint16 DType = "uint16"
	Uint32 DType = "uint32"
	Uint64 DType = "uint64"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// npyElem describes one element type: its DType, its size in bytes and a
// function that decodes one element from the first size bytes of b.
type npyElem struct {
	dtype  DType
	size   int
	decode func(b []byte) float64
}

// npyElemFor returns the element type of a NumPy type string such as "<f8".
// Byte order '<' (little), '>' (big) or, for one-byte types, '|' is
// required; native order '=' and every other type (complex, structured,
// strings, objects) are refused.
func npyElemFor(descr string) (npyElem, bool) {
	if len(descr) != 3 {
		return npyElem{}, false
	}
	order, kind := descr[0], descr[1:]
	var bo binary.ByteOrder
	switch order {
	case '<':
		bo = binary.LittleEndian
	case '>':
		bo = binary.BigEndian
	case '|':
		switch kind {
		case "u1", "i1", "b1":
		default:
			return npyElem{}, false
		}
	default:
		return npyElem{}, false
	}
	if bo == nil {
		bo = binary.LittleEndian // one-byte types, order irrelevant
	}
	switch kind {
	case "f2":
		return npyElem{Float16, 2, func(b []byte) float64 { return Float16ToFloat64(bo.Uint16(b)) }}, true
	case "f4":
		return npyElem{Float32, 4, func(b []byte) float64 { return float64(math.Float32frombits(bo.Uint32(b))) }}, true
	case "f8":
		return npyElem{Float64, 8, func(b []byte) float64 { return math.Float64frombits(bo.Uint64(b)) }}, true
	case "i1":
		return npyElem{Int8, 1, func(b []byte) float64 { return float64(int8(b[0])) }}, true
	case "i2":
		return npyElem{Int16, 2, func(b []byte) float64 { return float64(int16(bo.Uint16(b))) }}, true
	case "i4":
		return npyElem{Int32, 4, func(b []byte) float64 { return float64(int32(bo.Uint32(b))) }}, true
	case "i8":
		return npyElem{Int64, 8, func(b []byte) float64 { return float64(int64(bo.Uint64(b))) }}, true
	case "u1":
		return npyElem{Uint8, 1, func(b []byte) float64 { return float64(b[0]) }}, true
	case "u2":
		return npyElem{Uint16, 2, func(b []byte) float64 { return float64(bo.Uint16(b)) }}, true
	case "u4":
		return npyElem{Uint32, 4, func(b []byte) float64 { return float64(bo.Uint32(b)) }}, true
	case "u8":
		return npyElem{Uint64, 8, func(b []byte) float64 { return float64(bo.Uint64(b)) }}, true
	case "b1":
		return npyElem{Bool, 1, func(b []byte) float64 {
			if b[0] != 0 {
				return 1
			}
			return 0
		}}, true
	}
	return npyElem{}, false
}

// npyHeader is the parsed dictionary of a .npy header.
type npyHeader struct {
	Descr   string
	Fortran bool
	Shape   []int64
}

// npyParseHeader parses the header dictionary of a .npy file, a Python dict
// literal such as
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (12, 12), }
//
// followed by spaces and a newline. It is a strict parser of exactly this
// form, not an evaluator: the keys 'descr', 'fortran_order' and 'shape' must
// each appear once and no other key may; descr is a quoted string without
// escapes, fortran_order is True or False, and shape is a tuple of
// non-negative decimal integers (a one-element tuple needs its comma, an
// integer may carry the Python 2 suffix L). Whitespace may separate tokens
// and commas may trail.
func npyParseHeader(s string) (npyHeader, error) {
	p := npyParser{s: s}
	var h npyHeader
	p.ws()
	if !p.eat('{') {
		return h, p.errf("expected '{'")
	}
	seen := map[string]bool{}
	for {
		p.ws()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if seen[key] {
			return h, p.errf("duplicate key %q", key)
		}
		seen[key] = true
		p.ws()
		if !p.eat(':') {
			return h, p.errf("expected ':' after key %q", key)
		}
		p.ws()
		switch key {
		case "descr":
			if h.Descr, err = p.str(); err != nil {
				return h, err
			}
		case "fortran_order":
			switch {
			case strings.HasPrefix(p.s[p.i:], "True"):
				h.Fortran = true
				p.i += 4
			case strings.HasPrefix(p.s[p.i:], "False"):
				p.i += 5
			default:
				return h, p.errf("fortran_order must be True or False")
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return h, err
			}
		default:
			return h, p.errf("unexpected key %q", key)
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		p.ws()
		if !p.eat('}') {
			return h, p.errf("expected ',' or '}'")
		}
		break
	}
	p.ws()
	if p.i != len(p.s) {
		return h, p.errf("unexpected text after '}'")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

// npyParser is the cursor of npyParseHeader.
type npyParser struct {
	s string
	i int
}

func (p *npyParser) errf(format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{p.i}, args...)...)
}

func (p *npyParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *npyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str parses a quoted string without escapes.
func (p *npyParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", p.errf("expected a quoted string")
	}
	q := p.s[p.i]
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch p.s[j] {
		case q:
			p.i = j + 1
			return p.s[start:j], nil
		case '\\', '\n', '\r':
			return "", p.errf("escape or newline in string")
		}
	}
	return "", p.errf("unterminated string")
}

// tuple parses a tuple of non-negative integers.
func (p *npyParser) tuple() ([]int64, error) {
	if !p.eat('(') {
		return nil, p.errf("shape must be a tuple")
	}
	dims := []int64{}
	for {
		p.ws()
		if p.eat(')') { // "()" or after a trailing comma
			return dims, nil
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		digits := p.s[start:p.i]
		if digits == "" {
			return nil, p.errf("expected a non-negative integer in shape")
		}
		if len(digits) > 1 && digits[0] == '0' {
			return nil, p.errf("integer with a leading zero in shape")
		}
		d, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return nil, p.errf("dimension %s out of range", digits)
		}
		p.eat('L')
		if len(dims) >= 64 {
			return nil, p.errf("more than 64 dimensions")
		}
		dims = append(dims, d)
		p.ws()
		if p.eat(',') {
			continue
		}
		p.ws()
		if !p.eat(')') {
			return nil, p.errf("expected ',' or ')' in shape")
		}
		if len(dims) == 1 {
			return nil, p.errf("one-element shape without a trailing comma")
		}
		return dims, nil
	}
}

// npyShapeString formats a shape as Python prints a tuple: (), (5,), (2, 3).
func npyShapeString(shape []int64) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(d, 10))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// npyCount returns the number of elements of shape, or false if it does not
// fit an int64.
func npyCount(shape []int64) (int64, bool) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			n = 0
		}
	}
	if n == 0 && len(shape) > 0 {
		return 0, true
	}
	for _, d := range shape {
		if d != 0 && n > math.MaxInt64/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// npyDecoder decodes .npy files under limits, counting the float64 bytes it
// has allocated against MaxTotalBytes.
type npyDecoder struct {
	lim  Limits
	used int64 // bytes of float64 data allocated so far
}

// npyMeta is what the prefix and header of a .npy file declare.
type npyMeta struct {
	h    npyHeader
	elem npyElem
	data int64 // offset of the data
	n    int64 // elements
}

// header parses the prefix and header of a .npy file of total bytes whose
// first bytes are b (at least the prefix and the header), and checks the
// sizes it declares against the file's size and d's limits, counting the
// float64 copy of the data against what is left of MaxTotalBytes. file
// names it in errors.
func (d *npyDecoder) header(file string, b []byte, total int64) (npyMeta, error) {
	ferr := func(field string, err error) error { return &FileError{File: file, Field: field, Err: err} }
	if len(b) < 10 || string(b[:6]) != npyMagic {
		return npyMeta{}, ferr("magic", fmt.Errorf("not a .npy file (no \\x93NUMPY prefix)"))
	}
	major, minor := b[6], b[7]
	var hlen uint64
	var pre int
	switch {
	case major == 1 && minor == 0:
		hlen, pre = uint64(binary.LittleEndian.Uint16(b[8:10])), 10
	case (major == 2 || major == 3) && minor == 0:
		if len(b) < 12 {
			return npyMeta{}, ferr("header length", fmt.Errorf("file has %d bytes, too short for a version %d.0 prefix", total, major))
		}
		hlen, pre = uint64(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return npyMeta{}, ferr("version", fmt.Errorf("unsupported format version %d.%d", major, minor))
	}
	if hlen > uint64(total-int64(pre)) {
		return npyMeta{}, ferr("header length", fmt.Errorf("declares %d bytes, file has %d bytes after the prefix", hlen, total-int64(pre)))
	}
	if hlen > uint64(d.lim.MaxHeaderBytes) {
		return npyMeta{}, ferr("header length", fmt.Errorf("declares %d bytes, limit %d: %w", hlen, d.lim.MaxHeaderBytes, ErrLimit))
	}
	if hlen > uint64(len(b)-pre) {
		return npyMeta{}, ferr("header", io.ErrUnexpectedEOF)
	}
	hdr := b[pre : pre+int(hlen)]
	if major == 3 && !utf8.Valid(hdr) {
		return npyMeta{}, ferr("header", errors.New("version 3.0 header is not UTF-8"))
	}
	h, err := npyParseHeader(string(hdr))
	if err != nil {
		return npyMeta{}, ferr("header", err)
	}
	elem, ok := npyElemFor(h.Descr)
	if !ok {
		return npyMeta{}, ferr("descr", fmt.Errorf("unsupported dtype %q", h.Descr))
	}
	dataLen := total - int64(pre) - int64(hlen)
	n, ok := npyCount(h.Shape)
	if !ok || n > math.MaxInt64/8 {
		return npyMeta{}, ferr("shape", fmt.Errorf("%s: element count overflows", npyShapeString(h.Shape)))
	}
	need := n * int64(elem.size)
	if need != dataLen {
		return npyMeta{}, ferr("shape", fmt.Errorf("%s declares %d elements of %s (%d bytes), file has %d bytes of data",
			npyShapeString(h.Shape), n, h.Descr, need, dataLen))
	}
	for _, dim := range h.Shape {
		if dim > int64(math.MaxInt) || dim > d.lim.MaxEntryBytes {
			return npyMeta{}, ferr("shape", fmt.Errorf("%s: dimension %d too large: %w", npyShapeString(h.Shape), dim, ErrLimit))
		}
	}
	if need > d.lim.MaxEntryBytes {
		return npyMeta{}, ferr("shape", fmt.Errorf("%s: %d bytes of data, limit %d: %w", npyShapeString(h.Shape), need, d.lim.MaxEntryBytes, ErrLimit))
	}
	if n*8 > d.lim.MaxTotalBytes-d.used {
		return npyMeta{}, ferr("shape", fmt.Errorf("%s: %d elements exceed the limit of %d bytes of float64 in total: %w",
			npyShapeString(h.Shape), n, d.lim.MaxTotalBytes, ErrLimit))
	}
	return npyMeta{h: h, elem: elem, data: int64(pre) + int64(hlen), n: n}, nil
}

// decode parses the .npy file b. file names it in errors and name becomes
// the tensor's name.
func (d *npyDecoder) decode(file, name string, b []byte) (Tensor, error) {
	m, err := d.header(file, b, int64(len(b)))
	if err != nil {
		return Tensor{}, err
	}
	h, elem, n, data := m.h, m.elem, m.n, b[m.data:]
	d.used += n * 8
	t := Tensor{Name: name, DType: elem.dtype, Shape: make([]int, len(h.Shape)), Data: make([]float64, n)}
	for i, dim := range h.Shape {
		t.Shape[i] = int(dim)
	}
	sz := elem.size
	if h.Descr == "<f8" && (!h.Fortran || len(t.Shape) < 2) {
		for i := range t.Data { // fast path for the common case
			t.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return t, nil
	}
	if !h.Fortran || len(t.Shape) < 2 {
		for i := range t.Data {
			t.Data[i] = elem.decode(data[i*sz:])
		}
		return t, nil
	}
	// Fortran order: the first index varies fastest in the file. Walk the
	// row-major destination with an odometer over the multi-index and
	// compute each element's Fortran offset.
	k := len(t.Shape)
	fstride := make([]int, k)
	s := 1
	for j := 0; j < k; j++ {
		fstride[j] = s
		s *= t.Shape[j]
	}
	idx := make([]int, k)
	off := 0
	for i := range t.Data {
		t.Data[i] = elem.decode(data[off*sz:])
		for j := k - 1; j >= 0; j-- {
			idx[j]++
			off += fstride[j]
			if idx[j] < t.Shape[j] {
				break
			}
			off -= idx[j] * fstride[j]
			idx[j] = 0
		}
	}
	return t, nil
}

// npyEncode returns t as a version 1.0 (or, for a header of 64 KiB or
// more, 2.0) .npy file of little-endian float64 in C order, byte for byte
// as numpy.save writes it.
func npyEncode(t *Tensor) ([]byte, error) {
	if err := npyCheckTensor(t); err != nil {
		return nil, err
	}
	shape := make([]int64, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int64(d)
	}
	hdr := "{'descr': '<f8', 'fortran_order': False, 'shape': " + npyShapeString(shape) + ", }"
	if len(shape) > 0 {
		// numpy leaves room to grow the first axis in place.
		hdr += strings.Repeat(" ", 21-len(strconv.Itoa(t.Shape[0])))
	}
	hl := len(hdr) + 1
	prefix := 10
	if 64-(prefix+hl)%64+hl > math.MaxUint16 {
		prefix = 12
	}
	pad := 64 - (prefix+hl)%64
	var buf bytes.Buffer
	buf.Grow(prefix + hl + pad + 8*len(t.Data))
	buf.WriteString(npyMagic)
	if prefix == 10 {
		buf.Write([]byte{1, 0})
		buf.Write(binary.LittleEndian.AppendUint16(nil, uint16(hl+pad)))
	} else {
		buf.Write([]byte{2, 0})
		buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(hl+pad)))
	}
	buf.WriteString(hdr)
	buf.WriteString(strings.Repeat(" ", pad))
	buf.WriteByte('\n')
	var e [8]byte
	for _, v := range t.Data {
		binary.LittleEndian.PutUint64(e[:], math.Float64bits(v))
		buf.Write(e[:])
	}
	return buf.Bytes(), nil
}

// npyCheckTensor checks that t can be written: a non-empty valid UTF-8
// name, non-negative dimensions and as many data elements as its shape.
func npyCheckTensor(t *Tensor) error {
	if t.Name == "" || !utf8.ValidString(t.Name) {
		return fmt.Errorf("tensor name %q is empty or not UTF-8", t.Name)
	}
	n := int64(1)
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", t.Name, t.Shape)
		}
		if d != 0 && n > math.MaxInt64/int64(d) {
			return fmt.Errorf("tensor %q: shape %v overflows", t.Name, t.Shape)
		}
		n *= int64(d)
	}
	if n != int64(len(t.Data)) {
		return fmt.Errorf("tensor %q: shape %v has %d elements, data has %d", t.Name, t.Shape, n, len(t.Data))
	}
	return nil
}

// ReadNPY reads a .npy file under DefaultLimits. See Limits.ReadNPY.
func ReadNPY(name string) ([]Tensor, error) { return DefaultLimits.ReadNPY(name) }

// ReadNPY reads the NumPy .npy file name (format versions 1.0, 2.0 and 3.0)
// and returns its one array as a tensor named after the file without its
// directory and ".npy" suffix. The element types <f2 <f4 <f8 <i1 <i2 <i4 <i8
// and unsigned, their big-endian forms and |u1 |i1 |b1 are read and
// converted to float64; a Fortran-order array is reordered to row-major.
// Object arrays are refused, so no pickle is ever run.
func (l Limits) ReadNPY(name string) ([]Tensor, error) {
	l = l.orDefault()
	b, err := readFileLimit(name, l.MaxEntryBytes+l.MaxHeaderBytes+12)
	if err != nil {
		return nil, err
	}
	d := npyDecoder{lim: l}
	t, err := d.decode(name, strings.TrimSuffix(filepath.Base(name), ".npy"), b)
	if err != nil {
		return nil, err
	}
	return []Tensor{t}, nil
}

// WriteNPY writes t to the file name as a .npy file of little-endian
// float64 in C order, atomically (see WriteFileAtomic), with permission 0644.
func WriteNPY(name string, t Tensor) error {
	b, err := npyEncode(&t)
	if err != nil {
		return &FileError{File: name, Field: t.Name, Err: err}
	}
	return WriteFileAtomic(name, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}, 0o644)
}

// readFileLimit reads the file name, refusing files of more than limit
// bytes before reading them.
func readFileLimit(name string, limit int64) ([]byte, error) {
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, &FileError{File: name, Err: fmt.Errorf("file has %d bytes, limit %d: %w", fi.Size(), limit, ErrLimit)}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if int64(len(b)) > limit {
		return nil, &FileError{File: name, Err: fmt.Errorf("file has more than %d bytes: %w", limit, ErrLimit)}
	}
	return b, nil
}
