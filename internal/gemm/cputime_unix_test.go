//go:build unix

package gemm

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used:
// benchmarks report it beside the wall time, which on a shared machine
// counts other programs' time too.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
