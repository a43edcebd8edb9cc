// AVX-512F kernels. Compiled with -mavx512f and nothing else in the binary is, so
// this file includes only the kernel header and <immintrin.h>.
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
#include <immintrin.h>

#include <cstdint>

#include "kernels.h"

namespace leaky_relu {
namespace {

// Every function of this file goes into its own section, which survives stripping:
// the packaging test disassembles the shipped binary and checks that no code outside
// the AVX-512 sections touches zmm registers.
#define KERNEL_CODE __attribute__((section("lr_avx512")))

KERNEL_CODE inline __m512 Select32(__m512 x, __m512 v, __m512 alpha) {
  const __mmask16 not_positive = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NGT_UQ);
  return _mm512_mask_mul_ps(v, not_positive, v, alpha);
}

KERNEL_CODE inline __m512d Select64(__m512d x, __m512d v, __m512d alpha) {
  const __mmask8 not_positive = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_NGT_UQ);
  return _mm512_mask_mul_pd(v, not_positive, v, alpha);
}

// Elements of `size` bytes from p to the next 64-byte boundary, at most n.
KERNEL_CODE inline std::size_t HeadLength(const void* p, std::size_t size, std::size_t n) {
  const std::size_t head = ((64 - (reinterpret_cast<std::uintptr_t>(p) & 63)) & 63) / size;
  return head < n ? head : n;
}

// The first `count` lanes only (count < one vector), for the head and the tail.
KERNEL_CODE inline __mmask16 Lanes16(std::size_t count) {
  return static_cast<__mmask16>((1u << count) - 1u);
}
KERNEL_CODE inline __mmask8 Lanes8(std::size_t count) {
  return static_cast<__mmask8>((1u << count) - 1u);
}

KERNEL_CODE inline void ForwardPart32(const float* x, float* y, std::size_t count, __m512 a) {
  const __mmask16 k = Lanes16(count);
  const __m512 v = _mm512_maskz_loadu_ps(k, x);
  _mm512_mask_storeu_ps(y, k, Select32(v, v, a));
}

KERNEL_CODE inline void ForwardPart64(const double* x, double* y, std::size_t count, __m512d a) {
  const __mmask8 k = Lanes8(count);
  const __m512d v = _mm512_maskz_loadu_pd(k, x);
  _mm512_mask_storeu_pd(y, k, Select64(v, v, a));
}

KERNEL_CODE inline void BackwardPart32(const float* dy, const float* x, float* dx,
                                       std::size_t count, __m512 a) {
  const __mmask16 k = Lanes16(count);
  const __m512 g = _mm512_maskz_loadu_ps(k, dy);
  const __m512 v = _mm512_maskz_loadu_ps(k, x);
  _mm512_mask_storeu_ps(dx, k, Select32(v, g, a));
}

KERNEL_CODE inline void BackwardPart64(const double* dy, const double* x, double* dx,
                                       std::size_t count, __m512d a) {
  const __mmask8 k = Lanes8(count);
  const __m512d g = _mm512_maskz_loadu_pd(k, dy);
  const __m512d v = _mm512_maskz_loadu_pd(k, x);
  _mm512_mask_storeu_pd(dx, k, Select64(v, g, a));
}

KERNEL_CODE void ForwardF32Avx512(const float* x, float* y, std::size_t n, float alpha) {
  const __m512 a = _mm512_set1_ps(alpha);
  std::size_t i = HeadLength(y, sizeof(float), n);
  if (i != 0) ForwardPart32(x, y, i, a);
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    _mm512_storeu_ps(y + i, Select32(v, v, a));
  }
  if (i < n) ForwardPart32(x + i, y + i, n - i, a);
}

KERNEL_CODE void ForwardF64Avx512(const double* x, double* y, std::size_t n, double alpha) {
  const __m512d a = _mm512_set1_pd(alpha);
  std::size_t i = HeadLength(y, sizeof(double), n);
  if (i != 0) ForwardPart64(x, y, i, a);
  for (; i + 8 <= n; i += 8) {
    const __m512d v = _mm512_loadu_pd(x + i);
    _mm512_storeu_pd(y + i, Select64(v, v, a));
  }
  if (i < n) ForwardPart64(x + i, y + i, n - i, a);
}

KERNEL_CODE void BackwardF32Avx512(const float* dy, const float* x, float* dx, std::size_t n, float alpha) {
  const __m512 a = _mm512_set1_ps(alpha);
  std::size_t i = HeadLength(dx, sizeof(float), n);
  if (i != 0) BackwardPart32(dy, x, dx, i, a);
  for (; i + 16 <= n; i += 16) {
    const __m512 g = _mm512_loadu_ps(dy + i);
    const __m512 v = _mm512_loadu_ps(x + i);
    _mm512_storeu_ps(dx + i, Select32(v, g, a));
  }
  if (i < n) BackwardPart32(dy + i, x + i, dx + i, n - i, a);
}

KERNEL_CODE void BackwardF64Avx512(const double* dy, const double* x, double* dx, std::size_t n, double alpha) {
  const __m512d a = _mm512_set1_pd(alpha);
  std::size_t i = HeadLength(dx, sizeof(double), n);
  if (i != 0) BackwardPart64(dy, x, dx, i, a);
  for (; i + 8 <= n; i += 8) {
    const __m512d g = _mm512_loadu_pd(dy + i);
    const __m512d v = _mm512_loadu_pd(x + i);
    _mm512_storeu_pd(dx + i, Select64(v, g, a));
  }
  if (i < n) BackwardPart64(dy + i, x + i, dx + i, n - i, a);
}

}  // namespace

const KernelSet kAvx512Kernels = {"avx512", ForwardF32Avx512, ForwardF64Avx512,
                                  BackwardF32Avx512, BackwardF64Avx512};

}  // namespace leaky_relu
