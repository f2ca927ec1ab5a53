package cli

import (
	"fmt"

	"attractor/model"
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

func init() {
	build := func(taskName string) func(string, *trainFlags, map[string]bool) (job, error) {
		return func(method string, f *trainFlags, set map[string]bool) (job, error) {
			if method != "bptt" {
				return nil, fmt.Errorf("--method %q: the %s task trains by bptt (give --method bptt)", method, taskName)
			}
			cfg := train.DefaultSeq()
			cfg.Task, cfg.Seed = taskName, f.seed
			switch taskName {
			case "lastk":
				cfg.Bits = 1
			case "choice":
				// science.md §4.2: TRNN, Adam 1e-3, delay 40, clip 1.
				cfg.Family, cfg.LR, cfg.Delay, cfg.Hidden, cfg.Epochs = model.FamilyTRNN, 1e-3, 40, 96, 300
			}
			if set["family"] || taskName != "choice" {
				switch fam := model.Family(f.family); fam {
				case "rnn", model.FamilyTorchRNN:
					cfg.Family = model.FamilyTorchRNN
				case model.FamilyGRU, model.FamilyLSTM, model.FamilyTRNN:
					cfg.Family = fam
				default:
					return nil, fmt.Errorf("--family %q: want rnn (or rnn_tanh), gru, lstm or trnn", f.family)
				}
			}
			cfg.Vanilla = f.vanilla
			if f.hidden != 0 {
				cfg.Hidden = f.hidden
			}
			if set["epochs"] {
				cfg.Epochs = f.epochs
			}
			if set["lr"] {
				cfg.LR = f.lr
			}
			if set["bits"] {
				cfg.Bits = f.bits
			}
			if set["delay-steps"] {
				cfg.Delay = f.delaySteps
			}
			if set["batch"] {
				cfg.Batch = f.batch
			}
			s, err := train.NewSeqSession(cfg)
			if err != nil {
				return nil, err
			}
			return seqJob{s}, nil
		}
	}
	resume := func(ck string) (job, int, error) {
		s, done, err := train.ResumeSeq(ck)
		return seqJob{s}, done, err
	}
	for _, name := range []string{"flipflop", "lastk", "choice"} {
		taskBuilders[name] = build(name)
		taskResumers[name] = resume
	}
}
