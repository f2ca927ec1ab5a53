package cli

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
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
