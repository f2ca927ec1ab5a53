package tui

import (
	"os"
	"strings"
	"testing"
)

// TestEndToEndTmux builds the real binary, runs `attractor` (no arguments)
// in a detached tmux session of 120×40 on its own server socket, presses
// Tab, space, k and q, and reads the screen with capture-pane: every pane
// title is shown, the keys act, and q ends the program.
func TestEndToEndTmux(t *testing.T) {
	h := startTmux(t)
	h.run(t)
	tm, waitFor, status := h.tm, h.waitFor, h.status
	has := func(sub string) func(string) bool { return func(s string) bool { return strings.Contains(s, sub) } }

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
