package main

// check is one external check of docs/science.md §8: what the papers (or the
// spec's reference runs) say, the tolerance our tests assert, and which
// tests and sweeps measure it.
type check struct {
	ID, Claim, Published, Tolerance string
	Tests                           []testRef
	// Sweep names the sweep that measures it ("phase", "census"), if any.
	Sweep string
	// NotRun says why the check has no test, when it has none.
	NotRun string
}

// testRef is a test that measures a check: its package, its name (a
// regular expression anchored by the runner) and whether it needs the
// science build tag.
type testRef struct {
	Pkg, Name string
	Science   bool
}

func fast(pkg, name string) testRef { return testRef{pkg, name, false} }
func sci(pkg, name string) testRef  { return testRef{pkg, name, true} }

// catalog lists the 38 checks in the spec's order.
var catalog = []check{
	{ID: "EC-01", Claim: "Circular law, dense (N = 1000, g = 1.5)", Published: "fraction |λ| ≤ g ≥ 0.97; max|λ| ∈ [1.45, 1.60]; fraction |λ| ≤ g/2 = 0.25; mean |λ|² = g²/2", Tolerance: "as published; ± 0.03; ± 5 %",
		Tests: []testRef{sci("./model", "TestEC01CircularLawDense")}},
	{ID: "EC-02", Claim: "Circular law, sparse (p = 0.1)", Published: "same disk as EC-01", Tolerance: "EC-01's",
		Tests: []testRef{sci("./model", "TestEC02CircularLawSparse")}},
	{ID: "EC-03", Claim: "Sub-critical g = 0.8", Published: "max|λ| ≈ 0.8; origin stable (max Re λ ≈ −0.2)", Tolerance: "± 0.05",
		Tests: []testRef{sci("./model", "TestEC03SubCritical")}},
	{ID: "EC-04", Claim: "Transition to chaos at g = 1 (Sompolinsky, Crisanti & Sommers 1988)", Published: "g = 0.5, 0.9 decay; g = 1.5 RMS > 0.5 and λ₁ > 0; g = 2 λ₁ ≈ 0.10", Tolerance: "< 1e-9, < 1e-4; > 0.5, > 0",
		Tests: []testRef{fast("./model", "TestEC04SubCriticalDecay"), sci("./model", "TestEC04Chaos"), fast("./inspect", "TestEC04")}},
	{ID: "EC-05", Claim: "Sparse-init variance", Published: "mean row Σ_j J_ij² = g²", Tolerance: "± 3 %",
		Tests: []testRef{fast("./model", "TestSparseGaussianRowVariance")}},
	{ID: "EC-06", Claim: "Hopfield one-step crosstalk error", Published: "½ erfc(1/√(2α)): 0.0010 … 0.1002", Tolerance: "± 3 binomial s.e.",
		Tests: []testRef{fast("./model", "TestEC06Crosstalk")}},
	{ID: "EC-07", Claim: "AGS capacity (Amit, Gutfreund & Sompolinsky)", Published: "m_ss ≥ 0.94 for α ≤ 0.13; m_ss < 0.5 at α = 0.17", Tolerance: "3/3 and ≥ 2/3 seeds",
		Tests: []testRef{sci("./inspect", "TestEC07Capacity")}},
	{ID: "EC-08", Claim: "Exact storage (McEliece et al. 1987)", Published: "P ≤ N/(4 ln N): all exact in ≥ 90 %; P = 72: never", Tolerance: "≥ 90 % of 20",
		Tests: []testRef{fast("./model", "TestEC08ExactStorage")}},
	{ID: "EC-09", Claim: "No retrieval at unit gain", Published: "m_ss < 0.5", Tolerance: "< 0.5",
		Tests: []testRef{fast("./model", "TestEC09NoRetrievalUnitGain")}},
	{ID: "EC-10", Claim: "RLS algebra (Sussillo & Abbott 2009 Eq. 4–8)", Published: "identities", Tolerance: "1e-10 / 1e-8",
		Tests: []testRef{fast("./train", "TestRLSAlgebra")}},
	{ID: "EC-11", Claim: "FORCE four-sinusoid target (S&A Fig 2D)", Published: "train MAE ≲ 0.01; test MAE < 0.05 in ≥ 3/4 seeds; ‖Δw‖ decays to ≲ 1e-3", Tolerance: "as published",
		Tests: []testRef{sci("./train", "TestScienceForceFourSine"), sci("./train", "TestKnownDeviation_EC11_.*")}},
	{ID: "EC-12", Claim: "FORCE g window (S&A Fig 5)", Published: "fails for g ≲ 0.75 and g ≳ 1.56; works at 1.0–1.5", Tolerance: "test MAE 0.05",
		Tests: []testRef{sci("./train", "TestScienceForceGWindow"), sci("./train", "TestKnownDeviation_EC12_.*")}},
	{ID: "EC-13", Claim: "Mixed feedback (S&A Fig 4A)", Published: "stable only for γ < 0.15", Tolerance: "stable (test MAE < 0.05) in most of 3 seeds for γ ∈ {0, 0.1}, in at most a minority for γ ∈ {0.3, 0.6, 1}",
		Tests: []testRef{fast("./train", "TestForceFeedbackMix"), sci("./train", "TestScienceForceFeedbackMix")}},
	{ID: "EC-14", Claim: "SPM task and kernel bookkeeping", Published: "350 steps per trial; 25 + 25 W_d and 25 W_o updates", Tolerance: "exact",
		Tests: []testRef{fast("./train", "TestForceKernelBookkeeping"), fast("./train/task", "TestSPMTimeline")}},
	{ID: "EC-15", Claim: "Origin spectrum before/after training; 3×3 overlap identity", Published: "disk radius g centred at −1; outliers after training; rank-3 eigenvalues = 3×3 overlap's", Tolerance: "EC-01's; ≥ 1 outlier; 1e-8",
		Tests: []testRef{sci("./inspect", "TestEC15OriginSpectrum")}, Sweep: "census"},
	{ID: "EC-16", Claim: "Mechanism census among trainable networks (Ghazizadeh & Ching 2021)", Published: "703 DFP / 534 IFP / 182 LC / 105 Mix of 1524 (46/35/12/7 %)", Tolerance: "ordering DFP > IFP > LC > Mix",
		Sweep: "census"},
	{ID: "EC-17", Claim: "Parameter dependence of the census (Fig 6)", Published: "g < 1: no LC; larger σ_f → more DFP; p no effect; trainable fraction grows with g", Tolerance: "qualitative",
		Tests: []testRef{sci("./inspect", "TestEC17SmallCensus")}, Sweep: "census"},
	{ID: "EC-18", Claim: "Forgetting vs persistence under extended delay (Fig 5b)", Published: "DFP error < 0.01² up to 5× delay; IFP < 0.01² up to +100 %, then rising", Tolerance: "< 1e-4",
		Tests: []testRef{sci("./inspect", "TestEC18ExtendedDelay"), sci("./inspect", "TestKnownDeviation_EC18_.*")}, Sweep: "census"},
	{ID: "EC-19", Claim: "Noise robustness (Fig 5c)", Published: "DFP breaks below the stimulus variance; IFP and LC tolerate > 10×", Tolerance: "mean squared error 0.01 (|Δz| = 0.1) as the break",
		Tests: []testRef{sci("./inspect", "TestEC19Noise"), sci("./inspect", "TestKnownDeviation_EC19_.*")}, Sweep: "census"},
	{ID: "EC-20", Claim: "Saturation and weights (Fig 4c–f)", Published: "saturation DFP > IFP; ‖J_T − gJ‖ DFP > IFP; IFP daisy-chain band", Tolerance: "orderings",
		Tests: []testRef{sci("./inspect", "TestEC20SaturationAndWeights")}},
	{ID: "EC-21", Claim: "Trained DFP networks are not chaotic", Published: "converge to fixed points even for large g", Tolerance: "λ₁ < 0.01 per τ",
		Tests: []testRef{sci("./inspect", "TestEC21DFPNotChaotic")}},
	{ID: "EC-22", Claim: "DCDT tensors (Kurtkaya et al. 2025 code)", Published: "48 steps at 160 ms; weights 10/48, 38/48; window [37, 47)", Tolerance: "exact",
		Tests: []testRef{fast("./train/task", "TestDCDTTensors")}},
	{ID: "EC-23", Claim: "Demo phase points at 160 ms", Published: "lr 1 → unable; lr 0.01 → LC; lr 0.001 → SP", Tolerance: "majority of ≥ 5 seeds",
		Tests: []testRef{sci("./cli", "TestEC23DemoPhases"), sci("./cli", "TestEC23LimitCycleAtLR001|TestKnownDeviation_EC23_.*")}, Sweep: "phase"},
	{ID: "EC-24", Claim: "Phase-diagram monotonicity", Published: "P(unable) rises with delay and with lr; SP dominates at small lr, short delay", Tolerance: "± 10 %",
		Tests: []testRef{sci("./cli", "TestSweepExamplesSmallScience")}, Sweep: "phase"},
	{ID: "EC-25", Claim: "Scaling exponent of the critical learning rate", Published: "theory |B| ≈ 4–5 (SP) vs 2–3 (LC); helper 7.610e−5, 3.125e−4, 5.708e−5, 1.042e−4", Tolerance: "helper 1e-3 relative; exponent range",
		Tests: []testRef{sci("./cli", "TestSweepExamplesSmallScience"), sci("./cli", "TestKnownDeviation_EC25_.*")}, Sweep: "phase", NotRun: "the theory helper (η_c formulas of §5.6) is not in the code base"},
	{ID: "EC-26", Claim: "Post-reaction period favours LC", Published: "LC fraction with post > without (Fisher exact)", Tolerance: "one-sided p < 0.05",
		Tests: []testRef{sci("./cli", "TestKnownDeviation_EC26_.*")}},
	{ID: "EC-27", Claim: "DT/CT spectral map", Published: "eig((1−a)I + a diag(φ')W) = 1 + a·eig(−I + diag(φ')W)", Tolerance: "1e-10",
		Tests: []testRef{fast("./model", "TestEC27"), fast("./inspect", "TestEC27Map")}},
	{ID: "EC-28", Claim: "Rank-1 bistability", Published: "κ*(1.5) = 1.28784, κ*(2) = 1.91501, κ*(3) = 2.98470; 3 fixed points at λ = 2", Tolerance: "1e-4",
		Tests: []testRef{fast("./inspect", "TestEC28Rank1"), sci("./inspect", "TestEC28Rank1Science")}},
	{ID: "EC-29", Claim: "Outlier location (rank-1 + random)", Published: "one real outlier at 1.5", Tolerance: "± 0.1",
		Tests: []testRef{fast("./inspect", "TestEC29Outlier"), sci("./inspect", "TestEC29OutlierScience")}},
	{ID: "EC-30", Claim: "3-bit flip-flop has 8 stable fixed points (Sussillo & Barak 2013)", Published: "8 stable points, saddles between", Tolerance: "exactly 8",
		Tests: []testRef{fast("./inspect", "TestFlipFlopGRUFromTorch"), fast("./inspect", "TestFlipFlopGRU8FromTorch"), sci("./inspect", "TestKnownDeviation_EC30_.*"), sci("./train", "TestScienceGRUFlipFlop")}},
	{ID: "EC-31", Claim: "Fixed-point finder bookkeeping", Published: "merge within 1e-3 keeping lower q; discard beyond 10× spread", Tolerance: "exact",
		Tests: []testRef{fast("./inspect", "TestEC31Bookkeeping")}},
	{ID: "EC-32", Claim: "Analytic Jacobians vs finite differences", Published: "[PROPOSAL]", Tolerance: "1e-5 relative",
		Tests: []testRef{fast("./model", "Test.*Jacobians")}},
	{ID: "EC-33", Claim: "Gated model γ = 0 identity", Published: "equals ungated at half time", Tolerance: "Euler accuracy",
		Tests: []testRef{fast("./model", "TestEC33GammaZero")}},
	{ID: "EC-34", Claim: "Frozen neurons at γ → ∞", Published: "closed neurons unchanged; ≥ #closed zero eigenvalues", Tolerance: "exact",
		Tests: []testRef{fast("./model", "TestEC34Frozen")}},
	{ID: "EC-35", Claim: "Ungated blackout (Goto et al. 2025, reconstructed)", Published: "m_ss ≈ 1 for α ≲ 0.1; ≲ 0.4 for α ≥ 0.2", Tolerance: "as published",
		Tests: []testRef{sci("./inspect", "TestEC35UngatedBlackout(Full)?")}},
	{ID: "EC-36", Claim: "Gated: no blackout", Published: "m_ss(gated) − m_ss(ungated) > 0.2", Tolerance: "> 0.2",
		Tests: []testRef{sci("./inspect", "TestEC36GatedNoBlackout(Full)?")}},
	{ID: "EC-37", Claim: "γ ordering at α = 0.4", Published: "m(T) grows with γ", Tolerance: "ordering",
		Tests: []testRef{sci("./inspect", "TestEC37GammaOrdering(Full)?")}},
	{ID: "EC-38", Claim: "Continuous multistability, P = 2", Published: "ungated 4 end points; gated a continuum", Tolerance: "as published",
		Tests: []testRef{sci("./inspect", "TestEC38ContinuousMultistability(Full)?")}},
}
