package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"attractor/train/sweep"
)

// sweeps holds what the long sweeps say about their checks.
type sweeps struct {
	phase, census *sweepSummary
}

// sweepSummary is one sweep's contribution: per check a status, a reason,
// a short "ours" and a detail section.
type sweepSummary struct {
	name, dir   string
	done, total int
	st, why     map[string]string
	short       map[string]string
	detail      map[string]string
}

// sweepsJSON is the file, in the records' directory, that keeps the
// sweeps' summaries between runs.
const sweepsJSON = "sweeps.json"

// summaryJSON is a sweepSummary as kept in sweepsJSON.
type summaryJSON struct {
	Name   string            `json:"name"`
	Dir    string            `json:"dir"`
	Done   int               `json:"done"`
	Total  int               `json:"total"`
	Status map[string]string `json:"status,omitempty"`
	Why    map[string]string `json:"why,omitempty"`
	Short  map[string]string `json:"short,omitempty"`
	Detail map[string]string `json:"detail,omitempty"`
}

func (x *sweepSummary) toJSON() *summaryJSON {
	if x == nil {
		return nil
	}
	return &summaryJSON{x.name, x.dir, x.done, x.total, x.st, x.why, x.short, x.detail}
}

func (j *summaryJSON) summary() *sweepSummary {
	if j == nil {
		return nil
	}
	x := newSummary(j.Name, j.Dir)
	x.done, x.total = j.Done, j.Total
	for dst, src := range map[*map[string]string]map[string]string{&x.st: j.Status, &x.why: j.Why, &x.short: j.Short, &x.detail: j.Detail} {
		if src != nil {
			*dst = src
		}
	}
	return x
}

// loadSweeps reads the summaries kept in name (none when it does not
// exist).
func loadSweeps(name string) (*sweeps, error) {
	b, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return &sweeps{}, nil
	}
	if err != nil {
		return nil, err
	}
	var v struct{ Phase, Census *summaryJSON }
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &sweeps{phase: v.Phase.summary(), census: v.Census.summary()}, nil
}

// save keeps the summaries in name.
func (s *sweeps) save(name string) error {
	return writeJSON(name, struct {
		Phase  *summaryJSON `json:"phase,omitempty"`
		Census *summaryJSON `json:"census,omitempty"`
	}{s.phase.toJSON(), s.census.toJSON()})
}

func newSummary(name, dir string) *sweepSummary {
	return &sweepSummary{name: name, dir: dir, st: map[string]string{}, why: map[string]string{}, short: map[string]string{}, detail: map[string]string{}}
}

func (s *sweeps) each(f func(*sweepSummary)) {
	for _, x := range []*sweepSummary{s.phase, s.census} {
		if x != nil {
			f(x)
		}
	}
}

func (s *sweeps) status(id string) (st, why string) {
	s.each(func(x *sweepSummary) {
		if v, ok := x.st[id]; ok {
			st = v
		}
		if w, ok := x.why[id]; ok {
			why = w
		}
	})
	return
}

func (s *sweeps) short(id string) (out string) {
	s.each(func(x *sweepSummary) {
		if v, ok := x.short[id]; ok {
			out = v
		}
	})
	return
}

func (s *sweeps) section(id string) (out string) {
	s.each(func(x *sweepSummary) {
		if v, ok := x.detail[id]; ok {
			out += v
		}
	})
	return
}

// report runs `attractor sweep report` on dir and copies its text, SVGs and
// results.csv to docs.
func report(bin, dir, docs string, args ...string) (string, error) {
	cmd := exec.Command(bin, append([]string{"sweep", "report", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("attractor sweep report %s: %v", dir, err)
	}
	if err := atomicWrite(filepath.Join(docs, "report.txt"), out); err != nil {
		return "", err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "report", "*.svg"))
	files = append(files, filepath.Join(dir, sweep.CSVFile), filepath.Join(dir, sweep.SpecFile))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if err := atomicWrite(filepath.Join(docs, filepath.Base(f)), b); err != nil {
			return "", err
		}
	}
	return string(out), nil
}

func openSweep(dir string) (*sweep.Sweep, []*sweep.Result, int, error) {
	sw, err := sweep.Open(dir)
	if err != nil {
		return nil, nil, 0, err
	}
	rs, _ := sw.Results()
	return sw, rs, sw.Spec.Len(), nil
}

var unableClasses = []string{"unable", "no_learn", "unstable", "diverged"}

func isUnable(class string) bool {
	for _, c := range unableClasses {
		if c == class {
			return true
		}
	}
	return false
}

