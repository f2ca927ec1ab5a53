package saved

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a restricted unpickler: a stack machine over the binary
// pickle opcodes of protocols 2 to 5 that builds plain Go values and never
// executes anything. A GLOBAL resolves only to one of the few names that
// torch.load(weights_only=True) accepts for a state dict; any other global,
// such as os.system or builtins.eval, is an error naming it. Every count a
// pickle declares (string lengths, memo indices, stack depth, nesting) is
// bounded before anything is allocated.

// Bounds of the unpickler, beyond the bytes of the pickle itself.
const (
	pickleMaxStack   = 1 << 20 // values on the stack
	pickleMaxMarks   = 1 << 12 // nested MARKs (Python's own recursion limit is 1000)
	pickleMaxMemo    = 1 << 20 // memo entries
	pickleMaxDepth   = 100     // nesting of containers walked for tensors and dict keys
	pickleMaxVisits  = 1 << 20 // container items walked for tensors
	pickleMaxKeyLen  = 4096    // bytes of one canonical dict key
	pickleMaxBigInt  = 64      // bytes of one LONG1/LONG4 integer
	pickleMaxTensDim = 64      // dimensions of one tensor
)

// Python values produced by the unpickler. Ints are int64, floats float64,
// str string, bytes []byte, bools bool; the types below cover the rest.
type (
	// pyNone is Python's None.
	pyNone struct{}
	// pyTuple is a tuple.
	pyTuple []any
	// pyList is a list (a pointer, since lists are mutable and may be shared
	// through the memo).
	pyList struct{ items []any }
	// pySet is a set or frozenset; only its membership is kept.
	pySet struct {
		items []any
		index map[string]bool
	}
	// pyDict is a dict or collections.OrderedDict, which keep insertion
	// order.
	pyDict struct {
		keys, vals []any
		index      map[string]int
	}
	// pyBigInt is an integer that does not fit an int64, as its
	// little-endian two's complement bytes.
	pyBigInt []byte
	// pyGlobal is an allowed global that is a value, not a callable: a
	// storage type such as torch.FloatStorage or a dtype such as
	// torch.float32.
	pyGlobal struct{ module, name string }
	// pyCallable is an allowed global that REDUCE or NEWOBJ may call.
	pyCallable struct {
		module, name string
		call         func(u *unpickler, args pyTuple) (any, error)
	}
)

// ptStorage is a storage named by a persistent id ('storage',
// storage_type, key, location, numel): numel elements of dtype in the entry
// data/<key> of the archive.
type ptStorage struct {
	key      string
	typ      string // e.g. "FloatStorage"
	dtype    DType
	itemSize int
	numel    int64
	location string
}

// ptTensorRef is the result of torch._utils._rebuild_tensor_v2: a view
// of storage starting at element offset with the given size and stride (in
// elements).
type ptTensorRef struct {
	storage      *ptStorage
	offset       int64
	size, stride []int64
}

// Element types of storages outside the six DType constants; the values are
// exact in float64.
const (
	ptBool  DType = "bool"
	ptUint8 DType = "uint8"
	ptInt8  DType = "int8"
	ptInt16 DType = "int16"
)

// ptStorageTypes maps the storage classes of torch to their element
// types and sizes.
var ptStorageTypes = map[string]struct {
	dtype DType
	size  int
}{
	"FloatStorage":    {Float32, 4},
	"DoubleStorage":   {Float64, 8},
	"HalfStorage":     {Float16, 2},
	"BFloat16Storage": {BFloat16, 2},
	"LongStorage":     {Int64, 8},
	"IntStorage":      {Int32, 4},
	"ShortStorage":    {ptInt16, 2},
	"CharStorage":     {ptInt8, 1},
	"ByteStorage":     {ptUint8, 1},
	"BoolStorage":     {ptBool, 1},
}

// ptDTypeNames are the torch dtype objects that may appear as values
// (torch.float32 pickles as the global torch.float32).
var ptDTypeNames = map[string]bool{
	"float16": true, "half": true, "bfloat16": true, "float32": true, "float": true,
	"float64": true, "double": true, "int64": true, "long": true, "int32": true, "int": true,
	"int16": true, "short": true, "int8": true, "uint8": true, "bool": true,
}

// pickleAllowed lists the allowed globals as "module.name", for error
// messages.
const pickleAllowed = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, " +
	"torch._utils._rebuild_parameter, torch._utils._rebuild_parameter_with_state, " +
	"torch.Size, torch.device, torch.<T>Storage, torch.<dtype>"

