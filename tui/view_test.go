package tui

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"attractor/inspect"
)

// The first screen, at the smallest common and a large terminal size,
// through a real program: the gallery network opens, the analysis runs in
// the background and the screen settles once the fixed points and the verdict are in.
// The golden files hold the final model's View (no colours); regenerate
// them with go test -run TestGolden -update.
func TestGoldenScreens(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			c := testContext(t)
			c.Gallery = EmbeddedGallery()
			m := New(c, "", nil)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz.w, sz.h))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte("fixed points:")) && bytes.Contains(b, []byte("Verdict:"))
			}, teatest.WithDuration(60*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
			view := fm.View()
			if got := strings.Count(view, "\n") + 1; got != sz.h {
				t.Errorf("screen has %d lines, want %d", got, sz.h)
			}
			for i, line := range strings.Split(view, "\n") {
				if w := ansi.StringWidth(line); w > sz.w {
					t.Errorf("line %d is %d columns wide, more than %d", i, w, sz.w)
				}
			}
			for _, title := range []string{"Networks", "Training", "Phase portrait", "Eigenvalues", "Mechanism verdict"} {
				if !strings.Contains(view, title) {
					t.Errorf("no pane titled %q", title)
				}
			}
			golden.RequireEqual(t, []byte(view))
		})
	}
}

// View with nothing changed returns the cached string without rendering.
func TestViewCached(t *testing.T) {
	m := newTestModel(t, entrySine, 120, 40)
	a := m.View()
	b := m.View()
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("View with nothing changed rendered a new string")
	}
	if n := testing.AllocsPerRun(100, func() { m.View() }); n != 0 {
		t.Errorf("cached View allocates %v times", n)
	}
	press(m, ".")
	if c := m.View(); c == a {
		t.Error("View did not change after a step")
	}
}

// Non-finite and huge states and eigenvalues reach the portrait and the
// spectrum panes without a panic; what cannot be drawn is counted.
func TestNonFiniteStates(t *testing.T) {
	for _, v := range []float64{math.NaN(), 1e300, -1e300, math.Inf(1)} {
		m := newTestModel(t, entrySine, 120, 40)
		for i := range m.s.x {
			m.s.x[i] = v
		}
		m.s.project()
		m.s.trailX = append(m.s.trailX, v, 0, v)
		m.s.trailY = append(m.s.trailY, 0, v, v)
		// A fixed point and a spectrum holding the same values.
		fd := *m.s.fixed
		res := *fd.res
		res.Points = append([]inspect.FixedPoint(nil), res.Points...)
		res.Points[0].Eigenvalues.Values = []complex128{complex(v, 0), complex(0, v), complex(v, v), -1}
		fd.res = &res
		fd.px = append([]float64{v}, fd.px[1:]...)
		m.s.fixed = &fd
		m.invalidateAll()
		m.focusPane(paneEigen)
		for range 4 {
			press(m, "right")
		}
		view := m.View()
		if !strings.Contains(view, "off-scale") {
			t.Errorf("state %v: the view does not say what is off-scale", v)
		}
		if !strings.Contains(view, "Phase portrait") || !strings.Contains(view, "Eigenvalues") {
			t.Errorf("state %v: panes missing", v)
		}
		// Stepping on from a non-finite state flags it as diverged.
		press(m, ".")
		if finite := !math.IsNaN(v) && !math.IsInf(v, 0); m.s.diverged == finite {
			t.Errorf("state %v: diverged = %v after a step", v, m.s.diverged)
		}
	}
}

// The convention names itself: multipliers and the unit circle for a
// discrete map.
func TestEigenConvention(t *testing.T) {
	m := newTestModel(t, entryMap, 200, 60)
	if !strings.Contains(m.View(), "multipliers μ, unit circle") {
		t.Error("a discrete map's eigenvalue pane does not say multipliers μ, unit circle")
	}
	if !strings.Contains(m.View(), "1/|ln|μ||") {
		t.Error("no multiplier time constant")
	}
	m = newTestModel(t, entrySine, 200, 60)
	if !strings.Contains(m.View(), "rates λ (1/τ), Re λ = 0 line") || !strings.Contains(m.View(), "1/|Re λ|") {
		t.Error("a flow's eigenvalue pane does not say rates λ (1/τ), Re λ = 0 line")
	}
	m = newTestModel(t, entrySine, 80, 24) // narrow: the convention moves into the pane
	if !strings.Contains(m.View(), "rates λ (1/τ), Re λ") {
		t.Error("at 80 columns the convention is not shown")
	}
}

// Below the minimum size the UI says so instead of drawing broken panes.
func TestTooSmall(t *testing.T) {
	m := newTestModel(t, entrySine, 50, 12)
	if v := m.View(); !strings.Contains(v, "at least 60×16") {
		t.Errorf("view %q", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 90, Height: 30})
	if v := m.View(); strings.Count(v, "\n") != 29 {
		t.Errorf("after growing to 90×30 the screen has %d lines", strings.Count(v, "\n")+1)
	}
}

// The training pane follows a metrics log written by another process.
func TestTrainingFollowsMetrics(t *testing.T) {
	c := testContext(t)
	c.RunDir = t.TempDir()
	log := `{"step":1,"loss":0.5,"accuracy":0.2,"wall_s":1}` + "\n" + `{"step":2,"loss":0.25,"accuracy":0.6,"wall_s":2}` + "\n" + `{"step":3,"loss":`
	if err := writeFile(c.RunDir+"/metrics.jsonl", log); err != nil {
		t.Fatal(err)
	}
	m := New(c, "", nil)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	msgs := collect(m.training.follow())
	_, cmd := m.Update(msgs[0])
	if len(m.training.metrics) != 2 || cmd == nil {
		t.Fatalf("read %d metrics (want the 2 complete lines) and re-armed %v", len(m.training.metrics), cmd != nil)
	}
	if v := m.View(); !strings.Contains(v, "loss 0.25") || !strings.Contains(v, "acc 0.6") || !strings.Contains(v, "1/s") {
		t.Errorf("training pane lacks loss, accuracy or rate:\n%s", v)
	}
}

// At 80×24 the full help (after ?) shows every key and its description,
// and the status line shows every part (on two lines if need be).
func TestHelpAndStatusAt80x24(t *testing.T) {
	m := newTestModel(t, entrySine, 80, 24)
	press(m, "?")
	m.setStatus(false, "saved saves/00-sine-force-state.npz, -plot.txt")
	view := ansi.Strip(m.View())
	if got := strings.Count(view, "\n") + 1; got != 24 {
		t.Errorf("screen has %d lines, want 24", got)
	}
	for _, col := range m.helpKeys().FullHelp() {
		for _, b := range col {
			h := b.Help()
			if !strings.Contains(view, h.Key+" ") || !strings.Contains(view, h.Desc) {
				t.Errorf("the help at 80×24 lacks %q %q", h.Key, h.Desc)
			}
		}
	}
	requireStatusAt80(t, m, view)
	golden.RequireEqual(t, []byte(view))
}

// requireStatusAt80 checks that an 80-column view shows every part of
// m's status lines and no line wider than 80 columns.
func requireStatusAt80(t *testing.T, m *Model, view string) {
	t.Helper()
	for _, p := range m.statusParts() {
		if !strings.Contains(view, ansi.Strip(p)) {
			t.Errorf("the status lines at 80×24 lack %q", ansi.Strip(p))
		}
	}
	for i, line := range strings.Split(view, "\n") {
		if w := ansi.StringWidth(line); w > 80 {
			t.Errorf("line %d is %d columns wide", i, w)
		}
	}
}
