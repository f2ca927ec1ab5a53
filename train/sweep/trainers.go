package sweep

import (
	"attractor/model"
	"attractor/train"
)

// The trainers of the tasks of docs/science.md, by task name; `attractor
// train TASK` and sweep specifications (task = "…") both look them up
// here. A configuration's keys are the JSON names of the task's
// configuration struct (train.LeakyConfig and so on); keys not given keep
// the struct's defaults.
func init() {
	// FORCE on a signal (Sussillo & Abbott): the sine or the sum of four
	// sines.
	for _, t := range []struct{ task, target string }{{"sinusoid", "sine"}, {"foursine", "foursine"}} {
		target := t.target
		tr := StructTrainer(train.DefaultForceSignal,
			func(c *train.ForceSignalConfig, given map[string]any) { c.Target = target },
			train.ForceSignalConfig.Validate,
			func(c train.ForceSignalConfig) (Job, error) {
				s, err := train.NewForceSignalSession(c)
				if err != nil {
					return nil, err
				}
				s.Program = Program
				return s, nil
			})
		tr.Method = "force"
		tr.Resume = func(name string) (Job, int, error) {
			s, done, err := train.ResumeForceSignal(name)
			if err != nil {
				return nil, 0, err
			}
			s.Program = Program
			return s, done, nil
		}
		RegisterTrainer(t.task, tr)
	}

	// FORCE on the sequential pattern-matching task (docs/science.md §3).
	spm := StructTrainer(train.DefaultForceSPM, nil, train.ForceSPMConfig.Validate,
		func(c train.ForceSPMConfig) (Job, error) {
			s, err := train.NewForceSPMSession(c)
			if err != nil {
				return nil, err
			}
			s.Program = Program
			return s, nil
		})
	spm.Method = "force"
	spm.Resume = func(name string) (Job, int, error) {
		s, done, err := train.ResumeForceSPM(name)
		if err != nil {
			return nil, 0, err
		}
		s.Program = Program
		return s, done, nil
	}
	RegisterTrainer("spm", spm)

	// Leaky BPTT on the delayed cue-discrimination task (docs/science.md §5);
	// epochs default to max(1000, 30/lr) (100/lr with the post period).
	dcdt := StructTrainer(train.DefaultLeaky,
		func(c *train.LeakyConfig, given map[string]any) {
			if _, ok := given["epochs"]; !ok {
				c.Epochs = c.KurtkayaEpochs()
			}
		}, train.LeakyConfig.Validate,
		func(c train.LeakyConfig) (Job, error) {
			s, err := train.NewLeakySession(c)
			if err != nil {
				return nil, err
			}
			s.Program = Program
			return s, nil
		})
	dcdt.Method = "bptt"
	dcdt.Resume = func(name string) (Job, int, error) {
		s, done, err := train.ResumeLeaky(name)
		if err != nil {
			return nil, 0, err
		}
		s.Program = Program
		return s, done, nil
	}
	RegisterTrainer("dcdt", dcdt)

	// BPTT of torch-style networks on sequence tasks (docs/science.md §4):
	// flip-flop and last-k recall (GRU by default), and the choice task
	// (TRNN, Adam 1e-3, delay 40, 96 units, 300 epochs, docs/science.md §4.2).
	// The family "rnn" means rnn_tanh.
	seq := func(task string, defaults func() train.SeqConfig) Trainer {
		t := StructTrainer(defaults,
			func(c *train.SeqConfig, given map[string]any) {
				c.Task = task
				if c.Family == "rnn" {
					c.Family = model.FamilyTorchRNN
				}
			}, train.SeqConfig.Validate,
			func(c train.SeqConfig) (Job, error) {
				s, err := train.NewSeqSession(c)
				if err != nil {
					return nil, err
				}
				s.Program = Program
				return s, nil
			})
		t.Method = "bptt"
		t.Resume = func(name string) (Job, int, error) {
			s, done, err := train.ResumeSeq(name)
			if err != nil {
				return nil, 0, err
			}
			s.Program = Program
			return s, done, nil
		}
		return t
	}
	RegisterTrainer("flipflop", seq("flipflop", train.DefaultSeq))
	RegisterTrainer("lastk", seq("lastk", func() train.SeqConfig {
		c := train.DefaultSeq()
		c.Bits = 1
		return c
	}))
	RegisterTrainer("choice", seq("choice", func() train.SeqConfig {
		c := train.DefaultSeq()
		c.Family, c.LR, c.Delay, c.Hidden, c.Epochs = model.FamilyTRNN, 1e-3, 40, 96, 300
		return c
	}))
}
