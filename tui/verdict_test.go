package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/analysis"
	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// fastNet is a random rate network with g = 0.1, whose only fixed point,
// the origin, attracts every state quickly.
func fastNet(t testing.TB) *saved.Network {
	t.Helper()
	net, err := model.RandomSussilloAbbott(12, 1, 0.1, model.NewRNG(5, 0))
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(5)
	return &saved.Network{Net: net, Manifest: saved.Manifest{Seed: &seed}}
}

// verdictOf runs the verdict of network n's default protocol.
func verdictOf(t *testing.T, n *saved.Network) *analysis.VerdictResult {
	t.Helper()
	d, err := runVerdict(context.Background(), verdictJob{net: n.Net.Clone(), proto: ProtocolFor(n), file: n})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func evidence(t *testing.T, d *analysis.VerdictResult, name string) float64 {
	t.Helper()
	v, ok := d.Main.Value(name)
	if !ok {
		t.Fatalf("no evidence %q in %s", name, d.Main)
	}
	return v
}

// The FORCE sine generator of the gallery ends on a limit cycle, and the
// stable random network (g = 0.8) at its one fixed point from every
// condition; both are described by their end behaviour, which says it is
// not a published classifier.
func TestVerdictEndBehaviour(t *testing.T) {
	g := testGallery(t)
	sine, err := g[entrySine].Load()
	if err != nil {
		t.Fatal(err)
	}
	d := verdictOf(t, sine)
	if d.Main.Label != "limit cycle" || evidence(t, d, "ends_lc") != 1 {
		t.Errorf("sine generator: %s", d.Main)
	}
	if p := evidence(t, d, "lc_period_mean"); p < 18 || p > 22 {
		t.Errorf("sine generator: period %v, want about the target's 20", p)
	}
	if !strings.Contains(d.Main.Scheme, "not a published classifier") {
		t.Errorf("scheme %q does not say it is a description", d.Main.Scheme)
	}
	// g = 0.8: every mode decays, the slowest with a time constant of
	// about 65 time units, so the generic protocol's ten 100-unit holds
	// settle it at the origin from every condition; g = 0.1 decays about
	// nine times faster.
	for name, n := range map[string]*saved.Network{"stable": freeNet(t), "fast": fastNet(t)} {
		d = verdictOf(t, n)
		k := len(ProtocolFor(n).Conditions)
		if want := fmt.Sprintf("fixed points (1 distinct for %d conditions)", k); d.Main.Label != want {
			t.Errorf("%s network: %s; want %q", name, d.Main, want)
		}
	}
}

// A DCDT network goes to Kurtkaya's classifier; an untrained one, whose
// accuracy history stays at chance, is unable to learn.
func TestVerdictKurtkaya(t *testing.T) {
	n := taskNet(t, "dcdt", nil)
	n.Manifest.History = []saved.HistoryPoint{{Step: 1, Accuracy: 0.5}, {Step: 2, Accuracy: 0.45}}
	d := verdictOf(t, n)
	if d.Main.Scheme != "kurtkaya sort_data" || d.Main.Label != "unable to learn" {
		t.Errorf("untrained DCDT network: %s", d.Main)
	}
}

// An SPM network goes to Ghazizadeh & Ching's classifier with the memory
// states of its 16 trials (4 types from 4 initial conditions), and the
// authors' code classifier beside.
func TestVerdictGhazizadeh(t *testing.T) {
	if testing.Short() {
		t.Skip("forward simulation of 168 probes; skipped with -short")
	}
	d := verdictOf(t, taskNet(t, "spm", nil))
	if !strings.HasPrefix(d.Main.Scheme, "ghazizadeh") {
		t.Fatalf("scheme %q", d.Main.Scheme)
	}
	switch d.Main.Label {
	case "DFP", "IFP", "LC", "Mix":
	default:
		t.Errorf("label %q, want DFP, IFP, LC or Mix", d.Main.Label)
	}
	if m := evidence(t, d, "memory_probes"); m != 16 {
		t.Errorf("%v memory probes, want 16", m)
	}
	if c := evidence(t, d, "memory_conditions"); c != 2 {
		t.Errorf("%v memory conditions, want 2 (the first digit)", c)
	}
	if d.Beside == nil {
		t.Error("no code classifier beside")
	}
}

// The pane shows the label, evidence and thresholds once the verdict
// arrives, and says it is computing before.
func TestVerdictPane(t *testing.T) {
	c := testContext(t)
	m := New(c, "fast", fastNet(t))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Init()
	analysed(t, m)
	if v := m.View(); !strings.Contains(v, "computing the mechanism verdict") {
		t.Errorf("before the verdict the pane does not say it is computing:\n%s", v)
	}
	d := verdictOf(t, m.s.file)
	m.Update(verdictMsg{gen: m.gen - 1, data: d})
	if strings.Contains(m.View(), "Verdict: fixed points") {
		t.Error("a stale verdict was shown")
	}
	_, cmd := m.Update(verdictMsg{gen: m.gen, data: d})
	if !strings.Contains(ansi.Strip(m.View()), "assembling the report") {
		t.Errorf("with the verdict and no report the pane does not say the report is coming:\n%s", m.View())
	}
	feed(m, cmd) // the report
	v := m.View()
	conds := fmt.Sprintf("evidence: conditions %d", len(m.s.proto.Conditions))
	for _, want := range []string{"Mechanism verdict", "Verdict: fixed points (1 distinct", conds, "thresholds: var_tol", "fixed points:", "Census: "} {
		if !strings.Contains(v, want) {
			t.Errorf("pane lacks %q:\n%s", want, v)
		}
	}
	if m.s.analysing != "" {
		t.Errorf("still analysing %q after the verdict", m.s.analysing)
	}
}

// e explains the verdict in plain words: what the label means, where the
// classifier comes from, each measured number and threshold with its
// value, and the glossary; at 80×24 the text scrolls with ↓ and e returns.
func TestVerdictExplain(t *testing.T) {
	c := testContext(t)
	m := New(c, "fast", fastNet(t))
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Init()
	analysed(t, m)
	d := verdictOf(t, m.s.file)
	m.Update(verdictMsg{gen: m.gen, data: d})
	press(m, "e")
	if m.focus != paneVerdict {
		t.Errorf("e left the focus on pane %d", m.focus)
	}
	text := ansi.Strip(m.s.explainText(m.ctx.Styles))
	want := []string{"Verdict " + d.Main.Label, "Means: every condition ends on a fixed point", "From: attractor's own check",
		"var_tol = " + verdictNum(d.Main.Thresholds[0].Value), "variance below this counts as settled",
		"ends_fp = ", "conditions ending on a fixed point"}
	for _, g := range verdictGlossary {
		want = append(want, g.label+": ")
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the explanation lacks %q:\n%s", w, text)
		}
	}
	top := ansi.Strip(m.View())
	if !strings.Contains(top, "Verdict explained") || !strings.Contains(top, "Verdict "+d.Main.Label) {
		t.Errorf("after e the pane does not show the explanation:\n%s", top)
	}
	press(m, "pgdown")
	if got := ansi.Strip(m.View()); got == top || m.verdict.vp.YOffset == 0 {
		t.Errorf("pgdown did not scroll the explanation (offset %d)", m.verdict.vp.YOffset)
	}
	press(m, "e")
	if v := ansi.Strip(m.View()); strings.Contains(v, "Verdict explained") || !strings.Contains(v, "Mechanism verdict") {
		t.Errorf("a second e did not return to the verdict:\n%s", v)
	}
}

