// Package cli holds attractor's subcommands: parsing flags, reading and
// writing the files the user names, showing progress, and printing results.
// The work itself lives in model, saved, train, inspect, analysis and tui; a line here
// only connects the user to them.
package cli
