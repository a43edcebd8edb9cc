// The kernel interface: plain pointers and counts, nothing of Node.
// Included by the per-ISA files, so it must stay free of inline functions and
// templates (an ISA-flagged copy of a shared inline function could be the one the
// linker keeps for everybody). Constants and types only.
#ifndef LEAKY_RELU_KERNELS_H_
#define LEAKY_RELU_KERNELS_H_

#include <cstddef>

namespace leaky_relu {

// Forward is backward with the gate equal to the value (see Kernel).
enum class Op : unsigned { kForward, kBackward, kCount };
// The element type in memory (a kernel may compute in a wider type). kF16 (IEEE
// binary16) and kBF16 (bfloat16) are stored as uint16 and computed in float32.
enum class Dtype : unsigned { kF32, kF64, kF16, kBF16, kCount };

constexpr std::size_t kOpCount = static_cast<std::size_t>(Op::kCount);
constexpr std::size_t kDtypeCount = static_cast<std::size_t>(Dtype::kCount);

// Bytes per element, indexed by Dtype.
constexpr std::size_t kElementBytes[kDtypeCount] = {4, 8, 2, 2};

// out[i] = gate[i] > 0 ? value[i] : alpha * value[i], for n elements of one Dtype.
// Forward: gate = value = x, and the kernel reads it once; out = y, which may be x.
// Backward: gate = x, value = dy, out = dx, which may be exactly dy or exactly x.
// Any other overlap is not allowed (the callers reject it). The kernel rounds alpha to
// its element type itself: (float)alpha for float32, which is Math.fround(alpha); for
// the 16-bit types T((float)alpha), round-to-nearest-even, and each non-positive lane's
// result is T(float32(alphaT) * float32(value)): one float32 multiply, one rounding to T.
using Kernel = void (*)(const void* gate, const void* value, void* out, std::size_t n,
                        double alpha);

struct KernelSet {
  const char* isa;
  // kernels[Dtype][Op]: one row per element type, so that an ISA gains a type with one
  // traits struct and one row.
  Kernel kernels[kDtypeCount][kOpCount];
  // The set each row comes from: `isa` itself, except in a set composed at dispatch
  // (an AVX2 CPU without F16C runs the scalar float16 row).
  const char* isa_of[kDtypeCount];
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
