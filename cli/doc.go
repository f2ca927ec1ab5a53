// Package cli holds attractor's subcommands: parsing and checking flags,
// resolving the files and run directories the user names, reading and
// writing those files, showing progress, and printing results as text,
// JSON and figures. It computes nothing itself; a line here only connects
// the user to the package that owns the work:
//
//   - analysis: a saved network's report (inspect), its basin fractions,
//     perturbation curves (perturb), the landscape across training, the
//     retrieval phase diagrams of an associative memory (memory), and the
//     sweep analyses (registered with analysis.RegisterSweepAnalyses);
//   - train: the trainers and their post-training figures (train), the
//     metrics log, and the gallery's recipes (gallery build);
//   - train/sweep: sweeps, their census, phase diagrams and scaling fits;
//   - tui: the terminal UI, its SSH server, and the figures of plot and
//     landscape -o (the same figures the UI exports).
//
// Formatting stays here: the summaries and tables, the --json documents of
// the commands that are not a Report, and the memory command's heat-map
// figure.
package cli
