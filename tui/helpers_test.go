package tui

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"attractor/model"
	"attractor/saved"
)

// testRenderer renders without colour, so golden files and assertions do
// not depend on the terminal running the tests.
func testRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.Ascii))
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// freeNet is a small network without a task: a stable random CTRNN
// (g = 0.8, so the origin is its only fixed point), N = 12, with four
// free-running conditions.
func freeNet(t testing.TB) *saved.Network {
	t.Helper()
	net, err := model.RandomSussilloAbbott(12, 1, 0.8, model.NewRNG(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(5)
	return &saved.Network{Net: net, Manifest: saved.Manifest{Seed: &seed}}
}

// mapNet is a discrete-map network (torch.nn.RNN), for the multiplier
// convention.
func mapNet(t testing.TB) *saved.Network {
	t.Helper()
	return &saved.Network{Net: model.RandomTorchRNN(8, 1, 1, model.NewRNG(2, 0))}
}

// testGallery is the embedded gallery's first entry (the FORCE sine
// generator) followed by freeNet and mapNet.
func testGallery(t testing.TB) Entries {
	all := EmbeddedGallery().Entries()
	if len(all) == 0 {
		t.Fatal("the embedded gallery is empty")
	}
	g := Entries{all[0]}
	fn, mn := freeNet(t), mapNet(t)
	return append(g,
		Entry{Name: "free-n12", Description: "test network", Load: func() (*saved.Network, error) { return fn, nil }},
		Entry{Name: "map-n8", Description: "test map", Load: func() (*saved.Network, error) { return mn, nil }})
}

// testContext is a colourless session context with root dir and the test
// gallery, and a fast tick.
func testContext(t testing.TB) *Context {
	c := NewContext(context.Background(), testRenderer())
	c.Root = t.TempDir()
	c.Gallery = testGallery(t)
	c.Tick = time.Millisecond
	return c
}

// analysisCache holds the analysis of a network's default protocol, which
// is deterministic, so tests need not repeat it.
var analysisCache sync.Map // entry name → *cachedAnalysis

type cachedAnalysis struct {
	once sync.Once
	pd   *portraitData
	fd   *fixedData
	err  error
}

// analysed runs the analysis of m's network (once per network name) and
// delivers its results as the messages of m's current analysis.
func analysed(t testing.TB, m *Model) {
	t.Helper()
	v, _ := analysisCache.LoadOrStore(m.s.name, &cachedAnalysis{})
	c := v.(*cachedAnalysis)
	c.once.Do(func() {
		job := m.job(context.Background())
		c.pd, c.err = runPortrait(context.Background(), job)
		if c.err == nil {
			c.fd, c.err = runFixed(context.Background(), job, c.pd)
		}
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	m.Update(portraitMsg{gen: m.gen, data: c.pd})
	m.Update(fixedMsg{gen: m.gen, data: c.fd})
}

// newTestModel returns the UI on gallery entry i, sized w×h, with its
// analysis delivered.
func newTestModel(t testing.TB, i, w, h int) *Model {
	t.Helper()
	c := testContext(t)
	e := c.Gallery.Entries()[i]
	n, err := e.Load()
	if err != nil {
		t.Fatal(err)
	}
	m := New(c, e.Name, n)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Init()
	analysed(t, m)
	return m
}

// keyMsg returns the key message of a key name as bubbletea reports it.
func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case " ", "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends key k and returns the command.
func press(m *Model, k string) tea.Cmd {
	_, cmd := m.Update(keyMsg(k))
	return cmd
}

// collect runs cmd (recursing into batches) and returns the messages.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, collect(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// feed runs cmd and hands its messages to m, once (not following the
// commands they return).
func feed(m *Model, cmd tea.Cmd) []tea.Msg {
	msgs := collect(cmd)
	for _, msg := range msgs {
		m.Update(msg)
	}
	return msgs
}

func writeFile(name, s string) error { return os.WriteFile(name, []byte(s), 0o644) }
