// AVX-512 kernels. Compiled with -mavx512f -mavx512bw -mavx512vl and nothing else in
// the binary is, so this file includes only the kernel header and <immintrin.h>. The
// float16 conversions (vcvtph2ps, vcvtps2ph) are AVX-512F; BW+VL give the masked 16-bit
// loads and stores of the 16-bit types' heads and tails (dispatch requires all three).
// bfloat16 converts by integer operations, not AVX512_BF16's vcvtneps2bf16: it takes
// a subnormal float32 as zero whatever MXCSR says (run over all 2^32 inputs on a
// Sapphire Rapids-class CPU: the 16,711,678 subnormals whose rounding is not zero gave
// ±0, everything else matched), and a bfloat16 product can be a float32 subnormal.
// The compare NGT_UQ ("not greater than", true for NaN) picks the lanes that take
// alpha * x; a masked multiply writes only those, so positive lanes keep x untouched.
// Heads and tails use a (1 << r) - 1 mask on load and store: masked-off lanes are never
// touched in memory (no fault, no write), which a shared buffer requires.
// One vector per iteration, load-compute-store: a 4x unrolled loop (four loads, then
// four stores) ran 15-20% slower than a plain streaming loop once the data left L2
// (1Mi float32: 0.188 vs 0.157 ns/element), and no faster in cache.
// The elements before the output's first 64-byte boundary go first, under a mask, so
// that every full-vector store of the loop fills one cache line, not parts of two:
// V8 places a typed array of 64Ki elements or more 16 bytes past a line (malloc's
// header), where every unpeeled zmm access splits. Peeled, in-place passes over data
// in cache (4Ki-64Ki elements) ran 5-10% faster through the addon; no change once
// memory-bound.
// GCC 12's AVX-512 intrinsics pass a self-initialized "undefined" vector (`__Y = __Y`)
// that -Wuninitialized reports at every use (GCC PR 105593, fixed in later releases):
// silenced for the header's lines only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstdint>

#include "kernels.h"
#include "kernel_section.h"

namespace leaky_relu {
namespace {

// Every function of this file goes into its own section, which survives stripping:
// the packaging test disassembles the shipped binary and checks that no code outside
// the AVX-512 sections touches zmm registers. GCC ignores a section attribute on a
// template (PR 70435), so the table's entries are plain functions (each type's Forward
// and Backward) and `flatten` inlines the templates into them: no template code is left
// out of line, in .text. (always_inline on the body does that too, but GCC then laid
// the head peel out of line; flatten gives the code of the hand-written kernels.)
// No std:: template (std::min, ...) may be instantiated in this file: its AVX-512 copy,
// a COMDAT outside this section, could be the one the linker keeps for the whole
// binary, and the scalar path would then die with SIGILL on an older CPU.
#define KERNEL_CODE LEAKY_RELU_KERNEL_CODE("lr_avx512")
#define KERNEL_ENTRY LEAKY_RELU_KERNEL_ENTRY("lr_avx512")

// Elements from p to the next vector-size (64-byte) boundary, at most n.
template <class T>
inline std::size_t HeadLength(const void* p, std::size_t n) {
  constexpr std::uintptr_t kBytes = T::kLanes * sizeof(typename T::Storage);
  const std::uintptr_t misaligned = reinterpret_cast<std::uintptr_t>(p) & (kBytes - 1);
  const std::size_t head = ((kBytes - misaligned) & (kBytes - 1)) / sizeof(typename T::Storage);
  return head < n ? head : n;
}

// Fewer elements than one vector, under a mask: the head and the tail.
template <class T, Op kOp>
inline void Part(const typename T::Storage* gate, const typename T::Storage* value,
                 typename T::Storage* out, std::size_t count, typename T::Vec a) {
  const typename T::Mask k = T::Lanes(count);
  const typename T::Vec v = T::LoadPart(value, k);
  const typename T::Vec g = kOp == Op::kForward ? v : T::LoadPart(gate, k);
  T::StorePart(out, k, T::Select(g, v, a));
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
struct F32 {
  using Storage = float;
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr std::size_t kLanes = 16;
  KERNEL_CODE static Vec Set1(double alpha) { return _mm512_set1_ps(static_cast<float>(alpha)); }
  KERNEL_CODE static Vec Load(const Storage* p) { return _mm512_loadu_ps(p); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm512_storeu_ps(p, v); }
  // The first `count` lanes only (count < kLanes), for the head and the tail.
  KERNEL_CODE static Mask Lanes(std::size_t count) { return static_cast<Mask>((1u << count) - 1u); }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  KERNEL_CODE static void StorePart(Storage* p, Mask k, Vec v) { _mm512_mask_storeu_ps(p, k, v); }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    const Mask not_positive = _mm512_cmp_ps_mask(gate, _mm512_setzero_ps(), _CMP_NGT_UQ);
    return _mm512_mask_mul_ps(v, not_positive, v, alpha);
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
  using Vec = __m512d;
  using Mask = __mmask8;
  static constexpr std::size_t kLanes = 8;
  KERNEL_CODE static Vec Set1(double alpha) { return _mm512_set1_pd(alpha); }
  KERNEL_CODE static Vec Load(const Storage* p) { return _mm512_loadu_pd(p); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm512_storeu_pd(p, v); }
  KERNEL_CODE static Mask Lanes(std::size_t count) { return static_cast<Mask>((1u << count) - 1u); }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask k) { return _mm512_maskz_loadu_pd(k, p); }
  KERNEL_CODE static void StorePart(Storage* p, Mask k, Vec v) { _mm512_mask_storeu_pd(p, k, v); }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    const Mask not_positive = _mm512_cmp_pd_mask(gate, _mm512_setzero_pd(), _CMP_NGT_UQ);
    return _mm512_mask_mul_pd(v, not_positive, v, alpha);
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F64, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F64, Op::kBackward>(g, v, o, n, a);
  }
};

// float16: 16 elements (one ymm) widen to 16 float32 lanes, compute as F32, narrow
// back. For x > 0 the narrowing of the widened x gives x's bits back.
struct F16 {
  using Storage = std::uint16_t;
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr std::size_t kLanes = 16;
  KERNEL_CODE static Vec Widen(__m256i h) { return _mm512_cvtph_ps(h); }
  // Round to nearest even whatever MXCSR says; NaN stays NaN (quiet, payload's top bits).
  KERNEL_CODE static __m256i Narrow(Vec v) {
    return _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  KERNEL_CODE static Vec Set1(double alpha) {
    return Widen(Narrow(_mm512_set1_ps(static_cast<float>(alpha))));
  }
  KERNEL_CODE static Vec Load(const Storage* p) {
    return Widen(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  KERNEL_CODE static void Store(Storage* p, Vec v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), Narrow(v));
  }
  KERNEL_CODE static Mask Lanes(std::size_t count) { return static_cast<Mask>((1u << count) - 1u); }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask k) { return Widen(_mm256_maskz_loadu_epi16(k, p)); }
  KERNEL_CODE static void StorePart(Storage* p, Mask k, Vec v) { _mm256_mask_storeu_epi16(p, k, Narrow(v)); }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) { return F32::Select(gate, v, alpha); }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F16, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F16, Op::kBackward>(g, v, o, n, a);
  }
};

