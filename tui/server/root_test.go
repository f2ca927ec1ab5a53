package server

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootJail(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "root")
	secret := filepath.Join(base, "secret")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "runs", "a"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "runs", "a", "net.npz"), []byte("inside"), 0o644))
	must(os.WriteFile(secret, []byte("outside"), 0o644))
	must(os.Symlink(secret, filepath.Join(dir, "escape")))               // absolute, out
	must(os.Symlink("../secret", filepath.Join(dir, "escape2")))         // relative, out
	must(os.Symlink(base, filepath.Join(dir, "updir")))                  // a directory out
	must(os.Symlink("runs/a/net.npz", filepath.Join(dir, "inside.npz"))) // stays inside
	r, err := OpenRoot(dir)
	must(err)
	defer r.Close()

	if b, err := r.ReadFile("runs/a/net.npz", 0); err != nil || string(b) != "inside" {
		t.Errorf("plain file: %q %v", b, err)
	}
	if b, err := r.ReadFile("inside.npz", 0); err != nil || string(b) != "inside" {
		t.Errorf("symlink inside: %q %v", b, err)
	}
	if ents, err := r.ReadDir("."); err != nil || len(ents) != 5 {
		t.Errorf("ReadDir(.) = %d entries, %v", len(ents), err)
	}
	for _, name := range []string{
		"../secret", "runs/../../secret", "runs/a/../../../secret", "..", "/etc/passwd", secret,
		"runs\\..\\..\\secret", "runs/a/net.npz\x00", "", "runs/\x1b[2Jx",
	} {
		if _, err := r.Open(name); !errors.Is(err, ErrBadName) {
			t.Errorf("Open(%q) = %v, want ErrBadName", name, err)
		}
		if _, err := r.ReadFile(name, 0); err == nil {
			t.Errorf("ReadFile(%q) succeeded", name)
		}
		if _, err := r.Create(name); err == nil {
			t.Errorf("Create(%q) succeeded", name)
		}
	}
	// Names that pass CheckName but lead outside through a symlink: os.Root
	// refuses them.
	for _, name := range []string{"escape", "escape2", "updir/secret", "updir"} {
		if b, err := r.ReadFile(name, 0); err == nil {
			t.Errorf("ReadFile(%q) escaped the root: %q", name, b)
		}
		if _, err := r.Create(name + "x"); err == nil && !strings.Contains(name, "/") {
			// Creating "escapex" inside is fine; only through "updir/" is not.
			os.Remove(filepath.Join(dir, name+"x"))
		} else if err == nil {
			t.Errorf("Create(%q) escaped the root", name+"x")
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "outside" {
		t.Errorf("the file outside was changed: %q", b)
	}
	// Writing inside works.
	f, err := r.Create("runs/out.txt")
	must(err)
	io.WriteString(f, "saved")
	must(f.Close())
	if b, _ := os.ReadFile(filepath.Join(dir, "runs", "out.txt")); string(b) != "saved" {
		t.Errorf("Create wrote %q", b)
	}
	// Size limit.
	if _, err := r.ReadFile("runs/a/net.npz", 3); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("ReadFile over the limit: %v", err)
	}
	if _, err := r.ReadFile("runs", 0); err == nil {
		t.Error("ReadFile of a directory succeeded")
	}
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{".", true}, {"a", true}, {"a/b.npz", true}, {"./a", true}, {"a/", true}, {"a..b", true}, {"é.npz", true},
		{"", false}, {"..", false}, {"a/..", false}, {"/a", false}, {"a\\b", false}, {"a\x7f", false}, {"a\nb", false},
		{"\xff", false}, {strings.Repeat("a", 1025), false},
	} {
		if err := CheckName(tc.name); (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
