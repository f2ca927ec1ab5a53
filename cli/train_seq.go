package cli

import (
	"attractor/saved"
	"attractor/train"
)

// seqJob is BPTT training of a torch-style network on a sequence task.
type seqJob struct{ *train.SeqSession }

func (j seqJob) Unit() string               { return "epoch" }
func (j seqJob) SetProgram(p saved.Program) { j.Program = p }

// Finish scores the network on held-out trials (train.SeqSession.Results).
func (j seqJob) Finish(dir string) (map[string]any, error) { return j.Results() }
