//go:build science

package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/cmplx"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/internal/repro"
	"attractor/model"
	"attractor/saved"
	"attractor/train"
	"attractor/train/task"
)

// ghzExemplar is one Ghazizadeh & Ching exemplar of the embedded gallery
// (tui/gallery, built by `attractor gallery build` from train/gallery.go's
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

// ghzMeasures are the EC-15…EC-21 figures of one exemplar.
type ghzMeasures struct {
	file                string
	net                 *model.CTRNN
	label, code         string
	mem                 []Probe // the memory states x(T_d) of the 16 trials
	trialSteps          int
	probes, probesFP    int
	ext, noiseU, noiseG *Curve
	sat, satResp, dJ    float64
	band                []float64
	bandPeak            int
	lyapMax             float64
}

// ghzStimVar is the variance of the synthetic digits' latent samples
// (task.SPM.Std = 0.5), the "stimulus variance" of EC-19.
const ghzStimVar = 0.25

// ghzDeltas extend delay 1 by up to 5× its nominal 5 τ (EC-18).
var ghzDeltas = []float64{0, 1, 2.5, 5, 7.5, 10, 15, 20, 25}

// ghzGSigmas are the Gaussian noise s.d.s of EC-19: variance σ² from
// 0.04× to 36× the stimulus variance (σ = 1.58: 10×).
var ghzGSigmas = []float64{0.1, 0.25, 0.35, 0.5, 0.75, 1, 1.58, 2, 3}

// ghzUSigmas are the code's uniform noise σ·U[0,1) + 0.5 (variance σ²/12).
var ghzUSigmas = []float64{0.1, 0.5, 1, 2, 5, 10, 20}

var (
	ghzOnce sync.Once
	ghzGot  map[string]*ghzMeasures
	ghzErr  error
)

// ghzAll measures the three exemplars once for all the tests of this file
// (about 3 CPU-minutes): their §9 verdict on the trials of train.TestSPM
// (from the end-of-training state), the extended-delay and noise curves,
// saturation, weight change and the sorted-J_T band.
func ghzAll(t *testing.T) map[string]*ghzMeasures {
	t.Helper()
	ghzOnce.Do(func() { ghzGot, ghzErr = ghzMeasure(t) })
	if ghzErr != nil {
		t.Fatal(ghzErr)
	}
	return ghzGot
}

func ghzMeasure(t *testing.T) (map[string]*ghzMeasures, error) {
	ctx := context.Background()
	got := map[string]*ghzMeasures{}
	for _, ex := range ghzExemplars {
		net, spm := ghzLoad(t, ex.file)
		if spm.Std != 0.5 {
			return nil, fmt.Errorf("%s: digit s.d. %v, the tests assume 0.5", ex.file, spm.Std)
		}
		trials, _ := vdsTrials(t, net, spm, ghzEndState(t, ex.file, net)) // as train.TestSPM: from the end-of-training state
		for i := range trials {
			z, err := TrialScore(ctx, net, &trials[i])
			if err != nil {
				return nil, err
			}
			if e := math.Abs(z - trials[i].Target); e > 0.1 {
				return nil, fmt.Errorf("%s: %s answers %.3g, target %g: not a trained exemplar", ex.file, trials[i].Name, z, trials[i].Target)
			}
		}
		mem, ends, err := TrialProbes(ctx, net, trials)
		if err != nil {
			return nil, err
		}
		res, err := GhazizadehVerdict(ctx, net, GhazizadehInput{Memory: mem, Ends: ends, TrialSteps: spm.TrialSteps(),
			Encodings: spm.Encoding[:]}, &GhazizadehSettings{Copies: 4, Seed: 1, Code: CodeSettings{Copies: 5, RunTrials: 20}})
		if err != nil {
			return nil, err
		}
		m := &ghzMeasures{file: ex.file, net: net, label: res.Verdict.Label, code: res.Code.Label, mem: mem, trialSteps: spm.TrialSteps(),
			probes: len(res.Probes), lyapMax: math.Inf(-1)}
		for _, p := range res.Probes {
			if p.End.Kind == EndFixedPoint {
				m.probesFP++
			}
			if !math.IsNaN(p.End.Lyapunov) {
				m.lyapMax = math.Max(m.lyapMax, p.End.Lyapunov)
			}
		}
		if m.label != ex.label {
			return nil, fmt.Errorf("%s: §9 verdict %s, its name says %s\n%s", ex.file, m.label, ex.label, res.Verdict)
		}
		if m.ext, err = ExtendDelayCurve(ctx, net, trials, ghzDeltas, nil); err != nil {
			return nil, err
		}
		if m.noiseU, err = NoiseCurve(ctx, net, trials, NoiseUniformOffset, ghzUSigmas, nil); err != nil {
			return nil, err
		}
		if m.noiseG, err = NoiseCurve(ctx, net, trials, NoiseGaussian, ghzGSigmas, nil); err != nil {
			return nil, err
		}
		if m.sat, err = SaturationRatio(ctx, net, trials, nil, 0.8); err != nil {
			return nil, err
		}
		if m.satResp, err = SaturationRatio(ctx, net, trials, func(tr *Trial) StepWindow {
			return StepWindow{tr.Steps() - spm.TrialSteps()/7, tr.Steps()}
		}, 0.8); err != nil {
			return nil, err
		}
		m.dJ = TrainedConnectivityNorm(net)
		order, err := PeakTimeOrder(ctx, net, trials)
		if err != nil {
			return nil, err
		}
		m.band = DiagonalBand(net.EffectiveJ(), order)
		for c := 1; c < len(m.band); c++ {
			if m.band[c] > m.band[m.bandPeak] {
				m.bandPeak = c
			}
		}
		got[ex.label] = m
		t.Logf("%s: §9 %s (%d of %d probes at fixed points, largest λ₁ %.3g), code %s\nEC-18 %sEC-19 (Gaussian, variance σ²) %sEC-19 (uniform, variance σ²/12) %s",
			ex.file, m.label, m.probesFP, m.probes, m.lyapMax, m.code, m.ext, m.noiseG, m.noiseU)
	}
	return got, nil
}

