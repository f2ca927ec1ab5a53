package tui

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"attractor/model"
	"attractor/saved"
)

// CacheKey names one analysis result that sessions may share: the SHA-256
// hash of the network it reads, Content, and Request, a string naming the
// analysis and every parameter that changes its result. Equal keys must
// mean equal results.
type CacheKey struct {
	Content [sha256.Size]byte
	Request string
}

// String returns the key as "request@hash-prefix", for logs.
func (k CacheKey) String() string { return fmt.Sprintf("%s@%x", k.Request, k.Content[:6]) }

// Cache shares the heavy background analyses of the UI — the reference
// trajectories and their PCA, the fixed-point search and the mechanism
// verdict — between the sessions of a server, so ten users opening the
// same network run each analysis once.
//
// Do returns the result of fn for key: a stored result, the result of a
// computation of key already running for another caller, or that of a new
// run of fn. fn gets a context of the cache's own, which must not end just
// because one caller's ctx ends while others still wait; when ctx ends, Do
// returns ctx.Err(). The result is shared by every caller of key and must
// be treated as immutable. tui/server.Shared implements Cache.
//
// A nil Cache in [Context] makes the UI compute every analysis itself.
type Cache interface {
	Do(ctx context.Context, key CacheKey, fn func(context.Context) (any, error)) (any, error)
}

// netDigest is the content hash of one opened network, computed at most
// once and only when a Cache asks for it: the SHA-256 of the network's
// native encoding (parameters, manifest and extra arrays: everything an
// analysis reads from the file). The encoding is canonical (stored zip
// entries in a fixed order, fixed dates), so two sessions that open the
// same file, or the same gallery entry, get the same hash.
type netDigest struct {
	file *saved.Network // read only: Manifest and Extra

	once sync.Once
	sum  [sha256.Size]byte
	err  error
}

func newNetDigest(file *saved.Network) *netDigest { return &netDigest{file: file} }

// get returns the hash, encoding net (a clone of the file's network,
// owned by the calling job) with the file's manifest and extra arrays.
func (d *netDigest) get(net model.Network) ([sha256.Size]byte, error) {
	d.once.Do(func() {
		h := sha256.New()
		d.err = saved.EncodeNative(h, &saved.Network{Net: net, Manifest: d.file.Manifest, Extra: d.file.Extra})
		if d.err == nil {
			h.Sum(d.sum[:0])
		}
	})
	return d.sum, d.err
}

// protocolDigest returns a short hash of everything in p that an analysis
// reads (see analysis.Protocol.Digest).
func protocolDigest(p *Protocol) string { return p.Digest() }

// cacheDo returns fn's result through cache c under the key (d's hash,
// request); with no cache, or a network that does not encode, it runs fn
// itself. net is the job's clone of the network, used to hash it.
func cacheDo[T any](ctx context.Context, c Cache, d *netDigest, net model.Network, request string, fn func(context.Context) (T, error)) (T, error) {
	if c == nil || d == nil {
		return fn(ctx)
	}
	sum, err := d.get(net)
	if err != nil {
		return fn(ctx) // no stable identity: compute privately
	}
	key := CacheKey{Content: sum, Request: request}
	v, err := c.Do(ctx, key, func(ctx context.Context) (any, error) { return fn(ctx) })
	var zero T
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("cached result for %v is %T, not %T", key, v, zero)
	}
	return t, nil
}

// memoEntries is how many results a session's memo keeps: the five
// stages (trajectories, census, quick and full verdict, report) of three
// protocols, the delay the file gave and one step either way. For an
// N = 300 network of 16 conditions a protocol's results take about 25 MB,
// most of it the activity views of the trajectories.
const memoEntries = 15

// memoCache is a session's own Cache when the context has none: it keeps
// the last memoEntries results by key so that going back to an earlier
// protocol (d then D) shows its analysis again at once. Unlike a shared
// Cache it runs fn with the caller's context, so cancelling the analysis
// stops the work, and it keeps only results that completed.
type memoCache struct {
	mu    sync.Mutex
	most  int
	vals  map[CacheKey]any
	order []CacheKey // oldest first
}

func newMemoCache(most int) *memoCache {
	return &memoCache{most: most, vals: map[CacheKey]any{}}
}

// Do returns the kept result of key, or runs fn and keeps its result.
func (c *memoCache) Do(ctx context.Context, key CacheKey, fn func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	v, ok := c.vals[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := fn(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.vals[key]; !ok {
		c.vals[key] = v
		c.order = append(c.order, key)
		for len(c.order) > c.most {
			delete(c.vals, c.order[0])
			c.order = c.order[1:]
		}
	}
	return v, nil
}
