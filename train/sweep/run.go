package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"attractor/train"
)

// RunOptions configures Run.
type RunOptions struct {
	// Workers is the number of networks trained at once (default 1).
	Workers int
	// Indices restricts the run to these networks (nil: all).
	Indices []int
	// Progress, if set, is called after every network and about every
	// ProgressEvery (default 10 s) while training.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// Progress is a sweep's advance as a run sees it.
type Progress struct {
	Total   int // networks in the run's scope
	Done    int // with a result (including those done before the run)
	Running int // trained by this run now
	Failed  int // failed in this run
	Held    int // skipped: another live worker holds them
	New     int // finished by this run
	Elapsed time.Duration
}

// Rate returns the networks finished per hour by this run.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.New) / p.Elapsed.Hours()
}

// ETA estimates the time left at the current rate (0 when unknown).
func (p Progress) ETA() time.Duration {
	left := p.Total - p.Done - p.Held
	if p.New == 0 || left <= 0 {
		return 0
	}
	return time.Duration(float64(p.Elapsed) / float64(p.New) * float64(left))
}

func (p Progress) String() string {
	eta := "?"
	if e := p.ETA(); e > 0 {
		eta = e.Round(time.Second).String()
	} else if p.Done+p.Failed+p.Held >= p.Total {
		eta = "0s"
	}
	s := fmt.Sprintf("%d/%d done, %d running, %d failed", p.Done, p.Total, p.Running, p.Failed)
	if p.Held > 0 {
		s += fmt.Sprintf(", %d held by other workers", p.Held)
	}
	return s + fmt.Sprintf(", %.1f networks/hour, ETA %s", p.Rate(), eta)
}

// RunError reports the networks of a run that failed; rerunning the sweep
// retries them.
type RunError struct {
	Failed map[int]error
}

func (e *RunError) Error() string {
	first := -1
	for i := range e.Failed {
		if first < 0 || i < first {
			first = i
		}
	}
	return fmt.Sprintf("%d networks failed (first: network %d: %v); run again to retry them", len(e.Failed), first, e.Failed[first])
}

// Run trains the networks that have no valid result yet on a pool of
// workers, skipping those another live worker holds. A corrupt result is
// moved aside (result.json.corrupt) and its network trained again. When
// ctx is cancelled the networks in flight are abandoned (their claims
// released) and Run returns ctx's error. Failed networks are recorded in
// their error.json and reported as a *RunError.
func (s *Sweep) Run(ctx context.Context, opt RunOptions) (Progress, error) {
	idx := opt.Indices
	if idx == nil {
		idx = make([]int, s.Spec.Len())
		for i := range idx {
			idx[i] = i
		}
	}
	workers := max(1, opt.Workers)
	p := Progress{Total: len(idx)}
	var pending []int
	for _, i := range idx {
		if i < 0 || i >= s.Spec.Len() {
			return p, fmt.Errorf("network %d is not in the sweep (0 … %d)", i, s.Spec.Len()-1)
		}
		_, err := s.ReadResult(i, true)
		switch {
		case err == nil:
			p.Done++
			s.tidy(i)
			continue
		case errors.As(err, new(*CorruptError)):
			if qerr := s.quarantine(i); qerr != nil && !errors.Is(qerr, fs.ErrNotExist) {
				return p, qerr
			}
		}
		pending = append(pending, i)
	}
	var (
		mu     sync.Mutex
		failed = map[int]error{}
		began  = time.Now()
		wg     sync.WaitGroup
		work   = make(chan int)
	)
	report := func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		if f != nil {
			f()
		}
		p.Elapsed = time.Since(began)
		if opt.Progress != nil {
			opt.Progress(p)
		}
	}
	stopTicker := make(chan struct{})
	every := opt.ProgressEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				report(nil)
			case <-stopTicker:
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c, err := s.claim(i)
				switch {
				case errors.Is(err, errDone):
					report(func() { p.Done++ })
					continue
				case errors.Is(err, errHeld):
					report(func() { p.Held++ })
					continue
				case err != nil:
					report(func() { p.Failed++; failed[i] = err })
					continue
				}
				report(func() { p.Running++ })
				committed, err := s.trainClaimed(ctx, i, c, workers)
				report(func() {
					p.Running--
					switch {
					case err == nil:
						p.Done++
						if committed {
							p.New++
						}
					case ctx.Err() != nil:
					default:
						p.Failed++
						failed[i] = err
					}
				})
			}
		}()
	}
feed:
	for _, i := range pending {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(stopTicker)
	report(nil)
	if ctx.Err() != nil {
		return p, ctx.Err()
	}
	if len(failed) > 0 {
		return p, &RunError{Failed: failed}
	}
	return p, nil
}

// RunOne trains network i if it has no valid result and no live worker
// holds it.
func (s *Sweep) RunOne(ctx context.Context, i int) error {
	_, err := s.Run(ctx, RunOptions{Indices: []int{i}})
	return err
}

