package saved

import (
	"math"
	"testing"
)

// halfRef returns the value of binary16 bits h from the definition, by
// other means than Float16ToFloat64.
func halfRef(h uint16) float64 {
	s := 1.0
	if h&0x8000 != 0 {
		s = -1
	}
	e := int(h>>10) & 0x1f
	f := float64(h & 0x3ff)
	switch e {
	case 0:
		return s * f / 1024 * math.Pow(2, -14)
	case 31:
		if f == 0 {
			return math.Inf(int(s))
		}
		return math.NaN()
	}
	return s * (1 + f/1024) * math.Pow(2, float64(e-15))
}

// TestFloat16 checks all 65536 binary16 values against the definition,
// the round trip through Float64ToFloat16, and that the midpoint between
// two neighbours rounds to the even one and anything above it rounds up.
func TestFloat16(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		v := Float16ToFloat64(h)
		ref := halfRef(h)
		if math.IsNaN(ref) {
			if !math.IsNaN(v) || !math.IsNaN(Float16ToFloat64(Float64ToFloat16(v))) {
				t.Fatalf("%#04x: NaN not kept: %v", h, v)
			}
			continue
		}
		if v != ref || math.Signbit(v) != math.Signbit(ref) {
			t.Fatalf("%#04x: %v, want %v", h, v, ref)
		}
		if back := Float64ToFloat16(v); back != h {
			t.Fatalf("%#04x -> %v -> %#04x", h, v, back)
		}
		// Neighbour upward in magnitude (positive values only, the
		// negative side is symmetric via the sign bit).
		if h >= 0x7c00 {
			continue
		}
		next := h + 1
		hi := Float16ToFloat64(next)
		if next == 0x7c00 {
			hi = 65536 // the rounding boundary for overflow uses 2^16
		}
		mid := (v + hi) / 2 // exact in float64
		wantMid := h
		if h&1 == 1 {
			wantMid = next
		}
		if got := Float64ToFloat16(mid); got != wantMid {
			t.Fatalf("midpoint %v of %#04x and %#04x -> %#04x, want %#04x", mid, h, next, got, wantMid)
		}
		if got := Float64ToFloat16(math.Nextafter(mid, math.Inf(1))); got != next {
			t.Fatalf("just above midpoint %v -> %#04x, want %#04x", mid, got, next)
		}
		if got := Float64ToFloat16(math.Nextafter(mid, 0)); got != h {
			t.Fatalf("just below midpoint %v -> %#04x, want %#04x", mid, got, h)
		}
		if got := Float64ToFloat16(-mid); got != wantMid|0x8000 {
			t.Fatalf("negative midpoint %v -> %#04x, want %#04x", -mid, got, wantMid|0x8000)
		}
	}
}

// TestBFloat16 checks all 65536 bfloat16 values against float32 (bfloat16
// is the top half of a float32), the round trip, and the rounding of
// midpoints, the same way as TestFloat16.
func TestBFloat16(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		b := uint16(i)
		v := BFloat16ToFloat64(b)
		ref := float64(math.Float32frombits(uint32(b) << 16))
		if math.IsNaN(ref) {
			if !math.IsNaN(v) || !math.IsNaN(BFloat16ToFloat64(Float64ToBFloat16(v))) {
				t.Fatalf("%#04x: NaN not kept", b)
			}
			continue
		}
		if v != ref || math.Signbit(v) != math.Signbit(ref) {
			t.Fatalf("%#04x: %v, want %v", b, v, ref)
		}
		if back := Float64ToBFloat16(v); back != b {
			t.Fatalf("%#04x -> %v -> %#04x", b, v, back)
		}
		if b >= 0x7f80 {
			continue
		}
		next := b + 1
		hi := BFloat16ToFloat64(next)
		if next == 0x7f80 {
			hi = math.Ldexp(1, 128)
		}
		mid := (v + hi) / 2
		wantMid := b
		if b&1 == 1 {
			wantMid = next
		}
		if got := Float64ToBFloat16(mid); got != wantMid {
			t.Fatalf("midpoint %v of %#04x and %#04x -> %#04x, want %#04x", mid, b, next, got, wantMid)
		}
		if got := Float64ToBFloat16(math.Nextafter(mid, math.Inf(1))); got != next {
			t.Fatalf("just above midpoint %v -> %#04x, want %#04x", mid, got, next)
		}
		if got := Float64ToBFloat16(math.Nextafter(mid, 0)); got != b {
			t.Fatalf("just below midpoint %v -> %#04x, want %#04x", mid, got, b)
		}
	}
}