// readPhase summarises the Kurtkaya phase sweep for EC-23, EC-24, EC-25.
func readPhase(bin, dir, docs string) (*sweepSummary, error) {
	sw, rs, total, err := openSweep(dir)
	if err != nil {
		return nil, err
	}
	text, err := report(bin, dir, docs, "--x", "delay_ms", "--y", "lr", "--scaling", "lr,delay_ms")
	if err != nil {
		return nil, err
	}
	s := newSummary("kurtkaya-phase-medium", dir)
	s.done, s.total = len(rs), total
	progress := fmt.Sprintf("sweep examples/kurtkaya-phase-medium.toml: %d of %d networks done", s.done, s.total)
	p, err := sw.PhaseDiagram(rs, "delay_ms", "lr")
	if err != nil {
		return nil, err
	}
	perCell := total / max(1, len(p.XVals)*len(p.YVals))
	full := func(i, j int) bool { return p.N[j][i] == perCell }
	frac := func(i, j int) float64 {
		f := 0.0
		for _, c := range unableClasses {
			f += p.Fraction(c, i, j)
		}
		return f
	}
	// The table of classes per cell, for every check.
	var tab strings.Builder
	fmt.Fprintf(&tab, "\n  Phase sweep (%s; docs/sweeps/kurtkaya-phase-medium/): LC / SP / unable per cell (n)\n\n", progress)
	fmt.Fprintf(&tab, "  | lr \\ delay |")
	for _, x := range p.XVals {
		fmt.Fprintf(&tab, " %s ms |", x)
	}
	fmt.Fprintf(&tab, "\n  |---|")
	for range p.XVals {
		fmt.Fprintf(&tab, "---|")
	}
	fmt.Fprintln(&tab)
	for j, y := range p.YVals {
		fmt.Fprintf(&tab, "  | %s |", y)
		for i := range p.XVals {
			c := p.Counts[j][i]
			if p.N[j][i] == 0 {
				fmt.Fprintf(&tab, " · |")
				continue
			}
			u := 0
			for _, k := range unableClasses {
				u += c[k]
			}
			fmt.Fprintf(&tab, " %d / %d / %d (%d) |", c["LC"], c["SP"], u, p.N[j][i])
		}
		fmt.Fprintln(&tab)
	}
	s.detail["EC-24"] = tab.String() + rhoCrossCheck(rs)

	// EC-23 at 160 ms.
	xi := indexOf(p.XVals, "160")
	var e23 []string
	st23 := ""
	for j, y := range p.YVals {
		lr, _ := strconv.ParseFloat(y, 64)
		if xi < 0 || (lr != 0.01 && lr != 0.001) || p.N[j][xi] == 0 {
			continue
		}
		c := p.Counts[j][xi]
		want := "LC"
		if lr == 0.001 {
			want = "SP"
		}
		e23 = append(e23, fmt.Sprintf("lr %s at 160 ms: LC %d, SP %d, unable %d of %d (published %s)", y, c["LC"], c["SP"], p.N[j][xi]-c["LC"]-c["SP"], p.N[j][xi], want))
		if full(xi, j) {
			if 2*c[want] > p.N[j][xi] {
				if st23 == "" {
					st23 = "reproduced"
				}
			} else {
				st23 = "deviates"
			}
		}
	}
	if len(e23) > 0 {
		s.short["EC-23"] = strings.Join(e23, "; ")
		s.detail["EC-23"] = "- sweep: " + strings.Join(e23, "; ") + " (" + progress + ")\n"
	}
	if st23 != "" {
		s.st["EC-23"] = st23
		s.why["EC-23"] = "from the 20 seeds per cell of the phase sweep"
	}

	// EC-24 on the complete cells.
	var viol []string
	cells := 0
	for j := range p.YVals {
		for i := range p.XVals {
			if full(i, j) {
				cells++
			}
			if i > 0 && full(i, j) && full(i-1, j) && frac(i-1, j)-frac(i, j) > 0.1 {
				viol = append(viol, fmt.Sprintf("lr %s: %.2f at %s ms > %.2f at %s ms", p.YVals[j], frac(i-1, j), p.XVals[i-1], frac(i, j), p.XVals[i]))
			}
		}
	}
	for i := range p.XVals {
		for j := range p.YVals {
			for k := range p.YVals {
				lj, _ := strconv.ParseFloat(p.YVals[j], 64)
				lk, _ := strconv.ParseFloat(p.YVals[k], 64)
				if lk > lj && full(i, j) && full(i, k) && frac(i, j)-frac(i, k) > 0.1 {
					viol = append(viol, fmt.Sprintf("delay %s ms: %.2f at lr %s > %.2f at lr %s", p.XVals[i], frac(i, j), p.YVals[j], frac(i, k), p.YVals[k]))
				}
			}
		}
	}
	s.short["EC-24"] = fmt.Sprintf("%d complete cells of %d, %d monotonicity violations beyond 10 %%", cells, len(p.XVals)*len(p.YVals), len(viol))
	switch {
	case cells < 2:
		s.why["EC-24"] = "too few complete cells yet (" + progress + ")"
	case len(viol) > 0:
		s.st["EC-24"], s.why["EC-24"] = "deviates", "P(unable) falls by more than 10 %: "+strings.Join(viol, "; ")+" ("+progress+")"
	default:
		s.st["EC-24"], s.why["EC-24"] = "reproduced", fmt.Sprintf("monotone within 10 %% on the %d complete cells (%s); the SP-dominance half needs the smallest lr's cells", cells, progress)
	}

	// EC-25 from the report's fit.
	if m := regexp.MustCompile(`B = (\S+) \(95% CI (\S+) … (\S+)\)`).FindStringSubmatch(text); m != nil {
		b, _ := strconv.ParseFloat(m[1], 64)
		lo, _ := strconv.ParseFloat(m[2], 64)
		hi, _ := strconv.ParseFloat(m[3], 64)
		s.short["EC-25"] = fmt.Sprintf("B = %.2f (95 %% CI %.2f … %.2f)", b, lo, hi)
		sp := lo <= -4 && hi >= -5 // overlaps the SP range −5…−4
		lc := lo <= -2 && hi >= -3 // overlaps the LC range −3…−2
		switch {
		case sp && lc:
			s.st["EC-25"], s.why["EC-25"] = "deviates", "the interval contains both theories' exponents: not yet decisive ("+progress+")"
		case !sp && !lc:
			s.st["EC-25"], s.why["EC-25"] = "deviates", "the exponent matches neither theory's range ("+progress+")"
		default:
			s.st["EC-25"], s.why["EC-25"] = "reproduced", "the interval falls in one theory's range ("+progress+")"
		}
	} else {
		s.why["EC-25"] = "the scaling law is not fitted yet: it needs critical delays for ≥ 3 learning rates (" + progress + ")"
	}
	s.detail["EC-25"] = "- sweep report (docs/sweeps/kurtkaya-phase-medium/report.txt):\n\n" + indent(lastLines(text, "critical delay")) + "\n"
	return s, nil
}

