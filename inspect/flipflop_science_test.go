//go:build science

package inspect

import (
	"context"
	"fmt"
	"testing"

	"attractor/internal/repro"
	"attractor/model"
	"attractor/train"
	"attractor/train/task"
)

// TestKnownDeviation_EC30_OwnTrainerGRU is EC-30 on GRUs our own trainer
// produces (hidden 24, Adam 1e-2, clip 1, batches of 64, 400 epochs: the
// network of `attractor train flipflop --hidden 24 --epochs 400`).
// Sussillo & Barak's trained flip-flop networks have 8 stable fixed points,
// one per memory state; ours have fewer, for two task protocols:
//
//   - our flip-flop task (pulse probability 0.05 per step and channel,
//     100-step trials), seeds 1–3: 7 of 8 each, a different state lost in
//     each seed;
//   - the FixedPointFinder example's task (Golub's FlipFlopData: pulse
//     probability 0.5, 64-step trials), seeds 1–5: 8 in seeds 2, 3 and 5,
//     5 and 4 in seeds 1 and 4.
//
// Every network is checked three ways that do not share code: the fixed-point
// finder, 64 task trials followed by 5000 steps of zero input
// (ffHeldMemories), and driving the network into each of the 8 states by
// pulses and holding it for 5000 steps (ec30Driven). They agree on every
// network, so the census misses nothing: the lost states really decay (seed
// 1's state 100 after about 430 steps of zero input). The reason is the
// task: an MSE on trials of at most 100 steps only asks a memory to outlast
// the gaps between pulses, and a slow point does that as well as a fixed
// point, so which memories end as fixed points depends on the optimisation
// path. Training longer does not help (scratch runs, not repeated here:
// seed 1 on our task for 1000 epochs, held-out MSE 7e-4, keeps 2 of 8; the
// 64-unit default for 500 epochs keeps 1), nor do 300-step trials (4 and 7
// for seeds 1 and 2). The PyTorch-trained networks of
// TestFlipFlopGRU8FromTorch (8 of 8) and TestFlipFlopGRUFromTorch (2 of 8,
// accuracy 1.0) show the same spread.
//
// The test fails if a network's finder disagrees with simulation, if a
// network of our task has fewer than the 7 stable points measured when the
// deviation was named, or if fewer than the 3 of 5 networks of the example's
// task measured then have all 8.
func TestKnownDeviation_EC30_OwnTrainerGRU(t *testing.T) {
	rec := repro.New(t, "EC-30", "inspect", "GRU hidden 24, Adam 1e-2, clip 1, batches of 64, 400 epochs; our flip-flop task (pulse probability 0.05, 100-step trials; train.NewSeqSession) seeds 1–3, and the FixedPointFinder example's task (pulse probability 0.5, 64-step trials) seeds 1–5; fixed points at zero input")
	rec.Deviates("trained on trials of at most 100 steps, a memory only has to outlast the gaps between pulses, and a slow point does that as well as a fixed point: our task gives 7 of 8 stable points in seeds 1–3 (a different state lost in each), the FixedPointFinder example's denser task 8 of 8 in 3 of 5 seeds (5 and 4 in the others); finder, task simulation and direct drive into each state agree on every network, so no fixed point is missed; training longer (1000 epochs: 2 of 8) or on 300-step trials (4, 7) does not help")
	type proto struct {
		name          string
		pulse         float64
		steps         int
		seeds         []uint64
		measure, held *repro.Measure
	}
	protos := []*proto{
		{name: "our task (p 0.05, 100 steps)", pulse: 0.05, steps: 100, seeds: []uint64{1, 2, 3}},
		{name: "FixedPointFinder example's task (p 0.5, 64 steps)", pulse: 0.5, steps: 64, seeds: []uint64{1, 2, 3, 4, 5}},
	}
	protos[0].measure = rec.Measure("stable fixed points, "+protos[0].name, "", "8 (one per memory state)", "named deviation: ≥ 7 in every seed (measured when named)")
	protos[1].measure = rec.Measure("stable fixed points, "+protos[1].name, "", "8 (one per memory state)", "named deviation: 8 in ≥ 3 of 5 seeds (measured when named)")
	for _, p := range protos {
		p.held = rec.Measure("memory states held for 5000 steps by direct drive, "+p.name, "", "8", "= stable points")
	}
	type job struct {
		p    *proto
		seed uint64
		net  model.Network
		err  error
	}
	var jobs []*job
	for _, p := range protos {
		for _, s := range p.seeds {
			jobs = append(jobs, &job{p: p, seed: s})
		}
	}
	assocSciEach(len(jobs), func(k int) {
		j := jobs[k]
		j.net, j.err = ec30Train(j.p.pulse, j.p.steps, j.seed)
	})
	eights := 0
	for _, j := range jobs {
		if j.err != nil {
			t.Fatalf("%s, seed %d: %v", j.p.name, j.seed, j.err)
		}
		var stable, held int
		t.Run(fmt.Sprintf("%s/seed=%d", j.p.name, j.seed), func(t *testing.T) {
			stable, held = ec30Census(t, j.net)
		})
		j.p.measure.Add(float64(stable), int64(j.seed))
		j.p.held.Add(float64(held), int64(j.seed))
		switch {
		case j.p == protos[0] && stable < 7:
			t.Errorf("%s, seed %d: %d stable points, further from 8 than the 7 measured when the deviation was named", j.p.name, j.seed, stable)
		case j.p == protos[1] && stable == 8:
			eights++
		}
	}
	if eights < 3 {
		t.Errorf("%s: %d of %d seeds have 8 stable points, fewer than the 3 measured when the deviation was named", protos[1].name, eights, len(protos[1].seeds))
	}
	if eights == len(protos[1].seeds) && protos[0].measure.Values[0] == 8 {
		t.Logf("8 stable points everywhere: EC-30 reproduces for our trainer; rename this test")
	}
}

