package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
	"attractor/train"
)

// writeRunNet writes a network after done epochs to file name of run dir.
func writeRunNet(t *testing.T, dir, name string, done int) {
	t.Helper()
	n := freeNet(t)
	n.Extra = append(n.Extra, saved.Tensor{Name: "train.done", Shape: []int{1}, DType: saved.Float64, Data: []float64{float64(done)}})
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := saved.WriteNative(filepath.Join(dir, name), n); err != nil {
		t.Fatal(err)
	}
}

// pollAll reads the followed run once and runs every command the poll
// asks for (checkpoint and landscape work), handing the results to m.
func pollAll(t *testing.T, m *Model) {
	t.Helper()
	_, cmd := m.Update(m.training.read()())
	for _, c := range flatten(cmd) {
		switch r := c().(type) {
		case checkpointMsg, landscapeMsg:
			m.Update(r)
		}
	}
}

// paneSays reports whether pane view (wrapped, in a frame) says each of
// texts, compared without spaces so that wrapping does not matter.
func paneSays(view string, texts ...string) bool {
	var b strings.Builder
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		b.WriteString(strings.ReplaceAll(strings.Trim(l, "│╭╮╰╯─ "), " ", ""))
	}
	for _, t := range texts {
		if !strings.Contains(b.String(), strings.ReplaceAll(t, " ", "")) {
			return false
		}
	}
	return true
}

// followedFromList opens run directory rel under root as a session's file
// list does (the checks of openRunCmd, then openRun) and reads it once.
func followedFromList(t *testing.T, root, rel string) *Model {
	t.Helper()
	c := testContext(t)
	c.Root = root
	c.MetricsPoll = time.Millisecond
	m := New(c, "", nil)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	msg, ok := openRunCmd(root, rel)().(runOpenMsg)
	if !ok || msg.err != nil {
		t.Fatalf("open %s: %v", rel, msg.err)
	}
	nm, _ := m.openRun(msg)
	m = nm.(*Model)
	pollAll(t, m)
	return m
}

// A run opened from the file list (perhaps over SSH) is checked when it is
// opened: its directory resolves inside the root and its files are not
// symbolic links. A symbolic link put into its history afterwards, leading
// out of the root, is refused when the UI opens it (by the landscape and
// by '<'), with a message naming the file; nothing panics, and the rest
// (new checkpoints, the metrics, the other history networks) keeps
// working. A metrics log replaced by such a link is refused the same way.
func TestFollowRefusesHistorySymlink(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	run := filepath.Join(root, "ff.npz.run")
	rec := &train.RunRecord{Task: "flipflop", Method: "bptt", Out: filepath.Join(run, "net.npz"), Unit: "epoch", Units: 100, Status: train.StatusRunning}
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := train.WriteRunRecord(run, rec); err != nil {
		t.Fatal(err)
	}
	writeRunNet(t, run, train.CheckpointFile, 20)
	writeRunNet(t, run, filepath.Join(train.HistoryDir, train.HistoryName(20)), 20)
	writeRunNet(t, outside, "secret.npz", 10)

	m := followedFromList(t, root, "ff.npz.run")
	if m.s == nil || m.s.at != "epoch 20" || m.landscape.err != nil {
		t.Fatalf("after opening: session %v, landscape error %v", m.s, m.landscape.err)
	}
	// After opening, a link in the history leads out of the root.
	link := filepath.Join(run, train.HistoryDir, train.HistoryName(10))
	if err := os.Symlink(filepath.Join(outside, "secret.npz"), link); err != nil {
		t.Fatal(err)
	}
	pollAll(t, m)
	if len(m.landscape.hist) != 2 {
		t.Fatalf("the history has %d networks, want 2 (the link listed, then refused)", len(m.landscape.hist))
	}
	want := filepath.Join("ff.npz.run", train.HistoryDir, train.HistoryName(10))
	if v := m.landscape.View(); m.landscape.err == nil || !paneSays(v, want, "a symbolic link: not followed") {
		t.Errorf("the landscape pane does not refuse %s as a symbolic link (error %v):\n%s", want, m.landscape.err, v)
	}
	// '<' asks for the linked network: refused, the panes stay on epoch 20.
	for _, c := range flatten(press(m, "<")) {
		m.Update(c())
	}
	v := ansi.Strip(m.View())
	if m.s.at != "epoch 20" || !strings.Contains(v, want) || !strings.Contains(v, "symbolic link") {
		t.Errorf("'<' to the link: the panes show %q and the status does not name %s as a symbolic link:\n%s", m.s.at, want, v)
	}
	// The rest keeps working: back to the live checkpoint, a new one is
	// followed and the metrics are read.
	for range 2 {
		for _, c := range flatten(press(m, ">")) {
			m.Update(c())
		}
	}
	if m.landscape.sel != -1 {
		t.Fatalf("'>' twice did not return to the live checkpoint (at history %d)", m.landscape.sel)
	}
	time.Sleep(10 * time.Millisecond) // a new modification time
	writeRunNet(t, run, train.CheckpointFile, 40)
	if err := writeFile(filepath.Join(run, train.MetricsFile), `{"step":40,"loss":0.5,"accuracy":0.7,"wall_s":4}`+"\n"); err != nil {
		t.Fatal(err)
	}
	pollAll(t, m)
	if m.s.at != "epoch 40" || len(m.training.metrics) != 1 {
		t.Errorf("after the refusal: the panes show %q (want epoch 40), %d metrics read (want 1)", m.s.at, len(m.training.metrics))
	}

	// A metrics log replaced by a link out of the root is refused, named.
	if err := writeFile(filepath.Join(outside, "m.jsonl"), `{"step":99,"loss":0.1,"accuracy":1,"wall_s":9}`+"\n"); err != nil {
		t.Fatal(err)
	}
	ml := filepath.Join(run, train.MetricsFile)
	if err := os.Remove(ml); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "m.jsonl"), ml); err != nil {
		t.Fatal(err)
	}
	m.training.offset = 0
	pollAll(t, m)
	if v := m.training.View(); m.training.err == nil || !paneSays(v, filepath.Join("ff.npz.run", train.MetricsFile), "a symbolic link: not followed") {
		t.Errorf("a linked metrics log is not refused by name (error %v):\n%s", m.training.err, v)
	}
	for _, ms := range m.training.metrics {
		if ms.Step == 99 {
			t.Error("the training pane read the metrics of a file outside the root")
		}
	}
}

