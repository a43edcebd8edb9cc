#include "cpu_dispatch.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace leaky_relu {
namespace {

#if defined(__x86_64__) || defined(_M_X64)

struct X86Features {
  bool avx2;
  bool avx512f;
};

// cpuid says what the CPU has; xgetbv says whether the OS saves the YMM/ZMM state on
// context switches. Both are needed: a CPU with AVX-512 under an OS (or hypervisor)
// that does not enable it raises #UD on the first zmm instruction.
X86Features DetectX86() {
  X86Features f = {false, false};
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx & (1u << 27)) != 0;
  const bool avx = (ecx & (1u << 28)) != 0;
  if (!osxsave || !avx) return f;
  unsigned xcr0_lo, xcr0_hi;
  // The xgetbv mnemonic needs no -mxsave, unlike the _xgetbv intrinsic.
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  const bool os_ymm = (xcr0_lo & 0x6u) == 0x6u;            // SSE + AVX state
  const bool os_zmm = (xcr0_lo & 0xE6u) == 0xE6u;          // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!os_ymm) return f;
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  f.avx2 = (ebx & (1u << 5)) != 0;
  f.avx512f = os_zmm && (ebx & (1u << 16)) != 0;
  return f;
}

const KernelSet* BestAtOrBelow(int rank) {
  static const X86Features features = DetectX86();
  if (rank >= 2 && features.avx512f) return &kAvx512Kernels;
  if (rank >= 1 && features.avx2) return &kAvx2Kernels;
  return &kScalarKernels;
}

int RankOf(const char* cap) {
  if (cap == nullptr || *cap == '\0') return 2;
  if (std::strcmp(cap, "avx512") == 0) return 2;
  if (std::strcmp(cap, "avx2") == 0) return 1;
  if (std::strcmp(cap, "scalar") == 0 || std::strcmp(cap, "neon") == 0) return 0;
  return -1;
}

#elif defined(__aarch64__) || defined(_M_ARM64)

// NEON (Advanced SIMD) is part of armv8-a: every aarch64 CPU has it.
const KernelSet* BestAtOrBelow(int rank) {
  return rank >= 1 ? &kNeonKernels : &kScalarKernels;
}

int RankOf(const char* cap) {
  if (cap == nullptr || *cap == '\0') return 1;
  if (std::strcmp(cap, "neon") == 0) return 1;
  if (std::strcmp(cap, "scalar") == 0 || std::strcmp(cap, "avx2") == 0 ||
      std::strcmp(cap, "avx512") == 0) {
    return 0;
  }
  return -1;
}

#else

const KernelSet* BestAtOrBelow(int) { return &kScalarKernels; }

int RankOf(const char* cap) {
  if (cap == nullptr || *cap == '\0') return 0;
  if (std::strcmp(cap, "scalar") == 0 || std::strcmp(cap, "avx2") == 0 ||
      std::strcmp(cap, "avx512") == 0 || std::strcmp(cap, "neon") == 0) {
    return 0;
  }
  return -1;
}

#endif

}  // namespace

const KernelSet* SelectKernels(const char* cap) {
  const int rank = RankOf(cap);
  return rank < 0 ? nullptr : BestAtOrBelow(rank);
}

const KernelSet* BestKernels() { return SelectKernels(nullptr); }

}  // namespace leaky_relu
