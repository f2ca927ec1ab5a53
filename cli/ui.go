package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"attractor/saved"
	"attractor/train"
	"attractor/tui"
)

func init() {
	register(&command{name: "ui", args: "[NET | RUN_DIR] [--root DIR]",
		short: "open the terminal UI (the default command)",
		run:   runUI})
}

// runUI opens the terminal UI on the gallery, on a network file, or on a
// run directory (its checkpoint, with its metrics log followed live).
func runUI(env *Env, args []string) error {
	c := commands["ui"]
	fs := newFlags(env, c)
	root := fs.String("root", ".", "directory the UI may browse and open networks from (o); s saves beside the opened file or in $XDG_DATA_HOME/attractor/saves")
	var net string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		net, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		if net != "" {
			return usageError("one network at most, got %q and %q", net, fs.Arg(0))
		}
		net = fs.Arg(0)
	}
	absRoot, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(absRoot); err != nil || !fi.IsDir() {
		return usageError("--root %s is not a directory", *root)
	}

	var (
		n      *saved.Network
		name   string
		runDir string
	)
	if net != "" {
		if n, name, runDir, err = uiNetwork(net); err != nil {
			return err
		}
	}

	if !isTerminal(env.Stdin) || !isTerminal(env.Stdout) {
		return errors.New("the terminal UI needs a terminal (stdin and stdout); for output without one see attractor inspect or attractor plot")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	r := lipgloss.NewRenderer(env.Stdout)
	// Ask the terminal for its background colour now, before Bubble Tea
	// reads the input: asked later, from the first View, the reply goes to
	// Bubble Tea's reader and the query waits forever ("starting…").
	r.HasDarkBackground()
	uc := tui.NewContext(ctx, r)
	uc.Root = absRoot
	uc.SaveRoot = uiSaveRoot(net, runDir)
	uc.RunDir = runDir
	if len(uc.Gallery.Entries()) == 0 && n == nil && runDir == "" {
		return fmt.Errorf("no network given and the gallery is empty")
	}
	m := tui.New(uc, name, n)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx),
		tea.WithInput(env.Stdin), tea.WithOutput(env.Stdout))
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("terminal UI: %w", err)
	}
	return nil
}

// uiSaveRoot is where 's' saves: beside the opened file, in the run
// directory, or (for the gallery) in $XDG_DATA_HOME/attractor/saves
// (~/.local/share/attractor/saves), never the working directory, which
// under go run is the repository. It is created on the first save.
func uiSaveRoot(net, runDir string) string {
	if runDir != "" {
		return absOr(runDir)
	}
	if fi, err := os.Stat(net); net != "" && err == nil && !fi.IsDir() {
		return absOr(filepath.Dir(net))
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(absOr(data), "attractor", "saves")
}

// absOr returns p made absolute, or p when that fails.
func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// uiNetwork opens the network the UI was asked for: a native file, a run
// directory (its checkpoint) or, where no such file exists, a network of
// the embedded gallery by name. It returns the network, its name and the
// run directory whose metrics log goes with it.
func uiNetwork(net string) (n *saved.Network, name, runDir string, err error) {
	file := net
	if fi, err := os.Stat(net); err == nil && fi.IsDir() {
		runDir = net
		file = filepath.Join(net, train.CheckpointFile)
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			// The UI waits for the run's first checkpoint.
			return nil, filepath.Base(filepath.Clean(net)), runDir, nil
		}
	} else {
		for _, d := range []string{filepath.Dir(net), net + ".run"} {
			if _, err := os.Stat(filepath.Join(d, train.MetricsFile)); err == nil {
				runDir = d
				break
			}
		}
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if e, ok := galleryEntry(net); ok {
			n, err := e.Load()
			return n, e.Name, "", err
		}
	}
	n, err = saved.ReadNative(file)
	return n, strings.TrimSuffix(filepath.Base(net), ".npz"), runDir, err
}
