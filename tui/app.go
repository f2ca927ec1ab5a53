package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
	"attractor/train"
)

// paneID names a pane; Tab moves the focus in this order.
type paneID int

const (
	panePortrait paneID = iota
	paneEigen
	paneVerdict
	paneTraining
	paneFiles
	paneLandscape // shown only for a run with a history
	numPanes
)

// component is a pane: a sized, focusable view with its own keys.
type component interface {
	SetSize(w, h int)
	Focus(on bool)
	Update(msg tea.Msg) tea.Cmd
	View() string
	help.KeyMap
}

// Minimum terminal size; below it the UI asks for a larger window.
const (
	MinWidth  = 60
	MinHeight = 16
)

// tickMsg advances the running network by one frame.
type tickMsg struct{ id int }

// savedMsg reports the files written by 's'.
type savedMsg struct {
	paths []string
	err   error
}

// Model is the root model of the UI: the panes, the focus, the open
// network and its experiment.
type Model struct {
	ctx  *Context
	keys KeyMap
	help help.Model

	width, height int
	focus         paneID

	s       *session
	running bool
	runID   int
	status  string // last message for the user
	isError bool

	gen    int // analysis generation; results of older ones are dropped
	cancel context.CancelFunc
	actx   context.Context // the running analysis's context (cancelled by cancel)
	// stage1 is the running analysis's portrait once it is in, quickDone
	// set once its quick verdict pass is, stage2 once the census and the
	// full verdict pass have started (stage2Cmd).
	stage1    *portraitData
	quickDone bool
	stage2    bool
	ticking   bool // the progress redraws (progressMsg) are running
	inits     int  // starting states of a fixed census (0: the adaptive census)
	// following is set while the open network is the followed run's
	// checkpoint (ctx.RunDir): a new checkpoint replaces it. ckStamp is the
	// version on screen; ckLoading is set while one is being read.
	following bool
	ckStamp   ckStamp
	ckLoading bool
	digest    *netDigest // content hash of the open network, for ctx.Cache
	// memo keeps this session's recent analysis results when ctx.Cache
	// is nil, so that d then D (or any return to an earlier protocol)
	// finds them again instead of recomputing.
	memo *memoCache

	files    *filesPane
	training *trainingPane
	portrait *portraitPane
	eigen    *eigenPane
	verdict  *verdictPane
	// landscape follows the run's history; histSeq numbers the requests
	// of the checkpoint keys (see checkpoints.go).
	landscape *landscapePane
	histSeq   int
	panes     [numPanes]component

	statusH int // lines of the status line (1 or 2) the layout is for
	// rects are the panes' places on the screen, for the mouse.
	rects [numPanes]rect

	view  string
	dirty bool
	quit  bool
}

// New returns the UI on network n called name; with a nil n it opens the
// gallery's first entry (and shows the error if it does not load).
func New(c *Context, name string, n *saved.Network) *Model {
	if c.Styles == nil {
		c.Styles = DefaultStyles(c.Renderer)
	}
	if c.Tick <= 0 {
		c.Tick = 50 * time.Millisecond
	}
	if c.MetricsPoll <= 0 {
		c.MetricsPoll = time.Second
	}
	m := &Model{ctx: c, keys: DefaultKeyMap(), help: help.New(), dirty: true}
	m.help.Styles = c.Styles.Help
	m.files = newFilesPane(c)
	m.training = newTrainingPane(c)
	m.portrait = newPortraitPane(c)
	m.eigen = newEigenPane(c)
	m.verdict = newVerdictPane(c)
	m.landscape = newLandscapePane(c)
	m.landscape.metrics = func() []train.Metrics { return m.training.metrics }
	m.panes = [numPanes]component{m.portrait, m.eigen, m.verdict, m.training, m.files, m.landscape}
	m.portrait.Focus(true)
	if c.RunDir != "" {
		m.following = true
		st := pollRun(runFilesOf(c))
		m.training.rec = st.rec
		m.landscape.hist = st.hist
		m.landscape.unit = m.training.unit()
		m.keys.PrevCk.SetEnabled(len(st.hist) > 0)
		m.keys.NextCk.SetEnabled(len(st.hist) > 0)
		if n != nil {
			m.ckStamp = st.ck
		}
	}
	if n == nil && c.RunDir != "" {
		m.setStatus(false, "%s: waiting for the first checkpoint", saved.Printable(filepath.Base(c.RunDir)))
	} else if n == nil && c.Gallery != nil {
		if es := c.Gallery.Entries(); len(es) > 0 {
			var err error
			if n, err = es[0].Load(); err != nil {
				m.setStatus(true, "gallery: %v", err)
				n = nil
			}
			name = es[0].Name
		}
	}
	if n != nil {
		m.setNetwork(name, n)
		if m.following {
			m.s.at = checkpointAt(n, m.training.unit())
		}
	} else if m.status == "" {
		m.setStatus(false, "no network: press o to open one")
	}
	return m
}

