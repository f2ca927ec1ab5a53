// Package inspect finds how a network remembers: fixed and slow points,
// spectra, cycles, mechanism verdicts, perturbation experiments and the
// retrieval behaviour of associative memories.
//
// Fixed and slow points (Sussillo & Barak 2013; Golub & Sussillo 2018) are
// found by [FindFixedPoints], which minimises the speed
//
//	q(x) = ½ |F(x)|²,   ∇q = Jac(x)ᵀ F(x)
//
// from many initial states, where F is the velocity of a [model.Flow]
// (continuous-time convention) or F(x) = f(x) − x for a plain
// [model.Network] seen as a discrete map. Its settings mirror the defaults
// of FixedPointFinder. Each unique point is classified from the eigenvalues
// of its Jacobian, held in a [Spectrum] that records which convention they
// follow: continuous-time rates λ (stable when Re λ < 0, time constant
// 1/|Re λ|) or discrete-map multipliers μ (stable when |μ| < 1), related by
// μ = 1 + dt·λ for a forward-Euler step.
//
// [Settle] runs a network to its attractor and says what it reached (a fixed
// point, a limit cycle with its period and Floquet multipliers, or other
// behaviour with a Lyapunov exponent). The verdicts ([GhazizadehVerdict],
// [KurtkayaVerdict]) label the memory mechanism as the papers do and carry
// the numbers that decided it and the thresholds used. The perturbation
// curves ([NoiseCurve], [ExtendDelayCurve], [KickCurve], [InterruptCurve])
// measure how the memory breaks. For associative memories, [Retrieve] and
// [PhaseDiagramOf] measure retrieval overlaps over memory load and initial
// overlap, and [FlowDiagram] the end points of the two-pattern flow.
//
// Every analysis takes a context, bounds its loops, and reports a network
// that never settles, NaN states or a search that does not converge in its
// result instead of hanging or panicking.
package inspect
