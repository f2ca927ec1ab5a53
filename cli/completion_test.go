package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every shell's script names every command, sub-command and flag, and
// passes the shell's syntax check.
func TestCompletionScripts(t *testing.T) {
	cs := specs()
	checks := map[string][]string{
		"bash": {"bash", "-n"},
		"zsh":  {"zsh", "-n"},
		"fish": {"fish", "--no-execute"},
	}
	for shell, check := range checks {
		t.Run(shell, func(t *testing.T) {
			code, out, errOut := run("completion", shell)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, c := range cs {
				if !strings.Contains(out, c.name) {
					t.Errorf("no command %s", c.name)
				}
				for _, s := range c.command.subs {
					if !strings.Contains(out, s) {
						t.Errorf("no sub-command %s %s", c.name, s)
					}
				}
				all := c.flags
				for _, sub := range c.command.subs {
					all = append(all, c.subs[sub]...)
				}
				for _, f := range all {
					word := flagWord(f) + " "
					if shell == "fish" {
						word = "-l " + f.Name + " "
						if len(f.Name) == 1 {
							word = "-s " + f.Name + " "
						}
					}
					if !strings.Contains(out, word) && !strings.Contains(out, flagWord(f)+`"`) && !strings.Contains(out, flagWord(f)+")") {
						t.Errorf("no flag %s of %s", flagWord(f), c.name)
					}
				}
			}
			if _, err := exec.LookPath(check[0]); err != nil {
				t.Skipf("%s is not installed (apt-get install %s): syntax not checked", check[0], check[0])
			}
			name := filepath.Join(t.TempDir(), "attractor."+shell)
			if err := os.WriteFile(name, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command(check[0], append(check[1:], name)...).CombinedOutput(); err != nil {
				t.Errorf("%s: %v\n%s", strings.Join(check, " "), err, b)
			}
		})
	}
}

// The bash function completes commands, sub-commands and flags.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	_, script, _ := run("completion", "bash")
	for _, c := range []struct {
		words string
		want  string
	}{
		{"attractor tr", "train"},
		{"attractor train dcdt --hid", "--hidden"},
		{"attractor sweep st", "status"},
		{"attractor sweep status --j", "--json"},
		{"attractor plot net.npz --sp", "--spectrum"},
		{"attractor help sw", "sweep"},
	} {
		words := strings.Fields(c.words)
		sh := script + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(words)-1) + "\n_attractor\necho \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command("bash", "-c", sh).CombinedOutput()
		if err != nil || !strings.Contains(" "+string(bytes.TrimSpace(out))+" ", " "+c.want+" ") {
			t.Errorf("%q: completions %q (%v), want %q", c.words, out, err, c.want)
		}
	}
}

// The manual page has a section per command listing its flags, and groff
// formats it without a warning.
func TestManPage(t *testing.T) {
	code, out, errOut := run("man")
	if code != 0 || errOut != "" || !strings.HasPrefix(out, ".TH ATTRACTOR 1 ") {
		t.Fatalf("exit %d, stderr %q, starts %q", code, errOut, out[:min(40, len(out))])
	}
	for _, c := range specs() {
		if !strings.Contains(out, `.SS "attractor `+c.name+`"`) {
			t.Errorf("no section for %s", c.name)
		}
		for _, f := range c.flags {
			if !strings.Contains(out, ".B "+roff(flagWord(f))) {
				t.Errorf("%s: no flag %s", c.name, flagWord(f))
			}
		}
	}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff is not installed (apt-get install groff-base): formatting not checked")
	}
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(out)
	if b, err := cmd.CombinedOutput(); err != nil || len(b) > 0 {
		t.Errorf("groff: %v\n%s", err, b)
	}
}