// Init starts the analysis of the open network and the metrics follower.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.startAnalysis(), m.training.follow(), m.landscape.next())
}

// setNetwork opens n: a new session, panes pointed at it, paused.
func (m *Model) setNetwork(name string, n *saved.Network) {
	m.s = newSession(name, n)
	m.digest = newNetDigest(n)
	m.running = false
	m.runID++
	m.portrait.s, m.eigen.s, m.verdict.s = m.s, m.s, m.s
	m.eigen.point, m.eigen.cursor = 0, 0
	m.training.setNetwork(n)
	d := n.Net.Dims()
	m.files.setOpened(name, fmt.Sprintf("not in the gallery; %s, %d state dims (o: files)", n.Net.Family(), d.State))
	m.setStatus(false, "opened %s", name)
	if m.s.restoreState() {
		m.setStatus(false, "opened %s with its saved state (%s)", name, StateTensor)
	}
	if len(n.Warnings) > 0 {
		m.setStatus(true, "opened %s with warnings: %s", name, n.Warnings[0])
	}
	m.invalidateAll()
}

// setStatus sets the status message.
func (m *Model) setStatus(isErr bool, format string, a ...any) {
	// File names, tensor names and errors are shown with their escape
	// sequences made visible.
	m.status, m.isError = saved.Printable(fmt.Sprintf(format, a...)), isErr
	m.dirty = true
}

// invalidateAll marks every pane and the screen stale.
func (m *Model) invalidateAll() {
	m.portrait.invalidate()
	m.eigen.invalidate()
	m.verdict.invalidate()
	m.training.dirty = true
	m.files.dirty = true
	m.landscape.dirty = true
	m.dirty = true
}

// startAnalysis cancels the running analysis and starts a new one on a
// clone of the network: stage 1 (trajectories and PCA) and, when it
// returns, stage 2 (fixed points and spectra).
func (m *Model) startAnalysis() tea.Cmd {
	if m.s == nil {
		return nil
	}
	if m.cancel != nil {
		m.cancel()
	}
	ctx, cancel := context.WithCancel(m.ctx.Ctx)
	m.cancel, m.actx = cancel, ctx
	m.gen++
	m.stage1, m.stage2, m.quickDone = nil, false, false
	m.s.analysing = "simulating trials and PCA"
	m.s.anaErr = nil
	// The census's points stay fixed points of the network whatever the
	// protocol: they stay on screen, marked stale, until the new census
	// replaces them.
	m.s.fixedStale = m.s.fixed != nil
	m.s.verdict, m.s.verdictErr, m.s.verdictFinal = nil, nil, false
	m.s.report, m.s.reportErr, m.s.reportFinal = nil, nil, false
	m.invalidateAll()
	m.s.progress, m.ticking = nil, false
	cmd := portraitCmd(ctx, m.job(ctx))
	if hasQuickPass(&m.s.proto) {
		// The quick verdict pass needs no stage 1: it starts at once.
		m.s.progress = &verdictProgress{}
		cmd = tea.Batch(cmd, verdictCmd(ctx, m.verdictJob(true, m.s.progress)), m.progressTicks())
	}
	return cmd
}

// cache returns the cache of the analysis stages: the server's shared
// one, or the session's own memo.
func (m *Model) cache() Cache {
	if m.ctx.Cache != nil {
		return m.ctx.Cache
	}
	if m.memo == nil {
		m.memo = newMemoCache(memoEntries)
	}
	return m.memo
}

