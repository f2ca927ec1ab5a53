package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"attractor/saved"
	"attractor/train"
)

// galleryProgress returns the progress of one recipe's training: a bar
// on log, begun at the first unit.
func galleryProgress(log io.Writer) func(m train.Metrics, total int) {
	var bar *progress
	return func(m train.Metrics, total int) {
		if bar == nil {
			bar = newProgress(log, "  train", "units", total)
		}
		bar.update(m.Step, fmt.Sprintf("loss %.3g", m.Loss))
	}
}

func init() {
	register(&command{name: "gallery", args: "build [-o DIR] [--only NAME,...] | list",
		short: "list the embedded gallery of trained networks, or rebuild it",
		subs:  []string{"build", "list"},
		run: func(env *Env, args []string) error {
			fs := newFlags(env, commands["gallery"])
			out := fs.String("o", filepath.Join("tui", "gallery"), "directory to write the gallery into (build; created if missing)")
			only := fs.String("only", "", "comma-separated recipe names to build (default: all)")
			sub := ""
			if len(args) > 0 && (args[0] == "build" || args[0] == "list") {
				sub, args = args[0], args[1:]
			}
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if sub == "" {
				return usageError("say build or list")
			}
			if fs.NArg() > 0 {
				return usageError("unexpected argument %q", fs.Arg(0))
			}
			if sub == "list" {
				for _, r := range train.GalleryRecipes {
					fmt.Fprintf(env.Stdout, "%-27s %s\n", r.Name, r.Note)
				}
				return nil
			}
			want := map[string]bool{}
			for _, n := range strings.Split(*only, ",") {
				if n != "" {
					want[n] = true
				}
			}
			for n := range want {
				if !slices.ContainsFunc(train.GalleryRecipes, func(r train.GalleryRecipe) bool { return r.Name == n }) {
					return usageError("--only: no recipe %q (see attractor gallery list)", n)
				}
			}
			// Check the output directory before minutes of training.
			if err := os.MkdirAll(*out, 0o755); err != nil {
				return fmt.Errorf("-o: %w", err)
			}
			if err := checkWritableDir(*out); err != nil {
				return fmt.Errorf("-o: %w", err)
			}
			ctx := context.Background()
			sums := map[string]string{}
			for _, r := range train.GalleryRecipes {
				if len(want) > 0 && !want[r.Name] {
					continue
				}
				fmt.Fprintf(env.Stderr, "building %s: %s\n", r.Name, r.Note)
				b := Build()
				data, err := train.GalleryEntry(ctx, r, saved.Program{Version: b.Version, Commit: b.Commit, Go: b.GoVersion}, galleryProgress(env.Stderr))
				if err != nil {
					return err
				}
				name := filepath.Join(*out, r.Name+".npz")
				if err := saved.WriteFileAtomic(name, func(w io.Writer) error { _, err := w.Write(data); return err }, 0o644); err != nil {
					return err
				}
				sum, err := train.GalleryComparable(name, data)
				if err != nil {
					return err
				}
				sums[r.Name+".npz"] = sum
				fmt.Fprintf(env.Stderr, "wrote %s (%d bytes)\n", name, len(data))
			}
			return train.UpdateGallerySums(filepath.Join(*out, "SHA256SUMS"), sums)
		}})
}
