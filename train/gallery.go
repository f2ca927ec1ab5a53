package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"attractor/model"
	"attractor/saved"
)

// A GalleryRecipe makes one network of the gallery embedded in the UI
// (tui/gallery, written by `attractor gallery build`) with this package's
// trainers, deterministically: the same build gives the same bytes.
type GalleryRecipe struct {
	Name string // file name without .npz; the order of the names is the gallery's order
	Note string // what the network shows, written into its manifest
	Fast bool   // cheap enough to rebuild in the unit tests
	// Mechanism is the label `attractor inspect` gives the network (its
	// §9 or §5.5 verdict at the default settings) when the recipe is an
	// exemplar of a mechanism, and appears in its name; empty otherwise.
	Mechanism string
	// Make trains the network (in a scratch run directory), calling
	// progress, when not nil, after every unit of training.
	Make func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error)
}

// GalleryRecipes lists the gallery; each note says what the network was
// trained to do. The Ghazizadeh & Ching and Kurtkaya et al. exemplars were
// chosen by training candidates and keeping those whose verdict from
// `attractor inspect` is the mechanism in their name (the spec's proposed
// exemplar parameters, docs/science.md §10 item 3, gave Mix networks).
var GalleryRecipes = []GalleryRecipe{
	{Name: "00-sine-force", Note: "Sussillo & Abbott FORCE: N = 100, a sine of period 20 τ generated autonomously (a limit cycle by design), 6000 training steps", Fast: true,
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			cfg := DefaultForceSignal()
			cfg.Hidden, cfg.Steps, cfg.Period, cfg.Test, cfg.Seed = 100, 6000, 20, 0, 1
			s, err := NewForceSignalSession(cfg)
			if err != nil {
				return nil, err
			}
			return runRecipe(ctx, progress, s, s.Units(), s.Network)
		}},
	ghazizadehRecipe("01-ghazizadeh-dfp-g1.5-fb1", "DFP", "direct fixed points — every probe settles on a fixed point and the distinct fixed points reached are at least the memory conditions", 1.5, 1, 0.1, 1500, 1),
	ghazizadehRecipe("02-ghazizadeh-ifp-g1.2-fb3", "IFP", "indirect fixed point — the memory states are not fixed points: they drift after the delay to fixed points shared by the conditions", 1.2, 3, 0.1, 1500, 0),
	ghazizadehRecipe("03-ghazizadeh-lc-g1.3-fb3", "LC", "limit cycle — every probe, whatever the stimulus, settles on one stable limit cycle (period ≈ 108 time units when chosen)", 1.3, 3, 0.1, 1500, 0),
	kurtkayaRecipe("04-kurtkaya-sp-lr0.01", "SP", "slow point — the cue is held near slow points of the delay dynamics (PSD ratio ρ = 0.70 when chosen)", 0.01, 4),
	kurtkayaRecipe("05-kurtkaya-lc-lr0.01", "LC", "limit cycle — the delay activity oscillates and the cue is kept in its phase (PSD ratio ρ = 0.0011 when chosen)", 0.01, 5),
	{Name: "06-flipflop-gru", Note: "3-bit flip-flop (Sussillo & Barak), GRU with 24 units, Adam: 8 stable fixed points expected", Fast: true,
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			cfg := DefaultSeq()
			cfg.Hidden, cfg.Epochs, cfg.Seed = 24, 400, 1
			s, err := NewSeqSession(cfg)
			if err != nil {
				return nil, err
			}
			return runRecipe(ctx, progress, s, s.Units(), s.Network)
		}},
	{Name: "07-lastbit-lstm", Note: "last-bit recall (1-bit memory over a 20-step delay), LSTM with 32 units, Adam 5e-3",
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			cfg := DefaultSeq()
			cfg.Family, cfg.Task, cfg.Bits, cfg.Hidden, cfg.Epochs, cfg.LR, cfg.Seed = model.FamilyLSTM, "lastk", 1, 32, 600, 0.005, 1
			s, err := NewSeqSession(cfg)
			if err != nil {
				return nil, err
			}
			return runRecipe(ctx, progress, s, s.Units(), s.Network)
		}},
	{Name: "08-trnn-choice", Note: "TRNN (self-inhibition, sparse mask, 3 modules) on delayed choice with variable encoding time, 96 units, Adam 1e-3",
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			return trainChoice(ctx, progress, false)
		}},
	{Name: "09-vanilla-choice", Note: "vanilla RNN (the TRNN's degenerate configuration) on the same delayed choice task",
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			return trainChoice(ctx, progress, true)
		}},
	{Name: "10-hopfield", Note: "graded Amari–Hopfield network, N = 400, P = 20 patterns (α = 0.05, below capacity), β = 10: Hebbian, no training", Fast: true,
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			rng := model.NewRNG(1, 0)
			net, err := model.NewHopfield(model.RandomPatterns(400, 20, rng), model.DefaultHopfieldConfig())
			if err != nil {
				return nil, err
			}
			seed := uint64(1)
			return &saved.Network{Net: net, Manifest: saved.Manifest{Seed: &seed}}, nil
		}},
	{Name: "11-gated", Note: "gated associative network (reconstructed Goto et al. model), N = 300, P = 120 (α = 0.4, above capacity), binary gate γ = ∞", Fast: true,
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			rng := model.NewRNG(1, 0)
			net, err := model.RandomGated(model.RandomPatterns(300, 120, rng), model.DefaultGatedConfig(), rng)
			if err != nil {
				return nil, err
			}
			seed := uint64(1)
			return &saved.Network{Net: net, Manifest: saved.Manifest{Seed: &seed}}, nil
		}},
}

