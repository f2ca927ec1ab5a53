package server

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"unicode"

	"attractor/saved"
)

// ErrBadName is returned (wrapped) by the [Root] methods for a name that is
// not a plain relative slash-separated path inside the root.
var ErrBadName = errors.New("not a name inside the root directory")

// MaxFileSize is the default size limit of [Root.ReadFile]: the one memory
// budget every network file is read under (saved.DefaultBudget).
const MaxFileSize = saved.DefaultBudget

// Root gives a session access to the files under one directory and nothing
// else. Every name is checked by [CheckName] (relative, slash-separated, no
// ".." element, no control characters) and then opened through an
// [os.Root], which also refuses symbolic links that lead out of the
// directory. A Root is safe for concurrent use.
type Root struct {
	root *os.Root
	dir  string
}

// OpenRoot opens directory dir as a Root.
func OpenRoot(dir string) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Root{root: r, dir: dir}, nil
}

// Dir returns the directory the Root was opened on.
func (r *Root) Dir() string { return r.dir }

// Close releases the directory.
func (r *Root) Close() error { return r.root.Close() }

// CheckName reports whether name may be asked of a Root: a non-empty,
// slash-separated relative path of at most 1024 bytes without "..",
// backslashes, NUL or other control characters. "." names the root itself.
// It returns an error wrapping ErrBadName otherwise.
func CheckName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%q: %s: %w", name, why, ErrBadName) }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > 1024:
		return bad("too long")
	case strings.HasPrefix(name, "/"):
		return bad("absolute")
	case strings.ContainsRune(name, '\\'):
		return bad("backslash")
	}
	for _, c := range name {
		if c == unicode.ReplacementChar || unicode.IsControl(c) {
			return bad("control or invalid character")
		}
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return bad(`".." element`)
		}
	}
	if !fs.ValidPath(path.Clean(name)) {
		return bad("invalid path")
	}
	return nil
}

// Open opens file name for reading.
func (r *Root) Open(name string) (*os.File, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return r.root.Open(path.Clean(name))
}

// Stat returns the file information of name, following symbolic links that
// stay inside the root.
func (r *Root) Stat(name string) (fs.FileInfo, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return r.root.Stat(path.Clean(name))
}

// ReadDir lists directory name, sorted by file name.
func (r *Root) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return fs.ReadDir(r.root.FS(), path.Clean(name))
}

// ReadFile reads regular file name whole; a pipe, device or socket is
// refused without being opened. A file larger than limit bytes
// (MaxFileSize when limit <= 0) is refused.
func (r *Root) ReadFile(name string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = MaxFileSize
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	// Checked before opening: a named pipe would block the open.
	f, fi, err := saved.OpenRegularIn(r.root, path.Clean(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the limit of %d", name, fi.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s grew beyond the limit of %d bytes", name, limit)
	}
	return b, nil
}

// Create creates or truncates file name (mode 0644 before the umask) in an
// existing directory under the root.
func (r *Root) Create(name string) (*os.File, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	return r.root.OpenFile(path.Clean(name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
}

// FS returns a file system of the files under the root, for fs.WalkDir and
// fs.Glob. Names are checked by os.Root only: it refuses escapes, but
// allows ".." elements that stay inside.
func (r *Root) FS() fs.FS { return r.root.FS() }