// stage2Cmd starts the census and the full verdict pass, once per
// analysis, when stage 1 (trajectories and PCA) is in and the quick
// verdict pass, if the protocol has one, is done: the quick pass runs
// alone beside stage 1, so that the first verdict shows as soon as it can
// (issue 15: within 3 s for N ≤ 300), and the two long stages then share
// the processors.
func (m *Model) stage2Cmd() tea.Cmd {
	if m.stage1 == nil || m.stage2 || (hasQuickPass(&m.s.proto) && !m.quickDone) {
		return nil
	}
	m.stage2 = true
	ctx := m.actx
	m.s.progress = &verdictProgress{}
	return tea.Batch(fixedCmd(ctx, m.job(ctx), m.stage1), verdictCmd(ctx, m.verdictJob(false, m.s.progress)), m.progressTicks())
}

// progressTicks starts the redraws of the verdict pass's progress unless
// they run: they stop at the first redraw that finds no pass computing.
func (m *Model) progressTicks() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	return progressCmd(m.gen)
}

// verdictJob captures what a verdict pass needs; p counts its progress.
func (m *Model) verdictJob(quick bool, p *verdictProgress) verdictJob {
	return verdictJob{gen: m.gen, net: m.s.net.Clone(), proto: m.s.proto, file: m.s.file, quick: quick, progress: p,
		cache: m.cache(), digest: m.digest}
}

// reportCmd assembles the report of the census and the final verdict
// (stage 4), or of the census alone when the verdict failed. It returns
// nil until both are in, and once the report is.
func (m *Model) reportCmd() tea.Cmd {
	s := m.s
	if s.fixed == nil || s.fixedStale || s.fixed.census == nil || s.reportFinal || s.reportErr != nil || (!s.verdictFinal && s.verdictErr == nil) {
		return nil
	}
	job := reportJob{gen: m.gen, name: s.name, file: s.file, net: s.net.Clone(), proto: s.proto, inits: m.inits,
		census: s.fixed.census, cache: m.cache(), digest: m.digest}
	if s.verdictFinal {
		job.verdict = s.verdict
	}
	ctx := m.actx
	if ctx == nil {
		ctx = m.ctx.Ctx
	}
	return reportCmd(ctx, job)
}

