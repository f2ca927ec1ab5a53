package train

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// RLS is the recursive-least-squares state of FORCE learning: the running
// estimate P of (Σ_t r_t r_tᵀ + α I)⁻¹ (Sussillo & Abbott 2009, Eq. 4–6;
// docs/science.md §3.3 Eq. 8).
//
// One update with rate vector r computes
//
//	k = P r,   c = 1/(1 + rᵀ k),   P ← P − c k kᵀ
//
// and the caller then moves its readout by W ← W − c k eᵀ with the error e
// of the weights before the update.
//
// P is symmetric, so only its upper triangle is stored and touched. The
// rank-1 correction of one update is applied lazily, during the pass over P
// that computes the next k, so each update reads and writes the triangle
// once (the update is memory-bound at N = 1000: P is 8 MB).
type RLS struct {
	n     int
	p     []float64 // row-major n×n; only entries j ≥ i are used
	k     []float64 // k of the last update
	c     float64   // c of the last update
	dirt  bool      // the last update's −c k kᵀ has not been applied to p yet
	spare []float64
}

// NewRLS returns the state for n rates with P(0) = I/α.
func NewRLS(n int, alpha float64) *RLS {
	if !(alpha > 0) {
		panic(fmt.Sprintf("train: RLS regulariser α = %v, must be positive", alpha))
	}
	s := &RLS{n: n, p: make([]float64, n*n), k: make([]float64, n)}
	for i := 0; i < n; i++ {
		s.p[i*n+i] = 1 / alpha
	}
	return s
}

// N returns the number of rates.
func (s *RLS) N() int { return s.n }

// Update performs one RLS step with the rates r and returns k = P r (with P
// before this update) and c = 1/(1 + rᵀ k). The returned k is owned by s and
// valid until the next call.
func (s *RLS) Update(r []float64) (k []float64, c float64) {
	n := s.n
	if len(r) != n {
		panic(fmt.Sprintf("train: RLS.Update: len(r) = %d, want %d", len(r), n))
	}
	var pk []float64
	var pc float64
	if s.dirt {
		// Keep the previous k to apply the pending correction while
		// computing the new k into a fresh buffer: swap through scratch.
		pk, pc = s.swapK(), s.c
	}
	kn := s.k
	clear(kn)
	p := s.p
	for i := 0; i < n; i++ {
		row := p[i*n : i*n+n]
		ri := r[i]
		var acc float64
		if pk != nil {
			cki := pc * pk[i]
			// Diagonal.
			row[i] -= float64(cki * pk[i])
			acc = row[i] * ri
			// The products are rounded before the sums (explicit
			// conversions: no fused multiply–add under any GOAMD64), as in
			// the assembly kernel, which takes the first multiple of 8.
			j := i + 1
			if m := (n - j) &^ 7; m > 0 && kernUseAsm && kernUseAVX512 {
				acc = kernRLSRowAVX512(m, &row[j], &pk[j], &r[j], &kn[j], cki, ri, acc)
				j += m
			}
			for ; j < n; j++ {
				v := row[j] - float64(cki*pk[j])
				row[j] = v
				acc += float64(v * r[j])
				kn[j] += float64(v * ri)
			}
		} else {
			acc = row[i] * ri
			for j := i + 1; j < n; j++ {
				v := row[j]
				acc += v * r[j]
				kn[j] += v * ri
			}
		}
		kn[i] += acc
	}
	var rk float64
	for i, v := range kn {
		rk += r[i] * v
	}
	s.c = 1 / (1 + rk)
	s.dirt = true
	return kn, s.c
}

// swapK moves the current k into the spare buffer and returns it.
func (s *RLS) swapK() []float64 {
	if s.spare == nil {
		s.spare = make([]float64, s.n)
	}
	s.k, s.spare = s.spare, s.k
	return s.spare
}

// Flush applies any pending correction to the stored triangle.
func (s *RLS) Flush() {
	if !s.dirt {
		return
	}
	n := s.n
	for i := 0; i < n; i++ {
		cki := s.c * s.k[i]
		row := s.p[i*n : i*n+n]
		for j := i; j < n; j++ {
			row[j] -= cki * s.k[j]
		}
	}
	s.dirt = false
}

// P returns a copy of the current P as a symmetric matrix.
func (s *RLS) P() *mat.SymDense {
	s.Flush()
	out := mat.NewSymDense(s.n, nil)
	for i := 0; i < s.n; i++ {
		for j := i; j < s.n; j++ {
			out.SetSym(i, j, s.p[i*s.n+j])
		}
	}
	return out
}

// Triangle returns the upper triangle of P packed row by row (n(n+1)/2
// values), for checkpoints.
func (s *RLS) Triangle() []float64 {
	s.Flush()
	out := make([]float64, 0, s.n*(s.n+1)/2)
	for i := 0; i < s.n; i++ {
		out = append(out, s.p[i*s.n+i:(i+1)*s.n]...)
	}
	return out
}

// SetTriangle restores P from a packed upper triangle written by Triangle.
func (s *RLS) SetTriangle(t []float64) error {
	if len(t) != s.n*(s.n+1)/2 {
		return fmt.Errorf("train: RLS triangle has %d values, want %d", len(t), s.n*(s.n+1)/2)
	}
	o := 0
	for i := 0; i < s.n; i++ {
		copy(s.p[i*s.n+i:(i+1)*s.n], t[o:o+s.n-i])
		o += s.n - i
	}
	s.dirt = false
	return nil
}
