package cli

import (
	"attractor/saved"
	"attractor/train"
)

// forceSignalJob is FORCE learning of a signal (sinusoid, foursine).
type forceSignalJob struct{ *train.ForceSignalSession }

func (j forceSignalJob) Unit() string               { return "chunk" }
func (j forceSignalJob) SetProgram(p saved.Program) { j.Program = p }
func (j forceSignalJob) StepsPerUnit() int          { return j.Cfg.Chunk }

// Finish returns the training and test MAE (train.ForceSignalSession.Results).
func (j forceSignalJob) Finish(dir string) (map[string]any, error) { return j.Results(dir) }

// forceSPMJob is FORCE learning of the sequential pattern-matching task.
type forceSPMJob struct {
	*train.ForceSPMSession
	testSeeds int
}

func (j forceSPMJob) Unit() string               { return "trial" }
func (j forceSPMJob) SetProgram(p saved.Program) { j.Program = p }

// Finish runs the trainability test of docs/science.md §3.3
// (train.ForceSPMSession.Results).
func (j forceSPMJob) Finish(dir string) (map[string]any, error) { return j.Results(j.testSeeds) }
