// Command repro writes docs/reproduction.md, the reproduction report of
// the 38 external checks of the science specification (EC-01…EC-38):
// for every check the published value, ours (mean, spread, n, seeds), the
// tolerance our tests assert and a status — reproduced, deviates (a named
// known deviation, with our explanation), fails (a test fails) or not run
// (with why).
//
// It merges three sources: the records the science tests write when
// ATTRACTOR_REPRO names a directory (internal/repro; docs/repro/*.json),
// the outcome of every test it ran (docs/repro/tests.json) and the long
// sweeps (examples/kurtkaya-phase-medium.toml,
// examples/ghazizadeh-census-n1000.toml), whose reports it copies under
// docs/sweeps/.
//
// The one command, from the repository root:
//
//	go run ./scripts/repro -run -science -phase /work/sweeps/phase-medium -census /work/sweeps/census-n1000
//
// -run runs the tests of the checks (-science adds the science-tagged
// ones, about an hour of CPU; -ec EC-18,EC-19 restricts them) and keeps
// the records of the checks it did not run; without -run the report is
// rebuilt from the records already in docs/repro. What -phase and -census
// find is kept in docs/repro/sweeps.json: a run without them (say, to
// re-run a few checks) keeps the sweeps' rows as the last run with them
// wrote them.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	// The command line registers the sweep analyses (mechanism, phase)
	// that the sweeps' specs name.
	_ "attractor/cli"
	"attractor/internal/repro"
)

// outcome is what `go test -json` said of one test.
type outcome struct {
	Package string    `json:"package"`
	Test    string    `json:"test"`
	Action  string    `json:"action"` // pass, fail, skip
	Elapsed float64   `json:"elapsed"`
	When    time.Time `json:"when"`
	Science bool      `json:"science"`
	Output  []string  `json:"output,omitempty"` // the lines the test logged (skip reasons, failures), at most 40
}

func main() {
	var (
		records = flag.String("records", "docs/repro", "directory of the test records")
		out     = flag.String("o", "docs/reproduction.md", "the report")
		run     = flag.Bool("run", false, "run the checks' tests first")
		science = flag.Bool("science", false, "with -run: also the science-tagged tests (long)")
		only    = flag.String("ec", "", "with -run: only these checks, e.g. EC-18,EC-19")
		phase   = flag.String("phase", "", "directory of the Kurtkaya phase sweep (examples/kurtkaya-phase-medium.toml)")
		census  = flag.String("census", "", "directory of the Ghazizadeh census sweep (examples/ghazizadeh-census-n1000.toml)")
		bin     = flag.String("attractor", "", "attractor binary for the sweep reports (default: go build)")
		logs    = flag.String("import", "", "also take the outcomes of `go test -v` logs run by hand: PKG=FILE,… (e.g. attractor/inspect=inspect.log); science-tagged")
	)
	flag.Parse()
	if err := importLogs(*records, *logs); err != nil {
		fmt.Fprintln(os.Stderr, "repro:", err)
		os.Exit(1)
	}
	if err := mainErr(*records, *out, *run, *science, *only, *phase, *census, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "repro:", err)
		os.Exit(1)
	}
}

