package saved

import "errors"

// FileError reports a problem with one field of one file. File is the name
// of the file as the caller gave it (for an entry of an archive it may be
// "net.npz: W_rec.npy"), Field names the part of the file at fault, for
// example "header", "shape", "data_offsets" or a tensor name, and Err is the
// underlying cause. Its message reads
//
//	saved: net.npz: W_rec.npy: header: shape declares 1e12 elements, file has 4096 bytes
type FileError struct {
	File  string
	Field string
	Err   error
}

// Error returns "saved: File: Field: Err", leaving out empty parts.
func (e *FileError) Error() string {
	s := "saved: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	if e.Err == nil {
		return s + "invalid"
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying cause.
func (e *FileError) Unwrap() error { return e.Err }

// ErrLimit is wrapped by every error that reports a declared or actual size
// beyond a Limits bound, so callers can tell a refused file from a corrupt
// one with errors.Is(err, ErrLimit).
var ErrLimit = errors.New("limit exceeded")
