package cli

import (
	"fmt"
	"strconv"
	"strings"

	"attractor/saved"
	"attractor/train"
)

// leakyJob is BPTT of the leaky rate network on the delayed
// cue-discrimination task.
type leakyJob struct{ *train.LeakySession }

func (j leakyJob) Unit() string               { return "epoch" }
func (j leakyJob) SetProgram(p saved.Program) { j.Program = p }

// Finish returns the figures the peer script prints (train.LeakySession.Results).
func (j leakyJob) Finish(dir string) (map[string]any, error) { return j.Results() }

// parseMS reads a duration in milliseconds: "160ms", "0.16s" or "160".
func parseMS(s string) (int, error) {
	v, unit := s, 1.0
	switch {
	case strings.HasSuffix(s, "ms"):
		v = strings.TrimSuffix(s, "ms")
	case strings.HasSuffix(s, "s"):
		v, unit = strings.TrimSuffix(s, "s"), 1000
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("delay %q: want a duration such as 160ms", s)
	}
	ms := f * unit
	if ms != float64(int(ms)) {
		return 0, fmt.Errorf("delay %q is not a whole number of milliseconds", s)
	}
	return int(ms), nil
}
