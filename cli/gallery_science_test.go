//go:build science

package cli

import (
	"encoding/json"
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
			code, stdout, stderr := run("inspect", name, "--json")
			if code != 0 {
				t.Errorf("inspect %s: exit %d: %s", r.name, code, stderr)
				return
			}
			var doc struct {
				Verdict struct {
					Label    string         `json:"label"`
					Evidence map[string]any `json:"evidence"`
				} `json:"verdict"`
				Code *struct {
					Label string `json:"label"`
				} `json:"code_verdict"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Errorf("inspect %s: %v", r.name, err)
				return
			}
			code2 := ""
			if doc.Code != nil {
				code2 = doc.Code.Label
			}
			t.Logf("%s: verdict %s (authors' classifier %q), evidence %v", r.name, doc.Verdict.Label, code2, doc.Verdict.Evidence)
			if doc.Verdict.Label != r.mechanism {
				t.Errorf("%s: verdict %s, the recipe promises %s", r.name, doc.Verdict.Label, r.mechanism)
			}
		})
	}
}
