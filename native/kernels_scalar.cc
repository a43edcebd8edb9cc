// Portable kernels: the reference every SIMD set must match bit for bit, and the
// set used where the CPU has nothing better. Built at the architecture baseline.
// The product is computed for every element and then selected, and the file is built
// with -fno-trapping-math (CMakeLists.txt): otherwise GCC may not evaluate a multiply
// the source makes conditional (it could raise an FP flag), keeps a branch and
// mispredicts on random signs (4.1-4.6 ns/element measured). Built so, it vectorizes
// (SSE2 on x86-64). Neither changes a result: no flag is read, and the select is exact.
#include "kernels.h"

namespace leaky_relu {
namespace {

void ForwardF32Scalar(const float* x, float* y, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float scaled = alpha * v;
    y[i] = v > 0.0f ? v : scaled;
  }
}

void ForwardF64Scalar(const double* x, double* y, std::size_t n, double alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i];
    const double scaled = alpha * v;
    y[i] = v > 0.0 ? v : scaled;
  }
}

void BackwardF32Scalar(const float* dy, const float* x, float* dx, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const float g = dy[i];
    const float scaled = alpha * g;
    dx[i] = x[i] > 0.0f ? g : scaled;
  }
}

void BackwardF64Scalar(const double* dy, const double* x, double* dx, std::size_t n, double alpha) {
  for (std::size_t i = 0; i < n; ++i) {
    const double g = dy[i];
    const double scaled = alpha * g;
    dx[i] = x[i] > 0.0 ? g : scaled;
  }
}

}  // namespace

const KernelSet kScalarKernels = {"scalar", ForwardF32Scalar, ForwardF64Scalar,
                                  BackwardF32Scalar, BackwardF64Scalar};

}  // namespace leaky_relu
