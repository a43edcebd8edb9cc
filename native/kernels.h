// The kernel interface: plain pointers and counts, nothing of Node.
// Included by the per-ISA files, so it must stay free of inline functions and
// templates (an ISA-flagged copy of a shared inline function could be the one the
// linker keeps for everybody).
#ifndef LEAKY_RELU_KERNELS_H_
#define LEAKY_RELU_KERNELS_H_

#include <cstddef>

namespace leaky_relu {

// y[i] = x[i] > 0 ? x[i] : alpha * x[i]. y == x (in place) is allowed; any other
// overlap is not (the callers reject it).
using ForwardF32 = void (*)(const float* x, float* y, std::size_t n, float alpha);
using ForwardF64 = void (*)(const double* x, double* y, std::size_t n, double alpha);
// dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i]. dx may be exactly dy or exactly x.
using BackwardF32 = void (*)(const float* dy, const float* x, float* dx, std::size_t n, float alpha);
using BackwardF64 = void (*)(const double* dy, const double* x, double* dx, std::size_t n, double alpha);

struct KernelSet {
  const char* isa;
  ForwardF32 forward_f32;
  ForwardF64 forward_f64;
  BackwardF32 backward_f32;
  BackwardF64 backward_f64;
};

// One per ISA file; each is defined only where its file is compiled.
extern const KernelSet kScalarKernels;
#if defined(__x86_64__) || defined(_M_X64)
extern const KernelSet kAvx2Kernels;
extern const KernelSet kAvx512Kernels;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
extern const KernelSet kNeonKernels;
#endif

}  // namespace leaky_relu

#endif  // LEAKY_RELU_KERNELS_H_
