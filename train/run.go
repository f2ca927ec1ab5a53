package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Metrics is one line of a run's metrics log (JSON lines in
// DIR/metrics.jsonl).
type Metrics struct {
	Step     int                `json:"step"` // training units done: epochs (BPTT) or trials (FORCE)
	Loss     float64            `json:"loss"`
	Accuracy float64            `json:"accuracy"`
	GradNorm float64            `json:"grad_norm,omitempty"`
	Wall     float64            `json:"wall_s"` // seconds of training so far, summed over resumes
	Extra    map[string]float64 `json:"extra,omitempty"`
}

// Session is one training run's state that Run drives: a network, its
// optimiser or RLS state and its random source.
type Session interface {
	// Step performs one unit of training (an epoch or a trial) and returns
	// its metrics (Step and Wall are filled in by Run). A non-finite loss or
	// gradient must be returned as an error before any parameter changes.
	Step(ctx context.Context) (Metrics, error)
	// Save writes everything needed to resume after done units into the
	// file name, atomically.
	Save(name string, done int) error
}

// RunOptions configures Run.
type RunOptions struct {
	Dir             string // run directory (created if missing)
	Total           int    // units to train in all
	Start           int    // units already done (non-zero when resuming)
	CheckpointEvery int    // units between checkpoints (0: only at the end)
	// CheckpointMinInterval, when positive, skips a periodic checkpoint
	// that would come sooner than this after the previous one (a
	// checkpoint of a large FORCE network writes its N×N matrices, which
	// costs more than short runs of training). The final checkpoint and
	// the one on interruption are always written.
	CheckpointMinInterval time.Duration
	// StartWall is the training time already spent before Start, in seconds.
	StartWall float64
	// Progress, if set, is called after every unit.
	Progress func(m Metrics, total int)
	// Latest, if set, receives every unit's metrics for in-process watchers
	// (the UI polls it).
	Latest *atomic.Pointer[Metrics]
	// History lists, in increasing order, the units after which the
	// network is also kept as DIR/history/step-….npz (see [LogSchedule]);
	// unlike the resume checkpoint these are never skipped for time.
	History []int
	// DivergeFactor judges a finite blow-up: the run is stopped as
	// diverged when a unit's |loss| exceeds DivergeFactor times
	// max(|first loss of this Run|, 1) (0: DefaultDivergeFactor; negative:
	// only non-finite metrics count).
	DivergeFactor float64
}

// DefaultDivergeFactor is RunOptions.DivergeFactor's default: the losses
// of attractor's tasks start between about 0.01 and 10 and fall during
// training, so a loss a million times the first (3.8e13 from 0.7 for a GRU
// at learning rate 1e6) is a blow-up, not noise.
const DefaultDivergeFactor = 1e6

// Checkpoint file names inside a run directory.
const (
	CheckpointFile = "checkpoint.npz"
	MetricsFile    = "metrics.jsonl"
)

// ErrInterrupted is returned by Run when its context was cancelled; a
// checkpoint has been written.
var ErrInterrupted = errors.New("training interrupted")

// DivergedError reports a run stopped by a non-finite loss or gradient.
type DivergedError struct {
	Step       int    // the unit that diverged
	Err        error  // what the session reported
	Checkpoint string // the last good checkpoint kept, or "" if none
}

func (e *DivergedError) Error() string {
	kept := "no checkpoint had been written yet"
	if e.Checkpoint != "" {
		kept = "the last good checkpoint is kept at " + e.Checkpoint + " (resuming from it repeats the same steps)"
	}
	return fmt.Sprintf("training diverged at step %d: %v; %s; lower the learning rate and train again", e.Step, e.Err, kept)
}

func (e *DivergedError) Unwrap() error { return e.Err }

