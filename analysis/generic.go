package analysis

import (
	"fmt"
	"math"

	"attractor/model"
	"attractor/saved"
)

// Generic protocol: the trials of a network whose file names no task.
const (
	// genericMaxChannels bounds the channels pulsed alone; a network with
	// more inputs gets that many spread evenly.
	genericMaxChannels = 16
	// genericGap is the number of pulse lengths between two pulses of a
	// sequence.
	genericGap = 10
	// genericHold is the long hold after the cue: steps of a map, model
	// time units of a flow.
	genericHoldSteps, genericHoldTime = 200.0, 100.0
	// genericRandomStarts is the number of random starts of a network
	// without inputs.
	genericRandomStarts = 8
)

// GenericProtocol returns the trials of a network whose file names no task,
// made from its input dimension alone:
//
//   - "zero input": the network left alone;
//   - for every input channel (at most 16, spread evenly) a short pulse of
//     each sign alone ("+u3", "−u3");
//   - with two or more channels, pulses on every channel in sequence, one
//     condition per sign pattern (all 2^I, at most 16 spread evenly), so a
//     network that stores one bit per channel reaches each of its memory
//     states;
//
// each followed by a long hold with zero input (200 steps of a map, 100
// model time units of a flow). A pulse has amplitude 1 and lasts one step
// (a map) or one model time unit (a flow); pulses of a sequence are 10
// pulse lengths apart. Every condition starts from x0 (nil: the origin).
// A network without input channels gets, instead of the pulses, 8
// conditions that start from random states N(0, 0.5²) per unit (drawn
// from seed), as zero input from one state alone would show one
// attractor at most.
// A trial is scored by readout channel 0 at its last step against the
// unperturbed trial; the verdict is the end behaviour of every condition.
func GenericProtocol(net model.Network, x0 []float64, seed uint64) Protocol {
	d := net.Dims()
	if x0 == nil {
		x0 = make([]float64, d.State)
	}
	pulse := stepsFor(net, 1)
	hold := genericHoldSteps
	if _, ok := net.(model.Flow); ok {
		hold = genericHoldTime
	}
	p := Protocol{Source: "generic", Delay: stepsFor(net, hold), ScoreFrom: -1, ScoreLen: 1}
	p.MinDelay, p.MaxDelay = 1, 16*p.Delay
	p.Dt, p.Unit = TimeUnit(net)
	add := func(name string, cue [][]float64, mem int) {
		p.Conditions = append(p.Conditions, Condition{Name: name, X0: x0, Cue: cue, Memory: mem, Target: math.NaN()})
	}
	add("zero input", nil, 0)
	if d.Input == 0 {
		rng := model.NewRNG(seed, streamProtocol)
		for i := range genericRandomStarts {
			p.Conditions = append(p.Conditions, Condition{Name: fmt.Sprintf("x0 #%d", i+1), X0: model.NormalVector(d.State, 0.5, rng),
				Memory: i + 1, Target: math.NaN()})
		}
		p.Note = fmt.Sprintf("no task in the file and no input channels: the generic protocol runs zero input from the start and from %d random states N(0, 0.5²) for %d steps",
			genericRandomStarts, p.Delay)
		return p
	}
	chans := spread(d.Input, genericMaxChannels)
	for _, ch := range chans {
		for _, sign := range []float64{1, -1} {
			cue := make([][]float64, pulse)
			for t := range cue {
				cue[t] = make([]float64, d.Input)
				cue[t][ch] = sign
			}
			add(fmt.Sprintf("%su%d", signText(sign), ch+1), cue, len(p.Conditions))
		}
	}
	if d.Input >= 2 {
		for _, s := range patterns(len(chans)) {
			var cue [][]float64
			for i, ch := range chans {
				if i > 0 {
					cue = append(cue, make([][]float64, genericGap*pulse)...)
				}
				sign := -1.0
				if s&(1<<i) != 0 {
					sign = 1
				}
				for range pulse {
					u := make([]float64, d.Input)
					u[ch] = sign
					cue = append(cue, u)
				}
			}
			add("sequence "+signs(s, len(chans)), cue, len(p.Conditions))
		}
	}
	p.Note = fmt.Sprintf("no task in the file: the generic protocol of %d input channels (%d conditions: zero input, a pulse of each sign on each channel alone", d.Input, len(p.Conditions))
	if d.Input >= 2 {
		p.Note += " and in sequence"
	}
	p.Note += fmt.Sprintf(", then a hold of %d steps with zero input)", p.Delay)
	return p
}

// spread returns k indices spread evenly over 0…n−1 (all of them when
// n ≤ k).
func spread(n, k int) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, k)
	for i := range out {
		out[i] = i * (n - 1) / (k - 1)
	}
	return out
}

func signText(s float64) string {
	if s > 0 {
		return "+"
	}
	return "−"
}

// associativeProtocol is the retrieval test of a Hopfield or gated
// network (no input): one condition per stored pattern (at most 8), from a
// noisy copy of it with initial overlap m(0) = 0.5 (the gated network's
// gate variables as its InitialState draws them), then free relaxation
// for 100 model time units. A trial is scored by the overlap with its own
// pattern (readout channel μ) at its last step.
func associativeProtocol(n *saved.Network, seed uint64) (Protocol, error) {
	const m0, most = 0.5, 8
	net := n.Net
	d := net.Dims()
	rng := model.NewRNG(seed, streamProtocol)
	p := Protocol{Source: "associative", Delay: stepsFor(net, genericHoldTime), ScoreFrom: -1, ScoreLen: 1}
	p.MinDelay, p.MaxDelay = 1, 16*p.Delay
	p.Dt, p.Unit = TimeUnit(net)
	for mu := range min(d.Output, most) {
		x0 := make([]float64, d.State)
		switch m := net.(type) {
		case *model.Hopfield:
			m.Patterns().NoisyPattern(x0, mu, m0, rng)
		case *model.Gated:
			m.InitialState(x0, mu, m0, rng)
		default:
			return Protocol{}, fmt.Errorf("analysis: %s is not an associative network", net.Family())
		}
		p.Conditions = append(p.Conditions, Condition{Name: fmt.Sprintf("pattern %d, m(0) = %g", mu+1, m0), X0: x0,
			Memory: mu, Channel: mu, Target: math.NaN()})
	}
	if len(p.Conditions) == 0 {
		return Protocol{}, fmt.Errorf("analysis: the %s network stores no patterns", net.Family())
	}
	p.Note = fmt.Sprintf("associative memory: retrieval of %d stored patterns from noisy copies with overlap m(0) = %g, %d steps without input",
		len(p.Conditions), m0, p.Delay)
	return p, nil
}
