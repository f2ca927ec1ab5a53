package saved

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenZipTorchFixtures checks that real PyTorch zip checkpoints (stored
// entries with alignment padding) pass openZip and that every entry reads
// back at its declared size with a correct CRC-32, and that a limit below an
// entry's size refuses it.
func TestOpenZipTorchFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/*_state_dict.pt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no .pt fixtures: %v", err)
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		zr, err := openZip(p, f, fi.Size())
		if err != nil {
			f.Close()
			t.Fatal(err)
		}
		sawPickle := false
		for _, e := range zr.File {
			b, err := readZipEntry(e, 1<<20)
			if err != nil {
				t.Errorf("%s: %s: %v", p, e.Name, err)
				continue
			}
			if uint64(len(b)) != e.UncompressedSize64 {
				t.Errorf("%s: %s: %d bytes, declared %d", p, e.Name, len(b), e.UncompressedSize64)
			}
			sawPickle = sawPickle || strings.HasSuffix(e.Name, "data.pkl")
			if len(b) > 0 {
				if _, err := readZipEntry(e, int64(len(b)-1)); !errors.Is(err, ErrLimit) {
					t.Errorf("%s: %s: limit below size gave %v", p, e.Name, err)
				}
			}
		}
		if !sawPickle {
			t.Errorf("%s: no data.pkl entry", p)
		}
		f.Close()
	}
}
