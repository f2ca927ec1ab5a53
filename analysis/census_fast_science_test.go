//go:build science

package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attractor/saved"
)

// TestCensusFastPathMatchesAll is TestCensusFastPathMatches on every
// gallery network (../tui/gallery) and every PyTorch test network
// (../cli/testdata/torchnets): the census with the fast forward
// simulation must find what the census before issue 18 found (censusDiff;
// the associative networks' census relaxes its starts and runs one round
// in both). Several CPU-minutes.
func TestCensusFastPathMatchesAll(t *testing.T) {
	var files []string
	for _, pat := range []string{"../tui/gallery/*.npz", "../cli/testdata/torchnets/*.pt"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("%d networks found; want the 12 gallery and the PyTorch test networks", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)), func(t *testing.T) {
			if _, err := os.Stat(f); err != nil {
				t.Fatal(err)
			}
			n, _, err := saved.Open(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			fast, old := censusBothWays(t, n, nil)
			if d := censusDiff(fast, old); d != "" {
				t.Error(d)
			}
			t.Logf("%d points, attractors %v (before %v), %d unsettled (before %d), rounds %v", len(fast.Points), attractorList(fast), attractorList(old), fast.Unsettled, old.Unsettled, fast.Rounds)
		})
	}
}
