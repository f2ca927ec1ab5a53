package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"attractor/saved"
)

// RunFile is the file in a run directory that records what the run was
// asked to do, so that it can be resumed.
const RunFile = "run.json"

// maxRunRecordBytes bounds run.json: it holds a few names and arguments.
const maxRunRecordBytes = 1 << 20

// RunRecord is the content of a run directory's run.json.
type RunRecord struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	// Out is the absolute name of the network file the run writes.
	Out string `json:"out"`
	// OutSHA256 is the SHA-256 of the file at Out that this run may
	// replace: the file that was there when the run began (the user named
	// it with -o), or the network the run wrote. Empty when there was none.
	// Resume refuses to overwrite any other file.
	OutSHA256 string `json:"out_sha256,omitempty"`
	// Args are the command-line arguments that started the run, to repeat
	// it when it was stopped before its first checkpoint.
	Args []string `json:"args,omitempty"`
	// Unit names the training unit ("epoch", "trial", "chunk") and Units
	// is the whole run's count of them, for whoever follows the run (0 in
	// records of older runs).
	Unit  string `json:"unit,omitempty"`
	Units int    `json:"units,omitempty"`
	// History is the networks kept per decade of units ([LogSchedule]).
	History int `json:"history_per_decade,omitempty"`
	// Status is one of the Status constants ("" in records of older runs);
	// Error says why a run failed or diverged.
	Status string `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// ReadRunRecord reads and checks DIR/run.json. Errors name the file and
// the field at fault.
func ReadRunRecord(dir string) (*RunRecord, error) {
	name := filepath.Join(dir, RunFile)
	f, fi, err := saved.OpenRegular(name)
	if err != nil {
		return nil, fmt.Errorf("%w (is %s a run directory?)", err, dir)
	}
	defer f.Close()
	if fi.Size() > maxRunRecordBytes {
		return nil, &saved.FileError{File: name, Err: fmt.Errorf("%d bytes, more than a run record's %d", fi.Size(), maxRunRecordBytes)}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxRunRecordBytes+1))
	if err != nil {
		return nil, &saved.FileError{File: name, Err: err}
	}
	return ParseRunRecord(name, b)
}

// ParseRunRecord decodes and checks the run record b; name is used in
// errors.
func ParseRunRecord(name string, b []byte) (*RunRecord, error) {
	if len(b) > maxRunRecordBytes {
		return nil, &saved.FileError{File: name, Err: fmt.Errorf("%d bytes, more than a run record's %d", len(b), maxRunRecordBytes)}
	}
	var r RunRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, &saved.FileError{File: name, Err: err}
	}
	ferr := func(field string, err error) error { return &saved.FileError{File: name, Field: field, Err: err} }
	switch {
	case r.Task == "":
		return nil, ferr("task", errors.New("missing"))
	case r.Out == "":
		return nil, ferr("out", errors.New("missing"))
	case !filepath.IsAbs(r.Out) || filepath.Clean(r.Out) != r.Out:
		return nil, ferr("out", fmt.Errorf("%q is not a clean absolute path", r.Out))
	case strings.ContainsRune(r.Out, 0):
		return nil, ferr("out", errors.New("holds a NUL byte"))
	case r.OutSHA256 != "" && !isHexSHA256(r.OutSHA256):
		return nil, ferr("out_sha256", fmt.Errorf("%q is not a SHA-256 in hexadecimal", r.OutSHA256))
	}
	return &r, nil
}

// WriteRunRecord writes r to DIR/run.json, atomically.
func WriteRunRecord(dir string, r *RunRecord) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return saved.WriteFileAtomic(filepath.Join(dir, RunFile), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}, 0o644)
}

// NoteOut records in r the file now at r.Out (none: an empty hash) as the
// one the run may replace.
func (r *RunRecord) NoteOut() error {
	sum, err := fileSHA256(r.Out)
	if errors.Is(err, os.ErrNotExist) {
		r.OutSHA256 = ""
		return nil
	}
	if err != nil {
		return err
	}
	r.OutSHA256 = sum
	return nil
}

// CheckOut returns an error unless the run may write r.Out: nothing is
// there, or the file there is the one r records (the file the run began
// by replacing, or the network it wrote). A run directory that was copied,
// shared or edited cannot make a resume overwrite any other file.
func (r *RunRecord) CheckOut() error {
	sum, err := fileSHA256(r.Out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output %s: %w", r.Out, err)
	}
	if r.OutSHA256 == "" || sum != r.OutSHA256 {
		return fmt.Errorf("output %s exists and is not the file this run wrote or was started to replace (%s records %s); "+
			"refusing to overwrite it: move it away, or start a new run with -o", r.Out, RunFile, orNone(r.OutSHA256))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "no file"
	}
	return "SHA-256 " + s
}

// fileSHA256 returns the SHA-256 of the regular file name in hexadecimal.
func fileSHA256(name string) (string, error) {
	fi, err := os.Lstat(name)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("not a regular file (mode %v)", fi.Mode())
	}
	f, _, err := saved.OpenRegular(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
