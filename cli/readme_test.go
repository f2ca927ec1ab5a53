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
