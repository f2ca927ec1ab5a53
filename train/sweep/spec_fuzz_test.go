package sweep

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseSpec feeds arbitrary TOML to ParseSpec: a specification or an
// error, never a panic, and an accepted spec has a bounded, enumerable grid.
func FuzzParseSpec(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*.toml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("task = \"dcdt\"\nseeds = [1, 2]\n[grid]\nlr = [1e-3, 1e-2]\ndelay_ms = [100, 200]\n"))
	f.Add([]byte("task = \"spm\"\nseeds = \"1..1000000000\"\n"))
	f.Add([]byte("task = \"flipflop\"\n[grid]\nhidden = [1e308, -1, nan, inf]\n"))
	f.Add([]byte("task = [[[[[[[[[[]]]]]]]]]]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := ParseSpec("fuzz.toml", src)
		if err != nil {
			if s != nil {
				t.Fatal("a spec and an error")
			}
			_ = err.Error()
			return
		}
		if n := s.Len(); n < 0 || n > maxNetworks {
			t.Fatalf("accepted a sweep of %d networks", n)
		}
	})
}
