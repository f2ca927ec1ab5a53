package tui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
)

// Galley entries of testGallery.
const (
	entrySine = 0 // the embedded FORCE sine generator (signal task, one condition)
	entryFree = 1 // free-running, four conditions
	entryMap  = 2 // discrete map
)

// keyTests checks, for every key the help bar can show (by its help
// label), that it does what its description says.
var keyTests = map[string]func(t *testing.T){
	"space": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		cmd := press(m, " ")
		if !m.running || cmd == nil {
			t.Fatalf("after space: running %v, cmd %v; want running with a tick", m.running, cmd)
		}
		t0 := m.s.t
		for _, msg := range collect(cmd) {
			m.Update(msg)
		}
		if m.s.t != t0+m.s.stepsPerTick {
			t.Errorf("one tick advanced %d steps, want %d", m.s.t-t0, m.s.stepsPerTick)
		}
		press(m, " ")
		if m.running {
			t.Error("second space did not pause")
		}
	},
	".": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		x0 := slices.Clone(m.s.x)
		press(m, ".")
		if m.s.t != 1 || slices.Equal(x0, m.s.x) {
			t.Errorf("after '.': t = %d, state moved %v; want t = 1 and a new state", m.s.t, !slices.Equal(x0, m.s.x))
		}
		want := make([]float64, len(x0))
		m.s.net.Step(want, x0, nil)
		if !slices.Equal(want, m.s.x) {
			t.Error("'.' did not take exactly one step of the network")
		}
	},
	"[": func(t *testing.T) {
		m := newTestModel(t, entryFree, 120, 40)
		press(m, "[")
		last := len(m.s.proto.Conditions) - 1
		if m.s.cond != last || !slices.Equal(m.s.x, m.s.proto.Conditions[last].X0) {
			t.Errorf("after '[' from condition 0: condition %d; want %d (wrapping) at its initial state", m.s.cond, last)
		}
	},
	"]": func(t *testing.T) {
		m := newTestModel(t, entryFree, 120, 40)
		press(m, ".")
		press(m, "]")
		if m.s.cond != 1 || m.s.t != 0 || !slices.Equal(m.s.x, m.s.proto.Conditions[1].X0) {
			t.Errorf("after ']': condition %d at step %d; want condition 1 reset to its initial state", m.s.cond, m.s.t)
		}
		if want := fmt.Sprintf("cond 2/%d", len(m.s.proto.Conditions)); !strings.Contains(m.View(), want) {
			t.Errorf("status line does not show %s", want)
		}
	},
	"k": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		x0 := slices.Clone(m.s.x)
		press(m, "k")
		var d2 float64
		for i := range x0 {
			d := m.s.x[i] - x0[i]
			d2 += d * d
		}
		// |σξ|² / σ² is χ² with N = 100 degrees of freedom: 100 ± 14.
		ratio := d2 / (m.s.sigma() * m.s.sigma() * float64(len(x0)))
		if m.s.kicks != 1 || ratio < 0.5 || ratio > 1.5 {
			t.Errorf("kick: %d kicks, |Δx|²/(Nσ²) = %.3f; want 1 kick of size σ per dimension", m.s.kicks, ratio)
		}
	},
	"+": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		s0 := m.s.sigma()
		press(m, "+")
		if !(m.s.sigma() > s0) {
			t.Errorf("σ %g → %g after '+'", s0, m.s.sigma())
		}
		press(m, "=")
		if !(m.s.sigma() > s0) {
			t.Error("'=' (unshifted +) does not raise σ")
		}
	},
	"-": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		s0 := m.s.sigma()
		press(m, "-")
		if !(m.s.sigma() < s0) {
			t.Errorf("σ %g → %g after '-'", s0, m.s.sigma())
		}
		for range 20 {
			press(m, "-")
		}
		if m.s.sigma() != noiseLevels[0] {
			t.Errorf("σ = %g after many '-', want the floor %g", m.s.sigma(), noiseLevels[0])
		}
	},
	"d": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		d0, g0 := m.s.proto.Delay, m.gen
		cmd := press(m, "d")
		if m.s.proto.Delay >= d0 || m.gen != g0+1 || cmd == nil {
			t.Errorf("after 'd': delay %d → %d, generation %d → %d; want shorter and a new analysis", d0, m.s.proto.Delay, g0, m.gen)
		}
	},
	"D": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		d0, g0 := m.s.proto.Delay, m.gen
		cmd := press(m, "D")
		if m.s.proto.Delay <= d0 || m.gen != g0+1 || cmd == nil {
			t.Errorf("after 'D': delay %d → %d, generation %d → %d; want longer and a new analysis", d0, m.s.proto.Delay, g0, m.gen)
		}
		msgs := collect(cmd)
		pm, ok := msgs[0].(portraitMsg)
		if !ok || pm.err != nil {
			t.Fatalf("analysis returned %#v", msgs[0])
		}
		if got, want := len(pm.data.xs[0]), m.s.trialSteps()+1; got != want {
			t.Errorf("new trajectory has %d states, want %d (the longer trial)", got, want)
		}
	},
	"r": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		press(m, ".")
		press(m, "k")
		press(m, "r")
		if m.s.t != 0 || m.s.kicks != 0 || !slices.Equal(m.s.x, m.s.proto.Conditions[0].X0) {
			t.Errorf("after 'r': step %d, %d kicks; want the initial state", m.s.t, m.s.kicks)
		}
	},
	"a": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		g0 := m.gen
		cmd := press(m, "a")
		if m.gen != g0+1 || cmd == nil || m.s.analysing == "" {
			t.Errorf("after 'a': generation %d → %d, analysing %q", g0, m.gen, m.s.analysing)
		}
		// A result of the old analysis is stale and dropped.
		old := m.s.portrait
		m.Update(portraitMsg{gen: g0, data: &portraitData{}})
		if m.s.portrait != old {
			t.Error("a stale analysis result replaced the current one")
		}
	},
	"o": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		root := m.ctx.Root
		if err := os.WriteFile(filepath.Join(root, "other.npz"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := press(m, "o")
		if m.focus != paneFiles || !m.files.browsing {
			t.Fatalf("after 'o': focus %d, browsing %v; want the file list in directory mode", m.focus, m.files.browsing)
		}
		feed(m, cmd)
		var names []string
		for _, it := range m.files.items {
			names = append(names, it.name)
		}
		if !slices.Equal(names, []string{"sub/", "other.npz"}) {
			t.Errorf("listing %q, want [sub/ other.npz]", names)
		}
		press(m, "o")
		if m.files.browsing || len(m.files.items) != len(m.ctx.Gallery.Entries()) {
			t.Error("second 'o' did not return to the gallery")
		}
	},
	"s": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		press(m, ".")
		press(m, "k")
		want := slices.Clone(m.s.x)
		msgs := feed(m, press(m, "s"))
		sm, ok := msgs[0].(savedMsg)
		if !ok || sm.err != nil || len(sm.paths) != 2 {
			t.Fatalf("save: %#v", msgs[0])
		}
		n, err := saved.ReadNative(filepath.Join(m.ctx.Root, sm.paths[0]))
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		for _, e := range n.Extra {
			if e.Name == StateTensor {
				got = e.Data
			}
		}
		if !slices.Equal(got, want) {
			t.Error("the saved file does not hold the perturbed state")
		}
		txt, err := os.ReadFile(filepath.Join(m.ctx.Root, sm.paths[1]))
		if err != nil || !strings.Contains(string(txt), "Phase portrait") || strings.Contains(string(txt), "\x1b[") {
			t.Errorf("plot file: err %v, plain text with the portrait: %v", err, strings.Contains(string(txt), "Phase portrait"))
		}
	},
	"v": func(t *testing.T) {
		m := newTestModel(t, entryFree, 120, 40)
		k := len(m.s.proto.Conditions)
		want := []struct {
			view  heatView
			title string
		}{
			{viewActivity, fmt.Sprintf("Activity · cond 1/%d", k)},
			{viewConnectivity, "Connectivity · J_T"},
			{viewPortrait, "Phase portrait · PC1"},
			{viewActivity, fmt.Sprintf("Activity · cond 1/%d", k)},
		}
		for i, w := range want {
			if cmd := press(m, "v"); cmd != nil {
				t.Errorf("v %d returned a command", i+1)
			}
			if m.portrait.view != w.view || !strings.Contains(m.View(), w.title) {
				t.Errorf("after %d× v: view %d, want %d titled %q", i+1, m.portrait.view, w.view, w.title)
			}
		}
		// The view follows the condition.
		press(m, "]")
		if !strings.Contains(m.View(), fmt.Sprintf("Activity · cond 2/%d", k)) {
			t.Error("the activity view does not follow ']' to condition 2")
		}
		// v works whatever pane has the focus.
		m.focusPane(paneFiles)
		press(m, "v")
		if m.portrait.view != viewConnectivity {
			t.Errorf("v with the file list focused: view %d, want connectivity", m.portrait.view)
		}
	},
	"tab": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		press(m, "tab")
		if m.focus != paneEigen || !m.eigen.focused || m.portrait.focused {
			t.Errorf("after tab the focus is %d, want the eigenvalue pane", m.focus)
		}
	},
	"shift+tab": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		press(m, "shift+tab")
		if m.focus != paneFiles {
			t.Errorf("after shift+tab the focus is %d, want the file list (wrapping)", m.focus)
		}
	},
	"?": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		short := m.View()
		press(m, "?")
		if !m.help.ShowAll || !strings.Contains(m.View(), "shorter delay") || strings.Contains(short, "shorter delay") {
			t.Error("'?' did not show the full help")
		}
		if got := len(strings.Split(m.View(), "\n")); got != 40 {
			t.Errorf("the screen with full help has %d lines, want 40", got)
		}
	},
	"q": func(t *testing.T) {
		for _, k := range []string{"q", "ctrl+c"} {
			m := newTestModel(t, entrySine, 120, 40)
			cmd := press(m, k)
			if cmd == nil {
				t.Fatalf("%s returned no command", k)
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Errorf("%s does not quit", k)
			}
		}
	},
	// Eigenvalue pane.
	"←/h": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneEigen)
		press(m, "right")
		press(m, "right")
		press(m, "left")
		if m.eigen.cursor != 1 {
			t.Errorf("cursor %d after →→←, want 1", m.eigen.cursor)
		}
		press(m, "h")
		if m.eigen.cursor != 0 {
			t.Errorf("cursor %d after h, want 0", m.eigen.cursor)
		}
	},
	"→/l": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneEigen)
		v0 := m.View()
		press(m, "l")
		if m.eigen.cursor != 1 || m.View() == v0 {
			t.Errorf("cursor %d after l, want 1 and a new view", m.eigen.cursor)
		}
		sp := m.eigen.spectrum()
		if !strings.Contains(m.View(), "λ = "+fmtComplex(sp.Values[1])) {
			t.Error("the pane does not read out the selected eigenvalue")
		}
	},
	"↑": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneEigen)
		n := len(m.eigen.points())
		press(m, "up")
		if m.eigen.point != (n-1)%n {
			t.Errorf("point %d after ↑ from 0 of %d, want %d", m.eigen.point, n, (n-1)%n)
		}
	},
	"↓": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneEigen)
		n := len(m.eigen.points())
		if n < 2 {
			t.Skipf("the gallery network has %d fixed point; need 2 to move", n)
		}
		press(m, "down")
		if m.eigen.point != 1 || !strings.Contains(m.View(), "point 2/") {
			t.Errorf("point %d after ↓, want 1, shown as point 2/…", m.eigen.point)
		}
	},
	// File list.
	"↑|files": nil, // placeholders replaced below
}

