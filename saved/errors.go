package saved

import "errors"

// FileError reports a problem with one field of one file. File is the name
// of the file as the caller gave it (for an entry of an archive it may be
// "net.npz: W_rec.npy"), Field names the part of the file at fault, for
// example "header", "shape", "data_offsets" or a tensor name, and Err is the
// underlying cause. Its message reads
//
//	saved: net.npz: W_rec.npy: shape: (1000000, 1000000) declares 1000000000000 elements of <f8 (8000000000000 bytes), file has 4096 bytes of data
type FileError struct {
	File  string
	Field string
	Err   error
}

// Error returns "saved: File: Field: Err", leaving out empty parts. The
// whole message goes through Printable: file, entry and tensor names come
// from the file system or the file itself and may hold escape sequences.
func (e *FileError) Error() string {
	s := "saved: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	if e.Err == nil {
		return Printable(s + "invalid")
	}
	return Printable(s + e.Err.Error())
}

// Unwrap returns the underlying cause.
func (e *FileError) Unwrap() error { return e.Err }

// ErrLimit is wrapped by every error that reports a declared or actual size
// beyond a Limits bound, so callers can tell a refused file from a corrupt
// one with errors.Is(err, ErrLimit).
var ErrLimit = errors.New("limit exceeded")

// Limits bounds the memory a reader may spend on one file. Every size a file
// declares is checked against these bounds, and against the bytes the file
// really has, before anything is allocated. A zero field means the default in
// DefaultLimits. The methods of Limits read files under these bounds; the
// package-level functions of the same names use DefaultLimits.
type Limits struct {
	// MaxHeaderBytes bounds one .npy header or one safetensors JSON header.
	MaxHeaderBytes int64
	// MaxEntryBytes bounds the uncompressed size of one archive entry and
	// the data of one array.
	MaxEntryBytes int64
	// MaxTotalBytes bounds the sum of the uncompressed sizes of all entries
	// read from one archive, and separately the sum over all tensors of
	// 8 bytes per element (their size in memory as float64).
	MaxTotalBytes int64
	// MaxEntries bounds the number of entries of an archive and the number
	// of tensors of a safetensors file.
	MaxEntries int
}

// DefaultLimits are the bounds used by every reader of this package, by
// Open and by the UI and the SSH server, whatever the file's path: headers
// up to 100 MB (the safetensors limit), at most 1<<16 entries, and one
// budget of 1 GiB (DefaultBudget) for one entry and for the whole file. The
// budget is counted against what the network of the declared sizes needs in
// memory: the bytes of each array as stored plus 8 bytes per element of its
// float64 copy, checked from the declared shapes before anything is
// inflated or allocated. A float64 matrix of about 8000×8000 fits; a
// compressed archive that declares a 16000×16000 array is refused at once.
var DefaultLimits = Limits{
	MaxHeaderBytes: 100_000_000,
	MaxEntryBytes:  DefaultBudget,
	MaxTotalBytes:  DefaultBudget,
	MaxEntries:     1 << 16,
}

// DefaultBudget is the memory budget of DefaultLimits, in bytes.
const DefaultBudget = 1 << 30

// orDefault returns l with every zero or negative field replaced by the
// field of DefaultLimits.
func (l Limits) orDefault() Limits {
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultLimits.MaxHeaderBytes
	}
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = DefaultLimits.MaxEntryBytes
	}
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = DefaultLimits.MaxTotalBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLimits.MaxEntries
	}
	return l
}
