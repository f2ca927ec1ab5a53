package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"attractor/internal/repro"
)

func TestStatus(t *testing.T) {
	c := check{ID: "EC-99", Tests: []testRef{sci("./inspect", "TestEC99"), sci("./inspect", "TestKnownDeviation_EC99_.*")}}
	pass := &outcome{Package: "attractor/inspect", Test: "TestEC99", Action: "pass"}
	fail := &outcome{Package: "attractor/inspect", Test: "TestEC99", Action: "fail"}
	dev := &repro.Record{EC: "EC-99", Test: "TestKnownDeviation_EC99_X", Status: "deviates", Reason: "why"}
	ok := &repro.Record{EC: "EC-99", Test: "TestKnownDeviation_EC99_X", Status: "reproduced"}
	for _, tc := range []struct {
		name  string
		recs  []*repro.Record
		tests []*outcome
		want  string
	}{
		{"nothing ran", nil, nil, "not run"},
		{"a test fails", []*repro.Record{dev}, []*outcome{fail}, "fails"},
		{"a named deviation", []*repro.Record{dev}, []*outcome{pass}, "deviates"},
		{"all ran and passed", []*repro.Record{ok}, []*outcome{pass}, "reproduced"},
		{"only one of two ran", nil, []*outcome{pass}, "reproduced in part"},
	} {
		got, why := status(c, tc.recs, tc.tests, &sweeps{})
		if got != tc.want {
			t.Errorf("%s: status %q (%s), want %q", tc.name, got, why, tc.want)
		}
	}
}

func TestSummaryFormat(t *testing.T) {
	m := &repro.Measure{Values: []float64{1, 2, 3}, Seeds: []int64{0, 1, 2}}
	if got := summary(m); got != "2 ± 1 (1 … 3), n = 3, seeds 0–2" {
		t.Errorf("summary = %q", got)
	}
	if got := summary(&repro.Measure{Values: []float64{1.5e-5}, Seeds: []int64{7}}); got != "1.5e-05 (seed 7)" {
		t.Errorf("summary = %q", got)
	}
}

func TestReportHasEveryCheck(t *testing.T) {
	if len(catalog) != 38 {
		t.Fatalf("catalog has %d checks, want 38", len(catalog))
	}
	var b bytes.Buffer
	writeReport(&b, nil, map[string]*outcome{}, &sweeps{})
	for _, c := range catalog {
		if !strings.Contains(b.String(), "| ["+c.ID+"]") {
			t.Errorf("no row for %s", c.ID)
		}
	}
}

// TestSweepsKept checks that the sweeps' summaries survive a save and a
// load, so that a run without -phase and -census keeps their rows.
func TestSweepsKept(t *testing.T) {
	x := newSummary("census", "/sweeps/census")
	x.done, x.total = 3, 36
	x.st["EC-16"], x.why["EC-16"], x.short["EC-16"], x.detail["EC-16"] = "deviates", "why", "short", "- detail\n"
	name := filepath.Join(t.TempDir(), sweepsJSON)
	if err := (&sweeps{census: x}).save(name); err != nil {
		t.Fatal(err)
	}
	got, err := loadSweeps(name)
	if err != nil {
		t.Fatal(err)
	}
	if got.phase != nil || got.census == nil || !reflect.DeepEqual(*got.census, *x) {
		t.Errorf("loaded %+v, want census %+v", got, x)
	}
	if st, why := got.status("EC-16"); st != "deviates" || why != "why" || got.short("EC-16") != "short" || got.section("EC-16") != "- detail\n" {
		t.Errorf("loaded summary reads %q %q %q %q", st, why, got.short("EC-16"), got.section("EC-16"))
	}
	if none, err := loadSweeps(filepath.Join(t.TempDir(), "absent.json")); err != nil || none.phase != nil || none.census != nil {
		t.Errorf("absent file: %+v, %v", none, err)
	}
	if err := os.WriteFile(name, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSweeps(name); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("bad file: error %v, want one naming %s", err, name)
	}
}