// The file list shares ↑ and ↓ with the eigenvalue pane; its keys are
// tested here under their own names.
var filesKeyTests = map[string]func(t *testing.T){
	"↑": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneFiles)
		press(m, "down")
		press(m, "down")
		press(m, "up")
		if m.files.cursor != 1 {
			t.Errorf("cursor %d after ↓↓↑, want 1", m.files.cursor)
		}
	},
	"↓": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneFiles)
		press(m, "down")
		if m.files.cursor != 1 || !strings.Contains(m.View(), "▸ free-n12") {
			t.Errorf("cursor %d after ↓, want 1 on free-n12", m.files.cursor)
		}
	},
	"enter": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		m.focusPane(paneFiles)
		press(m, "down")
		press(m, "down")
		msgs := collect(press(m, "enter"))
		lm, ok := msgs[0].(loadedMsg)
		if !ok || lm.err != nil || lm.name != "map-n8" {
			t.Fatalf("enter gave %#v", msgs[0])
		}
		cmd := func() tea.Cmd { _, c := m.Update(lm); return c }()
		if m.s.name != "map-n8" || m.focus != panePortrait || cmd == nil {
			t.Errorf("after loading: network %q, focus %d", m.s.name, m.focus)
		}
		// A network file under the root opens too.
		n, err := m.ctx.Gallery.Entries()[entryFree].Load()
		if err != nil {
			t.Fatal(err)
		}
		if err := saved.WriteNative(filepath.Join(m.ctx.Root, "mine.npz"), n); err != nil {
			t.Fatal(err)
		}
		m.focusPane(paneFiles)
		feed(m, m.files.toggle())
		msgs = collect(press(m, "enter"))
		if lm, ok := msgs[0].(loadedMsg); !ok || lm.err != nil || lm.name != "mine" {
			t.Fatalf("enter on mine.npz gave %#v", msgs[0])
		}
	},
	"⌫": func(t *testing.T) {
		m := newTestModel(t, entrySine, 120, 40)
		if err := os.MkdirAll(filepath.Join(m.ctx.Root, "a", "b"), 0o755); err != nil {
			t.Fatal(err)
		}
		m.focusPane(paneFiles)
		feed(m, m.files.toggle())
		feed(m, press(m, "enter")) // into a/
		if m.files.dir != "a" {
			t.Fatalf("dir %q after enter on a/, want a", m.files.dir)
		}
		feed(m, press(m, "backspace"))
		if m.files.dir != "." {
			t.Errorf("dir %q after ⌫, want the root", m.files.dir)
		}
		feed(m, press(m, "backspace")) // at the root: stays
		if m.files.dir != "." {
			t.Errorf("⌫ left the root: dir %q", m.files.dir)
		}
	},
}

