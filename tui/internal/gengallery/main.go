// Command gengallery writes the placeholder gallery network of the terminal
// UI: a Sussillo–Abbott network of N = 100 neurons (seed 1) trained by
// FORCE to generate a sine, saved in the native format.
//
//	go run ./tui/internal/gengallery -o tui/gallery/sine-force-n100.npz
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"attractor/saved"
	"attractor/train"
)

func main() {
	out := flag.String("o", "tui/gallery/sine-force-n100.npz", "output file")
	steps := flag.Int("steps", 6000, "training Euler steps")
	period := flag.Float64("period", 20, "sine period in τ")
	flag.Parse()
	cfg := train.DefaultForceSignal()
	cfg.Hidden = 100
	cfg.Seed = 1
	cfg.Steps = *steps
	cfg.Period = *period
	cfg.Test = 0
	s, err := train.NewForceSignalSession(cfg)
	if err != nil {
		log.Fatal(err)
	}
	s.Program = saved.Program{Version: "gengallery"}
	for range s.Units() {
		m, err := s.Step(context.Background())
		if err != nil {
			log.Fatal(err)
		}
		_ = m
	}
	sig, _ := cfg.Signal()
	mae, err := s.Force.TestSignal(sig, 2000)
	if err != nil {
		log.Fatal(err)
	}
	n := s.Network()
	n.Manifest.Notes = []string{fmt.Sprintf("placeholder gallery network: FORCE, %d training steps, test MAE %.3g over 2000 steps", cfg.Steps, mae)}
	if err := saved.WriteNative(*out, n); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(*out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, test MAE %.4g\n", *out, fi.Size(), mae)
}
