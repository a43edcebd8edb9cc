// The 16-bit float conversions for the glue (alpha's range check) and for anything else
// outside the kernels: plain functions, so that no ISA file can include them (the
// kernel files carry their own copies, inlined into their bodies).
#ifndef LEAKY_RELU_HALF_H_
#define LEAKY_RELU_HALF_H_

#include <cstdint>

#include "kernels.h"

namespace leaky_relu {

// binary16 to float32: exact (every binary16 value is a float32).
float HalfToFloat(std::uint16_t h);
// float32 to binary16, round to nearest even: subnormal results exact, overflow to
// ±Inf, NaN to a quiet NaN.
std::uint16_t FloatToHalf(float f);
// bfloat16 to float32: exact (the upper half of the float32 bits).
float BFloat16ToFloat(std::uint16_t b);
// float32 to bfloat16, round to nearest even on the upper 16 bits, NaN to a quiet NaN.
std::uint16_t FloatToBFloat16(float f);

// alpha as the kernels of `dtype` multiply by it, as a float32 (a double for kF64):
// float32(T(float32(alpha))) for the 16-bit types, float32(alpha) for kF32. The glue
// checks that it is finite (an alpha whose rounding is ±Inf is ERR_OUT_OF_RANGE: for
// float16 |alpha| >= 65520).
double RoundAlpha(double alpha, Dtype dtype);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_HALF_H_
