package repro

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestRecordWrittenWhenTheTestEnds(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(Env, dir)
	t.Run("measure", func(t *testing.T) {
		r := New(t, "EC-07", "inspect", "setup")
		m := r.Measure("overlap", "", "≥ 0.94", "≥ 0.94")
		m.Add(0.95, 1).Add(0.97, 2).Add(math.Inf(1), 3)
		if r.Measure("overlap", "", "", "") != m {
			t.Error("Measure does not return the existing measure")
		}
	})
	t.Run("deviation", func(t *testing.T) {
		r := New(t, "EC-19", "inspect", "")
		r.Deviates("why")
		r.Measure("x", "", "> 10", "≥ 1.3").Add(1.33, -1)
	})
	recs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	a, b := recs[0], recs[1]
	if a.EC != "EC-07" || a.Status != "reproduced" || a.Test != "TestRecordWrittenWhenTheTestEnds/measure" {
		t.Errorf("first record %+v", a)
	}
	if got := a.Measures[0].Values; len(got) != 3 || got[2] != math.MaxFloat64 {
		t.Errorf("values %v: +Inf should be stored as the largest float", got)
	}
	if b.Status != "deviates" || b.Reason != "why" || len(b.Measures[0].Seeds) != 0 {
		t.Errorf("second record %+v", b)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName("EC-07", "TestRecordWrittenWhenTheTestEnds/measure"))); err != nil {
		t.Error(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".record-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestNothingWrittenWithoutTheVariable(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(Env, "")
	t.Chdir(dir)
	t.Run("x", func(t *testing.T) { New(t, "EC-01", "model", "").Measure("a", "", "", "").Add(1, -1) })
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) > 0 {
		t.Errorf("wrote %v", names)
	}
}

func TestSummary(t *testing.T) {
	m := &Measure{Values: []float64{1, 2, 3}}
	mean, sd, lo, hi, n := m.Summary()
	if mean != 2 || sd != 1 || lo != 1 || hi != 3 || n != 3 {
		t.Errorf("Summary = %v %v %v %v %v", mean, sd, lo, hi, n)
	}
	if _, _, _, _, n := (&Measure{}).Summary(); n != 0 {
		t.Error("empty measure")
	}
}
