package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/saved"
	"attractor/train"
)

// pollOnce reads the followed run once, hands the result to m, and runs
// the checkpoint load it asks for (if any), handing that to m too. It
// returns whether a checkpoint was loaded.
func pollOnce(t *testing.T, m *Model) bool {
	t.Helper()
	msg := m.training.read()()
	_, cmd := m.Update(msg)
	loaded := false
	for _, c := range flatten(cmd) {
		if r, ok := c().(checkpointMsg); ok {
			m.Update(r)
			loaded = true
		}
	}
	return loaded
}

// flatten returns the commands of a batch without running the others.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	// A batch is itself a command returning tea.BatchMsg; the metrics
	// follower's tick is one of its parts and waits a millisecond.
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Cmd
		for _, c := range b {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

// TestFollowRun opens the UI on a run directory that has no checkpoint
// yet: it waits (no gallery network is opened in its place), opens the
// first checkpoint when it appears, titles every pane with its epoch,
// replaces it by the next, ignores a poll that finds nothing new, and says
// when the run has finished.
func TestFollowRun(t *testing.T) {
	c := testContext(t)
	c.RunDir = t.TempDir()
	c.MetricsPoll = time.Millisecond
	rec := &train.RunRecord{Task: "flipflop", Method: "bptt", Out: filepath.Join(c.RunDir, "net.npz"), Unit: "epoch", Units: 100, Status: train.StatusRunning}
	if err := train.WriteRunRecord(c.RunDir, rec); err != nil {
		t.Fatal(err)
	}
	m := New(c, "", nil)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if m.s != nil {
		t.Fatalf("opened %q while waiting for the run's first checkpoint", m.s.name)
	}
	if v := m.View(); !strings.Contains(v, "waiting for the first checkpoint") {
		t.Fatalf("no wait message:\n%s", v)
	}
	if pollOnce(t, m) {
		t.Fatal("loaded a checkpoint that does not exist")
	}
	write := func(done int) {
		n := freeNet(t)
		n.Extra = append(n.Extra, saved.Tensor{Name: "train.done", Shape: []int{1}, DType: saved.Float64, Data: []float64{float64(done)}})
		if err := saved.WriteNative(filepath.Join(c.RunDir, train.CheckpointFile), n); err != nil {
			t.Fatal(err)
		}
	}
	write(20)
	if !pollOnce(t, m) || m.s == nil || m.s.at != "epoch 20" {
		t.Fatalf("after the first checkpoint: session %v", m.s)
	}
	v := m.View()
	for _, title := range []string{"Phase portrait · epoch 20", "Eigenvalues · epoch 20", "Mechanism verdict · epoch 20"} {
		if !strings.Contains(v, title) {
			t.Errorf("no %q on the screen:\n%s", title, v)
		}
	}
	if pollOnce(t, m) {
		t.Error("reloaded an unchanged checkpoint")
	}
	time.Sleep(10 * time.Millisecond) // a new modification time
	write(40)
	if !pollOnce(t, m) || m.s.at != "epoch 40" {
		t.Fatalf("after the second checkpoint: shows %q", m.s.at)
	}
	rec.Status = train.StatusDiverged
	rec.Error = "training diverged at step 41: loss is NaN\x1b[31m"
	if err := train.WriteRunRecord(c.RunDir, rec); err != nil {
		t.Fatal(err)
	}
	pollOnce(t, m)
	if err := writeFile(filepath.Join(c.RunDir, train.MetricsFile), `{"step":40,"loss":0.5,"accuracy":0.7,"wall_s":4}`+"\n"); err != nil {
		t.Fatal(err)
	}
	pollOnce(t, m)
	v = m.View()
	if !strings.Contains(v, "run diverged") || strings.Contains(v, "\x1b[31m") {
		t.Errorf("the training pane does not say the run diverged, or passes an escape through:\n%q", v)
	}
	if !strings.Contains(v, "step 40/100") {
		t.Errorf("no total from run.json in the training pane:\n%s", v)
	}
}
