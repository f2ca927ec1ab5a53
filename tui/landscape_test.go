package tui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// settle runs cmd and every command its messages return, the way Bubble
// Tea would but on the calling goroutine, except the metrics follower's
// next poll (the test polls itself).
func settle(m *Model, cmd tea.Cmd) {
	for _, msg := range collect(cmd) {
		if _, ok := msg.(pollMetricsMsg); ok {
			continue
		}
		_, next := m.Update(msg)
		settle(m, next)
	}
}

// poll reads the followed run once and settles what it starts.
func poll(m *Model) { settle(m, m.training.read()) }

// historyRun makes a run directory with a run record (epochs), a metrics
// log and history networks at the given epochs, the last of them also
// the live checkpoint. The networks differ: a random CTRNN of 12 units
// whose gain grows with the epoch, so its landscape changes.
func historyRun(t *testing.T, dir string, epochs ...int) {
	t.Helper()
	rec := &train.RunRecord{Task: "flipflop", Method: "bptt", Out: filepath.Join(dir, "net.npz"), Unit: "epoch", Units: 100, Status: train.StatusRunning}
	if err := train.WriteRunRecord(dir, rec); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, train.HistoryDir), 0o755); err != nil {
		t.Fatal(err)
	}
	log := ""
	for _, e := range epochs {
		net, err := model.RandomSussilloAbbott(12, 1, 0.5+0.1*float64(e), model.NewRNG(5, 0))
		if err != nil {
			t.Fatal(err)
		}
		n := &saved.Network{Net: net, Extra: []saved.Tensor{{Name: "train.done", Shape: []int{1}, DType: saved.Float64, Data: []float64{float64(e)}}}}
		if err := saved.WriteNative(filepath.Join(dir, train.HistoryDir, train.HistoryName(e)), n); err != nil {
			t.Fatal(err)
		}
		if err := saved.WriteNative(filepath.Join(dir, train.CheckpointFile), n); err != nil {
			t.Fatal(err)
		}
		log += `{"step":` + itoa(e) + `,"loss":` + ftoa(1/float64(e)) + `,"accuracy":0.9,"wall_s":` + itoa(e) + "}\n"
	}
	if err := writeFile(filepath.Join(dir, train.MetricsFile), log); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// TestLandscapePane follows a run with a history: the landscape pane
