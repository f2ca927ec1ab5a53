package task

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"attractor/model"
)

// SPM is the sequential pattern-matching task of Ghazizadeh & Ching (2021),
// docs/science.md §3.2, for the continuous-time network trained by FORCE. A trial
// shows digit d₁ for Stim time units, then a delay, digit d₂, a second delay
// and a response window:
//
//	stimulus 1 (10) · delay 1 (5) · stimulus 2 (10) · delay 2 (5) · response (5)
//
// At dt = 0.1 that is 100/50/100/50/50 = 350 Euler steps. During a stimulus
// the 2-D input at every step is an independent sample of the digit's latent
// distribution. There are three outputs: z_o (channel 0) must equal
// Encoding[d₁+d₂] in the response window, and the 2-D memory readout z_d
// (channels 1, 2) must equal the digit's mean latent f_d(d_k) in delay k.
// The loss weights are the temporally restricted error kernel: 1 on z_d in
// the two delays and on z_o in the response, 0 elsewhere.
//
// The paper's stimuli are MNIST VAE latents, which a self-contained tool
// cannot ship; the default [PROPOSAL] draws digit 0 from N((−1, 0.5), 0.5² I)
// and digit 1 from N((1, −0.5), 0.5² I). Latents read by ReadLatentsCSV
// replace them (f_d is then the mean of the digit's samples).
type SPM struct {
	Dt                float64         // Euler step in τ (0.1)
	Stim, Delay, Resp float64         // epoch lengths in τ (10, 5, 5)
	Mean              [2][2]float64   // f_d(0), f_d(1): latent means of digits 0 and 1
	Std               float64         // standard deviation of each latent coordinate (0.5)
	Encoding          [3]float64      // f_o(sum) for sums 0, 1, 2 (paper: 0.5, 1.0, 1.5)
	Latents           [2][][2]float64 // optional latent samples per digit; nil uses the Gaussians
}

// NewSPM returns the task with the paper's timing and output encoding and the
// proposed synthetic digits.
func NewSPM() *SPM {
	return &SPM{Dt: 0.1, Stim: 10, Delay: 5, Resp: 5,
		Mean: [2][2]float64{{-1, 0.5}, {1, -0.5}}, Std: 0.5,
		Encoding: [3]float64{0.5, 1.0, 1.5}}
}

// Name returns "spm".
func (s *SPM) Name() string { return "spm" }

// EpochSteps returns the step counts of the five epochs.
func (s *SPM) EpochSteps() (stim, delay, resp int) {
	round := func(v float64) int { return int(v/s.Dt + 0.5) }
	return round(s.Stim), round(s.Delay), round(s.Resp)
}

// TrialSteps returns the number of Euler steps in one trial (350).
func (s *SPM) TrialSteps() int {
	st, d, r := s.EpochSteps()
	return 2*st + 2*d + r
}

// Validate reports invalid timing or targets.
func (s *SPM) Validate() error {
	st, d, r := s.EpochSteps()
	switch {
	case !(s.Dt > 0):
		return &ConfigError{"spm", "dt", "must be positive"}
	case st <= 0 || d <= 0 || r <= 0:
		return &ConfigError{"spm", "epochs", "stimulus, delay and response must each last at least one step"}
	case !(s.Std >= 0):
		return &ConfigError{"spm", "std", "must be non-negative"}
	}
	for i, e := range s.Encoding {
		if e == 0 {
			// FORCE updates only where the target is non-zero (§3.3).
			return &ConfigError{"spm", "encoding", fmt.Sprintf("f_o(%d) is 0; zero targets disable FORCE updates", i)}
		}
	}
	for d := range 2 {
		if s.Mean[d][0] == 0 || s.Mean[d][1] == 0 {
			return &ConfigError{"spm", "mean", fmt.Sprintf("digit %d has a zero latent mean component; zero targets disable FORCE updates", d)}
		}
		if s.Latents[d] != nil && len(s.Latents[d]) == 0 {
			return &ConfigError{"spm", "latents", fmt.Sprintf("no samples for digit %d", d)}
		}
	}
	return nil
}

// TrialTypes returns n trial types (2·d₁ + d₂) in equal numbers
// (cyclically when n is not a multiple of 4), in a random order.
func TrialTypes(n int, rng *model.RNG) []int {
	types := make([]int, n)
	for i, p := range rng.Perm(n) {
		types[i] = p % 4
	}
	return types
}

