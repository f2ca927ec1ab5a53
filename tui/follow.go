package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"

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

// pollRun reads dir's run record and stats its checkpoint; it runs off the
// UI goroutine with the metrics read.
func pollRun(dir string) runState {
	var st runState
	st.rec, _ = train.ReadRunRecord(dir)
	if fi, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err == nil {
		st.ck = ckStamp{mod: fi.ModTime(), size: fi.Size()}
	}
	st.hist = historyOf(dir)
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
func loadCheckpointCmd(dir string, stamp ckStamp, unit string) tea.Cmd {
	return func() tea.Msg {
		n, err := saved.ReadNative(filepath.Join(dir, train.CheckpointFile))
		if err != nil {
			return checkpointMsg{dir: dir, stamp: stamp, err: err}
		}
		return checkpointMsg{dir: dir, net: n, stamp: stamp, at: checkpointAt(n, unit)}
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
	return loadCheckpointCmd(m.ctx.RunDir, st.ck, unit)
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