// trainClaimed trains network i under claim c, commits its result (and
// its timing, measured by a process training workers networks at once)
// and releases the claim.
func (s *Sweep) trainClaimed(ctx context.Context, i int, c *claim, workers int) (bool, error) {
	defer c.release()
	hbDone := make(chan struct{})
	defer close(hbDone)
	go func() {
		t := time.NewTicker(s.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.touch()
			case <-hbDone:
				return
			}
		}
	}()
	// Temporary files of killed writers (we hold the claim: no one else writes).
	for _, pat := range []string{".result.tmp*", "." + NetworkFile + ".tmp*", "." + ErrorFile + ".tmp*"} {
		if m, _ := filepath.Glob(filepath.Join(c.dir, pat)); m != nil {
			for _, f := range m {
				os.Remove(f)
			}
		}
	}
	// The work directory goes when the network is done or failed; an
	// interrupted one (Ctrl-C, SIGTERM from Slurm) keeps its checkpoint
	// for the next run to resume.
	work := filepath.Join(c.dir, fmt.Sprintf("work.%d", c.gen))
	wall0, cpu0 := time.Now(), processCPU()
	var resumedAt int
	committed, err := s.train(ctx, i, work, c, &resumedAt)
	if err == nil || ctx.Err() == nil {
		os.RemoveAll(work)
	}
	if err != nil {
		if _, rerr := s.ReadResult(i, false); rerr == nil {
			return false, nil // another worker took the claim over and finished
		}
		if ctx.Err() == nil {
			s.recordFailure(i, err)
		}
		return false, err
	}
	os.Remove(filepath.Join(c.dir, ErrorFile))
	if committed {
		host, _ := os.Hostname()
		// Best effort: a timing is a figure for planning, not a result.
		writeJSONFile(filepath.Join(c.dir, TimingFile), Timing{WallSeconds: time.Since(wall0).Seconds(),
			CPUSeconds: (processCPU() - cpu0).Seconds(), Workers: workers, Host: host, ResumedAt: resumedAt})
	}
	s.cleanStale(c)
	return committed, nil
}

// tidy removes what killed workers left beside a committed result:
// claims, work directories and temporary files, unless a live worker
// still holds the network (it cleans up itself).
func (s *Sweep) tidy(i int) {
	dir := s.NetDir(i)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	litter := false
	for _, e := range ents {
		switch e.Name() {
		case ResultFile, NetworkFile, PrunedFile, TimingFile, train.MetricsFile, ResultFile + ".corrupt", ErrorFile:
		default:
			litter = true
		}
	}
	if !litter {
		return
	}
	if g, name := latestClaim(dir); g > 0 && !s.stale(name) {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, "claim.") || strings.HasPrefix(n, "work.") || (strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp")) {
			os.RemoveAll(filepath.Join(dir, n))
		}
	}
}

// cleanStale removes the work directories and claims of earlier
// generations once a result is in place.
func (s *Sweep) cleanStale(c *claim) {
	for g := 1; g < c.gen; g++ {
		os.Remove(filepath.Join(c.dir, fmt.Sprintf("claim.%d", g)))
		os.RemoveAll(filepath.Join(c.dir, fmt.Sprintf("work.%d", g)))
	}
}

