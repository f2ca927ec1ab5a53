package sweep

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestExportResumes: a results-only export of a finished sweep counts every
// network as done (nothing is trained again), keeps the networks of the
// classes asked for, and still detects a damaged or foreign result.
func TestExportResumes(t *testing.T) {
	s := newFakeSweep(t, fakeSpec)
	if _, err := s.Run(context.Background(), RunOptions{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.WriteResultsCSV(); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, s)
	if err := os.WriteFile(filepath.Join(s.NetDir(2), "ec.json"), []byte(`{"done": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "export")
	st, err := s.Export(dest, func(r *Result) bool { return r.Class == "big-odd" })
	if err != nil {
		t.Fatal(err)
	}
	if st.Results != 12 || st.Networks+st.Pruned != 12 || st.Networks == 0 || st.Pruned == 0 {
		t.Fatalf("export stats %+v", st)
	}
	// A second export into the same (now full) directory is refused.
	if _, err := s.Export(dest, nil); err == nil {
		t.Fatal("export into a non-empty directory was accepted")
	}
	e, err := Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < e.Spec.Len(); i++ {
		r, err := e.ReadResult(i, true)
		if err != nil {
			t.Fatalf("network %d: %v", i, err)
		}
		b, _ := os.ReadFile(filepath.Join(e.NetDir(i), ResultFile))
		if string(b) != string(first[filepathKey(i, ResultFile)]) {
			t.Fatalf("network %d: result changed by the export", i)
		}
		_, nerr := os.Stat(filepath.Join(e.NetDir(i), NetworkFile))
		if (r.Class == "big-odd") != (nerr == nil) {
			t.Fatalf("network %d (class %s): network file present = %v", i, r.Class, nerr == nil)
		}
	}
	if b, err := os.ReadFile(filepath.Join(e.NetDir(2), "ec.json")); err != nil || string(b) != `{"done": true}` {
		t.Fatalf("a later analysis's figures were not exported: %q, %v", b, err)
	}
	p, err := e.Run(context.Background(), RunOptions{Workers: 1})
	if err != nil || p.New != 0 || p.Done != 12 {
		t.Fatalf("run on the export: %+v, %v (want nothing trained)", p, err)
	}
	// A pruned marker naming another network: the result is set aside and
	// the network trained again, to the same bytes as the original.
	var pruned int = -1
	for i := 0; i < e.Spec.Len(); i++ {
		if _, err := os.Stat(filepath.Join(e.NetDir(i), PrunedFile)); err == nil {
			pruned = i
			break
		}
	}
	if err := os.WriteFile(filepath.Join(e.NetDir(pruned), PrunedFile), []byte("00ff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = e.Run(context.Background(), RunOptions{Workers: 1})
	if err != nil || p.New != 1 {
		t.Fatalf("repair run: %+v, %v (want network %d retrained)", p, err, pruned)
	}
	if tm, err := e.ReadTiming(pruned); err != nil || tm.Workers != 1 {
		t.Fatalf("timing of the retrained network: %+v, %v", tm, err)
	}
	nb, err := os.ReadFile(filepath.Join(e.NetDir(pruned), NetworkFile))
	if err != nil || string(nb) != string(first[filepathKey(pruned, NetworkFile)]) {
		t.Fatalf("retrained network %d differs from the original (%v)", pruned, err)
	}
}

func filepathKey(i int, f string) string { return fmt.Sprintf("%d/%s", i, f) }