// job captures what an analysis needs; the protocol's slices are read only.
func (m *Model) job(ctx context.Context) analysisJob {
	_ = ctx
	return analysisJob{gen: m.gen, net: m.s.net.Clone(), proto: m.s.proto, cond: m.s.cond, inits: m.inits,
		file: m.s.file, cache: m.cache(), digest: m.digest}
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		return m, m.handleMouse(msg)
	case tickMsg:
		return m, m.handleTick(msg)
	case portraitMsg:
		if msg.gen != m.gen || m.s == nil {
			return m, nil
		}
		if msg.err != nil {
			m.s.analysing, m.s.anaErr = "", msg.err
			m.setStatus(true, "analysis: %v", msg.err)
			m.invalidateAll()
			return m, nil
		}
		m.s.setPortrait(msg.data)
		if m.s.fixed != nil {
			m.s.fixed = m.s.fixed.reproject(msg.data)
		}
		m.s.analysing = "searching fixed points"
		m.invalidateAll()
		m.stage1 = msg.data
		return m, m.stage2Cmd()
	case fixedMsg:
		if msg.gen != m.gen || m.s == nil {
			return m, nil
		}
		if msg.err != nil {
			m.s.anaErr = msg.err
			m.setStatus(true, "fixed points: %v", msg.err)
		} else {
			m.s.fixed, m.s.fixedStale = msg.data, false
			m.portrait.rangeFor = nil // include the fixed points in the view
			m.eigen.selectAt(0, 0)
		}
		m.s.analysing = m.s.stage()
		m.invalidateAll()
		return m, m.reportCmd()
	case verdictMsg:
		if msg.gen != m.gen || m.s == nil || (msg.provisional && (m.s.verdictFinal || m.s.verdictErr != nil)) {
			return m, nil // stale, or a quick pass after the full one
		}
		if msg.provisional {
			m.quickDone = true
		}
		if msg.err != nil {
			if msg.provisional {
				return m, m.stage2Cmd() // the full pass will say
			}
			m.s.verdictErr = msg.err
			m.setStatus(true, "mechanism verdict: %v", msg.err)
		} else {
			m.s.verdict, m.s.verdictFinal = msg.data, !msg.provisional
		}
		m.s.analysing = m.s.stage()
		m.invalidateAll()
		return m, tea.Batch(m.stage2Cmd(), m.reportCmd())
	case progressMsg:
		if msg.gen != m.gen || m.s == nil {
			return m, nil
		}
		m.verdict.invalidate()
		m.dirty = true
		if !m.s.progress.live() {
			// No pass computes here now (not started, done, or served by
			// the cache): the ticks stop; the next pass starts them again.
			m.ticking = false
			return m, nil
		}
		return m, progressCmd(m.gen)
	case reportMsg:
		if msg.gen != m.gen || m.s == nil {
			return m, nil
		}
		if msg.err != nil {
			m.s.reportErr = msg.err
			m.setStatus(true, "report: %v", msg.err)
		} else {
			m.s.report, m.s.reportFinal = msg.rep, true
		}
		m.s.analysing = m.s.stage()
		m.invalidateAll()
		return m, nil
	case loadedMsg:
		if msg.err != nil {
			m.setStatus(true, "open %s: %v", msg.name, msg.err)
			return m, nil
		}
		m.following = false // the user chose another network
		m.setNetwork(msg.name, msg.net)
		m.focusPane(panePortrait)
		return m, m.startAnalysis()
	case listMsg:
		m.files.handleList(msg)
		m.dirty = true
		return m, nil
	case savedMsg:
		if msg.err != nil {
			m.setStatus(true, "save: %v", msg.err)
		} else {
			m.setStatus(false, "saved %s", homeShort(savedText(msg.paths)))
		}
		return m, nil
	case metricsMsg:
		cmd := m.training.handle(msg)
		m.dirty = m.dirty || m.training.dirty
		if msg.id == m.training.id {
			cmd = tea.Batch(cmd, m.followRun(msg.run), m.followHistory(msg.run))
		}
		return m, cmd
	case pollMetricsMsg:
		return m, m.training.handle(msg)
	case checkpointMsg:
		return m, m.handleCheckpoint(msg)
	case landscapeMsg:
		return m, m.landscape.handle(msg)
	case historyMsg:
		return m, m.handleHistory(msg)
	case runOpenMsg:
		return m.openRun(msg)
	}
	return m, nil
}

