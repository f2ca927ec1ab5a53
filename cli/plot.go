package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"attractor/internal/figure"
	"attractor/train"
	"attractor/tui"
)

func init() {
	register(&command{name: "plot", args: "NET|RUN_DIR --portrait|--spectrum|--curves -o FIG.svg|FIG.png|FIG.pdf [--point K] [--inits N] [--width PX]",
		short: "draw the phase portrait, eigenvalue plane or training curves as an SVG, PNG or PDF figure",
		run:   runPlot})
}

// runPlot draws one figure of a network with the terminal UI's analysis
// and writes it atomically as SVG, PNG or PDF (by the extension).
func runPlot(env *Env, args []string) error {
	fs := newFlags(env, commands["plot"])
	portrait := fs.Bool("portrait", false, "phase portrait: trajectories of every trial condition on PC1 × PC2, fixed points by kind")
	spectrum := fs.Bool("spectrum", false, "eigenvalues at the fixed points: rates λ with Re λ = 0, or multipliers μ with the unit circle")
	curves := fs.Bool("curves", false, "training curves: loss (log scale) and accuracy, from the run's metrics.jsonl or the file's history")
	out := fs.String("o", "", "output figure: .svg, .png (2 pixels per px) or .pdf")
	point := fs.Int("point", 0, "with --spectrum: draw fixed point K only (from 1; 0 draws all)")
	inits := fs.Int("inits", 32, "initial states of the fixed-point search")
	width := fs.Float64("width", 720, "figure width in px")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kinds := 0
	for _, b := range []bool{*portrait, *spectrum, *curves} {
		if b {
			kinds++
		}
	}
	switch {
	case fs.NArg() != 1:
		return usageError("name one network (or run directory) to plot")
	case kinds != 1:
		return usageError("choose one of --portrait, --spectrum and --curves")
	case *out == "":
		return usageError("-o FIG.svg (or .png, .pdf) is required")
	case *point < 0:
		return usageError("--point %d: want 0 (all) or a fixed point from 1", *point)
	case *point != 0 && !*spectrum:
		return usageError("--point applies to --spectrum only")
	case *inits < 1 || *inits > 10000:
		return usageError("--inits %d: want 1…10000", *inits)
	case !(*width >= 320 && *width <= 10000):
		return usageError("--width %v: want 320…10000 px", *width)
	}
	if _, err := figure.FormatOf(*out); err != nil {
		return usageError("-o %s: name the figure .svg, .png or .pdf", *out)
	}

	file, runDir := plotResolve(fs.Arg(0))
	n, err := openNetwork(env, file, nil)
	if err != nil {
		return err
	}
	o := tui.FigureOptions{Name: strings.TrimSuffix(filepath.Base(fs.Arg(0)), ".npz"), Inits: *inits, Point: *point, Width: *width}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var fig *figure.Figure
	switch {
	case *portrait:
		fig, err = tui.PortraitFigure(ctx, n, o)
	case *spectrum:
		fig, err = tui.SpectrumFigure(ctx, n, o)
	default:
		if runDir != "" {
			log := filepath.Join(runDir, train.MetricsFile)
			ms, _, rerr := train.ReadMetrics(log, 0)
			if rerr != nil {
				return rerr
			}
			if len(ms) > 0 {
				o.Metrics, o.MetricsSource = train.LastPerStep(ms), log
			}
		}
		fig, err = tui.CurvesFigure(n, o)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if err := figure.WriteFile(*out, fig); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "wrote %s\n", *out)
	return nil
}

// plotResolve returns the network file to open for arg and the run
// directory whose metrics log goes with it: arg itself when it is a
// directory (its checkpoint is the network), otherwise the file's
// directory or NET.run when either holds a metrics log.
func plotResolve(arg string) (file, runDir string) {
	if fi, err := os.Stat(arg); err == nil && fi.IsDir() {
		return filepath.Join(arg, train.CheckpointFile), arg
	}
	for _, d := range []string{filepath.Dir(arg), arg + ".run"} {
		if _, err := os.Stat(filepath.Join(d, train.MetricsFile)); err == nil {
			return arg, d
		}
	}
	return arg, ""
}
