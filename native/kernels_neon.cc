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

// An element type: Storage is its type in memory, Vec and Compute the vector and the
// scalar it computes in (a 16-bit type widens to float32 on load and narrows back on
// store).
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
};

// The 16-bit types: 4 elements (64 bits) widen to 4 float32 lanes, compute as F32,
// narrow back; for x > 0 the narrowing of the widened x gives x's bits back.
// Conv supplies Widen (4 elements to float32 lanes) and Narrow (back).
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
};

struct F16Conv {
  static float32x4_t Widen(uint16x4_t h) { return vcvt_f32_f16(vreinterpret_f16_u16(h)); }
  static uint16x4_t Narrow(float32x4_t v) { return vreinterpret_u16_f16(vcvt_f16_f32(v)); }
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
};

using F16 = Half<F16Conv>;
using BF16 = Half<BF16Conv>;

}  // namespace

// One row per Dtype, in its order.
const KernelSet kNeonKernels = {"neon",
                                {{Run<F32, Op::kForward>, Run<F32, Op::kBackward>},
                                 {Run<F64, Op::kForward>, Run<F64, Op::kBackward>},
                                 {Run<F16, Op::kForward>, Run<F16, Op::kBackward>},
                                 {Run<BF16, Op::kForward>, Run<BF16, Op::kBackward>}},
                                {"neon", "neon", "neon", "neon"}};

}  // namespace leaky_relu
