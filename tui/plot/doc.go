// Package plot is a small, allocation-light terminal canvas for dense plots:
// phase portraits with tens of thousands of points, eigenvalue planes with
// the unit circle or the stability line Re λ = 0, and heat maps of matrices.
//
// A [Canvas] of cols×rows terminal cells has two pixel layers:
//
//   - braille dots: each cell holds a 2×4 grid of dots rendered as one rune of
//     the Unicode braille block U+2800–U+28FF, so the dot space is
//     (2·cols)×(4·rows). The world rectangle [xmin, xmax]×[ymin, ymax] set by
//     [Canvas.SetRange] maps linearly onto it with y pointing up:
//     dot column ⌊(x−xmin)·2cols/(xmax−xmin)⌋ and dot row
//     ⌊(ymax−y)·4rows/(ymax−ymin)⌋, the right edge x = xmax and the bottom
//     edge y = ymin falling into the last dot column and row. [Canvas.Point],
//     [Canvas.Line], [Canvas.Circle], [Canvas.HLine] and [Canvas.VLine] draw
//     here; each cell has one foreground colour, and the last colour written
//     to a cell wins, so draw the most important series last.
//   - half blocks: each cell holds two stacked pixels rendered with ▀ ▄ █ and
//     foreground/background colours, a pixel space of cols×(2·rows).
//     [Canvas.HeatMap] and [Canvas.Pixel] draw here.
//
// A text overlay ([Canvas.Text], [Canvas.Marker]) sits on top of both. In a
// cell the text wins over dots, and dots win over half blocks (the dots are
// then drawn on the upper block pixel's colour as background).
//
// Every world coordinate is sanitised before it reaches the raster: NaN and
// ±Inf are dropped, points outside the range are dropped, and lines are
// clipped to the range in float64 (Liang–Barsky) before they are rasterised
// with Bresenham in dot space, so the work per primitive is bounded by the
// canvas size whatever the coordinates (1e300 included) and nothing is ever
// allocated in proportion to a coordinate. [Canvas.Stats] counts what was
// dropped or clipped, so a UI can say "3 points off-scale".
//
// [Canvas.String] renders rows lines of exactly cols runes each, joined by
// '\n' with no trailing newline, with ANSI SGR colour sequences emitted only
// where the colour changes (and a reset at the end of a coloured line); set
// [Canvas.Mono] for plain text. The render buffer is kept in the canvas and
// reused, so a frame (Clear, draw, String) costs one allocation: the
// returned string.
//
// [NiceTicks] computes 1-2-5 axis ticks and [Axes.Frame] draws a canvas
// with tick labels and axis titles with units such as "Re λ (1/τ)".
//
// The package assumes every rune of a label is one terminal column wide.
// A Canvas is not safe for concurrent use.
package plot
