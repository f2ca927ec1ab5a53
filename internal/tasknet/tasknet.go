// Package tasknet makes the small untrained networks, with the manifests
// the trainers write, that the tests of the analysis and the UI build
// their protocols from.
package tasknet

import (
	"testing"

	"attractor/saved"
	"attractor/train"
)

// New returns the (untrained) network and manifest a trainer writes
// for the named task: the protocols are built from exactly that record.
func New(t testing.TB, name string, tweak func(any)) *saved.Network {
	t.Helper()
	switch name {
	case "dcdt":
		cfg := train.DefaultLeaky()
		cfg.Hidden, cfg.Epochs, cfg.Seed = 12, 1, 3
		if tweak != nil {
			tweak(&cfg)
		}
		s, err := train.NewLeakySession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s.Network()
	case "spm":
		cfg := train.DefaultForceSPM()
		cfg.Hidden, cfg.Trials, cfg.Seed = 20, 1, 4
		s, err := train.NewForceSPMSession(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s.Network()
	}
	cfg := train.DefaultSeq()
	cfg.Task, cfg.Hidden, cfg.Epochs, cfg.Seed = name, 10, 1, 5
	if tweak != nil {
		tweak(&cfg)
	}
	s, err := train.NewSeqSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s.Network()
}
