package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
)

// progress shows the advance of long work: a redrawn bar on a terminal,
// plain lines (about one per 5 % or per 10 s) otherwise.
type progress struct {
	w       io.Writer
	tty     bool
	label   string
	total   int
	start   time.Time
	lastOut time.Time
	lastPct int
	unit    string // what one step counts, such as "epoch"
}

// isTerminal reports whether f (a reader or writer) is a terminal; a
// character device that is not one, such as /dev/null, is not.
func isTerminal(f any) bool {
	fd, ok := f.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(fd.Fd())
}

func newProgress(w io.Writer, label, unit string, total int) *progress {
	now := time.Now()
	return &progress{w: w, tty: isTerminal(w), label: label, unit: unit, total: total, start: now, lastOut: now, lastPct: -1}
}

// update reports that done of total units are finished; detail is a short
// status such as "loss 0.0213 acc 1.000".
func (p *progress) update(done int, detail string) {
	now := time.Now()
	el := now.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(done) / el
	}
	eta := "?"
	if rate > 0 && p.total > done {
		eta = (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second).String()
	} else if done >= p.total {
		eta = "0s"
	}
	frac := 1.0
	if p.total > 0 {
		frac = float64(done) / float64(p.total)
	}
	if p.tty {
		if now.Sub(p.lastOut) < 100*time.Millisecond && done < p.total {
			return
		}
		p.lastOut = now
		const width = 24
		fill := min(max(int(frac*width), 0), width) // done can pass an estimated total
		bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
		fmt.Fprintf(p.w, "\r\x1b[K%s %s %d/%d %s  %s  %.1f %s/s  ETA %s", p.label, bar, done, p.total, p.unit, detail, rate, p.unit, eta)
		if done >= p.total {
			fmt.Fprintln(p.w)
		}
		return
	}
	pct := int(frac * 100)
	if pct/5 == p.lastPct/5 && now.Sub(p.lastOut) < 10*time.Second && done < p.total {
		return
	}
	p.lastPct, p.lastOut = pct, now
	fmt.Fprintf(p.w, "%s %d/%d %s (%d%%) %s, %.1f %s/s, ETA %s\n", p.label, done, p.total, p.unit, pct, detail, rate, p.unit, eta)
}

// finish ends a bar line that was interrupted before the total.
func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
