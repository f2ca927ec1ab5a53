package saved

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// OpenRegular opens the file name for reading only if it is a regular
// file. It checks the file's type before opening it, so a named pipe, a
// device or a socket is refused at once instead of blocking the reader, and
// it opens without blocking (O_NONBLOCK where the system has it) and checks
// the opened file again, so a pipe put in its place in between cannot make
// it hang either. Errors are *FileError naming the file.
func OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	return openRegular(name, os.Stat, func(name string) (*os.File, error) {
		return os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	})
}

// OpenRegularIn is OpenRegular for the file name inside root, which
// refuses names that lead out of it.
func OpenRegularIn(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	return openRegular(name, root.Stat, func(name string) (*os.File, error) {
		return root.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	})
}

// openRegular implements OpenRegular with the given stat and open.
func openRegular(name string, stat func(string) (fs.FileInfo, error), open func(string) (*os.File, error)) (*os.File, fs.FileInfo, error) {
	fi, err := stat(name)
	if err != nil {
		return nil, nil, &FileError{File: name, Err: unwrapPath(err)}
	}
	if err := checkRegular(fi); err != nil {
		return nil, nil, &FileError{File: name, Err: err}
	}
	f, err := open(name)
	if err != nil {
		return nil, nil, &FileError{File: name, Err: unwrapPath(err)}
	}
	return checkOpened(name, f, fi)
}

// checkOpened checks that the opened f is still the regular file fi.
func checkOpened(name string, f *os.File, fi fs.FileInfo) (*os.File, fs.FileInfo, error) {
	ofi, err := f.Stat()
	if err == nil {
		err = checkRegular(ofi)
	}
	if err == nil && !os.SameFile(fi, ofi) {
		err = errors.New("replaced while being opened")
	}
	if err != nil {
		f.Close()
		return nil, nil, &FileError{File: name, Err: err}
	}
	return f, ofi, nil
}

// checkRegular returns an error saying what fi is if it is not a regular
// file.
func checkRegular(fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("is a directory")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("is a named pipe (FIFO), not a regular file")
	case m&fs.ModeSocket != 0:
		return errors.New("is a socket, not a regular file")
	case m&fs.ModeDevice != 0:
		return errors.New("is a device, not a regular file")
	}
	return fmt.Errorf("is not a regular file (mode %v)", m)
}

// unwrapPath returns the cause of a *fs.PathError, whose message would
// repeat the file name the FileError already gives.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
