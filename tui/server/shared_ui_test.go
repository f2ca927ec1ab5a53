package server

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"attractor/tui"
)

// countedShared wraps a Shared as the UI's cache, counting the computations
// it really runs by analysis (the request's first word) and the calls of Do.
// While gate is open (non-nil and not closed) computations wait for it.
type countedShared struct {
	s     *Shared
	gate  chan struct{}
	calls atomic.Int64

	mu   sync.Mutex
	runs map[string]int
}

func (c *countedShared) Do(ctx context.Context, key tui.CacheKey, fn func(context.Context) (any, error)) (any, error) {
	c.calls.Add(1)
	return c.s.Do(ctx, key, func(ctx context.Context) (any, error) {
		c.mu.Lock()
		c.runs[strings.Fields(key.Request)[0]]++
		c.mu.Unlock()
		if c.gate != nil {
			<-c.gate
		}
		return fn(ctx)
	})
}

func (c *countedShared) count(analysis string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[analysis]
}

// uiSession is the UI of one session on the first gallery network, as
// `attractor serve` builds it, driven without a terminal.
func uiSession(ctx context.Context, cache tui.Cache) tea.Model {
	r := lipgloss.NewRenderer(nil, termenv.WithProfile(termenv.Ascii))
	c := tui.NewContext(ctx, r)
	c.Cache = cache
	c.Gallery = tui.Entries{c.Gallery.Entries()[0]}
	m := tui.New(c, "", nil)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// uiDrive runs cmd and the commands its messages return, as Bubble Tea
// would, on the calling goroutine, and returns the final screen.
func uiDrive(m tea.Model, cmd tea.Cmd) string {
	for cmd != nil {
		msgs := []tea.Msg{cmd()}
		var next []tea.Cmd
		for len(msgs) > 0 {
			msg := msgs[0]
			msgs = msgs[1:]
			if b, ok := msg.(tea.BatchMsg); ok {
				for _, c := range b {
					if c != nil {
						msgs = append(msgs, c())
					}
				}
				continue
			}
			_, c := m.Update(msg)
			next = append(next, c)
		}
		cmd = tea.Batch(next...)
	}
	return m.View()
}

// TestSharedTenUIs: ten UI sessions opening the same gallery network at
// once run one computation of each analysis stage through the server's
// Shared, and show the same screen.
func TestSharedTenUIs(t *testing.T) {
	c := &countedShared{s: NewShared(2, 16), runs: map[string]int{}}
	defer c.s.Close()
	views := make([]string, 10)
	var wg sync.WaitGroup
	for i := range views {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := uiSession(context.Background(), c)
			views[i] = uiDrive(m, m.Init())
		}()
	}
	wg.Wait()
	for _, a := range []string{"portrait/v1", "fixed/v2", "verdict/v2", "report/v1"} {
		if n := c.count(a); n != 1 {
			t.Errorf("%s computed %d times for 10 sessions, want 1", a, n)
		}
	}
	if n := c.calls.Load(); n != 40 {
		t.Errorf("%d cache calls, want 40 (4 stages × 10 sessions)", n)
	}
	if !strings.Contains(views[0], "fixed points:") || !strings.Contains(views[0], "Verdict: ") {
		t.Errorf("session 0 shows no analysis:\n%s", views[0])
	}
	for i, v := range views[1:] {
		if v != views[0] {
			t.Errorf("session %d shows a different screen from session 0", i+1)
		}
	}
	if c.s.Len() != 4 {
		t.Errorf("%d results cached, want 4", c.s.Len())
	}
}

// TestSharedUICancel: of two sessions waiting for the same analysis, the
// one that ends leaves; the computation goes on and the other gets it.
func TestSharedUICancel(t *testing.T) {
	c := &countedShared{s: NewShared(2, 16), gate: make(chan struct{}), runs: map[string]int{}}
	defer c.s.Close()
	ctxA, cancelA := context.WithCancel(context.Background())
	a := uiSession(ctxA, c)
	b := uiSession(context.Background(), c)
	aCmd, bCmd := a.Init(), b.Init()
	aMsg := make(chan tea.Msg, 1)
	go func() { aMsg <- aCmd() }()
	bView := make(chan string, 1)
	go func() { bView <- uiDrive(b, bCmd) }()
	for c.calls.Load() < 2 { // both wait for the portrait
		time.Sleep(time.Millisecond)
	}
	cancelA()
	select {
	case <-aMsg:
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled session still waits")
	}
	close(c.gate)
	v := <-bView
	if !strings.Contains(v, "fixed points:") || !strings.Contains(v, "Verdict: ") {
		t.Errorf("the remaining session has no results:\n%s", v)
	}
	if n := c.count("portrait/v1"); n != 1 {
		t.Errorf("portrait computed %d times, want 1 (not restarted by the cancel)", n)
	}
	// A new session gets everything from the cache at once.
	before := c.count("fixed/v2")
	m := uiSession(context.Background(), c)
	if v2 := uiDrive(m, m.Init()); v2 != v {
		t.Error("a later session shows a different screen")
	}
	if c.count("fixed/v2") != before {
		t.Error("a later session computed the fixed points again")
	}
}
