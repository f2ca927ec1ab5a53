package train

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"attractor/saved"
)

// HistoryDir is the folder of a run directory that keeps the networks
// saved along training, one file per scheduled step.
const HistoryDir = "history"

// HistoryName returns the file name, inside DIR/history, of the network
// saved after done units.
func HistoryName(done int) string { return fmt.Sprintf("step-%09d.npz", done) }

// LogSchedule returns the steps, in increasing order, at which a run of
// total units keeps a network in its history: perDecade steps spaced evenly
// in log₁₀(step) from step 1 (rounded and deduplicated, so the first
// decade keeps fewer) plus the last step. Logarithmic spacing follows the
// fast early changes of training with few files: a run of 10⁴ units with
// 10 per decade keeps 33. perDecade < 1 returns nil (no history).
func LogSchedule(total, perDecade int) []int {
	if perDecade < 1 || total < 1 {
		return nil
	}
	var out []int
	for i := 0; ; i++ {
		s := int(math.Round(math.Pow(10, float64(i)/float64(perDecade))))
		if s >= total {
			break
		}
		if len(out) == 0 || s > out[len(out)-1] {
			out = append(out, s)
		}
	}
	return append(out, total)
}

// historySave writes the network of s after done units into
// DIR/history/step-….npz, atomically. A session that can return its network
// alone (a Network method) saves only the network and the units done, which
// keeps the history small for FORCE runs whose RLS matrix P is N×N; others
// save a full checkpoint.
func historySave(dir string, s Session, done int) error {
	hd := filepath.Join(dir, HistoryDir)
	if err := os.MkdirAll(hd, 0o755); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	name := filepath.Join(hd, HistoryName(done))
	if ns, ok := s.(interface{ Network() *saved.Network }); ok {
		n := *ns.Network()
		n.Extra = append([]saved.Tensor(nil), n.Extra...)
		return saveCheckpoint(name, &n, nil, nil, nil, done)
	}
	return s.Save(name, done)
}

// HistoryFile is one network of a run's history.
type HistoryFile struct {
	Step int    // units done when it was saved
	Path string // the file
}

// ReadHistory lists the networks of DIR/history in order of their step
// (taken from the file name). A run without history returns no files and
// no error.
func ReadHistory(dir string) ([]HistoryFile, error) {
	es, err := os.ReadDir(filepath.Join(dir, HistoryDir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []HistoryFile
	for _, e := range es {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, "step-") || !strings.HasSuffix(n, ".npz") {
			continue
		}
		s, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(n, "step-"), ".npz"))
		if err != nil || s < 0 {
			continue
		}
		out = append(out, HistoryFile{Step: s, Path: filepath.Join(dir, HistoryDir, n)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Step < out[j].Step })
	return out, nil
}

// Run states recorded in run.json.
const (
	StatusRunning     = "running"
	StatusFinished    = "finished"
	StatusInterrupted = "interrupted"
	StatusDiverged    = "diverged"
	StatusFailed      = "failed"
)

// ErrNoCheckpoint is returned by [RunNetwork] for a run that has written
// no network yet.
var ErrNoCheckpoint = errors.New("the run has not written its first checkpoint yet")

// RunNetwork returns the network file that stands for run directory dir:
// the final network when run.json says the run finished and the file is
// there, else the run's latest checkpoint; and a phrase saying which, for
// the user ("the final network", "the checkpoint after epoch 120 of 500").
func RunNetwork(dir string) (file, which string, err error) {
	rec, rerr := ReadRunRecord(dir)
	if rerr == nil && rec.Status == StatusFinished && rec.Out != "" {
		if _, err := os.Stat(rec.Out); err == nil {
			return rec.Out, "the final network " + rec.Out, nil
		}
	}
	ck := filepath.Join(dir, CheckpointFile)
	n, err := saved.ReadNative(ck)
	if os.IsNotExist(err) || errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%s: %w", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return "", "", err
	}
	which = "the latest checkpoint"
	if d := extras(n)["train.done"]; len(d) == 1 {
		which = fmt.Sprintf("the checkpoint after %d", int(d[0]))
		if rerr == nil && rec.Unit != "" {
			which = fmt.Sprintf("the checkpoint after %s %d", rec.Unit, int(d[0]))
			if rec.Units > 0 {
				which += fmt.Sprintf(" of %d", rec.Units)
			}
		}
		if rerr == nil && rec.Status != "" && rec.Status != StatusFinished {
			which += " (run " + rec.Status + ")"
		}
	}
	return ck, which, nil
}
