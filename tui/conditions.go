package tui

import (
	"fmt"

	"attractor/analysis"
	"attractor/saved"
)

// The UI runs a network's trials as the analysis package's protocol
// registry makes them (analysis.ProtocolFor): the same conditions as
// `attractor inspect`, `attractor perturb` and the sweeps.

// Protocol is how the UI runs trials of a network; see analysis.Protocol.
type Protocol = analysis.Protocol

// Condition is one trial condition; see analysis.Condition.
type Condition = analysis.Condition

// ProtocolFor returns the trials to run for network n: the registry's
// protocol with the default seed of the analysis (the one `attractor
// inspect` uses without --seed). A task record that does not fit the
// network gives the generic protocol, with a note saying why.
func ProtocolFor(n *saved.Network) Protocol {
	p, err := analysis.ProtocolFor(n, analysis.DefaultSettings().Seed)
	if err == nil {
		return p
	}
	g := analysis.GenericProtocol(n.Net, n.EndState(), analysis.DefaultSettings().Seed)
	g.Note = fmt.Sprintf("%v; %s", err, g.Note)
	return g
}

// taskName returns the "name" field of a task configuration, or "".
func taskName(task []byte) string { return analysis.TaskName(task) }
