package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// import and export write the file the user named, say so on stderr and
// keep stdout empty; import refuses an output whose extension names
// another format.
func TestImportExportStreams(t *testing.T) {
	dir := t.TempDir()
	pt := filepath.Join("testdata", "flipflop_gru_torch8.pt")
	net := filepath.Join(dir, "net.npz")
	code, out, errOut := run("import", pt, "-o", net)
	if code != 0 || out != "" || !strings.Contains(errOut, "wrote "+net+": gru network") {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, o := range []string{"out.pt", "out.safetensors", "out"} {
		bad := filepath.Join(dir, o)
		code, out, errOut = run("import", pt, "-o", bad)
		if code != 2 || out != "" || !strings.Contains(errOut, "import writes a native .npz network") || !strings.Contains(errOut, "attractor export") {
			t.Errorf("import -o %s: exit %d, stdout %q, stderr %q", o, code, out, errOut)
		}
		if _, err := os.Stat(bad); !os.IsNotExist(err) {
			t.Errorf("import -o %s wrote the file", o)
		}
	}
	exp := filepath.Join(dir, "back.pt")
	code, out, errOut = run("export", net, "-o", exp)
	if code != 0 || out != "" || !strings.Contains(errOut, "wrote "+exp) {
		t.Errorf("export: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// A gallery name opens the embedded network where no file of that name
// exists; a file of the same name comes first.
func TestGalleryNamesAsFiles(t *testing.T) {
	for _, name := range []string{"06-flipflop-gru", "06-flipflop-gru.npz", "flipflop-gru"} {
		code, out, errOut := run("inspect", name, "--json", "--inits", "4", "--no-verdict")
		if code != 0 || !strings.Contains(errOut, "the embedded gallery's network 06-flipflop-gru") || !strings.Contains(out, `"family": "gru"`) {
			t.Errorf("inspect %s: exit %d, stderr %q", name, code, errOut)
		}
	}
	if e, ok := galleryEntry("../06-flipflop-gru"); ok {
		t.Errorf("a path resolved to gallery entry %s", e.Name)
	}
	// A file of that name comes first.
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if err := os.WriteFile("06-flipflop-gru.npz", []byte("not a network"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run("inspect", "06-flipflop-gru.npz")
	if code != 1 || strings.Contains(errOut, "embedded gallery") {
		t.Errorf("a file named like a gallery entry: exit %d, stderr %q", code, errOut)
	}
}

// gallery build checks its output directory and recipe names before
// training.
func TestGalleryBuildChecksFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run("gallery", "build", "-o", filepath.Join(file, "sub"), "--only", "06-flipflop-gru")
	if code != 1 || strings.Contains(errOut, "building") || !strings.Contains(errOut, "-o: mkdir") {
		t.Errorf("unwritable -o: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = run("gallery", "build", "-o", t.TempDir(), "--only", "no-such-recipe")
	if code != 2 || !strings.Contains(errOut, `no recipe "no-such-recipe"`) {
		t.Errorf("unknown recipe: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := run("gallery", "list")
	if code != 0 || !strings.Contains(out, "06-flipflop-gru") || errOut != "" {
		t.Errorf("gallery list: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
