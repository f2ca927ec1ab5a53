package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// attractor ui fails before the terminal UI starts: a network file that
// does not exist or does not read exits 1 naming the file, and bad flags
// and arguments exit 2 with the usage.
func TestUIErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.npz")
	junk := filepath.Join(dir, "junk.npz")
	if err := os.WriteFile(junk, []byte("not a zip file"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msgs []string
	}{
		{[]string{missing}, 1, []string{"attractor ui:", "missing.npz"}},
		{[]string{junk}, 1, []string{"attractor ui:", "junk.npz"}},
		{[]string{"--nope"}, 2, []string{"attractor ui: unknown flag -nope", "see attractor ui --help"}},
		{[]string{missing, "--nope"}, 2, []string{"-nope", "see attractor ui --help"}},
		{[]string{"a.npz", "b.npz"}, 2, []string{`one network at most, got "a.npz" and "b.npz"`, "usage: attractor ui"}},
		{[]string{"--root", filepath.Join(dir, "no-such-dir")}, 2, []string{"--root", "is not a directory"}},
		{[]string{"--root", junk}, 2, []string{"is not a directory"}},
	} {
		code, stdout, stderr := run(append([]string{"ui"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("ui %q: exit %d, want %d (stderr %q)", tc.args, code, tc.code, stderr)
		}
		for _, m := range tc.msgs {
			if !strings.Contains(stderr, m) {
				t.Errorf("ui %q: stderr %q lacks %q", tc.args, stderr, m)
			}
		}
		if stdout != "" {
			t.Errorf("ui %q: the UI wrote %q to stdout", tc.args, stdout)
		}
	}
}

// Without a terminal (stdin a pipe or /dev/null, stdout a buffer) the UI
// says in one line that it needs one and exits 1, writing nothing to
// stdout (no escape codes).
func TestUINeedsTerminal(t *testing.T) {
	for _, args := range [][]string{{"ui"}, {"ui", "06-flipflop-gru"}} {
		code, stdout, stderr := run(args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "needs a terminal") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line saying it needs a terminal", args, code, stdout, stderr)
		}
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Errorf("%s is a terminal", os.DevNull)
	}
}

// A gallery name opens the embedded network where no such file exists.
func TestUINetworkGalleryName(t *testing.T) {
	n, name, runDir, err := uiNetwork("06-flipflop-gru")
	if err != nil || n == nil || name != "06-flipflop-gru" || runDir != "" {
		t.Errorf("uiNetwork(06-flipflop-gru) = %v, %q, %q, %v", n != nil, name, runDir, err)
	}
	if _, _, _, err := uiNetwork(filepath.Join(t.TempDir(), "06-flipflop-gru")); err == nil {
		t.Error("a path named like a gallery entry opened the gallery's network")
	}
}

// 's' saves beside the opened file, in the run directory, or under
// $XDG_DATA_HOME/attractor/saves for the gallery: never the working
// directory.
func TestUISaveRoot(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mynet.npz")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
	for _, tc := range []struct{ net, runDir, want string }{
		{file, "", dir},
		{dir, dir, dir},
		{"", "", filepath.Join(dir, "data", "attractor", "saves")},
		{"06-flipflop-gru", "", filepath.Join(dir, "data", "attractor", "saves")},
	} {
		if got := uiSaveRoot(tc.net, tc.runDir); got != tc.want {
			t.Errorf("uiSaveRoot(%q, %q) = %q, want %q", tc.net, tc.runDir, got, tc.want)
		}
	}
}
