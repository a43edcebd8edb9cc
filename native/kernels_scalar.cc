// Portable kernels: the reference every SIMD set must match bit for bit, and the
// set used where the CPU has nothing better. Built at the architecture baseline.
#include "kernels.h"

namespace leaky_relu {
namespace {

void ForwardF32Scalar(const float* x, float* y, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = v > 0.0f ? v : alpha * v;
  }
}

void ForwardF64Scalar(const double* x, double* y, std::size_t n, double alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    y[i] = v > 0.0 ? v : alpha * v;
  }
}

void BackwardF32Scalar(const float* dy, const float* x, float* dx, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const float g = dy[i];
    dx[i] = x[i] > 0.0f ? g : alpha * g;
  }
}

void BackwardF64Scalar(const double* dy, const double* x, double* dx, std::size_t n, double alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const double g = dy[i];
    dx[i] = x[i] > 0.0 ? g : alpha * g;
  }
}

}  // namespace

const KernelSet kScalarKernels = {"scalar", ForwardF32Scalar, ForwardF64Scalar,
                                  BackwardF32Scalar, BackwardF64Scalar};

}  // namespace leaky_relu
