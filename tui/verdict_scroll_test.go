package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Once the verdict pane shows the whole report (analysis.Report), at
// 80×24 its text is longer than the pane, and it still scrolls: a click
// focuses it, the wheel over it scrolls it down and back up (the wheel
// over another pane does not), the keys reach its last line, and a
// re-render (a new message) keeps the place.
func TestVerdictReportScrolls(t *testing.T) {
	m := newTestModel(t, entrySine, 80, 24)
	_, cmd := m.Update(verdictMsg{gen: m.gen, data: verdictOf(t, m.s.file)})
	feed(m, cmd)
	if m.s.report == nil || !m.s.reportFinal {
		t.Fatal("the report was not assembled")
	}
	m.View()
	total := m.verdict.vp.TotalLineCount()
	if total <= m.verdict.vp.Height {
		t.Fatalf("the report's %d lines fit the %d-line pane: nothing to scroll", total, m.verdict.vp.Height)
	}
	r := m.rects[paneVerdict]
	wheel := func(x, y int, b tea.MouseButton) {
		m.Update(tea.MouseMsg{X: x, Y: y, Action: tea.MouseActionPress, Button: b})
		m.View()
	}
	wheel(r.x+2, r.y+2, tea.MouseButtonLeft)
	if m.focus != paneVerdict {
		t.Fatalf("a click on the verdict pane focused pane %d", m.focus)
	}
	p := m.rects[panePortrait]
	wheel(p.x+2, p.y+2, tea.MouseButtonWheelDown)
	if m.verdict.vp.YOffset != 0 {
		t.Errorf("the wheel over the portrait scrolled the verdict pane to %d", m.verdict.vp.YOffset)
	}
	wheel(r.x+2, r.y+2, tea.MouseButtonWheelDown)
	down := m.verdict.vp.YOffset
	if down == 0 || !strings.Contains(ansi.Strip(m.View()), "% ↑↓") {
		t.Fatalf("the wheel did not scroll the report (offset %d)", down)
	}
	m.invalidateAll()
	m.View()
	if m.verdict.vp.YOffset != down {
		t.Errorf("a re-render moved the report from line %d to %d", down, m.verdict.vp.YOffset)
	}
	for range total {
		press(m, "pgdown")
	}
	m.View()
	if !m.verdict.vp.AtBottom() {
		t.Errorf("pgdn does not reach the report's end (offset %d of %d lines)", m.verdict.vp.YOffset, total)
	}
	lines := strings.Split(strings.TrimRight(ansi.Strip(m.verdict.vp.View()), " \n"), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" || !strings.Contains(ansi.Strip(m.View()), last) {
		t.Errorf("the report's last line %q is not on the screen", last)
	}
	for range total {
		wheel(r.x+2, r.y+2, tea.MouseButtonWheelUp)
	}
	if m.verdict.vp.YOffset != 0 {
		t.Errorf("the wheel up did not return to the top: offset %d", m.verdict.vp.YOffset)
	}
}
