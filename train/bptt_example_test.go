package train_test

import (
	"fmt"

	"attractor/model"
	"attractor/train"
	"attractor/train/task"
)

// ExampleSeqTrainer trains a small GRU on a short 3-bit flip-flop with Adam
// and gradient clipping, drawing the weights and the batches from one seed.
func ExampleSeqTrainer() {
	net := model.RandomGRU(16, 3, 3, model.NewRNG(1, 0))
	tr, err := train.NewSeqTrainer(net, train.NewAdam(1e-2))
	if err != nil {
		panic(err)
	}
	tr.ClipNorm = 1
	for _, p := range tr.Params() {
		fmt.Println(p.Name, len(p.Value))
	}
	ff := task.NewFlipFlop(3)
	ff.Size, ff.Steps = 32, 50
	rng := model.NewRNG(1, 1)
	var first, last train.SeqStats
	for e := 0; e < 40; e++ {
		st, err := tr.Epoch(ff.Batch(rng))
		if err != nil {
			panic(err)
		}
		if e == 0 {
			first = st
		}
		last = st
	}
	fmt.Println("loss fell:", last.Loss < first.Loss)
	// Output:
	// weight_ih_l0 144
	// weight_hh_l0 768
	// bias_ih_l0 48
	// bias_hh_l0 48
	// W_out 48
	// b_out 3
	// loss fell: true
}
