package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"attractor/model"
	"attractor/saved"
	"attractor/train"
)

// fakeConfig configures the trivial trainer the tests register as "fake":
// loss after unit k is x/(k+seed+1); it can fail (its checkpoint cannot
// be written), diverge or sleep.
type fakeConfig struct {
	Units     int     `json:"units"`
	X         float64 `json:"x"`
	Seed      uint64  `json:"seed"`
	Fail      bool    `json:"fail"`
	DivergeAt int     `json:"diverge_at"`
	SleepMS   int     `json:"sleep_ms"`
	Label     string  `json:"label"`
}

type fakeJob struct {
	cfg  fakeConfig
	done int
	net  *model.Leaky
}

func (j *fakeJob) Units() int { return j.cfg.Units }

func (j *fakeJob) Step(ctx context.Context) (train.Metrics, error) {
	if j.cfg.SleepMS > 0 {
		select {
		case <-time.After(time.Duration(j.cfg.SleepMS) * time.Millisecond):
		case <-ctx.Done():
			return train.Metrics{}, ctx.Err()
		}
	}
	j.done++
	if j.cfg.DivergeAt > 0 && j.done >= j.cfg.DivergeAt {
		return train.Metrics{Loss: math.NaN()}, nil
	}
	acc := math.Min(1, float64(j.done)/float64(j.cfg.Units))
	return train.Metrics{Loss: j.cfg.X / float64(j.done+int(j.cfg.Seed)+1), Accuracy: acc,
		Extra: map[string]float64{"reliability": acc}}, nil
}

func (j *fakeJob) Save(name string, done int) error {
	if j.cfg.Fail {
		return errors.New("fake failure")
	}
	return saved.WriteNative(name, j.Network())
}

func (j *fakeJob) Network() *saved.Network {
	seed := j.cfg.Seed
	return &saved.Network{Net: j.net, Manifest: saved.Manifest{Seed: &seed}}
}

func init() {
	RegisterTrainer("fake", StructTrainer(func() fakeConfig { return fakeConfig{Units: 3, X: 1} }, nil,
		func(c fakeConfig) error {
			if c.Units < 1 {
				return fmt.Errorf("units %d must be positive", c.Units)
			}
			if c.X < 0 {
				return fmt.Errorf("x = %v must be non-negative", c.X)
			}
			return nil
		},
		func(c fakeConfig) (Job, error) {
			return &fakeJob{cfg: c, net: model.RandomKurtkaya(3, 2, 2, model.NewRNG(c.Seed, 0))}, nil
		}))
	RegisterAnalysis("parity", Analysis{Tasks: []string{"fake"},
		Run: func(ctx context.Context, in AnalysisInput) (map[string]any, error) {
			j := in.Job.(*fakeJob)
			class := "small"
			if j.cfg.X > 1 {
				class = "big"
			}
			if j.cfg.Seed%2 == 1 {
				class += "-odd"
			}
			return map[string]any{"class": class, "seed": j.cfg.Seed, "label": j.cfg.Label}, nil
		}})
}
