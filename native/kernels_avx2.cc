// AVX2 kernels. Compiled with -mavx2 -mf16c and nothing else in the binary is, so this
// file includes only the kernel header and <immintrin.h>. F16C (vcvtph2ps, vcvtps2ph)
// is used by the float16 row only: dispatch gives an AVX2 CPU without F16C this set
// with the scalar float16 row. bfloat16 converts by integer operations (AVX2).
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
// masked-off lanes' memory (the 16-bit types, which have no such instruction, go
// through a buffer instead): the head and the tail.
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
// 16-bit type loads into float32 lanes and converts back on store; bfloat16 loads its
// kLanes elements into a pair of float32 vectors); then its two
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

// float16: 8 elements (one xmm) widen to 8 float32 lanes, compute as F32,
// narrow back; for x > 0 the narrowing of the widened x gives x's bits back. AVX2 has
// no 16-bit maskload/maskstore, so a head or tail of r < 8 elements is copied into a
// zeroed local vector, converted as one, and its first r results copied out: memory
// outside the r elements is never touched. Mask is the count r.
// Conv supplies Widen (xmm of 8 elements to float32 lanes) and Narrow (back).
template <class Conv>
struct Half {
  using Storage = std::uint16_t;
  using Vec = __m256;
  using Mask = std::size_t;
  static constexpr std::size_t kLanes = 8;
  KERNEL_CODE static Vec Set1(double alpha) {
    return Conv::Widen(Conv::Narrow(_mm256_set1_ps(static_cast<float>(alpha))));
  }
  KERNEL_CODE static Vec Load(const Storage* p) {
    return Conv::Widen(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  KERNEL_CODE static void Store(Storage* p, Vec v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), Conv::Narrow(v));
  }
  KERNEL_CODE static Mask Lanes(std::size_t count) { return count; }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask count) {
    alignas(16) Storage buffer[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t i = 0; i < count; ++i) buffer[i] = p[i];
    return Conv::Widen(_mm_load_si128(reinterpret_cast<const __m128i*>(buffer)));
  }
  KERNEL_CODE static void StorePart(Storage* p, Mask count, Vec v) {
    alignas(16) Storage buffer[kLanes];
    _mm_store_si128(reinterpret_cast<__m128i*>(buffer), Conv::Narrow(v));
    for (std::size_t i = 0; i < count; ++i) p[i] = buffer[i];
  }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) { return F32::Select(gate, v, alpha); }
};

// float16 by F16C, round to nearest even by the immediate (not MXCSR); NaN stays NaN.
struct F16Conv {
  KERNEL_CODE static __m256 Widen(__m128i h) { return _mm256_cvtph_ps(h); }
  KERNEL_CODE static __m128i Narrow(__m256 v) { return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT); }
};

struct F16 : Half<F16Conv> {
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F16, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F16, Op::kBackward>(g, v, o, n, a);
  }
};

// bfloat16 is the upper half of a float32. 16 elements (one ymm) per iteration:
// unpacklo/unpackhi_epi16 with zero put each element in the upper half of a 32-bit
// lane, which is its float32, so Vec is two float32 vectors that compute as F32; then
// round to nearest even on the upper half and packus_epi32 the two (all lanes <=
// 0xFFFF). Unpack and pack both work within 128-bit lanes, so the pack restores the
// elements' order (65536 elements in place, in L2: 0.237 -> 0.125 ns/element against
// vpmovzxwd + shift, blendv NaN fix and an extract + packus per 8). Heads and tails go
// through a buffer, as in Half.
// Every lane that reaches Round has a zero low half: x itself (x > 0, so not NaN), or
// alphaT * x of two such floats, whose NaN is a quieted operand or the default NaN,
// low half zero too. Adding 0x7FFF + lsb then cannot carry out of a NaN's low half, so
// the NaN stays a (quiet) NaN without a fix. alpha itself, converted once in Set1,
// can be any float32 and gets the fix (a payload in the low 16 bits only would
// otherwise round to Inf).
struct BF16 {
  using Storage = std::uint16_t;
  struct Vec {
    __m256 lo, hi;
  };
  using Mask = std::size_t;
  static constexpr std::size_t kLanes = 16;
  KERNEL_CODE static Vec Widen(__m256i b) {
    const __m256i zero = _mm256_setzero_si256();
    return {_mm256_castsi256_ps(_mm256_unpacklo_epi16(zero, b)),
            _mm256_castsi256_ps(_mm256_unpackhi_epi16(zero, b))};
  }
  // Round to nearest even to the upper half, returned in the lower half of each lane.
  KERNEL_CODE static __m256i Round(__m256i u) {
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    return _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7FFF)), lsb), 16);
  }
  KERNEL_CODE static __m256i Narrow(Vec v) {
    return _mm256_packus_epi32(Round(_mm256_castps_si256(v.lo)), Round(_mm256_castps_si256(v.hi)));
  }
  KERNEL_CODE static Vec Set1(double alpha) {
    const __m256i u = _mm256_castps_si256(_mm256_set1_ps(static_cast<float>(alpha)));
    const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF)),
                                           _mm256_set1_epi32(0x7F800000));
    const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(0x40));
    const __m256i b = _mm256_blendv_epi8(Round(u), quiet, nan);
    const __m256 a = _mm256_castsi256_ps(_mm256_slli_epi32(b, 16));
    return {a, a};
  }
  KERNEL_CODE static Vec Load(const Storage* p) {
    return Widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  KERNEL_CODE static void Store(Storage* p, Vec v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), Narrow(v));
  }
  KERNEL_CODE static Mask Lanes(std::size_t count) { return count; }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask count) {
    alignas(32) Storage buffer[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t i = 0; i < count; ++i) buffer[i] = p[i];
    return Widen(_mm256_load_si256(reinterpret_cast<const __m256i*>(buffer)));
  }
  KERNEL_CODE static void StorePart(Storage* p, Mask count, Vec v) {
    alignas(32) Storage buffer[kLanes];
    _mm256_store_si256(reinterpret_cast<__m256i*>(buffer), Narrow(v));
    for (std::size_t i = 0; i < count; ++i) p[i] = buffer[i];
  }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    return {F32::Select(gate.lo, v.lo, alpha.lo), F32::Select(gate.hi, v.hi, alpha.hi)};
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<BF16, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<BF16, Op::kBackward>(g, v, o, n, a);
  }
};

}  // namespace

// One row per Dtype, in its order.
const KernelSet kAvx2Kernels = {"avx2",
                                {{F32::Forward, F32::Backward},
                                 {F64::Forward, F64::Backward},
                                 {F16::Forward, F16::Backward},
                                 {BF16::Forward, BF16::Backward}},
                                {"avx2", "avx2", "avx2", "avx2"}};

}  // namespace leaky_relu