func mainErr(records, out string, run, science bool, only, phase, census, bin string) error {
	outcomes, err := loadOutcomes(filepath.Join(records, "tests.json"))
	if err != nil {
		return err
	}
	if run {
		want := map[string]bool{}
		for _, id := range strings.Split(only, ",") {
			if id = strings.TrimSpace(id); id != "" {
				want[id] = true
			}
		}
		if err := runTests(records, science, want, outcomes); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(records, "tests.json"), outcomes); err != nil {
			return err
		}
	}
	recs, err := repro.Load(records)
	if err != nil {
		return err
	}
	// The sweeps' summaries are kept in records/sweeps.json, so that a run
	// without -phase or -census keeps what the last run with them found.
	sweepsFile := filepath.Join(records, sweepsJSON)
	sw, err := loadSweeps(sweepsFile)
	if err != nil {
		return err
	}
	if phase != "" || census != "" {
		if bin == "" {
			dir, err := os.MkdirTemp("", "repro-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			bin = filepath.Join(dir, "attractor")
			if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
				return fmt.Errorf("go build: %v\n%s", err, out)
			}
		}
		docs := filepath.Dir(out)
		if phase != "" {
			if sw.phase, err = readPhase(bin, phase, filepath.Join(docs, "sweeps", "kurtkaya-phase-medium")); err != nil {
				return err
			}
		}
		if census != "" {
			if sw.census, err = readCensus(bin, census, filepath.Join(docs, "sweeps", "ghazizadeh-census-n1000")); err != nil {
				return err
			}
		}
		if err := sw.save(sweepsFile); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	writeReport(&b, recs, outcomes, sw)
	return atomicWrite(out, b.Bytes())
}

// importLogs adds the outcomes of verbose `go test -tags science -v` logs,
// converted by `go tool test2json`, to the kept outcomes.
func importLogs(records, spec string) error {
	if spec == "" {
		return nil
	}
	name := filepath.Join(records, "tests.json")
	outcomes, err := loadOutcomes(name)
	if err != nil {
		return err
	}
	for _, kv := range strings.Split(spec, ",") {
		pkg, file, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("-import %q: want PKG=FILE", kv)
		}
		in, err := os.Open(file)
		if err != nil {
			return err
		}
		cmd := exec.Command("go", "tool", "test2json", "-t", "-p", pkg)
		cmd.Stdin = in
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			in.Close()
			return err
		}
		if err := cmd.Start(); err != nil {
			in.Close()
			return err
		}
		parseTestJSON(stdout, true, outcomes)
		err = cmd.Wait()
		in.Close()
		if err != nil {
			return fmt.Errorf("test2json %s: %w", file, err)
		}
	}
	return writeJSON(name, outcomes)
}

// loadOutcomes reads the test outcomes kept from earlier runs.
func loadOutcomes(name string) (map[string]*outcome, error) {
	m := map[string]*outcome{}
	b, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// runTests runs the tests of the wanted checks (all when want is empty),
// one `go test` per package and build tag, with the records going to dir.
func runTests(dir string, science bool, want map[string]bool, outcomes map[string]*outcome) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	type key struct {
		pkg string
		sci bool
	}
	names := map[key][]string{}
	var keys []key
	for _, c := range catalog {
		if len(want) > 0 && !want[c.ID] {
			continue
		}
		for _, t := range c.Tests {
			if t.Science && !science {
				continue
			}
			k := key{t.Pkg, t.Science}
			if names[k] == nil {
				keys = append(keys, k)
			}
			names[k] = append(names[k], t.Name)
		}
	}
	for _, k := range keys {
		args := []string{"test", "-json", "-count=1", "-timeout", "3h"}
		if k.sci {
			args = append(args, "-tags", "science")
		}
		args = append(args, "-run", "^("+strings.Join(names[k], "|")+")$", k.pkg)
		fmt.Fprintf(os.Stderr, "go %s\n", strings.Join(args, " "))
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), repro.Env+"="+abs)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		parseTestJSON(stdout, k.sci, outcomes)
		cmd.Wait() // a failing test is an outcome, not an error
	}
	return nil
}

// parseTestJSON reads `go test -json` events into outcomes (top-level
// tests only).
func parseTestJSON(r io.Reader, sci bool, outcomes map[string]*outcome) {
	logs := map[string][]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Time    time.Time
			Action  string
			Package string
			Test    string
			Elapsed float64
			Output  string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Test == "" || strings.Contains(ev.Test, "/") {
			continue
		}
		id := ev.Package + "." + ev.Test
		switch ev.Action {
		case "output":
			if l := strings.TrimSpace(ev.Output); l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") && len(logs[id]) < 40 {
				logs[id] = append(logs[id], l)
			}
		case "pass", "fail", "skip":
			outcomes[id] = &outcome{Package: ev.Package, Test: ev.Test, Action: ev.Action, Elapsed: ev.Elapsed,
				When: ev.Time.UTC().Truncate(time.Second), Science: sci, Output: logs[id]}
			fmt.Fprintf(os.Stderr, "%s %s (%.0f s)\n", ev.Action, id, ev.Elapsed)
		}
	}
}

