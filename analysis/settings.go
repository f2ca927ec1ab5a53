package analysis

import (
	"context"
	"runtime"
	"sync"

	"attractor/inspect"
)

// Settings configures [Analyze]: the same file and settings give the same
// report from the command line, the terminal UI and a sweep.
type Settings struct {
	// Seed seeds every random draw: stimulus samples of the protocol,
	// starting states, probe noise (1).
	Seed uint64 `json:"seed"`
	// Input is the constant input held during the fixed-point search and
	// the census's forward simulation (nil: zero input).
	Input   []float64       `json:"input,omitempty"`
	Census  CensusSettings  `json:"census"`
	Verdict VerdictSettings `json:"verdict"`
	Cycles  CycleSettings   `json:"cycles"`
	// Slow are the thresholds of the slow-manifold test and the ghost
	// check (docs/science.md §9.1).
	Slow SlowSettings `json:"slow"`

	// Concurrency is the number of goroutines (0: GOMAXPROCS); results do
	// not depend on it.
	Concurrency int `json:"-"`
	// Progress, when set, is called as work finishes, with a stage name.
	Progress func(stage string, done, total int) `json:"-"`
}

// DefaultSettings returns the settings `attractor inspect` uses without
// flags.
func DefaultSettings() *Settings {
	return &Settings{
		Seed: 1,
		Census: CensusSettings{Starts: 64, Adaptive: true, Budget: 4096, Noise: 0.1, Cloud: 0.25,
			SimSteps: 1000, Method: "trust-region", QSlow: defaultQSlow},
		Verdict: VerdictSettings{Copies: 4, RunTrials: 10, CodeCopies: 20, CodeRunTrials: 50, SlowPoints: true,
			SlowEigTol: defaultSlowEigTol},
		Slow: defaultSlow(),
	}
}

// withDefaults returns a copy of s with the thresholds left zero (their
// default) filled in, as a report records them.
func (s *Settings) withDefaults() *Settings {
	c := *s
	c.Census.QSlow = s.Census.qSlow()
	c.Verdict.SlowEigTol = s.Verdict.slowEigTol()
	return &c
}

// asymptotic returns the thresholds of inspect.Settle: the defaults, with
// Floquet multipliers only on request.
func (s *Settings) asymptotic() *inspect.AsymptoticSettings {
	a := inspect.DefaultAsymptoticSettings()
	if !s.Cycles.Floquet {
		a.FloquetMaxN = -1
	}
	return a
}

// parallelFor calls fn(i) for i = 0…n−1 on up to procs goroutines (0:
// GOMAXPROCS) and returns the first error; it stops handing out work when
// ctx ends or fn fails.
func parallelFor(ctx context.Context, n, procs int, fn func(i int) error) error {
	if procs <= 0 {
		procs = runtime.GOMAXPROCS(0)
	}
	procs = min(procs, n)
	var mu sync.Mutex
	next, first := 0, error(nil)
	var wg sync.WaitGroup
	for range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if first == nil && ctx.Err() != nil {
					first = ctx.Err()
				}
				if first != nil || next >= n {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
