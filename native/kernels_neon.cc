// NEON kernels for aarch64, where NEON is baseline: compiled only for arm64 builds.
// vcgtq gives all-ones for x > 0 (false for NaN) and vbslq takes x there and
// alpha * x elsewhere: select semantics, one rounding, no FMA.
#include <arm_neon.h>

#include "kernels.h"

namespace leaky_relu {
namespace {

inline float32x4_t Select32(float32x4_t x, float32x4_t v, float alpha) {
  return vbslq_f32(vcgtq_f32(x, vdupq_n_f32(0.0f)), v, vmulq_n_f32(v, alpha));
}

inline float64x2_t Select64(float64x2_t x, float64x2_t v, double alpha) {
  return vbslq_f64(vcgtq_f64(x, vdupq_n_f64(0.0)), v, vmulq_n_f64(v, alpha));
}

void ForwardF32Neon(const float* x, float* y, std::size_t n, float alpha) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const float32x4_t v0 = vld1q_f32(x + i);
    const float32x4_t v1 = vld1q_f32(x + i + 4);
    const float32x4_t v2 = vld1q_f32(x + i + 8);
    const float32x4_t v3 = vld1q_f32(x + i + 12);
    vst1q_f32(y + i, Select32(v0, v0, alpha));
    vst1q_f32(y + i + 4, Select32(v1, v1, alpha));
    vst1q_f32(y + i + 8, Select32(v2, v2, alpha));
    vst1q_f32(y + i + 12, Select32(v3, v3, alpha));
  }
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    vst1q_f32(y + i, Select32(v, v, alpha));
  }
  for (; i < n; ++i) {
    const float v = x[i];
    y[i] = v > 0.0f ? v : alpha * v;
  }
}

void ForwardF64Neon(const double* x, double* y, std::size_t n, double alpha) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float64x2_t v0 = vld1q_f64(x + i);
    const float64x2_t v1 = vld1q_f64(x + i + 2);
    const float64x2_t v2 = vld1q_f64(x + i + 4);
    const float64x2_t v3 = vld1q_f64(x + i + 6);
    vst1q_f64(y + i, Select64(v0, v0, alpha));
    vst1q_f64(y + i + 2, Select64(v1, v1, alpha));
    vst1q_f64(y + i + 4, Select64(v2, v2, alpha));
    vst1q_f64(y + i + 6, Select64(v3, v3, alpha));
  }
  for (; i + 2 <= n; i += 2) {
    const float64x2_t v = vld1q_f64(x + i);
    vst1q_f64(y + i, Select64(v, v, alpha));
  }
  for (; i < n; ++i) {
    const double v = x[i];
    y[i] = v > 0.0 ? v : alpha * v;
  }
}

void BackwardF32Neon(const float* dy, const float* x, float* dx, std::size_t n, float alpha) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t g0 = vld1q_f32(dy + i);
    const float32x4_t g1 = vld1q_f32(dy + i + 4);
    const float32x4_t x0 = vld1q_f32(x + i);
    const float32x4_t x1 = vld1q_f32(x + i + 4);
    vst1q_f32(dx + i, Select32(x0, g0, alpha));
    vst1q_f32(dx + i + 4, Select32(x1, g1, alpha));
  }
  for (; i + 4 <= n; i += 4) {
    vst1q_f32(dx + i, Select32(vld1q_f32(x + i), vld1q_f32(dy + i), alpha));
  }
  for (; i < n; ++i) {
    const float g = dy[i];
    dx[i] = x[i] > 0.0f ? g : alpha * g;
  }
}

void BackwardF64Neon(const double* dy, const double* x, double* dx, std::size_t n, double alpha) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float64x2_t g0 = vld1q_f64(dy + i);
    const float64x2_t g1 = vld1q_f64(dy + i + 2);
    const float64x2_t x0 = vld1q_f64(x + i);
    const float64x2_t x1 = vld1q_f64(x + i + 2);
    vst1q_f64(dx + i, Select64(x0, g0, alpha));
    vst1q_f64(dx + i + 2, Select64(x1, g1, alpha));
  }
  for (; i + 2 <= n; i += 2) {
    vst1q_f64(dx + i, Select64(vld1q_f64(x + i), vld1q_f64(dy + i), alpha));
  }
  for (; i < n; ++i) {
    const double g = dy[i];
    dx[i] = x[i] > 0.0 ? g : alpha * g;
  }
}

}  // namespace

const KernelSet kNeonKernels = {"neon", ForwardF32Neon, ForwardF64Neon, BackwardF32Neon,
                                BackwardF64Neon};

}  // namespace leaky_relu
