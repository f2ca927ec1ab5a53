package server

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
	"attractor/tui"
)

// writeRunCheckpoint writes the run's checkpoint after done epochs and
// keeps it in the history too: a random CTRNN of 12 units whose gain grows
// with the epoch.
func writeRunCheckpoint(t *testing.T, dir string, done int) {
	t.Helper()
	net, err := model.RandomSussilloAbbott(12, 1, 0.5+0.01*float64(done), model.NewRNG(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	n := &saved.Network{Net: net, Extra: []saved.Tensor{{Name: "train.done", Shape: []int{1}, DType: saved.Float64, Data: []float64{float64(done)}}}}
	if err := os.MkdirAll(filepath.Join(dir, train.HistoryDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := saved.WriteNative(filepath.Join(dir, train.HistoryDir, train.HistoryName(done)), n); err != nil {
		t.Fatal(err)
	}
	if err := saved.WriteNative(filepath.Join(dir, train.CheckpointFile), n); err != nil {
		t.Fatal(err)
	}
}

// TestFollowRunOverSSH opens a run directory under the server's root from
// the file list of an SSH session (o, then enter on the run) and follows
// it as `attractor ui RUN_DIR` does: the panes show the checkpoint's
// epoch, a new checkpoint replaces it, the landscape pane appears with the
// run's history, and '<' moves the panes to an earlier history network.
func TestFollowRunOverSSH(t *testing.T) {
	run, cs := followRunOverSSH(t, t.TempDir())
	time.Sleep(20 * time.Millisecond) // a new modification time
	writeRunCheckpoint(t, run, 40)
	cs.waitFor("· epoch 40")
	cs.send("<")
	cs.waitFor("epoch 20 of the history")
	cs.send("q")
	if err := cs.wait(); err != nil {
		t.Errorf("session ended with %v after q", err)
	}
}

// TestFollowRunOverSSHRefusesHistoryLink follows a run over SSH and then
// puts a symbolic link into its history leading out of the served root:
// the session refuses to open it (the landscape pane says so), does not
// end or panic, and goes on following the run's new checkpoints.
func TestFollowRunOverSSHRefusesHistoryLink(t *testing.T) {
	outside := t.TempDir()
	writeRunCheckpoint(t, outside, 10)
	run, cs := followRunOverSSH(t, t.TempDir())
	link := filepath.Join(run, train.HistoryDir, train.HistoryName(10))
	if err := os.Symlink(filepath.Join(outside, train.CheckpointFile), link); err != nil {
		t.Fatal(err)
	}
	cs.waitFor("symbolic link")
	time.Sleep(20 * time.Millisecond) // a new modification time
	writeRunCheckpoint(t, run, 40)
	cs.waitFor("· epoch 40")
	cs.send("q")
	if err := cs.wait(); err != nil {
		t.Errorf("session ended with %v after q", err)
	}
}

// followRunOverSSH makes a running flip-flop run with a checkpoint at
// epoch 20 under root, serves root, opens the run from the file list in an
// SSH session and waits until its panes show epoch 20 and the landscape.
func followRunOverSSH(t *testing.T, root string) (string, *clientSession) {
	t.Helper()
	run := filepath.Join(root, "ff.npz.run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := &train.RunRecord{Task: "flipflop", Method: "bptt", Out: filepath.Join(run, "net.npz"), Unit: "epoch", Units: 100, Status: train.StatusRunning}
	if err := train.WriteRunRecord(run, rec); err != nil {
		t.Fatal(err)
	}
	writeRunCheckpoint(t, run, 20)
	app := func(s *Session) (tea.Model, error) {
		c := tui.NewContext(s.Context, s.Renderer)
		c.Root = root
		c.Gallery = tui.Entries{c.Gallery.Entries()[0]}
		c.MetricsPoll = 50 * time.Millisecond
		return tui.New(c, "", nil), nil
	}
	ts := startServer(t, Config{App: app, RootDir: root})
	cs := ts.open(t, "tester")
	cs.waitFor("00-sine-force")
	cs.send("o")
	cs.waitFor("ff.npz.run/ (run)")
	cs.send("\r")
	cs.waitFor("· epoch 20")
	cs.waitFor("Landscape")
	return run, cs
}
