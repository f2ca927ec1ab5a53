package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"attractor/model"
)

// Spec is a parsed sweep specification.
//
//	name = "ghazizadeh-census"
//	task = "spm"                       # trainer (RegisterTrainer)
//	analyses = ["trainability"]        # RegisterAnalysis names
//	seeds = 4                          # axis "seed" = 0…3 (or a list)
//	keep_metrics = false               # keep each run's metrics.jsonl
//
//	[base]                             # the trainer's configuration
//	hidden = 300
//
//	[grid]                             # axes, in this order
//	g = [0.8, 0.9, 1.1]
//	lr = { logspace = [-1, -3, 15] }   # 10^-1 … 10^-3, 15 values
//	delay_ms = { range = [0, 400, 20] } # 0, 20, …, 400
//	p = { linspace = [0.1, 0.9, 5] }
//
//	[random]                           # optional random draws per grid point
//	seed = 1
//	draws = 10
//	alpha = { loguniform = [0.1, 10] }  # also uniform, choice
//
//	[analysis.trainability]            # options of an analysis
//	test_seeds = 10
type Spec struct {
	File        string
	Name        string
	Task        string
	Analyses    []string
	KeepMetrics bool
	Base        map[string]any
	Axes        []Axis // grid axes in file order, then "seed"
	Random      *Random
	Options     map[string]map[string]any // per analysis
	Source      []byte                    // the file's text

	lines map[string]int
}

// Axis is one grid dimension: a configuration field and its values.
type Axis struct {
	Field  string
	Values []any
}

// Random configures random draws: for each grid point, Draws
// configurations whose fields Dists are drawn from model.NewRNG(Seed, d)
// for draw d (fields in name order), so draw d is the same whatever else
// the sweep contains.
type Random struct {
	Seed  uint64
	Draws int
	Dists []Dist
}

// Dist is the distribution of one randomly drawn field: "uniform" and
// "loguniform" over [Min, Max], or "choice" among Values.
type Dist struct {
	Field    string
	Kind     string
	Min, Max float64
	Values   []any
}

// SpecError is a problem in a specification, located by file, line and
// field.
type SpecError struct {
	File  string
	Line  int // 0 when unknown
	Field string
	Err   error
}

func (e *SpecError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", loc, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", loc, e.Err)
}

func (e *SpecError) Unwrap() error { return e.Err }

// maxNetworks bounds the size of one sweep.
const maxNetworks = 10_000_000

// LoadSpec reads and validates a specification file.
func LoadSpec(name string) (*Spec, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return ParseSpec(name, b)
}

