package tui

import (
	"strings"

	"attractor/inspect"
)

// This file explains a verdict in plain words (key e): what the label
// means for the memory, which classifier gave it and where it comes from,
// what was measured and against which thresholds. Every number comes from
// the verdict the analysis package returned.

// verdictGlossary defines the verdict labels and the words used beside
// them; README.md has the same glossary.
var verdictGlossary = []struct{ label, meaning string }{
	{"DFP", "direct fixed point: the state stays within ε of where the cue left it; the memory is held by persistent activity at a fixed point"},
	{"IFP", "indirect fixed point: the state leaves the cue's representation and converges to a fixed point that is not it, the same for every stimulus; the memory is read from the path, not from a resting state, and fades over longer delays"},
	{"LC", "limit cycle: the state converges to a stable oscillation whose phase carries the timing; activity keeps repeating after the trial"},
	{"SP", "slow-point manifold (Kurtkaya): the state moves along slow points (ghosts) and then settles; nothing repeats after the trial"},
	{"Mix", "mixed: a fixed point or a limit cycle depending on the stimulus realisation"},
	{"unable", "unable to learn: the training record fails the learning gate, so no mechanism is named"},
	{"slow point", "a state where the flow is small but not zero (a local minimum of the speed q > 0)"},
	{"saddle", "a fixed point with at least one unstable direction: nearby states leave along it"},
	{"ghost", "the slow region left where a fixed point has just vanished: a slow point the state lingers at"},
}

// labelMeanings maps the labels of each classifier to a glossary entry.
var labelMeanings = map[string]string{
	"DFP": "DFP", "IFP": "IFP", "LC": "LC", "SP": "SP", "Mix": "Mix",
	"fixedPoint": "DFP", "manifoldFps": "IFP", "limitCycle": "LC", "both": "Mix",
	"unable to learn": "unable", "limit cycle": "LC", "mixed": "Mix",
}

// evidenceWords say in plain words what a measured number or threshold is.
var evidenceWords = map[string]string{
	"probes":                "trajectories started from the trial states",
	"memory_probes":         "probes started at the end of a cue (holding a memory)",
	"memory_conditions":     "items to remember",
	"probes_fp":             "probes that settled on a fixed point",
	"probes_lc":             "probes that settled on a limit cycle",
	"probes_other":          "probes that settled on neither",
	"probes_diverged":       "probes whose state became non-finite",
	"probes_extended":       "probes run longer because they had not settled",
	"memory_probes_fp":      "memory probes that settled on a fixed point",
	"max_memory_drift":      "largest distance a memory moved during the delay",
	"distinct_fixed_points": "different fixed points reached",
	"run":                   "how long each probe ran",
	"eps_dfp":               "drift below this counts as holding still (DFP)",
	"tol_unique":            "fixed points closer than this are one",
	"noise_ic":              "size of the noise on the starting states",
	"var_tol":               "variance below this counts as settled",
	"speed_tol":             "speed below this counts as at rest",
	"acf_peak":              "autocorrelation peak above this counts as periodic",
	"return_tol":            "an orbit returning within this counts as closed",
	"distinct_tol":          "end states closer than this are one",
	"conditions":            "trial conditions run to their end behaviour",
	"ends_fp":               "conditions ending on a fixed point",
	"ends_lc":               "conditions ending on a limit cycle",
	"ends_other":            "conditions ending on neither",
	"ends_diverged":         "conditions whose state became non-finite",
	"lc_period_mean":        "mean period of the cycles",
	"lc_period_median":      "median period of the cycles",
	"max_lyapunov":          "largest growth rate of small perturbations (negative: they shrink)",
	"max_var":               "largest variance of the output late in the run",
	"max_abs_mean":          "largest mean output late in the run",
	"n_fp":                  "distinct final states",
	"distinct_means":        "distinct mean outputs",
	"epochs":                "epochs in the training record",
	"e_star":                "epoch when learning stabilised",
	"stab_ratio":            "share of later epochs that stayed learned",
	"final_acc":             "final accuracy",
	"final_rel":             "final reliability",
	"rho":                   "share of the activity's power at low frequency in PC space (ρ < threshold: LC)",
	"output_osc_rms":        "RMS oscillation of the output",
	"settle_kind":           "what the free run settled on",
	"settle_period":         "period of the settled orbit",
}

// schemeSources say where a classifier comes from.
var schemeSources = []struct{ prefix, source string }{
	{"ghazizadeh §9", "Ghazizadeh & Ching, PLOS Comp Biol 17(9):e1009366 (2021), §9: forward simulation of probes from the trial states"},
	{"ghazizadeh code", "Ghazizadeh & Ching's published code (attractor_type), run on the same probes"},
	{"kurtkaya", "Kurtkaya et al., ICML 2025, their code's sort_data: a learning gate, then ρ (power ratio) in PC space"},
	{"end behaviour", "attractor's own check (science spec §9 step 2): where every condition ends; not a published classifier"},
}

// explainVerdict returns v in plain words, one fact a line.
func explainVerdict(st *Styles, v *inspect.Verdict) string {
	var b strings.Builder
	b.WriteString(st.Accent.Render("Verdict "+v.Label) + "\n")
	if g, ok := labelMeanings[v.Label]; ok {
		b.WriteString("Means: " + glossary(g) + "\n")
	} else if strings.HasPrefix(v.Label, "fixed points") {
		b.WriteString("Means: every condition ends on a fixed point; the memory is held by resting states\n")
	} else {
		b.WriteString("Means: no mechanism could be named (see the notes)\n")
	}
	src := v.Scheme
	for _, s := range schemeSources {
		if strings.HasPrefix(v.Scheme, s.prefix) {
			src = s.source
			break
		}
	}
	b.WriteString("From: " + src + "\n")
	if len(v.Evidence) > 0 {
		b.WriteString(st.Accent.Render("Measured:") + "\n")
		explainList(&b, v.Evidence)
	}
	if len(v.Thresholds) > 0 {
		b.WriteString(st.Accent.Render("Against the thresholds:") + "\n")
		explainList(&b, v.Thresholds)
	}
	for _, n := range v.Notes {
		b.WriteString("Note: " + n + "\n")
	}
	b.WriteString(st.Accent.Render("Labels:") + "\n")
	for _, g := range verdictGlossary {
		b.WriteString(g.label + ": " + g.meaning + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// glossary returns the meaning of label in the glossary.
func glossary(label string) string {
	for _, g := range verdictGlossary {
		if g.label == label {
			return g.meaning
		}
	}
	return label
}

// explainList writes each value with its unit and its meaning.
func explainList(b *strings.Builder, l []inspect.Named) {
	for _, e := range l {
		b.WriteString("  " + e.Name + " = " + verdictNum(e.Value))
		if e.Unit != "" {
			b.WriteString(" " + e.Unit)
		}
		if w, ok := evidenceWords[e.Name]; ok {
			b.WriteString(": " + w)
		}
		b.WriteByte('\n')
	}
}
