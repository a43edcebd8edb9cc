// alpha as each element type's kernels use it, for the glue's range check: a plain
// function over native/half_bits.h, so that no ISA file can pull its code in.
#ifndef LEAKY_RELU_HALF_H_
#define LEAKY_RELU_HALF_H_

#include "kernels.h"

namespace leaky_relu {

// alpha as the kernels of `dtype` multiply by it, as a float32 (a double for kF64):
// float32(T(float32(alpha))) for the 16-bit types, float32(alpha) for kF32. The glue
// checks that it is finite (an alpha whose rounding is ±Inf is ERR_OUT_OF_RANGE: for
// float16 |alpha| >= 65520).
double RoundAlpha(double alpha, Dtype dtype);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_HALF_H_