// ghazizadehRecipe is a Ghazizadeh & Ching exemplar: FORCE with the
// restricted error kernel on the SPM task (docs/science.md §3), N = 300, the
// default digit-mean offset (DefaultSPMOffset), seed seed.
func ghazizadehRecipe(name, mechanism, what string, g, fb, density float64, trials int, seed uint64) GalleryRecipe {
	note := fmt.Sprintf("Ghazizadeh & Ching SPM task, FORCE with the restricted error kernel; N = 300, g = %g, fb = %g, p = %g, "+
		"digit means offset by %g, %d trials, seed %d: %s (%s by `attractor inspect`)", g, fb, density,
		DefaultSPMOffset, trials, seed, what, mechanism)
	return GalleryRecipe{Name: name, Note: note, Mechanism: mechanism,
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			cfg := DefaultForceSPM()
			cfg.Hidden, cfg.G, cfg.FB, cfg.Density, cfg.Trials, cfg.Seed = 300, g, fb, density, trials, seed
			s, err := NewForceSPMSession(cfg)
			if err != nil {
				return nil, err
			}
			return runRecipe(ctx, progress, s, s.Units(), s.Network)
		}}
}

// kurtkayaRecipe is a Kurtkaya et al. exemplar: the leaky full-rank RNN
// (N = 100) on delayed cue discrimination with a 160 ms delay, SGD with
// momentum for the reference code's max(1000, 30/lr) epochs (docs/science.md §5),
// the same as `attractor train dcdt --lr LR --seed SEED`.
func kurtkayaRecipe(name, mechanism, what string, lr float64, seed uint64) GalleryRecipe {
	cfg := DefaultLeaky()
	cfg.LR, cfg.Seed = lr, seed
	cfg.Epochs = cfg.KurtkayaEpochs()
	note := fmt.Sprintf("Kurtkaya et al. delayed cue discrimination, N = %d, %d ms delay, lr = %g, %d epochs, seed %d: %s (%s by `attractor inspect`)",
		cfg.Hidden, cfg.DelayMS, lr, cfg.Epochs, seed, what, mechanism)
	return GalleryRecipe{Name: name, Note: note, Mechanism: mechanism,
		Make: func(ctx context.Context, progress func(m Metrics, total int)) (*saved.Network, error) {
			s, err := NewLeakySession(cfg)
			if err != nil {
				return nil, err
			}
			return runRecipe(ctx, progress, s, s.Units(), s.Network)
		}}
}

// trainChoice trains a TRNN (or its vanilla configuration) on delayed
// choice, as docs/science.md §4.2 proposes: Adam 1e-3, batch 64, clip 1.
func trainChoice(ctx context.Context, progress func(m Metrics, total int), vanilla bool) (*saved.Network, error) {
	cfg := DefaultSeq()
	cfg.Family, cfg.Vanilla, cfg.Task, cfg.Hidden, cfg.Delay = model.FamilyTRNN, vanilla, "choice", 96, 40
	cfg.Epochs, cfg.LR, cfg.Seed = 300, 1e-3, 1
	s, err := NewSeqSession(cfg)
	if err != nil {
		return nil, err
	}
	return runRecipe(ctx, progress, s, s.Units(), s.Network)
}

// runRecipe trains s for units units in a scratch run directory, calling
// progress after every unit, and returns the trained network.
func runRecipe(ctx context.Context, progress func(m Metrics, total int), s Session, units int, network func() *saved.Network) (*saved.Network, error) {
	dir, err := os.MkdirTemp("", "attractor-gallery-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := Run(ctx, s, RunOptions{Dir: dir, Total: units, Progress: progress}); err != nil {
		return nil, err
	}
	return network(), nil
}

// GalleryEntry makes one recipe's network and returns its native file:
// the manifest records program as the program that made it and the
// recipe's note. progress is passed to the recipe's Make.
func GalleryEntry(ctx context.Context, r GalleryRecipe, program saved.Program, progress func(m Metrics, total int)) ([]byte, error) {
	n, err := r.Make(ctx, progress)
	if err != nil {
		return nil, fmt.Errorf("gallery %s: %w", r.Name, err)
	}
	n.Manifest.Program = program
	n.Manifest.Notes = append(n.Manifest.Notes, r.Note, "made by `attractor gallery build` (recipe "+r.Name+")")
	var buf bytes.Buffer
	if err := saved.EncodeNative(&buf, n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// GalleryComparable returns a file's arrays and manifest without the
// program that wrote it, so builds by different versions can be compared.
func GalleryComparable(name string, data []byte) (string, error) {
	n, err := saved.DefaultLimits.DecodeNative(name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", err
	}
	n.Manifest.Program = saved.Program{}
	var buf bytes.Buffer
	if err := saved.EncodeNative(&buf, n); err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// UpdateGallerySums merges sums into the SHA256SUMS file of the gallery:
// the SHA-256 of each file's arrays and manifest without the program that
// wrote it. Lines of files no recipe makes any more (a renamed recipe) are
// dropped.
func UpdateGallerySums(name string, sums map[string]string) error {
	recipe := map[string]bool{}
	for _, r := range GalleryRecipes {
		recipe[r.Name+".npz"] = true
	}
	all := map[string]string{}
	if b, err := os.ReadFile(name); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 2 && recipe[f[1]] {
				all[f[1]] = f[0]
			}
		}
	}
	for k, v := range sums {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&buf, "%s  %s\n", all[k], k)
	}
	return saved.WriteFileAtomic(name, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }, 0o644)
}
