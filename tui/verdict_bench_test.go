package tui

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// driveAnalysis runs the UI's commands as bubbletea does — each in its own
// goroutine, their messages handed to m.Update one at a time — from cmd
// until the final report is in, and returns when the first verdict (the
// quick pass's, or the full one's when there is none) and the report
// arrived, measured from the start.
func driveAnalysis(tb testing.TB, m *Model, cmd tea.Cmd) (first, final time.Duration) {
	tb.Helper()
	msgs := make(chan tea.Msg, 256)
	done := make(chan struct{})
	defer close(done)
	var launch func(tea.Cmd)
	launch = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					launch(c)
				}
				return
			}
			select {
			case msgs <- msg:
			case <-done:
			}
		}()
	}
	start := time.Now()
	launch(cmd)
	for {
		msg := <-msgs
		if _, ok := msg.(tickMsg); ok {
			continue // the animation: not part of the analysis
		}
		_, next := m.Update(msg)
		switch msg := msg.(type) {
		case verdictMsg:
			if first == 0 && msg.err == nil && msg.gen == m.gen {
				first = time.Since(start)
			}
		case reportMsg:
			if msg.gen == m.gen {
				if msg.err != nil {
					tb.Fatal(msg.err)
				}
				return first, time.Since(start)
			}
		}
		launch(next)
	}
}

// BenchmarkFirstVerdict opens a gallery network in the UI and measures the
// time to the first verdict on screen and to the final report, the whole
// analysis running as in the UI (trajectories, census, quick and full
// verdict passes, report). The ratio final/first is what the quick pass
// gains; on a network without a quick pass (the sine generator's end
// behaviour) the two differ only by the report stage.
func BenchmarkFirstVerdict(b *testing.B) {
	for _, name := range []string{"01-ghazizadeh-dfp-g1.5-fb1", "03-ghazizadeh-lc-g1.3-fb3", "06-flipflop-gru"} {
		b.Run(name, func(b *testing.B) {
			var entry *Entry
			for _, e := range EmbeddedGallery().Entries() {
				if e.Name == name {
					entry = &e
				}
			}
			if entry == nil {
				b.Fatalf("no gallery entry %s", name)
			}
			n, err := entry.Load()
			if err != nil {
				b.Fatal(err)
			}
			var first, final time.Duration
			for b.Loop() {
				c := NewContext(context.Background(), testRenderer())
				c.Root = b.TempDir()
				m := New(c, name, n)
				m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
				f, l := driveAnalysis(b, m, m.startAnalysis())
				m.cancel()
				first, final = first+f, final+l
			}
			b.ReportMetric(first.Seconds()/float64(b.N), "s/first-verdict")
			b.ReportMetric(final.Seconds()/float64(b.N), "s/final-report")
			b.ReportMetric(final.Seconds()/first.Seconds(), "final/first")
		})
	}
}
