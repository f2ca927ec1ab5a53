package analysis

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"attractor/inspect"
	"attractor/model"
	"attractor/saved"
)

// LandscapeFile is one network of a landscape: the name it was read from
// (for messages), the network and its training step (or parameter value).
type LandscapeFile struct {
	Name string
	Net  *saved.Network
	Step float64
}

// LandscapeSettings configures [Landscape] and [Landscaper]. A zero field
// takes the default shown; a nil *LandscapeSettings means all defaults.
type LandscapeSettings struct {
	// Continuation are the settings of inspect's continuation (the warm
	// start, the matching tolerances, the forward simulations and the
	// basin fractions); its Progress is called by Landscape after each
	// network.
	Continuation inspect.LandscapeSettings
	// Starts (64) is the number of fresh starts of each network: states
	// spread evenly along the trajectories of its protocol's conditions
	// (see [LandscapeStarts]).
	Starts int
	// Seed seeds every random draw of the protocols.
	Seed uint64
	// Task is the task record ({"name": …, "config": {…}}) given to the
	// files that record no task, such as PyTorch state dicts; nil leaves
	// them the protocol [ProtocolFor] gives them (the generic one, or the
	// associative one of a Hopfield or gated network).
	Task json.RawMessage
}

// LandscapeResult is the landscape of a list of network files, with the
// protocol each network's starts came from.
type LandscapeResult struct {
	*inspect.LandscapeResult
	// Protocols names the protocol of each network: its task's name, or
	// its source ("generic", "associative") when it has no task.
	Protocols []string
	// StartsFrom says in words how the fresh starts were made.
	StartsFrom string
}

// Landscaper follows the landscape of network files given one at a time,
// each network's fresh starts taken from its own protocol: the analysis
// side of [inspect.Continuation], for a caller (the terminal UI) that
// gets a run's networks as training writes them. It is not safe for
// concurrent use; [Landscaper.Result] shares nothing a later Add changes.
type Landscaper struct {
	set   LandscapeSettings
	c     *inspect.Continuation
	proto []string
	notes []string
}

// NewLandscaper returns an empty landscaper with settings s (nil:
// defaults).
func NewLandscaper(s *LandscapeSettings) *Landscaper {
	l := &Landscaper{}
	if s != nil {
		l.set = *s
	}
	if l.set.Starts <= 0 {
		l.set.Starts = 64
	}
	l.c = inspect.NewContinuation(nil, &l.set.Continuation)
	return l
}

// Clone returns a copy of l that can be continued independently (see
// [inspect.Continuation.Clone]).
func (l *Landscaper) Clone() *Landscaper {
	d := *l
	d.c = l.c.Clone()
	d.proto = append([]string(nil), l.proto...)
	d.notes = append([]string(nil), l.notes...)
	return &d
}

// Len returns the number of networks added.
func (l *Landscaper) Len() int { return l.c.Len() }

// Add adds the next network: its protocol (the task its file records, or
// the settings' Task when it records none), fresh starts along that
// protocol's trajectories (see [LandscapeStarts]), as many seeds of the
// fixed-point search drawn about them as the census draws its starts
// (noise and a random cloud), and the census continued from the previous
// network. Errors name the file. On an error, a cancelled ctx included,
// the landscaper is left as it was.
func (l *Landscaper) Add(ctx context.Context, f LandscapeFile) error {
	if f.Net == nil || f.Net.Net == nil {
		return fmt.Errorf("%s: no network", f.Name)
	}
	p, err := LandscapeProtocol(f.Net, l.set.Task, l.set.Seed)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	pool, err := trajectoryPool(ctx, f.Net.Net, &p)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	starts, err := landscapeStarts(pool, &p, l.set.Starts)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	seeds := landscapeSeeds(pool, l.set.Starts, l.set.Seed)
	if err := l.c.Add(ctx, f.Net.Net, f.Step, starts, seeds); err != nil {
		return fmt.Errorf("%s (step %g): %w", f.Name, f.Step, err)
	}
	name := p.Task
	if name == "" {
		name = p.Source
	}
	l.proto = append(l.proto, name)
	l.notes = append(l.notes, fmt.Sprintf("%s (%s)", name, p.Note))
	return nil
}