// pickleGlobal resolves the global module.name, or returns an error naming
// it if it is not allowed.
func pickleGlobal(module, name string) (any, error) {
	switch module + "." + name {
	case "collections.OrderedDict":
		return &pyCallable{module, name, pickleOrderedDict}, nil
	case "torch._utils._rebuild_tensor_v2":
		return &pyCallable{module, name, pickleRebuildTensorV2}, nil
	case "torch._utils._rebuild_parameter":
		return &pyCallable{module, name, pickleRebuildParameter}, nil
	case "torch._utils._rebuild_parameter_with_state":
		return &pyCallable{module, name, pickleRebuildParameter}, nil
	case "torch.Size":
		return &pyCallable{module, name, pickleTorchSize}, nil
	case "torch.device":
		return &pyCallable{module, name, pickleTorchDevice}, nil
	}
	if module == "torch" {
		if _, ok := ptStorageTypes[name]; ok {
			return &pyGlobal{module, name}, nil
		}
		if ptDTypeNames[name] {
			return &pyGlobal{module, name}, nil
		}
	}
	return nil, fmt.Errorf("global %s.%s is not allowed (torch.load(weights_only=True) accepts only %s); nothing was executed. "+
		"A whole model pickled with torch.save(model) cannot be read: save its weights with torch.save(model.state_dict(), PATH)",
		pickleQuote(module), pickleQuote(name), pickleAllowed)
}

// pickleQuote returns s for an error message, quoted if it holds anything
// but the characters of a dotted Python name, and shortened if long.
func pickleQuote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return strconv.Quote(s)
		}
	}
	return s
}

// unpickler is the state of one run of the restricted unpickler.
type unpickler struct {
	b     []byte
	pos   int
	op    byte // opcode being executed
	stack []any
	marks []int
	memo  map[uint32]any
	// storages maps a storage key to the storage its first persistent id
	// declared.
	storages map[string]*ptStorage
}

// ptUnpickle runs the pickle b and returns the value it builds. It
// accepts the binary opcodes of protocols 2 to 5 (and the protocol 0/1
// opcodes torch writes: GLOBAL, MARK-based TUPLE, APPEND(S), SETITEM(S)),
// resolves persistent ids to *ptStorage and GLOBALs through
// pickleGlobal. Errors give the byte offset and opcode.
func ptUnpickle(b []byte) (any, error) {
	u := &unpickler{b: b, memo: map[uint32]any{}, storages: map[string]*ptStorage{}}
	v, err := u.run()
	if err != nil {
		return nil, fmt.Errorf("byte %d: opcode %s: %w", u.pos, pickleOpName(u.op), err)
	}
	return v, nil
}

// Pickle opcodes.
const (
	pklMark           = '('
	pklStop           = '.'
	pklPop            = '0'
	pklPopMark        = '1'
	pklDup            = '2'
	pklBinInt         = 'J'
	pklBinInt1        = 'K'
	pklBinInt2        = 'M'
	pklNone           = 'N'
	pklBinPersID      = 'Q'
	pklReduce         = 'R'
	pklBinString      = 'T'
	pklShortBinString = 'U'
	pklBinUnicode     = 'X'
	pklAppend         = 'a'
	pklBuild          = 'b'
	pklGlobal         = 'c'
	pklDict           = 'd'
	pklEmptyDict      = '}'
	pklAppends        = 'e'
	pklBinGet         = 'h'
	pklLongBinGet     = 'j'
	pklList           = 'l'
	pklEmptyList      = ']'
	pklBinPut         = 'q'
	pklLongBinPut     = 'r'
	pklSetItem        = 's'
	pklTuple          = 't'
	pklEmptyTuple     = ')'
	pklSetItems       = 'u'
	pklBinFloat       = 'G'
	pklProto          = 0x80
	pklNewObj         = 0x81
	pklTuple1         = 0x85
	pklTuple2         = 0x86
	pklTuple3         = 0x87
	pklNewTrue        = 0x88
	pklNewFalse       = 0x89
	pklLong1          = 0x8a
	pklLong4          = 0x8b
	pklBinBytes       = 'B'
	pklShortBinBytes  = 'C'
	pklShortBinUni    = 0x8c
	pklBinUnicode8    = 0x8d
	pklBinBytes8      = 0x8e
	pklEmptySet       = 0x8f
	pklAddItems       = 0x90
	pklFrozenSet      = 0x91
	pklNewObjEx       = 0x92
	pklStackGlobal    = 0x93
	pklMemoize        = 0x94
	pklFrame          = 0x95
	pklByteArray8     = 0x96
)

