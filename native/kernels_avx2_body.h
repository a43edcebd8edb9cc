// The AVX2 kernels' bodies, for the files that define the AVX2 rows and only for them:
// kernels_avx2.cc (float32, float64, the set) and kernels_avx2_half.cc (float16,
// bfloat16), compiled with -mavx2 -mf16c as nothing else in the binary is. So this
// header includes only the kernel headers and <immintrin.h>.
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
// Per-element slopes (PReLU) load the alpha vector from the slopes array, in the
// lanes' layout (bfloat16's Vec pair is permuted, so are its slopes). The gradient
// kernels widen each element's factors to float64 lanes in index order, and a blendv
// on the NGT_UQ compare (true for NaN) takes slot + product there and keeps the slot
// elsewhere (the product, maybe Inf or NaN, never enters). No FMA: without -mfma GCC
// cannot fuse the multiply and the add (and the whole target has -ffp-contract=off).
#ifndef LEAKY_RELU_KERNELS_AVX2_BODY_H_
#define LEAKY_RELU_KERNELS_AVX2_BODY_H_

#if !defined(__AVX2__)
#error "for the files built with the AVX2 flags only (CMakeLists.txt)"
#endif

#include <immintrin.h>

#include <cstdint>

#include "kernels.h"
#include "kernel_section.h"

