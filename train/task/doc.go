// Package task generates the trials networks are trained and tested on:
// inputs, targets and loss weights, deterministic for a seed.
//
// Trial-based tasks implement [Task] and return a [Batch] laid out
// time-major (step, trial, channel), the layout the trainers consume. The
// tasks are those of the science specification: the delayed cue
// discrimination task and the delayed activation task of Kurtkaya et al.
// (§5.2), the sequential pattern-matching task of Ghazizadeh & Ching (§3.2),
// the N-bit flip-flop (Sussillo & Barak), last-k recall and sinusoid hold
// (§2.2), and delayed choice with variable encoding time (§4.2). FORCE
// targets that are functions of time (a sinusoid, the four-sinusoid target of
// Sussillo & Abbott, §7.1) are [Signal] values.
package task
