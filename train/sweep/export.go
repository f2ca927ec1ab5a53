package sweep

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"attractor/saved"
	"attractor/train"
)

// PrunedFile marks a network directory whose network file was left out by
// Export: it holds the SHA-256 of the network the result describes, so the
// result still counts as committed (a resumed sweep does not train the
// network again) while a damaged or foreign result is still detected.
const PrunedFile = "pruned"

// ExportStats reports what Export copied.
type ExportStats struct {
	Results  int // results copied
	Networks int // network files copied beside their results
	Pruned   int // results copied without their network file
}

// Export writes a copy of the sweep to dest that holds its specification,
// manifest, results table and every committed result, and the network
// files (with their training logs) only for the results keep selects; the
// other JSON files beside a result (figures of later analyses) go with it (keep may be nil: no network
// files). dest must not exist or be empty. Each result copied without its
// network gets a PrunedFile holding the network's SHA-256, so that running
// the sweep on the copy resumes it: the exported networks count as done
// and only the others are trained. This keeps a long sweep's progress in a
// few hundred kilobytes (one small JSON file per network) where its
// networks would take gigabytes, e.g. to carry it from one machine to the
// next or to commit it beside the figures it produced. Every file is
// written atomically.
func (s *Sweep) Export(dest string, keep func(*Result) bool) (ExportStats, error) {
	var st ExportStats
	if ents, err := os.ReadDir(dest); err == nil && len(ents) > 0 {
		return st, fmt.Errorf("export to %s: the directory is not empty", dest)
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return st, err
	}
	for _, name := range []string{SpecFile, ManifestFile, CSVFile} {
		if err := copyFileAtomic(filepath.Join(s.Dir, name), filepath.Join(dest, name)); err != nil {
			if name == CSVFile && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return st, err
		}
	}
	out := newSweep(dest, s.Spec)
	for i := 0; i < s.Spec.Len(); i++ {
		r, err := s.ReadResult(i, true)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return st, fmt.Errorf("export %s: %w", s.NetDir(i), err)
		}
		src, dst := s.NetDir(i), out.NetDir(i)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return st, err
		}
		withNet := keep != nil && keep(r)
		if withNet {
			if _, err := os.Stat(filepath.Join(src, r.Network)); err != nil {
				withNet = false // already pruned here
			}
		}
		if withNet {
			if err := copyFileAtomic(filepath.Join(src, r.Network), filepath.Join(dst, r.Network)); err != nil {
				return st, err
			}
			st.Networks++
		} else {
			sum := r.SHA256 + "\n"
			if err := saved.WriteFileAtomic(filepath.Join(dst, PrunedFile), func(w io.Writer) error {
				_, err := io.WriteString(w, sum)
				return err
			}, 0o644); err != nil {
				return st, err
			}
			st.Pruned++
		}
		if withNet { // the training log goes with its network
			err := copyFileAtomic(filepath.Join(src, train.MetricsFile), filepath.Join(dst, train.MetricsFile))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return st, err
			}
		}
		// Figures that later analyses wrote beside the network (small JSON
		// files such as scripts/census-ec.sh's) go with the result.
		extra, _ := filepath.Glob(filepath.Join(src, "*.json"))
		for _, name := range extra {
			switch filepath.Base(name) {
			case ResultFile, ErrorFile:
				continue
			}
			if err := copyFileAtomic(name, filepath.Join(dst, filepath.Base(name))); err != nil {
				return st, err
			}
		}
		if err := copyFileAtomic(filepath.Join(src, ResultFile), filepath.Join(dst, ResultFile)); err != nil { // the result last
			return st, err
		}
		st.Results++
	}
	return st, nil
}

// prunedMatches reports whether dir's PrunedFile names the network sum.
func prunedMatches(dir, sum string) bool {
	b, err := os.ReadFile(filepath.Join(dir, PrunedFile))
	return err == nil && strings.TrimSpace(string(b)) == sum && sum != ""
}

func copyFileAtomic(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return saved.WriteFileAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	}, fi.Mode().Perm())
}
