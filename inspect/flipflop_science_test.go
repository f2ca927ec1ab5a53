//go:build science

package inspect

import (
	"context"
	"testing"

	"attractor/model"
	"attractor/train"
)

// TestFlipFlopGRUOwnTrainer is EC-30's other half: the GRU our own trainer
// produces (attractor train flipflop --hidden 24 --epochs 400 --seed 1,
// about 30 s) has one stable fixed point per memory state it holds, with
// saddles between them. With this seed it holds seven of the eight.
func TestFlipFlopGRUOwnTrainer(t *testing.T) {
	cfg := train.DefaultSeq()
	cfg.Hidden, cfg.Epochs, cfg.Seed = 24, 400, 1
	s, err := train.NewSeqSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < s.Units(); i++ {
		if _, err := s.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	net := s.Network().Net
	if net.Family() != model.FamilyGRU {
		t.Fatalf("trained a %s network", net.Family())
	}
	if stable, _ := ffCheck(t, net); stable < 7 {
		t.Errorf("%d stable points, want at least 7", stable)
	}
}
