package train

import "testing"

// TestForceSignalResumeSameBytes interrupts FORCE training, resumes it from
// the checkpoint and compares the final network file with that of an
// uninterrupted run, byte for byte.
func TestForceSignalResumeSameBytes(t *testing.T) {
	cfg := DefaultForceSignal()
	cfg.Hidden, cfg.Steps, cfg.Chunk, cfg.Seed = 40, 1000, 50, 3
	checkResumeSameBytes(t,
		func() (resumable, error) { return NewForceSignalSession(cfg) },
		func(name string) (resumable, int, error) { return ResumeForceSignal(name) }, 4, 7)
}
