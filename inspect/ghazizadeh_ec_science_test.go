//go:build science

package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
	"attractor/train/task"
)

// ghzExemplar is one Ghazizadeh & Ching exemplar of the embedded gallery
// (tui/gallery, built by `attractor gallery build` from cli/gallery.go's
// recipes) and the §9 label its recipe name promises.
type ghzExemplar struct {
	file, label string
}

// ghzExemplars are the gallery's FORCE SPM exemplars.
var ghzExemplars = []ghzExemplar{
	{"01-ghazizadeh-dfp-g1.5-fb1.npz", "DFP"},
	{"02-ghazizadeh-ifp-g1.2-fb3.npz", "IFP"},
	{"03-ghazizadeh-lc-g1.3-fb3.npz", "LC"},
}

// ghzLoad reads a gallery network and the SPM task recorded in its
// manifest.
func ghzLoad(t *testing.T, file string) (*model.CTRNN, *task.SPM) {
	t.Helper()
	n, err := saved.ReadNative(filepath.Join("..", "tui", "gallery", file))
	if err != nil {
		t.Fatalf("the gallery exemplar %s: %v", file, err)
	}
	net, ok := n.Net.(*model.CTRNN)
	if !ok {
		t.Fatalf("%s: a %s, want a ctrnn", file, n.Net.Family())
	}
	spm := task.NewSPM()
	tk := struct {
		Name   string    `json:"name"`
		Config *task.SPM `json:"config"`
	}{Config: spm}
	if err := json.Unmarshal(n.Manifest.Task, &tk); err != nil || tk.Name != "spm" {
		t.Fatalf("%s: task %s: %v", file, n.Manifest.Task, err)
	}
	return net, spm
}

// ghzMeasures are the EC-18…EC-21 figures of one exemplar.
type ghzMeasures struct {
	label, code         string
	probes, probesFP    int
	ext, noiseU, noiseG *Curve
	sat, satResp, dJ    float64
	band                []float64
	bandPeak            int
	lyapMax             float64
}