// readCensus summarises the Ghazizadeh census for EC-16 and EC-17.
func readCensus(bin, dir, docs string) (*sweepSummary, error) {
	if _, err := os.Stat(filepath.Join(dir, sweep.SpecFile)); os.IsNotExist(err) {
		s := newSummary("ghazizadeh-census-n1000", dir)
		for _, id := range []string{"EC-15", "EC-16", "EC-17", "EC-18", "EC-19"} {
			s.why[id] = "the N = 1000 census (examples/ghazizadeh-census-n1000.toml, scripts/run-sweeps.sh) has no network yet"
		}
		return s, nil
	}
	_, rs, total, err := openSweep(dir)
	if err != nil {
		return nil, err
	}
	if _, err := report(bin, dir, docs, "--x", "g", "--y", "fb"); err != nil {
		return nil, err
	}
	s := newSummary("ghazizadeh-census-n1000", dir)
	s.done, s.total = len(rs), total
	progress := fmt.Sprintf("sweep examples/ghazizadeh-census-n1000.toml: %d of %d networks done", s.done, s.total)
	counts := map[string]int{}
	byG := map[string][2]int{} // trainable, total
	var lines []string
	trainable := 0
	for _, r := range rs {
		g, fb := fmt.Sprint(r.Params["g"]), fmt.Sprint(r.Params["fb"])
		tr := r.Analyses["trainability"]
		ok := tr["class"] == "trainable"
		c := byG[g]
		c[1]++
		if ok {
			c[0]++
			trainable++
			counts[r.Class]++
		}
		byG[g] = c
		lines = append(lines, fmt.Sprintf("  - seed %v, g %s, fb %s: %s; trainability: %v of %v test trials, max RMSE %v (authors' criterion: %v)",
			r.Params["seed"], g, fb, r.Class, tr["test_trials_passed"], tr["test_trials"], tr["test_rmse_max"], tr["code_trainable"]))
	}
	sort.Strings(lines)
	s.short["EC-16"] = fmt.Sprintf("%d of %d networks trainable; among them DFP %d, IFP %d, LC %d, Mix %d", trainable, len(rs), counts["DFP"], counts["IFP"], counts["LC"], counts["Mix"])
	var gs []string
	for g, c := range byG {
		gs = append(gs, fmt.Sprintf("g %s: %d of %d trainable", g, c[0], c[1]))
	}
	sort.Strings(gs)
	s.short["EC-17"] = strings.Join(gs, "; ")
	det := "- census (" + progress + "; docs/sweeps/ghazizadeh-census-n1000/):\n" + strings.Join(lines, "\n") + "\n"
	s.detail["EC-16"] = det
	if trainable < 10 {
		s.why["EC-16"] = fmt.Sprintf("only %d trainable networks so far (%s)", trainable, progress)
		s.why["EC-17"] = s.why["EC-16"]
		for _, id := range []string{"EC-15", "EC-18", "EC-19"} {
			s.why[id] = "the N = 1000 part waits for ≥ 5 trainable networks per class from the census (" + progress + ")"
		}
		return s, nil
	}
	if counts["DFP"] > counts["IFP"] && counts["IFP"] > counts["LC"] && counts["LC"] > counts["Mix"] {
		s.st["EC-16"], s.why["EC-16"] = "reproduced", progress
	} else {
		s.st["EC-16"], s.why["EC-16"] = "deviates", "the ordering DFP > IFP > LC > Mix does not hold ("+progress+")"
	}
	return s, nil
}

