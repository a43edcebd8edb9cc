// AVX2 kernels: the float32 and float64 rows, and the AVX2 set. The templates are in
// kernels_avx2_body.h (which says what this file may include), the 16-bit rows in
// kernels_avx2_half.cc.
#include "kernels_avx2_body.h"

namespace leaky_relu {
namespace {

// float32: F32Lanes (Vec, Mask, kLanes, Lanes, Select) and the rest of an element type.
struct F32 : F32Lanes {
  using Storage = float;
  KERNEL_CODE static Vec Set1(double alpha) { return _mm256_set1_ps(static_cast<float>(alpha)); }
  KERNEL_CODE static Vec Load(const Storage* p) { return _mm256_loadu_ps(p); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm256_storeu_ps(p, v); }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask m) { return _mm256_maskload_ps(p, m); }
  KERNEL_CODE static void StorePart(Storage* p, Mask m, Vec v) { _mm256_maskstore_ps(p, m, v); }
  using Slope = float;
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) { return _mm256_loadu_ps(p); }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, std::size_t count) {
    return _mm256_maskload_ps(p, Lanes(count));
  }
  static constexpr std::size_t kSlotVectors = 2;
  KERNEL_CODE static void Products(Vec gate, Vec v, std::size_t count, __m256d* prod, __m256d* take) {
    WidenedProducts(_mm256_castps256_ps128(gate), _mm256_castps256_ps128(v), count, prod, take);
    WidenedProducts(_mm256_extractf128_ps(gate, 1), _mm256_extractf128_ps(v, 1),
                    LanesFrom(count, 4), prod + 1, take + 1);
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F32, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F32, Op::kBackward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void ForwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                         const void* s) {
    RunSlopes<F32, Op::kForward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void BackwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                          const void* s) {
    RunSlopes<F32, Op::kBackward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void SlopesGrad(const void* g, const void* v, void* o, std::size_t n,
                                      const void* s, double* slots) {
    RunSlopesGrad<F32>(g, v, o, n, s, slots);
  }
  KERNEL_ENTRY static void RunGrad(const void* g, const void* v, void* o, std::size_t n, double a,
                                   double* slots) {
    ChannelRunGrad<F32>(g, v, o, n, a, slots);
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
  using Slope = double;
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) { return _mm256_loadu_pd(p); }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, std::size_t count) {
    return _mm256_maskload_pd(p, Lanes(count));
  }
  static constexpr std::size_t kSlotVectors = 1;
  KERNEL_CODE static void Products(Vec gate, Vec v, std::size_t count, __m256d* prod, __m256d* take) {
    *prod = _mm256_mul_pd(v, gate);
    *take = _mm256_cmp_pd(gate, _mm256_setzero_pd(), _CMP_NGT_UQ);
    if (count < kLanes) *take = _mm256_and_pd(*take, _mm256_castsi256_pd(Lanes(count)));
  }
  KERNEL_ENTRY static void Forward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F64, Op::kForward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void Backward(const void* g, const void* v, void* o, std::size_t n, double a) {
    Run<F64, Op::kBackward>(g, v, o, n, a);
  }
  KERNEL_ENTRY static void ForwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                         const void* s) {
    RunSlopes<F64, Op::kForward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void BackwardSlopes(const void* g, const void* v, void* o, std::size_t n,
                                          const void* s) {
    RunSlopes<F64, Op::kBackward>(g, v, o, n, s);
  }
  KERNEL_ENTRY static void SlopesGrad(const void* g, const void* v, void* o, std::size_t n,
                                      const void* s, double* slots) {
    RunSlopesGrad<F64>(g, v, o, n, s, slots);
  }
  KERNEL_ENTRY static void RunGrad(const void* g, const void* v, void* o, std::size_t n, double a,
                                   double* slots) {
    ChannelRunGrad<F64>(g, v, o, n, a, slots);
  }
};

}  // namespace

// The rows, each an extern const (a namespace-scope const would be internal); the
// 16-bit ones are defined in kernels_avx2_half.cc, and the set takes only their
// addresses, a constant (see KernelSet in kernels.h).
extern const KernelRow kAvx2F32Row = RowOf<F32>();
extern const KernelRow kAvx2F64Row = RowOf<F64>();
extern const KernelRow kAvx2F16Row;
extern const KernelRow kAvx2BF16Row;

// One row per Dtype, in its order.
const KernelSet kAvx2Kernels = {"avx2", {&kAvx2F32Row, &kAvx2F64Row, &kAvx2F16Row, &kAvx2BF16Row}};

}  // namespace leaky_relu
