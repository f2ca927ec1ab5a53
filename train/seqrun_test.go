package train

import (
	"testing"

	"attractor/model"
)

// TestSeqResumeSameBytes interrupts GRU and LSTM training and resumes it;
// the final network file must equal the uninterrupted run's.
func TestSeqResumeSameBytes(t *testing.T) {
	for _, fam := range []model.Family{model.FamilyGRU, model.FamilyLSTM} {
		cfg := DefaultSeq()
		cfg.Family, cfg.Hidden, cfg.Steps, cfg.Batch, cfg.Epochs, cfg.Seed = fam, 8, 30, 8, 10, 5
		if fam == model.FamilyLSTM {
			cfg.Task, cfg.Bits = "lastk", 1
		}
		checkResumeSameBytes(t,
			func() (resumable, error) { return NewSeqSession(cfg) },
			func(name string) (resumable, int, error) { return ResumeSeq(name) }, 4, 6)
	}
}
