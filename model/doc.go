// Package model holds the recurrent networks that attractor trains and
// analyses, each with its exact one-step update and its analytic Jacobians.
//
// Every family is a small type that implements [Network]: a discrete map
// s_{t+1} = f(s_t, u_t) over a state vector s whose meaning is named by
// [Network.StateVar] (the current x of a continuous-time rate network, the
// rate r of a leaky rate network, the hidden state h of a GRU, the
// concatenation (h, c) of an LSTM, or (x, z) of the gated associative net).
// Continuous-time families also implement [Flow]: their Step is the
// forward-Euler step s + dt·F(s, u) of the vector field F, and analysis code
// uses F and its Jacobian directly, so that eigenvalues are continuous-time
// rates in the model's time units (stable when Re λ < 0) rather than
// discrete-map multipliers (stable when |λ| < 1).
//
// The families, with the equations of the science specification:
//
//   - [CTRNN]: τ ẋ = −x + g J φ(x) + W_f z_o + W_fd z_d + W_in u + b,
//     with dense or sparse J and optional output feedback (Sussillo–Abbott,
//     Ghazizadeh & Ching).
//   - [Leaky]: r ← (1−a) r + a tanh(W_rec r + b_rec + W_in u + b_in), the
//     discrete leaky rate network of the delayed cue-discrimination sweeps,
//     and [LowRank], its rank-K form with W = m n.
//   - [TorchRNN], [GRU], [LSTM]: torch.nn.RNN (tanh), GRU and LSTM with
//     PyTorch's exact gate order and equations.
//   - [TRNN]: the transient-trajectory network (self-inhibition, a fixed
//     sparse mask, hierarchical modules); the vanilla network is its
//     degenerate case.
//   - [Hopfield] and [Gated]: the graded Amari–Hopfield network and the
//     gated associative network with a neuromodulator layer.
//
// Steps and Jacobians write into caller-provided destinations and do not
// allocate. A Network keeps private scratch space, so it is not safe for
// concurrent use; [Network.Clone] gives a copy that shares the parameters
// and owns its scratch, for use on another goroutine.
//
// Shape mismatches are programming errors and panic with a [ShapeError].
// Constructors that take parameters from outside (files, users) return a
// [*NonFiniteError] naming the parameter when a weight is NaN or infinite.
//
// Every random draw comes from an explicit [RNG], a seeded PCG stream whose
// uniform and normal variates are defined in this package, so the same seed
// gives bit-identical networks on every platform and Go release.
package model
