package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The README's extended-delay example shows what it promises: on the
// gallery's DCDT limit-cycle network, delays extended by 160 and 500 ms
// make a trial fail with an error near 1.
func TestReadmeExtendDelayExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "attractor" && f[1] == "perturb" && strings.Contains(line, "--extend-delay") {
			args = f[1:]
		}
	}
	if len(args) == 0 {
		t.Fatal("README has no `attractor perturb … --extend-delay` example")
	}
	code, out, errOut := run(append(args, "--json")...)
	if code != 0 {
		t.Fatalf("%q: exit %d: %s", args, code, errOut)
	}
	var rep struct {
		Curves []struct {
			Points []struct {
				X        float64 `json:"x"`
				Max      float64 `json:"max"`
				Failures int     `json:"failures"`
			} `json:"points"`
		} `json:"curves"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Curves) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	failed := 0
	for _, p := range rep.Curves[0].Points {
		if p.Failures > 0 && p.Max > 0.5 {
			failed++
		}
	}
	if failed < 2 {
		t.Errorf("%q: %d extensions make a trial fail with error > 0.5; the README promises the memory failing: %+v", args, failed, rep.Curves[0].Points)
	}
}

// TestReadmeTour runs every command of the README's three-minute tour, in
// order, in a fresh directory, and checks that each shows what its comment
// promises.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the tour trains a small flip-flop network (a few CPU-seconds)")
	}
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "## A three-minute tour")
	if start < 0 {
		t.Fatal("README has no three-minute tour")
	}
	section := text[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var cmds [][]string
	for _, line := range strings.Split(section, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) > 1 && f[0] == "attractor" && strings.HasPrefix(line, "    ") {
			cmds = append(cmds, f[1:])
		}
	}
	if len(cmds) < 5 {
		t.Fatalf("the tour has %d commands, want its whole walk from inspect to a landscape", len(cmds))
	}
	t.Chdir(t.TempDir())
	// What each command must show, by its first two words.
	want := map[string]func(out string) string{
		"inspect 05-kurtkaya-lc-lr0.01": func(out string) string {
			if !strings.Contains(out, ": LC") || !strings.Contains(out, "period") {
				return "no LC verdict with a cycle period"
			}
			return ""
		},
		"landscape ff.npz.run": func(out string) string {
			if !strings.Contains(out, "birth") {
				return "no birth event"
			}
			return ""
		},
	}
	for _, args := range cmds {
		code, out, errOut := run(args...)
		if code != 0 {
			t.Fatalf("attractor %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		if check, ok := want[strings.Join(args[:2], " ")]; ok {
			if msg := check(out); msg != "" {
				t.Errorf("attractor %s: %s:\n%s", strings.Join(args, " "), msg, out)
			}
		}
	}
	png, err := os.ReadFile("lc.png")
	if err != nil || !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		t.Errorf("the tour's plot is no PNG: %v", err)
	}
	if _, err := os.Stat("ff.npz"); err != nil {
		t.Errorf("the tour's training wrote no network: %v", err)
	}
}
