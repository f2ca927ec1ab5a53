package train

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"attractor/model"
	"attractor/train/task"
)

// peerForce is the FORCE loop of the peer script force_numpy.py written
// plainly (dense J, full P, outer products), as an independent check of the
// fused implementation.
func peerForce(j *mat.Dense, g float64, wf []float64, x0 []float64, dt float64, steps, every int, f func(float64) float64) (w []float64) {
	n := len(x0)
	x := append([]float64(nil), x0...)
	r := make([]float64, n)
	for i := range x {
		r[i] = math.Tanh(x[i])
	}
	w = make([]float64, n)
	P := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		P.Set(i, i, 1)
	}
	z := 0.0
	jr := make([]float64, n)
	for t := 0; t < steps; t++ {
		for i := 0; i < n; i++ {
			var s float64
			for k := 0; k < n; k++ {
				s += j.At(i, k) * r[k]
			}
			jr[i] = s
		}
		for i := range x {
			x[i] += dt * (-x[i] + g*jr[i] + wf[i]*z)
		}
		z = 0
		for i := range x {
			r[i] = math.Tanh(x[i])
			z += w[i] * r[i]
		}
		if t%every == 0 {
			k := make([]float64, n)
			for i := 0; i < n; i++ {
				for l := 0; l < n; l++ {
					k[i] += P.At(i, l) * r[l]
				}
			}
			c := 1 / (1 + dot(r, k))
			for i := 0; i < n; i++ {
				for l := 0; l < n; l++ {
					P.Set(i, l, P.At(i, l)-c*k[i]*k[l])
				}
			}
			e := z - f(float64(t)*dt)
			for i := range w {
				w[i] -= c * e * k[i]
			}
		}
	}
	return w
}

