package train

import (
	"math"
	"testing"

	"attractor/model"
	"attractor/train/task"
)

// bpttFlipFlopTrainer returns a GRU with a linear readout for the bits-bit
// flip-flop and a trainer with Adam (lr 1e-2), clipping at 1 and MSE; all
// randomness comes from seed (stream 0 for the weights).
func bpttFlipFlopTrainer(t testing.TB, hidden, bits int, seed uint64) *SeqTrainer {
	t.Helper()
	net := model.RandomGRU(hidden, bits, bits, model.NewRNG(seed, 0))
	tr, err := NewSeqTrainer(net, NewAdam(1e-2))
	if err != nil {
		t.Fatal(err)
	}
	tr.ClipNorm = 1
	return tr
}

// bpttTrainFlipFlop trains tr on fresh flip-flop batches drawn from
// stream 1 of seed for at most epochs epochs, stopping early once the
// epoch accuracy exceeds stop (stop > 1 never stops), and returns the
// per-epoch statistics.
func bpttTrainFlipFlop(t testing.TB, tr *SeqTrainer, ff *task.FlipFlop, seed uint64, epochs int, stop float64) []SeqStats {
	t.Helper()
	rng := model.NewRNG(seed, 1)
	var out []SeqStats
	for e := 0; e < epochs; e++ {
		st, err := tr.Epoch(ff.Batch(rng))
		if err != nil {
			t.Fatalf("epoch %d: %v", e, err)
		}
		out = append(out, st)
		if st.Accuracy > stop {
			break
		}
	}
	return out
}

// TestSeqTrainerFlipFlopLossDecreases trains a small GRU for a few dozen
// epochs on the 3-bit flip-flop and checks that the loss falls well below
// its starting value (the mean of the last 5 epochs below 80 % of the mean
// of the first 5) while the accuracy rises.
func TestSeqTrainerFlipFlopLossDecreases(t *testing.T) {
	ff := task.NewFlipFlop(3)
	ff.Size, ff.Steps = 32, 50
	tr := bpttFlipFlopTrainer(t, 16, 3, 1)
	stats := bpttTrainFlipFlop(t, tr, ff, 1, 40, 2)
	mean := func(s []SeqStats) (l, a float64) {
		for _, x := range s {
			l += x.Loss / float64(len(s))
			a += x.Accuracy / float64(len(s))
		}
		return l, a
	}
	l0, a0 := mean(stats[:5])
	l1, a1 := mean(stats[len(stats)-5:])
	t.Logf("first 5 epochs: loss %.4f accuracy %.3f; last 5: loss %.4f accuracy %.3f", l0, a0, l1, a1)
	if !(l1 < 0.8*l0) {
		t.Errorf("loss fell from %.4f to %.4f, want below 80 %%", l0, l1)
	}
	if !(a1 > a0) {
		t.Errorf("accuracy went from %.3f to %.3f, want an increase", a0, a1)
	}
	for i, s := range stats {
		if !(s.GradNorm > 0) || math.IsInf(s.GradNorm, 0) {
			t.Fatalf("epoch %d: gradient norm %v", i, s.GradNorm)
		}
	}
}

// TestSeqTrainerDeterministic checks that two runs from the same seed give
// bit-identical weights and optimiser state, and that another seed differs.
func TestSeqTrainerDeterministic(t *testing.T) {
	ff := task.NewFlipFlop(3)
	ff.Size, ff.Steps = 16, 40
	run := func(seed uint64) []*Param {
		tr := bpttFlipFlopTrainer(t, 12, 3, seed)
		bpttTrainFlipFlop(t, tr, ff, seed, 8, 2)
		return tr.Params()
	}
	a, b, c := run(5), run(5), run(6)
	same := true
	for i := range a {
		for j, v := range a[i].Value {
			if math.Float64bits(v) != math.Float64bits(b[i].Value[j]) {
				t.Fatalf("%s[%d]: %v and %v from the same seed", a[i].Name, j, v, b[i].Value[j])
			}
			if v != c[i].Value[j] {
				same = false
			}
		}
	}
	if same {
		t.Error("seeds 5 and 6 gave identical weights")
	}
}

