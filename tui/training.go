package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"attractor/saved"
	"attractor/train"
)

// TrainingKeyMap are the keys of the training pane (none yet).
type TrainingKeyMap struct{}

// ShortHelp returns no keys.
func (TrainingKeyMap) ShortHelp() []key.Binding { return nil }

// FullHelp returns no keys.
func (TrainingKeyMap) FullHelp() [][]key.Binding { return nil }

// Messages of the metrics follower.
type (
	pollMetricsMsg struct{ id int }
	metricsMsg     struct {
		id     int
		ms     []train.Metrics
		offset int64
		err    error
		run    runState // the run record and the checkpoint's stamp
	}
)

// trainingPane shows the loss and accuracy curves of a run (ntcharts
// charts, see curves.go): followed live from a run directory's
// metrics.jsonl, or the history in the network file.
type trainingPane struct {
	TrainingKeyMap
	ctx     *Context
	w, h    int
	focused bool

	source  string // where the curve comes from
	metrics []train.Metrics
	total   int              // units of the whole run, 0 when unknown
	rec     *train.RunRecord // the run's run.json, nil when unknown
	offset  int64
	id      int // follower generation
	err     error

	fr    frame
	cache string
	dirty bool
}

func newTrainingPane(c *Context) *trainingPane {
	return &trainingPane{ctx: c, dirty: true}
}

// SetSize sets the outer size of the pane.
func (p *trainingPane) SetSize(w, h int) { p.w, p.h, p.dirty = w, h, true }

// Focus sets whether the pane has the focus.
func (p *trainingPane) Focus(on bool) { p.focused, p.dirty = on, true }

// Update does nothing for keys: the pane has none.
func (p *trainingPane) Update(tea.Msg) tea.Cmd { return nil }

// setNetwork shows the training history stored in n and the run's total.
func (p *trainingPane) setNetwork(n *saved.Network) {
	units, steps := trainTotal(n.Manifest.Train)
	if p.ctx.RunDir != "" {
		if p.rec == nil || p.rec.Units == 0 {
			p.total = units
		}
		return // the metrics log is the better source
	}
	p.total = units
	p.metrics = p.metrics[:0]
	for _, h := range n.Manifest.History {
		p.metrics = append(p.metrics, train.Metrics{Step: h.Step, Loss: h.Loss, Accuracy: h.Accuracy})
	}
	// The file's history counts Euler steps (FORCE), the log counts units.
	p.total = steps
	p.source = "history in the file"
	p.dirty = true
}

// follow starts following the run directory's metrics log.
func (p *trainingPane) follow() tea.Cmd {
	if p.ctx.RunDir == "" {
		return nil
	}
	p.id++
	p.metrics, p.offset, p.source = nil, 0, "following "+filepath.Join(filepath.Base(p.ctx.RunDir), train.MetricsFile)
	return p.read()
}

// read reads the log from the last offset, off the UI goroutine.
func (p *trainingPane) read() tea.Cmd {
	id, off, rf := p.id, p.offset, runFilesOf(p.ctx)
	return func() tea.Msg {
		ms, o, err := rf.metrics(off)
		if errors.Is(err, fs.ErrNotExist) {
			err = nil // the trainer has not logged its first unit yet
		}
		return metricsMsg{id: id, ms: ms, offset: o, err: err, run: pollRun(rf)}
	}
}

// handle takes the follower's messages and re-arms the poll.
func (p *trainingPane) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case metricsMsg:
		if msg.id != p.id {
			return nil
		}
		p.offset, p.err = msg.offset, msg.err
		if r := msg.run.rec; r != nil {
			if p.rec == nil || r.Status != p.rec.Status || r.Error != p.rec.Error || r.Units != p.rec.Units {
				p.dirty = true
			}
			p.rec = r
			if r.Units > 0 {
				p.total = r.Units
			}
		}
		for _, m := range msg.ms {
			// A resumed run repeats steps: keep the last.
			for len(p.metrics) > 0 && p.metrics[len(p.metrics)-1].Step >= m.Step {
				p.metrics = p.metrics[:len(p.metrics)-1]
			}
			p.metrics = append(p.metrics, m)
		}
		if len(msg.ms) > 0 || msg.err != nil {
			p.dirty = true
		}
		id := p.id
		return tea.Tick(p.ctx.MetricsPoll, func(time.Time) tea.Msg { return pollMetricsMsg{id: id} })
	case pollMetricsMsg:
		if msg.id != p.id {
			return nil
		}
		return p.read()
	}
	return nil
}

