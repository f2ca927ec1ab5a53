// Package sweep trains thousands of networks from one specification, on a
// local worker pool or as Slurm job arrays, resumably and exactly once, and
// summarises them as censuses and phase diagrams.
//
// A sweep specification (TOML) names a task, whose trainer is looked up in a
// registry (RegisterTrainer: task name → func(config map) Job), a base
// training configuration, a grid over any configuration field (the
// Cartesian product of the listed values, the last axis varying fastest),
// optional random draws with their own seed, the training seeds and the
// analyses to run on every trained network (RegisterAnalysis: name → func).
// Network i of a sweep is always the same configuration, so a sweep can be
// stopped, resumed and split across machines.
//
// A sweep directory holds the specification, a manifest and one directory
// per network:
//
//	DIR/spec.toml, DIR/sweep.json
//	DIR/nets/SHARD/ID/net.npz       the trained network (saved.WriteNative)
//	DIR/nets/SHARD/ID/result.json   the network's result, committed last
//	DIR/nets/SHARD/ID/claim.G       a worker's claim (generation G)
//	DIR/nets/SHARD/ID/work.G        its run directory: metrics log, checkpoint
//	DIR/nets/SHARD/ID/error.json    the last failure (retried on resume)
//	DIR/results.csv                 derived from the result files
//
// Exactly once: a worker first claims a network by creating claim.G with
// O_EXCL; a claim whose process is dead (same host) or whose heartbeat is
// older than the stale limit (another host) is taken over by creating
// claim.G+1, so two workers can never both take it over. The result is
// written to a temporary file and committed with link(2), which never
// replaces an existing result. The per-network result files are the only
// source of truth; the results table is derived from them, so concurrent
// writers can never corrupt it. A killed worker loses only the network it
// was training, and for trainers with a Resume function not even that: the
// worker that takes the claim over moves the dead one's work directory to
// its own and continues from the last checkpoint (written every tenth of
// the units), with the metrics log cut back to the checkpoint, so that the
// network and result are byte-identical to an uninterrupted run's.
//
// Analyses run in the order the specification lists them and see the
// figures of the earlier ones (AnalysisInput.Previous). The analysis
// package, which this package cannot import, registers the report and the
// mechanism verdicts (analysis.RegisterSweepAnalyses, called by the command
// line): "report" for any task, "mechanism" (DFP/IFP/LC/Mix,
// docs/science.md §9) for the spm task, after "trainability", and "phase"
// (unable/LC/SP, §5.5) for the dcdt task.
//
// The statistics of Kurtkaya et al.'s scaling law (docs/science.md §5.6:
// FitExpSaturation, the critical delay T₀ per learning rate, and the
// log-log regression LogLogFit with its confidence interval) and Fisher's
// exact test with Bonferroni correction (EC-26) are in stats.go;
// Sweep.Scaling applies them to a sweep's results.
package sweep
