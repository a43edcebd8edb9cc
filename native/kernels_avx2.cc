// AVX2 kernels. Compiled with -mavx2 and nothing else in the binary is, so this file
// includes only the kernel header and <immintrin.h>.
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
#include <immintrin.h>

#include <cstdint>

#include "kernels.h"

namespace leaky_relu {
namespace {

// Every function of this file goes into its own section, which survives stripping:
// the packaging test disassembles the shipped binary and checks that no code outside
// the AVX2 sections touches ymm registers.
#define KERNEL_CODE __attribute__((section("lr_avx2")))

// Loading 8 entries from kMask32 + 8 - r gives r all-ones lanes then zeros: the head
// and the tail are done with maskload/maskstore, which never touch the masked-off
// lanes' memory.
alignas(32) const std::int32_t kMask32[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                              0,  0,  0,  0,  0,  0,  0,  0};
alignas(32) const std::int64_t kMask64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

KERNEL_CODE inline __m256 Select32(__m256 x, __m256 v, __m256 alpha) {
  const __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
  return _mm256_blendv_ps(_mm256_mul_ps(v, alpha), v, positive);
}

KERNEL_CODE inline __m256d Select64(__m256d x, __m256d v, __m256d alpha) {
  const __m256d positive = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GT_OQ);
  return _mm256_blendv_pd(_mm256_mul_pd(v, alpha), v, positive);
}

// Elements of `size` bytes from p to the next 32-byte boundary, at most n.
KERNEL_CODE inline std::size_t HeadLength(const void* p, std::size_t size, std::size_t n) {
  const std::size_t head = ((32 - (reinterpret_cast<std::uintptr_t>(p) & 31)) & 31) / size;
  return head < n ? head : n;
}

// The first `count` lanes only (count < one vector), for the head and the tail.
KERNEL_CODE inline __m256i Lanes32(std::size_t count) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask32 + 8 - count));
}
KERNEL_CODE inline __m256i Lanes64(std::size_t count) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask64 + 4 - count));
}

KERNEL_CODE inline void ForwardPart32(const float* x, float* y, std::size_t count, __m256 a) {
  const __m256i mask = Lanes32(count);
  const __m256 v = _mm256_maskload_ps(x, mask);
  _mm256_maskstore_ps(y, mask, Select32(v, v, a));
}

KERNEL_CODE inline void ForwardPart64(const double* x, double* y, std::size_t count, __m256d a) {
  const __m256i mask = Lanes64(count);
  const __m256d v = _mm256_maskload_pd(x, mask);
  _mm256_maskstore_pd(y, mask, Select64(v, v, a));
}

KERNEL_CODE inline void BackwardPart32(const float* dy, const float* x, float* dx,
                                       std::size_t count, __m256 a) {
  const __m256i mask = Lanes32(count);
  const __m256 g = _mm256_maskload_ps(dy, mask);
  const __m256 v = _mm256_maskload_ps(x, mask);
  _mm256_maskstore_ps(dx, mask, Select32(v, g, a));
}

KERNEL_CODE inline void BackwardPart64(const double* dy, const double* x, double* dx,
                                       std::size_t count, __m256d a) {
  const __m256i mask = Lanes64(count);
  const __m256d g = _mm256_maskload_pd(dy, mask);
  const __m256d v = _mm256_maskload_pd(x, mask);
  _mm256_maskstore_pd(dx, mask, Select64(v, g, a));
}

KERNEL_CODE void ForwardF32Avx2(const float* x, float* y, std::size_t n, float alpha) {
  const __m256 a = _mm256_set1_ps(alpha);
  std::size_t i = HeadLength(y, sizeof(float), n);
  if (i != 0) ForwardPart32(x, y, i, a);
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    _mm256_storeu_ps(y + i, Select32(v, v, a));
  }
  if (i < n) ForwardPart32(x + i, y + i, n - i, a);
}

KERNEL_CODE void ForwardF64Avx2(const double* x, double* y, std::size_t n, double alpha) {
  const __m256d a = _mm256_set1_pd(alpha);
  std::size_t i = HeadLength(y, sizeof(double), n);
  if (i != 0) ForwardPart64(x, y, i, a);
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_loadu_pd(x + i);
    _mm256_storeu_pd(y + i, Select64(v, v, a));
  }
  if (i < n) ForwardPart64(x + i, y + i, n - i, a);
}

KERNEL_CODE void BackwardF32Avx2(const float* dy, const float* x, float* dx, std::size_t n, float alpha) {
  const __m256 a = _mm256_set1_ps(alpha);
  std::size_t i = HeadLength(dx, sizeof(float), n);
  if (i != 0) BackwardPart32(dy, x, dx, i, a);
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(dy + i);
    const __m256 v = _mm256_loadu_ps(x + i);
    _mm256_storeu_ps(dx + i, Select32(v, g, a));
  }
  if (i < n) BackwardPart32(dy + i, x + i, dx + i, n - i, a);
}

KERNEL_CODE void BackwardF64Avx2(const double* dy, const double* x, double* dx, std::size_t n, double alpha) {
  const __m256d a = _mm256_set1_pd(alpha);
  std::size_t i = HeadLength(dx, sizeof(double), n);
  if (i != 0) BackwardPart64(dy, x, dx, i, a);
  for (; i + 4 <= n; i += 4) {
    const __m256d g = _mm256_loadu_pd(dy + i);
    const __m256d v = _mm256_loadu_pd(x + i);
    _mm256_storeu_pd(dx + i, Select64(v, g, a));
  }
  if (i < n) BackwardPart64(dy + i, x + i, dx + i, n - i, a);
}

}  // namespace

const KernelSet kAvx2Kernels = {"avx2", ForwardF32Avx2, ForwardF64Avx2, BackwardF32Avx2,
                                BackwardF64Avx2};

}  // namespace leaky_relu
