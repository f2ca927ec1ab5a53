package train

import (
	"fmt"
	"math"
	"testing"

	"attractor/model"
	"attractor/train/task"
)

// a2cBandit is a one-step, two-armed bandit: one constant observation,
// action 1 pays 1, action 0 pays 0, and the episode ends.
type a2cBandit struct{}

func (a2cBandit) ObsSize() int                              { return 1 }
func (a2cBandit) Actions() int                              { return 2 }
func (a2cBandit) Horizon() int                              { return 1 }
func (a2cBandit) Reset(obs []float64, _ *model.RNG)         { obs[0] = 1 }
func (a2cBandit) Step(_ []float64, act int) (float64, bool) { return float64(act), true }
func (a2cBandit) Clone() task.Env                           { return a2cBandit{} }

// TestA2CBanditSign checks the sign of the policy gradient on a one-step
// bandit: with the value head zeroed and no entropy bonus the advantage is
// the reward, so descending the gradient must raise the logit of the paying
// action (dL/db_π[1] < 0 < dL/db_π[0]); and 150 updates must make the
// greedy policy pay and π(1) exceed 0.95.
func TestA2CBanditSign(t *testing.T) {
	rng := model.NewRNG(1, 0)
	agent, err := NewA2C(model.RandomGRU(4, 1, 0, rng), a2cBandit{}, NewAdam(0.05), rng)
	if err != nil {
		t.Fatal(err)
	}
	agent.EntropyCoef = 0
	clear(agent.wV)
	agent.bV[0] = 0
	agent.rollout(model.NewRNG(1, 1), false)
	agent.gradients(false)
	n1 := 0
	for _, a := range agent.act[:agent.Episodes] {
		n1 += a
	}
	if n1 == 0 || n1 == agent.Episodes {
		t.Fatalf("%d of %d pulls of arm 1; the test needs both arms", n1, agent.Episodes)
	}
	if g := agent.gBPi; !(g[1] < 0 && g[0] > 0) {
		t.Fatalf("dL/db_π = %v, want [> 0, < 0]", g)
	}
	p1 := agent.prob[1]
	// Expected value: dL/db_π[1] = (1/n) Σ_{a=1} (π_1 − 1).
	if want := float64(n1) * (p1 - 1) / float64(agent.Episodes); math.Abs(agent.gBPi[1]-want) > 1e-12 {
		t.Errorf("dL/db_π[1] = %v, want %v", agent.gBPi[1], want)
	}
	urng := model.NewRNG(1, 2)
	for k := 0; k < 150; k++ {
		if _, err := agent.Update(urng); err != nil {
			t.Fatal(err)
		}
	}
	ret, _ := agent.Evaluate(urng)
	agent.rollout(urng, false)
	t.Logf("after 150 updates: π(1) = %.4f, greedy return %.2f", agent.prob[1], ret)
	if ret != 1 || !(agent.prob[1] > 0.95) {
		t.Errorf("π(1) = %.4f, greedy return %.2f; want > 0.95 and 1", agent.prob[1], ret)
	}
}