// ghzBreak returns the smallest noise variance, as a multiple of the
// stimulus variance, at which the mean squared trial-end error reaches
// 0.01 (the code's failure threshold |Δz| > 0.1, squared); +Inf when it
// never does on the curve. variance maps a curve's x to the noise variance.
func ghzBreak(c *Curve, variance func(x float64) float64) float64 {
	for _, p := range c.Points {
		if !(p.Mean < 0.01) || p.Diverged > 0 {
			return variance(p.X) / ghzStimVar
		}
	}
	return math.Inf(1)
}

func ghzVarGauss(x float64) float64 { return x * x }
func ghzVarUnif(x float64) float64  { return x * x / 12 }

// TestEC15OriginSpectrum checks EC-15 (docs/science.md §3.4(a)). Before
// training (W_o = W_d = 0) the origin's Jacobian is −I + gJ: at the
// paper's size (an untrained N = 1000 SPM network, g = 1.5, p = 0.1) the
// eigenvalues of J_T = gJ fill the disk of radius g with EC-01's
// tolerances. After training (the three exemplars) J_T has outliers
// outside the disk, and the nonzero eigenvalues of the rank-3 part
// W_f W_oᵀ + W_fd W_dᵀ equal those of the 3×3 overlap matrix
// [W_o W_d]ᵀ[W_f W_fd] to 1e-8.
func TestEC15OriginSpectrum(t *testing.T) {
	rec := repro.New(t, "EC-15", "inspect", "untrained N = 1000 SPM network (g = 1.5, p = 0.1, seed 3); trained: the gallery's N = 300 DFP, IFP, LC exemplars")
	s, err := train.NewForceSPMSession(train.ForceSPMConfig{Hidden: 1000, Density: 0.1, G: 1.5, FB: 1, Alpha: 1, Trials: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	o, err := AnalyzeOrigin(s.Force.Net.EffectiveJ(), 1.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	var in, half, m2, maxAbs float64
	for _, v := range o.JT {
		a := cmplx.Abs(v)
		maxAbs = math.Max(maxAbs, a)
		if a <= 1.5 {
			in++
		}
		if a <= 0.75 {
			half++
		}
		m2 += a * a
	}
	n := float64(len(o.JT))
	in, half, m2 = in/n, half/n, m2/n
	rec.Measure("untrained: fraction |λ(J_T)| ≤ g", "", "≥ 0.97 (EC-01)", "≥ 0.97").Add(in, 3)
	rec.Measure("untrained: max |λ(J_T)|", "", "∈ [1.45, 1.60] (EC-01)", "∈ [1.45, 1.60]").Add(maxAbs, 3)
	rec.Measure("untrained: fraction |λ| ≤ g/2", "", "0.25 ± 0.03", "0.25 ± 0.03").Add(half, 3)
	rec.Measure("untrained: mean |λ|²", "", "g²/2 = 1.125 ± 5 %", "± 5 %").Add(m2, 3)
	t.Logf("untrained N = 1000: fraction in disk %.4f, max |λ| %.4f, fraction in g/2 %.4f, mean |λ|² %.4f (theory 1.125); origin λ_max %.4g",
		in, maxAbs, half, m2, o.LambdaMax)
	if in < 0.97 || maxAbs < 1.45 || maxAbs > 1.60 || math.Abs(half-0.25) > 0.03 || math.Abs(m2-1.125) > 0.05*1.125 {
		t.Errorf("EC-15: the untrained origin spectrum is not the circular-law disk of radius g (EC-01 tolerances)")
	}
	if math.Abs(real(o.LambdaMax)-(maxRe(o.JT)-1)) > 1e-12 {
		t.Errorf("EC-15: λ_max of −I + J_T %v is not max Re λ(J_T) − 1", o.LambdaMax)
	}

	mOut := rec.Measure("trained: outliers |λ(J_T)| > g", "", "exist (Fig 3a)", "≥ 1 per network")
	mId := rec.Measure("trained: rank-3 part vs 3×3 overlap, largest relative difference", "", "identity", "≤ 1e-8")
	for _, ex := range ghzExemplars {
		net, _ := ghzLoad(t, ex.file)
		o, err := AnalyzeOrigin(net.EffectiveJ(), net.G, 0)
		if err != nil {
			t.Fatal(err)
		}
		mOut.Add(float64(len(o.Outliers)), -1)
		d := ghzRank3Identity(t, net)
		mId.Add(d, -1)
		t.Logf("%s: %d outliers of J_T beyond g = %g (leading %.4g), %d real > 1; rank-3 part vs overlap: %.3g", ex.file, len(o.Outliers), net.G,
			o.Outliers[:min(4, len(o.Outliers))], o.RealOutliersAboveOne, d)
		if len(o.Outliers) == 0 {
			t.Errorf("EC-15: %s has no outlier outside the disk of radius g", ex.file)
		}
		if !(d <= 1e-8) {
			t.Errorf("EC-15: %s: the nonzero eigenvalues of W_f W_oᵀ + W_fd W_dᵀ differ from the 3×3 overlap's by %.3g", ex.file, d)
		}
	}
}

func maxRe(v []complex128) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, real(x))
	}
	return m
}