// train builds, trains and analyses network i in the work directory and
// commits its result; resumedAt gets the units done when it resumed. Divergence is a result (status "diverged"), not a
// failure.
func (s *Sweep) train(ctx context.Context, i int, work string, c *claim, resumedAt *int) (bool, error) {
	spec := s.Spec
	tr, ok := trainerFor(spec.Task)
	if !ok {
		return false, fmt.Errorf("no trainer for task %q", spec.Task)
	}
	cfg := spec.Config(i)
	var (
		job   Job
		start int
		every int
		err   error
	)
	if tr.Resume != nil {
		job, start = s.resumeWork(tr, work, c)
		*resumedAt = start
		if job != nil && s.OnResume != nil {
			s.OnResume(i, start)
		}
	} else {
		os.RemoveAll(work)
	}
	if job == nil {
		if job, err = tr.New(cloneMap(cfg)); err != nil {
			return false, fmt.Errorf("network %d: %w", i, err)
		}
	}
	if tr.Resume != nil {
		every = max(1, job.Units()/10)
	}
	res := &Result{Index: i, ID: s.ID(i), Task: spec.Task, Params: jsonRound(spec.Params(i)), Config: jsonRound(cfg),
		Status: "ok", Units: job.Units()}
	var last train.Metrics
	err = train.Run(ctx, job, train.RunOptions{Dir: work, Total: job.Units(), Start: start, CheckpointEvery: every,
		Progress: func(m train.Metrics, total int) { last = m }})
	if err == nil && last.Step == 0 && start > 0 {
		// Resumed after the last unit: its metrics are in the log.
		if ms, _, rerr := train.ReadMetrics(filepath.Join(work, train.MetricsFile), 0); rerr == nil && len(ms) > 0 {
			last = ms[len(ms)-1]
		}
	}
	var div *train.DivergedError
	switch {
	case errors.As(err, &div):
		res.Status, res.Class, res.Message = "diverged", "diverged", div.Err.Error()
		res.Units = div.Step - 1
	case errors.Is(err, train.ErrInterrupted):
		return false, ctx.Err()
	case err != nil:
		return false, err
	}
	if last.Step > 0 {
		res.Loss, res.Accuracy = finitePtr(last.Loss), finitePtr(last.Accuracy)
		if len(last.Extra) > 0 {
			res.Extra = map[string]float64{}
			for k, v := range last.Extra {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					res.Extra[k] = v
				}
			}
		}
	}
	net := job.Network()
	if res.Status == "ok" {
		for _, name := range spec.Analyses {
			an, _ := analysisFor(name)
			out, err := an.Run(ctx, AnalysisInput{Task: spec.Task, Config: cfg, Options: spec.Options[name],
				Job: job, Network: net, RunDir: work, Previous: res.Analyses})
			if err != nil {
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				return false, fmt.Errorf("network %d: analysis %s: %w", i, name, err)
			}
			if res.Analyses == nil {
				res.Analyses = map[string]map[string]any{}
			}
			res.Analyses[name] = jsonRound(out)
			if cl, ok := out["class"].(string); ok {
				res.Class = cl
			}
		}
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if spec.KeepMetrics {
		if err := os.Rename(filepath.Join(work, train.MetricsFile), filepath.Join(s.NetDir(i), train.MetricsFile)); err != nil {
			return false, err
		}
	}
	return s.commit(i, res, net, c)
}

func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// jsonRound passes a map through JSON so the result holds exactly what is
// written (and non-finite floats, which JSON cannot hold, become null, also
// inside nested maps and slices).
func jsonRound(m map[string]any) map[string]any {
	clean := make(map[string]any, len(m))
	for k, v := range m {
		clean[k] = sweepFinite(v)
	}
	b, err := json.Marshal(clean)
	if err != nil {
		return clean
	}
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&out) != nil {
		return clean
	}
	return out
}

// sweepFinite replaces non-finite floats by nil in v, recursing into
// maps and slices of any.
func sweepFinite(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = sweepFinite(e)
		}
		return c
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = sweepFinite(e)
		}
		return c
	case []float64:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = sweepFinite(e)
		}
		return c
	}
	return v
}

// resumeWork looks for the newest work directory with a checkpoint that
// this generation of the claim (released by an interrupted run) or an
// earlier, dead one left, moves it to work and rebuilds the job from it,
// with the metrics log cut back to the units the checkpoint holds (so that
// the log reads as an uninterrupted run's). It returns nil, with work
// removed, when there is nothing to resume or the checkpoint cannot be
// read (the network then trains from scratch).
func (s *Sweep) resumeWork(tr Trainer, work string, c *claim) (Job, int) {
	fresh := func() (Job, int) {
		os.RemoveAll(work)
		return nil, 0
	}
	best := ""
	for g := c.gen; g >= 1; g-- {
		d := filepath.Join(c.dir, fmt.Sprintf("work.%d", g))
		if _, err := os.Stat(filepath.Join(d, train.CheckpointFile)); err == nil {
			best = d
			break
		}
	}
	if best == "" {
		return fresh()
	}
	if best != work {
		os.RemoveAll(work)
		if err := os.Rename(best, work); err != nil {
			return fresh()
		}
	}
	job, done, err := tr.Resume(filepath.Join(work, train.CheckpointFile))
	if err != nil || done < 1 || done > job.Units() {
		return fresh()
	}
	if err := sweepTrimMetrics(filepath.Join(work, train.MetricsFile), done); err != nil {
		return fresh()
	}
	return job, done
}

// sweepTrimMetrics rewrites a metrics log to its complete lines for units
// 1 … done, the last line of each unit (a killed run may have logged units
// past its checkpoint, or half a line). It fails when a unit is missing.
func sweepTrimMetrics(name string, done int) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	lines := make([][]byte, done+1)
	for len(b) > 0 {
		k := bytes.IndexByte(b, '\n')
		if k < 0 {
			break // a half-written last line
		}
		line := b[:k+1]
		b = b[k+1:]
		var m train.Metrics
		if json.Unmarshal(line, &m) != nil {
			return fmt.Errorf("%s: unreadable line", name)
		}
		if m.Step >= 1 && m.Step <= done {
			lines[m.Step] = line
		}
	}
	var out bytes.Buffer
	for u := 1; u <= done; u++ {
		if lines[u] == nil {
			return fmt.Errorf("%s: unit %d is missing", name, u)
		}
		out.Write(lines[u])
	}
	tmp := name + ".trim"
	if err := os.WriteFile(tmp, out.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