// ParseSpec parses and validates the text of a specification; name is used
// in error messages. The task, the analyses, every field name and every
// grid value are checked against the registered trainer.
func ParseSpec(name string, src []byte) (*Spec, error) {
	s := &Spec{File: name, Source: append([]byte(nil), src...), lines: specLines(src), Options: map[string]map[string]any{}}
	var raw map[string]any
	md, err := toml.Decode(string(src), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &SpecError{File: name, Line: pe.Position.Line, Err: errors.New(pe.Message)}
		}
		return nil, &SpecError{File: name, Err: err}
	}
	fail := func(field string, format string, a ...any) error {
		return &SpecError{File: name, Line: s.line(field), Field: field, Err: fmt.Errorf(format, a...)}
	}
	order := map[string]int{}
	for i, k := range md.Keys() {
		order[k.String()] = i
	}
	known := map[string]bool{"name": true, "task": true, "analyses": true, "seeds": true, "keep_metrics": true,
		"base": true, "grid": true, "random": true, "analysis": true}
	for _, k := range sortedKeys(raw) {
		if !known[k] {
			return nil, fail(k, "unknown key (want name, task, analyses, seeds, keep_metrics, [base], [grid], [random], [analysis.NAME])")
		}
	}
	var ok bool
	if s.Name, ok = raw["name"].(string); raw["name"] != nil && !ok {
		return nil, fail("name", "must be a string")
	}
	if s.Task, ok = raw["task"].(string); !ok || s.Task == "" {
		return nil, fail("task", "a task name is required (%s)", strings.Join(TrainerNames(), ", "))
	}
	tr, ok := trainerFor(s.Task)
	if !ok {
		return nil, fail("task", "unknown task %q (%s)", s.Task, strings.Join(TrainerNames(), ", "))
	}
	if v, present := raw["keep_metrics"]; present {
		if s.KeepMetrics, ok = v.(bool); !ok {
			return nil, fail("keep_metrics", "must be true or false")
		}
	}
	if v, present := raw["analyses"]; present {
		list, ok := v.([]any)
		if !ok {
			return nil, fail("analyses", "must be a list of names")
		}
		for _, a := range list {
			n, ok := a.(string)
			if !ok {
				return nil, fail("analyses", "must be a list of names")
			}
			an, ok := analysisFor(n)
			if !ok {
				return nil, fail("analyses", "unknown analysis %q (%s)", n, strings.Join(AnalysisNames(), ", "))
			}
			if len(an.Tasks) > 0 && !contains(an.Tasks, s.Task) {
				return nil, fail("analyses", "analysis %q works on tasks %s, not %q", n, strings.Join(an.Tasks, ", "), s.Task)
			}
			s.Analyses = append(s.Analyses, n)
		}
	}
	if v, present := raw["analysis"]; present {
		tab, ok := v.(map[string]any)
		if !ok {
			return nil, fail("analysis", "must be tables [analysis.NAME]")
		}
		for _, n := range sortedKeys(tab) {
			opts, ok := tab[n].(map[string]any)
			if !ok {
				return nil, fail("analysis."+n, "must be a table of options")
			}
			if !contains(s.Analyses, n) {
				return nil, fail("analysis."+n, "options for an analysis not listed in analyses")
			}
			s.Options[n] = opts
		}
	}
	fields := map[string]bool{}
	for _, f := range tr.Fields {
		fields[f] = true
	}
	checkField := func(key, f string) error {
		if len(fields) > 0 && !fields[f] {
			return fail(key, "task %q has no field %q (fields: %s)", s.Task, f, strings.Join(tr.Fields, ", "))
		}
		return nil
	}
	s.Base = map[string]any{}
	if v, present := raw["base"]; present {
		tab, ok := v.(map[string]any)
		if !ok {
			return nil, fail("base", "must be a table")
		}
		for _, k := range sortedKeys(tab) {
			if err := checkField("base."+k, k); err != nil {
				return nil, err
			}
			s.Base[k] = tab[k]
		}
	}
	if tr.Check != nil {
		if err := tr.Check(cloneMap(s.Base)); err != nil {
			return nil, fail("base", "%v", err)
		}
	}
	swept := map[string]bool{}
	if v, present := raw["grid"]; present {
		tab, ok := v.(map[string]any)
		if !ok {
			return nil, fail("grid", "must be a table")
		}
		keys := sortedKeys(tab)
		sort.SliceStable(keys, func(i, j int) bool { return order["grid."+keys[i]] < order["grid."+keys[j]] })
		for _, k := range keys {
			key := "grid." + k
			if err := checkField(key, k); err != nil {
				return nil, err
			}
			vals, err := axisValues(tab[k])
			if err != nil {
				return nil, fail(key, "%v", err)
			}
			if k == "seed" && raw["seeds"] != nil {
				return nil, fail(key, "seeds are given both here and by the top-level seeds key")
			}
			s.Axes = append(s.Axes, Axis{Field: k, Values: vals})
			swept[k] = true
		}
	}
	if v, present := raw["seeds"]; present {
		if err := checkField("seeds", "seed"); err != nil {
			return nil, err
		}
		var vals []any
		switch t := v.(type) {
		case int64:
			if t < 1 || t > maxNetworks {
				return nil, fail("seeds", "%d must be a positive count", t)
			}
			for i := int64(0); i < t; i++ {
				vals = append(vals, i)
			}
		default:
			var err error
			if vals, err = axisValues(v); err != nil {
				return nil, fail("seeds", "%v", err)
			}
		}
		for i, x := range vals {
			if n, ok := x.(int64); !ok || n < 0 {
				return nil, fail("seeds", "value %d (%v) must be a non-negative integer", i, x)
			}
		}
		s.Axes = append(s.Axes, Axis{Field: "seed", Values: vals})
		swept["seed"] = true
	}
	if v, present := raw["random"]; present {
		r, err := s.parseRandom(v, checkField, swept)
		if err != nil {
			return nil, err
		}
		s.Random = r
	}
	// Every value of every axis, alone on the base, must be valid.
	if tr.Check != nil {
		for _, ax := range s.Axes {
			for i, val := range ax.Values {
				cfg := cloneMap(s.Base)
				cfg[ax.Field] = val
				if err := tr.Check(cfg); err != nil {
					key := "grid." + ax.Field
					if ax.Field == "seed" && s.lines["seeds"] > 0 {
						key = "seeds"
					}
					return nil, fail(key, "value %d (%v): %v", i, val, err)
				}
			}
		}
		if s.Random != nil {
			for _, d := range s.Random.Dists {
				for _, val := range d.endpoints() {
					cfg := cloneMap(s.Base)
					cfg[d.Field] = val
					if err := tr.Check(cfg); err != nil {
						return nil, fail("random."+d.Field, "value %v: %v", val, err)
					}
				}
			}
		}
	}
	n := s.Len()
	if n < 1 || n > maxNetworks {
		return nil, fail("grid", "the sweep has %d networks (want 1 … %d)", n, maxNetworks)
	}
	return s, nil
}

