// NEON kernels for aarch64, where NEON is baseline: compiled only for arm64 builds.
// vcgtq gives all-ones for x > 0 (false for NaN) and vbslq takes x there and
// alpha * x elsewhere: select semantics, one rounding, no FMA.
// Unrolled to four vector loads an iteration (4 vectors of x forward, 2 of dy and 2 of
// x backward), then single vectors, then a scalar tail. The x86 files dropped their
// unroll because it measured 15-20% slower out of L2 there; that says nothing of arm64
// cores, and this unroll was never measured either way (no arm64 machine here), so it
// stays as it was until it can be.
// float16 converts by FCVTL/FCVTN (vcvt_f32_f16, vcvt_f16_f32: baseline armv8-a);
// FCVTN rounds as FPCR.RMode says, round to nearest even unless someone changed it
// (Linux, macOS and Windows start every thread so; Node does not change it), and with
// FPCR.FZ16/FZ clear (the default) keeps subnormals. bfloat16 by integer operations.
// The scalar tail of the 16-bit types converts in lane 0 of a vector, with the very
// instructions of the vector loop.
// Per-element slopes load the alpha vector from the slopes array. The gradient kernels
// widen each element's factors to float64 lanes in index order, and vbslq on the
// vcgtq compare keeps the slot where the gate is > 0 and takes slot + product
// elsewhere (NaN included; the product, maybe Inf or NaN, never enters a kept slot).
// The multiply and the add must stay two roundings: GCC and clang for aarch64 fuse
// them into FMLA/FMADD unless told not to, and the whole target has -ffp-contract=off
// (CMakeLists.txt) for that; vmulq_f64/vaddq_f64 are plain vector operators to GCC.
#include <arm_neon.h>

#include <cstdint>

#include "kernels.h"

