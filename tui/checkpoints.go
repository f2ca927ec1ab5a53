package tui

import (
	"io/fs"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/saved"
	"attractor/train"
)

// historyMsg carries a network of the followed run's history, read for
// the checkpoint keys.
type historyMsg struct {
	seq int // the request; only the newest is shown
	i   int // its index in the history
	net *saved.Network
	err error
}

// stepCheckpoint moves the portrait, spectrum and verdict to the history
// network before (d < 0) or after (d > 0) the one they show. From the
// live checkpoint, '<' goes to the latest history network before it; past
// the last history network, '>' returns to the live checkpoint and
// following. The network is read off the UI goroutine; a newer request
// supersedes an older one, and each analysis goes through the session's
// cache, so returning to a checkpoint costs nothing.
func (m *Model) stepCheckpoint(d int) tea.Cmd {
	lp := m.landscape
	hs := lp.hist
	if len(hs) == 0 {
		m.setStatus(false, "the run has kept no history yet")
		return nil
	}
	target := lp.sel + d
	if lp.sel < 0 { // live
		if d > 0 {
			m.setStatus(false, "already at the latest checkpoint")
			return nil
		}
		target = len(hs) - 1
		if live, ok := m.liveStep(); ok {
			for target >= 0 && hs[target].Step >= live {
				target--
			}
		}
	}
	switch {
	case target < 0:
		m.setStatus(false, "no earlier checkpoint in the history")
		return nil
	case target >= len(hs):
		return m.followLive()
	}
	lp.sel, lp.dirty = target, true
	m.histSeq++
	rf := runFilesOf(m.ctx)
	seq, rel := m.histSeq, rf.rel(hs[target].Path)
	m.setStatus(false, "opening %s of the history…", lp.at(target))
	return func() tea.Msg {
		n, _, err := rf.network(rel)
		return historyMsg{seq: seq, i: target, net: n, err: err}
	}
}

// liveStep returns the training step of the network on screen when it is
// the run's live checkpoint.
func (m *Model) liveStep() (int, bool) {
	if m.s == nil || !m.following {
		return 0, false
	}
	for _, t := range m.s.file.Extra {
		if t.Name == "train.done" && len(t.Data) == 1 {
			return int(t.Data[0]), true
		}
	}
	return 0, false
}

// handleHistory shows a history network in the portrait, spectrum and
// verdict panes, each titled with its step.
func (m *Model) handleHistory(msg historyMsg) tea.Cmd {
	lp := m.landscape
	if msg.seq != m.histSeq || lp.sel != msg.i || msg.i >= len(lp.hist) {
		return nil
	}
	if msg.err != nil {
		m.setStatus(true, "history: %v", msg.err)
		return nil
	}
	at := lp.at(msg.i)
	m.setNetwork(filepath.Base(m.ctx.RunDir), msg.net)
	m.s.at = at
	m.setStatus(false, "%s of the history (< earlier, > later; past the last: live)", at)
	return m.startAnalysis()
}

// followLive leaves the history and shows the run's live checkpoint
// again, following the run.
func (m *Model) followLive() tea.Cmd {
	lp := m.landscape
	lp.sel, lp.dirty = -1, true
	m.histSeq++
	m.following, m.ckStamp, m.ckLoading = true, ckStamp{}, true
	m.setStatus(false, "following %s again", saved.Printable(filepath.Base(m.ctx.RunDir)))
	rf, unit := runFilesOf(m.ctx), m.training.unit()
	return func() tea.Msg {
		st := pollRun(rf)
		if st.ck.mod.IsZero() {
			return checkpointMsg{dir: rf.Dir, err: fs.ErrNotExist}
		}
		return loadCheckpointCmd(rf, st.ck, unit)()
	}
}

// historyOf returns the run's history, or none when it cannot be read.
func historyOf(dir string) []train.HistoryFile {
	return historyIn(runFiles{Dir: dir})
}

// historyIn lists the run's history through the same checks as the files
// it names (runFiles.open): a history directory that is a symbolic link
// is not listed, so the names of files outside the root never show.
func historyIn(rf runFiles) []train.HistoryFile {
	r, err := rf.root()
	if err != nil {
		return nil
	}
	fi, err := r.Lstat(train.HistoryDir)
	r.Close()
	if err != nil || !fi.IsDir() {
		return nil
	}
	hs, _ := train.ReadHistory(rf.Dir)
	return hs
}

// followHistory hands a poll's history to the landscape pane, switches the
// checkpoint keys on with the first history network and lays the screen
// out again when the pane appears or goes.
func (m *Model) followHistory(st runState) tea.Cmd {
	was := m.landscape.visible()
	cmd := m.landscape.setHistory(st.hist)
	m.landscape.unit = m.training.unit()
	on := len(m.landscape.hist) > 0
	m.keys.PrevCk.SetEnabled(on)
	m.keys.NextCk.SetEnabled(on)
	if was != m.landscape.visible() {
		if !m.landscape.visible() && m.focus == paneLandscape {
			m.focusPane(panePortrait)
		}
		m.layout()
	}
	return cmd
}

// nextPane returns the pane d places after the focused one in Tab order,
// skipping the landscape pane when it is not shown.
func (m *Model) nextPane(d int) paneID {
	id := m.focus
	for range numPanes {
		id = (id + paneID(d)) % numPanes
		if id != paneLandscape || m.landscape.visible() {
			return id
		}
	}
	return m.focus
}