// A click focuses the pane under the mouse; the wheel over the verdict
// pane scrolls it.
func TestMouse(t *testing.T) {
	m := newTestModel(t, entrySine, 80, 24)
	m.Update(verdictMsg{gen: m.gen, data: verdictOf(t, m.s.file)})
	m.View()
	for _, id := range []paneID{paneVerdict, paneFiles, paneEigen, paneTraining, panePortrait} {
		r := m.rects[id]
		m.Update(tea.MouseMsg{X: r.x + r.w/2, Y: r.y + r.h/2, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
		if m.focus != id {
			t.Errorf("a click at (%d,%d) focused pane %d, want %d", r.x+r.w/2, r.y+r.h/2, m.focus, id)
		}
	}
	r := m.rects[paneVerdict]
	m.Update(tea.MouseMsg{X: r.x + 1, Y: r.y + 1, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft})
	m.Update(tea.MouseMsg{X: r.x + 1, Y: r.y + 1, Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if m.verdict.vp.YOffset == 0 {
		t.Error("the wheel did not scroll the verdict pane")
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "▶ Mechanism verdict") {
		t.Errorf("the clicked verdict pane is not marked focused:\n%s", v)
	}
}

func init() {
	keyTests["e"] = TestVerdictExplain
	keyTests["pgdn"] = testVerdictScroll
	keyTests["pgup"] = testVerdictScroll
}

// With the verdict pane focused, pgdn and ↓ scroll its text (and leave the
// network list alone); pgup scrolls back to the top.
func testVerdictScroll(t *testing.T) {
	m := newTestModel(t, entrySine, 80, 24)
	m.Update(verdictMsg{gen: m.gen, data: verdictOf(t, m.s.file)})
	m.focusPane(paneVerdict)
	m.View()
	cursor := m.files.cursor
	press(m, "pgdown")
	down := m.verdict.vp.YOffset
	press(m, "down")
	if down == 0 || m.verdict.vp.YOffset != down+1 || m.files.cursor != cursor {
		t.Errorf("pgdn then ↓: offsets %d, %d, list cursor %d→%d", down, m.verdict.vp.YOffset, cursor, m.files.cursor)
	}
	if !strings.Contains(ansi.Strip(m.View()), "% ↑↓") {
		t.Error("the scrolled pane's title does not say where it is")
	}
	press(m, "pgup")
	press(m, "pgup")
	if m.verdict.vp.YOffset != 0 {
		t.Errorf("pgup did not return to the top: offset %d", m.verdict.vp.YOffset)
	}
}

// The verdict refines in place: on a pattern-matching network (the
// Ghazizadeh classifier, which runs noisy copies of every probe) the quick
// pass's verdict shows first, marked provisional; the full pass's replaces
// it, final, and the report assembled from it and the census follows; a
// quick pass arriving late, or a stale generation's verdict, changes
// nothing. The census and the full pass start only once the quick pass is
// in, so that it has the processors to itself. The test drives the model
// with the messages of the stages, in order, not with a clock.
func TestVerdictRefines(t *testing.T) {
	n := taskNet(t, "spm", nil)
	c := testContext(t)
	m := New(c, "spm", n)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	m.Init()
	if !hasQuickPass(&m.s.proto) {
		t.Fatalf("the spm protocol (scheme %v) runs no quick pass", m.s.proto.Scheme)
	}
	if fp := ProtocolFor(fastNet(t)); hasQuickPass(&fp) {
		t.Error("the generic protocol runs a quick pass")
	}
	analysed(t, m)
	if m.stage2 {
		t.Error("the census and the full verdict pass started before the quick pass was in")
	}
	pane := func() string {
		m.verdict.vp.Height = 1000 // the whole text
		return ansi.Strip(m.verdict.vp.View())
	}
	m.View()
	if v := pane(); !strings.Contains(v, "computing the mechanism verdict") {
		t.Errorf("before any verdict:\n%s", v)
	}
	quick, err := runVerdict(context.Background(), verdictJob{net: n.Net.Clone(), proto: m.s.proto, file: n, quick: true})
	if err != nil {
		t.Fatal(err)
	}
	full, err := runVerdict(context.Background(), verdictJob{net: n.Net.Clone(), proto: m.s.proto, file: n})
	if err != nil {
		t.Fatal(err)
	}
	if q, f := evidence(t, quick, "probes"), evidence(t, full, "probes"); q >= f {
		t.Errorf("the quick pass runs %v probes, the full one %v", q, f)
	}

	_, cmd := m.Update(verdictMsg{gen: m.gen, data: quick, provisional: true})
	m.View()
	v := pane()
	for _, want := range []string{"Verdict: " + quick.Main.Label, "provisional", "refining", "evidence: probes " + verdictNum(evidence(t, quick, "probes"))} {
		if !strings.Contains(v, want) {
			t.Errorf("after the quick pass the pane lacks %q:\n%s", want, v)
		}
	}
	if cmd == nil || !m.stage2 || m.s.report != nil || !strings.Contains(m.s.analysing, "mechanism verdict") {
		t.Errorf("after the quick pass: census and full pass started %v (command %v), report %v, analysing %q", m.stage2, cmd != nil, m.s.report != nil, m.s.analysing)
	}
	if e := ansi.Strip(m.s.explainText(m.ctx.Styles)); !strings.HasPrefix(e, "Provisional") {
		t.Errorf("the explanation of the quick pass does not say it is provisional:\n%s", e)
	}

	m.Update(verdictMsg{gen: m.gen - 1, data: full})
	if m.s.verdictFinal {
		t.Error("a stale generation's verdict was taken as final")
	}
	_, cmd = m.Update(verdictMsg{gen: m.gen, data: full})
	m.View()
	v = pane()
	if !strings.Contains(v, "Verdict: "+full.Main.Label) || !strings.Contains(v, "final · assembling the report") || strings.Contains(v, "provisional") {
		t.Errorf("after the full pass:\n%s", v)
	}
	if cmd == nil {
		t.Fatal("the final verdict does not start the report")
	}
	// A quick pass that arrives after the full one is dropped.
	late := *quick
	late.Main = &inspect.Verdict{Label: "late quick label", Scheme: quick.Main.Scheme}
	m.Update(verdictMsg{gen: m.gen, data: &late, provisional: true})
	if m.s.verdict != full {
		t.Error("a quick pass arriving after the full one replaced it")
	}

	msgs := feed(m, cmd)
	if len(msgs) != 1 {
		t.Fatalf("the report command gave %d messages", len(msgs))
	}
	if rm, ok := msgs[0].(reportMsg); !ok || rm.err != nil {
		t.Fatalf("the report command gave %#v", msgs[0])
	}
	r := m.s.report
	if r == nil || !m.s.reportFinal || r.Verdict == nil || r.Verdict.Label != full.Main.Label || m.s.analysing != "" {
		t.Fatalf("after the report: report %v, final %v, analysing %q", r != nil, m.s.reportFinal, m.s.analysing)
	}
	m.View()
	v = pane()
	want := []string{"Verdict: " + r.Verdict.Label, "final", coverageText(r.Coverage),
		fmt.Sprintf("%d fixed points:", len(r.FixedPoints)), fmt.Sprintf("searched from %d states", r.Search.Inits)}
	for _, th := range r.Verdict.Thresholds {
		want = append(want, th.Name+" "+verdictNum(th.Value))
	}
	for _, w := range want {
		if !strings.Contains(strings.ReplaceAll(v, "\n", " "), w) {
			t.Errorf("the final pane lacks the report's %q:\n%s", w, v)
		}
	}
	if strings.Contains(v, "provisional") || strings.Contains(v, "assembling") {
		t.Errorf("the final pane still says it is refining:\n%s", v)
	}
}

// The report's cycles show with their period in the report's unit,
// amplitude and probes; its basin fractions with their intervals; a
// probe name from a file is shown with its escape sequences visible.
func TestReportCyclesAndBasins(t *testing.T) {
	ra, ly := 0.98, -0.002
	cs := []analysis.Cycle{{Period: 20, PeriodSteps: 20, Unit: "steps", Amplitude: 0.41, ReadoutAmplitude: &ra, Lyapunov: &ly,
		Probes: []string{"pulse \x1b[31m+", "b", "c", "d", "e"}, Floquet: [][2]float64{{1, 0}, {0.3, 0.4}}}}
	got := cyclesText(cs)
	for _, w := range []string{"Limit cycle 1: period 20 steps (20 steps)", "amplitude 0.41 state units", "readout amplitude 0.98",
		"largest Lyapunov exponent -0.002 per step", "largest Floquet |μ| (1, 0.5)", "and 1 more"} {
		if !strings.Contains(got, w) {
			t.Errorf("cycle line lacks %q: %s", w, got)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("an escape sequence from a probe name reached the pane: %q", got)
	}
	br := &inspect.BasinReport{Confidence: 0.95, Trajectory: inspect.BasinSet{Starts: "trajectories", N: 100,
		Fractions: []inspect.BasinFraction{{Label: "P1", ID: 1, Count: 60, Fraction: 0.6, Low: 0.5, High: 0.69}},
		Other:     inspect.BasinFraction{Label: "other", Count: 40, Fraction: 0.4, Low: 0.31, High: 0.5}},
		Noise: []inspect.BasinSet{{Starts: "trajectories+noise", Width: 0.1, N: 100}}}
	got = basinsText(br)
	for _, w := range []string{"Basin fractions (95 % Wilson intervals)", "trajectories (100): P1 0.60 [0.50, 0.69] other 0.40 [0.31, 0.50]",
		"trajectories+noise σ=0.1 (100):"} {
		if !strings.Contains(got, w) {
			t.Errorf("basin lines lack %q:\n%s", w, got)
		}
	}
	if basinsText(nil) != "" {
		t.Error("a report without basins shows basin lines")
	}
}

// When the full pass fails after the quick one, the pane keeps the quick
// verdict, says it stays provisional and why, and the report of the
// census alone follows.
func TestVerdictFullPassFails(t *testing.T) {
	c := testContext(t)
	m := New(c, "fast", fastNet(t))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	m.Init()
	analysed(t, m)
	quick := &analysis.VerdictResult{Main: &inspect.Verdict{Label: "quick label", Scheme: "test"}}
	m.Update(verdictMsg{gen: m.gen, data: quick, provisional: true})
	_, cmd := m.Update(verdictMsg{gen: m.gen, err: errors.New("full pass \x1b[2Jbroke")})
	feed(m, cmd)
	m.verdict.vp.Height = 1000
	m.View()
	v := strings.Join(strings.Fields(ansi.Strip(m.verdict.vp.View())), " ") // unwrapped
	if !strings.Contains(v, "Verdict: quick label") || !strings.Contains(v, "the full pass failed: full pass") || strings.Contains(v, "\x1b[2J") {
		t.Errorf("after a failed full pass:\n%q", v)
	}
	if m.s.report == nil || m.s.report.Verdict != nil || !m.s.reportFinal || m.s.analysing != "" {
		t.Errorf("report %v (with a verdict: %v), analysing %q", m.s.report != nil, m.s.report != nil && m.s.report.Verdict != nil, m.s.analysing)
	}
}

// While a verdict pass computes, the pane shows its progress as its
// workers report it, redrawn by progressMsg, which stops once no pass
// computes; a stale generation's redraw changes nothing.
func TestVerdictProgress(t *testing.T) {
	c := testContext(t)
	m := New(c, "spm", taskNet(t, "spm", nil))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	m.startAnalysis() // the commands are not run: the test plays the workers
	p := m.s.progress
	if p == nil || !m.ticking {
		t.Fatalf("the quick pass has no progress (%v) or no redraws (%v)", p != nil, m.ticking)
	}
	p.begin()
	p.set("probes", 3, 20)
	if _, cmd := m.Update(progressMsg{gen: m.gen}); cmd == nil {
		t.Error("the redraws stopped while the pass computes")
	}
	m.verdict.vp.Height = 1000
	m.View()
	if v := ansi.Strip(m.verdict.vp.View()); !strings.Contains(v, "computing the mechanism verdict… probes 3/20") {
		t.Errorf("the pane does not show the progress:\n%s", v)
	}
	if _, cmd := m.Update(progressMsg{gen: m.gen - 1}); cmd != nil {
		t.Error("a stale generation's redraw went on")
	}
	p.end()
	if _, cmd := m.Update(progressMsg{gen: m.gen}); cmd != nil || m.ticking {
		t.Error("the redraws went on after the pass ended")
	}
}
