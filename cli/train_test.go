package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
)

// TestTrainForceCLI trains a small FORCE network twice with the same seed
// and checks the output files are byte-identical and carry provenance.
func TestTrainForceCLI(t *testing.T) {
	dir := t.TempDir()
	outs := []string{filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")}
	for _, out := range outs {
		code, stdout, stderr := run("train", "sinusoid", "--hidden", "60", "--steps", "1200", "--test", "200", "--seed", "4", "-o", out, "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("--json output %q: %v", stdout, err)
		}
		for _, k := range []string{"train_steps_per_second", "train_mae_last2000", "test_mae"} {
			if _, ok := res[k]; !ok {
				t.Errorf("JSON lacks %s: %s", k, stdout)
			}
		}
		if !strings.Contains(stderr, "wrote "+out) {
			t.Errorf("stderr %q does not report the file", stderr)
		}
	}
	a, _ := os.ReadFile(outs[0])
	b, _ := os.ReadFile(outs[1])
	if !bytes.Equal(a, b) {
		t.Error("same seed and config gave different files")
	}
	n, err := saved.ReadNative(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	if n.Manifest.Seed == nil || *n.Manifest.Seed != 4 || len(n.Manifest.Train) == 0 || n.Manifest.Program.Go == "" || len(n.Manifest.History) == 0 {
		t.Errorf("manifest lacks provenance: %+v", n.Manifest)
	}
}

func TestTrainBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"train", "sinusoid"},                                  // no -o
		{"train", "juggling", "-o", "x.npz"},                   // unknown task
		{"train", "sinusoid", "--hidden", "-3", "-o", "x.npz"}, // invalid size
		{"train", "--resume", "/nonexistent/run"},
	} {
		code, _, stderr := run(args...)
		if code == 0 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a failure with a message", args, code, stderr)
		}
	}
}

// TestTrainEveryTask runs each task briefly through the CLI and reopens the
// network it wrote.
func TestTrainEveryTask(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"dcdt", "--hidden", "8", "--delay", "20ms", "--epochs", "3"},
		{"spm", "--hidden", "20", "--trials", "3", "--test-seeds", "1"},
		{"flipflop", "--hidden", "6", "--epochs", "3", "--batch", "4"},
		{"lastk", "--family", "lstm", "--hidden", "6", "--epochs", "3", "--batch", "4"},
		{"choice", "--hidden", "12", "--epochs", "2", "--batch", "4"},
		{"foursine", "--hidden", "20", "--steps", "200", "--test", "50"},
	} {
		out := filepath.Join(dir, args[0]+".npz")
		code, _, stderr := run(append(append([]string{"train"}, args...), "-o", out)...)
		if code != 0 {
			t.Fatalf("train %v: exit %d: %s", args, code, stderr)
		}
		n, err := saved.ReadNative(out)
		if err != nil {
			t.Fatalf("train %v: %v", args, err)
		}
		if n.Manifest.Task == nil || n.Manifest.Train == nil || n.Manifest.Seed == nil {
			t.Errorf("train %v: manifest lacks task, training config or seed", args)
		}
	}
	if code, _, stderr := run("train", "dcdt", "--delay", "7ms", "-o", filepath.Join(dir, "x.npz")); code != 2 || !strings.Contains(stderr, "multiple") {
		t.Errorf("a delay that is not a multiple of 5 ms: exit %d, %q", code, stderr)
	}
}

// Nonsensical sizes, flags of other tasks and wrong methods are usage
// errors naming the flag, before any training.
func TestTrainFlagErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.npz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"dcdt", "--hidden", "0"}, "attractor train: --hidden 0: want at least 1\n"},
		{[]string{"flipflop", "--epochs", "0"}, "--epochs 0: want at least 1"},
		{[]string{"spm", "--g", "-1"}, "--g -1: want a positive number"},
		{[]string{"dcdt", "--trials", "10"}, "--trials does not apply to the dcdt task"},
		{[]string{"flipflop", "--test-seeds", "2"}, "--test-seeds does not apply to the flipflop task"},
		{[]string{"spm", "--feedback-mix", "0.5"}, "--feedback-mix does not apply to the spm task"},
		{[]string{"dcdt", "--method", "force"}, `--method "force": the dcdt task trains by bptt`},
		{[]string{"flipflop", "--family", "rnn_relu"}, `--family "rnn_relu": want rnn (or rnn_tanh), gru, lstm or trnn`},
		{[]string{"trian"}, `unknown task "trian" (choice, dcdt, flipflop, foursine, lastk, `},
	} {
		code, stdout, stderr := run(append(append([]string{"train"}, tc.args...), "-o", out)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("train %q: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote %s", out)
	}
}

// The family rnn is also spelt rnn_tanh; both train the same network.
func TestTrainFamilyAlias(t *testing.T) {
	dir := t.TempDir()
	var files [2][]byte
	for i, fam := range []string{"rnn", "rnn_tanh"} {
		out := filepath.Join(dir, fam+".npz")
		if code, _, stderr := run("train", "flipflop", "--family", fam, "--hidden", "5", "--epochs", "2", "--batch", "4", "-o", out); code != 0 {
			t.Fatalf("--family %s: exit %d: %s", fam, code, stderr)
		}
		files[i], _ = os.ReadFile(out)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("--family rnn and rnn_tanh trained different networks")
	}
}
