package analysis

import (
	"context"

	"attractor/inspect"
)

// MemoryPhases are the retrieval phase diagrams of an associative memory
// (docs/science.md §7.2): the network's own and, for a gated network, the
// same network with its gate off (γ = 0) and the paired difference.
type MemoryPhases struct {
	Diagram *inspect.PhaseDiagram
	// Reference is the γ = 0 network's diagram and Delta is
	// Diagram − Reference, run for run (nil when not computed).
	Reference *inspect.PhaseDiagram
	Delta     *inspect.PhaseDiagram
}

// MemoryReference returns the γ = 0 network to compare m with: for a gated
// model with a gate (γ ≠ 0), m with Gate.Gamma = 0; otherwise false.
func MemoryReference(m inspect.MemoryModel) (inspect.MemoryModel, bool) {
	if !m.Gated || m.Gate.Gamma == 0 {
		return inspect.MemoryModel{}, false
	}
	r := m
	r.Gate.Gamma = 0
	return r, true
}

// Memory computes the phase diagram of m on set's grid and, when ref is set
// and m has a reference ([MemoryReference]), the reference's diagram with
// the same seed and their difference. Before each pass it calls progress,
// when not nil, with the pass (from 1), the number of passes and the
// model, and reports that pass's cells to the function it returns; set's
// own Progress is replaced then.
func Memory(ctx context.Context, m inspect.MemoryModel, set inspect.PhaseSettings, ref bool,
	progress func(pass, passes int, m inspect.MemoryModel) func(done, total int)) (*MemoryPhases, error) {
	refModel, hasRef := MemoryReference(m)
	hasRef = hasRef && ref
	passes := 1
	if hasRef {
		passes = 2
	}
	run := func(m inspect.MemoryModel, pass int) (*inspect.PhaseDiagram, error) {
		s := set
		if progress != nil {
			s.Progress = progress(pass, passes, m)
		}
		return inspect.PhaseDiagramOf(ctx, m, &s)
	}
	d, err := run(m, 1)
	if err != nil {
		return nil, err
	}
	out := &MemoryPhases{Diagram: d}
	if hasRef {
		if out.Reference, err = run(refModel, 2); err != nil {
			return nil, err
		}
		if out.Delta, err = d.Minus(out.Reference); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MeanClosed returns the mean over the cells of the fraction of closed
// gates at the end of the runs of a gated network's diagram (NaN for a
// diagram without gates).
func (p *MemoryPhases) MeanClosed() float64 {
	var sum float64
	for _, v := range p.Diagram.Closed {
		sum += v
	}
	return sum / float64(len(p.Diagram.Closed))
}