func init() { delete(keyTests, "↑|files") }

// TestKeys runs keyTests and filesKeyTests, and checks that every key the
// help shows, in every pane, has a test.
func TestKeys(t *testing.T) {
	m := newTestModel(t, entrySine, 120, 40)
	for id := range numPanes {
		m.focusPane(id)
		tests := keyTests
		if id == paneFiles {
			tests = filesKeyTests
		}
		for _, col := range m.helpKeys().FullHelp() {
			for _, b := range col {
				name := b.Help().Key
				if _, ok := filesKeyTests[name]; ok && id != paneEigen {
					continue // the list's keys work from the panes without keys of their own
				}
				if _, ok := tests[name]; !ok {
					if _, ok := keyTests[name]; !ok {
						t.Errorf("pane %d: key %q (%s) in the help has no test", id, name, b.Help().Desc)
					}
				}
			}
		}
	}
	for name, f := range keyTests {
		t.Run(name, f)
	}
	for name, f := range filesKeyTests {
		t.Run("files "+name, f)
	}
}

// Keys that change nothing are not treated as changes, the delay is
// clamped, and a diverged state refuses to run.
func TestKeyEdges(t *testing.T) {
	m := newTestModel(t, entrySine, 120, 40)
	for range 40 {
		press(m, "d")
	}
	if m.s.proto.Delay != m.s.proto.MinDelay {
		t.Errorf("delay %d after many 'd', want the minimum %d", m.s.proto.Delay, m.s.proto.MinDelay)
	}
	g := m.gen
	if cmd := press(m, "d"); cmd != nil || m.gen != g {
		t.Error("'d' at the minimum delay restarted the analysis")
	}
	m.s.x[0] = math.NaN()
	press(m, ".")
	if !m.s.diverged {
		t.Fatal("a NaN state is not flagged")
	}
	if press(m, " "); m.running {
		t.Error("space runs a diverged state")
	}
	press(m, "r")
	if m.s.diverged || m.s.t != 0 {
		t.Error("r does not clear the divergence")
	}
}

