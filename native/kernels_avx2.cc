// AVX2 kernels. Compiled with -mavx2 and nothing else in the binary is, so this file
// includes only the kernel header and <immintrin.h>.
// mul + blendv on a GT_OQ compare keeps select semantics exactly: NaN compares false
// and takes alpha * NaN (a NaN), signed zeros go through the multiply as IEEE says.
// No FMA: the contract has one rounding, of alpha * x, and nothing else.
// One vector per iteration, load-compute-store: a 4x unrolled loop (four loads, then
// four stores) ran 15-20% slower than a plain streaming loop once the data left L2
// (1Mi float32: 0.188 vs 0.157 ns/element), and no faster in cache.
// The elements before the output's first 32-byte boundary go first, under a mask, so
// that no full-vector store of the loop straddles two cache lines: V8 places a typed
// array of 64Ki elements or more 16 bytes past a line (malloc's header), where half the
// unpeeled ymm accesses split. Peeled, in-place passes over data in cache (4Ki-64Ki
// elements) ran 7-20% faster through the addon; no change once memory-bound.
#include <immintrin.h>

#include <cstdint>

#include "kernels.h"
#include "kernel_section.h"

namespace leaky_relu {
namespace {

// Every function of this file goes into its own section, which survives stripping:
// the packaging test disassembles the shipped binary and checks that no code outside
// the AVX2 sections touches ymm registers. GCC ignores a section attribute on a
// template (PR 70435), so the table's entries are plain functions (each type's Forward
// and Backward) and `flatten` inlines the templates into them: no template code is left
// out of line, in .text. (always_inline on the body does that too, but GCC then laid
// the head peel out of line; flatten gives the code of the hand-written kernels.)
// No std:: template (std::min, ...) may be instantiated in this file: its AVX2 copy,
// a COMDAT outside this section, could be the one the linker keeps for the whole
// binary, and the scalar path would then die with SIGILL on an older CPU.
#define KERNEL_CODE LEAKY_RELU_KERNEL_CODE("lr_avx2")
#define KERNEL_ENTRY LEAKY_RELU_KERNEL_ENTRY("lr_avx2")

// Elements from p to the next vector-size (32-byte) boundary, at most n.
template <class T>
inline std::size_t HeadLength(const void* p, std::size_t n) {
  constexpr std::uintptr_t kBytes = T::kLanes * sizeof(typename T::Storage);
  const std::uintptr_t misaligned = reinterpret_cast<std::uintptr_t>(p) & (kBytes - 1);
  const std::size_t head = ((kBytes - misaligned) & (kBytes - 1)) / sizeof(typename T::Storage);
  return head < n ? head : n;
}

// Fewer elements than one vector, with maskload/maskstore, which never touch the
// masked-off lanes' memory: the head and the tail.
template <class T, Op kOp>
inline void Part(const typename T::Storage* gate, const typename T::Storage* value,
                 typename T::Storage* out, std::size_t count, typename T::Vec a) {
  const typename T::Mask mask = T::Lanes(count);
  const typename T::Vec v = T::LoadPart(value, mask);
  const typename T::Vec g = kOp == Op::kForward ? v : T::LoadPart(gate, mask);
  T::StorePart(out, mask, T::Select(g, v, a));
}

// The one body of this file's kernels (Kernel in kernels.h); forward loads x once.
template <class T, Op kOp>
inline void Run(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                double alpha) {
  using S = typename T::Storage;
  using V = typename T::Vec;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const V a = T::Set1(alpha);
  std::size_t i = HeadLength<T>(out, n);
  if (i != 0) Part<T, kOp>(gate, value, out, i, a);
  for (; i + T::kLanes <= n; i += T::kLanes) {
    const V v = T::Load(value + i);
    const V g = kOp == Op::kForward ? v : T::Load(gate + i);
    T::Store(out + i, T::Select(g, v, a));
  }
  if (i < n) Part<T, kOp>(gate + i, value + i, out + i, n - i, a);
}

// An element type: Storage is its type in memory, Vec the vector it computes in (a
// 16-bit type would load into float32 lanes and convert back on store); then its two
// kernels, the entries of its table row.
// Lanes(r) loads kLanes entries from kMask + kLanes - r: r all-ones lanes, then zeros.
struct F32 {
  using Storage = float;
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr std::size_t kLanes = 8;
  alignas(32) static constexpr std::int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                         0,  0,  0,  0,  0,  0,  0,  0};
  KERNEL_CODE static Vec Set1(double alpha) { return _mm256_set1_ps(static_cast<float>(alpha)); }
  KERNEL_CODE static Vec Load(const Storage* p) { return _mm256_loadu_ps(p); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm256_storeu_ps(p, v); }
  KERNEL_CODE static Mask Lanes(std::size_t count) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + kLanes - count));
  }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask m) { return _mm256_maskload_ps(p, m); }
  KERNEL_CODE static void StorePart(Storage* p, Mask m, Vec v) { _mm256_maskstore_ps(p, m, v); }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    const Vec positive = _mm256_cmp_ps(gate, _mm256_setzero_ps(), _CMP_GT_OQ);
    return _mm256_blendv_ps(_mm256_mul_ps(v, alpha), v, positive);
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F32, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F32, Op::kBackward>(g, v, o, n, a);
  }
};

struct F64 {
  using Storage = double;
  using Vec = __m256d;
  using Mask = __m256i;
  static constexpr std::size_t kLanes = 4;
  alignas(32) static constexpr std::int64_t kMask[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
  KERNEL_CODE static Vec Set1(double alpha) { return _mm256_set1_pd(alpha); }
  KERNEL_CODE static Vec Load(const Storage* p) { return _mm256_loadu_pd(p); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm256_storeu_pd(p, v); }
  KERNEL_CODE static Mask Lanes(std::size_t count) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + kLanes - count));
  }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask m) { return _mm256_maskload_pd(p, m); }
  KERNEL_CODE static void StorePart(Storage* p, Mask m, Vec v) { _mm256_maskstore_pd(p, m, v); }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    const Vec positive = _mm256_cmp_pd(gate, _mm256_setzero_pd(), _CMP_GT_OQ);
    return _mm256_blendv_pd(_mm256_mul_pd(v, alpha), v, positive);
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F64, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F64, Op::kBackward>(g, v, o, n, a);
  }
};

}  // namespace

// One row per Dtype, in its order.
const KernelSet kAvx2Kernels = {"avx2", {{F32::Forward, F32::Backward},
                                         {F64::Forward, F64::Backward}}};

}  // namespace leaky_relu