// pickleOpNames names the opcodes for error messages.
var pickleOpNames = map[byte]string{
	pklMark: "MARK", pklStop: "STOP", pklPop: "POP", pklPopMark: "POP_MARK", pklDup: "DUP",
	pklBinInt: "BININT", pklBinInt1: "BININT1", pklBinInt2: "BININT2", pklNone: "NONE",
	pklBinPersID: "BINPERSID", pklReduce: "REDUCE", pklBinString: "BINSTRING",
	pklShortBinString: "SHORT_BINSTRING", pklBinUnicode: "BINUNICODE", pklAppend: "APPEND",
	pklBuild: "BUILD", pklGlobal: "GLOBAL", pklDict: "DICT", pklEmptyDict: "EMPTY_DICT",
	pklAppends: "APPENDS", pklBinGet: "BINGET", pklLongBinGet: "LONG_BINGET", pklList: "LIST",
	pklEmptyList: "EMPTY_LIST", pklBinPut: "BINPUT", pklLongBinPut: "LONG_BINPUT",
	pklSetItem: "SETITEM", pklTuple: "TUPLE", pklEmptyTuple: "EMPTY_TUPLE", pklSetItems: "SETITEMS",
	pklBinFloat: "BINFLOAT", pklProto: "PROTO", pklNewObj: "NEWOBJ", pklTuple1: "TUPLE1",
	pklTuple2: "TUPLE2", pklTuple3: "TUPLE3", pklNewTrue: "NEWTRUE", pklNewFalse: "NEWFALSE",
	pklLong1: "LONG1", pklLong4: "LONG4", pklBinBytes: "BINBYTES", pklShortBinBytes: "SHORT_BINBYTES",
	pklShortBinUni: "SHORT_BINUNICODE", pklBinUnicode8: "BINUNICODE8", pklBinBytes8: "BINBYTES8",
	pklEmptySet: "EMPTY_SET", pklAddItems: "ADDITEMS", pklFrozenSet: "FROZENSET",
	pklNewObjEx: "NEWOBJ_EX", pklStackGlobal: "STACK_GLOBAL", pklMemoize: "MEMOIZE",
	pklFrame: "FRAME", pklByteArray8: "BYTEARRAY8",
}

// pickleOpName returns the name of opcode op, or its hex value.
func pickleOpName(op byte) string {
	if s, ok := pickleOpNames[op]; ok {
		return s
	}
	return fmt.Sprintf("0x%02x", op)
}

var errPickleTruncated = errors.New("pickle ends early (truncated)")

// take returns the next n bytes, or an error if fewer remain. n is checked
// against the remaining bytes before any allocation a caller makes.
func (u *unpickler) take(n uint64) ([]byte, error) {
	if n > uint64(len(u.b)-u.pos) {
		return nil, fmt.Errorf("declares %d bytes, %d remain: %w", n, len(u.b)-u.pos, errPickleTruncated)
	}
	s := u.b[u.pos : u.pos+int(n)]
	u.pos += int(n)
	return s, nil
}

// takeLen reads a little-endian length of w bytes and returns the next that
// many bytes.
func (u *unpickler) takeLen(w int) ([]byte, error) {
	lb, err := u.take(uint64(w))
	if err != nil {
		return nil, err
	}
	var n uint64
	switch w {
	case 1:
		n = uint64(lb[0])
	case 4:
		n = uint64(binary.LittleEndian.Uint32(lb))
	case 8:
		n = binary.LittleEndian.Uint64(lb)
	}
	return u.take(n)
}

// line reads a newline-terminated line (for GLOBAL) of at most 256 bytes.
func (u *unpickler) line() (string, error) {
	rest := u.b[u.pos:]
	i := 0
	for ; i < len(rest) && i <= 256; i++ {
		if rest[i] == '\n' {
			u.pos += i + 1
			return string(rest[:i]), nil
		}
	}
	if i > 256 {
		return "", errors.New("GLOBAL name longer than 256 bytes")
	}
	return "", errPickleTruncated
}

// push pushes v, bounding the stack.
func (u *unpickler) push(v any) error {
	if len(u.stack) >= pickleMaxStack {
		return fmt.Errorf("more than %d values on the stack: %w", pickleMaxStack, ErrLimit)
	}
	u.stack = append(u.stack, v)
	return nil
}

