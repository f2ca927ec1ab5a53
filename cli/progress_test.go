package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestIsTerminalDevNull: /dev/null is a character device but no terminal;
// taken for one, `inspect 2>/dev/null` drew a bar there and panicked.
func TestIsTerminalDevNull(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("/dev/null taken for a terminal")
	}
}

// TestProgressPastTotal: an adaptive census can do more than its estimated
// total; the bar stays full instead of panicking on a negative repeat.
func TestProgressPastTotal(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "census", "starts", 64)
	p.tty = true
	for _, done := range []int{0, 32, 64, 128, 4096} {
		p.lastOut = p.start.Add(-time.Second)
		p.update(done, "")
	}
	if !strings.Contains(b.String(), "4096/64") {
		t.Errorf("no line for 4096 of 64:\n%q", b.String())
	}
}
