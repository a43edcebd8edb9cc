// AVX-512 kernels: the float32 and float64 rows, and the AVX-512 set. The templates are
// in kernels_avx512_body.h (which says what this file may include), the 16-bit rows in
// kernels_avx512_half.cc.
#include "kernels_avx512_body.h"

namespace leaky_relu {
namespace {

// float32: F32Lanes (Vec, Mask, Select, the products) and the rest of an element type.
struct F32 : F32Lanes {
  using Storage = float;
  static constexpr std::size_t kLanes = 16;
  KERNEL_CODE static Vec Set1(double alpha) { return _mm512_set1_ps(static_cast<float>(alpha)); }
  KERNEL_CODE static Vec Load(const Storage* p) { return _mm512_loadu_ps(p); }
  KERNEL_CODE static void Store(Storage* p, Vec v) { _mm512_storeu_ps(p, v); }
  // The first `count` lanes only (count < kLanes), for the head and the tail.
  KERNEL_CODE static Mask Lanes(std::size_t count) { return static_cast<Mask>((1u << count) - 1u); }
  KERNEL_CODE static Vec LoadPart(const Storage* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  KERNEL_CODE static void StorePart(Storage* p, Mask k, Vec v) { _mm512_mask_storeu_ps(p, k, v); }
  using Slope = float;
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) { return _mm512_loadu_ps(p); }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  KERNEL_CODE static Vec LoadGatePart(const Storage* p, Mask k) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(1.0f), k, p);
  }
  KERNEL_CODE static void LaneProducts(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    Products(gate, v, prod, take);
  }
  static constexpr std::size_t kSlotVectors = 2;
  static constexpr std::size_t kSlotQuarter[8] = {0, 1, 2, 3, 4, 5, 6, 7};
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
  using Slope = double;
  KERNEL_CODE static Vec LoadSlopes(const Slope* p) { return _mm512_loadu_pd(p); }
  KERNEL_CODE static Vec LoadSlopesPart(const Slope* p, Mask k) { return _mm512_maskz_loadu_pd(k, p); }
  KERNEL_CODE static Vec LoadGatePart(const Storage* p, Mask k) {
    return _mm512_mask_loadu_pd(_mm512_set1_pd(1.0), k, p);
  }
  KERNEL_CODE static void Products(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    take[0] = _mm512_cmp_pd_mask(gate, _mm512_setzero_pd(), _CMP_NGT_UQ);
    prod[0] = _mm512_mul_pd(v, gate);
  }
  KERNEL_CODE static void LaneProducts(Vec gate, Vec v, __m512d* prod, __mmask8* take) {
    Products(gate, v, prod, take);
  }
  static constexpr std::size_t kSlotVectors = 1;
  static constexpr std::size_t kSlotQuarter[8] = {0, 1, 2, 3, 4, 5, 6, 7};
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
// 16-bit ones are defined in kernels_avx512_half.cc, and the set takes only their
// addresses, a constant (see KernelSet in kernels.h).
extern const KernelRow kAvx512F32Row = RowOf<F32>();
extern const KernelRow kAvx512F64Row = RowOf<F64>();
extern const KernelRow kAvx512F16Row;
extern const KernelRow kAvx512BF16Row;

// One row per Dtype, in its order.
const KernelSet kAvx512Kernels = {"avx512",
                                  {&kAvx512F32Row, &kAvx512F64Row, &kAvx512F16Row, &kAvx512BF16Row}};

}  // namespace leaky_relu
