package sweep

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

// TimingFile holds how long a network took to train and analyse. It lives
// beside the result rather than in it, because a result holds only what
// training determines (the same network always gives the same bytes).
const TimingFile = "timing.json"

// Timing is one network's cost, as its worker measured it.
type Timing struct {
	// WallSeconds is the wall-clock time from claim to commit.
	WallSeconds float64 `json:"wall_seconds"`
	// CPUSeconds is the process's CPU time over the same span. It is the
	// network's own cost only when Workers is 1 (the process trained one
	// network at a time); with more workers it includes the others'.
	CPUSeconds float64 `json:"cpu_seconds"`
	Workers    int     `json:"workers"`
	Host       string  `json:"host"`
	// ResumedAt is the units done when the worker resumed a checkpoint of
	// an interrupted one (0: trained from scratch); such a timing covers
	// only the rest of the training.
	ResumedAt int `json:"resumed_at,omitempty"`
}

// Cost summarises the timings of a sweep's networks: CPU seconds of the
// networks that were trained from scratch, one at a time per process.
type Cost struct {
	Networks                     int // networks with such a timing
	Median, Min, Max, Total, P90 float64
}

// processCPU returns the process's user plus system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReadTiming reads network i's timing (fs.ErrNotExist when it has none).
func (s *Sweep) ReadTiming(i int) (*Timing, error) {
	b, err := os.ReadFile(filepath.Join(s.NetDir(i), TimingFile))
	if err != nil {
		return nil, err
	}
	var t Timing
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Cost reads the timings of the done networks.
func (s *Sweep) Cost() Cost {
	var cpu []float64
	for i := 0; i < s.Spec.Len(); i++ {
		t, err := s.ReadTiming(i)
		if err != nil || t.Workers != 1 || t.ResumedAt != 0 || t.CPUSeconds <= 0 {
			continue
		}
		cpu = append(cpu, t.CPUSeconds)
	}
	c := Cost{Networks: len(cpu)}
	if len(cpu) == 0 {
		return c
	}
	sort.Float64s(cpu)
	for _, v := range cpu {
		c.Total += v
	}
	c.Min, c.Max = cpu[0], cpu[len(cpu)-1]
	c.Median = cpu[len(cpu)/2]
	if len(cpu)%2 == 0 {
		c.Median = (cpu[len(cpu)/2-1] + cpu[len(cpu)/2]) / 2
	}
	c.P90 = cpu[min(len(cpu)-1, int(0.9*float64(len(cpu))))]
	return c
}