func (s *Spec) parseRandom(v any, checkField func(key, f string) error, swept map[string]bool) (*Random, error) {
	fail := func(field string, format string, a ...any) error {
		return &SpecError{File: s.File, Line: s.line(field), Field: field, Err: fmt.Errorf(format, a...)}
	}
	tab, ok := v.(map[string]any)
	if !ok {
		return nil, fail("random", "must be a table")
	}
	r := &Random{}
	seed, ok := tab["seed"].(int64)
	if !ok || seed < 0 {
		return nil, fail("random.seed", "a non-negative integer seed is required")
	}
	r.Seed = uint64(seed)
	draws, ok := tab["draws"].(int64)
	if !ok || draws < 1 || draws > maxNetworks {
		return nil, fail("random.draws", "a positive number of draws is required")
	}
	r.Draws = int(draws)
	for _, k := range sortedKeys(tab) {
		if k == "seed" || k == "draws" {
			continue
		}
		key := "random." + k
		if err := checkField(key, k); err != nil {
			return nil, err
		}
		if swept[k] {
			return nil, fail(key, "field is also a grid axis")
		}
		d, ok := tab[k].(map[string]any)
		if !ok || len(d) != 1 {
			return nil, fail(key, "want one of { uniform = [min, max] }, { loguniform = [min, max] }, { choice = [v, …] }")
		}
		dist := Dist{Field: k}
		for kind, arg := range d {
			dist.Kind = kind
			list, ok := arg.([]any)
			if !ok || len(list) == 0 {
				return nil, fail(key, "%s wants a list", kind)
			}
			switch kind {
			case "uniform", "loguniform":
				a, aok := number(list[0])
				b, bok := 0.0, false
				if len(list) == 2 {
					b, bok = number(list[1])
				}
				if !aok || !bok || !(a < b) || (kind == "loguniform" && !(a > 0)) {
					return nil, fail(key, "%s wants [min, max] with min < max (and min > 0 for loguniform)", kind)
				}
				dist.Min, dist.Max = a, b
			case "choice":
				dist.Values = list
			default:
				return nil, fail(key, "unknown distribution %q (uniform, loguniform, choice)", kind)
			}
		}
		r.Dists = append(r.Dists, dist)
	}
	if len(r.Dists) == 0 {
		return nil, fail("random", "no fields to draw")
	}
	return r, nil
}

// endpoints are values checked at load time.
func (d Dist) endpoints() []any {
	if d.Kind == "choice" {
		return d.Values
	}
	return []any{d.Min, d.Max}
}

func (d Dist) draw(rng *model.RNG) any {
	switch d.Kind {
	case "uniform":
		return rng.Uniform(d.Min, d.Max)
	case "loguniform":
		return math.Exp(rng.Uniform(math.Log(d.Min), math.Log(d.Max)))
	default:
		return d.Values[rng.IntN(len(d.Values))]
	}
}

// axisValues expands a grid entry: a list, or { logspace = [a, b, n] }
// (10^a … 10^b), { linspace = [a, b, n] }, { range = [start, stop, step] }
// (start, start+step, … up to and including stop; integers stay integers).
func axisValues(v any) ([]any, error) {
	switch t := v.(type) {
	case []any:
		if len(t) == 0 {
			return nil, errors.New("empty list")
		}
		for _, x := range t {
			switch x.(type) {
			case int64, float64, bool, string:
			default:
				return nil, fmt.Errorf("value %v is not a number, boolean or string", x)
			}
		}
		return t, nil
	case map[string]any:
		if len(t) != 1 {
			return nil, errors.New("want a list or one of { logspace = [a, b, n] }, { linspace = [a, b, n] }, { range = [start, stop, step] }")
		}
		for kind, arg := range t {
			list, ok := arg.([]any)
			if !ok || len(list) != 3 {
				return nil, fmt.Errorf("%s wants three numbers", kind)
			}
			a, aok := number(list[0])
			b, bok := number(list[1])
			c, cok := number(list[2])
			if !aok || !bok || !cok {
				return nil, fmt.Errorf("%s wants three numbers", kind)
			}
			switch kind {
			case "logspace", "linspace":
				n, isInt := list[2].(int64)
				if !isInt || n < 1 || n > maxNetworks {
					return nil, fmt.Errorf("%s: the count %v must be a positive integer", kind, list[2])
				}
				out := make([]any, n)
				for i := range out {
					x := a
					if n > 1 {
						x = a + (b-a)*float64(i)/float64(n-1)
					}
					if kind == "logspace" {
						x = math.Pow(10, x)
					}
					out[i] = x
				}
				return out, nil
			case "range":
				if !(c > 0) || b < a || (b-a)/c > maxNetworks {
					return nil, errors.New("range wants [start, stop, step] with step > 0 and stop ≥ start")
				}
				_, ia := list[0].(int64)
				_, ib := list[1].(int64)
				_, ic := list[2].(int64)
				var out []any
				for i := 0; ; i++ {
					x := a + float64(i)*c
					if x > b+1e-9*math.Abs(c) {
						break
					}
					if ia && ib && ic {
						out = append(out, int64(x))
					} else {
						out = append(out, x)
					}
				}
				return out, nil
			default:
				return nil, fmt.Errorf("unknown generator %q (logspace, linspace, range)", kind)
			}
		}
	}
	return nil, fmt.Errorf("want a list of values, not %T", v)
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}

