package train

import (
	"fmt"
	"testing"

	"time"

	"attractor/internal/cputime"
	"attractor/internal/gemm"
	"attractor/model"
	"attractor/train/task"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// BenchmarkKernGemmDCDT times the three products of one step of a 64-trial
// chunk of the DCDT network (N = 100, padded to 104 with the readout, inputs
// and bias folded in), for the AVX-512 and AVX2 assembly tiles, their
// pure-Go version and gonum's Dgemm, and reports GFLOP/s of wall and of
// process CPU time (the machine is shared).
func BenchmarkKernGemmDCDT(b *testing.B) {
	rng := model.NewRNG(1, 1)
	for _, sh := range []struct {
		name    string
		m, n, k int
		trans   bool
	}{
		{"forward_64x104x104", 64, 104, 104, false},
		{"backward_64x100x104", 64, 100, 104, false},
		{"weightgrad_104x104x64", 104, 104, 64, true},
	} {
		a := kernRandSlice(rng, sh.m*sh.k)
		bm := kernRandSlice(rng, sh.k*sh.n)
		c := make([]float64, sh.m*sh.n)
		ars, acs := sh.k, 1
		if sh.trans {
			ars, acs = 1, sh.m
		}
		flops := 2 * float64(sh.m*sh.n*sh.k)
		for _, impl := range []string{"avx512", "avx2", "go", "gonum"} {
			if (impl == "avx2" && !kernUseAsm) || (impl == "avx512" && !(kernUseAsm && gemm.HaveAVX512)) {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s", sh.name, impl), func(b *testing.B) {
				saved, saved512 := kernUseAsm, gemm.HaveAVX512
				defer func() { kernUseAsm, gemm.HaveAVX512 = saved, saved512 }()
				kernUseAsm = impl == "avx2" || impl == "avx512"
				gemm.HaveAVX512 = impl == "avx512"
				cpu0 := cputime.Process()
				for b.Loop() {
					if impl == "gonum" {
						ta, lda, ar, ac := blas.NoTrans, sh.k, sh.m, sh.k
						if sh.trans {
							ta, lda, ar, ac = blas.Trans, sh.m, sh.k, sh.m
						}
						blas64.Gemm(ta, blas.NoTrans, 1,
							blas64.General{Rows: ar, Cols: ac, Stride: lda, Data: a},
							blas64.General{Rows: sh.k, Cols: sh.n, Stride: sh.n, Data: bm}, 1,
							blas64.General{Rows: sh.m, Cols: sh.n, Stride: sh.n, Data: c})
					} else {
						kernGemm(sh.m, sh.n, sh.k, a, ars, acs, bm, sh.n, c, sh.n)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(flops*float64(b.N)/(cputime.Process()-cpu0).Seconds()/1e9, "GFLOP/cpu-s")
			})
		}
	}
}

// leakyDCDTSetup returns the peer's configuration: DCDT with a 160 ms delay
// (48 steps), 64 trials per class, N = 100, SGD lr 0.01, momentum 0.9,
// weight decay 1e-7.
func leakyDCDTSetup(tb testing.TB, threads int) (*LeakyTrainer, *task.Batch, *model.RNG) {
	b := task.NewDCDT(160, false).Batch(nil)
	rng := model.NewRNG(0, 0)
	net := model.RandomKurtkaya(100, 2, 2, rng)
	tr, err := NewLeakyTrainer(net, &SGD{LR: 0.01, Momentum: 0.9, WeightDecay: 1e-7})
	if err != nil {
		tb.Fatal(err)
	}
	tr.Threads = threads
	return tr, b, rng
}

// BenchmarkDCDTEpoch times one training epoch of the peer's configuration
// (/work/shared/bench/dcdt_torch.py) with the AVX-512 and the AVX2 kernels
// and reports epochs per second of wall and of process CPU time.
func BenchmarkDCDTEpoch(b *testing.B) {
	for _, kern := range []string{"avx512", "avx2"} {
		if !kernUseAsm || (kern == "avx512" && !kernHaveAVX512()) {
			continue
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", kern, threads), func(b *testing.B) {
				saved, savedGemm := kernUseAVX512, gemm.HaveAVX512
				defer func() { kernUseAVX512, gemm.HaveAVX512 = saved, savedGemm }()
				kernUseAVX512, gemm.HaveAVX512 = kern == "avx512", kern == "avx512"
				tr, batch, rng := leakyDCDTSetup(b, threads)
				b.ReportAllocs()
				cpu0 := cputime.Process()
				for b.Loop() {
					if _, err := tr.Epoch(batch, rng); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "epochs/s")
				b.ReportMetric(float64(b.N)/(cputime.Process()-cpu0).Seconds(), "epochs/cpu-s")
			})
		}
	}
}

// BenchmarkDCDTTrain300 is the peer's whole run: 300 epochs at lr 0.01, then
// a fresh noisy forward pass scored like the peer (argmax over the reaction
// window). It reports epochs/s, the last epoch's loss and that accuracy.
func BenchmarkDCDTTrain300(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			var loss, acc, secs float64
			for b.Loop() {
				tr, batch, rng := leakyDCDTSetup(b, threads)
				start := time.Now()
				var st LeakyStats
				var err error
				for e := 0; e < 300; e++ {
					if st, err = tr.Epoch(batch, rng); err != nil {
						b.Fatal(err)
					}
				}
				secs += time.Since(start).Seconds()
				loss = st.Loss
				peer := *batch
				peer.Score, _ = batch.Window("reaction")
				ev, err := tr.Evaluate(&peer, rng)
				if err != nil {
					b.Fatal(err)
				}
				acc = ev.Accuracy
			}
			b.ReportMetric(300*float64(b.N)/secs, "epochs/s")
			b.ReportMetric(loss, "final_loss")
			b.ReportMetric(acc, "accuracy")
		})
	}
}