// ec30Train trains a 24-unit GRU for 400 epochs on the 3-bit flip-flop with
// pulse probability pulse and trials of steps steps: with our task's values
// (0.05, 100) exactly the network of train.NewSeqSession (hidden 24, 400
// epochs, seed), which is checked by building it that way.
func ec30Train(pulse float64, steps int, seed uint64) (model.Network, error) {
	if pulse == task.NewFlipFlop(3).PPulse && steps == task.NewFlipFlop(3).Steps {
		cfg := train.DefaultSeq()
		cfg.Hidden, cfg.Epochs, cfg.Seed = 24, 400, seed
		s, err := train.NewSeqSession(cfg)
		if err != nil {
			return nil, err
		}
		for i := 0; i < s.Units(); i++ {
			if _, err := s.Step(context.Background()); err != nil {
				return nil, err
			}
		}
		if s.Net.Family() != model.FamilyGRU {
			return nil, fmt.Errorf("trained a %s network", s.Net.Family())
		}
		return s.Net, nil
	}
	// The same trainer and draws as train.NewSeqSession, on another task.
	net := model.RandomGRU(24, 3, 3, model.NewRNG(seed, 0))
	tr, err := train.NewSeqTrainer(net, train.NewAdam(1e-2))
	if err != nil {
		return nil, err
	}
	tr.ClipNorm, tr.Loss = 1, train.SeqMSE
	ff := task.NewFlipFlop(3)
	ff.PPulse, ff.Steps = pulse, steps
	rng := model.NewRNG(seed, 1)
	for e := 0; e < 400; e++ {
		if _, err := tr.Epoch(ff.Batch(rng)); err != nil {
			return nil, fmt.Errorf("epoch %d: %w", e+1, err)
		}
	}
	return net, nil
}

// ec30Census returns the number of stable fixed points of a trained
// flip-flop network and the number of memory states it holds when driven
// into each of them, and checks the finder against simulation: every
// stable point decodes to a different memory state, and the states held
// after 64 task trials and 5000 steps of zero input (ffHeldMemories) and
// after direct drive (ec30Driven) are exactly those.
func ec30Census(t *testing.T, net model.Network) (stable, held int) {
	t.Helper()
	res, err := FindFixedPoints(context.Background(), FixedPointProblem{Net: net, Inits: ffInits(net)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	classes := map[int]bool{}
	for _, p := range res.Points {
		kinds[p.Kind]++
		if p.Kind == Stable {
			c := ffMemoryClass(net, p.X)
			if classes[c] {
				t.Errorf("two stable points decode to memory state %03b", c)
			}
			classes[c] = true
		}
	}
	sim := ffHeldMemories(net, 5000)
	driven := ec30Driven(net, 5000)
	t.Logf("%d unique points %v (%d slow candidates); stable states %v; held after trials %v; held after direct drive %v",
		len(res.Points), kinds, res.Slow, ffClasses(classes), ffClasses(sim), ffClasses(driven))
	for c := 0; c < 8; c++ {
		if (driven[c] || sim[c]) != classes[c] {
			t.Errorf("memory state %03b: stable point %v, held after trials %v, held after direct drive %v", c, classes[c], sim[c], driven[c])
		}
	}
	return kinds[Stable], len(driven)
}

// ec30Driven returns the memory states a 3-bit flip-flop network holds for
// hold steps of zero input after being driven into them: 20 quiet steps,
// one pulse per channel (channel i at step 20 + i, sign = bit i), 17 quiet
// steps, then hold steps, decoding the output at the end.
func ec30Driven(net model.Network, hold int) map[int]bool {
	h := net.Dims().State
	in := make([]float64, net.Dims().Input)
	out := map[int]bool{}
	for c := 0; c < 8; c++ {
		x, next := make([]float64, h), make([]float64, h)
		for st := 0; st < 40+hold; st++ {
			clear(in)
			if i := st - 20; i >= 0 && i < 3 {
				in[i] = -1
				if c&(1<<i) != 0 {
					in[i] = 1
				}
			}
			net.Step(next, x, in)
			x, next = next, x
		}
		if ffMemoryClass(net, x) == c {
			out[c] = true
		}
	}
	return out
}

// ffClasses lists a set of memory states as 3-bit strings, in order.
func ffClasses(set map[int]bool) []string {
	var s []string
	for c := 0; c < 8; c++ {
		if set[c] {
			s = append(s, fmt.Sprintf("%03b", c))
		}
	}
	return s
}
