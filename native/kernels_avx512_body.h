// The AVX-512 kernels' bodies, for the files that define the AVX-512 rows and only for
// them: kernels_avx512.cc (float32, float64, the set) and kernels_avx512_half.cc (float16,
// bfloat16), compiled with -mavx512f -mavx512bw -mavx512vl as nothing else in the binary
// is. So this header includes only the kernel headers and <immintrin.h>.
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
// Per-element slopes (PReLU) load the alpha vector from the slopes array, in the
// lanes' layout (bfloat16's Vec pair is permuted, so are its slopes). The gradient
// kernels widen each element's factors to float64 lanes and add their product under
// the NGT_UQ mask (a masked add into a channel run's accumulators, a masked load and
// store of slots in memory: a lane whose gate is > 0 keeps its slot, and its product,
// maybe Inf or NaN, never enters). No FMA here: without -mfma GCC cannot fuse the
// multiply and the add (and the whole target has -ffp-contract=off).
#ifndef LEAKY_RELU_KERNELS_AVX512_BODY_H_
#define LEAKY_RELU_KERNELS_AVX512_BODY_H_

#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VL__)
#error "for the files built with the AVX-512 flags only (CMakeLists.txt)"
#endif

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

// Everything of these files goes into the lr_avx512 section (see kernel_section.h for
// why and how, and for what they must not instantiate): the packaging test checks that
// no code outside the AVX-512 sections touches zmm registers.
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

// Part with per-element slopes.
template <class T, Op kOp>
inline void SlopesPart(const typename T::Storage* gate, const typename T::Storage* value,
                       typename T::Storage* out, std::size_t count,
                       const typename T::Slope* slopes) {
  const typename T::Mask k = T::Lanes(count);
  const typename T::Vec v = T::LoadPart(value, k);
  const typename T::Vec g = kOp == Op::kForward ? v : T::LoadPart(gate, k);
  T::StorePart(out, k, T::Select(g, v, T::LoadSlopesPart(slopes, k)));
}

// Run with one slope per element (SlopesKernel in kernels.h).
template <class T, Op kOp>
inline void RunSlopes(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                      const void* slopes_p) {
  using S = typename T::Storage;
  using V = typename T::Vec;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const typename T::Slope* slopes = static_cast<const typename T::Slope*>(slopes_p);
  std::size_t i = HeadLength<T>(out, n);
  if (i != 0) SlopesPart<T, kOp>(gate, value, out, i, slopes);
  for (; i + T::kLanes <= n; i += T::kLanes) {
    const V v = T::Load(value + i);
    const V g = kOp == Op::kForward ? v : T::Load(gate + i);
    T::Store(out + i, T::Select(g, v, T::LoadSlopes(slopes + i)));
  }
  if (i < n) SlopesPart<T, kOp>(gate + i, value + i, out + i, n - i, slopes + i);
}

// The gradient of one vector of elements: T::Products gives the float64 products of
// its elements in index order, 8 a vector (prod[c] holds elements 8c .. 8c + 7), and
// take[c] the lanes whose gate is not > 0. A head or tail loads its gate by
// LoadGatePart, whose lanes past the elements hold +1 (> 0): never taken.
// Slots in memory (SlopesGradKernel): element j's slot is slots[j]; only the taken
// lanes are read and written.
template <class T>
inline void AddToSlots(double* slots, typename T::Vec g, typename T::Vec v) {
  __m512d prod[T::kSlotVectors];
  __mmask8 take[T::kSlotVectors];
  T::Products(g, v, prod, take);
  for (std::size_t c = 0; c < T::kSlotVectors; ++c) {
    const __m512d s = _mm512_maskz_loadu_pd(take[c], slots + 8 * c);
    _mm512_mask_storeu_pd(slots + 8 * c, take[c], _mm512_add_pd(s, prod[c]));
  }
}