namespace leaky_relu {
namespace {

// kVectors consecutive vectors: all loads first, then the stores.
template <class T, Op kOp, std::size_t kVectors>
inline void Step(const typename T::Storage* gate, const typename T::Storage* value,
                 typename T::Storage* out, typename T::Compute a) {
  typename T::Vec v[kVectors], g[kVectors];
  for (std::size_t u = 0; u < kVectors; ++u) v[u] = T::Load(value + u * T::kLanes);
  for (std::size_t u = 0; u < kVectors; ++u) {
    g[u] = kOp == Op::kForward ? v[u] : T::Load(gate + u * T::kLanes);
  }
  for (std::size_t u = 0; u < kVectors; ++u) {
    T::Store(out + u * T::kLanes, T::Select(g[u], v[u], a));
  }
}

// The one body of this file's kernels (Kernel in kernels.h); forward loads x once.
template <class T, Op kOp>
void Run(const void* gate_p, const void* value_p, void* out_p, std::size_t n, double alpha) {
  using S = typename T::Storage;
  using C = typename T::Compute;
  constexpr std::size_t kUnroll = kOp == Op::kForward ? 4 : 2;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const C a = T::Alpha(alpha);
  std::size_t i = 0;
  for (; i + kUnroll * T::kLanes <= n; i += kUnroll * T::kLanes) {
    Step<T, kOp, kUnroll>(gate + i, value + i, out + i, a);
  }
  for (; i + T::kLanes <= n; i += T::kLanes) Step<T, kOp, 1>(gate + i, value + i, out + i, a);
  for (; i < n; ++i) {
    const C v = T::ToCompute(value[i]);
    const C g = kOp == Op::kForward ? v : T::ToCompute(gate[i]);
    out[i] = T::ToStorage(g > C(0) ? v : a * v);
  }
}

// Step with per-element slopes.
template <class T, Op kOp, std::size_t kVectors>
inline void SlopesStep(const typename T::Storage* gate, const typename T::Storage* value,
                       typename T::Storage* out, const typename T::Compute* slopes) {
  typename T::Vec v[kVectors], g[kVectors];
  for (std::size_t u = 0; u < kVectors; ++u) v[u] = T::Load(value + u * T::kLanes);
  for (std::size_t u = 0; u < kVectors; ++u) {
    g[u] = kOp == Op::kForward ? v[u] : T::Load(gate + u * T::kLanes);
  }
  for (std::size_t u = 0; u < kVectors; ++u) {
    T::Store(out + u * T::kLanes, T::Select(g[u], v[u], T::LoadSlopes(slopes + u * T::kLanes)));
  }
}

// Run with one slope per element (SlopesKernel in kernels.h), unrolled as Run.
template <class T, Op kOp>
void RunSlopes(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
               const void* slopes_p) {
  using S = typename T::Storage;
  using C = typename T::Compute;
  constexpr std::size_t kUnroll = kOp == Op::kForward ? 4 : 2;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const C* slopes = static_cast<const C*>(slopes_p);
  std::size_t i = 0;
  for (; i + kUnroll * T::kLanes <= n; i += kUnroll * T::kLanes) {
    SlopesStep<T, kOp, kUnroll>(gate + i, value + i, out + i, slopes + i);
  }
  for (; i + T::kLanes <= n; i += T::kLanes) {
    SlopesStep<T, kOp, 1>(gate + i, value + i, out + i, slopes + i);
  }
  for (; i < n; ++i) {
    const C v = T::ToCompute(value[i]);
    const C g = kOp == Op::kForward ? v : T::ToCompute(gate[i]);
    out[i] = T::ToStorage(g > C(0) ? v : slopes[i] * v);
  }
}

// The slot after one element, for the scalar tails: slot + double(v) * double(g) where
// g is not > 0 (NaN included), the slot itself elsewhere.
template <class C>
inline double Slot(double slot, C v, C g) {
  const double sum = slot + static_cast<double>(v) * static_cast<double>(g);
  return g > C(0) ? slot : sum;
}

// The gradient of one vector: T::Products gives the float64 products of its elements in
// index order, 2 a vector (prod[c] holds elements 2c, 2c + 1), and keep[c] the lanes
// whose gate is > 0. Each slot vector takes slot + product except where kept.
template <class T>
inline void AddProducts(float64x2_t* slot, typename T::Vec g, typename T::Vec v) {
  float64x2_t prod[T::kSlotVectors];
  uint64x2_t keep[T::kSlotVectors];
  T::Products(g, v, prod, keep);
  for (std::size_t c = 0; c < T::kSlotVectors; ++c) {
    slot[c] = vbslq_f64(keep[c], slot[c], vaddq_f64(slot[c], prod[c]));
  }
}

// Backward with per-element slopes and the gradient (SlopesGradKernel in kernels.h):
// slot i in memory takes element i; g and v are loaded before out is stored.
template <class T>
void RunSlopesGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                   const void* slopes_p, double* slots) {
  using S = typename T::Storage;
  using C = typename T::Compute;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const C* slopes = static_cast<const C*>(slopes_p);
  std::size_t i = 0;
  for (; i + T::kLanes <= n; i += T::kLanes) {
    const typename T::Vec v = T::Load(value + i);
    const typename T::Vec g = T::Load(gate + i);
    float64x2_t slot[T::kSlotVectors];
    for (std::size_t c = 0; c < T::kSlotVectors; ++c) slot[c] = vld1q_f64(slots + i + 2 * c);
    AddProducts<T>(slot, g, v);
    for (std::size_t c = 0; c < T::kSlotVectors; ++c) vst1q_f64(slots + i + 2 * c, slot[c]);
    T::Store(out + i, T::Select(g, v, T::LoadSlopes(slopes + i)));
  }
  for (; i < n; ++i) {
    const C v = T::ToCompute(value[i]);
    const C g = T::ToCompute(gate[i]);
    slots[i] = Slot(slots[i], v, g);
    out[i] = T::ToStorage(g > C(0) ? v : slopes[i] * v);
  }
}

// A channel run's backward with the gradient (RunGradKernel in kernels.h): steps of
// kRunSlots elements, the 32 slots in 16 q registers (acc[c] holds slots 2c, 2c + 1)
// from the first step to the last; then the tail of fewer than 32 elements, which
// come after all of them, adds to slots[j] in memory, in increasing j.
template <class T>
void ChannelRunGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                    double alpha, double* slots) {
  using S = typename T::Storage;
  using C = typename T::Compute;
  constexpr std::size_t kVectors = kRunSlots / T::kLanes;
  constexpr std::size_t kAccumulators = kRunSlots / 2;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const C a = T::Alpha(alpha);
  std::size_t i = 0;
  if (n >= kRunSlots) {
    float64x2_t acc[kAccumulators];
    for (std::size_t c = 0; c < kAccumulators; ++c) acc[c] = vld1q_f64(slots + 2 * c);
    for (; i + kRunSlots <= n; i += kRunSlots) {
      for (std::size_t u = 0; u < kVectors; ++u) {
        const std::size_t p = i + u * T::kLanes;
        const typename T::Vec v = T::Load(value + p);
        const typename T::Vec g = T::Load(gate + p);
        AddProducts<T>(acc + u * T::kSlotVectors, g, v);
        T::Store(out + p, T::Select(g, v, a));
      }
    }
    for (std::size_t c = 0; c < kAccumulators; ++c) vst1q_f64(slots + 2 * c, acc[c]);
  }
  for (std::size_t j = 0; i + j < n; ++j) {
    const C v = T::ToCompute(value[i + j]);
    const C g = T::ToCompute(gate[i + j]);
    slots[j] = Slot(slots[j], v, g);
    out[i + j] = T::ToStorage(g > C(0) ? v : a * v);
  }
}

