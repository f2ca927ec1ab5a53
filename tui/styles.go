package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"

	"attractor/tui/plot"
)

// Styles are the looks of the panes. Build them with [DefaultStyles] from
// the session's renderer.
type Styles struct {
	Border, FocusedBorder lipgloss.Style // pane borders
	Title, FocusedTitle   lipgloss.Style // pane titles in the top border
	Status                lipgloss.Style // the status line
	Dim                   lipgloss.Style // secondary text
	Accent                lipgloss.Style // values the user is looking for
	Error                 lipgloss.Style // errors and warnings
	Selected              lipgloss.Style // the selected row of a list
	Help                  help.Styles

	// Colours of the plots (the canvas writes its own colour codes; the
	// panes render it without colour when the renderer has no colours).
	Conditions               []plot.Color // trajectories, one per condition
	Stable, Saddle, Slow     plot.Color   // fixed-point markers
	Unstable                 plot.Color
	State, Trail, Axis, Unit plot.Color // current state, its trail, axes, unit circle
	Eigen, Cursor            plot.Color
	Loss, Accuracy           plot.Color
}

// DefaultStyles returns the styles of attractor's UI for renderer r.
func DefaultStyles(r *lipgloss.Renderer) *Styles {
	accent := lipgloss.AdaptiveColor{Light: "#005f87", Dark: "#5fd7ff"}
	dim := lipgloss.AdaptiveColor{Light: "#808080", Dark: "#8a8a8a"}
	s := &Styles{
		Border:        r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#bcbcbc", Dark: "#585858"}),
		FocusedBorder: r.NewStyle().Foreground(accent),
		Title:         r.NewStyle().Foreground(dim),
		FocusedTitle:  r.NewStyle().Foreground(accent).Bold(true),
		Status:        r.NewStyle().Bold(true),
		Dim:           r.NewStyle().Foreground(dim),
		Accent:        r.NewStyle().Foreground(accent),
		Error:         r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#af0000", Dark: "#ff5f5f"}),
		Selected:      r.NewStyle().Reverse(true),
		Conditions:    []plot.Color{plot.BrightCyan, plot.BrightMagenta, plot.BrightYellow, plot.BrightGreen, plot.BrightBlue, plot.BrightRed},
		Stable:        plot.BrightGreen,
		Saddle:        plot.BrightRed,
		Slow:          plot.BrightYellow,
		Unstable:      plot.Red,
		State:         plot.BrightWhite,
		Trail:         plot.White,
		Axis:          plot.BrightBlack,
		Unit:          plot.Blue,
		Eigen:         plot.BrightCyan,
		Cursor:        plot.BrightYellow,
		Loss:          plot.BrightCyan,
		Accuracy:      plot.BrightGreen,
	}
	keyStyle := r.NewStyle().Foreground(accent)
	descStyle := r.NewStyle().Foreground(dim)
	sep := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#dadada", Dark: "#4e4e4e"})
	s.Help = help.Styles{
		Ellipsis:       sep,
		ShortKey:       keyStyle,
		ShortDesc:      descStyle,
		ShortSeparator: sep,
		FullKey:        keyStyle,
		FullDesc:       descStyle,
		FullSeparator:  sep,
	}
	return s
}