// handleKey runs the global keys, then hands the key to the focused pane.
func (m *Model) handleKey(k tea.KeyMsg) tea.Cmd {
	km := m.keys
	m.dirty = true
	switch {
	case key.Matches(k, km.Quit):
		m.quit = true
		if m.cancel != nil {
			m.cancel()
		}
		return tea.Quit
	case key.Matches(k, km.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.layout()
		return nil
	case key.Matches(k, km.NextPane):
		m.focusPane(m.nextPane(1))
		return nil
	case key.Matches(k, km.PrevPane):
		m.focusPane(m.nextPane(int(numPanes) - 1))
		return nil
	case key.Matches(k, km.PrevCk):
		return m.stepCheckpoint(-1)
	case key.Matches(k, km.NextCk):
		return m.stepCheckpoint(1)
	case key.Matches(k, km.Open):
		m.focusPane(paneFiles)
		return m.files.toggle()
	case key.Matches(k, km.View):
		m.portrait.cycleView()
		return nil
	case key.Matches(k, km.Explain):
		m.verdict.toggleExplain()
		m.focusPane(paneVerdict)
		return nil
	}
	if m.focus == paneFiles || m.focus == paneEigen || m.focus == paneVerdict {
		// Pane keys first: the list and the cursor use arrows and enter.
		if cmd := m.panes[m.focus].Update(k); cmd != nil {
			return cmd
		}
	} else if m.files.handles(k) {
		// The other panes have no keys of their own: arrows and enter
		// move through the network list and open, whichever has the focus,
		// so a new user's ↓ does what it looks like it should.
		return m.files.Update(k)
	}
	if m.s == nil {
		return nil
	}
	s := m.s
	switch {
	case key.Matches(k, km.Run):
		if s.diverged {
			m.setStatus(true, "the state is not finite: r resets")
			return nil
		}
		m.running = !m.running
		m.runID++
		if m.running {
			return m.tick()
		}
	case key.Matches(k, km.Step):
		m.running = false
		m.runID++
		m.advance(1)
	case key.Matches(k, km.PrevCond):
		s.setCondition(s.cond - 1)
		m.running = false
		m.portrait.invalidate()
	case key.Matches(k, km.NextCond):
		s.setCondition(s.cond + 1)
		m.running = false
		m.portrait.invalidate()
	case key.Matches(k, km.Kick):
		s.kick()
		m.setStatus(false, "kick %d: σ = %g per dimension", s.kicks, s.sigma())
		m.portrait.invalidate()
	case key.Matches(k, km.NoiseUp):
		s.noise = min(len(noiseLevels)-1, s.noise+1)
	case key.Matches(k, km.NoiseDown):
		s.noise = max(0, s.noise-1)
	case key.Matches(k, km.DelayShorter), key.Matches(k, km.DelayLong):
		old := s.proto.Delay
		if s.proto.SetDelay(s.proto.NextDelay(key.Matches(k, km.DelayLong))) != old {
			m.setStatus(false, "delay %s: re-analysing", s.proto.DelayText())
			return m.startAnalysis()
		}
		m.setStatus(false, "delay stays at %s (limit)", s.proto.DelayText())
	case key.Matches(k, km.Reset):
		s.reset()
		m.running = false
		m.runID++
		m.portrait.invalidate()
	case key.Matches(k, km.Analyse):
		return m.startAnalysis()
	case key.Matches(k, km.Save):
		return m.save()
	default:
		if m.focus != paneFiles && m.focus != paneEigen && m.focus != paneVerdict {
			return m.panes[m.focus].Update(k)
		}
	}
	return nil
}

// focusPane moves the focus to pane id.
func (m *Model) focusPane(id paneID) {
	m.panes[m.focus].Focus(false)
	m.focus = id
	m.panes[id].Focus(true)
	m.dirty = true
}

// tick schedules the next frame of the running network.
func (m *Model) tick() tea.Cmd {
	id := m.runID
	return tea.Tick(m.ctx.Tick, func(time.Time) tea.Msg { return tickMsg{id: id} })
}

// handleTick advances one frame while running.
func (m *Model) handleTick(msg tickMsg) tea.Cmd {
	if !m.running || msg.id != m.runID || m.s == nil {
		return nil
	}
	if !m.advance(m.s.stepsPerTick) {
		m.running = false
		return nil
	}
	return m.tick()
}

// advance steps the network n times; it pauses at the end of the trial
// (running on past it when the trial is already over) and when the state
// stops being finite, and reports whether to keep running.
func (m *Model) advance(n int) bool {
	s := m.s
	end := s.trialSteps()
	atEnd := s.t >= end
	for range n {
		if !s.step() {
			m.setStatus(true, "the state became non-finite at step %d: r resets", s.t)
			m.portrait.invalidate()
			return false
		}
		if !atEnd && s.t == end {
			m.setStatus(false, "end of the trial: space runs on, r resets")
			m.portrait.invalidate()
			return false
		}
	}
	m.portrait.invalidate()
	m.dirty = true
	return true
}

// layout sizes the panes for the window.
func (m *Model) layout() {
	m.dirty = true
	m.help.Width = m.width
	if m.width < MinWidth || m.height < MinHeight {
		return
	}
	helpH := lipgloss.Height(m.helpView())
	m.statusH = len(m.statusLines())
	bodyH := m.height - m.statusH - helpH
	leftW := max(22, min(40, m.width/4))
	rightW := m.width - leftW
	topH := max(8, bodyH*2/3)
	botH := bodyH - topH
	filesH := bodyH / 2
	trainH, landH := bodyH-filesH, 0
	if m.landscape.visible() { // the left column in three: the list smallest
		filesH = max(5, bodyH/4)
		trainH = (bodyH - filesH) / 2
		landH = bodyH - filesH - trainH
	}
	portW := rightW * 3 / 5
	m.files.SetSize(leftW, filesH)
	m.training.SetSize(leftW, trainH)
	m.landscape.SetSize(leftW, landH)
	m.portrait.SetSize(portW, topH)
	m.eigen.SetSize(rightW-portW, topH)
	m.verdict.SetSize(rightW, botH)
	y := m.statusH
	m.rects[paneFiles] = rect{0, y, leftW, filesH}
	m.rects[paneTraining] = rect{0, y + filesH, leftW, trainH}
	m.rects[paneLandscape] = rect{0, y + filesH + trainH, leftW, landH}
	m.rects[panePortrait] = rect{leftW, y, portW, topH}
	m.rects[paneEigen] = rect{leftW + portW, y, rightW - portW, topH}
	m.rects[paneVerdict] = rect{leftW, y + topH, rightW, botH}
}

// rect is a pane's place on the screen.
type rect struct{ x, y, w, h int }

// paneAt returns the pane at screen cell (x, y).
func (m *Model) paneAt(x, y int) (paneID, bool) {
	for id, r := range m.rects {
		if x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h {
			return paneID(id), true
		}
	}
	return 0, false
}

// handleMouse focuses the pane clicked and scrolls the verdict pane under
// the wheel.
func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	id, ok := m.paneAt(msg.X, msg.Y)
	if !ok || msg.Action != tea.MouseActionPress {
		return nil
	}
	switch {
	case msg.Button == tea.MouseButtonLeft:
		m.focusPane(id)
	case tea.MouseEvent(msg).IsWheel() && id == paneVerdict:
		return m.verdict.Update(msg)
	}
	return nil
}