// TestGhazizadehExemplarsEC18to21 runs the external checks EC-18…EC-21
// (science.md §8 D; §3.4(d)–(g)) on the gallery's DFP, IFP and LC
// exemplars (N = 300 FORCE networks trained by train/ with the restricted
// kernel, chosen by their verdict, see cli/gallery.go). The trials
// start, as train.TestSPM's, from the ends of trials run from the state at
// the end of training; the test retrains each network from its manifest
// (about 10 s each) and checks the readouts and that state are the file's. From the origin these networks answer some or all trials
// wrongly (they settle on the other, negative-output branch), so the
// origin-based initial conditions of the authors' code are not used here.
// Each network must get its §9 label on these trials, and answer all 16
// unperturbed. What the published claims say and what is asserted is
// written beside each check; every number is logged.
func TestGhazizadehExemplarsEC18to21(t *testing.T) {
	ctx := context.Background()
	stimVar := 0.25 // the digits' latent s.d. 0.5 (task.SPM.Std)
	// Δ up to 5× the nominal 5 τ delay 1.
	deltas := []float64{0, 1, 2.5, 5, 7.5, 10, 15, 20, 25}
	// Gaussian noise variance σ² from 0.04× to 36× the stimulus variance.
	gSigmas := []float64{0.1, 0.25, 0.35, 0.5, 0.75, 1, 1.58, 2, 3}
	// The code's uniform noise σ·U[0,1) + 0.5: variance σ²/12.
	uSigmas := []float64{0.1, 0.5, 1, 2, 5, 10, 20}
	got := map[string]*ghzMeasures{}
	for _, ex := range ghzExemplars {
		net, spm := ghzLoad(t, ex.file)
		if spm.Std != 0.5 {
			t.Fatalf("%s: digit s.d. %v, the test assumes 0.5", ex.file, spm.Std)
		}
		trials, _ := vdsTrials(t, net, spm, ghzEndState(t, ex.file, net)) // as train.TestSPM: from the end-of-training state
		for i := range trials {
			z, err := TrialScore(ctx, net, &trials[i])
			if err != nil {
				t.Fatal(err)
			}
			if e := math.Abs(z - trials[i].Target); e > 0.1 {
				t.Errorf("%s: %s answers %.3g, target %g", ex.file, trials[i].Name, z, trials[i].Target)
			}
		}
		mem, ends, err := TrialProbes(ctx, net, trials)
		if err != nil {
			t.Fatal(err)
		}
		res, err := GhazizadehVerdict(ctx, net, GhazizadehInput{Memory: mem, Ends: ends, TrialSteps: spm.TrialSteps(),
			Encodings: spm.Encoding[:]}, &GhazizadehSettings{Copies: 4, Seed: 1, Code: CodeSettings{Copies: 5, RunTrials: 20}})
		if err != nil {
			t.Fatal(err)
		}
		m := &ghzMeasures{label: res.Verdict.Label, code: res.Code.Label, probes: len(res.Probes), lyapMax: math.Inf(-1)}
		for _, p := range res.Probes {
			if p.End.Kind == EndFixedPoint {
				m.probesFP++
			}
			if !math.IsNaN(p.End.Lyapunov) {
				m.lyapMax = math.Max(m.lyapMax, p.End.Lyapunov)
			}
		}
		if m.label != ex.label {
			t.Errorf("%s: §9 verdict %s, its name says %s\n%s", ex.file, m.label, ex.label, res.Verdict)
		}
		if m.ext, err = ExtendDelayCurve(ctx, net, trials, deltas, nil); err != nil {
			t.Fatal(err)
		}
		if m.noiseU, err = NoiseCurve(ctx, net, trials, NoiseUniformOffset, uSigmas, nil); err != nil {
			t.Fatal(err)
		}
		if m.noiseG, err = NoiseCurve(ctx, net, trials, NoiseGaussian, gSigmas, nil); err != nil {
			t.Fatal(err)
		}
		if m.sat, err = SaturationRatio(ctx, net, trials, nil, 0.8); err != nil {
			t.Fatal(err)
		}
		if m.satResp, err = SaturationRatio(ctx, net, trials, func(tr *Trial) StepWindow {
			return StepWindow{tr.Steps() - spm.TrialSteps()/7, tr.Steps()}
		}, 0.8); err != nil {
			t.Fatal(err)
		}
		m.dJ = TrainedConnectivityNorm(net)
		order, err := PeakTimeOrder(ctx, net, trials)
		if err != nil {
			t.Fatal(err)
		}
		m.band = DiagonalBand(net.EffectiveJ(), order)
		for c := 1; c < len(m.band); c++ {
			if m.band[c] > m.band[m.bandPeak] {
				m.bandPeak = c
			}
		}
		got[ex.label] = m
		var b strings.Builder
		fmt.Fprintf(&b, "%s: §9 %s (%d of %d probes at fixed points, largest λ₁ %.3g), code %s\n", ex.file, m.label,
			m.probesFP, m.probes, m.lyapMax, m.code)
		fmt.Fprintf(&b, "EC-18 %sEC-19 (stimulus variance %g; Gaussian variance σ²) %sEC-19 (uniform variance σ²/12) %s",
			m.ext, stimVar, m.noiseG, m.noiseU)
		fmt.Fprintf(&b, "EC-20 saturation ratio delay 1 %.4f, response %.4f; ‖J_T − gJ‖_F %.4g; sorted-J_T band mean c=0..5 %.4g, peak at c = %d\n",
			m.sat, m.satResp, m.dJ, m.band[:6], m.bandPeak)
		t.Log(b.String())
	}
	dfp, ifp, lc := got["DFP"], got["IFP"], got["LC"]
	if dfp == nil || ifp == nil || lc == nil {
		t.Fatal("the DFP, IFP and LC exemplars are needed for the comparisons")
	}
	// EC-18 (published: DFP error < 0.01² for Δ up to 5× nominal; IFP
	// < 0.01² up to +100 %, rising beyond). Asserted: no DFP failure and
	// mean error < 1e-3 up to Δ = 25; the IFP error rises with Δ (×10 from
	// Δ = 1 to 25) and exceeds the DFP's at Δ = 25.
	for i, p := range dfp.ext.Points {
		q, r := ifp.ext.Points[i], lc.ext.Points[i]
		t.Logf("EC-18 Δ = %4g τ: mean (z_ext − z_nom)² DFP %.3g (%d failures), IFP %.3g (%d failures), LC %.3g (%d failures); published DFP < 1e-4 up to 25, IFP < 1e-4 up to 5 then rising, LC forgetful",
			p.X, p.Mean, p.Failures, q.Mean, q.Failures, r.Mean, r.Failures)
		if p.Failures > 0 || !(p.Mean < 1e-3) {
			t.Errorf("EC-18: DFP at Δ = %g: mean error %.3g, %d failures", p.X, p.Mean, p.Failures)
		}
	}
	last := len(deltas) - 1
	if e1, e25 := ifp.ext.Points[1].Mean, ifp.ext.Points[last].Mean; !(e25 > 10*e1 && e25 > dfp.ext.Points[last].Mean) {
		t.Errorf("EC-18: IFP error %.3g at Δ = 1, %.3g at Δ = 25 (DFP %.3g): no forgetting", e1, e25, dfp.ext.Points[last].Mean)
	}
	// EC-19 (published: DFP breaks down already below the stimulus
	// variance; IFP and LC tolerate > 10× it). Asserted with the code's
	// noise σ·U[0,1) + 0.5 (variance σ²/12): the DFP net fails more runs
	// than the IFP net and than the LC net at every σ ≤ 1 (variance ≤
	// 0.083 < 0.25). The Gaussian curves are logged.
	for i, p := range dfp.noiseU.Points {
		q, r := ifp.noiseU.Points[i], lc.noiseU.Points[i]
		t.Logf("EC-19 uniform σ = %g (variance %.3g = %.2g× stimulus): failures DFP %d/%d, IFP %d/%d, LC %d/%d; mean error DFP %.3g, IFP %.3g, LC %.3g",
			p.X, p.X*p.X/12, p.X*p.X/12/stimVar, p.Failures, p.N+p.Diverged, q.Failures, q.N+q.Diverged, r.Failures, r.N+r.Diverged, p.Mean, q.Mean, r.Mean)
		if p.X <= 1 && !(p.Failures > q.Failures && p.Failures > r.Failures) {
			t.Errorf("EC-19: uniform σ = %g: DFP fails %d runs, IFP %d, LC %d", p.X, p.Failures, q.Failures, r.Failures)
		}
	}
	for i, p := range dfp.noiseG.Points {
		q, r := ifp.noiseG.Points[i], lc.noiseG.Points[i]
		t.Logf("EC-19 Gaussian σ = %g (variance %.3g = %.2g× stimulus): failures DFP %d/%d, IFP %d/%d, LC %d/%d; mean error DFP %.3g, IFP %.3g, LC %.3g",
			p.X, p.X*p.X, p.X*p.X/stimVar, p.Failures, p.N+p.Diverged, q.Failures, q.N+q.Diverged, r.Failures, r.N+r.Diverged, p.Mean, q.Mean, r.Mean)
	}
	// EC-20 (published: saturation ratio and ‖J_T − gJ‖_F larger for DFP;
	// IFP sorted-J band peaks at small |i − j|). The first two asserted, the
	// band logged.
	t.Logf("EC-20 saturation ratio over delay 1: DFP %.4f, IFP %.4f, LC %.4f (published DFP > IFP, LC)", dfp.sat, ifp.sat, lc.sat)
	t.Logf("EC-20 ‖J_T − gJ‖_F: DFP %.4g, IFP %.4g, LC %.4g (published DFP > IFP)", dfp.dJ, ifp.dJ, lc.dJ)
	for _, m := range []*ghzMeasures{dfp, ifp, lc} {
		t.Logf("EC-20 %s sorted-J_T band: mean over c = 1…5 %.4g, over c > 5 %.4g, c = 0 %.4g, largest at c = %d (published IFP: peak near c = 0)",
			m.label, ghzMean(m.band[1:6]), ghzMean(m.band[6:]), m.band[0], m.bandPeak)
	}
	if !(dfp.sat > ifp.sat && dfp.sat > lc.sat) {
		t.Errorf("EC-20: saturation ratio DFP %.4f, IFP %.4f, LC %.4f: DFP not the largest", dfp.sat, ifp.sat, lc.sat)
	}
	if !(dfp.dJ > ifp.dJ) {
		t.Errorf("EC-20: ‖J_T − gJ‖_F DFP %.4g ≤ IFP %.4g", dfp.dJ, ifp.dJ)
	}
	// EC-21: the DFP network (g = 1.5, chaotic before training) is not
	// chaotic: every probe's forward simulation ends at a fixed point.
	t.Logf("EC-21 DFP: %d of %d probes end at fixed points, largest finite λ₁ %.3g (published: converges to fixed points)",
		dfp.probesFP, dfp.probes, dfp.lyapMax)
	if dfp.probesFP != dfp.probes {
		t.Errorf("EC-21: %d of %d DFP probes end elsewhere than at a fixed point", dfp.probes-dfp.probesFP, dfp.probes)
	}
}