func indexOf(v []string, x string) int {
	for i, s := range v {
		if s == x {
			return i
		}
	}
	return -1
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("      " + l + "\n")
	}
	return b.String()
}

// lastLines returns text from the first line containing marker.
func lastLines(text, marker string) string {
	if i := strings.Index(text, marker); i >= 0 {
		return text[i:]
	}
	return text
}

// rhoCrossCheck compares the ρ label of the learned networks with the two
// criteria beside it: the output-oscillation test (RMS > 0.1, the authors'
// test_ghost.py) and the generic asymptote (0 fixed point, 1 limit cycle,
// 2 other).
func rhoCrossCheck(rs []*sweep.Result) string {
	type row struct{ lc, lcFP, lcOsc, sp, spOsc int }
	byLR := map[string]*row{}
	var lrs []string
	var border []float64
	for _, r := range rs {
		ph := r.Analyses["phase"]
		rho, ok := numberOf(ph["rho"])
		if !ok {
			continue
		}
		lr := fmt.Sprint(r.Params["lr"])
		if byLR[lr] == nil {
			byLR[lr] = &row{}
			lrs = append(lrs, lr)
		}
		w := byLR[lr]
		rms, _ := numberOf(ph["output_osc_rms"])
		kind, _ := numberOf(ph["settle_kind"])
		if r.Class == "LC" {
			w.lc++
			if kind == 0 {
				w.lcFP++
				border = append(border, rho)
			}
			if rms > 0.1 {
				w.lcOsc++
			}
		} else if r.Class == "SP" {
			w.sp++
			if rms > 0.1 {
				w.spOsc++
			}
		}
	}
	if len(lrs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n  ρ against the criteria beside it, learned networks (all delays):\n\n")
	fmt.Fprintf(&b, "  | lr | LC by ρ | of which the run ends at a fixed point | of which output RMS > 0.1 | SP by ρ | of which output RMS > 0.1 |\n  |---|---|---|---|---|---|\n")
	for _, lr := range lrs {
		w := byLR[lr]
		fmt.Fprintf(&b, "  | %s | %d | %d | %d | %d | %d |\n", lr, w.lc, w.lcFP, w.lcOsc, w.sp, w.spOsc)
	}
	if len(border) > 0 {
		sort.Float64s(border)
		fmt.Fprintf(&b, "\n  ρ of the LC-by-ρ networks that end at a fixed point: %.3g … %.3g (n = %d); the networks whose runs end on a cycle have ρ < 0.01. "+
			"So part of our LC excess is the threshold ρ < 0.5 calling networks LC that settle slowly to a fixed point, with outputs that do not oscillate "+
			"(SP by the authors' earlier test_ghost.py criterion and by the asymptote): ρ measures the sign pattern of the two leading PCs over 9 trial "+
			"lengths, and a slow, curved approach to a fixed point probably puts power off the centre too (not yet checked on the correlation matrices themselves).\n", border[0], border[len(border)-1], len(border))
	}
	return b.String()
}

// numberOf reads a result figure (results decode numbers as json.Number).
func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}
