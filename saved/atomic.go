package saved

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFileAtomic writes the file name with the bytes write produces, so
// that name holds either its old content or the complete new content, never
// a part. It creates a temporary file in name's directory, calls write on it,
// syncs and closes it, sets its permission to perm (as given, not reduced by
// the umask), renames it to name and syncs the directory. If write or any
// step before the rename fails (or write panics), the temporary file is
// removed and an existing file under name is left untouched. A failure to
// sync the directory after the rename is reported, but the new file is then
// already in place. If name is a symbolic link, the link is replaced, not
// its target.
func WriteFileAtomic(name string, write func(w io.Writer) error, perm os.FileMode) error {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return &FileError{File: name, Field: "create", Err: err}
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	step := func(field string, e error) error {
		if e == nil {
			return nil
		}
		return &FileError{File: name, Field: field, Err: e}
	}
	if err := step("write", write(f)); err != nil {
		return err
	}
	if err := step("chmod", f.Chmod(perm)); err != nil {
		return err
	}
	if err := step("sync", f.Sync()); err != nil {
		return err
	}
	cerr := f.Close()
	if err := step("close", cerr); err != nil {
		return err
	}
	if err := step("rename", os.Rename(tmp, name)); err != nil {
		return err
	}
	done = true
	return step("sync directory", atomicSyncDir(dir))
}

// atomicSyncDir syncs the directory dir so a rename in it is durable. On
// Windows, where directories cannot be opened for syncing, it does nothing.
func atomicSyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return fmt.Errorf("sync: %w", serr)
	}
	return errors.Join(cerr)
}