// matching returns the outcomes of a check's tests.
func matching(c check, outcomes map[string]*outcome) []*outcome {
	var out []*outcome
	for _, t := range c.Tests {
		re := regexp.MustCompile("^(" + t.Name + ")$")
		pkg := "attractor/" + strings.TrimPrefix(t.Pkg, "./")
		for _, o := range outcomes {
			if o.Package == pkg && re.MatchString(o.Test) {
				out = append(out, o)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Test < out[j].Test })
	return out
}

// writeReport writes the markdown report.
func writeReport(w io.Writer, recs []*repro.Record, outcomes map[string]*outcome, sw *sweeps) {
	byEC := map[string][]*repro.Record{}
	for _, r := range recs {
		byEC[r.EC] = append(byEC[r.EC], r)
	}
	fmt.Fprintf(w, "# Reproduction report\n\n")
	fmt.Fprintf(w, "Generated by `go run ./scripts/repro` from the test records in docs/repro/ and the sweeps under docs/sweeps/ "+
		"(see scripts/repro/main.go for the command). Each row is one external check of the science specification "+
		"(docs/science.md §8); **published** is the papers' (or the specification's reference runs') value, **ours** what our tests "+
		"measured (mean ± s.d., range, n, seeds), **tolerance** what the tests assert. Status: *reproduced* (every test of the check "+
		"passes at the published tolerance), *reproduced in part* (what ran passes; the tests named were not run), *deviates* (a named known deviation: the test records our number and fails only if it "+
		"moves further from the published one), *fails* (a test fails), *not run* (with why).\n\n")
	counts := map[string]int{}
	type row struct{ id, status string }
	var rows []row
	var detail bytes.Buffer
	for _, c := range catalog {
		st, why := status(c, byEC[c.ID], matching(c, outcomes), sw)
		counts[st]++
		rows = append(rows, row{c.ID, st})
		fmt.Fprintf(&detail, "### %s — %s\n\n", c.ID, c.Claim)
		fmt.Fprintf(&detail, "- **Published:** %s\n- **Tolerance asserted:** %s\n- **Status:** %s", c.Published, c.Tolerance, st)
		if why != "" {
			fmt.Fprintf(&detail, " — %s", why)
		}
		fmt.Fprintln(&detail)
		for _, r := range byEC[c.ID] {
			fmt.Fprintf(&detail, "- `%s` (%s, %s): %s\n", r.Test, r.Status, r.When.Format("2006-01-02"), r.Setup)
			for _, m := range r.Measures {
				fmt.Fprintf(&detail, "  - %s: **%s** (published %s; asserted %s)\n", m.Name, summary(m), m.Published, m.Tolerance)
			}
			if r.Reason != "" {
				fmt.Fprintf(&detail, "  - why it deviates: %s\n", r.Reason)
			}
			for _, n := range r.Notes {
				fmt.Fprintf(&detail, "  - %s\n", n)
			}
		}
		for _, o := range matching(c, outcomes) {
			fmt.Fprintf(&detail, "- test `%s` in %s: %s (%.0f s, %s)\n", o.Test, o.Package, o.Action, o.Elapsed, o.When.Format("2006-01-02"))
			if o.Action != "pass" {
				for _, l := range o.Output {
					fmt.Fprintf(&detail, "  > %s\n", l)
				}
			}
		}
		if s := sw.section(c.ID); s != "" {
			fmt.Fprintf(&detail, "%s", s)
		}
		fmt.Fprintln(&detail)
	}
	fmt.Fprintf(w, "**Summary:** ")
	for i, s := range []string{"reproduced", "reproduced in part", "deviates", "fails", "not run"} {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprintf(w, "%s %d", s, counts[s])
	}
	fmt.Fprintf(w, " (of %d).\n\n", len(catalog))
	fmt.Fprintf(w, "| check | claim | published | ours | tolerance | status |\n|---|---|---|---|---|---|\n")
	for i, c := range catalog {
		fmt.Fprintf(w, "| [%s](#%s) | %s | %s | %s | %s | %s |\n", c.ID, anchor(c), cell(c.Claim), cell(c.Published),
			cell(oursCell(byEC[c.ID], matching(c, outcomes), sw, c.ID)), cell(c.Tolerance), rows[i].status)
	}
	fmt.Fprintf(w, "\n## Details\n\n")
	w.Write(detail.Bytes())
	writeExemplars(w, recs)
}

// writeExemplars lists the independent evidence behind the gallery's
// mechanism labels (records EX-…).
func writeExemplars(w io.Writer, recs []*repro.Record) {
	fmt.Fprintf(w, "## Gallery exemplars: evidence beside the verdict\n\n"+
		"Each mechanism exemplar of the embedded gallery was chosen by our §9 verdict; these checks back its label with evidence "+
		"the verdict does not use (the fixed-point finder, long simulation, the oscillation's period by two methods).\n\n")
	n := 0
	for _, r := range recs {
		if !strings.HasPrefix(r.EC, "EX-") {
			continue
		}
		n++
		fmt.Fprintf(w, "- **%s** `%s` (%s, %s): %s\n", strings.TrimPrefix(r.EC, "EX-"), r.Test, r.Status, r.When.Format("2006-01-02"), r.Setup)
		for _, m := range r.Measures {
			fmt.Fprintf(w, "  - %s: **%s** (asserted %s)\n", m.Name, summary(m), m.Tolerance)
		}
		for _, note := range r.Notes {
			fmt.Fprintf(w, "  - %s\n", note)
		}
	}
	if n == 0 {
		fmt.Fprintf(w, "Not run for this report (inspect: TestExemplarEvidence*, -tags science).\n")
	}
}

func anchor(c check) string {
	s := strings.ToLower(c.ID + " — " + c.Claim)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		case r > 127 && !strings.ContainsRune("—–×±≤≥≈²λ·/", r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// status decides a check's status and says why.
func status(c check, recs []*repro.Record, tests []*outcome, sw *sweeps) (string, string) {
	failed, deviates, passed, skipped := 0, 0, 0, 0
	var why []string
	for _, r := range recs {
		switch r.Status {
		case "failed":
			failed++
		case "deviates":
			deviates++
			why = append(why, r.Reason)
		}
	}
	for _, o := range tests {
		switch o.Action {
		case "fail":
			failed++
		case "pass":
			passed++
		case "skip":
			skipped++
			if len(o.Output) > 0 {
				why = append(why, "skipped: "+o.Output[len(o.Output)-1])
			}
		}
	}
	sst, swhy := sw.status(c.ID)
	switch {
	case failed > 0:
		return "fails", strings.Join(why, "; ")
	case deviates > 0 || sst == "deviates":
		if swhy != "" {
			why = append(why, swhy)
		}
		return "deviates", strings.Join(why, "; ")
	case passed > 0 || len(recs) > 0 || sst == "reproduced":
		if swhy != "" {
			why = append(why, swhy)
		}
		if missing := unrun(c, tests, recs); missing != "" {
			return "reproduced in part", strings.Join(append(why, "not run: "+missing), "; ")
		}
		if c.Sweep != "" && sst == "" {
			// The CI-sized tests pass; the sweep that measures the check at
			// the papers' scale has no verdict yet.
			return "reproduced in part", strings.Join(why, "; ")
		}
		return "reproduced", strings.Join(why, "; ")
	case skipped > 0:
		return "not run", strings.Join(why, "; ")
	}
	var reasons []string
	for _, r := range []string{c.NotRun, swhy} {
		if r != "" {
			reasons = append(reasons, r)
		}
	}
	if len(c.Tests) > 0 {
		reasons = append(reasons, "its tests were not run for this report ("+testNames(c)+")")
	}
	return "not run", strings.Join(reasons, "; ")
}

// unrun names the tests of c that have neither an outcome nor a record.
func unrun(c check, tests []*outcome, recs []*repro.Record) string {
	var s []string
	for _, t := range c.Tests {
		re := regexp.MustCompile("^(" + t.Name + ")$")
		found := false
		for _, o := range tests {
			if o.Package == "attractor/"+strings.TrimPrefix(t.Pkg, "./") && re.MatchString(o.Test) {
				found = true
			}
		}
		for _, r := range recs {
			if re.MatchString(strings.SplitN(r.Test, "/", 2)[0]) {
				found = true
			}
		}
		if !found {
			tag := ""
			if t.Science {
				tag = " (-tags science)"
			}
			s = append(s, t.Pkg+" "+t.Name+tag)
		}
	}
	return strings.Join(s, ", ")
}

func testNames(c check) string {
	var s []string
	for _, t := range c.Tests {
		tag := ""
		if t.Science {
			tag = ", -tags science"
		}
		s = append(s, fmt.Sprintf("%s %s%s", t.Pkg, t.Name, tag))
	}
	return strings.Join(s, "; ")
}

// oursCell is the table's short "ours" column.
func oursCell(recs []*repro.Record, tests []*outcome, sw *sweeps, id string) string {
	var parts []string
	for _, r := range recs {
		for _, m := range r.Measures {
			if len(parts) < 3 {
				parts = append(parts, m.Name+": "+summary(m))
			}
		}
	}
	if s := sw.short(id); s != "" {
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		pass := 0
		for _, o := range tests {
			if o.Action == "pass" {
				pass++
			}
		}
		if pass > 0 {
			return fmt.Sprintf("within tolerance (%d of %d tests pass)", pass, len(tests))
		}
		return "—"
	}
	return strings.Join(parts, "; ")
}

// summary formats a measure: one value, or mean ± s.d. (range), n, seeds.
func summary(m *repro.Measure) string {
	mean, sd, lo, hi, n := m.Summary()
	unit := ""
	if m.Unit != "" {
		unit = " " + m.Unit
	}
	switch n {
	case 0:
		return "no value"
	case 1:
		s := num(mean) + unit
		if len(m.Seeds) == 1 {
			s += fmt.Sprintf(" (seed %d)", m.Seeds[0])
		}
		return s
	}
	s := fmt.Sprintf("%s ± %s%s (%s … %s), n = %d", num(mean), num(sd), unit, num(lo), num(hi), n)
	if len(m.Seeds) > 0 {
		s += ", seeds " + seedList(m.Seeds)
	}
	return s
}

func num(v float64) string {
	switch {
	case math.Abs(v) >= math.MaxFloat64/2:
		if v < 0 {
			return "−∞"
		}
		return "∞"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1e-3 && math.Abs(v) < 1e5:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	}
	return fmt.Sprintf("%.3g", v)
}

func seedList(s []int64) string {
	v := append([]int64(nil), s...)
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	contiguous := true
	for i := 1; i < len(v); i++ {
		if v[i] != v[i-1]+1 {
			contiguous = false
		}
	}
	if contiguous && len(v) > 2 {
		return fmt.Sprintf("%d–%d", v[0], v[len(v)-1])
	}
	var b []string
	for _, x := range v {
		b = append(b, fmt.Sprint(x))
	}
	return strings.Join(b, ", ")
}

func writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicWrite(name, append(b, '\n'))
}

// atomicWrite writes name through a temporary file, fsync and rename.
func atomicWrite(name string, b []byte) error { return repro.WriteFile(name, b) }