// Backward with per-element slopes and the gradient (SlopesGradKernel in kernels.h);
// g and v are in registers before out is stored.
template <class T>
inline void RunSlopesGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                          const void* slopes_p, double* slots) {
  using S = typename T::Storage;
  using V = typename T::Vec;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const typename T::Slope* slopes = static_cast<const typename T::Slope*>(slopes_p);
  std::size_t i = HeadLength<T>(out, n);
  if (i != 0) {
    const typename T::Mask k = T::Lanes(i);
    const V v = T::LoadPart(value, k);
    const V g = T::LoadGatePart(gate, k);
    AddToSlots<T>(slots, g, v);
    T::StorePart(out, k, T::Select(g, v, T::LoadSlopesPart(slopes, k)));
  }
  for (; i + T::kLanes <= n; i += T::kLanes) {
    const V v = T::Load(value + i);
    const V g = T::Load(gate + i);
    AddToSlots<T>(slots + i, g, v);
    T::Store(out + i, T::Select(g, v, T::LoadSlopes(slopes + i)));
  }
  if (i < n) {
    const typename T::Mask k = T::Lanes(n - i);
    const V v = T::LoadPart(value + i, k);
    const V g = T::LoadGatePart(gate + i, k);
    AddToSlots<T>(slots + i, g, v);
    T::StorePart(out + i, k, T::Select(g, v, T::LoadSlopesPart(slopes + i, k)));
  }
}

// The lanes of slots [4q, 4q + 4) below `used` (4 float64 lanes).
KERNEL_CODE inline unsigned QuarterLanes(std::size_t used, std::size_t q) {
  const std::size_t count = used <= 4 * q ? 0 : used - 4 * q;
  return count >= 4 ? 0xFu : (1u << count) - 1u;
}

// A channel run's 32 slots in 4 zmm, in T's lane order: T::LaneProducts gives the
// products of a vector of elements as T's lanes hold them, kSlotVectors zmm, and the
// step's vector u adds into acc + u * kSlotVectors; so the 256-bit half h of acc[c]
// always holds the same 4 slots, those from 4 * T::kSlotQuarter[2c + h] (the elements
// at i % 32 of those 4). Only slots [0, used) are read and written (Lanes: acc[c]'s
// lanes among them); two quarters in a row (every type but bfloat16) go as one zmm.
template <class T>
inline __mmask8 AccumulatorLanes(std::size_t used, std::size_t c) {
  if (used >= kRunSlots) return 0xFF;
  return static_cast<__mmask8>(QuarterLanes(used, T::kSlotQuarter[2 * c]) |
                               QuarterLanes(used, T::kSlotQuarter[2 * c + 1]) << 4);
}

template <class T>
inline void LoadAccumulators(const double* slots, std::size_t used, __m512d* acc) {
  for (std::size_t c = 0; c < kRunSlots / 8; ++c) {
    const std::size_t q0 = T::kSlotQuarter[2 * c], q1 = T::kSlotQuarter[2 * c + 1];
    const __mmask8 k = AccumulatorLanes<T>(used, c);
    if (q1 == q0 + 1) {
      acc[c] = _mm512_maskz_loadu_pd(k, slots + 4 * q0);
    } else {
      const __m256d lo = _mm256_maskz_loadu_pd(k & 0xF, slots + 4 * q0);
      const __m256d hi = _mm256_maskz_loadu_pd(k >> 4, slots + 4 * q1);
      acc[c] = _mm512_insertf64x4(_mm512_castpd256_pd512(lo), hi, 1);
    }
  }
}

template <class T>
inline void StoreAccumulators(double* slots, std::size_t used, const __m512d* acc) {
  for (std::size_t c = 0; c < kRunSlots / 8; ++c) {
    const std::size_t q0 = T::kSlotQuarter[2 * c], q1 = T::kSlotQuarter[2 * c + 1];
    const __mmask8 k = AccumulatorLanes<T>(used, c);
    if (q1 == q0 + 1) {
      _mm512_mask_storeu_pd(slots + 4 * q0, k, acc[c]);
    } else {
      _mm256_mask_storeu_pd(slots + 4 * q0, k & 0xF, _mm512_castpd512_pd256(acc[c]));
      _mm256_mask_storeu_pd(slots + 4 * q1, k >> 4, _mm512_extractf64x4_pd(acc[c], 1));
    }
  }
}

// One vector's products into its accumulators (a lane whose gate is > 0 adds nothing).
template <class T>
inline void AddToAccumulators(__m512d* acc, typename T::Vec g, typename T::Vec v) {
  __m512d prod[T::kSlotVectors];
  __mmask8 take[T::kSlotVectors];
  T::LaneProducts(g, v, prod, take);
  for (std::size_t c = 0; c < T::kSlotVectors; ++c) {
    acc[c] = _mm512_mask_add_pd(acc[c], take[c], acc[c], prod[c]);
  }
}

