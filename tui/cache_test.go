package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"attractor/saved"
)

// countingCache is a minimal Cache for the tests: one computation per key
// (singleflight, results kept forever, on a context of its own), counted
// by analysis (the request's first word).
type countingCache struct {
	mu      sync.Mutex
	flights map[CacheKey]*countingFlight
	runs    map[string]int
	keys    []CacheKey
}

type countingFlight struct {
	done chan struct{}
	val  any
	err  error
}

func newCountingCache() *countingCache {
	return &countingCache{flights: map[CacheKey]*countingFlight{}, runs: map[string]int{}}
}

func (c *countingCache) Do(ctx context.Context, key CacheKey, fn func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	f, ok := c.flights[key]
	if !ok {
		f = &countingFlight{done: make(chan struct{})}
		c.flights[key] = f
		c.runs[strings.Fields(key.Request)[0]]++
		c.keys = append(c.keys, key)
		go func() {
			defer close(f.done)
			f.val, f.err = fn(context.Background())
		}()
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *countingCache) count(analysis string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[analysis]
}

// cacheDrive runs m's analysis to the end the way Bubble Tea would, on the
// calling goroutine: every command, then the commands its messages return.
func cacheDrive(m *Model) {
	cmd := m.Init()
	for cmd != nil {
		var next []tea.Cmd
		for _, msg := range collect(cmd) {
			_, c := m.Update(msg)
			next = append(next, c)
		}
		cmd = tea.Batch(next...)
	}
}

// cacheModels opens gallery entry i in k models sharing cache c and
// analyses them concurrently.
func cacheModels(t *testing.T, c Cache, i, k int) []*Model {
	t.Helper()
	ms := make([]*Model, k)
	var wg sync.WaitGroup
	for j := range ms {
		ctx := testContext(t)
		ctx.Cache = c
		e := ctx.Gallery.Entries()[i]
		n, err := e.Load() // each session decodes its own copy
		if err != nil {
			t.Fatal(err)
		}
		ms[j] = New(ctx, e.Name, n)
		ms[j].Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		wg.Add(1)
		go func(m *Model) {
			defer wg.Done()
			cacheDrive(m)
		}(ms[j])
	}
	wg.Wait()
	return ms
}

// TestCacheTenSessionsOneAnalysis: ten sessions opening the same gallery
// network run each stage of the analysis once, and all show the same
// (identical, shared) results.
func TestCacheTenSessionsOneAnalysis(t *testing.T) {
	c := newCountingCache()
	ms := cacheModels(t, c, entrySine, 10)
	for _, a := range []string{"portrait/v1", "fixed/v2", "verdict/v2"} {
		if n := c.count(a); n != 1 {
			t.Errorf("%s ran %d times for 10 sessions, want 1", a, n)
		}
	}
	first := ms[0].s
	if first.fixed == nil || first.verdict == nil || first.portrait == nil {
		t.Fatalf("session 0 has no results: analysis error %v, verdict error %v", first.anaErr, first.verdictErr)
	}
	view := ms[0].View()
	for j, m := range ms[1:] {
		s := m.s
		if s.portrait != first.portrait || s.fixed != first.fixed || s.verdict != first.verdict {
			t.Errorf("session %d did not get the shared results", j+1)
		}
		if v := m.View(); v != view {
			t.Errorf("session %d shows a different screen", j+1)
		}
	}
	// The same results as without a cache (a direct computation).
	want := newTestModel(t, entrySine, 120, 40)
	if got, w := len(first.fixed.res.Points), len(want.s.fixed.res.Points); got != w {
		t.Errorf("shared search found %d points, a private one %d", got, w)
	}
}

// TestCacheKeysDoNotCollide: different networks, different analyses and
// different parameters have different keys; the same network opened twice
// has the same content hash.
func TestCacheKeysDoNotCollide(t *testing.T) {
	c := newCountingCache()
	cacheModels(t, c, entrySine, 1)
	cacheModels(t, c, entrySine, 1) // again: all from the cache
	cacheModels(t, c, 1, 1)         // free-n12
	cacheModels(t, c, 2, 1)         // map-n8
	for _, a := range []string{"portrait/v1", "fixed/v2", "verdict/v2"} {
		if n := c.count(a); n != 3 {
			t.Errorf("%s ran %d times for 3 networks, want 3", a, n)
		}
	}
	contents := map[[32]byte]bool{}
	seen := map[CacheKey]bool{}
	for _, k := range c.keys {
		if seen[k] {
			t.Errorf("key %v computed twice", k)
		}
		seen[k] = true
		contents[k.Content] = true
	}
	if len(contents) != 3 {
		t.Errorf("%d content hashes for 3 networks", len(contents))
	}

	// Requests name every parameter that changes a result.
	m := newTestModel(t, entrySine, 120, 40)
	job := m.job(context.Background())
	vjob := verdictJob{proto: m.s.proto}
	reqs := []string{job.portraitRequest(), job.fixedRequest(), vjob.request()}
	j2 := job
	j2.inits++
	reqs = append(reqs, j2.fixedRequest())
	j4 := job
	j4.proto.Delay++
	v4 := verdictJob{proto: j4.proto}
	reqs = append(reqs, j4.portraitRequest(), j4.fixedRequest(), v4.request())
	j5 := job
	j5.proto.Conditions = slices.Clone(job.proto.Conditions)
	x0 := slices.Clone(j5.proto.Conditions[0].X0)
	x0[0] += 1e-12
	j5.proto.Conditions[0].X0 = x0
	reqs = append(reqs, j5.portraitRequest())
	for i := range reqs {
		for j := range i {
			if reqs[i] == reqs[j] {
				t.Errorf("requests %d and %d are both %q", j, i, reqs[i])
			}
		}
	}
	if job.portraitRequest() != m.job(context.Background()).portraitRequest() {
		t.Error("the same request is named differently twice")
	}
}

// TestCacheCancelledSession: a session that quits while the analysis runs
// leaves the shared computation, and the other sessions get its result.
func TestCacheCancelledSession(t *testing.T) {
	c := newCountingCache()
	ctx, cancel := context.WithCancel(context.Background())
	tc := testContext(t)
	tc.Ctx, tc.Cache = ctx, c
	e := tc.Gallery.Entries()[entrySine]
	n, err := e.Load()
	if err != nil {
		t.Fatal(err)
	}
	quitter := New(tc, e.Name, n)
	cmd := quitter.startAnalysis()
	cancel()
	msg := cmd()
	if pm, ok := msg.(portraitMsg); !ok || !errors.Is(pm.err, context.Canceled) {
		t.Errorf("the cancelled session got %#v, want its context's error", msg)
	}
	ms := cacheModels(t, c, entrySine, 3)
	for j, m := range ms {
		if m.s.fixed == nil || m.s.verdict == nil {
			t.Errorf("session %d: no result after another was cancelled: %v %v", j, m.s.anaErr, m.s.verdictErr)
		}
	}
	if n := c.count("portrait/v1"); n != 1 {
		t.Errorf("portrait ran %d times, want 1", n)
	}
}

// TestNetDigestCanonical: the content hash of a network does not depend on
// which decoded copy, or which clone, is hashed.
func TestNetDigestCanonical(t *testing.T) {
	e := EmbeddedGallery().Entries()[0]
	a, err := e.Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Load()
	if err != nil {
		t.Fatal(err)
	}
	sa, err := newNetDigest(a).get(a.Net.Clone())
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := newNetDigest(b).get(b.Net)
	if sa != sb {
		t.Error("two loads of one gallery entry hash differently")
	}
	fn := freeNet(t)
	if sf, _ := newNetDigest(fn).get(fn.Net); sf == sa {
		t.Error("two networks hash the same")
	}
}

// TestSaveDirs: saves go into the context's save directory under the
// root, created on demand; two users' directories stay apart; a second
// save of the same step is numbered, not overwritten; the files are
// complete; a save directory that leads out of the root is refused.
func TestSaveDirs(t *testing.T) {
	root := t.TempDir()
	save := func(dir string) []string {
		t.Helper()
		m := newTestModel(t, entrySine, 120, 40)
		m.ctx.Root, m.ctx.SaveDir = root, dir
		press(m, "k")
		msgs := feed(m, press(m, "s"))
		sm := msgs[0].(savedMsg)
		if sm.err != nil {
			t.Fatalf("save into %q: %v", dir, sm.err)
		}
		if want := sm.paths[0] + ", " + filepath.Base(sm.paths[1]); !strings.Contains(m.status, want) {
			t.Errorf("status %q does not name the saved paths %q", m.status, sm.paths)
		}
		n, err := saved.ReadNative(filepath.Join(root, sm.paths[0]))
		if err != nil {
			t.Fatalf("the saved network does not read: %v", err)
		}
		var got []float64
		for _, e := range n.Extra {
			if e.Name == StateTensor {
				got = e.Data
			}
		}
		if !slices.Equal(got, m.s.x) {
			t.Error("the saved file does not hold the kicked state")
		}
		return sm.paths
	}
	a1 := save("saves/aaaaaaaaaaaa")
	a2 := save("saves/aaaaaaaaaaaa")
	b1 := save("saves/bbbbbbbbbbbb")
	for _, c := range []struct {
		got  []string
		want string
	}{
		{a1, "saves/aaaaaaaaaaaa/00-sine-force-step0-"},
		{a2, "saves/aaaaaaaaaaaa/00-sine-force-step0-2-"},
		{b1, "saves/bbbbbbbbbbbb/00-sine-force-step0-"},
	} {
		if len(c.got) != 2 || !strings.HasPrefix(c.got[0], c.want+"state.npz") || !strings.HasPrefix(c.got[1], c.want+"plot.txt") {
			t.Errorf("saved %q, want %sstate.npz and …plot.txt", c.got, c.want)
		}
	}
	// Nothing else: no temporary file is left behind.
	for _, d := range []string{"saves/aaaaaaaaaaaa", "saves/bbbbbbbbbbbb"} {
		ents, err := os.ReadDir(filepath.Join(root, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("%s: temporary file %s left", d, e.Name())
			}
		}
	}

	// Escapes: by name, and by a symbolic link inside the root.
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"../x", "/abs", "saves/../../x", "link", "link/sub", `a\b`} {
		_, err := saveRooted(root, dir, "x", []saveFile{{suffix: ".txt", data: []byte("x")}})
		if err == nil {
			t.Errorf("save into %q was allowed", dir)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("files were written outside the root: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "x")); err == nil {
		t.Error("a save escaped the root by name")
	}
}

// TestSaveRootedNoOverwrite: saveRooted numbers names until every file of
// the save has a free one, and leaves existing files alone.
func TestSaveRootedNoOverwrite(t *testing.T) {
	root := t.TempDir()
	// The first number is half taken: only its .txt exists.
	if err := os.WriteFile(filepath.Join(root, "x.txt"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []saveFile{{suffix: ".npz", data: []byte("new npz")}, {suffix: ".txt", data: []byte("new txt")}}
	paths, err := saveRooted(root, "", "x", files)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paths, []string{"x-2.npz", "x-2.txt"}) {
		t.Errorf("saved %q, want [x-2.npz x-2.txt]", paths)
	}
	for name, want := range map[string]string{"x.txt": "old", "x-2.npz": "new npz", "x-2.txt": "new txt"} {
		if b, err := os.ReadFile(filepath.Join(root, name)); err != nil || string(b) != want {
			t.Errorf("%s holds %q (%v), want %q", name, b, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "x.npz")); err == nil {
		t.Error("x.npz was left from the undone first attempt")
	}
}

// With SaveRoot set (attractor ui), 's' saves there, created on demand,
// and the status names the whole path; the note records the σ of each
// kick and the changed delay; opening the saved file restores ui.state.
func TestSaveRootNoteRestore(t *testing.T) {
	m := newTestModel(t, entryFree, 120, 40)
	m.ctx.SaveRoot = filepath.Join(t.TempDir(), "xdg", "attractor", "saves")
	press(m, "k") // σ = 0.2
	press(m, "+")
	press(m, "k")
	sg := m.s.sigma()
	for _, msg := range collect(press(m, "D")) {
		_ = msg // the re-analysis is not needed
	}
	msgs := feed(m, press(m, "s"))
	sm := msgs[0].(savedMsg)
	if sm.err != nil {
		t.Fatal(sm.err)
	}
	if !strings.HasPrefix(sm.paths[0], filepath.ToSlash(m.ctx.SaveRoot)+"/") || !strings.Contains(m.status, sm.paths[0]) {
		t.Errorf("saved %q, status %q; want the whole path under %s", sm.paths, m.status, m.ctx.SaveRoot)
	}
	n, err := saved.ReadNative(filepath.FromSlash(sm.paths[0]))
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Join(n.Manifest.Notes, "\n")
	want := fmt.Sprintf("2 noise kicks of σ = %g, %g per dimension", noiseLevels[defaultNoise], sg)
	if !strings.Contains(note, want) || !strings.Contains(note, "changed from the file's") {
		t.Errorf("the note %q lacks %q or the delay change", note, want)
	}
	m2 := New(testContext(t), "reopened", n)
	if !slices.Equal(m2.s.x, m.s.x) {
		t.Error("reopening the saved file did not restore ui.state")
	}
	if !strings.Contains(m2.status, "saved state") {
		t.Errorf("status %q does not say the saved state was restored", m2.status)
	}
}

// A session's memo returns a kept result without running fn, keeps only
// results that completed, and forgets the oldest beyond its size.
func TestMemoCache(t *testing.T) {
	c := newMemoCache(2)
	runs := map[string]int{}
	do := func(req string, fail bool) (any, error) {
		return c.Do(context.Background(), CacheKey{Request: req}, func(context.Context) (any, error) {
			runs[req]++
			if fail {
				return nil, errors.New("cancelled")
			}
			return req + "-result", nil
		})
	}
	if _, err := do("a", true); err == nil {
		t.Fatal("a failing run returned no error")
	}
	for _, req := range []string{"a", "a", "b", "a", "c", "a", "b"} {
		if v, err := do(req, false); err != nil || v != req+"-result" {
			t.Fatalf("%s: %v, %v", req, v, err)
		}
	}
	// a: the failed run, the first success (the failure was not kept),
	// then kept until c pushed it out of the two entries (after a, b, c
	// only b and c stay). b: once, then again after a's rerun evicted it.
	if want := map[string]int{"a": 3, "b": 2, "c": 1}; fmt.Sprint(runs) != fmt.Sprint(want) {
		t.Errorf("runs %v, want %v", runs, want)
	}
}
