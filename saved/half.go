package saved

import "math"

// Float16ToFloat64 returns the value of the IEEE 754 binary16 number with
// bits h: sign 1 bit, exponent 5 bits (bias 15), fraction 10 bits, so
// (−1)^s · 2^(e−15) · (1 + f/1024) for 0 < e < 31, (−1)^s · 2^−14 · f/1024 for
// e = 0 (subnormal), and ±Inf or NaN for e = 31. The conversion is exact.
func Float16ToFloat64(h uint16) float64 {
	sign := uint64(h>>15) << 63
	exp := int(h>>10) & 0x1f
	frac := uint64(h & 0x3ff)
	switch {
	case exp == 0x1f:
		if frac == 0 {
			return math.Float64frombits(sign | 0x7ff<<52)
		}
		// NaN: keep the payload in the top fraction bits, set quiet.
		return math.Float64frombits(sign | 0x7ff<<52 | 1<<51 | frac<<42)
	case exp == 0:
		v := math.Ldexp(float64(frac), -24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float64frombits(sign | uint64(exp-15+1023)<<52 | frac<<42)
}

// BFloat16ToFloat64 returns the value of the bfloat16 number with bits b,
// which are the top 16 bits of an IEEE 754 binary32 number (sign 1 bit,
// exponent 8 bits, fraction 7 bits). The conversion is exact.
func BFloat16ToFloat64(b uint16) float64 {
	return float64(math.Float32frombits(uint32(b) << 16))
}

// Float64ToFloat16 returns the IEEE 754 binary16 number nearest to v,
// rounding ties to even, as its bits. Values of magnitude at least 65520
// become ±Inf and NaN stays NaN. The rounding is done once, from float64, so
// it is correctly rounded (not double-rounded through float32).
func Float64ToFloat16(v float64) uint16 {
	bits := math.Float64bits(v)
	sign := uint16(bits>>48) & 0x8000
	a := math.Abs(v)
	switch {
	case math.IsNaN(v):
		return sign | 0x7e00
	case a >= 65520: // halfway between 65504 (max) and 2^16 rounds to Inf
		return sign | 0x7c00
	case a < math.Ldexp(1, -14):
		// Subnormal or zero: units of 2^-24, round half to even.
		return sign | uint16(math.RoundToEven(math.Ldexp(a, 24)))
	}
	// Normal: a = m · 2^e with m in [1, 2).
	fr, e := math.Frexp(a)                    // a = fr · 2^e, fr in [0.5, 1)
	m := math.RoundToEven(math.Ldexp(fr, 11)) // 11 significant bits
	if m == 2048 {
		m = 1024
		e++
	}
	exp := e - 1 + 15
	if exp >= 0x1f {
		return sign | 0x7c00
	}
	return sign | uint16(exp)<<10 | uint16(m-1024)
}

// Float64ToBFloat16 returns the bfloat16 number nearest to v, rounding ties
// to even, as its bits. Values beyond the bfloat16 range become ±Inf and NaN
// stays NaN. The rounding is done once, from float64.
func Float64ToBFloat16(v float64) uint16 {
	bits := math.Float64bits(v)
	sign := uint16(bits>>48) & 0x8000
	a := math.Abs(v)
	const minNormal = 0x1p-126
	switch {
	case math.IsNaN(v):
		return sign | 0x7fc0
	case math.IsInf(v, 0):
		return sign | 0x7f80
	case a < minNormal:
		// Subnormal or zero: units of 2^-133, round half to even.
		return sign | uint16(math.RoundToEven(math.Ldexp(a, 133)))
	}
	fr, e := math.Frexp(a)
	m := math.RoundToEven(math.Ldexp(fr, 8)) // 8 significant bits
	if m == 256 {
		m = 128
		e++
	}
	exp := e - 1 + 127
	if exp >= 0xff {
		return sign | 0x7f80
	}
	return sign | uint16(exp)<<7 | uint16(m-128)
}
