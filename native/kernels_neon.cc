// NEON kernels for aarch64, where NEON is baseline: compiled only for arm64 builds.
// vcgtq gives all-ones for x > 0 (false for NaN) and vbslq takes x there and
// alpha * x elsewhere: select semantics, one rounding, no FMA.
// Unrolled to four vector loads an iteration (4 vectors of x forward, 2 of dy and 2 of
// x backward), then single vectors, then a scalar tail. The x86 files dropped their
// unroll because it measured 15-20% slower out of L2 there; that says nothing of arm64
// cores, and this unroll was never measured either way (no arm64 machine here), so it
// stays as it was until it can be.
#include <arm_neon.h>

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
// scalar it computes in (a 16-bit type would widen to float32 on load and narrow back
// on store).
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

}  // namespace

// One row per Dtype, in its order.
const KernelSet kNeonKernels = {"neon",
                                {{Run<F32, Op::kForward>, Run<F32, Op::kBackward>},
                                 {Run<F64, Op::kForward>, Run<F64, Op::kBackward>}}};

}  // namespace leaky_relu
