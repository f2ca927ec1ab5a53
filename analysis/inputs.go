package analysis

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"attractor/model"
	"attractor/saved"
)

// ReadInputs reads a user's own trials from a NumPy file and returns them
// as a protocol for net. A .npy file holds one array, an .npz file an
// array named "inputs" (or its only array): conditions × steps × inputs,
// the input of every step of every condition. An .npz file may add "x0",
// conditions × state, the initial states (otherwise every condition starts
// from x0, or the origin when x0 is nil). The whole trial is the cue; the
// delay (a hold of zero input after it) starts at 0 steps and the keys
// lengthen it. Errors name the file and the field: a missing array, an
// array that is not 3-D, an input dimension that is not the network's, a
// NaN or infinite entry.
func ReadInputs(name string, net model.Network, x0 []float64) (Protocol, error) {
	var ts []saved.Tensor
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".npy":
		ts, err = saved.ReadNPY(name)
		if len(ts) == 1 {
			ts[0].Name = "inputs"
		}
	case ".npz":
		ts, err = saved.ReadNPZ(name)
	default:
		return Protocol{}, &saved.FileError{File: name, Err: errors.New("trials are read from .npy or .npz files (conditions × steps × inputs)")}
	}
	if err != nil {
		return Protocol{}, err
	}
	return InputsProtocol(name, ts, net, x0)
}

// InputsProtocol makes the protocol of [ReadInputs] from the arrays of
// file name.
func InputsProtocol(name string, ts []saved.Tensor, net model.Network, x0 []float64) (Protocol, error) {
	ferr := func(field, format string, a ...any) error {
		return &saved.FileError{File: name, Field: field, Err: fmt.Errorf(format, a...)}
	}
	var in, starts *saved.Tensor
	for i := range ts {
		switch ts[i].Name {
		case "inputs":
			in = &ts[i]
		case "x0":
			starts = &ts[i]
		}
	}
	if in == nil && len(ts) == 1 {
		in = &ts[0]
	}
	if in == nil {
		return Protocol{}, ferr("inputs", "no array named inputs (conditions × steps × inputs)")
	}
	d := net.Dims()
	if len(in.Shape) != 3 {
		return Protocol{}, ferr(in.Name, "shape %v: want 3 dimensions (conditions × steps × inputs)", in.Shape)
	}
	C, T, I := in.Shape[0], in.Shape[1], in.Shape[2]
	if I != d.Input {
		return Protocol{}, ferr(in.Name, "shape %v: %d inputs per step, the network takes %d", in.Shape, I, d.Input)
	}
	if C < 1 || T < 1 {
		return Protocol{}, ferr(in.Name, "shape %v: no trials", in.Shape)
	}
	if C*T*I != len(in.Data) {
		return Protocol{}, ferr(in.Name, "shape %v does not match %d values", in.Shape, len(in.Data))
	}
	const most = 4096
	if C > most {
		return Protocol{}, ferr(in.Name, "shape %v: %d conditions, at most %d", in.Shape, C, most)
	}
	for i, v := range in.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			c, t, k := i/(T*I), i/I%T, i%I
			return Protocol{}, ferr(in.Name, "condition %d, step %d, input %d is %v", c, t, k, v)
		}
	}
	if starts != nil {
		if len(starts.Shape) != 2 || starts.Shape[0] != C || starts.Shape[1] != d.State || len(starts.Data) != C*d.State {
			return Protocol{}, ferr(starts.Name, "shape %v: want %d × %d (conditions × state)", starts.Shape, C, d.State)
		}
		for i, v := range starts.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Protocol{}, ferr(starts.Name, "condition %d, unit %d is %v", i/d.State, i%d.State, v)
			}
		}
	}
	if x0 == nil {
		x0 = make([]float64, d.State)
	}
	p := Protocol{Source: "inputs " + filepath.Base(name), MinDelay: 0, ScoreFrom: -1, ScoreLen: 1}
	p.MaxDelay = 16 * T
	p.Dt, p.Unit = TimeUnit(net)
	for c := range C {
		cue := make([][]float64, T)
		for t := range cue {
			row := in.Data[(c*T+t)*I : (c*T+t+1)*I]
			zero := true
			for _, v := range row {
				zero = zero && v == 0
			}
			if !zero {
				cue[t] = append([]float64(nil), row...)
			}
		}
		start := x0
		if starts != nil {
			start = append([]float64(nil), starts.Data[c*d.State:(c+1)*d.State]...)
		}
		p.Conditions = append(p.Conditions, Condition{Name: fmt.Sprintf("trial %d", c+1), X0: start, Cue: cue,
			Memory: c, Target: math.NaN()})
	}
	p.Note = fmt.Sprintf("%d trials of %d steps from %s", C, T, filepath.Base(name))
	return p, nil
}