// Sequence returns n trials concatenated without reset as one batch of size
// 1 and n·TrialSteps() steps, with trial types from TrialTypes; the class of
// trial k is recorded in Marks.
func (s *SPM) Sequence(n int, rng *model.RNG) *Batch {
	types := TrialTypes(n, rng)
	return s.Trials(types, rng)
}

// Trials returns the trials of the given types (2·d₁ + d₂) concatenated as
// one batch of size 1. Stimulus samples are drawn from rng in step order.
func (s *SPM) Trials(types []int, rng *model.RNG) *Batch {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	st, dl, rs := s.EpochSteps()
	L := s.TrialSteps()
	b := NewBatch(len(types)*L, 1, 2, 3)
	b.Dt, b.Unit = s.Dt, "τ"
	for k, typ := range types {
		if typ < 0 || typ > 3 {
			panic(fmt.Sprintf("task: SPM trial type %d, want 0…3", typ))
		}
		d := [2]int{typ / 2, typ % 2}
		t0 := k * L
		b.Marks = append(b.Marks, Mark{Step: t0, Class: typ})
		// Epoch starts within the trial.
		starts := [5]int{0, st, st + dl, 2*st + dl, 2*st + 2*dl}
		for j := 0; j < 2; j++ {
			for t := starts[2*j]; t < starts[2*j]+st; t++ {
				x := s.sample(d[j], rng)
				u := b.In(t0+t, 0)
				u[0], u[1] = x[0], x[1]
			}
			for t := starts[2*j+1]; t < starts[2*j+1]+dl; t++ {
				y, w := b.Target(t0+t, 0), b.Weight(t0+t, 0)
				y[1], y[2] = s.mean(d[j])
				w[1], w[2] = 1, 1
			}
		}
		for t := starts[4]; t < starts[4]+rs; t++ {
			b.Target(t0+t, 0)[0] = s.Encoding[d[0]+d[1]]
			b.Weight(t0+t, 0)[0] = 1
		}
	}
	b.Windows = []Window{{"stimulus 1", 0, st}, {"delay 1", st, st + dl}, {"stimulus 2", st + dl, 2*st + dl},
		{"delay 2", 2*st + dl, 2*st + 2*dl}, {"response", 2*st + 2*dl, L}}
	b.Score = b.Windows[4]
	return b
}

// Batch returns four trials, one of each type, as one sequence.
func (s *SPM) Batch(rng *model.RNG) *Batch { return s.Sequence(4, rng) }

func (s *SPM) sample(d int, rng *model.RNG) [2]float64 {
	if l := s.Latents[d]; l != nil {
		return l[rng.IntN(len(l))]
	}
	return [2]float64{s.Mean[d][0] + s.Std*rng.Norm(), s.Mean[d][1] + s.Std*rng.Norm()}
}

func (s *SPM) mean(d int) (float64, float64) { return s.Mean[d][0], s.Mean[d][1] }

// ReadLatentsCSV reads 2-D latent samples from CSV rows "digit,x,y" (digit 0
// or 1; a header row is allowed) into s.Latents and sets s.Mean to the
// per-digit means. name is used in error messages.
func (s *SPM) ReadLatentsCSV(name string, r io.Reader) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	var lat [2][][2]float64
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		d, err := strconv.Atoi(rec[0])
		if err != nil && line == 1 {
			continue // header
		}
		if err != nil || (d != 0 && d != 1) {
			return fmt.Errorf("%s: line %d: digit %q must be 0 or 1", name, line, rec[0])
		}
		var v [2]float64
		for i := 0; i < 2; i++ {
			if v[i], err = strconv.ParseFloat(rec[1+i], 64); err != nil || v[i] != v[i] {
				return fmt.Errorf("%s: line %d: latent %q is not a number", name, line, rec[1+i])
			}
		}
		lat[d] = append(lat[d], v)
	}
	for d := range 2 {
		if len(lat[d]) == 0 {
			return fmt.Errorf("%s: no samples for digit %d", name, d)
		}
		var m [2]float64
		for _, v := range lat[d] {
			m[0] += v[0]
			m[1] += v[1]
		}
		s.Mean[d] = [2]float64{m[0] / float64(len(lat[d])), m[1] / float64(len(lat[d]))}
	}
	s.Latents = lat
	return nil
}
