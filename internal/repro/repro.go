// Package repro records what the science tests measure for the
// reproduction report (docs/reproduction.md, written by
// `go run ./scripts/repro`).
//
// A test that checks one of the external checks EC-01…EC-38 of the
// science specification creates a Record, adds the numbers it measured
// (every value, with its seed) and, when the environment variable
// ATTRACTOR_REPRO names a directory, the record is written there as
// ECxx-TestName.json when the test ends, atomically (temporary file,
// fsync, rename). Without the variable nothing is written, so ordinary
// test runs leave the tree alone.
//
// A test of a published result we do not reproduce is named
// TestKnownDeviation_ECxx_… and marks its record Deviates with the reason;
// it still asserts that its number does not move further from the
// published one.
package repro

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// Env is the environment variable naming the directory records go to.
const Env = "ATTRACTOR_REPRO"

// Measure is one measured quantity of a check: its values (one per seed
// or network) beside the published value and the tolerance asserted.
type Measure struct {
	Name      string    `json:"name"`
	Unit      string    `json:"unit,omitempty"`
	Values    []float64 `json:"values"`
	Seeds     []int64   `json:"seeds,omitempty"`
	Published string    `json:"published"`
	Tolerance string    `json:"tolerance"`
}

// Record is what one test measured for one external check.
type Record struct {
	EC       string     `json:"ec"`   // "EC-01", or "EX-DFP" for a gallery exemplar's evidence
	Test     string     `json:"test"` // the test's name
	Package  string     `json:"package,omitempty"`
	Setup    string     `json:"setup,omitempty"`
	Measures []*Measure `json:"measures"`
	// Status is "reproduced", "deviates" (a named known deviation) or
	// "failed" (the test failed), set when the test ends.
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"` // why it deviates
	Notes  []string  `json:"notes,omitempty"`
	When   time.Time `json:"when"`

	t        testing.TB
	deviates bool
}

// New starts the record of check ec ("EC-07") for test t; it is written
// when t ends (see the package comment).
func New(t testing.TB, ec, pkg, setup string) *Record {
	r := &Record{EC: ec, Test: t.Name(), Package: pkg, Setup: setup, t: t}
	t.Cleanup(func() {
		if dir := os.Getenv(Env); dir != "" {
			if err := r.write(dir); err != nil {
				t.Errorf("repro record: %v", err)
			}
		}
	})
	return r
}

// Measure returns the measure called name, adding it with the published
// value and the tolerance the test asserts when it is new.
func (r *Record) Measure(name, unit, published, tolerance string) *Measure {
	for _, m := range r.Measures {
		if m.Name == name {
			return m
		}
	}
	m := &Measure{Name: name, Unit: unit, Published: published, Tolerance: tolerance}
	r.Measures = append(r.Measures, m)
	return m
}

// Add appends one value measured with seed (−1: no seed).
func (m *Measure) Add(v float64, seed int64) *Measure {
	m.Values = append(m.Values, v)
	if seed >= 0 {
		m.Seeds = append(m.Seeds, seed)
	}
	return m
}

// Deviates marks the record a known deviation and says why.
func (r *Record) Deviates(reason string) {
	r.deviates = true
	r.Reason = reason
}

// Note adds a line of explanation to the record.
func (r *Record) Note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// write stores the record in dir as ECxx-Test.json.
func (r *Record) write(dir string) error {
	switch {
	case r.t.Failed():
		r.Status = "failed"
	case r.t.Skipped():
		return nil
	case r.deviates:
		r.Status = "deviates"
	default:
		r.Status = "reproduced"
	}
	r.When = time.Now().UTC().Truncate(time.Second)
	for _, m := range r.Measures {
		for i, v := range m.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				m.Values[i] = math.MaxFloat64 * sign(v) // JSON has no NaN or ±Inf
			}
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(filepath.Join(dir, FileName(r.EC, r.Test)), append(b, '\n'))
}

// WriteFile writes name atomically: a temporary file in the same
// directory, fsync, rename. The directory is created if needed.
func WriteFile(name string, b []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".record-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// FileName is the file a record of check ec by test is stored in.
func FileName(ec, test string) string {
	clean := strings.Map(func(c rune) rune {
		if c == '/' || c == ' ' || c == os.PathSeparator {
			return '_'
		}
		return c
	}, test)
	return strings.ReplaceAll(ec, "-", "") + "-" + clean + ".json"
}

// Load reads every record in dir, sorted by check and test.
func Load(dir string) ([]*Record, error) {
	names, err := filepath.Glob(filepath.Join(dir, "E[CX]*.json"))
	if err != nil {
		return nil, err
	}
	var out []*Record
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, &r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].EC != out[j].EC {
			return out[i].EC < out[j].EC
		}
		return out[i].Test < out[j].Test
	})
	return out, nil
}

// Summary returns the mean, the standard deviation and the range of the
// values, and their number.
func (m *Measure) Summary() (mean, sd, lo, hi float64, n int) {
	n = len(m.Values)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN(), math.NaN(), 0
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range m.Values {
		mean += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	mean /= float64(n)
	for _, v := range m.Values {
		sd += (v - mean) * (v - mean)
	}
	if n > 1 {
		sd = math.Sqrt(sd / float64(n-1))
	} else {
		sd = 0
	}
	return mean, sd, lo, hi, n
}
