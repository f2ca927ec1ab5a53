package tui

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/train"
)

// runOpenMsg opens a run directory chosen in the file list.
type runOpenMsg struct {
	dir  string // its real path
	root string // the root's real path, which dir must stay inside
	name string
	err  error
}

// isRunDir reports whether directory rel under root r holds a run record.
func isRunDir(r *os.Root, rel string) bool {
	fi, err := r.Stat(path.Join(rel, train.RunFile))
	return err == nil && fi.Mode().IsRegular()
}

// openRunCmd resolves run directory rel under root for following. The
// follower reads the run's files by path, so the directory's real path
// (symbolic links resolved) must lie inside the root's, and the files it
// reads must not be symbolic links: a run opened over SSH reaches nothing
// outside the root that os.OpenRoot would refuse.
func openRunCmd(root, rel string) tea.Cmd {
	return func() tea.Msg {
		name := path.Base(rel)
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return runOpenMsg{name: name, err: err}
		}
		dir, err := filepath.EvalSymlinks(filepath.Join(realRoot, filepath.FromSlash(rel)))
		if err != nil {
			return runOpenMsg{name: name, err: err}
		}
		if r, err := filepath.Rel(realRoot, dir); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
			return runOpenMsg{name: name, err: fmt.Errorf("%s leads out of the root directory", rel)}
		}
		for _, f := range []string{train.RunFile, train.MetricsFile, train.CheckpointFile, train.HistoryDir} {
			if fi, err := os.Lstat(filepath.Join(dir, f)); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return runOpenMsg{name: name, err: fmt.Errorf("%s/%s is a symbolic link: not followed", rel, f)}
			}
		}
		return runOpenMsg{dir: dir, root: realRoot, name: name}
	}
}

// openRun replaces the UI by one following the run directory, as
// `attractor ui RUN_DIR` opens it; the work of this one is cancelled and
// its late messages are dropped by the new one (its generations continue
// this one's).
func (m *Model) openRun(msg runOpenMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.setStatus(true, "open %s: %v", msg.name, msg.err)
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.landscape.reset()
	c := *m.ctx
	c.RunDir, c.RunRoot = msg.dir, msg.root
	nm := New(&c, msg.name, nil)
	nm.gen, nm.runID, nm.histSeq = m.gen, m.runID, m.histSeq
	nm.training.id = m.training.id
	nm.landscape.gen = m.landscape.gen
	nm.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height})
	return nm, nm.Init()
}
