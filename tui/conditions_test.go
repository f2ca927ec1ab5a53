package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/internal/tasknet"
	"attractor/saved"
	"attractor/train"
)

// taskNet returns the (untrained) network and manifest a trainer writes
// for the named task (see tasknet.New).
func taskNet(t testing.TB, name string, tweak func(any)) *saved.Network {
	return tasknet.New(t, name, tweak)
}

// The analysis runs on a task protocol: one trajectory per condition over
// the whole trial, and a fixed-point search with the delay's zero input.
func TestAnalysisOnTaskProtocol(t *testing.T) {
	n := taskNet(t, "dcdt", nil)
	p := ProtocolFor(n)
	job := analysisJob{net: n.Net.Clone(), proto: p, inits: 8}
	pd, err := runPortrait(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	for c := range p.Conditions {
		if len(pd.xs[c]) != p.Steps(c)+1 {
			t.Errorf("condition %d: %d projected states, want %d", c, len(pd.xs[c]), p.Steps(c)+1)
		}
	}
	fd, err := runFixed(context.Background(), job, pd)
	if err != nil {
		t.Fatal(err)
	}
	if len(fd.res.Candidates) != 8 || fd.census == nil || fd.census.Coverage.Adaptive {
		t.Errorf("%d candidates, want a fixed census of 8", len(fd.res.Candidates))
	}
}

// 'd' and 'D' on a DCDT network change the delay by 5 ms and re-analyse.
func TestDelayKeysDCDT(t *testing.T) {
	c := testContext(t)
	m := New(c, "dcdt", taskNet(t, "dcdt", nil))
	press(m, "D")
	if m.s.proto.Delay != 33 || !strings.Contains(m.status, "165 ms") {
		t.Errorf("after 'D': delay %d steps, status %q; want 33 steps (165 ms)", m.s.proto.Delay, m.status)
	}
	press(m, "d")
	press(m, "d")
	if m.s.proto.Delay != 31 {
		t.Errorf("after 'd' twice: delay %d steps, want 31", m.s.proto.Delay)
	}
}

// A task record the network does not fit falls back to the generic
// protocol with a note that says why.
func TestProtocolFallback(t *testing.T) {
	n := taskNet(t, "spm", nil)
	other := taskNet(t, "flipflop", func(c any) { c.(*train.SeqConfig).Bits = 3 })
	n.Manifest.Task = other.Manifest.Task
	p := ProtocolFor(n)
	if p.Source != "generic" || !strings.Contains(p.Note, "flipflop") || !strings.Contains(p.Note, "input") {
		t.Errorf("mismatched task: source %q, note %q", p.Source, p.Note)
	}
}

// d and D keep the work that still holds: while the new delay's analysis
// runs, the census's fixed points (fixed points of the network whatever
// the protocol) stay on screen, marked as the earlier census's; and
// coming back to the first delay takes its trajectories, census and
// report from the session's memo instead of computing them again.
func TestDelayKeepsWork(t *testing.T) {
	c := testContext(t)
	m := New(c, "dcdt", taskNet(t, "dcdt", nil))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	settle(m, m.startAnalysis())
	s := m.s
	p1, f1, r1 := s.portrait, s.fixed, s.report
	if p1 == nil || f1 == nil || r1 == nil || !s.reportFinal {
		t.Fatalf("first analysis: portrait %v, census %v, report %v", p1 != nil, f1 != nil, r1 != nil)
	}
	cmd := press(m, "D")
	if s.fixed != f1 || !s.fixedStale || s.analysing == "" || s.report != nil {
		t.Fatalf("after D: census kept %v, stale %v, analysing %q, report %v", s.fixed == f1, s.fixedStale, s.analysing, s.report != nil)
	}
	m.verdict.vp.Height = 1000
	m.View()
	if v := ansi.Strip(m.verdict.vp.View()); !strings.Contains(v, "from the census before the protocol changed") {
		t.Errorf("the verdict pane does not mark the kept census:\n%s", v)
	}
	settle(m, cmd)
	if s.portrait == p1 || s.fixed == nil || s.fixedStale || s.fixed.census == f1.census || !s.reportFinal {
		t.Fatalf("the longer delay's analysis: new portrait %v, new census %v, stale %v, report final %v",
			s.portrait != p1, s.fixed != nil && s.fixed.census != f1.census, s.fixedStale, s.reportFinal)
	}
	settle(m, press(m, "d"))
	if s.portrait != p1 || s.fixed.census != f1.census || s.report != r1 {
		t.Errorf("back at the first delay the analysis was computed again: portrait kept %v, census kept %v, report kept %v",
			s.portrait == p1, s.fixed.census == f1.census, s.report == r1)
	}
}
