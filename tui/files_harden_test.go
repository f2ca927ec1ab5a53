package tui

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/saved"
)

// hostileNames are file names that would act on a terminal if shown raw:
// a window title (OSC 0), a screen clear (CSI 2J), a clipboard write (OSC
// 52), a newline and a C1 CSI.
var hostileNames = []string{
	"title\x1b]0;owned\x07.npz",
	"clear\x1b[2J.npz",
	"clip\x1b]52;c;aGk=\x07.npz",
	"two\nlines.npz",
	"c1\u009b2J.npz",
}

// rawEscapes reports whether s holds a control character other than the
// SGR colour sequences the styles write.
func rawEscapes(s string) bool {
	for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "\u009b"} {
		if strings.Contains(s, bad) {
			return true
		}
	}
	return false
}

// TestFilesShowNamesEscaped: the network list, the status line and the
// error of a hostile name show its escape sequences as text.
func TestFilesShowNamesEscaped(t *testing.T) {
	c := testContext(t)
	for _, n := range hostileNames {
		if err := os.WriteFile(filepath.Join(c.Root, n), []byte("not a network"), 0o644); err != nil {
			t.Skipf("cannot create %q here: %v", n, err)
		}
	}
	msg := listCmd(c.Root, ".")().(listMsg)
	if msg.err != nil {
		t.Fatal(msg.err)
	}
	if len(msg.items) != len(hostileNames) {
		t.Fatalf("listed %d items, want %d", len(msg.items), len(hostileNames))
	}
	p := newFilesPane(c)
	p.SetSize(60, 20)
	p.toggle()
	p.handleList(msg)
	for i := range msg.items {
		p.cursor = i
		p.dirty = true
		if v := p.View(); rawEscapes(v) || strings.Count(v, "\n") != 19 {
			t.Errorf("the list shows raw escapes or breaks lines:\n%q", v)
		}
		loaded := loadFileCmd(c.Root, msg.items[i].rel)().(loadedMsg)
		if loaded.err == nil {
			t.Fatalf("%q opened", msg.items[i].rel)
		}
		m := New(c, "", nil)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Update(loaded)
		if rawEscapes(m.status) || strings.Contains(m.status, "\n") || rawEscapes(m.View()) {
			t.Errorf("the status line shows raw escapes: %q", m.status)
		}
	}
	if !strings.Contains(p.View(), `\x1b`) && !strings.Contains(p.View(), `\n`) && !strings.Contains(p.View(), `\u009b`) {
		t.Errorf("escapes not shown as text:\n%s", p.View())
	}
}

// TestFilesSkipFIFO: a named pipe under the root is not listed, and
// opening it fails at once instead of blocking a thread.
func TestFilesSkipFIFO(t *testing.T) {
	c := testContext(t)
	if err := syscall.Mkfifo(filepath.Join(c.Root, "fifo.npz"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	if err := os.Symlink("fifo.npz", filepath.Join(c.Root, "link.npz")); err != nil {
		t.Fatal(err)
	}
	saved.WriteNative(filepath.Join(c.Root, "net.npz"), freeNet(t))
	msg := listCmd(c.Root, ".")().(listMsg)
	if len(msg.items) != 1 || msg.items[0].rel != "net.npz" {
		t.Errorf("listed %+v, want net.npz only", msg.items)
	}
	for _, rel := range []string{"fifo.npz", "link.npz"} {
		done := make(chan error, 1)
		go func() { _, err := readRooted(c.Root, rel); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "pipe") {
				t.Errorf("%s: %v, want an error saying it is a pipe", rel, err)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("opening %s blocked", rel)
			if w, err := os.OpenFile(filepath.Join(c.Root, "fifo.npz"), os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			<-done
		}
	}
}
