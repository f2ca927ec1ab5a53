package model

import (
	"math"
	"testing"
)

func TestRNGDeterministicAndResumable(t *testing.T) {
	a, b := NewRNG(7, 1), NewRNG(7, 1)
	for i := 0; i < 5; i++ {
		if a.Norm() != b.Norm() || a.Float64() != b.Float64() {
			t.Fatal("same seed, different streams")
		}
	}
	a.Norm() // leaves a spare normal pending
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	c := NewRNG(0, 0)
	if err := c.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if x, y := a.Norm(), c.Norm(); x != y {
			t.Fatalf("draw %d after restore: %v vs %v", i, x, y)
		}
	}
	if err := c.UnmarshalBinary(state[:3]); err == nil {
		t.Error("truncated state accepted")
	}
	if NewRNG(7, 1).Uint64() == NewRNG(7, 2).Uint64() {
		t.Error("streams 1 and 2 start alike")
	}
}

func TestRNGMoments(t *testing.T) {
	r := NewRNG(3, 0)
	const n = 200000
	var s, s2, u float64
	for i := 0; i < n; i++ {
		x := r.Norm()
		s += x
		s2 += x * x
		u += r.Float64()
	}
	mean, variance := s/n, s2/n-(s/n)*(s/n)
	// Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance.
	if math.Abs(mean) > 0.01 || math.Abs(variance-1) > 0.015 || math.Abs(u/n-0.5) > 0.005 {
		t.Errorf("normal mean %v variance %v, uniform mean %v", mean, variance, u/n)
	}
	counts := make([]int, 5)
	for i := 0; i < 50000; i++ {
		counts[r.IntN(5)]++
	}
	for k, c := range counts {
		if c < 9500 || c > 10500 {
			t.Errorf("IntN(5) gave %d %d times of 50000", k, c)
		}
	}
}