namespace leaky_relu {
namespace {

// Everything of these files goes into the lr_avx2 section (see kernel_section.h for why
// and how, and for what they must not instantiate): the packaging test checks that no
// code outside the AVX2 sections touches ymm registers.
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

// Part with per-element slopes.
template <class T, Op kOp>
inline void SlopesPart(const typename T::Storage* gate, const typename T::Storage* value,
                       typename T::Storage* out, std::size_t count,
                       const typename T::Slope* slopes) {
  const typename T::Mask mask = T::Lanes(count);
  const typename T::Vec v = T::LoadPart(value, mask);
  const typename T::Vec g = kOp == Op::kForward ? v : T::LoadPart(gate, mask);
  T::StorePart(out, mask, T::Select(g, v, T::LoadSlopesPart(slopes, count)));
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

// Of `count` lanes from the first, how many fall in the 4 lanes from `first` (0 to 4).
KERNEL_CODE inline std::size_t LanesFrom(std::size_t count, std::size_t first) {
  return count <= first ? 0 : count - first >= 4 ? 4 : count - first;
}

// The first `count` (at most 4) float64 lanes, as a maskload/maskstore/blendv mask.
KERNEL_CODE inline __m256i SlotLanes(std::size_t count) {
  alignas(32) static constexpr std::int64_t kSlotMask[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kSlotMask + 4 - count));
}

// The float64 products of 4 float32 lanes (both widened exactly) and the lanes whose
// gate is not > 0 among the first `count` (count >= 4: all four).
KERNEL_CODE inline void WidenedProducts(__m128 gate, __m128 v, std::size_t count, __m256d* prod,
                                        __m256d* take) {
  const __m256d g = _mm256_cvtps_pd(gate);
  *prod = _mm256_mul_pd(_mm256_cvtps_pd(v), g);
  *take = _mm256_cmp_pd(g, _mm256_setzero_pd(), _CMP_NGT_UQ);
  if (count < 4) *take = _mm256_and_pd(*take, _mm256_castsi256_pd(SlotLanes(count)));
}

// The gradient of one vector of elements, the first `count` of them in memory:
// T::Products gives the float64 products of its elements in index order, 4 a vector
// (prod[c] holds elements 4c .. 4c + 3), and take[c] the lanes among those whose gate
// is not > 0. Slots in memory (SlopesGradKernel): element j's slot is slots[j]; the
// lanes past `count` are neither read nor written.
template <class T>
inline void AddToSlots(double* slots, typename T::Vec g, typename T::Vec v, std::size_t count) {
  __m256d prod[T::kSlotVectors], take[T::kSlotVectors];
  T::Products(g, v, count, prod, take);
  for (std::size_t c = 0; c < T::kSlotVectors; ++c) {
    if (count >= T::kLanes) {
      const __m256d s = _mm256_loadu_pd(slots + 4 * c);
      _mm256_storeu_pd(slots + 4 * c, _mm256_blendv_pd(s, _mm256_add_pd(s, prod[c]), take[c]));
    } else if (count > 4 * c) {
      const __m256i lanes = SlotLanes(LanesFrom(count, 4 * c));
      const __m256d s = _mm256_maskload_pd(slots + 4 * c, lanes);
      _mm256_maskstore_pd(slots + 4 * c, lanes,
                          _mm256_blendv_pd(s, _mm256_add_pd(s, prod[c]), take[c]));
    }
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
    const typename T::Mask mask = T::Lanes(i);
    const V v = T::LoadPart(value, mask);
    const V g = T::LoadPart(gate, mask);
    AddToSlots<T>(slots, g, v, i);
    T::StorePart(out, mask, T::Select(g, v, T::LoadSlopesPart(slopes, i)));
  }
  for (; i + T::kLanes <= n; i += T::kLanes) {
    const V v = T::Load(value + i);
    const V g = T::Load(gate + i);
    AddToSlots<T>(slots + i, g, v, T::kLanes);
    T::Store(out + i, T::Select(g, v, T::LoadSlopes(slopes + i)));
  }
  if (i < n) {
    const typename T::Mask mask = T::Lanes(n - i);
    const V v = T::LoadPart(value + i, mask);
    const V g = T::LoadPart(gate + i, mask);
    AddToSlots<T>(slots + i, g, v, n - i);
    T::StorePart(out + i, mask, T::Select(g, v, T::LoadSlopesPart(slopes + i, n - i)));
  }
}

// A channel run's gradient in registers: element j of the run adds to lane j % 32 of
// acc (acc[c] holds the slots 4c .. 4c + 3), its vector u of a step being elements
// u * kLanes .. of the step's 32: acc + u * kSlotVectors. Lanes past `count` add nothing.
template <class T>
inline void AddToAccumulators(__m256d* acc, typename T::Vec g, typename T::Vec v, std::size_t count) {
  __m256d prod[T::kSlotVectors], take[T::kSlotVectors];
  T::Products(g, v, count, prod, take);
  for (std::size_t c = 0; c < T::kSlotVectors; ++c) {
    acc[c] = _mm256_blendv_pd(acc[c], _mm256_add_pd(acc[c], prod[c]), take[c]);
  }
}

// A channel run's backward with the gradient (RunGradKernel in kernels.h): steps of
// kRunSlots elements, kRunSlots / kLanes vectors each, the 32 slots in 8 ymm from the
// first element to the last (when n < 32, only slots [0, n) are read and written).
// Elements in memory order from the run's start: no head peel, which would shift the
// element-to-slot lanes.
template <class T>
inline void ChannelRunGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                           double alpha, double* slots) {
  using S = typename T::Storage;
  using V = typename T::Vec;
  constexpr std::size_t kVectors = kRunSlots / T::kLanes;
  constexpr std::size_t kAccumulators = kRunSlots / 4;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const V a = T::Set1(alpha);
  __m256d acc[kAccumulators];
  for (std::size_t c = 0; c < kAccumulators; ++c) {
    acc[c] = n >= kRunSlots ? _mm256_loadu_pd(slots + 4 * c)
                            : _mm256_maskload_pd(slots + 4 * c, SlotLanes(LanesFrom(n, 4 * c)));
  }
  std::size_t i = 0;
  for (; i + kRunSlots <= n; i += kRunSlots) {
    for (std::size_t u = 0; u < kVectors; ++u) {
      const std::size_t p = i + u * T::kLanes;
      const V v = T::Load(value + p);
      const V g = T::Load(gate + p);
      AddToAccumulators<T>(acc + u * T::kSlotVectors, g, v, T::kLanes);
      T::Store(out + p, T::Select(g, v, a));
    }
  }
  for (std::size_t u = 0; u < kVectors && i + u * T::kLanes < n; ++u) {
    const std::size_t p = i + u * T::kLanes;
    const std::size_t left = n - p;
    if (left >= T::kLanes) {
      const V v = T::Load(value + p);
      const V g = T::Load(gate + p);
      AddToAccumulators<T>(acc + u * T::kSlotVectors, g, v, T::kLanes);
      T::Store(out + p, T::Select(g, v, a));
    } else {
      const typename T::Mask mask = T::Lanes(left);
      const V v = T::LoadPart(value + p, mask);
      const V g = T::LoadPart(gate + p, mask);
      AddToAccumulators<T>(acc + u * T::kSlotVectors, g, v, left);
      T::StorePart(out + p, mask, T::Select(g, v, a));
    }
  }
  for (std::size_t c = 0; c < kAccumulators; ++c) {
    if (n >= kRunSlots) {
      _mm256_storeu_pd(slots + 4 * c, acc[c]);
    } else {
      _mm256_maskstore_pd(slots + 4 * c, SlotLanes(LanesFrom(n, 4 * c)), acc[c]);
    }
  }
}

// An element type: Storage is its type in memory, Vec the vector it computes in (a
// 16-bit type loads into float32 lanes and converts back on store; bfloat16 loads its
// kLanes elements into a pair of float32 vectors); Slope the type of its slopes (its
// compute type) and LoadSlopes the alpha vector of kLanes of them (LoadSlopesPart: the
// first `count`, never touching the others); Products the gradient's float64
// products (kSlotVectors ymm a Vec, see AddToSlots); then its kernels, the entries of
// its table row.

// The float32 lanes' operations that the 16-bit types compute with too; F32
// (kernels_avx2.cc) is an element type made of these.
struct F32Lanes {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr std::size_t kLanes = 8;
  alignas(32) static constexpr std::int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                         0,  0,  0,  0,  0,  0,  0,  0};
  // Lanes(r) loads kLanes entries from kMask + kLanes - r: r all-ones lanes, then zeros.
  KERNEL_CODE static Mask Lanes(std::size_t count) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + kLanes - count));
  }
  KERNEL_CODE static Vec Select(Vec gate, Vec v, Vec alpha) {
    const Vec positive = _mm256_cmp_ps(gate, _mm256_setzero_ps(), _CMP_GT_OQ);
    return _mm256_blendv_ps(_mm256_mul_ps(v, alpha), v, positive);
  }
};

// T's row of the table: its entries, in the lr_avx2 section.
template <class T>
constexpr KernelRow RowOf() {
  return {"avx2",
          {T::Forward, T::Backward},
          {T::ForwardSlopes, T::BackwardSlopes},
          T::SlopesGrad,
          T::RunGrad};
}

}  // namespace
}  // namespace leaky_relu

#endif  // LEAKY_RELU_KERNELS_AVX2_BODY_H_
