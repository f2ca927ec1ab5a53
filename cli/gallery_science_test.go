//go:build science

package cli

import (
	"path/filepath"
	"testing"
)

// TestGalleryExemplarVerdicts runs `attractor inspect --json` (default
// settings: the §9 forward-simulation verdict for FORCE SPM networks, the
// §5.5 learning gate and PSD ratio for DCDT networks) on every mechanism
// exemplar of the embedded gallery and checks that its verdict label is the
// mechanism its recipe (and name) promises. About 2 CPU-minutes per
// Ghazizadeh network.
func TestGalleryExemplarVerdicts(t *testing.T) {
	for _, r := range galleryRecipes {
		if r.mechanism == "" {
			continue
		}
		t.Run(r.name, func(t *testing.T) {
			name := filepath.Join("..", "tui", "gallery", r.name+".npz")
			v, cv, err := inspectJSON(name)
			if err != nil {
				t.Error(err)
				return
			}
			code2 := ""
			if cv != nil {
				code2 = cv.Label
			}
			t.Logf("%s: verdict %s (authors' classifier %q), evidence %v", r.name, v.Label, code2, v.Evidence)
			if v.Label != r.mechanism {
				t.Errorf("%s: verdict %s, the recipe promises %s", r.name, v.Label, r.mechanism)
			}
		})
	}
}
