package saved

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Printable returns s with everything a terminal could act on made visible:
// C0 control characters (ESC, BEL, backspace, carriage return, newline,
// tab, …), DEL, the C1 controls U+0080–U+009F (a terminal may read U+009B
// as CSI), the Unicode line and paragraph separators, the bidirectional
// overrides and isolates that reorder what is shown, and bytes that are not
// UTF-8 are written as Go escapes ("\x1b", "\n", "\u009b", "\u202e",
// "\xff"). Printable(Printable(s)) == Printable(s), so text may pass
// through it at several layers; a backslash is left alone. Every
// name or string that comes from a file or a user and reaches a terminal —
// in the UI, in the server's log and in the command line's messages — goes
// through Printable.
func Printable(s string) string {
	if isPrintable(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPrintable reports whether Printable would return s unchanged.
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return isPrintableSlow(s)
		}
	}
	return true
}

func isPrintableSlow(s string) bool {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		case r < 0x20 || r == 0x7f || unsafeRune(r):
			return false
		}
	}
	return true
}

// unsafeRune reports whether r is a C1 control or a Unicode character that
// changes how the surrounding text is laid out or ordered.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls (CSI, OSC, ST, …)
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e: // bidi embeddings and overrides
		return true
	case r >= 0x2066 && r <= 0x2069: // bidi isolates
		return true
	case r == 0x200e || r == 0x200f || r == 0x061c: // direction marks
		return true
	case r == 0xfeff: // byte-order mark / zero-width no-break space
		return true
	}
	return false
}

// PrintableText is Printable for a message of several lines that we
// composed: each line goes through Printable and the line breaks are kept.
// Names inside it should have been through Printable already, so that a
// newline in a name shows as "\n" and does not start a line.
func PrintableText(s string) string {
	if isPrintable(strings.ReplaceAll(s, "\n", " ")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Printable(l)
	}
	return strings.Join(lines, "\n")
}
