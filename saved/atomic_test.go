package saved

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// atomicListDir returns the names in dir.
func atomicListDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "net.npz")
	if err := WriteFileAtomic(name, func(w io.Writer) error {
		_, err := io.WriteString(w, "old content")
		return err
	}, 0o640); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}

	// A write that fails half way leaves the old file and no temporary.
	boom := errors.New("disk on fire")
	err = WriteFileAtomic(name, func(w io.Writer) error {
		io.WriteString(w, "new cont")
		return boom
	}, 0o644)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "net.npz: write: disk on fire") {
		t.Errorf("error %v, want the write error naming the file", err)
	}
	if b, _ := os.ReadFile(name); string(b) != "old content" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if names := atomicListDir(t, dir); len(names) != 1 || names[0] != "net.npz" {
		t.Errorf("directory holds %v, want only net.npz", names)
	}

	// A write that panics also leaves no temporary behind.
	func() {
		defer func() { recover() }()
		WriteFileAtomic(name, func(w io.Writer) error {
			io.WriteString(w, "partial")
			panic("bug")
		}, 0o644)
	}()
	if b, _ := os.ReadFile(name); string(b) != "old content" {
		t.Errorf("after a panicking write the file holds %q", b)
	}
	if names := atomicListDir(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v after a panic", names)
	}

	// A successful write replaces the content.
	if err := WriteFileAtomic(name, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "new" {
		t.Errorf("file holds %q, want new", b)
	}

	// A directory that does not exist is an error naming the file.
	err = WriteFileAtomic(filepath.Join(dir, "nope", "x"), func(io.Writer) error { return nil }, 0o644)
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing directory: %v", err)
	}
}
