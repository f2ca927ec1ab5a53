package train

import "testing"

// TestLeakyResumeSameBytes interrupts DCDT training and resumes it; the
// final network file must equal the uninterrupted run's.
func TestLeakyResumeSameBytes(t *testing.T) {
	cfg := DefaultLeaky()
	cfg.Hidden, cfg.DelayMS, cfg.Epochs, cfg.Seed = 12, 40, 10, 3
	checkResumeSameBytes(t,
		func() (resumable, error) { return NewLeakySession(cfg) },
		func(name string) (resumable, int, error) { return ResumeLeaky(name) }, 3, 5)
	if cfg := DefaultLeaky(); cfg.Epochs != 3000 {
		t.Errorf("lr 0.01 gives %d epochs, want max(1000, 30/lr) = 3000", cfg.Epochs)
	}
}