// pop pops one value, or fails on an empty stack or at a MARK.
func (u *unpickler) pop() (any, error) {
	floor := 0
	if len(u.marks) > 0 {
		floor = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= floor {
		return nil, errors.New("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

// top returns the top value without popping it.
func (u *unpickler) top() (any, error) {
	floor := 0
	if len(u.marks) > 0 {
		floor = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= floor {
		return nil, errors.New("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark pops the values above the topmost MARK, and the MARK, returning
// them in stack order (a fresh slice).
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, errors.New("no MARK on the stack")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	clear(u.stack[m:])
	u.stack = u.stack[:m]
	return items, nil
}

// memoIndex reads the memo index operand of a BINPUT/BINGET (one byte) or
// LONG_BINPUT/LONG_BINGET (four bytes, little-endian).
func (u *unpickler) memoIndex(long bool) (uint32, error) {
	if !long {
		b, err := u.take(1)
		if err != nil {
			return 0, err
		}
		return uint32(b[0]), nil
	}
	b, err := u.take(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// memoPut stores the top of the stack at index i.
func (u *unpickler) memoPut(i uint32) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	if _, ok := u.memo[i]; !ok && len(u.memo) >= pickleMaxMemo {
		return fmt.Errorf("more than %d memo entries: %w", pickleMaxMemo, ErrLimit)
	}
	u.memo[i] = v
	return nil
}

// memoGet pushes the value at memo index i.
func (u *unpickler) memoGet(i uint32) error {
	v, ok := u.memo[i]
	if !ok {
		return fmt.Errorf("memo index %d was never stored", i)
	}
	return u.push(v)
}

// run executes opcodes until STOP.
func (u *unpickler) run() (any, error) {
	for {
		if u.pos >= len(u.b) {
			return nil, fmt.Errorf("no STOP: %w", errPickleTruncated)
		}
		u.op = u.b[u.pos]
		u.pos++
		done, err := u.step()
		if err != nil {
			return nil, err
		}
		if done {
			if len(u.marks) != 0 {
				return nil, errors.New("MARK left on the stack at STOP")
			}
			if len(u.stack) != 1 {
				return nil, fmt.Errorf("%d values on the stack at STOP, want 1", len(u.stack))
			}
			return u.stack[0], nil
		}
	}
}

// step executes the opcode u.op and reports whether it was STOP.
func (u *unpickler) step() (bool, error) {
	switch u.op {
	case pklProto:
		p, err := u.take(1)
		if err != nil {
			return false, err
		}
		if p[0] < 2 || p[0] > 5 {
			return false, fmt.Errorf("protocol %d, want 2 to 5", p[0])
		}
	case pklFrame:
		// A frame is a hint for buffering; its length must fit the rest.
		lb, err := u.take(8)
		if err != nil {
			return false, err
		}
		if n := binary.LittleEndian.Uint64(lb); n > uint64(len(u.b)-u.pos) {
			return false, fmt.Errorf("frame of %d bytes, %d remain: %w", n, len(u.b)-u.pos, errPickleTruncated)
		}
	case pklStop:
		return true, nil
	case pklMark:
		if len(u.marks) >= pickleMaxMarks {
			return false, fmt.Errorf("more than %d nested MARKs: %w", pickleMaxMarks, ErrLimit)
		}
		u.marks = append(u.marks, len(u.stack))
	case pklPop:
		if len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack) {
			u.marks = u.marks[:len(u.marks)-1] // POP of a MARK, as Python does
			break
		}
		if _, err := u.pop(); err != nil {
			return false, err
		}
	case pklPopMark:
		if _, err := u.popMark(); err != nil {
			return false, err
		}
	case pklDup:
		v, err := u.top()
		if err != nil {
			return false, err
		}
		return false, u.push(v)
	case pklNone:
		return false, u.push(pyNone{})
	case pklNewTrue:
		return false, u.push(true)
	case pklNewFalse:
		return false, u.push(false)
	case pklBinInt:
		b, err := u.take(4)
		if err != nil {
			return false, err
		}
		return false, u.push(int64(int32(binary.LittleEndian.Uint32(b))))
	case pklBinInt1:
		b, err := u.take(1)
		if err != nil {
			return false, err
		}
		return false, u.push(int64(b[0]))
	case pklBinInt2:
		b, err := u.take(2)
		if err != nil {
			return false, err
		}
		return false, u.push(int64(binary.LittleEndian.Uint16(b)))
	case pklLong1, pklLong4:
		w := 1
		if u.op == pklLong4 {
			w = 4
		}
		b, err := u.takeLen(w)
		if err != nil {
			return false, err
		}
		if len(b) > pickleMaxBigInt {
			return false, fmt.Errorf("integer of %d bytes, limit %d: %w", len(b), pickleMaxBigInt, ErrLimit)
		}
		return false, u.push(pickleLong(b))
	case pklBinFloat:
		b, err := u.take(8)
		if err != nil {
			return false, err
		}
		return false, u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case pklShortBinUni, pklBinUnicode, pklBinUnicode8:
		w := map[byte]int{pklShortBinUni: 1, pklBinUnicode: 4, pklBinUnicode8: 8}[u.op]
		b, err := u.takeLen(w)
		if err != nil {
			return false, err
		}
		if !utf8.Valid(b) {
			return false, errors.New("string is not valid UTF-8")
		}
		return false, u.push(string(b))
	case pklShortBinString, pklBinString:
		// Python 2 str; read as text like pickle's encoding="latin1" would
		// for ASCII, and as bytes otherwise.
		w := 1
		if u.op == pklBinString {
			w = 4
		}
		b, err := u.takeLen(w)
		if err != nil {
			return false, err
		}
		if utf8.Valid(b) {
			return false, u.push(string(b))
		}
		return false, u.push(bytes.Clone(b))
	case pklShortBinBytes, pklBinBytes, pklBinBytes8, pklByteArray8:
		w := map[byte]int{pklShortBinBytes: 1, pklBinBytes: 4, pklBinBytes8: 8, pklByteArray8: 8}[u.op]
		b, err := u.takeLen(w)
		if err != nil {
			return false, err
		}
		return false, u.push(bytes.Clone(b))
	case pklEmptyTuple:
		return false, u.push(pyTuple{})
	case pklTuple1, pklTuple2, pklTuple3:
		n := int(u.op-pklTuple1) + 1
		t := make(pyTuple, n)
		for i := n - 1; i >= 0; i-- {
			v, err := u.pop()
			if err != nil {
				return false, err
			}
			t[i] = v
		}
		return false, u.push(t)
	case pklTuple:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		return false, u.push(pyTuple(items))
	case pklEmptyList:
		return false, u.push(&pyList{})
	case pklList:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		return false, u.push(&pyList{items: items})
	case pklAppend, pklAppends:
		var items []any
		if u.op == pklAppend {
			v, err := u.pop()
			if err != nil {
				return false, err
			}
			items = []any{v}
		} else {
			var err error
			if items, err = u.popMark(); err != nil {
				return false, err
			}
		}
		t, err := u.top()
		if err != nil {
			return false, err
		}
		l, ok := t.(*pyList)
		if !ok {
			return false, fmt.Errorf("append to %s, not a list", pickleTypeName(t))
		}
		l.items = append(l.items, items...)
	case pklEmptyDict:
		return false, u.push(newPyDict())
	case pklDict:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		d := newPyDict()
		if err := d.setPairs(items); err != nil {
			return false, err
		}
		return false, u.push(d)
	case pklSetItem, pklSetItems:
		var items []any
		if u.op == pklSetItem {
			v, err := u.pop()
			if err != nil {
				return false, err
			}
			k, err := u.pop()
			if err != nil {
				return false, err
			}
			items = []any{k, v}
		} else {
			var err error
			if items, err = u.popMark(); err != nil {
				return false, err
			}
		}
		t, err := u.top()
		if err != nil {
			return false, err
		}
		d, ok := t.(*pyDict)
		if !ok {
			return false, fmt.Errorf("set item of %s, not a dict", pickleTypeName(t))
		}
		return false, d.setPairs(items)
	case pklEmptySet:
		return false, u.push(&pySet{index: map[string]bool{}})
	case pklAddItems:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		t, err := u.top()
		if err != nil {
			return false, err
		}
		s, ok := t.(*pySet)
		if !ok {
			return false, fmt.Errorf("add items to %s, not a set", pickleTypeName(t))
		}
		return false, s.add(items)
	case pklFrozenSet:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		s := &pySet{index: map[string]bool{}}
		if err := s.add(items); err != nil {
			return false, err
		}
		return false, u.push(s)
	case pklBinPut, pklLongBinPut:
		i, err := u.memoIndex(u.op == pklLongBinPut)
		if err != nil {
			return false, err
		}
		return false, u.memoPut(i)
	case pklMemoize:
		return false, u.memoPut(uint32(len(u.memo)))
	case pklBinGet, pklLongBinGet:
		i, err := u.memoIndex(u.op == pklLongBinGet)
		if err != nil {
			return false, err
		}
		return false, u.memoGet(i)
	case pklGlobal:
		module, err := u.line()
		if err != nil {
			return false, err
		}
		name, err := u.line()
		if err != nil {
			return false, err
		}
		g, err := pickleGlobal(module, name)
		if err != nil {
			return false, err
		}
		return false, u.push(g)
	case pklStackGlobal:
		nv, err := u.pop()
		if err != nil {
			return false, err
		}
		mv, err := u.pop()
		if err != nil {
			return false, err
		}
		module, ok1 := mv.(string)
		name, ok2 := nv.(string)
		if !ok1 || !ok2 {
			return false, fmt.Errorf("module and name are %s and %s, not strings", pickleTypeName(mv), pickleTypeName(nv))
		}
		g, err := pickleGlobal(module, name)
		if err != nil {
			return false, err
		}
		return false, u.push(g)
	case pklReduce:
		av, err := u.pop()
		if err != nil {
			return false, err
		}
		fv, err := u.pop()
		if err != nil {
			return false, err
		}
		return false, u.call(fv, av)
	case pklNewObj, pklNewObjEx:
		if u.op == pklNewObjEx {
			kw, err := u.pop()
			if err != nil {
				return false, err
			}
			if d, ok := kw.(*pyDict); !ok || len(d.keys) != 0 {
				return false, errors.New("keyword arguments are not supported")
			}
		}
		av, err := u.pop()
		if err != nil {
			return false, err
		}
		fv, err := u.pop()
		if err != nil {
			return false, err
		}
		c, ok := fv.(*pyCallable)
		if !ok || c.module != "collections" || c.name != "OrderedDict" {
			return false, fmt.Errorf("cls.__new__ of %s: only collections.OrderedDict may be created", pickleTypeName(fv))
		}
		return false, u.call(fv, av)
	case pklBuild:
		state, err := u.pop()
		if err != nil {
			return false, err
		}
		t, err := u.top()
		if err != nil {
			return false, err
		}
		// torch's restricted unpickler updates the __dict__ of an
		// OrderedDict (torch stores the state dict's _metadata so); the
		// attributes carry no weights and are dropped.
		if _, ok := t.(*pyDict); !ok {
			return false, fmt.Errorf("set state of %s: only an OrderedDict's state may be set", pickleTypeName(t))
		}
		switch s := state.(type) {
		case *pyDict, pyNone:
		case pyTuple:
			if len(s) != 2 {
				return false, fmt.Errorf("state is a tuple of %d, want 2", len(s))
			}
		default:
			return false, fmt.Errorf("state is %s, want a dict", pickleTypeName(state))
		}
	case pklBinPersID:
		pid, err := u.pop()
		if err != nil {
			return false, err
		}
		st, err := u.persistentLoad(pid)
		if err != nil {
			return false, err
		}
		return false, u.push(st)
	default:
		return false, errors.New("opcode not supported by the restricted unpickler")
	}
	return false, nil
}

// call applies the callable fv to the argument tuple av.
func (u *unpickler) call(fv, av any) error {
	c, ok := fv.(*pyCallable)
	if !ok {
		return fmt.Errorf("call of %s, which is not an allowed callable", pickleTypeName(fv))
	}
	args, ok := av.(pyTuple)
	if !ok {
		return fmt.Errorf("%s.%s: arguments are %s, not a tuple", c.module, c.name, pickleTypeName(av))
	}
	v, err := c.call(u, args)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", c.module, c.name, err)
	}
	return u.push(v)
}

// persistentLoad resolves the persistent id pid, which torch writes as
// ('storage', storage_type, key, location, numel).
func (u *unpickler) persistentLoad(pid any) (*ptStorage, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) != 5 {
		return nil, fmt.Errorf("persistent id is %s, want ('storage', type, key, location, numel)", pickleTypeName(pid))
	}
	if s, ok := t[0].(string); !ok || s != "storage" {
		return nil, fmt.Errorf("persistent id kind is %s, want 'storage'", pickleTypeName(t[0]))
	}
	g, ok := t[1].(*pyGlobal)
	if !ok {
		return nil, fmt.Errorf("storage type is %s, not a torch storage class", pickleTypeName(t[1]))
	}
	st, ok := ptStorageTypes[g.name]
	if !ok || g.module != "torch" {
		return nil, fmt.Errorf("storage type %s.%s is not supported", g.module, g.name)
	}
	key, ok := t[2].(string)
	if !ok {
		return nil, fmt.Errorf("storage key is %s, not a string", pickleTypeName(t[2]))
	}
	loc, ok := t[3].(string)
	if !ok {
		return nil, fmt.Errorf("storage location is %s, not a string", pickleTypeName(t[3]))
	}
	numel, ok := t[4].(int64)
	if !ok || numel < 0 {
		return nil, fmt.Errorf("storage %q: numel is %s, want an int ≥ 0", key, pickleRepr(t[4]))
	}
	s := &ptStorage{key: key, typ: g.name, dtype: st.dtype, itemSize: st.size, numel: numel, location: loc}
	if prev, ok := u.storages[key]; ok {
		if prev.typ != s.typ || prev.numel != s.numel {
			return nil, fmt.Errorf("storage %q is declared as %s of %d elements and as %s of %d", key, prev.typ, prev.numel, s.typ, s.numel)
		}
		return prev, nil
	}
	u.storages[key] = s
	return s, nil
}

// pickleOrderedDict implements collections.OrderedDict().
func pickleOrderedDict(_ *unpickler, args pyTuple) (any, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("%d arguments, only OrderedDict() is supported", len(args))
	}
	return newPyDict(), nil
}

// pickleRebuildTensorV2 implements torch._utils._rebuild_tensor_v2(storage,
// storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).
// The size and stride are checked for sign and length here; the extent
// against the storage is checked when the data is read.
func pickleRebuildTensorV2(_ *unpickler, args pyTuple) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("%d arguments, want 6 or 7", len(args))
	}
	st, ok := args[0].(*ptStorage)
	if !ok {
		return nil, fmt.Errorf("storage is %s, not a persistent storage", pickleTypeName(args[0]))
	}
	off, ok := args[1].(int64)
	if !ok || off < 0 {
		return nil, fmt.Errorf("storage_offset is %s, want an int ≥ 0", pickleRepr(args[1]))
	}
	size, err := pickleInts("size", args[2])
	if err != nil {
		return nil, err
	}
	stride, err := pickleInts("stride", args[3])
	if err != nil {
		return nil, err
	}
	if len(size) != len(stride) {
		return nil, fmt.Errorf("size has %d dimensions, stride %d", len(size), len(stride))
	}
	if _, ok := args[4].(bool); !ok {
		return nil, fmt.Errorf("requires_grad is %s, not a bool", pickleTypeName(args[4]))
	}
	if d, ok := args[5].(*pyDict); !ok {
		return nil, fmt.Errorf("backward_hooks is %s, want an empty OrderedDict", pickleTypeName(args[5]))
	} else if len(d.keys) != 0 {
		return nil, errors.New("backward_hooks is not empty")
	}
	return &ptTensorRef{storage: st, offset: off, size: size, stride: stride}, nil
}

// pickleInts reads a size or stride: a tuple (or torch.Size) of ints ≥ 0.
func pickleInts(field string, v any) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("%s is %s, not a tuple", field, pickleTypeName(v))
	}
	if len(t) > pickleMaxTensDim {
		return nil, fmt.Errorf("%s has %d dimensions, limit %d: %w", field, len(t), pickleMaxTensDim, ErrLimit)
	}
	out := make([]int64, len(t))
	for i, e := range t {
		n, ok := e.(int64)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%s[%d] is %s, want an int ≥ 0", field, i, pickleRepr(e))
		}
		out[i] = n
	}
	return out, nil
}