// helpKeys are the keys of the focused pane followed by the global ones.
type helpKeys struct {
	pane   help.KeyMap
	global KeyMap
}

func (h helpKeys) ShortHelp() []key.Binding {
	b := append(h.global.essential(), h.pane.ShortHelp()...)
	return append(b, h.global.more()...)
}

func (h helpKeys) FullHelp() [][]key.Binding {
	return append(append([][]key.Binding(nil), h.pane.FullHelp()...), h.global.FullHelp()...)
}

func (m *Model) helpKeys() helpKeys {
	if m.focus == paneFiles || m.focus == paneEigen || m.focus == paneVerdict {
		return helpKeys{pane: m.panes[m.focus], global: m.keys}
	}
	return helpKeys{pane: m.files, global: m.keys} // the list's keys work from here too
}

// statusLines are the top lines: network, condition, time, σ, delay,
// state and the last message, packed into one line or, when they do not
// fit, two; only what does not fit into two lines is cut.
func (m *Model) statusLines() []string {
	sep := m.ctx.Styles.Dim.Render(" │ ")
	var lines []string
	cur := ""
	for _, p := range m.statusParts() {
		switch {
		case cur == "":
			cur = p
		case ansi.StringWidth(cur)+ansi.StringWidth(sep)+ansi.StringWidth(p) <= m.width || len(lines) == 1:
			cur += sep + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	lines = append(lines, cur)
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	return lines
}

// statusParts are the pieces of the status lines.
func (m *Model) statusParts() []string {
	st := m.ctx.Styles
	if m.s == nil {
		return []string{st.Status.Render("attractor"), m.statusMsg()}
	}
	s := m.s
	d := s.net.Dims()
	run := "⏸ paused"
	if m.running {
		run = "▶ running"
	}
	name := st.Status.Render("attractor") + " " + saved.Printable(s.name)
	if m.width < 100 { // short forms, so that a message fits the second line
		name = st.Status.Render(saved.Printable(s.name))
		run = run[:strings.IndexByte(run, ' ')]
	}
	parts := []string{
		name,
		run,
		fmt.Sprintf("cond %d/%d %s", s.cond+1, len(s.proto.Conditions), s.proto.Conditions[s.cond].Name),
		s.timeLabel(),
		fmt.Sprintf("σ=%g", s.sigma()),
		"delay " + s.proto.DelayText(),
	}
	if m.width >= 100 {
		parts = append(parts, fmt.Sprintf("%s N=%d", s.net.Family(), d.State))
	}
	if s.analysing != "" {
		parts = append(parts, st.Accent.Render(s.analysing+"…"))
	}
	if msg := m.statusMsg(); msg != "" {
		parts = append(parts, msg)
	}
	return parts
}

// helpView is the help bar or, after ?, every key in as many columns as
// the width holds, so that no key is cut at 80 columns.
func (m *Model) helpView() string {
	hk := m.helpKeys()
	if !m.help.ShowAll {
		// help.Model adds the last key whole when its ellipsis does not
		// fit (bubbles v1.0.0): cut it here.
		return ansi.Truncate(m.help.View(hk), m.width, "…")
	}
	st := m.ctx.Styles.Help
	var keys, descs []string
	seen := map[string]bool{}
	for _, col := range hk.FullHelp() {
		for _, b := range col {
			h := b.Help()
			if !b.Enabled() || seen[h.Key] {
				continue
			}
			seen[h.Key] = true
			keys, descs = append(keys, h.Key), append(descs, h.Desc)
		}
	}
	n := len(keys)
	const gap = 3
	for cols := n; cols >= 1; cols-- {
		rows := (n + cols - 1) / cols
		kw, dw := make([]int, cols), make([]int, cols)
		total := 0
		for c := range cols {
			for r := range rows {
				if i := c*rows + r; i < n {
					kw[c] = max(kw[c], ansi.StringWidth(keys[i]))
					dw[c] = max(dw[c], ansi.StringWidth(descs[i]))
				}
			}
			total += kw[c] + 1 + dw[c]
		}
		total += gap * (cols - 1)
		if total > m.width && cols > 1 {
			continue
		}
		lines := make([]string, rows)
		for r := range rows {
			var b strings.Builder
			for c := range cols {
				i := c*rows + r
				if i >= n {
					break
				}
				if c > 0 {
					b.WriteString(strings.Repeat(" ", gap))
				}
				b.WriteString(st.FullKey.Render(padRight(keys[i], kw[c])) + " ")
				d := descs[i]
				if c < cols-1 {
					d = padRight(d, dw[c])
				}
				b.WriteString(st.FullDesc.Render(d))
			}
			lines[r] = ansi.Truncate(b.String(), m.width, "…")
		}
		return strings.Join(lines, "\n")
	}
	return ""
}

// homeShort writes the home directory at the start of p as ~.
func homeShort(p string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "/" && strings.HasPrefix(p, home+"/") {
		return "~" + p[len(home):]
	}
	return p
}

// padRight pads s with spaces to w columns.
func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s)))
}