// a2cTestAgent returns an agent on a T-maze of the given delay with a GRU
// or TRNN core of hidden units.
func a2cTestAgent(t testing.TB, core string, hidden, delay int, opt Optimizer, seed uint64) *A2C {
	t.Helper()
	rng := model.NewRNG(seed, 0)
	var net model.Network
	switch core {
	case "gru":
		net = model.RandomGRU(hidden, task.TMazeObsSize, 0, rng)
	case "trnn", "trnn-tanh":
		cfg := model.DefaultTRNNConfig()
		cfg.ConnProb = 0.5
		if core == "trnn-tanh" {
			cfg.Activation = model.TRNNTanh
		}
		n, err := model.RandomTRNN(hidden, task.TMazeObsSize, 0, cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n.B {
			n.B[i] = 0.1
		}
		net = n
	default:
		t.Fatalf("unknown core %q", core)
	}
	agent, err := NewA2C(net, task.NewTMaze(delay), opt, rng)
	if err != nil {
		t.Fatal(err)
	}
	return agent
}

// TestA2CFiniteDifferences checks the gradient of the A2C objective of a
// recorded T-maze rollout (advantages held fixed, as the update treats
// them) against central differences, for every parameter of a GRU core and
// a tanh TRNN core, heads included.
func TestA2CFiniteDifferences(t *testing.T) {
	const eps, tol = 1e-6, 1e-7
	for _, core := range []string{"gru", "trnn-tanh"} {
		t.Run(core, func(t *testing.T) {
			agent := a2cTestAgent(t, core, 6, 2, nil, 3)
			agent.Episodes = 4
			agent.rollout(model.NewRNG(3, 1), false)
			agent.gradients(false) // sets the advantages
			agent.gradients(true)
			var worst float64
			checked := 0
			for _, p := range agent.Params() {
				grad := append([]float64(nil), p.Grad...)
				for j := range p.Value {
					if p.Mask != nil && p.Mask[j] == 0 {
						if grad[j] != 0 {
							t.Errorf("%s[%d] outside the mask has gradient %v", p.Name, j, grad[j])
						}
						continue
					}
					v := p.Value[j]
					p.Value[j] = v + eps
					_, lp, _ := agent.objective(true)
					p.Value[j] = v - eps
					_, lm, _ := agent.objective(true)
					p.Value[j] = v
					fd := (lp - lm) / (2 * eps)
					d := math.Abs(fd-grad[j]) / math.Max(1, math.Abs(fd))
					worst = math.Max(worst, d)
					checked++
					if d > tol {
						t.Errorf("%s[%d]: analytic %.10g, finite difference %.10g", p.Name, j, grad[j], fd)
					}
				}
			}
			t.Logf("%d entries, max error %.2e", checked, worst)
		})
	}
}

// TestA2CDeterministic checks that two agents built and trained from the
// same seed, one with 1 worker and one with 2, end bit-for-bit equal.
func TestA2CDeterministic(t *testing.T) {
	for _, core := range []string{"gru", "trnn"} {
		t.Run(core, func(t *testing.T) {
			var ref []float64
			for _, w := range []int{1, 2} {
				agent := a2cTestAgent(t, core, 12, 2, NewAdam(1e-2), 5)
				agent.SetWorkers(w)
				rng := model.NewRNG(5, 1)
				for k := 0; k < 5; k++ {
					if _, err := agent.Update(rng); err != nil {
						t.Fatal(err)
					}
				}
				var vals []float64
				for _, p := range agent.Params() {
					vals = append(vals, p.Value...)
				}
				if ref == nil {
					ref = vals
					continue
				}
				for i := range vals {
					if vals[i] != ref[i] {
						t.Fatalf("workers %d: parameter %d = %v, workers 1: %v", w, i, vals[i], ref[i])
					}
				}
			}
		})
	}
}

// a2cTrainTMaze trains agent with fresh episodes from seed until the greedy
// success rate on 64 held-out episodes exceeds want (checked every 20
// updates) or maxUpdates pass, and returns the last success rate and the
// updates used.
func a2cTrainTMaze(t testing.TB, agent *A2C, seed uint64, maxUpdates int, want float64) (float64, int) {
	t.Helper()
	rng := model.NewRNG(seed, 1)
	var succ float64
	for k := 1; k <= maxUpdates; k++ {
		st, err := agent.Update(rng)
		if err != nil {
			t.Fatal(err)
		}
		if k%20 != 0 {
			continue
		}
		eval := *agent
		eval.Episodes = 64
		eval.envs = nil
		eval.act, eval.h = nil, nil
		succ, _ = eval.Evaluate(model.NewRNG(seed, 2))
		if k%100 == 0 {
			t.Logf("update %4d: return %.3f length %.2f entropy %.3f |g| %.3f; greedy success %.3f",
				k, st.Return, st.Length, st.Entropy, st.GradNorm, succ)
		}
		if succ > want {
			return succ, k
		}
	}
	return succ, maxUpdates
}

// TestA2CTMazeShortDelay trains a GRU core (16 units) and a TRNN core (48
// units, 3 modules, p_c = 0.5), Adam lr 1e-2, clip 1, on the T-maze with a
// 2-cell corridor: the greedy policy must choose the cued arm in more than
// 90 % of 64 held-out episodes within 600 updates of 32 episodes (a chance
// policy that turns at the junction gets 50 %).
func TestA2CTMazeShortDelay(t *testing.T) {
	for _, core := range []string{"gru", "trnn"} {
		t.Run(fmt.Sprint(core), func(t *testing.T) {
			hidden := 16
			if core == "trnn" {
				hidden = 48
			}
			agent := a2cTestAgent(t, core, hidden, 2, NewAdam(1e-2), 1)
			succ, k := a2cTrainTMaze(t, agent, 1, 600, 0.9)
			t.Logf("%s: greedy success %.3f after %d updates", core, succ, k)
			if !(succ > 0.9) {
				t.Errorf("%s: greedy success %.3f after %d updates, want > 0.9", core, succ, k)
			}
		})
	}
}
