package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Family names a network family. The string is stable: it is written into
// saved network files.
type Family string

// The network families of this package.
const (
	FamilyCTRNN    Family = "ctrnn"    // continuous-time rate network, state x
	FamilyLeaky    Family = "leaky"    // discrete leaky rate network, state r
	FamilyLowRank  Family = "lowrank"  // rank-K leaky network, state x
	FamilyTorchRNN Family = "rnn_tanh" // torch.nn.RNN with tanh, state h
	FamilyGRU      Family = "gru"      // torch.nn.GRU, state h
	FamilyLSTM     Family = "lstm"     // torch.nn.LSTM, state (h, c)
	FamilyTRNN     Family = "trnn"     // transient-trajectory network, state h
	FamilyHopfield Family = "hopfield" // graded Amari–Hopfield network, state x
	FamilyGated    Family = "gated"    // gated associative network, state (x, z)
)

// StateVar names the variable a network's state vector holds.
type StateVar string

// State variables.
const (
	StateCurrent     StateVar = "current x"         // pre-activation current; rate r = φ(x)
	StateRate        StateVar = "rate r"            // firing rate
	StateHidden      StateVar = "hidden h"          // hidden state of a gated or vanilla RNN
	StateHiddenCell  StateVar = "hidden h, cell c"  // concatenation (h, c) of an LSTM
	StateCurrentGate StateVar = "current x, gate z" // concatenation (x, z) of the gated network
)

// Dims gives the sizes of a network's state, input and output vectors.
type Dims struct {
	State  int // length of the state vector (2H for an LSTM, 2N for the gated net)
	Input  int // number of input channels
	Output int // number of readout channels (0 when the network has no readout)
}

// Network is a recurrent network seen as a discrete map s_{t+1} = f(s_t, u_t).
//
// In every method, x is a state of length Dims().State and u an input of
// length Dims().Input; a nil u means zero input. Destinations must not alias
// x or u. None of the methods allocate.
type Network interface {
	// Family names the family, as written into saved files.
	Family() Family
	// Dims gives the state, input and output sizes.
	Dims() Dims
	// StateVar names what the state vector holds.
	StateVar() StateVar
	// Step writes f(x, u), the state one step later, into dst.
	Step(dst, x, u []float64)
	// Jacobian writes ∂f/∂x at (x, u), a State×State matrix, into dst.
	Jacobian(dst *mat.Dense, x, u []float64)
	// InputJacobian writes ∂f/∂u at (x, u), a State×Input matrix, into dst.
	InputJacobian(dst *mat.Dense, x, u []float64)
	// Output writes the readout at state x into dst, of length Dims().Output.
	Output(dst, x []float64)
	// Clone returns a network that shares the parameters of the receiver
	// and has its own scratch space, for use on another goroutine.
	Clone() Network
}

// Flow is a continuous-time network ds/dt = F(s, u) whose Step is the
// forward-Euler step s + Dt()·F(s, u). F is in the model's time units
// (τ included), so the eigenvalues of VelocityJacobian are continuous-time
// rates: stable when Re λ < 0, with time constant 1/|Re λ|. The Jacobian of
// Step is I + Dt()·VelocityJacobian, so its multipliers are 1 + Dt()·λ.
type Flow interface {
	Network
	// Velocity writes F(x, u) = ds/dt into dst.
	Velocity(dst, x, u []float64)
	// VelocityJacobian writes ∂F/∂x at (x, u) into dst.
	VelocityJacobian(dst *mat.Dense, x, u []float64)
	// Dt is the Euler step in model time units.
	Dt() float64
}

// ShapeError is the panic value for a vector or matrix of the wrong size
// handed to a method of this package. It is a programming error.
type ShapeError struct {
	Op   string // the method, such as "CTRNN.Step"
	Arg  string // the argument, such as "dst"
	Want int    // the expected length (or rows×cols as rows*cols)
	Got  int
}

func (e ShapeError) Error() string {
	return fmt.Sprintf("model: %s: %s has length %d, want %d", e.Op, e.Arg, e.Got, e.Want)
}

// NonFiniteError reports a NaN or infinite value in a parameter handed in
// from outside.
type NonFiniteError struct {
	Param string  // the parameter, such as "W_rec"
	Index int     // flat row-major index of the first bad value
	Value float64 // the value found
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("model: parameter %s has non-finite value %v at flat index %d", e.Param, e.Value, e.Index)
}

// CheckFinite returns a *NonFiniteError naming param if data holds a NaN or
// an infinity.
func CheckFinite(param string, data []float64) error {
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &NonFiniteError{Param: param, Index: i, Value: v}
		}
	}
	return nil
}

// checkLen panics with a ShapeError when len(v) != n.
func checkLen(op, arg string, v []float64, n int) {
	if len(v) != n {
		panic(ShapeError{Op: op, Arg: arg, Want: n, Got: len(v)})
	}
}

// checkInput panics unless u is nil or of length n.
func checkInput(op string, u []float64, n int) {
	if u != nil && len(u) != n {
		panic(ShapeError{Op: op, Arg: "u", Want: n, Got: len(u)})
	}
}

// checkDense panics with a ShapeError unless m is r×c.
func checkDense(op, arg string, m *mat.Dense, r, c int) {
	mr, mc := m.Dims()
	if mr != r || mc != c {
		panic(ShapeError{Op: op, Arg: arg, Want: r * c, Got: mr * mc})
	}
}
