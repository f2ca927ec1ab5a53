package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
)

// frame is the rounded (focused: double) border of a pane with its title in the top edge.
// The coloured pieces are rendered once per size, title and focus, so
// drawing a frame around prepared lines only appends bytes.
type frame struct {
	w       int
	title   string
	focused bool
	ok      bool

	top, bottom, left, right string
}

// set prepares the frame for an outer width w; it does nothing when
// nothing changed.
func (f *frame) set(st *Styles, w int, title string, focused bool) {
	if f.ok && f.w == w && f.title == title && f.focused == focused {
		return
	}
	f.w, f.title, f.focused, f.ok = w, title, focused, true
	bs, ts := st.Border, st.Title
	if focused {
		bs, ts = st.FocusedBorder, st.FocusedTitle
	}
	// The focused pane has a double border and a ▶ before its title,
	// so the focus shows without colours (NO_COLOR) too.
	tl, tr, bl, br, h, v := "╭", "╮", "╰", "╯", "─", "│"
	title = saved.Printable(title)
	if focused {
		tl, tr, bl, br, h, v = "╔", "╗", "╚", "╝", "═", "║"
		title = "▶ " + title
	}
	inner := max(0, w-2)
	// A title too long for the edge loses its " · " parts from the end
	// before anything is cut, so that no word is cut into nonsense.
	for ansi.StringWidth(title) > inner-3 {
		i := strings.LastIndex(title, " · ")
		if i < 0 {
			break
		}
		title = title[:i]
	}
	t := ansi.Truncate(title, max(0, inner-3), "…")
	fill := max(0, inner-3-ansi.StringWidth(t))
	if inner < 4 {
		f.top = bs.Render(tl + strings.Repeat(h, inner) + tr)
	} else {
		f.top = bs.Render(tl+h+" ") + ts.Render(t) + bs.Render(" "+strings.Repeat(h, fill)+tr)
	}
	f.bottom = bs.Render(bl + strings.Repeat(h, inner) + br)
	f.left, f.right = bs.Render(v), bs.Render(v)
}

// inner returns the width inside the frame.
func (f *frame) inner() int { return max(0, f.w-2) }

// box draws body (lines separated by '\n') inside the frame as an h-line
// block: lines are cut or padded to the inner width, missing lines are
// blank and extra lines are dropped.
func (f *frame) box(body string, h int) string {
	var b strings.Builder
	in := f.inner()
	b.Grow((h + 2) * (in + 8))
	b.WriteString(f.top)
	lines := strings.Split(body, "\n")
	for i := range max(0, h-2) {
		b.WriteByte('\n')
		b.WriteString(f.left)
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		w := ansi.StringWidth(line)
		if w > in {
			line = ansi.Truncate(line, in, "")
			w = ansi.StringWidth(line)
		}
		b.WriteString(line)
		b.WriteString(strings.Repeat(" ", in-w))
		b.WriteString(f.right)
	}
	if h >= 2 {
		b.WriteByte('\n')
		b.WriteString(f.bottom)
	}
	return b.String()
}
