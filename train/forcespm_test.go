package train

import "testing"

// TestForceSPMResumeSameBytes interrupts SPM training and resumes it; the
// final network file must equal the uninterrupted run's; the trainability
// test then runs its 4 × 4 × seeds protocol.
func TestForceSPMResumeSameBytes(t *testing.T) {
	cfg := DefaultForceSPM()
	cfg.Hidden, cfg.Trials, cfg.Seed = 40, 12, 7
	checkResumeSameBytes(t,
		func() (resumable, error) { return NewForceSPMSession(cfg) },
		func(name string) (resumable, int, error) { return ResumeForceSPM(name) }, 5, 8)
	s, err := NewForceSPMSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := TestSPM(s.Force.Net, s.Task, s.Force.State(), 2, 1, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RMSE) != 2*4*4 || res.Max <= 0 {
		t.Errorf("test protocol ran %d trials (want 32), max RMSE %v", len(res.RMSE), res.Max)
	}
}
