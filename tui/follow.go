package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
	"attractor/train"
)

// ckStamp identifies one version of a run's checkpoint file: a trainer
// replaces it atomically (rename), so a new version has a new modification
// time or size. It reads the same on a shared file system written by a
// Slurm job on another node.
type ckStamp struct {
	mod  time.Time
	size int64
}

// runState is what a poll of a run directory found besides the metrics:
// the run record, the checkpoint's stamp (zero when there is none yet) and
// the networks of its history.
type runState struct {
	rec  *train.RunRecord // nil when run.json is missing or unreadable
	ck   ckStamp
	hist []train.HistoryFile
}

// runFiles opens the files of a followed run directory, repeating at
// every open the checks openRunCmd makes when the run is opened: the run
// directory must resolve inside Root (when set: the run was opened from a
// session's file list, perhaps over SSH), and no element of a file's name
// under it (history/, the file itself) may be a symbolic link. The file is
// opened through an os.Root of the run directory (itself opened through
// one of Root), so whatever changes on disk in between, nothing outside is
// reached; the opened file is checked to be the one the check saw.
type runFiles struct {
	Root string // the directory the run must lie in ("": not checked)
	Dir  string // the run directory
}

// runFilesOf returns the followed run's files of session context c.
func runFilesOf(c *Context) runFiles { return runFiles{Root: c.RunRoot, Dir: c.RunDir} }

// path names file rel in messages: the run directory's base name, then
// rel ("ff.run/history/step-100.npz"), short enough for a pane.
func (rf runFiles) path(rel string) string {
	return filepath.Join(filepath.Base(rf.Dir), filepath.FromSlash(rel))
}

// rel returns the slash-separated name under the run directory of name, a
// path beside it (a train.HistoryFile's).
func (rf runFiles) rel(name string) string {
	if r, err := filepath.Rel(rf.Dir, name); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(name) // refused by open: it leads out
}

// root opens the run directory as an os.Root.
func (rf runFiles) root() (*os.Root, error) {
	if rf.Root == "" {
		return os.OpenRoot(rf.Dir)
	}
	real, err := filepath.EvalSymlinks(rf.Root)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(real, rf.Dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, fmt.Errorf("%s is not inside the root directory", rf.Dir)
	}
	r, err := os.OpenRoot(real)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.OpenRoot(rel)
}

// open opens file rel (slash-separated) of the run for reading. Errors
// name the file; a missing one wraps fs.ErrNotExist.
func (rf runFiles) open(rel string) (*os.File, fs.FileInfo, error) {
	name := rf.path(rel)
	fail := func(err error) (*os.File, fs.FileInfo, error) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		return nil, nil, &saved.FileError{File: name, Err: err}
	}
	if !fs.ValidPath(rel) || rel == "." {
		return fail(errors.New("not a name inside the run directory"))
	}
	r, err := rf.root()
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	var fi fs.FileInfo
	els := strings.Split(rel, "/")
	for i := range els {
		el := path.Join(els[:i+1]...)
		if fi, err = r.Lstat(el); err != nil {
			return fail(err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink == 0:
		case el == rel:
			return fail(errors.New("a symbolic link: not followed"))
		default:
			return fail(fmt.Errorf("%s is a symbolic link: not followed", el))
		}
	}
	f, ofi, err := saved.OpenRegularIn(r, rel)
	if err != nil {
		return nil, nil, err
	}
	if !os.SameFile(fi, ofi) {
		f.Close()
		return fail(errors.New("replaced by another file while being opened"))
	}
	return f, ofi, nil
}

// read returns the whole of file rel, refusing one larger than limit bytes.
func (rf runFiles) read(rel string, limit int64) ([]byte, error) {
	f, fi, err := rf.open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, &saved.FileError{File: rf.path(rel), Err: fmt.Errorf("%d bytes, more than the limit of %d", fi.Size(), limit)}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("grew beyond the limit of %d bytes", limit)
	}
	if err != nil {
		return nil, &saved.FileError{File: rf.path(rel), Err: err}
	}
	return b, nil
}

// network reads the network file rel of the run, and returns its bytes
// too (the landscape hashes them).
func (rf runFiles) network(rel string) (*saved.Network, []byte, error) {
	b, err := rf.read(rel, saved.DefaultBudget)
	if err != nil {
		return nil, nil, err
	}
	n, err := saved.DefaultLimits.DecodeNative(rf.path(rel), bytes.NewReader(b), int64(len(b)))
	return n, b, err
}