// appears with the census of every history network, the checkpoint keys
// move the portrait, spectrum and verdict to a history network (titled
// with its epoch) and back to the live checkpoint, a new checkpoint does
// not replace a history network being looked at, and a history that grows
// is continued, not recomputed.
func TestLandscapePane(t *testing.T) {
	c := testContext(t)
	c.RunDir = t.TempDir()
	c.MetricsPoll = time.Millisecond
	cache := newCountingCache()
	c.Cache = cache
	historyRun(t, c.RunDir, 1, 3, 10)
	n, err := saved.ReadNative(filepath.Join(c.RunDir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	m := New(c, filepath.Base(c.RunDir), n)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if !m.landscape.visible() || !m.keys.PrevCk.Enabled() {
		t.Fatal("no landscape pane or no checkpoint keys for a run with a history")
	}
	settle(m, m.Init())
	poll(m)
	if got := cache.count("landscape/v1"); got != 3 || m.landscape.res == nil || len(m.landscape.res.Checkpoints) != 3 {
		t.Fatalf("%d landscape runs, want one per history network (3)", got)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Landscape") || !strings.Contains(v, "10: ") || !strings.Contains(v, "log loss") {
		t.Errorf("no landscape pane with the census of epoch 10 and the loss:\n%s", v)
	}
	if m.s.at != "epoch 10" {
		t.Fatalf("the live checkpoint shows %q", m.s.at)
	}

	// '<' from the live checkpoint (epoch 10) goes to the history network
	// before it, epoch 3; then epoch 1; then no further.
	settle(m, press(m, "<"))
	v = ansi.Strip(m.View())
	for _, title := range []string{"% · epoch 3 ═", "Eigenvalues · epoch 3", "Landscape · epoch 3", "verdict · ↓ more · epoch 3"} {
		if !strings.Contains(v, title) {
			t.Errorf("after '<': no %q on the screen:\n%s", title, v)
		}
	}
	settle(m, press(m, "<"))
	settle(m, press(m, "<"))
	if m.s.at != "epoch 1" || !strings.Contains(m.status, "no earlier checkpoint") {
		t.Errorf("after three '<': shows %q, says %q", m.s.at, m.status)
	}
	// A new live checkpoint does not replace what the user looks at.
	time.Sleep(10 * time.Millisecond)
	historyRun(t, c.RunDir, 1, 3, 10, 20)
	poll(m)
	if m.s.at != "epoch 1" {
		t.Errorf("a new checkpoint replaced the history network looked at: shows %q", m.s.at)
	}
	if got := cache.count("landscape/v1"); got != 4 || len(m.landscape.res.Checkpoints) != 4 {
		t.Errorf("after one more history network: %d landscape runs, %d checkpoints; want 4 and 4 (continued, not redone)", got, len(m.landscape.res.Checkpoints))
	}
	// '>' to the end of the history, then once more: live again, on the
	// new checkpoint.
	for range 3 {
		settle(m, press(m, ">"))
	}
	if m.s.at != "epoch 20" || m.landscape.sel != 3 {
		t.Errorf("after three '>': shows %q (history %d), want epoch 20 of the history", m.s.at, m.landscape.sel)
	}
	settle(m, press(m, ">"))
	if m.landscape.sel != -1 || !m.following || m.s.at != "epoch 20" {
		t.Errorf("past the history: history %d, following %v, shows %q; want the live checkpoint at epoch 20", m.landscape.sel, m.following, m.s.at)
	}

	// A second session on the same run shares the landscape.
	c2 := testContext(t)
	c2.RunDir, c2.MetricsPoll, c2.Cache = c.RunDir, time.Millisecond, cache
	m2 := New(c2, filepath.Base(c.RunDir), n)
	m2.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	settle(m2, m2.landscape.next())
	if got := cache.count("landscape/v1"); got != 4 || len(m2.landscape.res.Checkpoints) != 4 {
		t.Errorf("a second session: %d landscape runs in all, %d checkpoints; want 4 and 4", got, len(m2.landscape.res.Checkpoints))
	}
}

// A history that does not extend the one followed (a new run in the same
// directory) starts the landscape over, and the result of the work it
// superseded is dropped.
func TestLandscapeSuperseded(t *testing.T) {
	c := testContext(t)
	c.RunDir = t.TempDir()
	historyRun(t, c.RunDir, 1, 3)
	p := newLandscapePane(c)
	cmd := p.setHistory(historyOf(c.RunDir))
	if cmd == nil || !p.busy {
		t.Fatal("no landscape started")
	}
	old := cmd()
	if err := os.RemoveAll(filepath.Join(c.RunDir, train.HistoryDir)); err != nil {
		t.Fatal(err)
	}
	historyRun(t, c.RunDir, 2, 5)
	next := p.setHistory(historyOf(c.RunDir))
	if next == nil || p.res != nil {
		t.Fatal("a new history did not start the landscape over")
	}
	if p.handle(old.(landscapeMsg)); p.res != nil {
		t.Fatal("the superseded landscape was shown")
	}
	p.handle(next().(landscapeMsg))
	if p.res == nil || p.res.Checkpoints[0].Step != 2 {
		t.Fatalf("the new history's landscape starts at %v, want step 2", p.res)
	}
}

// At 80×24 on a run with a history, the landscape pane is on the screen,
// the full help shows every key, the checkpoint keys included, and the
// status line is whole. The goldens hold the screen without and with the
// help.
func TestLandscapeAt80x24(t *testing.T) {
	c := testContext(t)
	c.RunDir = filepath.Join(t.TempDir(), "ff.npz.run") // its name is on the screen
	c.MetricsPoll = time.Millisecond
	if err := os.Mkdir(c.RunDir, 0o755); err != nil {
		t.Fatal(err)
	}
	historyRun(t, c.RunDir, 1, 3, 10, 30, 100)
	n, err := saved.ReadNative(filepath.Join(c.RunDir, train.CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	m := New(c, "ff.npz.run", n)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	settle(m, m.Init())
	poll(m)
	settle(m, press(m, "<"))
	t.Run("screen", func(t *testing.T) { golden.RequireEqual(t, []byte(ansi.Strip(m.View()))) })
	press(m, "?")
	view := ansi.Strip(m.View())
	if got := strings.Count(view, "\n") + 1; got != 24 {
		t.Errorf("screen has %d lines, want 24", got)
	}
	if !strings.Contains(view, "Landscape") || !strings.Contains(view, "│30: ") || !strings.Contains(view, "verdict · ↓ more · epoch 30") {
		t.Errorf("no landscape pane on epoch 30, or the verdict is not titled with it:\n%s", view)
	}
	for _, col := range m.helpKeys().FullHelp() {
		for _, b := range col {
			h := b.Help()
			if !strings.Contains(view, h.Key+" ") || !strings.Contains(view, h.Desc) {
				t.Errorf("the help at 80×24 lacks %q %q", h.Key, h.Desc)
			}
		}
	}
	if !strings.Contains(view, "< ") || !strings.Contains(view, "earlier checkpoint") {
		t.Errorf("no checkpoint keys in the help:\n%s", view)
	}
	requireStatusAt80(t, m, view)
	t.Run("help", func(t *testing.T) { golden.RequireEqual(t, []byte(view)) })
}
