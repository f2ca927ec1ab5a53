package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gallerySums reads tui/gallery/SHA256SUMS.
func gallerySums(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join("..", "tui", "gallery", "SHA256SUMS"))
	if err != nil {
		t.Fatalf("the gallery has no SHA256SUMS (run `attractor gallery build`): %v", err)
	}
	sums := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			sums[f[1]] = f[0]
		}
	}
	return sums
}

// TestGalleryMatchesRecipes checks that every embedded gallery file is one
// the recipes list and matches its recorded hash (arrays and manifest, less
// the program that wrote it), and rebuilds the fast recipes to check that
// the build is bit-identical.
func TestGalleryMatchesRecipes(t *testing.T) {
	sums := gallerySums(t)
	known := map[string]galleryRecipe{}
	for _, r := range galleryRecipes {
		known[r.name+".npz"] = r
	}
	files, _ := filepath.Glob(filepath.Join("..", "tui", "gallery", "*.npz"))
	if len(files) < len(galleryRecipes) {
		t.Errorf("the gallery holds %d networks, the recipes %d", len(files), len(galleryRecipes))
	}
	for _, f := range files {
		base := filepath.Base(f)
		if _, ok := known[base]; !ok {
			t.Errorf("%s is in the gallery but no recipe makes it", base)
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := galleryComparable(f, data)
		if err != nil {
			t.Fatal(err)
		}
		if got != sums[base] {
			t.Errorf("%s does not match its recorded hash", base)
		}
	}
	for _, r := range galleryRecipes {
		if !r.fast {
			continue
		}
		data, err := buildGalleryEntry(context.Background(), r, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		got, err := galleryComparable(r.name, data)
		if err != nil {
			t.Fatal(err)
		}
		if got != sums[r.name+".npz"] {
			t.Errorf("rebuilding %s does not reproduce the embedded file", r.name)
		}
	}
}