// TestForceMatchesPeerLoop compares the trained readout with the plain
// peer loop on the same network.
func TestForceMatchesPeerLoop(t *testing.T) {
	const n, steps = 60, 400
	rng := model.NewRNG(11, 0)
	net, err := model.RandomSussilloAbbott(n, 0.2, 1.5, rng)
	if err != nil {
		t.Fatal(err)
	}
	x0 := model.NormalVector(n, 0.5, rng)
	jd := mat.NewDense(n, n, nil)
	net.J.DoNonZero(func(i, k int, v float64) { jd.Set(i, k, v) })
	wf := mat.Col(nil, 0, net.WF)
	sig := task.Sine{Period: 6, Amp: 1}
	want := peerForce(jd, net.G, wf, x0, net.DT, steps, 2, sig.At)

	f, err := NewForce(net, 1, 2, x0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.TrainSignal(sig, steps, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Updates != steps/2 {
		t.Errorf("%d updates, want %d", st.Updates, steps/2)
	}
	got := mat.Col(nil, 0, net.WO)
	var maxErr float64
	for i := range got {
		maxErr = math.Max(maxErr, math.Abs(got[i]-want[i])/math.Max(1, math.Abs(want[i])))
	}
	if maxErr > 1e-9 {
		t.Errorf("readout differs from the peer loop by %.3g (relative)", maxErr)
	}
	t.Logf("max relative difference from the plain peer loop after %d steps: %.2g", steps, maxErr)
}

// TestForceKernelBookkeeping pins EC-14: with dt = 0.1 each SPM trial has
// 350 steps and the restricted kernel performs 25 + 25 W_d updates and 25
// W_o updates per trial, none outside the windows.
func TestForceKernelBookkeeping(t *testing.T) {
	rng := model.NewRNG(2, 0)
	net, err := model.RandomGhazizadeh(50, 0.3, 1.2, 10, rng)
	if err != nil {
		t.Fatal(err)
	}
	spm := task.NewSPM()
	seq := spm.Sequence(4, rng)
	f, err := NewForce(net, 1, 2, model.NormalVector(50, 0.1, rng))
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.TrainSequence(seq)
	if err != nil {
		t.Fatal(err)
	}
	if st.UpdatesD != 4*50 || st.UpdatesO != 4*25 {
		t.Errorf("restricted kernel: %d W_d and %d W_o updates over 4 trials, want 200 and 100", st.UpdatesD, st.UpdatesO)
	}
	native, _ := NewForce(net, 1, 2, model.NormalVector(50, 0.1, rng))
	native.Native = true
	st, err = native.TrainSequence(spm.Sequence(4, rng))
	if err != nil {
		t.Fatal(err)
	}
	// Steps 2, 4, …, 1398: step 0 is not an update step (the code's
	// i >= update_step).
	if st.UpdatesD != 4*175-1 || st.UpdatesO != 4*175-1 {
		t.Errorf("native FORCE: %d W_d and %d W_o updates over 4 trials, want 699 each", st.UpdatesD, st.UpdatesO)
	}
}

// TestForceLearnsSine checks that a small network learns a sinusoid and
// reproduces it with learning off.
func TestForceLearnsSine(t *testing.T) {
	rng := model.NewRNG(0, 0)
	net, err := model.RandomSussilloAbbott(200, 0.2, 1.5, rng)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewForce(net, 1, 2, model.NormalVector(200, 0.5, rng))
	if err != nil {
		t.Fatal(err)
	}
	sig := task.Sine{Period: 60, Amp: 1}
	st, err := f.TrainSignal(sig, 10000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	test, err := f.TestSignal(sig, 2000)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("N = 200 sine: train MAE %.2g, test MAE %.2g", st.MAE, test)
	if st.MAE > 0.01 || test > 0.05 {
		t.Errorf("train MAE %.3g (want ≤ 0.01), test MAE %.3g (want < 0.05)", st.MAE, test)
	}
}

func BenchmarkForceSine(b *testing.B) {
	for _, n := range []int{300, 1000} {
		b.Run("N="+strconv.Itoa(n), func(b *testing.B) {
			rng := model.NewRNG(0, 0)
			net, _ := model.RandomSussilloAbbott(n, 0.1, 1.5, rng)
			f, _ := NewForce(net, 1, 2, model.NormalVector(n, 0.5, rng))
			sig := task.Sine{Period: 60, Amp: 1}
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := f.TrainSignal(sig, b.N, 0); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// TestForceFeedbackMix checks EC-13's mixed feedback by hand: at every
// training step the state must move by the Euler step whose fed-back
// output is γ f((k−1)·DT) + (1 − γ) z, z being the readout before the step;
// γ = 1 feeds exactly the target.
func TestForceFeedbackMix(t *testing.T) {
	for _, gamma := range []float64{1, 0.5} {
		t.Run("gamma="+strconv.FormatFloat(gamma, 'g', -1, 64), func(t *testing.T) {
			const n = 30
			rng := model.NewRNG(5, 0)
			net, err := model.RandomSussilloAbbott(n, 0.3, 1.5, rng)
			if err != nil {
				t.Fatal(err)
			}
			f, err := NewForce(net, 1, 2, model.NormalVector(n, 0.5, rng))
			if err != nil {
				t.Fatal(err)
			}
			f.FeedbackMix = gamma
			sig := task.FourSine{}
			jd := mat.NewDense(n, n, nil)
			net.J.DoNonZero(func(i, k int, v float64) { jd.Set(i, k, v) })
			for step := 0; step < 7; step++ {
				x := append([]float64(nil), f.State()...)
				zo, _ := f.Outputs()
				fed := gamma*sig.At(float64(step-1)*net.DT) + (1-gamma)*zo[0]
				want := make([]float64, n)
				for i := range x {
					var jr float64
					for k := range x {
						jr += jd.At(i, k) * math.Tanh(x[k])
					}
					want[i] = x[i] + net.DT/net.Tau*(-x[i]+net.G*jr+net.WF.At(i, 0)*fed)
				}
				if _, err := f.TrainSignal(sig, 1, 0); err != nil {
					t.Fatal(err)
				}
				for i, v := range f.State() {
					if math.Abs(v-want[i]) > 1e-13 {
						t.Fatalf("step %d: x[%d] = %.17g, hand Euler step with feedback %.6g gives %.17g", step, i, v, fed, want[i])
					}
				}
			}
			// Testing feeds back z alone.
			x := append([]float64(nil), f.State()...)
			zo, _ := f.Outputs()
			z := zo[0]
			if _, err := f.TestSignal(sig, 1); err != nil {
				t.Fatal(err)
			}
			i := 3
			var jr float64
			for k := range x {
				jr += jd.At(i, k) * math.Tanh(x[k])
			}
			if want := x[i] + net.DT*(-x[i]+net.G*jr+net.WF.At(i, 0)*z); math.Abs(f.State()[i]-want) > 1e-13 {
				t.Errorf("test step: x[%d] = %.17g, want %.17g (feedback z = %.6g)", i, f.State()[i], want, z)
			}
		})
	}
}

// TestForceFeedbackMixZeroIsFORCE checks that γ = 0 leaves training
// bit-identical to the FORCE loop written out with Advance and update, and
// that the session's manifest does not mention the mix.
func TestForceFeedbackMixZeroIsFORCE(t *testing.T) {
	cfg := DefaultForceSignal()
	cfg.Hidden, cfg.Steps, cfg.Chunk, cfg.Target = 80, 600, 100, "foursine"
	s, err := NewForceSignalSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := NewForceSignalSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range s.Units() {
		if _, err := s.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	g := ref.Force
	y := []float64{0}
	for k := 0; k < cfg.Steps; k++ {
		g.Advance(nil)
		if k%cfg.Every == 0 {
			y[0] = task.FourSine{}.At(float64(k) * g.Net.DT)
			g.update(g.po, g.Net.WO, g.zo, g.eo, y)
		}
	}
	a, b := s.Force.Net.WO.RawMatrix().Data, g.Net.WO.RawMatrix().Data
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("W_o[%d] = %.17g with γ = 0, %.17g by the plain FORCE loop", i, a[i], b[i])
		}
	}
	if m := string(s.Network().Manifest.Train); strings.Contains(m, "feedback_mix") {
		t.Errorf("γ = 0 manifest mentions the mix: %s", m)
	}
	if err := s.SetFeedbackMix(1.5); err == nil {
		t.Error("SetFeedbackMix(1.5) accepted")
	}
}