// metrics reads the run's metrics log from offset (see train.ReadMetrics).
func (rf runFiles) metrics(offset int64) ([]train.Metrics, int64, error) {
	f, _, err := rf.open(train.MetricsFile)
	if err != nil {
		return nil, offset, err
	}
	defer f.Close()
	return train.ReadMetricsFrom(rf.path(train.MetricsFile), f, offset)
}

// errorLines returns err as pane lines of at most w columns, wrapped at
// spaces and slashes, at most maxLines of them: a refused file's name and
// the reason are shown whole in a narrow pane. The package prefix of the
// file errors ("saved: ") is left out.
func errorLines(st *Styles, err error, w, maxLines int) []string {
	if w < 1 || maxLines < 1 {
		return nil
	}
	msg := strings.TrimPrefix(saved.Printable(err.Error()), "saved: ")
	lines := strings.Split(ansi.Wrap(msg, w, "/"), "\n")
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = ansi.Truncate(lines[maxLines-1], w-1, "") + "…"
	}
	for i, l := range lines {
		lines[i] = st.Error.Render(l)
	}
	return lines
}

// runRecordLimit bounds run.json (train's own bound is 1 MiB; a longer
// file is refused by train.ParseRunRecord).
const runRecordLimit = 1 << 20

// pollRun reads the run's record and stats its checkpoint; it runs off the
// UI goroutine with the metrics read.
func pollRun(rf runFiles) runState {
	var st runState
	if b, err := rf.read(train.RunFile, runRecordLimit+1); err == nil {
		st.rec, _ = train.ParseRunRecord(rf.path(train.RunFile), b)
	}
	if f, fi, err := rf.open(train.CheckpointFile); err == nil {
		f.Close()
		st.ck = ckStamp{mod: fi.ModTime(), size: fi.Size()}
	}
	st.hist = historyIn(rf)
	return st
}

// checkpointMsg carries a newly read checkpoint of the followed run.
type checkpointMsg struct {
	dir   string // the run it is of
	net   *saved.Network
	stamp ckStamp
	at    string // "epoch 120", what the panes say they show
	err   error
}

// loadCheckpointCmd reads the followed run's checkpoint off the UI
// goroutine.
func loadCheckpointCmd(rf runFiles, stamp ckStamp, unit string) tea.Cmd {
	return func() tea.Msg {
		n, _, err := rf.network(train.CheckpointFile)
		if err != nil {
			return checkpointMsg{dir: rf.Dir, stamp: stamp, err: err}
		}
		return checkpointMsg{dir: rf.Dir, net: n, stamp: stamp, at: checkpointAt(n, unit)}
	}
}

// checkpointAt names the training step a checkpoint holds ("epoch 120"),
// from its train.done array; "" when it has none.
func checkpointAt(n *saved.Network, unit string) string {
	for _, t := range n.Extra {
		if t.Name == "train.done" && len(t.Data) == 1 {
			if unit == "" {
				unit = "step"
			}
			return fmt.Sprintf("%s %d", unit, int(t.Data[0]))
		}
	}
	return ""
}

// followRun reacts to a poll of the followed run: when the checkpoint
// changed since the network on screen was read, it reads the new one.
func (m *Model) followRun(st runState) tea.Cmd {
	if !m.following || st.ck.mod.IsZero() || st.ck == m.ckStamp || m.ckLoading || m.landscape.sel >= 0 {
		return nil
	}
	unit := ""
	if st.rec != nil {
		unit = st.rec.Unit
	}
	m.ckLoading = true
	return loadCheckpointCmd(runFilesOf(m.ctx), st.ck, unit)
}

// handleCheckpoint opens a new checkpoint of the followed run in place of
// the old one and re-runs the analyses (the running ones are cancelled).
func (m *Model) handleCheckpoint(msg checkpointMsg) tea.Cmd {
	if msg.dir != m.ctx.RunDir {
		return nil // of a run this session no longer follows
	}
	m.ckLoading = false
	if !m.following || m.landscape.sel >= 0 { // the user looks at the history
		return nil
	}
	if msg.err != nil {
		if !errors.Is(msg.err, fs.ErrNotExist) {
			m.setStatus(true, "checkpoint: %v", msg.err)
		}
		return nil
	}
	m.ckStamp = msg.stamp
	name := filepath.Base(m.ctx.RunDir)
	m.setNetwork(name, msg.net)
	m.s.at = msg.at
	m.following = true
	if msg.at != "" {
		m.setStatus(false, "following %s: %s", name, msg.at)
	}
	return m.startAnalysis()
}

// titled returns a pane title with the training step the session shows
// ("Eigenvalues · epoch 120") when it follows a run.
func (s *session) titled(title string) string {
	if s == nil || s.at == "" {
		return title
	}
	return title + " · " + s.at
}
