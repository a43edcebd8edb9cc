#include "cpu_dispatch.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>  // __cpuid, __cpuidex, _xgetbv
#else
#include <cpuid.h>
#endif
#endif

namespace leaky_relu {
namespace {

#if defined(__x86_64__) || defined(_M_X64)

struct X86Features {
  bool avx2;
  bool f16c;
  bool avx512;  // F, BW and VL (the 16-bit kernels' masked loads and stores need BW+VL)
};

// One cpuid leaf (subleaf 0 where it has subleaves): eax, ebx, ecx, edx; all zero when
// the CPU has no such leaf.
struct CpuidRegs {
  unsigned eax, ebx, ecx, edx;
};

#if defined(_MSC_VER) && !defined(__clang__)
CpuidRegs Cpuid(unsigned leaf) {
  int max[4];
  __cpuid(max, static_cast<int>(leaf & 0x80000000u));
  if (static_cast<unsigned>(max[0]) < leaf) return {0, 0, 0, 0};
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), 0);
  return {static_cast<unsigned>(r[0]), static_cast<unsigned>(r[1]), static_cast<unsigned>(r[2]),
          static_cast<unsigned>(r[3])};
}

// _xgetbv is an MSVC intrinsic that needs no target option.
unsigned long long Xcr0() { return _xgetbv(0); }
#else
CpuidRegs Cpuid(unsigned leaf) {
  CpuidRegs r = {0, 0, 0, 0};
  if (__get_cpuid_max(leaf & 0x80000000u, nullptr) < leaf) return r;
  __cpuid_count(leaf, 0, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

unsigned long long Xcr0() {
  unsigned lo, hi;
  // The xgetbv mnemonic needs no -mxsave, unlike GCC's and clang's _xgetbv intrinsic.
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}
#endif

// cpuid says what the CPU has; xgetbv says whether the OS saves the YMM/ZMM state on
// context switches. Both are needed: a CPU with AVX-512 under an OS (or hypervisor)
// that does not enable it raises #UD on the first zmm instruction.
X86Features DetectX86() {
  X86Features f = {false, false, false};
  const CpuidRegs l1 = Cpuid(1);
  const bool osxsave = (l1.ecx & (1u << 27)) != 0;
  const bool avx = (l1.ecx & (1u << 28)) != 0;
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = Xcr0();
  const bool os_ymm = (xcr0 & 0x6u) == 0x6u;            // SSE + AVX state
  const bool os_zmm = (xcr0 & 0xE6u) == 0xE6u;          // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!os_ymm) return f;
  f.f16c = (l1.ecx & (1u << 29)) != 0;
  const CpuidRegs l7 = Cpuid(7);
  f.avx2 = (l7.ebx & (1u << 5)) != 0;
  const unsigned avx512_f_bw_vl = (1u << 16) | (1u << 30) | (1u << 31);
  f.avx512 = os_zmm && (l7.ebx & avx512_f_bw_vl) == avx512_f_bw_vl;
  return f;
}

// `base` with `donor`'s row for one element type: every kernel of that type (scalar
// alpha, slopes, both gradients) and the row's isa name.
KernelSet WithRow(const KernelSet& base, Dtype dtype, const KernelSet& donor) {
  KernelSet k = base;
  k.rows[static_cast<std::size_t>(dtype)] = donor.rows[static_cast<std::size_t>(dtype)];
  return k;
}

const KernelSet* BestAtOrBelow(int rank) {
  static const X86Features features = DetectX86();
  if (rank >= 2 && features.avx512) return &kAvx512Kernels;
  if (rank >= 1 && features.avx2) {
    if (features.f16c) return &kAvx2Kernels;
    // cpuid allows AVX2 without F16C (no shipped CPU is one, but a VM may say so): the
    // AVX2 set with the scalar float16 row, composed once.
    static const KernelSet avx2_without_f16c = WithRow(kAvx2Kernels, Dtype::kF16, kScalarKernels);
    return &avx2_without_f16c;
  }
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
