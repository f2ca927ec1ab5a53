package model

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// RNG is the seeded random source of every draw in attractor. It wraps the
// PCG generator of math/rand/v2 (whose output is fixed by its specification)
// and defines its own uniform and normal variates, so that the same seed
// gives the same numbers on every platform and Go release.
type RNG struct {
	pcg      rand.PCG
	spare    float64
	hasSpare bool
}

// NewRNG returns a source seeded with seed. Streams with different stream
// numbers are independent for the same seed.
func NewRNG(seed, stream uint64) *RNG {
	r := &RNG{}
	r.pcg.Seed(seed, stream^0x9e3779b97f4a7c15)
	return r
}

// Uint64 returns a uniformly distributed 64-bit value.
func (r *RNG) Uint64() uint64 { return r.pcg.Uint64() }

// Float64 returns a uniform value in [0, 1) with 53 random bits.
func (r *RNG) Float64() float64 {
	return float64(r.pcg.Uint64()>>11) * (1.0 / (1 << 53))
}

// Uniform returns a uniform value in [lo, hi).
func (r *RNG) Uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// Norm returns a standard normal value, by the Marsaglia polar method.
func (r *RNG) Norm() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := u*u + v*v
		if s > 0 && s < 1 {
			f := math.Sqrt(-2 * math.Log(s) / s)
			r.spare, r.hasSpare = v*f, true
			return u * f
		}
	}
}

// IntN returns a uniform integer in [0, n). It panics if n <= 0.
func (r *RNG) IntN(n int) int {
	if n <= 0 {
		panic("model: RNG.IntN with n <= 0")
	}
	// Lemire's nearly divisionless method, unbiased.
	un := uint64(n)
	for {
		hi, lo := bits.Mul64(r.pcg.Uint64(), un)
		if lo >= un || lo >= (-un)%un {
			return int(hi)
		}
	}
}

// Perm returns a uniformly random permutation of 0..n-1 (Fisher–Yates).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// MarshalBinary encodes the generator's full state, so that a resumed run
// continues the same stream.
func (r *RNG) MarshalBinary() ([]byte, error) {
	b, err := r.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var flag byte
	if r.hasSpare {
		flag = 1
	}
	b = append(b, flag)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(r.spare)), nil
}

// UnmarshalBinary restores a state written by MarshalBinary.
func (r *RNG) UnmarshalBinary(b []byte) error {
	if len(b) < 9 {
		return errors.New("model: RNG state too short")
	}
	n := len(b) - 9
	if err := r.pcg.UnmarshalBinary(b[:n]); err != nil {
		return fmt.Errorf("model: RNG state: %w", err)
	}
	r.hasSpare = b[n] == 1
	r.spare = math.Float64frombits(binary.LittleEndian.Uint64(b[n+1:]))
	return nil
}