// An element type: Storage is its type in memory, Vec and Compute the vector and the
// scalar it computes in (a 16-bit type widens to float32 on load and narrows back on
// store); LoadSlopes the alpha vector of kLanes slopes (in Compute); Products the
// gradient's float64 products (kSlotVectors q registers a Vec, see AddProducts).
struct F32 {
  using Storage = float;
  using Vec = float32x4_t;
  using Compute = float;
  static constexpr std::size_t kLanes = 4;
  static Compute Alpha(double alpha) { return static_cast<float>(alpha); }
  static Vec Load(const Storage* p) { return vld1q_f32(p); }
  static void Store(Storage* p, Vec v) { vst1q_f32(p, v); }
  static Compute ToCompute(Storage s) { return s; }
  static Storage ToStorage(Compute c) { return c; }
  static Vec Select(Vec gate, Vec v, Compute alpha) {
    return vbslq_f32(vcgtq_f32(gate, vdupq_n_f32(0.0f)), v, vmulq_n_f32(v, alpha));
  }
  static Vec Select(Vec gate, Vec v, Vec alpha) {
    return vbslq_f32(vcgtq_f32(gate, vdupq_n_f32(0.0f)), v, vmulq_f32(v, alpha));
  }
  static Vec LoadSlopes(const Compute* p) { return vld1q_f32(p); }
  static constexpr std::size_t kSlotVectors = 2;
  static void Products(Vec gate, Vec v, float64x2_t* prod, uint64x2_t* keep) {
    const float64x2_t g0 = vcvt_f64_f32(vget_low_f32(gate));
    const float64x2_t g1 = vcvt_high_f64_f32(gate);
    prod[0] = vmulq_f64(vcvt_f64_f32(vget_low_f32(v)), g0);
    prod[1] = vmulq_f64(vcvt_high_f64_f32(v), g1);
    keep[0] = vcgtq_f64(g0, vdupq_n_f64(0.0));
    keep[1] = vcgtq_f64(g1, vdupq_n_f64(0.0));
  }
};

struct F64 {
  using Storage = double;
  using Vec = float64x2_t;
  using Compute = double;
  static constexpr std::size_t kLanes = 2;
  static Compute Alpha(double alpha) { return alpha; }
  static Vec Load(const Storage* p) { return vld1q_f64(p); }
  static void Store(Storage* p, Vec v) { vst1q_f64(p, v); }
  static Compute ToCompute(Storage s) { return s; }
  static Storage ToStorage(Compute c) { return c; }
  static Vec Select(Vec gate, Vec v, Compute alpha) {
    return vbslq_f64(vcgtq_f64(gate, vdupq_n_f64(0.0)), v, vmulq_n_f64(v, alpha));
  }
  static Vec Select(Vec gate, Vec v, Vec alpha) {
    return vbslq_f64(vcgtq_f64(gate, vdupq_n_f64(0.0)), v, vmulq_f64(v, alpha));
  }
  static Vec LoadSlopes(const Compute* p) { return vld1q_f64(p); }
  static constexpr std::size_t kSlotVectors = 1;
  static void Products(Vec gate, Vec v, float64x2_t* prod, uint64x2_t* keep) {
    prod[0] = vmulq_f64(v, gate);
    keep[0] = vcgtq_f64(gate, vdupq_n_f64(0.0));
  }
};

