package plot

import "strconv"

// Color is a terminal colour: [Default] (the terminal's own foreground or
// background colour) or one of the 256 entries of the xterm palette, stored
// as index+1. Entries 0–15 are the terminal's basic and bright colours, 16–231
// the 6×6×6 colour cube and 232–255 a grey ramp.
type Color uint16

// Default is the terminal's default colour. A dot drawn with Default is
// visible in the terminal's foreground colour.
const Default Color = 0

// The 16 basic terminal colours (xterm indices 0–15). Their exact shades are
// chosen by the user's terminal theme.
const (
	Black Color = iota + 1
	Red
	Green
	Yellow
	Blue
	Magenta
	Cyan
	White
	BrightBlack
	BrightRed
	BrightGreen
	BrightYellow
	BrightBlue
	BrightMagenta
	BrightCyan
	BrightWhite
)

// Xterm returns the colour with xterm-256 palette index n.
func Xterm(n uint8) Color { return Color(n) + 1 }

// Index returns the xterm-256 palette index of c, and false for [Default]
// or for a value that is not a palette colour.
func (c Color) Index() (n uint8, ok bool) {
	if c == Default || c > 256 {
		return 0, false
	}
	return uint8(c - 1), true
}

// plotCubeLevels are the channel intensities of the xterm 6×6×6 colour cube.
var plotCubeLevels = [6]int{0, 95, 135, 175, 215, 255}

// RGB returns the xterm-256 colour nearest to the 24-bit colour (r, g, b),
// chosen from the colour cube (indices 16–231) and the grey ramp (232–255) by
// squared distance in RGB; the 16 theme-dependent basic colours are never
// returned.
func RGB(r, g, b uint8) Color {
	near := func(v int) int {
		best, bd := 0, 1<<30
		for i, l := range plotCubeLevels {
			if d := (v - l) * (v - l); d < bd {
				best, bd = i, d
			}
		}
		return best
	}
	ir, ig, ib := near(int(r)), near(int(g)), near(int(b))
	dist := func(x, y, z int) int {
		dr, dg, db := int(r)-x, int(g)-y, int(b)-z
		return dr*dr + dg*dg + db*db
	}
	cube := 16 + 36*ir + 6*ig + ib
	cd := dist(plotCubeLevels[ir], plotCubeLevels[ig], plotCubeLevels[ib])
	// Grey ramp: index 232+k has intensity 8+10k, k = 0…23.
	avg := (int(r) + int(g) + int(b)) / 3
	k := (avg - 8 + 5) / 10
	k = max(0, min(23, k))
	gv := 8 + 10*k
	if gd := dist(gv, gv, gv); gd < cd {
		return Xterm(uint8(232 + k))
	}
	return Xterm(uint8(cube))
}

// Palette is an ordered colour scale for [Canvas.HeatMap]: the lowest value
// of the range gets the first colour and the highest the last.
type Palette []Color

// plotPaletteHex builds a palette from 24-bit colours 0xRRGGBB.
func plotPaletteHex(hex ...uint32) Palette {
	p := make(Palette, len(hex))
	for i, h := range hex {
		p[i] = RGB(uint8(h>>16), uint8(h>>8), uint8(h))
	}
	return p
}

// Palettes for heat maps, approximated in the xterm-256 palette.
var (
	// Viridis is the perceptually uniform, colour-blind-safe sequential
	// scale of matplotlib (dark purple → blue → green → yellow).
	Viridis = plotPaletteHex(0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
		0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725)
	// Diverging runs blue → white → red, for signed quantities such as a
	// connectivity matrix; use a symmetric range lo = −hi so that zero is white.
	Diverging = plotPaletteHex(0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
		0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b)
	// Grays is the 24-step grey ramp from near black to near white.
	Grays = func() Palette {
		p := make(Palette, 24)
		for i := range p {
			p[i] = Xterm(uint8(232 + i))
		}
		return p
	}()
)

// plotAppendSGR appends one SGR sequence that switches the foreground from
// curFg to fg and the background from curBg to bg. It appends nothing when
// both are unchanged.
func plotAppendSGR(dst []byte, fg, bg, curFg, curBg Color) []byte {
	if fg == curFg && bg == curBg {
		return dst
	}
	dst = append(dst, "\x1b["...)
	sep := false
	if fg != curFg {
		dst = plotAppendColorParam(dst, fg, 30, 90, 39, "38;5;")
		sep = true
	}
	if bg != curBg {
		if sep {
			dst = append(dst, ';')
		}
		dst = plotAppendColorParam(dst, bg, 40, 100, 49, "48;5;")
	}
	return append(dst, 'm')
}

// plotAppendColorParam appends the SGR parameter selecting c: base+n for
// the basic colours, bright+n−8 for the bright ones, ext+n for the others
// and def for Default.
func plotAppendColorParam(dst []byte, c Color, base, bright, def int, ext string) []byte {
	n, ok := c.Index()
	switch {
	case !ok:
		return strconv.AppendInt(dst, int64(def), 10)
	case n < 8:
		return strconv.AppendInt(dst, int64(base+int(n)), 10)
	case n < 16:
		return strconv.AppendInt(dst, int64(bright+int(n)-8), 10)
	default:
		dst = append(dst, ext...)
		return strconv.AppendInt(dst, int64(n), 10)
	}
}
