package tui

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
)

// StateTensor is the name of the extra array holding the state saved by
// the UI's 's' key in a native network file.
const StateTensor = "ui.state"

// safeName turns a network name into a bare file-name stem.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		out = "network"
	}
	return out
}

// save writes, into the save directory under the root (Context.SaveDir),
// the network with the current (perturbed) state as the extra array
// ui.state, and the current plots as plain text. The names are made here,
// never typed by the user; the files are written off the UI goroutine,
// through os.OpenRoot, atomically and without replacing an existing file
// (see saveRooted). The status line names them relative to the root.
func (m *Model) save() tea.Cmd {
	if m.ctx.Root == "" {
		m.setStatus(true, "saving is off: no root directory")
		return nil
	}
	s := m.s
	stem := fmt.Sprintf("%s-step%d", safeName(s.name), s.t)

	n := &saved.Network{Net: s.net, Manifest: s.file.Manifest}
	n.Manifest.Notes = append(append([]string(nil), n.Manifest.Notes...),
		fmt.Sprintf("%s holds the state at step %d of condition %q after %s (saved from the UI)",
			StateTensor, s.t, s.proto.Conditions[s.cond].Name, s.perturbationText()))
	for _, e := range s.file.Extra {
		if e.Name != StateTensor {
			n.Extra = append(n.Extra, e)
		}
	}
	n.Extra = append(n.Extra, saved.Tensor{Name: StateTensor, Shape: []int{len(s.x)}, DType: saved.Float64,
		Data: append([]float64(nil), s.x...)})
	// Encode now: the network is the session's, stepped by this goroutine.
	var npz bytes.Buffer
	if err := saved.EncodeNative(&npz, n); err != nil {
		m.setStatus(true, "save: %v", err)
		return nil
	}

	var txt strings.Builder
	fmt.Fprintf(&txt, "attractor: %s, %s\n\n", s.name, ansi.Strip(strings.Join(m.statusLines(), " │ ")))
	for _, v := range []string{m.portrait.View(), m.eigen.View(), m.verdict.View()} {
		txt.WriteString(ansi.Strip(v))
		txt.WriteString("\n\n")
	}
	files := []saveFile{{suffix: "-state.npz", data: npz.Bytes()}, {suffix: "-plot.txt", data: []byte(txt.String())}}
	root, dir := m.ctx.Root, m.ctx.SaveDir
	if m.ctx.SaveRoot != "" {
		root, dir = m.ctx.SaveRoot, ""
	}
	return func() tea.Msg {
		if m.ctx.SaveRoot != "" {
			if err := os.MkdirAll(root, 0o755); err != nil {
				return savedMsg{err: err}
			}
		}
		paths, err := saveRooted(root, dir, stem, files)
		if err == nil && m.ctx.SaveRoot != "" && len(paths) > 0 {
			paths[0] = path.Join(filepath.ToSlash(root), paths[0])
		}
		return savedMsg{paths: paths, err: err}
	}
}

// savedText names the saved files for the status line: the first by its
// path relative to the root, the others (in the same directory) by their
// base names.
func savedText(paths []string) string {
	out := slices.Clone(paths)
	for i := 1; i < len(out); i++ {
		out[i] = path.Base(out[i])
	}
	return strings.Join(out, ", ")
}

// saveFile is one file of a save: the end of its name and its contents.
type saveFile struct {
	suffix string
	data   []byte
}

// saveMaxNumber bounds the numbered names tried for one save.
const saveMaxNumber = 10000

// saveRooted writes files, named stem+suffix, into directory dir (relative
// to root and slash-separated; "" is root itself), creating dir on demand,
// and returns their paths relative to root. Every access goes through
// os.OpenRoot, so neither dir nor a symbolic link under root can lead out
// of it. Each file is written to a hidden temporary file, synced and then
// hard-linked to its name, which fails instead of replacing a file that
// exists: the names are numbered (stem-2…, stem-3…) until every file of the
// save has a free one, so a save never overwrites anything and a reader
// never sees a partial file. (On a file system without hard links the
// temporary file is renamed to a name found free just before.)
func saveRooted(root, dir, stem string, files []saveFile) (paths []string, err error) {
	if dir == "" {
		dir = "."
	}
	if strings.ContainsRune(dir, '\\') || !fs.ValidPath(dir) {
		return nil, fmt.Errorf("save directory %q: not a plain relative path", dir)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if err := r.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmps := make([]string, len(files))
	defer func() {
		for _, t := range tmps {
			if t != "" {
				r.Remove(t) // a second link, or gone after a rename
			}
		}
	}()
	for i, f := range files {
		if tmps[i], err = saveTemp(r, dir, stem+f.suffix, f.data); err != nil {
			return nil, err
		}
	}
	names := make([]string, len(files))
	for k := 1; k <= saveMaxNumber; k++ {
		for i, f := range files {
			names[i] = stem + f.suffix
			if k > 1 {
				names[i] = fmt.Sprintf("%s-%d%s", stem, k, f.suffix)
			}
			names[i] = path.Join(dir, names[i])
		}
		ok, err := savePublish(r, tmps, names)
		if err != nil {
			return nil, err
		}
		if ok {
			if d, err := r.Open(dir); err == nil {
				err = d.Sync()
				d.Close()
				if err != nil {
					return nil, fmt.Errorf("sync %s: %w", dir, err)
				}
			}
			return names, nil
		}
	}
	return nil, fmt.Errorf("%s: %d saves of this name exist already", path.Join(dir, stem), saveMaxNumber)
}

// saveTemp writes data to a new hidden file in dir under r, synced, and
// returns its name.
func saveTemp(r *os.Root, dir, base string, data []byte) (string, error) {
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	name := path.Join(dir, fmt.Sprintf(".%s.tmp%x", base, rnd))
	f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.Remove(name)
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return name, nil
}

// savePublish gives the temporary files tmps the names names, all or none:
// it reports false, having undone the names it made, when one of the names
// exists already.
func savePublish(r *os.Root, tmps, names []string) (bool, error) {
	renamed := make([]bool, len(tmps))
	for i := range tmps {
		err := r.Link(tmps[i], names[i])
		if err == nil {
			continue
		}
		exists := errors.Is(err, fs.ErrExist)
		if !exists {
			// No hard links here: rename, if the name is free now.
			_, serr := r.Lstat(names[i])
			switch {
			case serr == nil:
				exists = true
			case errors.Is(serr, fs.ErrNotExist):
				rerr := r.Rename(tmps[i], names[i])
				if rerr == nil {
					renamed[i] = true
					continue
				}
				err = errors.Join(err, rerr)
			}
		}
		for j := range i {
			if renamed[j] {
				r.Rename(names[j], tmps[j])
			} else {
				r.Remove(names[j])
			}
		}
		if exists {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