// Len returns the number of networks: the product of the axis lengths
// times the random draws.
func (s *Spec) Len() int {
	n := 1
	for _, ax := range s.Axes {
		n *= len(ax.Values)
		if n > maxNetworks {
			return maxNetworks + 1
		}
	}
	if s.Random != nil {
		n *= s.Random.Draws
	}
	return min(n, maxNetworks+1)
}

// Params returns the swept values of network i (grid axes and drawn
// fields). The index decomposes as ((grid point)·draws + draw) with the
// last grid axis ("seed" when seeds are given) varying fastest among the
// grid axes, and the draw fastest of all.
func (s *Spec) Params(i int) map[string]any {
	p := map[string]any{}
	if s.Random != nil {
		d := i % s.Random.Draws
		i /= s.Random.Draws
		rng := model.NewRNG(s.Random.Seed, uint64(d))
		for _, dist := range s.Random.Dists {
			p[dist.Field] = dist.draw(rng)
		}
		p["draw"] = int64(d)
	}
	for k := len(s.Axes) - 1; k >= 0; k-- {
		ax := s.Axes[k]
		p[ax.Field] = ax.Values[i%len(ax.Values)]
		i /= len(ax.Values)
	}
	return p
}

// Config returns the training configuration of network i: the base with
// the network's parameters set (the random-draw index "draw" is not a
// configuration field).
func (s *Spec) Config(i int) map[string]any {
	c := cloneMap(s.Base)
	for k, v := range s.Params(i) {
		if k == "draw" && s.Random != nil {
			continue
		}
		c[k] = v
	}
	return c
}

// Fields returns the names of the swept parameters in order (grid axes,
// then drawn fields and "draw").
func (s *Spec) Fields() []string {
	var f []string
	for _, ax := range s.Axes {
		f = append(f, ax.Field)
	}
	if s.Random != nil {
		for _, d := range s.Random.Dists {
			f = append(f, d.Field)
		}
		f = append(f, "draw")
	}
	return f
}

// Hash identifies the networks a specification expands to: the task, the
// analyses with their options and every network's configuration. Comments
// and layout do not change it.
func (s *Spec) Hash() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	enc.Encode([]any{s.Task, s.Analyses, s.Options, s.KeepMetrics, s.Base, s.Axes, s.Random})
	return hex.EncodeToString(h.Sum(nil))
}

// line returns the line where a dotted key ("grid.g", "base", "seeds") is
// defined, or 0.
func (s *Spec) line(key string) int {
	for k := key; k != ""; {
		if l, ok := s.lines[k]; ok {
			return l
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

var (
	specTableRe = regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_.\-" ]+?)\s*\]\s*(#.*)?$`)
	specKeyRe   = regexp.MustCompile(`^\s*([A-Za-z0-9_\-]+)\s*=`)
)

// specLines finds the line of every table header and of every key defined
// at the start of a line, as dotted names.
func specLines(src []byte) map[string]int {
	out := map[string]int{}
	table := ""
	depth := 0 // open brackets of a multi-line array
	for i, line := range bytes.Split(src, []byte("\n")) {
		l := string(line)
		if depth == 0 {
			if m := specTableRe.FindStringSubmatch(l); m != nil {
				table = strings.ReplaceAll(strings.ReplaceAll(m[1], `"`, ""), " ", "")
				if _, ok := out[table]; !ok {
					out[table] = i + 1
				}
				continue
			}
			if m := specKeyRe.FindStringSubmatch(l); m != nil {
				k := m[1]
				if table != "" {
					k = table + "." + k
				}
				if _, ok := out[k]; !ok {
					out[k] = i + 1
				}
			}
		}
		if c := strings.IndexByte(l, '#'); c >= 0 && !strings.ContainsAny(l[:c], `"'`) {
			l = l[:c]
		}
		depth += strings.Count(l, "[") - strings.Count(l, "]")
		if depth < 0 {
			depth = 0
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

func cloneMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