// Run trains s from opt.Start to opt.Total units, appending every unit's
// metrics to DIR/metrics.jsonl and writing DIR/checkpoint.npz every
// CheckpointEvery units and at the end. When ctx is cancelled (Ctrl-C) it
// writes a checkpoint after the unit in progress and returns ErrInterrupted.
// A non-finite loss stops the run with a *DivergedError naming the step and
// the last good checkpoint, which is left untouched.
func Run(ctx context.Context, s Session, opt RunOptions) error {
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return fmt.Errorf("run directory: %w", err)
	}
	logf, err := os.OpenFile(filepath.Join(opt.Dir, MetricsFile), os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("metrics log: %w", err)
	}
	defer logf.Close()
	if err := prepareLog(logf, opt.Start); err != nil {
		return fmt.Errorf("metrics log: %w", err)
	}
	factor := opt.DivergeFactor
	if factor == 0 {
		factor = DefaultDivergeFactor
	}
	ref := math.NaN() // the first loss of this Run
	ckpt := filepath.Join(opt.Dir, CheckpointFile)
	lastGood := ""
	var lastSave time.Time
	if opt.Start > 0 {
		if _, err := os.Stat(ckpt); err == nil {
			lastGood = ckpt
		}
	}
	save := func(done int) error {
		if err := s.Save(ckpt, done); err != nil {
			return fmt.Errorf("checkpoint after step %d: %w", done, err)
		}
		lastGood = ckpt
		lastSave = time.Now()
		return logf.Sync()
	}
	began := time.Now()
	lastSave = began
	hist := opt.History
	enc := json.NewEncoder(logf)
	for done := opt.Start; done < opt.Total; {
		if ctx.Err() != nil {
			if err := save(done); err != nil {
				return err
			}
			return ErrInterrupted
		}
		m, err := s.Step(ctx)
		if err == nil {
			err = checkMetrics(m)
		}
		if err == nil && math.IsNaN(ref) {
			ref = math.Abs(m.Loss)
		}
		if lim := factor * max(ref, 1); err == nil && factor > 0 && math.Abs(m.Loss) > lim {
			err = fmt.Errorf("loss %.3g is more than %.3g times the first step's %.3g: it grows without bound", m.Loss, factor, ref)
		}
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				continue // the unit was abandoned; checkpoint at the top
			}
			return &DivergedError{Step: done + 1, Err: err, Checkpoint: lastGood}
		}
		done++
		m.Step = done
		m.Wall = opt.StartWall + time.Since(began).Seconds()
		if err := enc.Encode(m); err != nil {
			return fmt.Errorf("metrics log: %w", err)
		}
		if opt.Latest != nil {
			mm := m
			opt.Latest.Store(&mm)
		}
		if opt.Progress != nil {
			opt.Progress(m, opt.Total)
		}
		periodic := opt.CheckpointEvery > 0 && done%opt.CheckpointEvery == 0 &&
			time.Since(lastSave) >= opt.CheckpointMinInterval
		for len(hist) > 0 && hist[0] < done {
			hist = hist[1:]
		}
		if len(hist) > 0 && hist[0] == done {
			if err := historySave(opt.Dir, s, done); err != nil {
				return fmt.Errorf("history after step %d: %w", done, err)
			}
		}
		if done == opt.Total || periodic {
			if err := save(done); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadMetrics reads a metrics log from offset and returns the complete lines
// parsed since then and the offset after the last complete line, so a
// watcher can follow a log another process is writing. A resume marker
// ({"resume": S}, written by Run when it continues a log) drops the lines
// read before it for steps after S: the resumed run logs them again. A
// watcher that read those steps in an earlier call sees them repeated, and
// keeps the last.
func ReadMetrics(name string, offset int64) ([]Metrics, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, offset, err
	}
	defer f.Close()
	return ReadMetricsFrom(name, f, offset)
}

// ReadMetricsFrom is [ReadMetrics] on the open log f; name is used in
// errors.
func ReadMetricsFrom(name string, f io.ReadSeeker, offset int64) ([]Metrics, int64, error) {
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, offset, err
	}
	var out []Metrics
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			offset += int64(len(line))
			m, resume, jerr := parseMetricsLine(bytes.TrimSpace(line))
			if jerr != nil {
				return out, offset, fmt.Errorf("%s: line at byte %d: %w", name, offset-int64(len(line)), jerr)
			}
			if resume >= 0 {
				for len(out) > 0 && out[len(out)-1].Step > resume {
					out = out[:len(out)-1]
				}
				continue
			}
			out = append(out, m)
		}
		if err == io.EOF {
			return out, offset, nil
		}
		if err != nil {
			return out, offset, err
		}
	}
}

// LastPerStep keeps, where a resumed run logged a step again, the last
// record of each step, in order (a record at or before an earlier step
// replaces the records from that step on).
func LastPerStep(ms []Metrics) []Metrics {
	var out []Metrics
	for _, m := range ms {
		for len(out) > 0 && out[len(out)-1].Step >= m.Step {
			out = out[:len(out)-1]
		}
		out = append(out, m)
	}
	return out
}

// MeanLastLoss returns the mean loss of the last k units up to unit last in
// the metrics log name (a step logged twice, by a resumed run, counts once:
// the later line); an error when none of them is logged.
func MeanLastLoss(name string, last, k int) (float64, error) {
	ms, _, err := ReadMetrics(name, 0)
	if err != nil {
		return 0, err
	}
	byStep := map[int]float64{}
	for _, m := range ms {
		byStep[m.Step] = m.Loss
	}
	var sum float64
	var n int
	for s := last - k + 1; s <= last; s++ {
		if v, ok := byStep[s]; ok {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: no metrics for the last %d units", name, k)
	}
	return sum / float64(n), nil
}