// The trial pauses at its end; space then runs on past it.
func TestRunPausesAtTrialEnd(t *testing.T) {
	m := newTestModel(t, entrySine, 120, 40)
	end := m.s.trialSteps()
	m.s.t = end - 1
	cmd := press(m, " ")
	for _, msg := range collect(cmd) {
		m.Update(msg)
	}
	if m.s.t != end || m.running {
		t.Fatalf("t = %d, running %v; want paused at the end %d", m.s.t, m.running, end)
	}
	cmd = press(m, " ")
	for _, msg := range collect(cmd) {
		m.Update(msg)
	}
	if m.s.t != end+m.s.stepsPerTick || !m.running {
		t.Errorf("t = %d, running %v after space at the end; want running on", m.s.t, m.running)
	}
}

// TestListKeysFromOtherPanes checks that ↓ and enter move through the
// network list and open from a pane without keys of its own (the portrait,
// which has the focus after a network opens), and that the eigenvalue
// pane keeps its arrows.
func TestListKeysFromOtherPanes(t *testing.T) {
	m := newTestModel(t, entrySine, 120, 40)
	m.focusPane(panePortrait)
	before := m.files.cursor
	feed(m, press(m, "down"))
	if m.files.cursor != before+1 {
		t.Fatalf("↓ with the portrait focused: list cursor %d, want %d", m.files.cursor, before+1)
	}
	msgs := collect(press(m, "enter"))
	if len(msgs) == 0 {
		t.Fatal("enter with the portrait focused opened nothing")
	}
	if lm, ok := msgs[0].(loadedMsg); !ok || lm.err != nil || lm.name != m.files.items[before+1].name {
		t.Fatalf("enter gave %#v, want the network under the list cursor", msgs[0])
	}
	m.focusPane(paneEigen)
	cur := m.files.cursor
	feed(m, press(m, "down"))
	if m.files.cursor != cur {
		t.Errorf("↓ with the eigenvalue pane focused moved the list (%d → %d)", cur, m.files.cursor)
	}
}

