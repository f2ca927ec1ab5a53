package sweep

import (
	"slices"
	"testing"

	"attractor/model"
	"attractor/train"
)

// Every task of docs/science.md has one trainer, with its method, a resume and
// defaults that validate; a configuration key sets the field of its JSON
// name.
func TestTrainers(t *testing.T) {
	for _, task := range []string{"sinusoid", "foursine", "spm", "dcdt", "flipflop", "lastk", "choice"} {
		tr, ok := TrainerOf(task)
		if !ok {
			t.Errorf("no trainer for %s", task)
			continue
		}
		if tr.Method != "force" && tr.Method != "bptt" || tr.Resume == nil || tr.New == nil {
			t.Errorf("%s: method %q, resume %v", task, tr.Method, tr.Resume != nil)
		}
		if err := tr.Check(map[string]any{}); err != nil {
			t.Errorf("%s: defaults: %v", task, err)
		}
		if !slices.Contains(tr.Fields, "seed") || !slices.Contains(tr.Fields, "hidden") {
			t.Errorf("%s: fields %v lack seed or hidden", task, tr.Fields)
		}
		if err := tr.Check(map[string]any{"hidden": int64(0)}); err == nil {
			t.Errorf("%s: hidden = 0 accepted", task)
		}
	}
	tr, _ := TrainerOf("choice")
	j, err := tr.New(map[string]any{"hidden": int64(5), "family": "rnn", "epochs": int64(1), "batch": int64(2)})
	if err != nil {
		t.Fatal(err)
	}
	s := j.(*train.SeqSession)
	if s.Cfg.Task != "choice" || s.Cfg.Family != model.FamilyTorchRNN || s.Cfg.Delay != 40 || s.Cfg.LR != 1e-3 {
		t.Errorf("choice config %+v: want task choice, family rnn_tanh, the choice defaults", s.Cfg)
	}
	tr, _ = TrainerOf("foursine")
	j, err = tr.New(map[string]any{"hidden": int64(10), "target": "sine"})
	if err != nil {
		t.Fatal(err)
	}
	if c := j.(*train.ForceSignalSession).Cfg; c.Target != "foursine" || c.Hidden != 10 {
		t.Errorf("foursine config %+v", c)
	}
}