// A channel run's backward with the gradient (RunGradKernel in kernels.h): steps of
// kRunSlots elements, kRunSlots / kLanes vectors each, the 32 slots in 4 zmm from the
// first element to the last (when n < 32, only slots [0, n) are read and written).
// Elements in memory order from the run's start: no head peel, which would shift the
// element-to-slot lanes. The tail's gates past n are +1 (LoadGatePart): they add nothing.
template <class T>
inline void ChannelRunGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                           double alpha, double* slots) {
  using S = typename T::Storage;
  using V = typename T::Vec;
  constexpr std::size_t kVectors = kRunSlots / T::kLanes;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const V a = T::Set1(alpha);
  const std::size_t used = n < kRunSlots ? n : kRunSlots;
  __m512d acc[kRunSlots / 8];
  LoadAccumulators<T>(slots, used, acc);
  std::size_t i = 0;
  for (; i + kRunSlots <= n; i += kRunSlots) {
    for (std::size_t u = 0; u < kVectors; ++u) {
      const std::size_t p = i + u * T::kLanes;
      const V v = T::Load(value + p);
      const V g = T::Load(gate + p);
      AddToAccumulators<T>(acc + u * T::kSlotVectors, g, v);
      T::Store(out + p, T::Select(g, v, a));
    }
  }
  for (std::size_t u = 0; u < kVectors && i + u * T::kLanes < n; ++u) {
    const std::size_t p = i + u * T::kLanes;
    const std::size_t left = n - p;
    if (left >= T::kLanes) {
      const V v = T::Load(value + p);
      const V g = T::Load(gate + p);
      AddToAccumulators<T>(acc + u * T::kSlotVectors, g, v);
      T::Store(out + p, T::Select(g, v, a));
    } else {
      const typename T::Mask k = T::Lanes(left);
      const V v = T::LoadPart(value + p, k);
      const V g = T::LoadGatePart(gate + p, k);
      AddToAccumulators<T>(acc + u * T::kSlotVectors, g, v);
      T::StorePart(out + p, k, T::Select(g, v, a));
    }
  }
  StoreAccumulators<T>(slots, used, acc);
}

// An element type: Storage is its type in memory, Vec the vector it computes in (a
// 16-bit type loads into float32 lanes and converts back on store; bfloat16 loads its
// kLanes elements into a pair of float32 vectors); Slope the type of its slopes
// (its compute type) and LoadSlopes the alpha vector of kLanes of them; LoadGatePart
// as LoadPart, but +1 in the lanes past `k` (a gate the gradient never takes);
// Products the gradient's float64 products in index order (kSlotVectors zmm a Vec,
// see AddToSlots), LaneProducts the same in T's lane order, kSlotQuarter its slots
// (see LoadAccumulators); then its kernels, the entries of its table row.

// The float32 lanes' operations that the 16-bit types compute with too; F32
// (kernels_avx512.cc) is an element type made of these.
struct F32Lanes {
  using Vec = __m512;
  using Mask = __mmask16;
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    const Mask not_positive = _mm512_cmp_ps_mask(gate, _mm512_setzero_ps(), _CMP_NGT_UQ);
    return _mm512_mask_mul_ps(v, not_positive, v, alpha);
  }
  // Float32 lanes 0-7 and 8-15 widened (exactly) to float64.
  KERNEL_CODE static __m512d Low(Vec x) { return _mm512_cvtps_pd(_mm512_castps512_ps256(x)); }
  KERNEL_CODE static __m512d High(Vec x) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
  }
  // The compare is Select's (one instruction for both once inlined).
  KERNEL_CODE static void Products(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    const Mask not_positive = _mm512_cmp_ps_mask(gate, _mm512_setzero_ps(), _CMP_NGT_UQ);
    take[0] = static_cast<__mmask8>(not_positive);
    take[1] = static_cast<__mmask8>(_kshiftri_mask16(not_positive, 8));
    prod[0] = _mm512_mul_pd(Low(v), Low(gate));
    prod[1] = _mm512_mul_pd(High(v), High(gate));
  }
};

// T's row of the table: its entries, in the lr_avx512 section.
template <class T>
constexpr KernelRow RowOf() {
  return {"avx512",
          {T::Forward, T::Backward},
          {T::ForwardSlopes, T::BackwardSlopes},
          T::SlopesGrad,
          T::RunGrad};
}

}  // namespace
}  // namespace leaky_relu

#endif  // LEAKY_RELU_KERNELS_AVX512_BODY_H_