// pickleRebuildParameter implements torch._utils._rebuild_parameter(data,
// requires_grad, backward_hooks) and _rebuild_parameter_with_state(data,
// requires_grad, backward_hooks, state): the parameter is its data.
func pickleRebuildParameter(_ *unpickler, args pyTuple) (any, error) {
	if len(args) != 3 && len(args) != 4 {
		return nil, fmt.Errorf("%d arguments, want 3 or 4", len(args))
	}
	t, ok := args[0].(*ptTensorRef)
	if !ok {
		return nil, fmt.Errorf("data is %s, not a tensor", pickleTypeName(args[0]))
	}
	return t, nil
}

// pickleTorchSize implements torch.Size(tuple).
func pickleTorchSize(_ *unpickler, args pyTuple) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("%d arguments, want 1", len(args))
	}
	t, ok := args[0].(pyTuple)
	if !ok {
		return nil, fmt.Errorf("argument is %s, not a tuple", pickleTypeName(args[0]))
	}
	return t, nil
}

// pickleTorchDevice implements torch.device(type[, index]) as a string.
func pickleTorchDevice(_ *unpickler, args pyTuple) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("%d arguments, want 1 or 2", len(args))
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("device is %s, not a string", pickleTypeName(args[0]))
	}
	if len(args) == 2 {
		i, ok := args[1].(int64)
		if !ok {
			return nil, fmt.Errorf("device index is %s, not an int", pickleTypeName(args[1]))
		}
		s += ":" + strconv.FormatInt(i, 10)
	}
	return s, nil
}