// unit names the followed run's training unit ("epoch"), "" when unknown.
func (p *trainingPane) unit() string {
	if p.rec == nil {
		return ""
	}
	return p.rec.Unit
}

// trainTotal returns the logged units and the steps of a run from its
// training configuration (FORCE: ceil(steps/chunk) units of chunk Euler
// steps), or zeros when it cannot tell.
func trainTotal(raw json.RawMessage) (units, steps int) {
	var t struct {
		Config struct {
			Steps int `json:"steps"`
			Chunk int `json:"chunk"`
		} `json:"config"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &t) != nil || t.Config.Chunk < 1 || t.Config.Steps < 1 {
		return 0, 0
	}
	return (t.Config.Steps + t.Config.Chunk - 1) / t.Config.Chunk, t.Config.Steps
}

// View returns the pane, re-rendered only when something changed.
func (p *trainingPane) View() string {
	if p.dirty {
		p.dirty = false
		p.cache = p.render()
	}
	return p.cache
}

func (p *trainingPane) render() string {
	st := p.ctx.Styles
	p.fr.set(st, p.w, "Training", p.focused)
	in, ih := p.fr.inner(), p.h-2
	if len(p.metrics) == 0 {
		msg := "no training record in the file"
		if p.ctx.RunDir != "" {
			msg = "waiting for " + train.MetricsFile + "…"
		}
		if p.err != nil {
			msg = strings.Join(errorLines(st, p.err, in, max(1, ih)), "\n")
		}
		return p.fr.box(msg, p.h)
	}
	last := p.metrics[len(p.metrics)-1]
	var lines []string
	lines = append(lines, fmt.Sprintf("loss %.3g", last.Loss))
	hasAcc := false
	for _, m := range p.metrics {
		hasAcc = hasAcc || m.Accuracy != 0
	}
	if hasAcc {
		lines[0] += fmt.Sprintf("  acc %.3g", last.Accuracy)
	}
	prog := fmt.Sprintf("step %d", last.Step)
	if p.total > 0 {
		prog += fmt.Sprintf("/%d", p.total)
	}
	if r := p.rate(); r > 0 {
		prog += fmt.Sprintf("  %.3g/s", r)
		if p.total > last.Step {
			prog += "  ETA " + (time.Duration(float64(p.total-last.Step)/r) * time.Second).Round(time.Second).String()
		}
	}
	lines = append(lines, prog)
	if r := p.rec; r != nil && r.Status != "" && r.Status != train.StatusRunning {
		msg := "run " + r.Status
		if r.Error != "" {
			msg += ": " + saved.Printable(r.Error)
		}
		if r.Status == train.StatusFinished || r.Status == train.StatusInterrupted {
			lines = append(lines, st.Accent.Render(msg))
		} else {
			lines = append(lines, st.Error.Render(msg))
		}
	} else {
		lines = append(lines, st.Dim.Render(p.source))
	}
	if p.err != nil {
		lines = append(lines, errorLines(st, p.err, in, max(3, ih/3))...)
	}
	// The curves above the numbers: charts with axes when they fit, a
	// sparkline row each when not (see curves.go).
	lines = append(p.curvesView(in, ih-len(lines), hasAcc), lines...)
	return p.fr.box(strings.Join(lines, "\n"), p.h)
}

// rate returns training units per second over the log, 0 when unknown.
func (p *trainingPane) rate() float64 {
	if len(p.metrics) < 2 {
		return 0
	}
	a, b := p.metrics[0], p.metrics[len(p.metrics)-1]
	if dw := b.Wall - a.Wall; dw > 0 {
		return float64(b.Step-a.Step) / dw
	}
	return 0
}
