package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxHarness runs the real binary in a detached tmux session of 120×40 on
// a server socket of its own, for the end-to-end tests.
type tmuxHarness struct {
	dir, bin string
	// status is the file the shell writes the program's exit status into:
	// tmux's pane_dead_status is not always set by the time the pane reads
	// as dead.
	status string
	tm     func(args ...string) (string, error)
	sock   string
	tb     testing.TB
}

// startTmux builds the binary into a temporary directory; it skips the
// test when tmux is missing.
func startTmux(t *testing.T) *tmuxHarness {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (CI installs it): the end-to-end test needs it")
	}
	h := &tmuxHarness{dir: t.TempDir(), tb: t}
	h.bin = filepath.Join(h.dir, "attractor")
	build := exec.Command("go", "build", "-o", h.bin, "attractor")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	h.sock = fmt.Sprintf("attractor-e2e-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "_"))
	h.tm = func(args ...string) (string, error) {
		out, err := exec.Command(tmux, append([]string{"-L", h.sock}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { h.tm("kill-server") })
	h.status = filepath.Join(h.dir, "exit-status")
	return h
}

// run starts `attractor args…` in the session "app".
func (h *tmuxHarness) run(t *testing.T, args ...string) {
	t.Helper()
	sh := []string{"new-session", "-d", "-s", "app", "-x", "120", "-y", "40", "-c", h.dir,
		"sh", "-c", `s="$1"; shift; TERM=xterm-256color "$@"; echo $? > "$s"`, "sh", h.status, h.bin}
	if out, err := h.tm(append(sh, args...)...); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	if out, err := h.tm("set-option", "-t", "app", "remain-on-exit", "on"); err != nil {
		t.Fatalf("tmux set-option: %v\n%s", err, out)
	}
	// Under heavy load the first window-size message can be missed; a
	// resize (SIGWINCH) delivers another.
	go func() {
		time.Sleep(3 * time.Second)
		h.tm("resize-window", "-t", "app", "-x", "121", "-y", "40")
		h.tm("resize-window", "-t", "app", "-x", "120", "-y", "40")
	}()
}

// screen returns the pane's text.
func (h *tmuxHarness) screen() string {
	out, _ := h.tm("capture-pane", "-p", "-t", "app")
	return out
}

// waitFor polls the screen until ok accepts it, for up to 90 s.
func (h *tmuxHarness) waitFor(what string, ok func(string) bool) string {
	h.tb.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		s := h.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			h.tb.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
