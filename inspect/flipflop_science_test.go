//go:build science

package inspect

import (
	"context"
	"testing"

	"attractor/internal/repro"
	"attractor/model"
	"attractor/train"
)

// TestKnownDeviation_EC30_OwnTrainerGRU is EC-30 on the GRU our own
// trainer produces (attractor train flipflop --hidden 24 --epochs 400
// --seed 1, about 30 s). Sussillo & Barak's trained flip-flop networks
// have 8 stable fixed points, one per memory state; ours holds 7 of the 8
// forever (the eighth drifts away over thousands of steps of zero input:
// a slow point, which the finder rightly does not call stable). The finder
// is checked against simulation (ffCheck: one stable point per memory
// state the network holds, saddles between them); the number of stable
// points is recorded and the test fails if it falls below the 7 measured
// when the deviation was named. The PyTorch-trained networks of
// TestFlipFlopGRU8FromTorch (8 of 8) and TestFlipFlopGRUFromTorch (2 of 8,
// accuracy 1.0) show the same spread: a trial-length task does not force
// every memory to be a fixed point.
func TestKnownDeviation_EC30_OwnTrainerGRU(t *testing.T) {
	rec := repro.New(t, "EC-30", "inspect", "GRU, hidden 24, 400 epochs, seed 1, trained by train.NewSeqSession; fixed points at zero input")
	rec.Deviates("our trainer's GRU holds 7 of the 8 memory states as stable fixed points; the eighth is a slow point (trial-length training does not force a fixed point)")
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
	stable, held := ffCheck(t, net)
	rec.Measure("stable fixed points", "", "8 (one per memory state)", "named deviation: ≥ 7 (measured when named)").Add(float64(stable), 1)
	rec.Measure("memory states held for 5000 steps of zero input", "", "8", "= stable points").Add(float64(held), 1)
	if stable == 8 {
		t.Logf("8 stable points: EC-30 reproduces for our trainer; rename this test")
	}
	if stable < 7 {
		t.Errorf("%d stable points, further from 8 than the 7 measured when the deviation was named", stable)
	}
}
