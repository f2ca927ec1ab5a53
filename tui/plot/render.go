package plot

import "unicode/utf8"

// plotShade are the mono renderings of half-block shades 0–4.
var plotShade = [5]rune{' ', '░', '▒', '▓', '█'}

// String renders the canvas as rows lines of exactly cols runes each,
// joined by '\n' without a trailing newline (see [Canvas.AppendTo]). The
// bytes are built in a buffer kept in the canvas; the returned string is the
// only allocation.
func (c *Canvas) String() string {
	c.buf = c.AppendTo(c.buf[:0])
	return string(c.buf)
}

// AppendTo appends the rendering of [Canvas.String] to dst and returns the
// extended slice. A cell shows, in order of precedence, its overlay rune,
// its braille dots (U+2800 + dot bits) or its half-block pixels; an empty
// cell is a space, never the blank braille rune U+2800. Unless Mono is set,
// colours are switched with ANSI SGR sequences only where they change, and
// a line that ends with a colour set ends with the reset "\x1b[0m".
func (c *Canvas) AppendTo(dst []byte) []byte {
	for r := range c.rows {
		if r > 0 {
			dst = append(dst, '\n')
		}
		dst = c.appendRow(dst, r)
	}
	return dst
}

// appendRow appends the rendering of row r without a newline.
func (c *Canvas) appendRow(dst []byte, r int) []byte {
	var curFg, curBg Color
	for _, cell := range c.cells[r*c.cols : (r+1)*c.cols] {
		ch, fg, bg := ' ', curFg, Default
		blockBg := Default
		if cell.topLv != 0 {
			blockBg = cell.top
		}
		switch {
		case cell.text != 0:
			ch, fg, bg = cell.text, cell.tfg, blockBg
		case cell.dots != 0:
			ch, fg, bg = 0x2800+rune(cell.dots), cell.fg, blockBg
		case cell.topLv != 0 || cell.botLv != 0:
			if c.Mono {
				ch = plotShade[(cell.topLv+cell.botLv+1)/2]
				break
			}
			switch {
			case cell.botLv == 0:
				ch, fg = '▀', cell.top
			case cell.topLv == 0:
				ch, fg = '▄', cell.bot
			case cell.top == cell.bot:
				ch, fg = '█', cell.top
			default:
				ch, fg, bg = '▀', cell.top, cell.bot
			}
		}
		if !c.Mono {
			dst = plotAppendSGR(dst, fg, bg, curFg, curBg)
			curFg, curBg = fg, bg
		}
		if ch < utf8.RuneSelf {
			dst = append(dst, byte(ch))
		} else {
			dst = utf8.AppendRune(dst, ch)
		}
	}
	if curFg != Default || curBg != Default {
		dst = append(dst, "\x1b[0m"...)
	}
	return dst
}
