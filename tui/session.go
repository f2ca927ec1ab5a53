package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"attractor/analysis"
	"attractor/model"
	"attractor/saved"
)

// noiseLevels are the kick sizes σ that '+' and '-' step through.
var noiseLevels = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5}

// defaultNoise is the index of the default σ, 0.2.
const defaultNoise = 4

// maxTrail bounds the stored trail of the running state.
const maxTrail = 8192

// session is the experiment on the open network: its protocol, the state
// being stepped, and the analysis results. The UI goroutine owns it.
type session struct {
	name  string
	at    string // the training step shown ("epoch 120") when following a run
	file  *saved.Network
	net   model.Network
	proto Protocol
	cond  int

	x, next      []float64
	t            int // steps into the trial
	kicks        int
	kickSigmas   []float64 // σ of each kick since the reset
	delay0       int       // the protocol's delay when the network opened
	noise        int       // index into noiseLevels
	rng          *model.RNG
	stepsPerTick int
	diverged     bool

	// analysis results (nil until they arrive)
	portrait *portraitData
	fixed    *fixedData
	// fixedStale marks fixed as the census of an earlier protocol (before
	// d or D), shown until the new one arrives: its points are still
	// fixed points of the network.
	fixedStale bool
	analysing  string // what is being computed, "" when idle
	anaErr     error
	// the mechanism verdict (stage 3), or why it failed; verdictFinal is
	// set once the full pass is in (before, verdict is the quick pass's)
	verdict      *analysis.VerdictResult
	verdictErr   error
	verdictFinal bool
	// progress is the running verdict pass's (the quick one until it is
	// in, then the full one), nil when none runs here
	progress *verdictProgress
	// the report of the census and the verdict (stage 4) the verdict pane
	// renders: the census's alone until the final verdict is in
	// (reportFinal), or why it failed
	report      *analysis.Report
	reportFinal bool
	reportErr   error

	// projection of the state and its trail, valid when portrait != nil
	px, py         float64
	trailX, trailY []float64
	proj           [2]float64
}

// newSession opens network n under name.
func newSession(name string, n *saved.Network) *session {
	s := &session{name: name, file: n, net: n.Net, proto: ProtocolFor(n), noise: defaultNoise}
	seed := uint64(1)
	if n.Manifest.Seed != nil {
		seed = *n.Manifest.Seed
	}
	s.rng = model.NewRNG(seed, 0x6b69636b)
	d := n.Net.Dims()
	s.x, s.next = make([]float64, d.State), make([]float64, d.State)
	s.stepsPerTick = 1
	if f, ok := n.Net.(model.Flow); ok && f.Dt() > 0 {
		s.stepsPerTick = max(1, int(math.Round(0.5/f.Dt())))
	}
	s.delay0 = s.proto.Delay
	s.reset()
	return s
}

// restoreState puts the state saved by 's' (the extra array ui.state)
// back, when the file has one of the right length with finite values; it
// reports whether it did.
func (s *session) restoreState() bool {
	for _, e := range s.file.Extra {
		if e.Name == StateTensor && len(e.Data) == len(s.x) && finiteVec(e.Data) {
			copy(s.x, e.Data)
			s.project()
			return true
		}
	}
	return false
}

// perturbationText says what was done to the state and the protocol: the
// σ of every kick and the delay, with the file's when it was changed.
func (s *session) perturbationText() string {
	kicks := "no noise kicks"
	if len(s.kickSigmas) > 0 {
		sg := make([]string, len(s.kickSigmas))
		for i, v := range s.kickSigmas {
			sg[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		kicks = fmt.Sprintf("%d noise kicks of σ = %s per dimension", len(s.kickSigmas), strings.Join(sg, ", "))
	}
	delay := "delay " + s.proto.DelayText()
	if s.proto.Delay != s.delay0 {
		p0 := s.proto
		p0.Delay = s.delay0
		delay += " (changed from the file's " + p0.DelayText() + ")"
	}
	return kicks + ", " + delay
}

// stage says what the analysis is still computing once stage 1 is in
// ("" when it is done): the fixed points, the verdict, the report.
func (s *session) stage() string {
	var left []string
	if (s.fixed == nil || s.fixedStale) && s.anaErr == nil {
		left = append(left, "searching fixed points")
	}
	if !s.verdictFinal && s.verdictErr == nil {
		left = append(left, "mechanism verdict")
	}
	if len(left) == 0 && !s.reportFinal && s.reportErr == nil && s.fixed != nil {
		left = append(left, "assembling the report")
	}
	return strings.Join(left, ", ")
}

// sigma returns the kick size.
func (s *session) sigma() float64 { return noiseLevels[s.noise] }

// trialSteps returns the steps of the current condition's trial.
func (s *session) trialSteps() int { return s.proto.Steps(s.cond) }

// reset puts the state back at the start of the current condition's trial.
func (s *session) reset() {
	copy(s.x, s.proto.Conditions[s.cond].X0)
	s.t, s.kicks, s.diverged = 0, 0, false
	s.kickSigmas = s.kickSigmas[:0]
	s.trailX, s.trailY = s.trailX[:0], s.trailY[:0]
	s.project()
}

// setCondition selects condition c (wrapping around) and resets.
func (s *session) setCondition(c int) {
	k := len(s.proto.Conditions)
	s.cond = ((c % k) + k) % k
	s.reset()
}

// step advances the state by one step; it reports false, without moving,
// once the state is no longer finite.
func (s *session) step() bool {
	if s.diverged {
		return false
	}
	s.net.Step(s.next, s.x, s.proto.Input(s.cond, s.t))
	s.x, s.next = s.next, s.x
	s.t++
	if !finiteVec(s.x) {
		s.diverged = true
	}
	s.project()
	return !s.diverged
}

// kick adds σ·ξ, ξ ~ N(0, I), to the state.
func (s *session) kick() {
	sg := s.sigma()
	for i := range s.x {
		s.x[i] += sg * s.rng.Norm()
	}
	s.kicks++
	s.kickSigmas = append(s.kickSigmas, sg)
	s.project()
}

// project updates the projection of the state and appends it to the trail.
func (s *session) project() {
	if s.portrait == nil {
		return
	}
	p := s.portrait.pca.Project(s.proj[:0], s.x)
	s.px, s.py = p[0], 0
	if len(p) > 1 {
		s.py = p[1]
	}
	if len(s.trailX) >= maxTrail {
		n := copy(s.trailX, s.trailX[maxTrail/2:])
		copy(s.trailY, s.trailY[maxTrail/2:])
		s.trailX, s.trailY = s.trailX[:n], s.trailY[:n]
	}
	s.trailX = append(s.trailX, s.px)
	s.trailY = append(s.trailY, s.py)
}

// setPortrait installs new trajectories and PCA and re-projects the trail
// from the current state.
func (s *session) setPortrait(d *portraitData) {
	s.portrait = d
	s.trailX, s.trailY = s.trailX[:0], s.trailY[:0]
	s.project()
}

// timeLabel formats the time into the trial: model time for a flow, steps
// for a map.
func (s *session) timeLabel() string {
	if f, ok := s.net.(model.Flow); ok {
		return fmt.Sprintf("t=%.1f/%.0f", float64(s.t)*f.Dt(), float64(s.trialSteps())*f.Dt())
	}
	return fmt.Sprintf("step %d/%d", s.t, s.trialSteps())
}
