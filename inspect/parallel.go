package inspect

import (
	"context"
	"runtime"
	"sync"
)

// parallelFor runs fn(w, i) for every i in [0, n) on min(workers, n)
// goroutines (GOMAXPROCS when workers ≤ 0), handing out indices in
// increasing order. w in [0, workers) names the goroutine running i, so fn
// can keep per-goroutine scratch (a clone of a network, a workspace)
// indexed by w; what fn computes for i must not depend on w. After the
// first error, or once ctx is done, no more indices are handed out.
// progress, when not nil, is called after every index with the number
// done, one call at a time. It returns the first error, else ctx.Err().
//
// It is the one worker pool of the package: the fixed-point search, the
// spectra, the verdicts' probes, the perturbation curves and the
// associative-memory diagrams all run on it.
func parallelFor(ctx context.Context, n, workers int, progress func(done, total int), fn func(w, i int) error) error {
	workers = poolSize(n, workers)
	var (
		mu       sync.Mutex
		next     int
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				mu.Lock()
				if next >= n || firstErr != nil || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				err := fn(w, i)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				done++
				if progress != nil {
					progress(done, n)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// poolSize is the number of goroutines parallelFor runs for n indices and
// at most workers goroutines (GOMAXPROCS when workers ≤ 0).
func poolSize(n, workers int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, n))
}

// cloneNets returns k clones of net, one per goroutine of parallelFor.
func cloneNets[T interface{ Clone() T }](net T, k int) []T {
	c := make([]T, max(k, 0))
	for i := range c {
		c[i] = net.Clone()
	}
	return c
}