// Result returns the landscape of the networks added so far.
func (l *Landscaper) Result() *LandscapeResult {
	r := &LandscapeResult{LandscapeResult: l.c.Result(), Protocols: append([]string(nil), l.proto...)}
	var seen []string
	count := map[string]int{}
	for _, n := range l.notes {
		if count[n] == 0 {
			seen = append(seen, n)
		}
		count[n]++
	}
	parts := make([]string, len(seen))
	for i, n := range seen {
		parts[i] = n
		if len(seen) > 1 {
			parts[i] = fmt.Sprintf("%d networks: %s", count[n], n)
		}
	}
	r.StartsFrom = fmt.Sprintf("%d states along the trajectories of each network's protocol: %s", l.set.Starts, strings.Join(parts, "; "))
	return r
}

// Landscape follows the fixed points and cycles of files, in order, with
// each network's fresh starts taken from its own protocol (see
// [Landscaper]): the landscape of a run's history or of any ordered list
// of network files.
func Landscape(ctx context.Context, files []LandscapeFile, s *LandscapeSettings) (*LandscapeResult, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("analysis: landscape of no networks")
	}
	l := NewLandscaper(s)
	for i, f := range files {
		if err := l.Add(ctx, f); err != nil {
			return nil, err
		}
		if pr := l.set.Continuation.Progress; pr != nil {
			pr(i+1, len(files))
		}
	}
	return l.Result(), nil
}

// LandscapeProtocol returns the protocol of network file n in a
// landscape: [ProtocolFor] n, with task standing in for the task record
// when n records none (nil task: none).
func LandscapeProtocol(n *saved.Network, task json.RawMessage, seed uint64) (Protocol, error) {
	if n != nil && len(task) > 0 && TaskName(n.Manifest.Task) == "" {
		c := *n
		c.Manifest.Task = task
		n = &c
	}
	return ProtocolFor(n, seed)
}

// LandscapeStarts returns k states spread evenly over the trajectories of
// the conditions of p run on net (each from its initial state, stopping
// at its first non-finite state): the same trajectories the census
// samples, without its noise.
func LandscapeStarts(ctx context.Context, net model.Network, p *Protocol, k int) ([][]float64, error) {
	pool, err := trajectoryPool(ctx, net, p)
	if err != nil {
		return nil, err
	}
	return landscapeStarts(pool, p, k)
}

// landscapeStarts returns k states of pool spread evenly.
func landscapeStarts(pool [][]float64, p *Protocol, k int) ([][]float64, error) {
	if len(pool) == 0 {
		name := p.Task
		if name == "" {
			name = p.Source
		}
		return nil, fmt.Errorf("every trajectory of the %s protocol diverged; no starting states", name)
	}
	if k <= 1 {
		return pool[:1], nil
	}
	idx := spread(len(pool), k)
	out := make([][]float64, len(idx))
	for i, j := range idx {
		out[i] = pool[j]
	}
	return out, nil
}

// streamLandscapeSeeds is the random stream of the landscape's seeds.
const streamLandscapeSeeds = 0x6c73

// landscapeSeeds returns k seeds of the fixed-point search of a landscape,
// drawn as the first round of [Census] draws its starts with the default
// settings: states of pool displaced by Gaussian noise of the default
// Noise times the pool's RMS spread, and the default Cloud fraction from a
// Gaussian per unit with the pool's mean and standard deviation. They
// bring the search near the saddles between the attractors, which the
// trajectories do not visit.
func landscapeSeeds(pool [][]float64, k int, seed uint64) [][]float64 {
	if len(pool) == 0 || k < 1 {
		return nil
	}
	mean, std, spread := poolStats(pool)
	out, _ := drawStarts(model.NewRNG(seed, streamLandscapeSeeds), pool, mean, std, spread, k, DefaultSettings().Census)
	return out
}

var fileStepNumber = regexp.MustCompile(`\d+`)

// FileStep returns the training step (or parameter value) of the i-th
// (from 0) of a list of network files that do not say theirs otherwise:
// its train.done record, else the last number in its file name, else its
// position i+1.
func FileStep(n *saved.Network, file string, i int) float64 {
	for _, t := range n.Extra {
		if t.Name == "train.done" && len(t.Data) == 1 {
			return t.Data[0]
		}
	}
	if m := fileStepNumber.FindAllString(filepath.Base(file), -1); len(m) > 0 {
		if v, err := strconv.Atoi(m[len(m)-1]); err == nil {
			return float64(v)
		}
	}
	return float64(i + 1)
}
