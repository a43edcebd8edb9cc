// alpha as each element type's kernels use it, for the glue's range check: a plain
// function over native/half_bits.h, so that no ISA file can pull its code in (and
// no ISA file includes this header, so its one inline function is the glue's only).
#ifndef LEAKY_RELU_HALF_H_
#define LEAKY_RELU_HALF_H_

#include <cmath>

#include "kernels.h"

namespace leaky_relu {

// alpha as the kernels of `dtype` multiply by it, as a float32 (a double for kF64):
// float32(T(float32(alpha))) for the 16-bit types, float32(alpha) for kF32. The glue
// checks that it is finite (an alpha whose rounding is ±Inf is ERR_OUT_OF_RANGE: for
// float16 |alpha| >= 65520).
double RoundAlpha(double alpha, Dtype dtype);

// Whether alpha stays finite once rounded as the kernels of `dtype` round it: the range
// check of alpha and of every slope. float32 and float64 inline (it runs on every sync
// call, and per slope: a call with 64 slopes paid ~200 ns through RoundAlpha).
inline bool FiniteOnceRounded(double alpha, Dtype dtype) {
  return dtype == Dtype::kF32   ? std::isfinite(static_cast<float>(alpha))
         : dtype == Dtype::kF64 ? std::isfinite(alpha)
                                : std::isfinite(RoundAlpha(alpha, dtype));
}

}  // namespace leaky_relu

#endif  // LEAKY_RELU_HALF_H_
