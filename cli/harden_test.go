package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// TestErrorsArePrintable: a file name holding escape sequences (window
// title, screen clear, OSC 52 clipboard write, newline) reaches stderr as
// visible text, never as raw control characters.
func TestErrorsArePrintable(t *testing.T) {
	name := filepath.Join(t.TempDir(), "x\x1b]0;owned\x07\x1b[2J\x1b]52;c;aGk=\x07\nnet.npz")
	if err := os.WriteFile(name, []byte("not a network"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"inspect", name}, {"inspect", name + ".missing"}, {"perturb", name, "--noise", "0.1"}} {
		code, stdout, stderr := run(args...)
		if code == 0 {
			t.Errorf("%q: exit 0", args)
		}
		if strings.ContainsAny(stdout+stderr, "\x1b\x07") || strings.Count(stderr, "\n") > 3 {
			t.Errorf("%q: raw control characters reach the terminal: %q", args[0], stderr)
		}
		if !strings.Contains(stderr, `\x1b]0;owned\x07`) {
			t.Errorf("%q: the name is not shown escaped: %q", args[0], stderr)
		}
	}
}

// TestTrainDivergenceCLI: a finite blow-up (GRU, learning rate 1e6) is a
// failure that names the step, and resuming the run, which was stopped
// before its first checkpoint, says so and how to start again.
func TestTrainDivergenceCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ff.npz")
	code, _, stderr := run("train", "flipflop", "--family", "gru", "--hidden", "16", "--lr", "1e6", "--epochs", "60", "-o", out)
	if code == 0 || !strings.Contains(stderr, "diverged at step") || !strings.Contains(stderr, "checkpoint") {
		t.Fatalf("exit %d, stderr %q; want a divergence naming the step and the checkpoint", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a diverged run wrote its network")
	}
	code, _, stderr = run("train", "--resume", out+".run")
	if code == 0 || !strings.Contains(stderr, "before its first") || !strings.Contains(stderr, "attractor train flipflop --family gru") {
		t.Errorf("resume without a checkpoint: exit %d, %q; want a message saying to re-run the command", code, stderr)
	}
}

// TestResumeRefusesForeignOut: a run.json edited (or copied) to name another
// file as its output cannot make --resume overwrite that file.
func TestResumeRefusesForeignOut(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ff.npz")
	if code, _, stderr := run("train", "flipflop", "--hidden", "6", "--epochs", "3", "--batch", "4", "-o", out); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	runDir := out + ".run"
	// Resuming the finished run rewrites its own network: allowed.
	if code, _, stderr := run("train", "--resume", runDir); code != 0 {
		t.Fatalf("resume onto the run's own output: exit %d: %s", code, stderr)
	}
	victim := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(victim, []byte("my notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(runDir, train.RunFile))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	json.Unmarshal(b, &rec)
	rec["out"] = victim
	b, _ = json.Marshal(rec)
	os.WriteFile(filepath.Join(runDir, train.RunFile), b, 0o644)
	code, _, stderr := run("train", "--resume", runDir)
	if got, _ := os.ReadFile(victim); string(got) != "my notes\n" {
		t.Fatalf("resume overwrote %s (exit %d, %s)", victim, code, stderr)
	}
	if code == 0 || !strings.Contains(stderr, "notes.txt") {
		t.Errorf("exit %d, %q; want a refusal naming notes.txt", code, stderr)
	}
}

// TestInspectWarningsOnce: a warning of the file is printed once.
func TestInspectWarningsOnce(t *testing.T) {
	net, err := model.RandomGhazizadeh(12, 0.5, 1.5, 1, model.NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	net.WO.Set(3, 0, math.NaN())
	name := filepath.Join(t.TempDir(), "nan.npz")
	if err := saved.WriteNative(name, &saved.Network{Net: net}); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr := run("inspect", name, "--inits", "4", "--copies", "0", "--run-trials", "1", "--code-copies", "1", "--code-run-trials", "1")
	if n := strings.Count(stdout+stderr, "holds non-finite values"); n != 1 {
		t.Errorf("the warning is printed %d times:\n%s\n%s", n, stdout, stderr)
	}
}

// TestInspectAllNonFinite: a network with no finite recurrent weight is an
// error naming the file.
func TestInspectAllNonFinite(t *testing.T) {
	for _, v := range []float64{math.Inf(1), math.NaN()} {
		net, err := model.RandomGhazizadeh(8, 0.5, 1.5, 1, model.NewRNG(1, 0))
		if err != nil {
			t.Fatal(err)
		}
		raw := net.J.(*model.DenseRecurrent).Matrix().RawMatrix().Data
		for i := range raw {
			raw[i] = v
		}
		name := filepath.Join(t.TempDir(), "blown.npz")
		if err := saved.WriteNative(name, &saved.Network{Net: net}); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run("inspect", name, "--inits", "4", "--copies", "0", "--run-trials", "1", "--code-copies", "1", "--code-run-trials", "1")
		if code == 0 || !strings.Contains(stderr, "blown.npz") {
			t.Errorf("all %v: exit %d, %q; want an error naming blown.npz", v, code, stderr)
		}
	}
}

// TestResumeBeforeFirstCheckpoint: a run killed before its first checkpoint
// cannot resume, and --resume says so and what to do.
func TestResumeBeforeFirstCheckpoint(t *testing.T) {
	dir := t.TempDir()
	runDir := filepath.Join(dir, "ff.npz.run")
	os.MkdirAll(runDir, 0o755)
	rec := `{"task": "flipflop", "method": "bptt", "out": "` + filepath.Join(dir, "ff.npz") + `"}`
	if err := os.WriteFile(filepath.Join(runDir, "run.json"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run("train", "--resume", runDir)
	if code == 0 || !strings.Contains(stderr, "before its first") || !strings.Contains(stderr, "start it again") {
		t.Errorf("exit %d, %q; want a message saying the run stopped before its first checkpoint and to start again", code, stderr)
	}
}

// TestInspectFIFO: `inspect fifo.pt` fails at once with a message, instead
// of waiting for a writer.
func TestInspectFIFO(t *testing.T) {
	name := filepath.Join(t.TempDir(), "fifo.pt")
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	done := make(chan string, 1)
	go func() {
		code, _, stderr := run("inspect", name)
		if code == 0 {
			stderr = "exit 0"
		}
		done <- stderr
	}()
	select {
	case stderr := <-done:
		if !strings.Contains(stderr, "fifo.pt") || !strings.Contains(stderr, "pipe") {
			t.Errorf("stderr %q, want an error naming fifo.pt as a pipe", stderr)
		}
	case <-time.After(3 * time.Second):
		t.Error("inspect blocked on a FIFO")
		if w, err := os.OpenFile(name, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
	}
}
