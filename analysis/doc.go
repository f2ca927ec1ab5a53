// Package analysis owns "saved network → report": everything between a
// network read from a file and what the command line, the terminal UI and
// the sweeps show about it.
//
//   - The protocol registry ([ProtocolFor]) maps the task recorded in a
//     file to its trial conditions, for every task the trainers write
//     (dcdt, spm, flipflop, lastk, choice, the signal generators) and the
//     associative networks; a file that names no task gets the generic
//     protocol of its input dimension ([GenericProtocol]), and a user's own
//     trials come from an array file ([ReadInputs]).
//   - The census ([Census]) finds the fixed points from states along the
//     protocol's trajectories plus noise and from a random cloud, doubling
//     the starts until a doubling finds nothing new, and reports its
//     coverage. Every start is also simulated forward (blocks of starts
//     with one matrix product per step where the network allows it) to
//     find the attractors the search should contain; an associative
//     memory's starts are relaxed this way before the search, in one
//     round.
//   - The verdict ([Verdict]) runs the classifier that fits the protocol.
//   - The landscape across training ([Landscape], [Landscaper]) follows
//     the fixed points and cycles of a list of network files with
//     inspect's continuation, each network's starts taken from its own
//     file's protocol: the one way from a saved network to starting states.
//   - [Report] is the one versioned JSON document of all of it; [Analyze]
//     makes it, and [Basins] adds the basin fractions of its stable points.
//   - The perturbation curves ([PerturbTrials], [PerturbCurves]) and the
//     retrieval phase diagrams of an associative memory ([Memory]).
//   - The sweep analyses "report", "mechanism" and "phase"
//     ([RegisterSweepAnalyses]): the same report and verdicts for every
//     network of a sweep.
//
// The package sits above saved, model, train, train/task, train/sweep and
// inspect and below cli and tui: it imports neither, and train/sweep does
// not import it (the sweep analyses are registered into it).
package analysis