// bfloat16 is the upper half of a float32. 32 elements (one zmm) per iteration:
// unpacklo/unpackhi_epi16 with zero put each element in the upper half of a 32-bit
// lane, which is its float32, so Vec is two float32 vectors that compute as F32; then
// round to nearest even on the upper half and packus_epi32 the two (all lanes <=
// 0xFFFF). Unpack and pack both work within 128-bit lanes, so the pack restores the
// elements' order. This replaced widening 16 elements by vpmovzxwd + shift and
// narrowing by vpmovdw (2 uops, port 5) with a NaN fix: 65536 elements in place,
// in L2, 0.123 -> 0.076 ns/element (float16: 0.056).
// Every lane that reaches Round has a zero low half: x itself (x > 0, so not NaN), or
// alphaT * x of two such floats, whose NaN is a quieted operand or the default NaN,
// low half zero too. Adding 0x7FFF + lsb then cannot carry out of a NaN's low half, so
// the NaN stays a (quiet) NaN without a fix. alpha itself, converted once in Set1,
// can be any float32 and gets the fix (a payload in the low 16 bits only would
// otherwise round to Inf).
struct BF16 {
  using Storage = std::uint16_t;
  struct Vec {
    __m512 lo, hi;
  };
  using Mask = __mmask32;
  static constexpr std::size_t kLanes = 32;
  KERNEL_CODE static Vec Widen(__m512i b) {
    const __m512i zero = _mm512_setzero_si512();
    return {_mm512_castsi512_ps(_mm512_unpacklo_epi16(zero, b)),
            _mm512_castsi512_ps(_mm512_unpackhi_epi16(zero, b))};
  }
  // Round to nearest even to the upper half, returned in the lower half of each lane.
  KERNEL_CODE static __m512i Round(__m512i u) {
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    return _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb), 16);
  }
  KERNEL_CODE static __m512i Narrow(Vec v) {
    return _mm512_packus_epi32(Round(_mm512_castps_si512(v.lo)), Round(_mm512_castps_si512(v.hi)));
  }
  KERNEL_CODE static Vec Set1(double alpha) {
    const __m512i u = _mm512_castps_si512(_mm512_set1_ps(static_cast<float>(alpha)));
    const __mmask16 nan = _mm512_cmpgt_epi32_mask(
        _mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)), _mm512_set1_epi32(0x7F800000));
    const __m512i quiet = _mm512_or_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(0x40));
    const __m512i b = _mm512_mask_mov_epi32(Round(u), nan, quiet);
    const __m512 a = _mm512_castsi512_ps(_mm512_slli_epi32(b, 16));
    return {a, a};
  }
  KERNEL_CODE static Vec Load(const Storage* p) { return Widen(_mm512_loadu_si512(p)); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm512_storeu_si512(p, Narrow(v)); }
  KERNEL_CODE static Mask Lanes(std::size_t count) { return static_cast<Mask>((1u << count) - 1u); }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask k) { return Widen(_mm512_maskz_loadu_epi16(k, p)); }
  KERNEL_CODE static void StorePart(Storage* p, Mask k, Vec v) { _mm512_mask_storeu_epi16(p, k, Narrow(v)); }
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
const KernelSet kAvx512Kernels = {"avx512",
                                  {{F32::Forward, F32::Backward},
                                   {F64::Forward, F64::Backward},
                                   {F16::Forward, F16::Backward},
                                   {BF16::Forward, BF16::Backward}},
                                  {"avx512", "avx512", "avx512", "avx512"}};

}  // namespace leaky_relu
