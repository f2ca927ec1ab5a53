// Package tui is attractor's terminal UI: a Bubble Tea program that opens a
// trained recurrent network, shows how it remembers and lets the user poke
// it.
//
// The screen has five panes, each a component with its own size, key map
// and styles: the network list (the embedded [Gallery] or a directory
// listing restricted to a root directory), training progress (loss and
// accuracy curves, rate and ETA, following a run directory's metrics log),
// the phase portrait (trajectories of every trial condition projected on
// their first two principal components, fixed points marked by kind, the
// current state moving while the network runs), the eigenvalue plane of the
// selected fixed point (continuous-time rates λ with the line Re λ = 0, or
// discrete-map multipliers μ with the unit circle) and the mechanism
// verdict with its evidence and thresholds (Ghazizadeh & Ching's DFP, IFP,
// LC or Mix for pattern matching, Kurtkaya et al.'s LC or SP for delayed
// cue discrimination, the end behaviour of every condition otherwise).
// A run directory with a history (`attractor ui RUN_DIR`, or a run chosen
// in the file list) adds a sixth pane, the landscape across training: the
// stable points and cycles of every history network against training step
// with the events marked, above the loss and accuracy on the same axis
// (see analysis.Landscaper); '<' and '>' move the other panes through the
// history.
//
// The trials come from the analysis package's protocol registry (see
// [ProtocolFor]), the same as `attractor inspect`'s: the two cue classes of
// delayed cue discrimination, the memory states of the flip-flop, the
// last-k bit patterns, the 16 pattern-matching trials, the cue and
// encoding time of delayed choice, a free run for a signal generator,
// retrieval for an associative network, or the generic protocol of a file
// without a task. The fixed-point stage is the analysis's census and the
// verdict its verdict; the report stage assembles both into the
// analysis.Report the verdict pane renders (the bytes `attractor inspect
// --json` prints). Where the verdict runs noisy copies of its probes (the
// Ghazizadeh classifier) a quick pass on the clean probes shows first,
// marked provisional, and the full pass refines it in place. After 'd' or
// 'D' the census's points stay on screen until the new census is in, and a
// session keeps its recent results, so returning to a delay is instant.
//
// Keys run experiments: space runs or pauses the network, '.' steps it, '['
// and ']' choose the trial condition, 'k' kicks the state with noise of
// size σ ('+' and '-' change σ), 'd' and 'D' shorten and extend the delay,
// 'r' resets the trial, 'a' re-runs the analysis, 'o' opens another network
// and 's' saves the perturbed state and the current plots. Tab and
// Shift-Tab move the focus, '?' shows every key, q quits.
//
// Everything a session shares lives in a [Context]: the styles built from
// the session's own lipgloss renderer (so an SSH server can give each
// session the colours of its terminal), the root directory, the gallery and
// the session's cancellation context. Analyses (trajectories, PCA, fixed
// points, spectra and the verdict) run off the UI goroutine as cancellable
// commands that return private result messages; a newer analysis makes the
// results of an older one stale, and they are dropped. Every pane caches
// its rendered string, so View with nothing changed costs nothing.
//
// # Charts
//
// Two chart libraries draw the panes, each where it serves. The training
// pane's curves are ntcharts (github.com/NimbleMarkets/ntcharts) time-series
// line charts, steps on the time axis: loss on a log axis and accuracy on
// its own, each with its axes and a legend line, or ntcharts sparklines
// when the pane has no room for axes (at 80×24). Those are a few hundred
// points, drawn when a metric arrives. ntcharts computes grid coordinates
// without bounds, so that one NaN or a far outlier makes it allocate until
// the process dies; every value goes through the pane's sanitiser first
// (non-finite values skipped, an outlier-proof range, values clamped to it,
// the counts shown). The phase portrait (up to 10k points redrawn while the
// network runs), the activity and connectivity heat maps and the
// eigenvalue plane are drawn by our own braille and half-block canvas,
// package attractor/tui/plot: drawing 10k points through ntcharts'
// per-segment calls took 1.5–2 s and 1.1 GB of allocations per frame when
// measured, our canvas under a millisecond.
//
// The same analysis draws figures for papers: [PortraitFigure],
// [SpectrumFigure] and [CurvesFigure] return figures (package
// attractor/internal/figure), which `attractor plot` writes as SVG, PNG or PDF.
package tui
