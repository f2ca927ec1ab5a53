package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFollowRunTmux starts a training run, opens `attractor ui RUN_DIR`
// before the run's first checkpoint, and watches the UI wait for it, then
// show it, then move on to a later one: the step in the verdict pane's
// title advances while the trainer runs.
func TestFollowRunTmux(t *testing.T) {
	h := startTmux(t)
	run := filepath.Join(h.dir, "ff.run")
	// 1500 epochs of a 2-bit flip-flop GRU of 16 units with a checkpoint
	// every 150 epochs: a few seconds between checkpoints on a loaded
	// machine, and the first not before the UI is up (checked below).
	train := exec.Command(h.bin, "train", "flipflop", "--bits", "2", "--hidden", "16", "--epochs", "1500",
		"--checkpoint-every", "150", "--history", "0", "-o", filepath.Join(h.dir, "ff.npz"), "--run", run)
	train.Dir = h.dir
	if err := train.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { train.Process.Kill(); train.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(run, "run.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the training run wrote no run.json in 60 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.run(t, "ui", run)
	early := h.waitFor("the UI", func(s string) bool {
		return strings.Contains(s, "waiting for the first checkpoint") || strings.Contains(s, "Mechanism verdict")
	})
	if _, err := os.Stat(filepath.Join(run, "checkpoint.npz")); err == nil && !strings.Contains(early, "waiting for the first checkpoint") {
		t.Skip("the run checkpointed before the UI drew its first screen (machine too slow to test the wait)")
	}
	if !strings.Contains(early, "waiting for the first checkpoint") {
		t.Fatalf("no wait message before the first checkpoint:\n%s", early)
	}
	re := regexp.MustCompile(`Mechanism verdict · epoch (\d+)`)
	step := func(s string) int {
		m := re.FindStringSubmatch(s)
		if m == nil {
			return 0
		}
		v, _ := strconv.Atoi(m[1])
		return v
	}
	first := step(h.waitFor("the first checkpoint's step in the verdict pane", func(s string) bool { return step(s) > 0 }))
	later := step(h.waitFor("a later checkpoint's step in the verdict pane", func(s string) bool { return step(s) > first }))
	if later%150 != 0 || first%150 != 0 {
		t.Errorf("steps %d then %d, want multiples of the checkpoint interval 150", first, later)
	}
	h.waitFor("the run's end in the training pane", func(s string) bool { return strings.Contains(s, "run finished") })
	h.tm("send-keys", "-t", "app", "q")
	// Wait for the UI to exit: it writes into the directory as it quits,
	// which must not race with the test's removal of that directory.
	deadline = time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(h.status); err == nil && strings.TrimSpace(string(b)) != "" {
			if code := strings.TrimSpace(string(b)); code != "0" {
				t.Errorf("the UI exited with status %s", code)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the UI did not exit within 30 s of q:\n%s", h.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