// ghzMean returns the mean of v.
func ghzMean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// ghzEndState retrains the gallery network from the training configuration
// in its manifest (the build is deterministic), checks that the readouts
// equal the file's and the state at the end of training its train.x, and
// returns that state.
func ghzEndState(t *testing.T, file string, net *model.CTRNN) []float64 {
	t.Helper()
	n, err := saved.ReadNative(filepath.Join("..", "tui", "gallery", file))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Method string               `json:"method"`
		Config train.ForceSPMConfig `json:"config"`
	}
	if err := json.Unmarshal(n.Manifest.Train, &rec); err != nil || rec.Method != "force-spm" {
		t.Fatalf("%s: training record %s: %v", file, n.Manifest.Train, err)
	}
	s, err := train.NewForceSPMSession(rec.Config)
	if err != nil {
		t.Fatal(err)
	}
	for range rec.Config.Trials {
		if _, err := s.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if !mat.Equal(s.Force.Net.WO, net.WO) || !mat.Equal(s.Force.Net.WD, net.WD) {
		t.Fatalf("%s: retraining from its manifest does not reproduce its readouts", file)
	}
	x := n.EndState()
	if x == nil {
		t.Fatalf("%s: no end-of-training state train.x (rebuild the gallery)", file)
	}
	if !slices.Equal(x, s.Force.State()) {
		t.Fatalf("%s: the stored end-of-training state train.x differs from the retrained one", file)
	}
	return x
}