// A run directory replaced, after it was opened, by a link leading out of
// the root is refused at the next open: the checkpoint it holds there is
// not read.
func TestFollowRefusesRunDirSwappedForLink(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	run := filepath.Join(root, "r.run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	writeRunNet(t, run, train.CheckpointFile, 20)
	m := followedFromList(t, root, "r.run")
	if m.s == nil || m.s.at != "step 20" {
		t.Fatalf("after opening: session %v", m.s)
	}
	writeRunNet(t, outside, train.CheckpointFile, 99)
	if err := os.Rename(run, run+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, run); err != nil {
		t.Fatal(err)
	}
	rf := runFilesOf(m.ctx)
	if _, _, err := rf.network(train.CheckpointFile); err == nil {
		t.Error("read the checkpoint of a run directory swapped for a link out of the root")
	}
	pollAll(t, m)
	if m.s.at != "step 20" {
		t.Errorf("the panes moved to %q, read through the link", m.s.at)
	}
}

// TestHistoryListRefusesLinkedDir: a history directory that is a symbolic
// link to a directory outside the run is not listed (the names of the
// files there never reach the screen); a real one is.
func TestHistoryListRefusesLinkedDir(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	run := filepath.Join(root, "ff.npz.run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	writeRunNet(t, outside, train.HistoryName(99), 99)
	if err := os.Symlink(outside, filepath.Join(run, train.HistoryDir)); err != nil {
		t.Fatal(err)
	}
	rf := runFiles{Dir: run, Root: root}
	if hs := historyIn(rf); len(hs) != 0 {
		t.Fatalf("a linked history directory was listed: %+v", hs)
	}
	if err := os.Remove(filepath.Join(run, train.HistoryDir)); err != nil {
		t.Fatal(err)
	}
	writeRunNet(t, run, filepath.Join(train.HistoryDir, train.HistoryName(20)), 20)
	if hs := historyIn(rf); len(hs) != 1 || hs[0].Step != 20 {
		t.Fatalf("the run's own history: %+v", hs)
	}
}
