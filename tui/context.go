package tui

import (
	"context"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Context is what the panes of one UI session share. An SSH server builds
// one per session, from the session's renderer and context.
type Context struct {
	// Ctx ends the session: when it is cancelled, background analyses stop.
	Ctx context.Context
	// Renderer is the session's lipgloss renderer; Styles are built from it.
	Renderer *lipgloss.Renderer
	// Styles are the pane styles, built by [NewContext] from Renderer.
	Styles *Styles
	// Root is the directory the session may list, open networks from and
	// save files into, through os.OpenRoot; "" disables the directory
	// listing and saving.
	Root string
	// SaveDir is the directory, relative to Root and slash-separated, that
	// the 's' key saves into, created on demand ("": Root itself). An SSH
	// server gives each user's key its own.
	SaveDir string
	// SaveRoot, if set, is the directory (absolute) 's' saves into instead
	// of SaveDir under Root: attractor ui sets the opened file's directory
	// or $XDG_DATA_HOME/attractor/saves, never the working directory.
	SaveRoot string
	// Cache, if set, shares the heavy analyses (trajectories and PCA,
	// fixed points, mechanism verdict) with other sessions; nil computes
	// them in this session. See [Cache].
	Cache Cache
	// Gallery lists the networks offered first (nil: none).
	Gallery Gallery
	// RunDir, if set, is a run directory whose metrics.jsonl the training
	// pane follows.
	RunDir string
	// RunRoot, if set, is the directory RunDir must resolve inside,
	// checked again at each file the UI opens in it (set when the run was
	// opened from the file list; see openRunCmd).
	RunRoot string
	// Tick is the frame interval while the network runs (default 50 ms);
	// MetricsPoll is the interval between reads of the metrics log
	// (default 1 s).
	Tick, MetricsPoll time.Duration
}

// NewContext returns a session context with the styles of renderer r (the
// default renderer when r is nil), cancelled with ctx (Background when
// nil), and the embedded gallery.
func NewContext(ctx context.Context, r *lipgloss.Renderer) *Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	return &Context{Ctx: ctx, Renderer: r, Styles: DefaultStyles(r), Gallery: EmbeddedGallery(),
		Tick: 50 * time.Millisecond, MetricsPoll: time.Second}
}

// mono reports whether the session shows no colours.
func (c *Context) mono() bool { return c.Renderer.ColorProfile() == termenv.Ascii }