func (m *Model) statusMsg() string {
	if m.isError {
		return m.ctx.Styles.Error.Render(m.status)
	}
	return m.status
}

// View renders the screen; with nothing changed it returns the cached
// string.
func (m *Model) View() string {
	if !m.dirty && !m.anyPaneDirty() {
		return m.view
	}
	m.dirty = false
	switch {
	case m.quit:
		m.view = ""
	case m.width == 0:
		m.view = "starting…"
	case m.width < MinWidth || m.height < MinHeight:
		m.view = fmt.Sprintf("attractor needs a terminal of at least %d×%d (this one is %d×%d)", MinWidth, MinHeight, m.width, m.height)
	default:
		status := m.statusLines()
		if len(status) != m.statusH {
			m.layout() // the status line grew to two lines or shrank to one
		}
		left := lipgloss.JoinVertical(lipgloss.Left, m.files.View(), m.training.View())
		if m.landscape.visible() {
			left = lipgloss.JoinVertical(lipgloss.Left, left, m.landscape.View())
		}
		top := lipgloss.JoinHorizontal(lipgloss.Top, m.portrait.View(), m.eigen.View())
		right := lipgloss.JoinVertical(lipgloss.Left, top, m.verdict.View())
		body := lipgloss.JoinHorizontal(lipgloss.Top, left, right)
		m.view = strings.Join(status, "\n") + "\n" + body + "\n" + m.helpView()
	}
	return m.view
}

// anyPaneDirty reports whether a pane must be re-rendered.
func (m *Model) anyPaneDirty() bool {
	return m.portrait.dirty || m.eigen.dirty || m.verdict.dirty || m.training.dirty || m.files.dirty ||
		(m.landscape.visible() && (m.landscape.dirty || m.training.dirty))
}
