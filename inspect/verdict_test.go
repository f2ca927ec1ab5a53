package inspect

import (
	"context"
	"encoding/json"
	"math"
	"math/cmplx"
	"strings"
	"testing"
)

// vdtGhazizadeh runs the verdict on a low-rank network with the one-bit
// memory trials of vdtTrials and fast settings.
func vdtGhazizadeh(t *testing.T, a []float64, lambda float64, trials []Trial) *GhazizadehResult {
	t.Helper()
	net, _ := vdtLowRank(t, 64, a)
	mem, ends, err := TrialProbes(context.Background(), net, trials)
	if err != nil {
		t.Fatal(err)
	}
	states, err := TrialStates(context.Background(), net, trials, 10, func(tr *Trial) StepWindow { return tr.Delay })
	if err != nil {
		t.Fatal(err)
	}
	res, err := GhazizadehVerdict(context.Background(), net, GhazizadehInput{
		Memory: mem, Ends: ends, TrialSteps: 300, Encodings: []float64{0.5}, DelayStates: states,
	}, &GhazizadehSettings{Copies: 2, NoiseIC: 0.05, Code: CodeSettings{Copies: 3, RunTrials: 5}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestGhazizadehDFP(t *testing.T) {
	res := vdtGhazizadeh(t, []float64{2}, 2, vdtTrials(64, 2))
	v := res.Verdict
	if v.Label != "DFP" {
		t.Fatalf("bistable memory: %v", v)
	}
	if d, _ := v.Value("max_memory_drift"); d > 0.05 {
		t.Errorf("memory drift %v, want < ε_DFP = 0.05 (the memory state is next to the fixed point)", d)
	}
	if n, _ := v.Value("distinct_fixed_points"); n != 2 {
		t.Errorf("%v distinct fixed points, want 2 (±κ* m)", n)
	}
	// The refined fixed points are stable, with the slow mode λ(1 − tanh²κ*) − 1.
	want := 2*(1-math.Pow(math.Tanh(vdtKappa(2)), 2)) - 1
	for _, p := range res.FixedPoints.Points {
		if p.Kind != Stable || cmplx.Abs(p.Eigenvalues.Leading()-complex(want, 0)) > 1e-6 {
			t.Errorf("point kind %v leading %v, want stable with %v", p.Kind, p.Eigenvalues.Leading(), want)
		}
	}
	// Two encodings' worth of fixed points (MinFP = 2): the code says fixedPoint.
	if res.Code == nil || res.Code.Label != "fixedPoint" {
		t.Errorf("code classifier: %v", res.Code)
	}
	if res.Slow == nil || res.Slow.BelowQSlow < 2 {
		t.Errorf("slow-manifold report %+v", res.Slow)
	}
	if !strings.Contains(v.String(), "DFP") {
		t.Errorf("String lacks the label: %s", v)
	}
}

func TestGhazizadehIFP(t *testing.T) {
	// λ = 0.5: the only attractor is the origin; both memories decay to it.
	res := vdtGhazizadeh(t, []float64{0.5}, 0.5, vdtTrials(64, 0.5))
	v := res.Verdict
	if v.Label != "IFP" {
		t.Fatalf("decaying memory: %v", v)
	}
	if n, _ := v.Value("distinct_fixed_points"); n != 1 {
		t.Errorf("%v distinct fixed points, want 1", n)
	}
	if res.Code.Label != "manifoldFps" {
		t.Errorf("code classifier: %v", res.Code)
	}
}

func TestGhazizadehLC(t *testing.T) {
	trials := vdtTrials(64, 2)
	res := vdtGhazizadeh(t, []float64{1.6, -1.2, 1.2, 1.6}, 0, trials)
	if res.Verdict.Label != "LC" {
		t.Fatalf("rank-2 oscillator: %v", res.Verdict)
	}
	if p, ok := res.Verdict.Value("lc_period_median"); !ok || math.Abs(p-vdtReducedPeriod([]float64{1.6, -1.2, 1.2, 1.6}, 0.1)) > 0.05 {
		t.Errorf("period %v", p)
	}
	if res.Code.Label != "limitCycle" {
		t.Errorf("code classifier: %v", res.Code)
	}
}

func TestCodeAttractorType(t *testing.T) {
	enc := []float64{0.5, 1, 1.5}
	fp := func(finals ...float64) []CodeRun {
		var r []CodeRun
		for _, f := range finals {
			r = append(r, CodeRun{Var: 1e-12, Mean: f, Final: f})
		}
		return r
	}
	osc := func(means ...float64) []CodeRun {
		var r []CodeRun
		for _, m := range means {
			r = append(r, CodeRun{Var: 0.1, Mean: m, Final: m})
		}
		return r
	}
	cases := []struct {
		name string
		runs []CodeRun
		s    *CodeSettings
		want string
	}{
		{"six FPs", fp(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), nil, "fixedPoint"},
		{"six FPs up to rounding", fp(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6+4e-6), nil, "fixedPoint"},
		{"five FPs, duplicates below 1e-4", fp(0.1, 0.2, 0.3, 0.4, 0.5, 0.5+2e-5), nil, "manifoldFps"},
		{"one FP", fp(1, 1, 1), nil, "manifoldFps"},
		{"all means distinct", osc(0.1, 0.2, 0.3), nil, "limitCycle"},
		{"some shared, far", append(osc(0.3, 0.3), CodeRun{Var: 0, Mean: 4.1, Final: 4.1}), nil, "far_someFPs"},
		{"some shared, near", append(osc(0.3, 0.7), fp(1, 1)...), nil, "both"},
		{"nozero: 3 FPs at 2 decimals", fp(0.101, 0.2, 0.3, 0.104), ptr(CodeNoZero()), "fixedPoint"},
		{"nozero: 2 FPs", fp(0.101, 0.2, 0.104, 0.199), ptr(CodeNoZero()), "manifoldFps"},
		{"nozero: var 1e-7 counts as fixed", []CodeRun{{1e-7, 0.1, 0.1}, {1e-7, 0.2, 0.2}, {1e-7, 0.3, 0.3}}, ptr(CodeNoZero()), "fixedPoint"},
		{"diverged run", []CodeRun{{math.NaN(), math.NaN(), math.NaN()}, {0, 1, 1}, {0, 1, 1}}, nil, "far_someFPs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := CodeAttractorType(c.runs, enc, c.s)
			if v.Label != c.want {
				t.Errorf("label %q, want %q\n%v", v.Label, c.want, v)
			}
		})
	}
	if CodeLabelMechanism("manifoldFps") != "IFP" || CodeLabelMechanism("both") != "Mix" {
		t.Error("label mapping")
	}
}

func ptr[T any](v T) *T { return &v }

// vdtRhoRank1 is ρ from the closed form for the sign pattern s_t =
// sign(Y_t1 − Y_t2): C = s sᵀ, so fft2(C)[k, l] = S_k S_l with S the DFT
// of s (computed here by a direct O(T²) sum), and the shifted disk holds
// the frequencies with (k')² + (l')² ≤ r², k' the signed frequency.
func vdtRhoRank1(s []float64, r float64) float64 {
	T := len(s)
	p := make([]float64, T)
	for k := 0; k < T; k++ {
		var re, im float64
		for t, v := range s {
			a := -2 * math.Pi * float64(k*t) / float64(T)
			re += v * math.Cos(a)
			im += v * math.Sin(a)
		}
		p[k] = re*re + im*im
	}
	signed := func(k int) int {
		// fftshift puts frequency k at (k + T/2) mod T; its offset from the
		// centre T/2 is ((k + T/2) mod T) − T/2.
		return (k+T/2)%T - T/2
	}
	var in, tot float64
	for k := 0; k < T; k++ {
		for l := 0; l < T; l++ {
			v := p[k] * p[l]
			tot += v
			a, b := float64(signed(k)), float64(signed(l))
			if a*a+b*b <= r*r {
				in += v
			}
		}
	}
	return in / tot
}

func TestPSDRatio(t *testing.T) {
	for _, T := range []int{216, 215} {
		osc := make([][2]float64, T)
		drift := make([][2]float64, T)
		step := make([][2]float64, T)
		for i := range osc {
			ph := 2 * math.Pi * (float64(i) + 0.3) / 40
			osc[i] = [2]float64{math.Cos(ph), math.Sin(ph)}
			drift[i] = [2]float64{float64(i) / float64(T), -1 + 0.1*float64(i)/float64(T)}
			step[i] = [2]float64{(float64(i)+0.25)/float64(T) - 0.5, 0}
		}
		signs := func(y [][2]float64) []float64 {
			s := make([]float64, len(y))
			for i, r := range y {
				s[i] = math.Copysign(1, r[0]-r[1])
			}
			return s
		}
		rOsc := PSDRatio(osc, 3)
		if !(rOsc < 0.5) {
			t.Errorf("T = %d: oscillation ρ = %v, want < 0.5", T, rOsc)
		}
		if want := vdtRhoRank1(signs(osc), 3); math.Abs(rOsc-want) > 1e-9 {
			t.Errorf("T = %d: oscillation ρ = %v, closed form %v", T, rOsc, want)
		}
		if r := PSDRatio(drift, 3); math.Abs(r-1) > 1e-12 {
			t.Errorf("T = %d: monotone drift (constant sign) ρ = %v, want 1", T, r)
		}
		rStep := PSDRatio(step, 3)
		if !(rStep >= 0.5) {
			t.Errorf("T = %d: one sign change ρ = %v, want ≥ 0.5", T, rStep)
		}
		if want := vdtRhoRank1(signs(step), 3); math.Abs(rStep-want) > 1e-9 {
			t.Errorf("T = %d: step ρ = %v, closed form %v", T, rStep, want)
		}
	}
	// A row with equal values has no correlation coefficient: ρ is NaN.
	y := [][2]float64{{1, 1}, {0, 1}, {1, 0}, {2, 0}}
	if r := PSDRatio(y, 3); !math.IsNaN(r) {
		t.Errorf("constant row: ρ = %v, want NaN", r)
	}
}

func TestKurtkayaLearning(t *testing.T) {
	ones := func(n int, v float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	// Never reaches 0.8: class 0.
	g := KurtkayaLearning(ones(100, 0.7), ones(100, 0.7), nil)
	if g.Learned || g.Class != 0 || g.EStar != -1 {
		t.Errorf("never learned: %+v", g)
	}
	// Learns at epoch 10, stays: learned.
	acc := append(ones(10, 0.5), ones(90, 0.95)...)
	g = KurtkayaLearning(acc, acc, nil)
	if !g.Learned || g.EStar != 10 || g.StabRatio != 0 || g.Class != -1 {
		t.Errorf("stable learner: %+v", g)
	}
	// Learns at 10, then 10 of the 90 later epochs dip to 0.3: ratio
	// (10 + 10)/(80 + 80) = 0.125 ≥ 0.1 ⇒ unstable (class 3) although the
	// final accuracy is high.
	acc2 := append([]float64(nil), acc...)
	for e := 30; e < 40; e++ {
		acc2[e] = 0.3
	}
	g = KurtkayaLearning(acc2, acc2, nil)
	if g.Learned || g.Class != 3 || math.Abs(g.StabRatio-0.125) > 1e-12 {
		t.Errorf("unstable learner: %+v", g)
	}
	// Reached but the final 10 % average is 0.75: class 0.
	acc3 := append([]float64(nil), acc...)
	for e := 90; e < 100; e++ {
		acc3[e] = 0.75
	}
	g = KurtkayaLearning(acc3, acc3, nil)
	if g.Learned || g.Class != 0 || math.Abs(g.FinalAcc-0.75) > 1e-12 {
		t.Errorf("forgot at the end: %+v", g)
	}
	// Five epochs: int(0.5) = 0 ⇒ numpy's a[-0:] averages all of them.
	g = KurtkayaLearning([]float64{0.9, 0.9, 0.9, 0.9, 0.4}, nil, nil)
	if math.Abs(g.FinalAcc-0.8) > 1e-12 || g.Learned {
		t.Errorf("short series: %+v", g)
	}
}

func TestKurtkayaVerdict(t *testing.T) {
	trials := vdtTrials(64, 2)
	tr := trials[0]
	tr.Inputs = tr.Inputs[:120]
	tr.Score = StepWindow{100, 120}
	learned := make([]float64, 50)
	for i := range learned {
		learned[i] = 0.95
	}
	for _, c := range []struct {
		a    []float64
		want string
	}{{[]float64{1.6, -1.2, 1.2, 1.6}, "LC"}, {[]float64{2}, "SP"}} {
		net, _ := vdtLowRank(t, 64, c.a)
		res, err := KurtkayaVerdict(context.Background(), net, &tr, learned, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict.Label != c.want {
			t.Errorf("A = %v: %v", c.a, res.Verdict)
		}
		if c.want == "LC" && !(res.OscRMS > 0.1 && res.End.Kind == EndLimitCycle) {
			t.Errorf("LC net: oscillation RMS %v, end %v", res.OscRMS, res.End.Kind)
		}
		t.Logf("A = %v: ρ = %.4f, osc RMS %.3g, end %v", c.a, res.Rho, res.OscRMS, res.End.Kind)
	}
	net, _ := vdtLowRank(t, 64, []float64{2})
	res, err := KurtkayaVerdict(context.Background(), net, &tr, make([]float64, 20), nil, nil)
	if err != nil || res.Verdict.Label != "unable to learn" {
		t.Errorf("unlearned: %v %v", res.Verdict, err)
	}
}

func TestVerdictJSON(t *testing.T) {
	v := &Verdict{Scheme: "s", Label: "IFP"}
	v.add("rho", math.NaN(), "")
	v.add("n", 3, "")
	v.threshold("eps", 0.05, "state units")
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	ev := m["evidence"].(map[string]any)
	if m["label"] != "IFP" || ev["rho"] != nil || ev["n"] != 3.0 || m["thresholds"].(map[string]any)["eps"] != 0.05 {
		t.Errorf("JSON %s", b)
	}
}

func TestNearAxisFraction(t *testing.T) {
	sp := Spectrum{Values: []complex128{-0.01, -0.04 + 1i, -0.5, -2}, Convention: ContinuousTime}
	if f := NearAxisFraction(sp, 0.05); f != 0.5 {
		t.Errorf("fraction %v, want 0.5", f)
	}
	dm := Spectrum{Values: []complex128{0.999, 0.5}, Convention: DiscreteMap, Dt: 0.1}
	if f := NearAxisFraction(dm, 0.05); f != 0.5 {
		t.Errorf("discrete fraction %v, want 0.5", f)
	}
}

// TestEarlyStopMatchesFullRun compares the default verdict, whose probes
// and code-classifier runs stop once settled, with the whole runs
// (AsymptoticSettings.FullRun) on the DFP, IFP and LC low-rank networks:
// the same labels, the same end kind for every probe, fixed points within
// TolUnique of each other, the same memory drift to 1e-6 and the same
// code-classifier finals at its 4 decimals.
func TestEarlyStopMatchesFullRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a      []float64
		lambda float64
	}{{"DFP", []float64{2}, 2}, {"IFP", []float64{0.5}, 0.5}, {"LC", []float64{1.6, -1.2, 1.2, 1.6}, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			net, _ := vdtLowRank(t, 64, tc.a)
			trials := vdtTrials(64, tc.lambda)
			mem, ends, err := TrialProbes(context.Background(), net, trials)
			if err != nil {
				t.Fatal(err)
			}
			run := func(full bool) *GhazizadehResult {
				s := &GhazizadehSettings{Copies: 2, NoiseIC: 0.05, Code: CodeSettings{Copies: 3, RunTrials: 20}}
				s.Asymptotic.FullRun = full
				res, err := GhazizadehVerdict(context.Background(), net, GhazizadehInput{
					Memory: mem, Ends: ends, TrialSteps: 300, Encodings: []float64{0.5}}, s)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			fast, full := run(false), run(true)
			if fast.Verdict.Label != full.Verdict.Label || fast.Code.Label != full.Code.Label {
				t.Fatalf("labels %s/%s, whole runs %s/%s", fast.Verdict.Label, fast.Code.Label, full.Verdict.Label, full.Code.Label)
			}
			settled := 0
			for i, p := range fast.Probes {
				q := full.Probes[i]
				if p.End.Kind != q.End.Kind {
					t.Errorf("probe %s: %v, whole run %v", p.Probe.Name, p.End.Kind, q.End.Kind)
				}
				if p.End.Settled {
					settled++
					if d := fpDist(p.End.X, q.End.X); d > 1e-3 {
						t.Errorf("probe %s stopped %g from where the whole run ends", p.Probe.Name, d)
					}
				}
				if math.Abs(p.End.MaxDrift-q.End.MaxDrift) > 1e-6 {
					t.Errorf("probe %s: drift %v, whole run %v", p.Probe.Name, p.End.MaxDrift, q.End.MaxDrift)
				}
			}
			for i, r := range fast.CodeRuns {
				if q := full.CodeRuns[i]; vdRound(r.Final, 4) != vdRound(q.Final, 4) || (r.Var < 1e-9) != (q.Var < 1e-9) {
					t.Errorf("code run %d: %+v, whole run %+v", i, r, q)
				}
			}
			if tc.name != "LC" && settled == 0 {
				t.Error("no probe stopped early: the comparison tested nothing")
			}
			t.Logf("%d of %d probes stopped early", settled, len(fast.Probes))
		})
	}
}