// A network opened by name (attractor ui mynet.npz) is the list's
// selection, shown first when it is not in the gallery; o goes to the file
// browser, which says how to come back, and o returns.
func TestOpenedNetworkSelected(t *testing.T) {
	c := testContext(t)
	m := New(c, "mynet.npz", fastNet(t))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "▸ mynet.npz") || strings.Contains(v, "▸ "+c.Gallery.Entries()[0].Name) {
		t.Errorf("the list does not select mynet.npz:\n%s", v)
	}
	if !strings.Contains(v, "not in the gallery") {
		t.Errorf("the list does not describe mynet.npz:\n%s", v)
	}
	m.focusPane(paneFiles)
	if cmd := press(m, "enter"); cmd != nil {
		t.Error("enter on the open network reloads it")
	}
	collect(press(m, "o"))
	for _, msg := range collect(press(m, "o")) {
		m.Update(msg)
	}
	m.files.toggle() // back to the browser
	for _, msg := range collect(listCmd(c.Root, ".")) {
		m.Update(msg)
	}
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "Files") || !strings.Contains(v, "o: gallery") {
		t.Errorf("the browser does not say where it is and how to go back:\n%s", v)
	}
	press(m, "o")
	if v = ansi.Strip(m.View()); !strings.Contains(v, "Networks") || !strings.Contains(v, "▸ mynet.npz") {
		t.Errorf("o did not return to the gallery with mynet.npz selected:\n%s", v)
	}
}
