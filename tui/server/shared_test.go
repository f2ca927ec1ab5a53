package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSharedDedup(t *testing.T) {
	s := NewShared(2, 8)
	defer s.Close()
	key := KeyOf([]byte("network bytes"), "fixed points tol=1e-8")
	var runs atomic.Int32
	release := make(chan struct{})
	fn := func(ctx context.Context) (any, error) {
		runs.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	results := make([]any, 10)
	errs := make([]error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Do(context.Background(), key, fn)
		}()
	}
	time.Sleep(50 * time.Millisecond) // let every caller join
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("fn ran %d times for 10 concurrent callers, want 1", n)
	}
	for i := range 10 {
		if results[i] != 42 || errs[i] != nil {
			t.Errorf("caller %d got %v, %v", i, results[i], errs[i])
		}
	}
	// Cached now.
	v, err := s.Do(context.Background(), key, func(context.Context) (any, error) { return nil, errors.New("must not run") })
	if v != 42 || err != nil || runs.Load() != 1 {
		t.Errorf("cached Do = %v, %v", v, err)
	}
	// Same content, another request: another computation.
	if v, _ := s.Do(context.Background(), KeyOf([]byte("network bytes"), "other"), func(context.Context) (any, error) { return 7, nil }); v != 7 {
		t.Errorf("other request = %v", v)
	}
}

func TestSharedWorkerLimit(t *testing.T) {
	const workers = 3
	s := NewShared(workers, 0)
	defer s.Close()
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := KeyOf(fmt.Appendf(nil, "net %d", i), "analysis")
			_, err := s.Do(context.Background(), key, func(ctx context.Context) (any, error) {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				return i, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != workers {
		t.Errorf("peak concurrency %d, want exactly the limit %d", p, workers)
	}
	if s.Len() != 0 {
		t.Errorf("capacity 0 cached %d results", s.Len())
	}
}

func TestSharedCancellation(t *testing.T) {
	s := NewShared(1, 4)
	defer s.Close()
	key := KeyOf([]byte("n"), "slow")
	started := make(chan struct{})
	release := make(chan struct{})
	var fnCancelled atomic.Bool
	fn := func(ctx context.Context) (any, error) {
		close(started)
		select {
		case <-release:
			return "done", nil
		case <-ctx.Done():
			fnCancelled.Store(true)
			return nil, ctx.Err()
		}
	}
	// Caller A leaves early; caller B waits.
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := s.Do(ctxA, key, fn); errA <- err }()
	<-started
	resB := make(chan any, 1)
	go func() { v, _ := s.Do(context.Background(), key, fn); resB <- v }()
	time.Sleep(20 * time.Millisecond)
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller got %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	if fnCancelled.Load() {
		t.Fatal("one caller's cancellation cancelled the shared computation while another waited")
	}
	close(release)
	if v := <-resB; v != "done" {
		t.Errorf("remaining caller got %v", v)
	}

	// When every caller leaves, the computation is cancelled and not cached.
	key2 := KeyOf([]byte("n"), "abandoned")
	cancelled := make(chan struct{})
	ctxC, cancelC := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancelC()
	}()
	_, err := s.Do(ctxC, key2, func(ctx context.Context) (any, error) {
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned Do = %v", err)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("an abandoned computation was not cancelled")
	}
	if v, err := s.Do(context.Background(), key2, func(context.Context) (any, error) { return "fresh", nil }); v != "fresh" || err != nil {
		t.Errorf("after abandonment Do = %v, %v; want a fresh run", v, err)
	}
}

func TestSharedErrorsAndPanics(t *testing.T) {
	s := NewShared(1, 4)
	key := KeyOf(nil, "x")
	_, err := s.Do(context.Background(), key, func(context.Context) (any, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic: %v", err)
	}
	boom := errors.New("failed")
	if _, err := s.Do(context.Background(), key, func(context.Context) (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("error: %v", err)
	}
	if s.Len() != 0 {
		t.Error("an error was cached")
	}
	n, err := Compute(context.Background(), s, key, func(context.Context) (int, error) { return 3, nil })
	if n != 3 || err != nil {
		t.Errorf("Compute = %v, %v", n, err)
	}
	if _, err := Compute(context.Background(), s, key, func(context.Context) (string, error) { return "", nil }); err == nil {
		t.Error("Compute with another type for a cached key succeeded")
	}
	s.Close()
	if _, err := s.Do(context.Background(), KeyOf(nil, "y"), func(context.Context) (any, error) { return 1, nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestSharedLRU(t *testing.T) {
	s := NewShared(1, 2)
	defer s.Close()
	ctx := context.Background()
	var runs atomic.Int32
	get := func(k string) {
		s.Do(ctx, KeyOf(nil, k), func(context.Context) (any, error) { runs.Add(1); return k, nil })
	}
	get("a")
	get("b")
	get("a") // a is now the most recent
	get("c") // evicts b
	get("a")
	if runs.Load() != 3 {
		t.Errorf("runs = %d, want 3 (a, b, c)", runs.Load())
	}
	get("b")
	if runs.Load() != 4 || s.Len() != 2 {
		t.Errorf("runs = %d, Len = %d; want b recomputed and 2 cached", runs.Load(), s.Len())
	}
}

// ExampleShared shows ten sessions asking for the same analysis: it runs
// once.
func ExampleShared() {
	shared := NewShared(2, 16)
	defer shared.Close()
	file := []byte("the bytes of net.npz")
	var runs atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Compute(context.Background(), shared, KeyOf(file, "fixedpoints"), func(ctx context.Context) ([]float64, error) {
				runs.Add(1)
				time.Sleep(10 * time.Millisecond)
				return []float64{0, 1}, nil
			})
		}()
	}
	wg.Wait()
	fmt.Println("computations:", runs.Load())
	// Output: computations: 1
}
