//go:build unix

// Package cputime reads the CPU time this process has used. Benchmarks
// report it beside the wall time, which on a shared machine counts other
// programs' time too.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time of this process (0 where
// it cannot be read).
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
