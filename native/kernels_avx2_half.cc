// AVX2 kernels: the float16 and bfloat16 rows. The templates, and the float32 lanes
// these types compute in, are in kernels_avx2_body.h (which says what this file may
// include); the set is in kernels_avx2.cc.
// F16C (vcvtph2ps, vcvtps2ph) is used by the float16 row only: dispatch gives an AVX2
// CPU without F16C the AVX2 set with the scalar float16 row. bfloat16 converts by
// integer operations (AVX2).
#include "kernels_avx2_body.h"

namespace leaky_relu {
namespace {

// float16: 8 elements (one xmm) widen to 8 float32 lanes, compute as F32Lanes,
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
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) { return F32Lanes::Select(gate, v, alpha); }
  using Slope = float;
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) { return _mm256_loadu_ps(p); }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, std::size_t count) {
    return _mm256_maskload_ps(p, F32Lanes::Lanes(count));
  }
};

// float16 by F16C, round to nearest even by the immediate (not MXCSR); NaN stays NaN.
struct F16Conv {
  KERNEL_CODE static __m256 Widen(__m128i h) { return _mm256_cvtph_ps(h); }
  KERNEL_CODE static __m128i Narrow(__m256 v) { return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT); }
};

// The float32 product of two float16 values is exact (at most 22 significant bits,
// magnitudes in [2^-48, 2^32)), so it widens to the float64 product itself: one
// multiply for 8 lanes. A NaN is the same one either way (widening keeps it).
struct F16 : Half<F16Conv> {
  static constexpr std::size_t kSlotVectors = 2;
  // The NGT_UQ lanes of a float32 compare, each widened to a float64 lane.
  KERNEL_CODE static __m256d Take(__m128 not_positive) {
    return _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm_castps_si128(not_positive)));
  }
  KERNEL_CODE static void Products(Vec gate, Vec v, std::size_t count, __m256d* prod, __m256d* take) {
    const Vec product = _mm256_mul_ps(v, gate);
    prod[0] = _mm256_cvtps_pd(_mm256_castps256_ps128(product));
    prod[1] = _mm256_cvtps_pd(_mm256_extractf128_ps(product, 1));
    Vec not_positive = _mm256_cmp_ps(gate, _mm256_setzero_ps(), _CMP_NGT_UQ);
    if (count < kLanes) {
      not_positive = _mm256_and_ps(not_positive, _mm256_castsi256_ps(F32Lanes::Lanes(count)));
    }
    take[0] = Take(_mm256_castps256_ps128(not_positive));
    take[1] = Take(_mm256_extractf128_ps(not_positive, 1));
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F16, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F16, Op::kBackward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void ForwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                         const void* s) {
    RunSlopes<F16, Op::kForward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void BackwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                          const void* s) {
    RunSlopes<F16, Op::kBackward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void SlopesGrad(const void* g, const void* v, void* o, std::size_t n,
                                      const void* s, double* slots) {
    RunSlopesGrad<F16>(g, v, o, n, s, slots);
  }
  KERNEL_ENTRY static void RunGrad(const void* g, const void* v, void* o, std::size_t n, double a,
                                   double* slots) {
    ChannelRunGrad<F16>(g, v, o, n, a, slots);
  }
};

// bfloat16 is the upper half of a float32. 16 elements (one ymm) per iteration:
// unpacklo/unpackhi_epi16 with zero put each element in the upper half of a 32-bit
// lane, which is its float32, so Vec is two float32 vectors that compute as F32Lanes; then
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
    return {F32Lanes::Select(gate.lo, v.lo, alpha.lo), F32Lanes::Select(gate.hi, v.hi, alpha.hi)};
  }
  // Widen's order: lo holds elements 0-3 and 8-11, hi 4-7 and 12-15 (128-bit lanes).
  // The slopes (8 floats in s0, 8 in s1, in index order) go to the same lanes.
  using Slope = float;
  KERNEL_CODE static Vec Permuted(__m256 s0, __m256 s1) {
    return {_mm256_permute2f128_ps(s0, s1, 0x20), _mm256_permute2f128_ps(s0, s1, 0x31)};
  }
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) {
    return Permuted(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8));
  }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, std::size_t count) {
    return Permuted(_mm256_maskload_ps(p, F32Lanes::Lanes(count < 8 ? count : 8)),
                    _mm256_maskload_ps(p + 8, F32Lanes::Lanes(count > 8 ? count - 8 : 0)));
  }
  // The products of two bfloat16 values need float64 (their float32 product can
  // overflow or underflow). Each 128-bit lane of lo and hi is 4 consecutive elements:
  // prod[c], elements 4c .. 4c + 3, widens lane c / 2 of lo (c even) or hi (c odd).
  static constexpr std::size_t kSlotVectors = 4;
  KERNEL_CODE static void Products(Vec gate, Vec v, std::size_t count, __m256d* prod, __m256d* take) {
    WidenedProducts(_mm256_castps256_ps128(gate.lo), _mm256_castps256_ps128(v.lo), count, prod, take);
    WidenedProducts(_mm256_castps256_ps128(gate.hi), _mm256_castps256_ps128(v.hi),
                    LanesFrom(count, 4), prod + 1, take + 1);
    WidenedProducts(_mm256_extractf128_ps(gate.lo, 1), _mm256_extractf128_ps(v.lo, 1),
                    LanesFrom(count, 8), prod + 2, take + 2);
    WidenedProducts(_mm256_extractf128_ps(gate.hi, 1), _mm256_extractf128_ps(v.hi, 1),
                    LanesFrom(count, 12), prod + 3, take + 3);
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<BF16, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<BF16, Op::kBackward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void ForwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                         const void* s) {
    RunSlopes<BF16, Op::kForward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void BackwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                          const void* s) {
    RunSlopes<BF16, Op::kBackward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void SlopesGrad(const void* g, const void* v, void* o, std::size_t n,
                                      const void* s, double* slots) {
    RunSlopesGrad<BF16>(g, v, o, n, s, slots);
  }
  KERNEL_ENTRY static void RunGrad(const void* g, const void* v, void* o, std::size_t n, double a,
                                   double* slots) {
    ChannelRunGrad<BF16>(g, v, o, n, a, slots);
  }
};

}  // namespace

// kernels_avx2.cc's set points at these.
extern const KernelRow kAvx2F16Row = RowOf<F16>();
extern const KernelRow kAvx2BF16Row = RowOf<BF16>();

}  // namespace leaky_relu
