// Package inspect finds how a network remembers: fixed and slow points,
// spectra, cycles, mechanism verdicts and perturbation experiments.
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
package inspect