// The 16-bit types: 4 elements (64 bits) widen to 4 float32 lanes, compute as F32,
// narrow back; for x > 0 the narrowing of the widened x gives x's bits back.
// Conv supplies Widen (4 elements to float32 lanes) and Narrow (back), and the
// gradient's Products.
template <class Conv>
struct Half {
  using Storage = std::uint16_t;
  using Vec = float32x4_t;
  using Compute = float;
  static constexpr std::size_t kLanes = 4;
  static Compute Alpha(double alpha) { return ToCompute(ToStorage(static_cast<float>(alpha))); }
  static Vec Load(const Storage* p) { return Conv::Widen(vld1_u16(p)); }
  static void Store(Storage* p, Vec v) { vst1_u16(p, Conv::Narrow(v)); }
  static Compute ToCompute(Storage s) { return vgetq_lane_f32(Conv::Widen(vdup_n_u16(s)), 0); }
  static Storage ToStorage(Compute c) { return vget_lane_u16(Conv::Narrow(vdupq_n_f32(c)), 0); }
  static Vec Select(Vec gate, Vec v, Compute alpha) { return F32::Select(gate, v, alpha); }
  static Vec Select(Vec gate, Vec v, Vec alpha) { return F32::Select(gate, v, alpha); }
  static Vec LoadSlopes(const Compute* p) { return vld1q_f32(p); }
  static constexpr std::size_t kSlotVectors = 2;
  static void Products(Vec gate, Vec v, float64x2_t* prod, uint64x2_t* keep) {
    Conv::Products(gate, v, prod, keep);
  }
};

// The float32 product of two float16 values is exact (at most 22 significant bits,
// magnitudes in [2^-48, 2^32)), so it widens to the float64 product itself: one
// multiply for 4 lanes. A NaN is the same one either way (widening keeps it).
struct F16Conv {
  static float32x4_t Widen(uint16x4_t h) { return vcvt_f32_f16(vreinterpret_f16_u16(h)); }
  static uint16x4_t Narrow(float32x4_t v) { return vreinterpret_u16_f16(vcvt_f16_f32(v)); }
  static void Products(float32x4_t gate, float32x4_t v, float64x2_t* prod, uint64x2_t* keep) {
    const float32x4_t product = vmulq_f32(v, gate);
    prod[0] = vcvt_f64_f32(vget_low_f32(product));
    prod[1] = vcvt_high_f64_f32(product);
    const int32x4_t positive = vreinterpretq_s32_u32(vcgtq_f32(gate, vdupq_n_f32(0.0f)));
    keep[0] = vreinterpretq_u64_s64(vmovl_s32(vget_low_s32(positive)));
    keep[1] = vreinterpretq_u64_s64(vmovl_high_s32(positive));
  }
};

// bfloat16 is the upper half of a float32: widen by a shift, narrow by round to
// nearest even on the upper half, NaN made quiet (a payload in the low 16 bits only
// would otherwise round to Inf).
struct BF16Conv {
  static float32x4_t Widen(uint16x4_t b) { return vreinterpretq_f32_u32(vshll_n_u16(b, 16)); }
  static uint16x4_t Narrow(float32x4_t v) {
    const uint32x4_t u = vreinterpretq_u32_f32(v);
    const uint32x4_t lsb = vandq_u32(vshrq_n_u32(u, 16), vdupq_n_u32(1));
    const uint16x4_t rounded = vshrn_n_u32(vaddq_u32(vaddq_u32(u, vdupq_n_u32(0x7FFF)), lsb), 16);
    const uint16x4_t nan =
        vmovn_u32(vcgtq_u32(vandq_u32(u, vdupq_n_u32(0x7FFFFFFF)), vdupq_n_u32(0x7F800000)));
    const uint16x4_t quiet = vorr_u16(vshrn_n_u32(u, 16), vdup_n_u16(0x40));
    return vbsl_u16(nan, quiet, rounded);
  }
  // The products of two bfloat16 values need float64 (their float32 product can
  // overflow or underflow): as F32.
  static void Products(float32x4_t gate, float32x4_t v, float64x2_t* prod, uint64x2_t* keep) {
    F32::Products(gate, v, prod, keep);
  }
};

using F16 = Half<F16Conv>;
using BF16 = Half<BF16Conv>;

// T's row of the table.
template <class T>
constexpr KernelRow RowOf() {
  return {"neon",
          {Run<T, Op::kForward>, Run<T, Op::kBackward>},
          {RunSlopes<T, Op::kForward>, RunSlopes<T, Op::kBackward>},
          RunSlopesGrad<T>,
          ChannelRunGrad<T>};
}

const KernelRow kF32Row = RowOf<F32>();
const KernelRow kF64Row = RowOf<F64>();
const KernelRow kF16Row = RowOf<F16>();
const KernelRow kBF16Row = RowOf<BF16>();

}  // namespace

// One row per Dtype, in its order.
const KernelSet kNeonKernels = {"neon", {&kF32Row, &kF64Row, &kF16Row, &kBF16Row}};

}  // namespace leaky_relu
