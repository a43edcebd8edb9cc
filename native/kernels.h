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

// Per-channel slopes (PReLU) come to the kernels as one slope per element, or as a
// channel run that shares one slope (see native/slopes.cc for how calls are cut).
//
// out[i] = gate[i] > 0 ? value[i] : slopes[i] * value[i], for n elements; gate, value
// and out as in Kernel. `slopes` holds n slopes already rounded to the element type,
// in its compute type: float for float32, float16 and bfloat16 (float32(alphaT)),
// double for float64. Each element's rounding is Kernel's with alpha = slopes[i].
using SlopesKernel = void (*)(const void* gate, const void* value, void* out, std::size_t n,
                              const void* slopes);

// Backward with per-element slopes and the slope gradient: dx as SlopesKernel (gate = x,
// value = dy, out = dx), and for each i whose gate[i] is not > 0 (NaN included)
//   slots[i] = slots[i] + double(value[i]) * double(gate[i])
// in float64: one multiply, then one add, each rounded (no FMA). slots has n doubles;
// an element whose gate is > 0 leaves its slot alone. Both factors are read before
// out[i] is written (out may be exactly dy or exactly x).
using SlopesGradKernel = void (*)(const void* gate, const void* value, void* out, std::size_t n,
                                  const void* slopes, double* slots);

// A channel run's backward with the gradient: dx as Kernel's backward with `alpha`, and
// element i (i = 0, 1, ..., n - 1, in that order) adds its product, as above, to
// slots[i % kRunSlots]: each slot adds its elements in increasing i.
constexpr std::size_t kRunSlots = 32;
using RunGradKernel = void (*)(const void* gate, const void* value, void* out, std::size_t n,
                               double alpha, double* slots);

// One element type's kernels in one ISA: the table's row for one Dtype.
struct KernelRow {
  const char* isa;  // the ISA whose kernels these are
  Kernel kernels[kOpCount];  // kernels[Op]
  // The same for per-element slopes, and the two gradient kernels (backward only).
  SlopesKernel slopes[kOpCount];
  SlopesGradKernel slopes_grad;
  RunGradKernel run_grad;
};

// rows[Dtype]: one row per element type, so that an ISA gains a type with one traits
// struct and one row. Each row's isa is the set's own, except in a set composed at
// dispatch (an AVX2 CPU without F16C runs the scalar float16 row).
// A set may point at rows defined in other translation units (each AVX set's 16-bit
// rows are in a file of their own): the address of an object with static storage is a
// constant expression, so the sets and rows are all constant-initialized, before any
// code runs, and no static-initialization order between the files matters.
struct KernelSet {
  const char* isa;
  const KernelRow* rows[kDtypeCount];
};

// One per ISA; each is defined only where its files are compiled.
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
