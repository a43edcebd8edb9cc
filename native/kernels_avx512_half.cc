// AVX-512 kernels: the float16 and bfloat16 rows. The templates, and the float32 lanes
// these types compute in, are in kernels_avx512_body.h (which says what this file may
// include); the set is in kernels_avx512.cc.
// float16 conversions (vcvtph2ps, vcvtps2ph) are AVX-512F; BW+VL give the masked 16-bit
// loads and stores of the 16-bit types' heads and tails (dispatch requires all three).
// bfloat16 converts by integer operations, not AVX512_BF16's vcvtneps2bf16: it takes
// a subnormal float32 as zero whatever MXCSR says (run over all 2^32 inputs on a
// Sapphire Rapids-class CPU: the 16,711,678 subnormals whose rounding is not zero gave
// ±0, everything else matched), and a bfloat16 product can be a float32 subnormal.
#include "kernels_avx512_body.h"

namespace leaky_relu {
namespace {

// float16: 16 elements (one ymm) widen to 16 float32 lanes, compute as F32Lanes, narrow
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
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) { return F32Lanes::Select(gate, v, alpha); }
  using Slope = float;
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) { return _mm512_loadu_ps(p); }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  KERNEL_CODE static Vec LoadGatePart(const Storage* p, Mask k) {
    return Widen(_mm256_mask_loadu_epi16(_mm256_set1_epi16(0x3C00), k, p));  // 1.0
  }
  // The float32 product of two float16 values is exact (at most 22 significant bits,
  // magnitudes in [2^-48, 2^32)), so it widens to the float64 product itself: one
  // multiply for 16 lanes. A NaN is the same one either way (widening keeps it).
  KERNEL_CODE static void Products(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    const Mask not_positive = _mm512_cmp_ps_mask(gate, _mm512_setzero_ps(), _CMP_NGT_UQ);
    take[0] = static_cast<__mmask8>(not_positive);
    take[1] = static_cast<__mmask8>(_kshiftri_mask16(not_positive, 8));
    const Vec product = _mm512_mul_ps(v, gate);
    prod[0] = F32Lanes::Low(product);
    prod[1] = F32Lanes::High(product);
  }
  KERNEL_CODE static void LaneProducts(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    Products(gate, v, prod, take);
  }
  static constexpr std::size_t kSlotVectors = 2;
  static constexpr std::size_t kSlotQuarter[8] = {0, 1, 2, 3, 4, 5, 6, 7};
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

// bfloat16 is the upper half of a float32. 32 elements (one zmm) per iteration:
// unpacklo/unpackhi_epi16 with zero put each element in the upper half of a 32-bit
// lane, which is its float32, so Vec is two float32 vectors that compute as F32Lanes; then
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
    return {F32Lanes::Select(gate.lo, v.lo, alpha.lo), F32Lanes::Select(gate.hi, v.hi, alpha.hi)};
  }
  // Widen's order: lo's 128-bit lane k holds elements 8k .. 8k + 3, hi's 8k + 4 .. 8k + 7.
  // The slopes (16 floats in s0, 16 in s1, in index order) go to the same lanes.
  using Slope = float;
  KERNEL_CODE static Vec Permuted(__m512 s0, __m512 s1) {
    return {_mm512_shuffle_f32x4(s0, s1, 0x88), _mm512_shuffle_f32x4(s0, s1, 0xDD)};
  }
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) {
    return Permuted(_mm512_loadu_ps(p), _mm512_loadu_ps(p + 16));
  }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, Mask k) {
    return Permuted(_mm512_maskz_loadu_ps(static_cast<__mmask16>(k), p),
                    _mm512_maskz_loadu_ps(static_cast<__mmask16>(k >> 16), p + 16));
  }
  // Elements 0-15 (half 0) or 16-31 (half 1) of a Vec as float32 in index order.
  KERNEL_CODE static __m512 InOrder(Vec x, int half) {
    alignas(64) static constexpr std::int32_t kIndex[2][16] = {
        {0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23},
        {8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31}};
    return _mm512_permutex2var_ps(x.lo, _mm512_load_si512(kIndex[half]), x.hi);
  }
  KERNEL_CODE static Vec LoadGatePart(const Storage* p, Mask k) {
    return Widen(_mm512_mask_loadu_epi16(_mm512_set1_epi16(0x3F80), k, p));  // 1.0
  }
  // The products of two bfloat16 values need float64 (their float32 product can
  // overflow or underflow): as F32Lanes, on the elements put back in index order (for
  // slots in memory), or as lo and hi hold them (a channel run's accumulators, where
  // this saves 4 permutes and 2 compares a vector: lo's float32 lanes 0-7, widened,
  // are elements 0-3 and 8-11, that is the slots 4 * {0, 2}; lo's 8-15 are 4 * {4, 6},
  // hi's 4 * {1, 3} and 4 * {5, 7}).
  KERNEL_CODE static void Products(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    F32Lanes::Products(InOrder(gate, 0), InOrder(v, 0), prod, take);
    F32Lanes::Products(InOrder(gate, 1), InOrder(v, 1), prod + 2, take + 2);
  }
  KERNEL_CODE static void LaneProducts(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    F32Lanes::Products(gate.lo, v.lo, prod, take);
    F32Lanes::Products(gate.hi, v.hi, prod + 2, take + 2);
  }
  static constexpr std::size_t kSlotVectors = 4;
  static constexpr std::size_t kSlotQuarter[8] = {0, 2, 4, 6, 1, 3, 5, 7};
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

// kernels_avx512.cc's set points at these.
extern const KernelRow kAvx512F16Row = RowOf<F16>();
extern const KernelRow kAvx512BF16Row = RowOf<BF16>();

}  // namespace leaky_relu