// pickleLong decodes a little-endian two's complement integer: an int64 if
// it fits, a pyBigInt otherwise.
func pickleLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		shift := 64 - 8*uint(len(b))
		return int64(v<<shift) >> shift
	}
	// Fits an int64 if the extra high bytes only extend the sign.
	ext := byte(0)
	if b[7]&0x80 != 0 {
		ext = 0xff
	}
	fits := true
	for _, c := range b[8:] {
		if c != ext {
			fits = false
			break
		}
	}
	if fits {
		return int64(binary.LittleEndian.Uint64(b[:8]))
	}
	return pyBigInt(bytes.Clone(b))
}

// newPyDict returns an empty dict.
func newPyDict() *pyDict { return &pyDict{index: map[string]int{}} }

// setPairs sets the items of kv, a flat key, value, key, value... list, in
// order; a key already present keeps its place and takes the new value, as
// in Python.
func (d *pyDict) setPairs(kv []any) error {
	if len(kv)%2 != 0 {
		return fmt.Errorf("odd number (%d) of keys and values", len(kv))
	}
	for i := 0; i < len(kv); i += 2 {
		k, err := pickleKey(kv[i])
		if err != nil {
			return err
		}
		if j, ok := d.index[k]; ok {
			d.vals[j] = kv[i+1]
			continue
		}
		d.index[k] = len(d.keys)
		d.keys = append(d.keys, kv[i])
		d.vals = append(d.vals, kv[i+1])
	}
	return nil
}

