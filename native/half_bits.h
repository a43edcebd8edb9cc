// The 16-bit float conversions in integer arithmetic only (no FP environment, no flush
// to zero can change them), for the scalar kernels and the glue (native/half.cc).
// static inline, so that each includer has its own copy: no ISA-flagged file includes
// this (the SIMD files convert with their own instructions), and none may.
#ifndef LEAKY_RELU_HALF_BITS_H_
#define LEAKY_RELU_HALF_BITS_H_

#include <cstdint>
#include <cstring>

namespace leaky_relu {

static inline float FromBits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

static inline std::uint32_t ToBits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// Exact: every binary16 value is a float32 (subnormals become normal floats).
static inline float F16ToFloat(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  if (exp == 0x1Fu) return FromBits(sign | 0x7F800000u | (mant << 13));  // Inf, NaN
  if (exp != 0) return FromBits(sign | ((exp + 112u) << 23) | (mant << 13));
  if (mant == 0) return FromBits(sign);
  // Subnormal: mant * 2^-24; normalize so that the leading 1 is bit 10.
  std::uint32_t e = 113;
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --e;
  }
  return FromBits(sign | (e << 23) | ((mant & 0x3FFu) << 13));
}

// Round to nearest even; overflow gives Inf, NaN a quiet NaN (a payload in the low 13
// bits only would otherwise become Inf).
static inline std::uint16_t FloatToF16(float c) {
  const std::uint32_t u = ToBits(c);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const std::uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
  if (a >= 0x47800000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // >= 2^16, Inf
  if (a >= 0x38800000u) {                                             // >= 2^-14: normal
    // Rebias the exponent, then add half an ulp less one plus the kept lsb: a carry
    // out of the mantissa moves to the next binade (to Inf at the top), as RNE does.
    const std::uint32_t r = a - (112u << 23);
    return static_cast<std::uint16_t>(sign | ((r + 0xFFFu + ((r >> 13) & 1u)) >> 13));
  }
  const std::uint32_t exp = a >> 23;
  if (exp < 102) return static_cast<std::uint16_t>(sign);  // < 2^-25: rounds to zero
  // Subnormal result in units of 2^-24: the 24-bit significand shifted right by
  // 126 - exp (14..24), rounded to nearest even; 0x400 (rounding up into the
  // smallest normal) is the right encoding as is.
  const std::uint32_t mant = (a & 0x7FFFFFu) | 0x800000u;
  const std::uint32_t shift = 126u - exp;
  const std::uint32_t q = mant >> shift;
  const std::uint32_t rem = mant & ((1u << shift) - 1u);
  const std::uint32_t half = 1u << (shift - 1u);
  return static_cast<std::uint16_t>(sign | (q + (rem > half || (rem == half && (q & 1u)))));
}

static inline float BF16ToFloat(std::uint16_t b) { return FromBits(static_cast<std::uint32_t>(b) << 16); }

// Round to nearest even on the upper half of the float32 bits; NaN made quiet (a payload
// in the low 16 bits only would otherwise become Inf).
static inline std::uint16_t FloatToBF16(float c) {
  const std::uint32_t u = ToBits(c);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  return static_cast<std::uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

}  // namespace leaky_relu

#endif  // LEAKY_RELU_HALF_BITS_H_
