#include "half.h"

#include <cstring>

namespace leaky_relu {
namespace {

float FromBits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

std::uint32_t ToBits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

}  // namespace

// The same integer arithmetic as F16/BF16 in kernels_scalar.cc (see the comments there).
float HalfToFloat(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  if (exp == 0x1Fu) return FromBits(sign | 0x7F800000u | (mant << 13));
  if (exp != 0) return FromBits(sign | ((exp + 112u) << 23) | (mant << 13));
  if (mant == 0) return FromBits(sign);
  std::uint32_t e = 113;
  while ((mant & 0x400u) == 0) {
    mant <<= 1;
    --e;
  }
  return FromBits(sign | (e << 23) | ((mant & 0x3FFu) << 13));
}

std::uint16_t FloatToHalf(float f) {
  const std::uint32_t u = ToBits(f);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const std::uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
  if (a >= 0x47800000u) return static_cast<std::uint16_t>(sign | 0x7C00u);
  if (a >= 0x38800000u) {
    const std::uint32_t r = a - (112u << 23);
    return static_cast<std::uint16_t>(sign | ((r + 0xFFFu + ((r >> 13) & 1u)) >> 13));
  }
  const std::uint32_t exp = a >> 23;
  if (exp < 102) return static_cast<std::uint16_t>(sign);
  const std::uint32_t mant = (a & 0x7FFFFFu) | 0x800000u;
  const std::uint32_t shift = 126u - exp;
  const std::uint32_t q = mant >> shift;
  const std::uint32_t rem = mant & ((1u << shift) - 1u);
  const std::uint32_t half = 1u << (shift - 1u);
  return static_cast<std::uint16_t>(sign | (q + (rem > half || (rem == half && (q & 1u)))));
}

float BFloat16ToFloat(std::uint16_t b) { return FromBits(static_cast<std::uint32_t>(b) << 16); }

std::uint16_t FloatToBFloat16(float f) {
  const std::uint32_t u = ToBits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  return static_cast<std::uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

double RoundAlpha(double alpha, Dtype dtype) {
  const float a = static_cast<float>(alpha);
  switch (dtype) {
    case Dtype::kF64:
      return alpha;
    case Dtype::kF16:
      return HalfToFloat(FloatToHalf(a));
    case Dtype::kBF16:
      return BFloat16ToFloat(FloatToBFloat16(a));
    default:
      return a;
  }
}

}  // namespace leaky_relu