// TestSeqTrainerWorkersBitIdentical checks that the loss and every gradient
// entry are bit-for-bit the same with 1, 2 and 3 workers, for a batch size
// that is not a multiple of the tile height and an LSTM whose 4H = 256 gate
// columns span several tiles, and a tanh RNN with H = 100 (sums over 100
// terms, which gonum would split into blocks of 64 on its parallel path).
func TestSeqTrainerWorkersBitIdentical(t *testing.T) {
	rng := model.NewRNG(9, 0)
	for _, net := range []model.Network{model.RandomGRU(40, 3, 3, rng), model.RandomLSTM(64, 3, 3, rng), model.RandomTorchRNN(100, 3, 3, rng)} {
		t.Run(string(net.Family()), func(t *testing.T) {
			b := bpttTinyBatch(12, 70, 3, 3, false, rng)
			var ref []float64
			var refLoss float64
			for _, w := range []int{1, 2, 3} {
				tr, err := NewSeqTrainer(net, nil)
				if err != nil {
					t.Fatal(err)
				}
				tr.Workers = w
				st, err := tr.Gradients(b)
				loss := st.Loss
				if err != nil {
					t.Fatal(err)
				}
				var g []float64
				for _, p := range tr.Params() {
					g = append(g, p.Grad...)
				}
				if ref == nil {
					ref, refLoss = g, loss
					continue
				}
				if math.Float64bits(loss) != math.Float64bits(refLoss) {
					t.Errorf("%d workers: loss %v, 1 worker %v", w, loss, refLoss)
				}
				for i := range g {
					if math.Float64bits(g[i]) != math.Float64bits(ref[i]) {
						t.Fatalf("%d workers: gradient entry %d is %v, with 1 worker %v", w, i, g[i], ref[i])
					}
				}
			}
		})
	}
}

// BenchmarkGRUEpoch times one training epoch (forward, loss, backward, clip,
// Adam) of a GRU with hidden size 64 on a 3-bit flip-flop batch of 64 trials
// of 100 steps. Drawing the batch is not timed.
func BenchmarkGRUEpoch(b *testing.B) {
	ff := task.NewFlipFlop(3)
	tr := bpttFlipFlopTrainer(b, 64, 3, 1)
	batch := ff.Batch(model.NewRNG(1, 1))
	if _, err := tr.Epoch(batch); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Epoch(batch); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSeqTrainerErrors checks the errors of NewSeqTrainer, Gradients and
// Epoch, and that a non-finite loss leaves the parameters unchanged.
func TestSeqTrainerErrors(t *testing.T) {
	rng := model.NewRNG(4, 0)
	ct, err := model.RandomSussilloAbbott(8, 1, 1.5, rng)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSeqTrainer(ct, nil); err == nil {
		t.Error("NewSeqTrainer accepted a CTRNN")
	}
	noOut, err := NewSeqTrainer(model.RandomGRU(4, 3, 0, rng), NewAdam(1e-2))
	if err != nil {
		t.Fatal(err)
	}
	good := bpttTinyBatch(5, 2, 3, 3, false, rng)
	if _, err := noOut.Gradients(good); err == nil {
		t.Error("Gradients without a readout gave no error")
	}
	tr, err := NewSeqTrainer(model.RandomGRU(4, 3, 3, rng), NewAdam(1e-2))
	if err != nil {
		t.Fatal(err)
	}
	zeroW := bpttTinyBatch(5, 2, 3, 3, false, rng)
	clear(zeroW.W)
	for _, c := range []struct {
		name string
		b    *task.Batch
	}{
		{"inputs", bpttTinyBatch(5, 2, 2, 3, false, rng)},
		{"outputs", bpttTinyBatch(5, 2, 3, 2, false, rng)},
		{"weights", zeroW},
	} {
		if _, err := tr.Epoch(c.b); err == nil {
			t.Errorf("%s: Epoch gave no error", c.name)
		}
	}
	bad := bpttTinyBatch(5, 2, 3, 3, false, rng)
	bad.Y[7] = math.Inf(1)
	before := append([]float64(nil), tr.Params()[1].Value...)
	if _, err := tr.Epoch(bad); err == nil {
		t.Error("Epoch with an infinite target gave no error")
	}
	for i, v := range tr.Params()[1].Value {
		if v != before[i] {
			t.Fatal("a failed epoch changed the parameters")
		}
	}
	// Evaluate must agree with Gradients and leave the gradients alone.
	st, err := tr.Gradients(good)
	if err != nil {
		t.Fatal(err)
	}
	g := append([]float64(nil), tr.Params()[1].Grad...)
	ev, err := tr.Evaluate(bpttTinyBatch(5, 3, 3, 3, false, rng))
	if err != nil {
		t.Fatal(err)
	}
	if ev.GradNorm != 0 {
		t.Errorf("Evaluate reported gradient norm %v", ev.GradNorm)
	}
	for i, v := range tr.Params()[1].Grad {
		if v != g[i] {
			t.Fatal("Evaluate changed the gradients")
		}
	}
	if ev, _ = tr.Evaluate(good); ev.Loss != st.Loss || ev.Accuracy != st.Accuracy {
		t.Errorf("Evaluate %+v, Gradients %+v", ev, st)
	}
}
