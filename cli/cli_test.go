package cli

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := run("version")
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.HasPrefix(out, "attractor ") || !strings.Contains(out, runtime.Version()) || !strings.Contains(out, "commit ") {
		t.Errorf("version output %q lacks version, commit or Go version", out)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, _, errOut := run("frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("got code %d, stderr %q", code, errOut)
	}
}

func TestBadFlag(t *testing.T) {
	code, _, errOut := run("version", "--nope")
	if code != 2 || errOut != "attractor version: unknown flag -nope\nsee attractor version --help\n" {
		t.Errorf("got code %d, stderr %q", code, errOut)
	}
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := run("help")
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > helpWidth {
			t.Errorf("help line of %d columns: %q", n, line)
		}
	}
	for name := range commands {
		if !strings.Contains(out, name) {
			t.Errorf("help does not list %q", name)
		}
	}
}

func TestParseFlagsInterleaved(t *testing.T) {
	c := &command{name: "x"}
	var out bytes.Buffer
	fs := newFlags(&Env{Stderr: &out}, c)
	o := fs.String("o", "", "")
	v := fs.Bool("v", false, "")
	if err := parseFlags(fs, []string{"a.pt", "-o", "b.npz", "c", "-v", "--", "-d"}); err != nil {
		t.Fatal(err)
	}
	if *o != "b.npz" || !*v || strings.Join(fs.Args(), " ") != "a.pt c -d" {
		t.Errorf("o=%q v=%v args=%q", *o, *v, fs.Args())
	}
}

// Every command and sub-command prints its help on stdout and exits 0; a
// bad flag prints one line naming the command and a hint on stderr and
// exits 2; nothing else is printed.
func TestHelpAndBadFlagEveryCommand(t *testing.T) {
	type cmdline struct{ words []string }
	var lines []cmdline
	for _, n := range commandNames() {
		lines = append(lines, cmdline{[]string{n}})
		for _, s := range commands[n].subs {
			lines = append(lines, cmdline{[]string{n, s}})
		}
	}
	for _, l := range lines {
		name := strings.Join(l.words, " ")
		for _, h := range []string{"--help", "-h", "-help"} {
			code, out, errOut := run(append(append([]string{}, l.words...), h)...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, "usage: attractor ") {
				t.Errorf("%s %s: exit %d, stdout %.40q, stderr %q; want 0, usage on stdout, nothing on stderr", name, h, code, out, errOut)
			}
		}
		if l.words[0] == "help" {
			continue // help's arguments are command names
		}
		// The flag error names the command the flag set belongs to: a
		// sweep sub-command, or the command whose sub-words are tasks or
		// shells.
		want := l.words[0]
		if want == "sweep" && len(l.words) > 1 {
			want = name
		}
		code, out, errOut := run(append(append([]string{}, l.words...), "--bogus")...)
		wantErr := "attractor " + want + ": unknown flag -bogus\nsee attractor " + want + " --help\n"
		if code != 2 || out != "" || errOut != wantErr {
			t.Errorf("%s --bogus: exit %d, stdout %q, stderr %q; want 2 and %q", name, code, out, errOut, wantErr)
		}
	}
}

// Top-level conventions: help on stdout, a misspelt command suggests the
// nearest, --json on version.
func TestTopLevel(t *testing.T) {
	for _, tc := range []struct {
		args             []string
		code             int
		stdout, stderr   string // substrings; "" for "must be empty"
		stdoutEmptyCheck bool
	}{
		{[]string{"help"}, 0, "usage: attractor [command]", "", false},
		{[]string{"--help"}, 0, "usage: attractor [command]", "", false},
		{[]string{"help", "train"}, 0, "usage: attractor train", "", false},
		{[]string{"help", "sweep", "report"}, 0, "usage: attractor sweep report", "", false},
		{[]string{"trian"}, 2, "", "did you mean `attractor train`?", true},
		{[]string{"inspcet"}, 2, "", "did you mean `attractor inspect`?", true},
		{[]string{"swep"}, 2, "", "did you mean `attractor sweep`?", true},
		{[]string{"xyzzy"}, 2, "", `unknown command "xyzzy"`, true},
		{[]string{"--bogus"}, 2, "", `attractor: unknown flag "--bogus" before the command`, true},
		{[]string{"help", "trian"}, 2, "", "did you mean train?", true},
		{[]string{"gallery"}, 2, "", "say build or list", true},
		{[]string{"completion", "tcsh"}, 2, "", "want bash, zsh or fish", true},
	} {
		code, out, errOut := run(tc.args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tc.args, code, tc.code, errOut)
		}
		if tc.stdout != "" && !strings.Contains(out, tc.stdout) || tc.stdoutEmptyCheck && out != "" {
			t.Errorf("%q: stdout %q, want %q", tc.args, out, tc.stdout)
		}
		if tc.stderr == "" && errOut != "" || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%q: stderr %q, want %q", tc.args, errOut, tc.stderr)
		}
	}
	code, out, errOut := run("version", "--json")
	var v struct{ Version, Commit, Go, OS, Arch string }
	if code != 0 || errOut != "" || json.Unmarshal([]byte(out), &v) != nil || v.Go != runtime.Version() || v.OS != runtime.GOOS {
		t.Errorf("version --json: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestNearestCommand(t *testing.T) {
	for in, want := range map[string]string{"trian": "train", "tarin": "train", "plto": "plot", "vresion": "version",
		"inspec": "inspect", "sw": "sweep", "zzzzzz": "", "ex": "export"} {
		if got := nearestCommand(in); got != want {
			t.Errorf("nearestCommand(%q) = %q, want %q", in, got, want)
		}
	}
}