// add adds items to the set.
func (s *pySet) add(items []any) error {
	for _, v := range items {
		k, err := pickleKey(v)
		if err != nil {
			return err
		}
		if !s.index[k] {
			s.index[k] = true
			s.items = append(s.items, v)
		}
	}
	return nil
}

// pickleKey returns a canonical string for the hashable value v, equal for
// values Python considers equal keys (1, 1.0 and True are one key), or an
// error for an unhashable value or a key beyond pickleMaxKeyLen bytes.
func pickleKey(v any) (string, error) {
	var sb strings.Builder
	if err := pickleKeyTo(&sb, v, 0); err != nil {
		return "", err
	}
	return sb.String(), nil
}

func pickleKeyTo(sb *strings.Builder, v any, depth int) error {
	if depth > pickleMaxDepth {
		return fmt.Errorf("dict key nested deeper than %d: %w", pickleMaxDepth, ErrLimit)
	}
	if sb.Len() > pickleMaxKeyLen {
		return fmt.Errorf("dict key longer than %d bytes: %w", pickleMaxKeyLen, ErrLimit)
	}
	switch x := v.(type) {
	case string:
		if len(x) > pickleMaxKeyLen {
			return fmt.Errorf("dict key longer than %d bytes: %w", pickleMaxKeyLen, ErrLimit)
		}
		sb.WriteString("s")
		sb.WriteString(strconv.Itoa(len(x)))
		sb.WriteString(":")
		sb.WriteString(x)
	case []byte:
		if len(x) > pickleMaxKeyLen {
			return fmt.Errorf("dict key longer than %d bytes: %w", pickleMaxKeyLen, ErrLimit)
		}
		sb.WriteString("b")
		sb.WriteString(strconv.Itoa(len(x)))
		sb.WriteString(":")
		sb.Write(x)
	case int64:
		sb.WriteString("i" + strconv.FormatInt(x, 10) + ";")
	case bool:
		if x {
			sb.WriteString("i1;")
		} else {
			sb.WriteString("i0;")
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			sb.WriteString("i" + strconv.FormatInt(int64(x), 10) + ";")
		} else {
			sb.WriteString("f" + strconv.FormatUint(math.Float64bits(x), 16) + ";")
		}
	case pyBigInt:
		sb.WriteString("I" + fmt.Sprintf("%x", []byte(x)) + ";")
	case pyNone:
		sb.WriteString("n;")
	case *pyGlobal:
		sb.WriteString("g" + x.module + "." + x.name + ";")
	case *pyCallable:
		sb.WriteString("g" + x.module + "." + x.name + ";")
	case pyTuple:
		sb.WriteString("(")
		for _, e := range x {
			if err := pickleKeyTo(sb, e, depth+1); err != nil {
				return err
			}
		}
		sb.WriteString(")")
	default:
		return fmt.Errorf("unhashable dict key or set item of type %s", pickleTypeName(v))
	}
	return nil
}

// pickleTypeName names the Python type of v for error messages.
func pickleTypeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case pyNone:
		return "None"
	case bool:
		return "bool"
	case int64, pyBigInt:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case pyTuple:
		return "tuple"
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case *pySet:
		return "set"
	case *pyGlobal:
		return x.module + "." + x.name
	case *pyCallable:
		return x.module + "." + x.name
	case *ptStorage:
		return "storage"
	case *ptTensorRef:
		return "tensor"
	}
	return fmt.Sprintf("%T", v)
}

// pickleRepr shows a scalar value for error messages, or its type name.
func pickleRepr(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return pickleQuote(x)
	}
	return pickleTypeName(v)
}