// ghzRank3Identity returns the largest difference, relative to the largest
// modulus, between the three largest-modulus eigenvalues of the N×N rank-3
// part W_f W_oᵀ + W_fd W_dᵀ and the eigenvalues of the 3×3 overlap matrix
// [W_o W_d]ᵀ [W_f W_fd], matched greedily.
func ghzRank3Identity(t *testing.T, net *model.CTRNN) float64 {
	t.Helper()
	n := net.WO.RawMatrix().Rows
	u := mat.NewDense(n, 3, nil) // [W_f W_fd]
	v := mat.NewDense(n, 3, nil) // [W_o W_d]
	u.Slice(0, n, 0, 1).(*mat.Dense).Copy(net.WF)
	u.Slice(0, n, 1, 3).(*mat.Dense).Copy(net.WFD)
	v.Slice(0, n, 0, 1).(*mat.Dense).Copy(net.WO)
	v.Slice(0, n, 1, 3).(*mat.Dense).Copy(net.WD)
	var big, small mat.Dense
	big.Mul(u, v.T())
	small.Mul(v.T(), u)
	eb, err := Eigenvalues(nil, &big)
	if err != nil {
		t.Fatal(err)
	}
	es, err := Eigenvalues(nil, &small)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(eb, func(a, b complex128) int { return cmpFloat(cmplx.Abs(b), cmplx.Abs(a)) })
	eb = eb[:3]
	scale := 0.0
	for _, x := range es {
		scale = math.Max(scale, cmplx.Abs(x))
	}
	worst := 0.0
	used := make([]bool, 3)
	for _, x := range es {
		best, bi := math.Inf(1), -1
		for j, y := range eb {
			if !used[j] && cmplx.Abs(x-y) < best {
				best, bi = cmplx.Abs(x-y), j
			}
		}
		used[bi] = true
		worst = math.Max(worst, best/scale)
	}
	return worst
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestEC18ExtendedDelay checks the forgetting half of EC-18 (Fig 5b):
// lengthening delay 1 by Δ, the IFP network's trial-end error grows
// beyond +100 % of the nominal 5 τ (larger at Δ = 25 τ than at 5 τ, and
// larger than the DFP network's there), while the DFP network never fails
// (|z_ext − z_nom| ≤ 0.1, the code's failure threshold) up to 5× the
// delay. How small the errors stay (published < 0.01²) is
// TestKnownDeviation_EC18_ResidualError.
func TestEC18ExtendedDelay(t *testing.T) {
	got := ghzAll(t)
	dfp, ifp, lc := got["DFP"], got["IFP"], got["LC"]
	rec := repro.New(t, "EC-18", "inspect", "gallery exemplars 01–03 (N = 300, FORCE SPM with the restricted kernel), 16 trials from the end-of-training state")
	fails := 0
	for i, p := range dfp.ext.Points {
		q, r := ifp.ext.Points[i], lc.ext.Points[i]
		t.Logf("Δ = %4g τ: mean (z_ext − z_nom)² DFP %.3g (%d failures), IFP %.3g (%d failures), LC %.3g (%d failures)",
			p.X, p.Mean, p.Failures, q.Mean, q.Failures, r.Mean, r.Failures)
		fails += p.Failures
	}
	rec.Measure("DFP: failing trials (|Δz| > 0.1) over Δ ≤ 25 τ", "", "none (error ≈ 0 at any extension)", "0").Add(float64(fails), -1)
	if fails > 0 {
		t.Errorf("the DFP network fails %d extended trials", fails)
	}
	last := len(ghzDeltas) - 1
	at5 := ifp.ext.Points[slices.Index(ghzDeltas, 5)].Mean
	e25 := ifp.ext.Points[last].Mean
	rec.Measure("IFP: mean (z_ext − z_nom)² at Δ = 25 τ over that at Δ = 5 τ", "×", "rising beyond +100 %", "> 1, and above DFP's at 25 τ").Add(e25/at5, -1)
	if !(e25 > at5 && e25 > dfp.ext.Points[last].Mean) {
		t.Errorf("IFP error %.3g at Δ = 5, %.3g at Δ = 25 (DFP %.3g): no forgetting beyond +100 %%", at5, e25, dfp.ext.Points[last].Mean)
	}
}

// TestKnownDeviation_EC18_ResidualError is the part of EC-18 we do not
// reproduce: the paper's DFP networks keep the trial-end error below 0.01²
// at every extension up to 5× the delay, and its IFP networks up to
// +100 %. Our N = 300 exemplars come close but not under: the DFP
// network's largest mean squared error is 1.25e-4 (at Δ = 10 τ), the IFP
// network's 2.97e-4 at Δ = 5 τ (issue 19; one exemplar each, synthetic
// digits). The test fails if either grows beyond those values.
func TestKnownDeviation_EC18_ResidualError(t *testing.T) {
	got := ghzAll(t)
	dfp, ifp := got["DFP"], got["IFP"]
	rec := repro.New(t, "EC-18", "inspect", "gallery DFP and IFP exemplars (N = 300), 16 trials")
	rec.Deviates("the residual errors are slightly above 0.01² (DFP 1.25e-4 at Δ = 10 τ, IFP 2.97e-4 at +100 %): one N = 300 exemplar each with synthetic digits; the N = 1000 census is to measure it on ≥ 5 networks per class")
	dMax, iMax := 0.0, 0.0
	for i, p := range dfp.ext.Points {
		dMax = math.Max(dMax, p.Mean)
		if q := ifp.ext.Points[i]; q.X <= 5 {
			iMax = math.Max(iMax, q.Mean)
		}
	}
	rec.Measure("DFP: largest mean (z_ext − z_nom)² over Δ ≤ 25 τ", "", "< 1e-4 (0.01²)", "named deviation: ≤ 1.25e-4").Add(dMax, -1)
	rec.Measure("IFP: largest mean (z_ext − z_nom)² over Δ ≤ 5 τ", "", "< 1e-4 (0.01²)", "named deviation: ≤ 2.97e-4").Add(iMax, -1)
	t.Logf("largest mean squared error: DFP %.3g (Δ ≤ 25 τ), IFP %.3g (Δ ≤ 5 τ); published < 1e-4", dMax, iMax)
	if dMax > 1.25e-4*1.005 {
		t.Errorf("DFP: %.3g, further from < 1e-4 than the 1.25e-4 measured when the deviation was named", dMax)
	}
	if iMax > 2.97e-4*1.005 {
		t.Errorf("IFP: %.3g, further from < 1e-4 than the 2.97e-4 measured when the deviation was named", iMax)
	}
	if dMax < 1e-4 && iMax < 1e-4 {
		t.Logf("both below 1e-4: EC-18 reproduces; fold this test into TestEC18ExtendedDelay")
	}
}

// TestEC19Noise checks EC-19 (Fig 5c) on the DFP exemplar with the noise
// the authors' code adds to stimulus 1, σ·U[0,1) + 0.5 (variance σ²/12):
// the DFP network's mean squared trial-end error reaches 0.01 (|Δz| = 0.1,
// the code's failure threshold, squared) at a noise variance below the
// stimulus variance. The zero-mean Gaussian noise of the paper's wording
// is recorded beside it. The IFP and LC half is
// TestKnownDeviation_EC19_IFPLCNoise.
func TestEC19Noise(t *testing.T) {
	got := ghzAll(t)
	rec := repro.New(t, "EC-19", "inspect", "gallery DFP exemplar (N = 300), noise on stimulus 1, 16 trials × 10 repeats")
	bu := ghzBreak(got["DFP"].noiseU, ghzVarUnif)
	b := ghzBreak(got["DFP"].noiseG, ghzVarGauss)
	rec.Measure("DFP: noise variance / stimulus variance where the mean squared error reaches 0.01 (code's noise)", "×", "< 1 (breaks below the stimulus variance)", "< 1").Add(bu, -1)
	rec.Note("with zero-mean Gaussian noise no exemplar breaks up to 36× the stimulus variance (DFP %.3g×): per-step noise averages out over the 100 steps of the stimulus, while the code's noise also shifts the stimulus mean by 0.5 + σ/2", b)
	t.Logf("DFP breaks at %.3g× the stimulus variance (code's uniform with offset), %.3g× (Gaussian)", bu, b)
	if !(bu < 1) {
		t.Errorf("EC-19: the DFP exemplar's error reaches 0.01 only at %.3g× the stimulus variance; published: below it", bu)
	}
}

// TestKnownDeviation_EC19_IFPLCNoise is the half of EC-19 we do not
// reproduce: the paper's IFP and LC networks tolerate noise variances
// above 10× the stimulus variance; with the code's noise our N = 300
// exemplars break at 1.33× (IFP) and 0.33× (LC) (issue 19: synthetic
// Gaussian digits instead of the MNIST VAE latents, whose scale the
// code's +0.5 offset was chosen for, and one exemplar per class, neither
// passing the 160-trial trainability test). The test records where they
// break and fails if that moves further from the published > 10×.
func TestKnownDeviation_EC19_IFPLCNoise(t *testing.T) {
	got := ghzAll(t)
	rec := repro.New(t, "EC-19", "inspect", "gallery IFP and LC exemplars (N = 300), the code's noise σ·U[0,1) + 0.5 on stimulus 1")
	rec.Deviates("with the code's noise the IFP and LC exemplars break at 1.33× and 0.33× the stimulus variance, not above 10×; with zero-mean Gaussian noise nothing breaks up to 36× (the DFP exemplar included), so neither noise reproduces the paper's contrast. N = 300, synthetic digits, one exemplar per class; the N = 1000 census (examples/ghazizadeh-census-n1000.toml) is to decide it on ≥ 5 trainable networks per class")
	named := map[string]float64{"IFP": 1.33, "LC": 0.333}
	for _, lab := range []string{"IFP", "LC"} {
		bu := ghzBreak(got[lab].noiseU, ghzVarUnif)
		b := ghzBreak(got[lab].noiseG, ghzVarGauss)
		rec.Measure(lab+": noise variance / stimulus variance where the mean squared error reaches 0.01 (code's noise)", "×", "> 10",
			fmt.Sprintf("named deviation: ≥ %g (measured when named)", named[lab])).Add(bu, -1)
		rec.Note("%s with zero-mean Gaussian noise: breaks at %.3g× the stimulus variance", lab, b)
		t.Logf("%s breaks at %.3g× the stimulus variance (code's noise), %.3g× (Gaussian)", lab, bu, b)
		if bu > 10 {
			t.Logf("%s now tolerates > 10× the stimulus variance: EC-19 reproduces for it; rename this test", lab)
		}
		if !(bu >= named[lab]*0.99) {
			t.Errorf("%s breaks at %.3g× the stimulus variance, further from the published > 10× than the %g× measured when the deviation was named", lab, bu, named[lab])
		}
	}
}

// TestEC20SaturationAndWeights checks EC-20 (Fig 4c–f): the saturation
// ratio over delay 1 is larger for DFP than IFP (and LC), ‖J_T − gJ‖_F is
// larger for DFP than IFP, and the IFP network's sorted-J_T band is
// strongest at small |i − j| (mean over c = 1…5 above the mean over
// c > 5: the daisy chain).
func TestEC20SaturationAndWeights(t *testing.T) {
	got := ghzAll(t)
	dfp, ifp, lc := got["DFP"], got["IFP"], got["LC"]
	rec := repro.New(t, "EC-20", "inspect", "gallery exemplars 01–03 (N = 300)")
	rec.Measure("saturation ratio over delay 1: DFP − IFP", "", "DFP > IFP", "> 0").Add(dfp.sat-ifp.sat, -1)
	rec.Measure("‖J_T − gJ‖_F: DFP / IFP", "", "DFP > IFP", "> 1").Add(dfp.dJ/ifp.dJ, -1)
	near, far := ghzMean(ifp.band[1:6]), ghzMean(ifp.band[6:])
	rec.Measure("IFP sorted-J_T band: mean c = 1…5 minus mean c > 5", "", "peak at small |i − j|", "> 0").Add(near-far, -1)
	t.Logf("saturation ratio over delay 1: DFP %.4f, IFP %.4f, LC %.4f; response DFP %.4f, IFP %.4f, LC %.4f", dfp.sat, ifp.sat, lc.sat, dfp.satResp, ifp.satResp, lc.satResp)
	t.Logf("‖J_T − gJ‖_F: DFP %.4g, IFP %.4g, LC %.4g", dfp.dJ, ifp.dJ, lc.dJ)
	for _, m := range []*ghzMeasures{dfp, ifp, lc} {
		t.Logf("%s sorted-J_T band: mean over c = 1…5 %.4g, over c > 5 %.4g, c = 0 %.4g, largest at c = %d",
			m.label, ghzMean(m.band[1:6]), ghzMean(m.band[6:]), m.band[0], m.bandPeak)
	}
	if !(dfp.sat > ifp.sat && dfp.sat > lc.sat) {
		t.Errorf("saturation ratio DFP %.4f, IFP %.4f, LC %.4f: DFP not the largest", dfp.sat, ifp.sat, lc.sat)
	}
	if !(dfp.dJ > ifp.dJ) {
		t.Errorf("‖J_T − gJ‖_F DFP %.4g ≤ IFP %.4g", dfp.dJ, ifp.dJ)
	}
	if !(near > far) {
		t.Errorf("IFP band: mean %.4g at c = 1…5, %.4g beyond: no daisy chain", near, far)
	}
}

// TestEC21DFPNotChaotic checks EC-21 independently of the verdict (which
// looks only at trial probes): the DFP exemplar, whose random part has
// g = 1.5 (chaotic before training, EC-04), has a largest Lyapunov
// exponent below 0.01 per τ (the chaotic g = 1.5 networks of EC-04 have
// 0.021–0.035) from 3 random initial states x(0) ~ N(0, 1) with the input
// off; the same network with its readouts zeroed (untrained) is logged
// beside it.
func TestEC21DFPNotChaotic(t *testing.T) {
	got := ghzAll(t)
	dfp := got["DFP"]
	rec := repro.New(t, "EC-21", "inspect", "gallery DFP exemplar (N = 300, g = 1.5), 3 random initial states, Benettin (EC-04 method)")
	m := rec.Measure("DFP: largest Lyapunov exponent", "1/τ", "not chaotic (converges to fixed points)", "< 0.01 per τ from every start")
	mU := rec.Measure("same J with W_o = W_d = 0: largest Lyapunov exponent", "1/τ", "chaotic before training (g = 1.5)", "logged")
	ctx := context.Background()
	untrained := dfp.net.Clone().(*model.CTRNN)
	// Clone shares the parameter matrices: give the copy its own zero
	// readouts rather than zeroing the exemplar's.
	untrained.WO = mat.NewDense(dfp.net.WO.RawMatrix().Rows, dfp.net.WO.RawMatrix().Cols, nil)
	untrained.WD = mat.NewDense(dfp.net.WD.RawMatrix().Rows, dfp.net.WD.RawMatrix().Cols, nil)
	n := dfp.net.Dims().State
	u := make([]float64, dfp.net.Dims().Input)
	for seed := int64(0); seed < 3; seed++ {
		x0 := model.NormalVector(n, 1, model.NewRNG(uint64(seed), 21))
		l, err := Lyapunov(ctx, dfp.net, x0, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		lu, err := Lyapunov(ctx, untrained, x0, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		m.Add(l, seed)
		mU.Add(lu, seed)
		t.Logf("start %d: λ₁ trained %.4g, untrained %.4g per τ", seed, l, lu)
		if !(l < 0.01) {
			t.Errorf("EC-21: the DFP network has λ₁ = %.4g per τ from start %d: chaotic", l, seed)
		}
	}
	t.Logf("verdict probes: %d of %d end at fixed points", dfp.probesFP, dfp.probes)
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

// ghzRun simulates net from x0 with the input off for steps Euler steps,
// calling f after every step with the state and the readout z_o.
func ghzRun(net *model.CTRNN, x0 []float64, steps int, f func(k int, x []float64, z float64)) {
	x := append([]float64(nil), x0...)
	next := make([]float64, len(x))
	u := make([]float64, net.Dims().Input)
	out := make([]float64, net.Dims().Output)
	for k := 0; k < steps; k++ {
		net.Step(next, x, u)
		x, next = next, x
		net.Output(out, x)
		f(k, x, out[0])
	}
}

// ghzRMS is ‖a − b‖/√N.
func ghzRMS(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

// ghzEps is the DFP criterion ε of docs/science.md §3.4(b) (§10 item 1):
// ‖x(t) − x(T_d)‖/√N < 0.05.
const ghzEps = 0.05

// ghzDFPEnds runs every memory state of the DFP exemplar for 50 trial
// lengths (the authors' n_fw) and returns the end states and the largest
// drift ‖x(t) − x(T_d)‖/√N of each.
func ghzDFPEnds(m *ghzMeasures) (ends [][]float64, drift []float64) {
	for _, p := range m.mem {
		d := 0.0
		var end []float64
		ghzRun(m.net, p.X, 50*m.trialSteps, func(_ int, x []float64, _ float64) {
			d = math.Max(d, ghzRMS(x, p.X))
			end = x
		})
		ends = append(ends, append([]float64(nil), end...))
		drift = append(drift, d)
	}
	return ends, drift
}

// TestExemplarEvidenceDFP backs the gallery's DFP label with evidence that
// is not the §9 verdict: run for 50 trial lengths with the input off,
// every memory state x(T_d) of the 16 trials ends at a stable fixed point
// confirmed by the fixed-point finder (started from the end states), the
// memory states of one condition all at the same point and those of
// different conditions at different points: one fixed point per memory,
// each reached from its own memory state. Whether x(T_d) is already at
// that fixed point (the paper's "direct") is
// TestKnownDeviation_EXDFP_MemoryNotAtFixedPoint.
func TestExemplarEvidenceDFP(t *testing.T) {
	m := ghzAll(t)["DFP"]
	rec := repro.New(t, "EX-DFP", "inspect", "gallery 01 (DFP): 50 trial lengths of simulation from every x(T_d), the finder from the end states")
	ends, _ := ghzDFPEnds(m)
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: m.net, Inits: ends}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The stable point each end state is at, by index into res.Points.
	at := make([]int, len(ends))
	mDist := rec.Measure("end state: distance to the nearest stable fixed point found, ‖x − x*‖/√N", "", "each memory a stable fixed point", "< 1e-3")
	for i, e := range ends {
		best, bi := math.Inf(1), -1
		for j, fp := range res.Points {
			if d := ghzRMS(fp.X, e); fp.Kind == Stable && d < best {
				best, bi = d, j
			}
		}
		at[i] = bi
		mDist.Add(best, -1)
		if !(best < 1e-3) {
			t.Errorf("memory %d (%s): ends %.3g from the nearest stable fixed point", i, m.mem[i].Name, best)
		}
	}
	point := map[int]int{} // condition → fixed point
	conds := map[int]bool{}
	for i, p := range m.mem {
		conds[p.Condition] = true
		if q, ok := point[p.Condition]; !ok {
			point[p.Condition] = at[i]
		} else if q != at[i] {
			t.Errorf("memory %d of condition %d ends at fixed point %d, others of its condition at %d", i, p.Condition, at[i], q)
		}
	}
	distinct := map[int]bool{}
	for _, q := range point {
		distinct[q] = true
	}
	rec.Measure("distinct stable fixed points reached, one per memory condition", "", "one per memory", fmt.Sprintf("= %d conditions", len(conds))).Add(float64(len(distinct)), -1)
	t.Logf("%d memory conditions end at %d distinct stable fixed points (finder: %d points); authors' classifier: %s", len(conds), len(distinct), len(res.Points), m.code)
	if len(distinct) != len(conds) {
		t.Errorf("%d memory conditions share %d fixed points: not one fixed point per memory", len(conds), len(distinct))
	}
	if m.code != "fixedPoint" {
		rec.Note("the authors' attractor_type calls this network %q: it calls a network DFP (\"fixedPoint\") only when its noisy runs from the origin and the trial ends all settle and end at ≥ 6 distinct values of z_o (2 × the 3 output encodings); it does not test whether the memory state x(T_d) itself is the fixed point", m.code)
	}
}

// TestKnownDeviation_EXDFP_MemoryNotAtFixedPoint: in the paper a DFP
// network's memory state x(T_d) is itself the fixed point: the state stays
// within ε of it. In the gallery's DFP exemplar only some memory states
// are (drift 0.06 or less for 4 of 16); the others move 0.64–0.73 (RMS per
// unit) to their condition's fixed point over the 50 trial lengths. The §9
// verdict labels it DFP by its rule for memories held by distinct fixed
// points reached after a transient (GhazizadehVerdict's note). The test
// records the drifts and fails if the largest grows beyond the 0.726
// measured when this was named (issue 19).
func TestKnownDeviation_EXDFP_MemoryNotAtFixedPoint(t *testing.T) {
	m := ghzAll(t)["DFP"]
	rec := repro.New(t, "EX-DFP", "inspect", "gallery 01 (DFP): drift of every x(T_d) over 50 trial lengths")
	rec.Deviates("4 of 16 memory states stay within ε; 4 drift 0.06–0.10 and 8 move 0.66–0.73 (RMS per unit) to the fixed point of their condition: DFP by the verdict's rule for distinct fixed points reached after a transient, not by the paper's ε")
	_, drift := ghzDFPEnds(m)
	md := rec.Measure("memory states: largest drift ‖x(t) − x(T_d)‖/√N over 50 trial lengths", "", "< ε = 0.05 (DFP)", "named deviation: ≤ 0.726")
	within := 0
	for i, d := range drift {
		md.Add(d, -1)
		if d < ghzEps {
			within++
		}
		if d > 0.726*1.005 {
			t.Errorf("memory %d drifts %.3g, further from ε than the 0.726 measured when this was named", i, d)
		}
	}
	t.Logf("%d of %d memory states stay within ε = %g", within, len(drift), ghzEps)
	if within == len(drift) {
		t.Logf("every memory state stays within ε: the exemplar is DFP by the paper's definition; rename this test")
	}
}

// TestExemplarEvidenceIFP backs the gallery's IFP label without the §9
// verdict: from every memory state x(T_d), 50 trial lengths of simulation
// end at rest (‖F‖/√N < 1e-6) at a point the fixed-point finder confirms
// as a stable fixed point, away from x(T_d) (the memory is not the fixed
// point: > ε), and fewer distinct end points than memory conditions (the
// fixed point is shared: "indirect").
func TestExemplarEvidenceIFP(t *testing.T) {
	m := ghzAll(t)["IFP"]
	rec := repro.New(t, "EX-IFP", "inspect", "gallery 02 (IFP): 50 trial lengths of simulation from every x(T_d), the finder from the end points")
	var ends [][]float64
	mAway := rec.Measure("IFP memory states: distance of the end point from x(T_d)", "", "memory is not the fixed point", "> 0.05 (ε)")
	n := m.net.Dims().State
	vel := make([]float64, n)
	for i, p := range m.mem {
		var end []float64
		ghzRun(m.net, p.X, 50*m.trialSteps, func(_ int, x []float64, _ float64) { end = x })
		end = append([]float64(nil), end...)
		m.net.Step(vel, end, make([]float64, m.net.Dims().Input))
		speed := ghzRMS(vel, end) / m.net.DT // ‖F‖/√N, F = (step − x)/dt
		mAway.Add(ghzRMS(end, p.X), -1)
		if !(speed < 1e-6) {
			t.Errorf("memory %d: not at rest after 50 trial lengths (‖F‖/√N = %.3g)", i, speed)
		}
		if !(ghzRMS(end, p.X) > ghzEps) {
			t.Errorf("memory %d: ends within ε of x(T_d): a direct fixed point", i)
		}
		ends = append(ends, end)
	}
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: m.net, Inits: ends}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stable := 0
	for _, fp := range res.Points {
		if fp.Kind == Stable {
			stable++
		}
	}
	rec.Measure("IFP: distinct stable fixed points reached, vs 2 memory conditions", "", "< number of memory conditions", "< 2").Add(float64(stable), -1)
	t.Logf("end points: %d unique points (%d stable) by the finder; authors' classifier: %s", len(res.Points), stable, m.code)
	if stable == 0 || stable >= 2 {
		t.Errorf("%d distinct stable fixed points reached from the memory states; want 1 (< 2 memory conditions)", stable)
	}
}

// TestExemplarEvidenceLC backs the gallery's LC label without the §9
// verdict: from every memory state, after 10 trial lengths the readout z_o
// oscillates, and its period from the power spectrum (peak of the
// periodogram over the next 40 trial lengths, about 13 periods,
// parabolically interpolated) equals the autocorrelation's (lag of its
// first peak) within one periodogram bin, P²/W.
func TestExemplarEvidenceLC(t *testing.T) {
	m := ghzAll(t)["LC"]
	rec := repro.New(t, "EX-LC", "inspect", "gallery 03 (LC): period of z_o by periodogram and by autocorrelation over trial lengths 10–50")
	mP := rec.Measure("LC: period by the periodogram", "τ", "a limit cycle", "logged")
	mD := rec.Measure("LC: |period by periodogram − by autocorrelation| / bin width P²/W", "", "equal", "≤ 1")
	dt := m.net.DT
	w := 40 * m.trialSteps
	for i, p := range m.mem {
		z := make([]float64, 0, w)
		ghzRun(m.net, p.X, 50*m.trialSteps, func(k int, _ []float64, zo float64) {
			if k >= 10*m.trialSteps {
				z = append(z, zo)
			}
		})
		pp, amp := ghzPeriodogramPeriod(z)
		pa := ghzACFPeriod(z)
		bin := pp * pp / float64(len(z))
		mP.Add(pp*dt, -1)
		mD.Add(math.Abs(pp-pa)/bin, -1)
		if i == 0 {
			t.Logf("memory 0: z_o amplitude %.3g, period %.4g τ (periodogram), %.4g τ (autocorrelation), bin %.3g τ", amp, pp*dt, pa*dt, bin*dt)
		}
		if !(amp > 1e-3) {
			t.Errorf("memory %d: z_o does not oscillate (amplitude %.3g)", i, amp)
			continue
		}
		if !(math.Abs(pp-pa) <= bin) {
			t.Errorf("memory %d: period %.4g steps by the periodogram, %.4g by the autocorrelation (bin %.3g)", i, pp, pa, bin)
		}
	}
	rec.Note("the authors' attractor_type (docs/science.md §3.4(b)4) calls this network %q; \"both\" means that not every run's z_o is constant over the last two trial lengths and not all the run means are distinct (some runs share an end point): its initial conditions include noisy copies of the origin (σ = 0.5), which the §9 verdict and this check do not use", m.code)
}

// ghzPeriodogramPeriod returns the period, in steps, of the largest
// non-zero-frequency peak of the periodogram of z (mean removed) among
// periods of at least 50 steps (5 τ), with parabolic interpolation of the
// log power around the peak bin, and the oscillation's half range.
func ghzPeriodogramPeriod(z []float64) (period, amp float64) {
	n := len(z)
	mean, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range z {
		mean += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	mean /= float64(n)
	kMax := max(2, n/50)
	pow := make([]float64, kMax+1)
	for k := 1; k <= kMax; k++ {
		var re, im float64
		for j, v := range z {
			a := 2 * math.Pi * float64(k*j) / float64(n)
			re += (v - mean) * math.Cos(a)
			im -= (v - mean) * math.Sin(a)
		}
		pow[k] = re*re + im*im
	}
	best := 1
	for k := 2; k <= kMax; k++ {
		if pow[k] > pow[best] {
			best = k
		}
	}
	f := float64(best)
	if best > 1 && best < kMax {
		a, b, c := math.Log(pow[best-1]), math.Log(pow[best]), math.Log(pow[best+1])
		if d := a - 2*b + c; d < 0 {
			f += 0.5 * (a - c) / d
		}
	}
	return float64(n) / f, (hi - lo) / 2
}

// ghzACFPeriod returns the lag, in steps, of the first peak of the
// autocorrelation of z after its first zero crossing (lags up to 4000
// steps, 400 τ), parabolically interpolated.
func ghzACFPeriod(z []float64) float64 {
	n := len(z)
	mean := 0.0
	for _, v := range z {
		mean += v
	}
	mean /= float64(n)
	acf := func(l int) float64 {
		var s float64
		for j := 0; j+l < n; j++ {
			s += (z[j] - mean) * (z[j+l] - mean)
		}
		return s / float64(n-l)
	}
	c := make([]float64, min(n/2, 4000))
	for l := range c {
		c[l] = acf(l)
	}
	l := 1
	for l < len(c) && c[l] > 0 {
		l++
	}
	best := l
	for ; l < len(c); l++ {
		if c[l] > c[best] {
			best = l
		}
		if c[l] < 0 && best < l && c[best] > 0 {
			break
		}
	}
	f := float64(best)
	if best > 0 && best+1 < len(c) {
		a, b, d := c[best-1], c[best], c[best+1]
		if den := a - 2*b + d; den < 0 {
			f += 0.5 * (a - d) / den
		}
	}
	return f
}
