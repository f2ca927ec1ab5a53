package cli

import (
	"attractor/saved"
	"attractor/train"
)

// seqJob is BPTT training of a torch-style network on a sequence task.
type seqJob struct{ *train.SeqSession }

func (j seqJob) Unit() string               { return "epoch" }
func (j seqJob) SetProgram(p saved.Program) { j.Program = p }

// Finish scores the network on a held-out batch of 256 trials.
func (j seqJob) Finish(dir string) (map[string]any, error) {
	st, err := j.Evaluate()
	if err != nil {
		return nil, err
	}
	return map[string]any{"program": "attractor-bptt", "family": string(j.Cfg.Family), "hidden": j.Cfg.Hidden,
		"epochs": j.Cfg.Epochs, "heldout_loss": st.Loss, "heldout_accuracy": st.Accuracy}, nil
}
