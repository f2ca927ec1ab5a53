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

// TestEndToEndTmux builds the real binary, runs `attractor` (no arguments)
// in a detached tmux session of 120×40 on its own server socket, presses
// Tab, space, k and q, and reads the screen with capture-pane: every pane
// title is shown, the keys act, and q ends the program.
func TestEndToEndTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (CI installs it): the end-to-end test needs it")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "attractor")
	build := exec.Command("go", "build", "-o", bin, "attractor")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sock := fmt.Sprintf("attractor-e2e-%d", os.Getpid())
	tm := func(args ...string) (string, error) {
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { tm("kill-server") })
	// The shell records the exit status in a file: tmux's pane_dead_status
	// is not always set by the time the pane reads as dead.
	status := filepath.Join(dir, "exit-status")
	if out, err := tm("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", "-c", dir,
		"sh", "-c", `TERM=xterm-256color "$0"; echo $? > "$1"`, bin, status); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	if out, err := tm("set-option", "-t", "app", "remain-on-exit", "on"); err != nil {
		t.Fatalf("tmux set-option: %v\n%s", err, out)
	}
	screen := func() string {
		out, _ := tm("capture-pane", "-p", "-t", "app")
		return out
	}
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			s := screen()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	has := func(sub string) func(string) bool { return func(s string) bool { return strings.Contains(s, sub) } }

	// Under heavy load the first window-size message can be missed; a
	// resize (SIGWINCH) delivers another.
	go func() {
		time.Sleep(3 * time.Second)
		tm("resize-window", "-t", "app", "-x", "121", "-y", "40")
		tm("resize-window", "-t", "app", "-x", "120", "-y", "40")
	}()
	s := waitFor("the fixed-point summary", has("fixed points:"))
	for _, title := range []string{"Networks", "Training", "Phase portrait", "Eigenvalues", "Mechanism verdict"} {
		if !strings.Contains(s, title) {
			t.Errorf("no pane titled %q on the screen:\n%s", title, s)
		}
	}
	tm("send-keys", "-t", "app", "Tab")
	waitFor("the eigenvalue keys in the help bar after Tab", has("next eigenvalue"))
	tm("send-keys", "-t", "app", "Space")
	waitFor("the network running after space", func(s string) bool {
		return strings.Contains(s, "running") && !strings.Contains(s, "t=0.0/")
	})
	tm("send-keys", "-t", "app", "k")
	waitFor("the kick in the status line", has("kick 1"))
	tm("send-keys", "-t", "app", "v")
	waitFor("the activity heat map after v", has("Activity"))
	tm("send-keys", "-t", "app", "v")
	waitFor("the connectivity matrix after v v", has("Connectivity"))
	tm("send-keys", "-t", "app", "q")
	waitFor("the program to exit", func(string) bool {
		b, err := os.ReadFile(status)
		return err == nil && strings.HasSuffix(string(b), "\n")
	})
	b, _ := os.ReadFile(status)
	if st := strings.TrimSpace(string(b)); st != "0" {
		t.Errorf("exit status %q, want 0", st)
	}
}
