package server

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"attractor/tui"
)

// Key names one shared computation: the SHA-256 hash of the content it
// reads (for example a network file) and a string describing the request
// (the analysis and its parameters). Two sessions asking for the same Key
// get the same result. It is the UI's [tui.CacheKey], so a *Shared is the
// [tui.Cache] of every session of a server.
type Key = tui.CacheKey

// KeyOf returns the Key of request on content.
func KeyOf(content []byte, request string) Key {
	return Key{Content: sha256.Sum256(content), Request: request}
}

// A *Shared is the UI's analysis cache.
var _ tui.Cache = (*Shared)(nil)

// ErrClosed is returned by [Shared.Do] after [Shared.Close].
var ErrClosed = errors.New("shared computations closed")

// Shared runs heavy computations that several sessions may ask for at once,
// such as the fixed-point analysis of one network opened by ten users:
//
//   - deduplication: while a computation for a Key runs, later callers with
//     the same Key wait for it instead of starting another (singleflight);
//   - caching: the last Capacity successful results are kept (least recently
//     used first out), so a later caller gets the result at once; errors
//     and panics are not cached;
//   - a worker limit: at most Workers computations run at the same time;
//     the others wait for a slot;
//   - cancellation: a caller whose context ends stops waiting and gets its
//     context's error, but the computation goes on for the callers still
//     waiting. Only when every caller has left is the computation's context
//     cancelled (and its result dropped).
//
// A panic in a computation is recovered and returned to its callers as an
// error. The zero value is not usable; call [NewShared]. A Shared is safe
// for concurrent use.
type Shared struct {
	sem      chan struct{}
	capacity int

	mu       sync.Mutex
	closed   bool
	base     context.Context
	stop     context.CancelFunc
	inflight map[Key]*call
	cache    map[Key]*list.Element // values are *entry
	lru      *list.List            // front is the most recently used
}

// call is one running computation.
type call struct {
	done    chan struct{} // closed when val and err are set
	val     any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// entry is one cached result.
type entry struct {
	key Key
	val any
}

// NewShared returns a Shared that runs at most workers computations at once
// (at least 1) and caches up to capacity results (0: no cache, only
// deduplication).
func NewShared(workers, capacity int) *Shared {
	ctx, stop := context.WithCancel(context.Background())
	return &Shared{
		sem:      make(chan struct{}, max(1, workers)),
		capacity: max(0, capacity),
		base:     ctx,
		stop:     stop,
		inflight: map[Key]*call{},
		cache:    map[Key]*list.Element{},
		lru:      list.New(),
	}
}

// Do returns the result of fn for key: a cached result, the result of a
// computation of key already running, or that of a new run of fn. fn gets a
// context that is cancelled only when every caller waiting for it has left
// or the Shared is closed; it must return soon after. If ctx ends first,
// Do returns ctx.Err() at once.
func (s *Shared) Do(ctx context.Context, key Key, fn func(context.Context) (any, error)) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if el, ok := s.cache[key]; ok {
		s.lru.MoveToFront(el)
		v := el.Value.(*entry).val
		s.mu.Unlock()
		return v, nil
	}
	c, ok := s.inflight[key]
	if !ok {
		cctx, cancel := context.WithCancel(s.base)
		c = &call{done: make(chan struct{}), cancel: cancel}
		s.inflight[key] = c
		go s.run(cctx, key, c, fn)
	}
	c.waiters++
	s.mu.Unlock()

	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		s.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			// Nobody wants the result any more: stop the computation and
			// let the next caller start afresh.
			if s.inflight[key] == c {
				delete(s.inflight, key)
			}
			c.cancel()
		}
		s.mu.Unlock()
		return nil, ctx.Err()
	}
}

// run waits for a worker slot, computes and publishes the result of c.
func (s *Shared) run(ctx context.Context, key Key, c *call, fn func(context.Context) (any, error)) {
	defer c.cancel()
	select {
	case s.sem <- struct{}{}:
		c.val, c.err = sharedCall(ctx, fn)
		<-s.sem
	case <-ctx.Done():
		c.err = ctx.Err()
	}
	s.mu.Lock()
	if s.inflight[key] == c {
		delete(s.inflight, key)
		if c.err == nil && s.capacity > 0 && ctx.Err() == nil {
			s.store(key, c.val)
		}
	}
	s.mu.Unlock()
	close(c.done)
}

// sharedCall runs fn, turning a panic into an error.
func sharedCall(ctx context.Context, fn func(context.Context) (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("shared computation panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx)
}

// store caches val under key, evicting the least recently used entries
// beyond the capacity. s.mu is held.
func (s *Shared) store(key Key, val any) {
	s.cache[key] = s.lru.PushFront(&entry{key: key, val: val})
	for s.lru.Len() > s.capacity {
		el := s.lru.Back()
		s.lru.Remove(el)
		delete(s.cache, el.Value.(*entry).key)
	}
}

// Len returns the number of cached results.
func (s *Shared) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

// Close cancels every running computation and makes later calls of Do
// return ErrClosed. Callers waiting in Do get the computations' errors.
func (s *Shared) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
}

// Compute is [Shared.Do] with a typed result: it returns the result of fn
// for key, shared with every other caller of the same key. A cached value
// of another type (the same key used for two result types) is an error.
func Compute[T any](ctx context.Context, s *Shared, key Key, fn func(context.Context) (T, error)) (T, error) {
	v, err := s.Do(ctx, key, func(ctx context.Context) (any, error) { return fn(ctx) })
	var zero T
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("shared result for %v is %T, not %T", key, v, zero)
	}
	return t, nil
}
