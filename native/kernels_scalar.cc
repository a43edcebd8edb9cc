// Portable kernels: the reference every SIMD set must match bit for bit, and the
// set used where the CPU has nothing better. Built at the architecture baseline.
// The product is computed for every element and then selected, and the file is built
// with -fno-trapping-math (CMakeLists.txt): otherwise GCC may not evaluate a multiply
// the source makes conditional (it could raise an FP flag), keeps a branch and
// mispredicts on random signs (4.1-4.6 ns/element measured). Built so, it vectorizes
// (SSE2 on x86-64). Neither changes a result: no flag is read, and the select is exact.
// One body, instantiated per element type as the SIMD files do (no ISA flags here, so
// the section and inlining rules of those files do not apply).
#include <cstdint>
#include <cstring>

#include "kernels.h"

namespace leaky_relu {
namespace {

// The one body of this file's kernels (Kernel in kernels.h); forward reads x once.
template <class T, Op kOp>
void Run(const void* gate_p, const void* value_p, void* out_p, std::size_t n, double alpha) {
  using S = typename T::Storage;
  using C = typename T::Compute;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const C a = T::Alpha(alpha);
  for (std::size_t i = 0; i < n; ++i) {
    const C v = T::Load(value[i]);
    const C scaled = a * v;
    const C g = kOp == Op::kForward ? v : T::Load(gate[i]);
    out[i] = T::Store(g > C(0) ? v : scaled);
  }
}

// An element type: Storage is its type in memory, Compute the type its product is
// computed in (the 16-bit types compute in float and round back on store).
struct F32 {
  using Storage = float;
  using Compute = float;
  static Compute Alpha(double alpha) { return static_cast<float>(alpha); }
  static Compute Load(Storage s) { return s; }
  static Storage Store(Compute c) { return c; }
};

struct F64 {
  using Storage = double;
  using Compute = double;
  static Compute Alpha(double alpha) { return alpha; }
  static Compute Load(Storage s) { return s; }
  static Storage Store(Compute c) { return c; }
};

// The 16-bit conversions, in integer arithmetic only (no FP environment, no flush to
// zero can change them). native/half.cc has the same ones as plain functions for the
// glue; these are here so that the body inlines them (the files may share no inline
// code). For x > 0, Store(Load(x)) == x: a positive lane keeps its bits.
float FromBits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

std::uint32_t ToBits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

struct F16 {
  using Storage = std::uint16_t;
  using Compute = float;
  // Exact: every binary16 value is a float32 (subnormals become normal floats).
  static Compute Load(Storage h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1Fu;
    std::uint32_t mant = h & 0x3FFu;
    if (exp == 0x1Fu) return FromBits(sign | 0x7F800000u | (mant << 13));  // Inf, NaN
    if (exp != 0) return FromBits(sign | ((exp + 112u) << 23) | (mant << 13));
    if (mant == 0) return FromBits(sign);
    // Subnormal: mant * 2^-24; normalize so that the leading 1 is bit 10.
    std::uint32_t e = 113;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    return FromBits(sign | (e << 23) | ((mant & 0x3FFu) << 13));
  }
  // Round to nearest even; overflow gives Inf, NaN a quiet NaN (a payload in the low
  // 13 bits only would otherwise become Inf).
  static Storage Store(Compute c) {
    const std::uint32_t u = ToBits(c);
    const std::uint32_t sign = (u >> 16) & 0x8000u;
    const std::uint32_t a = u & 0x7FFFFFFFu;
    if (a > 0x7F800000u) return static_cast<Storage>(sign | 0x7E00u | ((a >> 13) & 0x3FFu));
    if (a >= 0x47800000u) return static_cast<Storage>(sign | 0x7C00u);  // >= 2^16, Inf
    if (a >= 0x38800000u) {                                             // >= 2^-14: normal
      // Rebias the exponent, then add half an ulp less one plus the kept lsb: a carry
      // out of the mantissa moves to the next binade (to Inf at the top), as RNE does.
      const std::uint32_t r = a - (112u << 23);
      return static_cast<Storage>(sign | ((r + 0xFFFu + ((r >> 13) & 1u)) >> 13));
    }
    const std::uint32_t exp = a >> 23;
    if (exp < 102) return static_cast<Storage>(sign);  // < 2^-25: rounds to zero
    // Subnormal result in units of 2^-24: the 24-bit significand shifted right by
    // 126 - exp (14..24), rounded to nearest even; 0x400 (rounding up into the
    // smallest normal) is the right encoding as is.
    const std::uint32_t mant = (a & 0x7FFFFFu) | 0x800000u;
    const std::uint32_t shift = 126u - exp;
    const std::uint32_t q = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1u);
    return static_cast<Storage>(sign | (q + (rem > half || (rem == half && (q & 1u)))));
  }
  static Compute Alpha(double alpha) { return Load(Store(static_cast<float>(alpha))); }
};

struct BF16 {
  using Storage = std::uint16_t;
  using Compute = float;
  static Compute Load(Storage b) { return FromBits(static_cast<std::uint32_t>(b) << 16); }
  // Round to nearest even on the upper half of the float32 bits; NaN made quiet (a
  // payload in the low 16 bits only would otherwise become Inf).
  static Storage Store(Compute c) {
    const std::uint32_t u = ToBits(c);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<Storage>((u >> 16) | 0x40u);
    return static_cast<Storage>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
  }
  static Compute Alpha(double alpha) { return Load(Store(static_cast<float>(alpha))); }
};

}  // namespace

// One row per Dtype, in its order.
const KernelSet kScalarKernels = {"scalar",
                                  {{Run<F32, Op::kForward>, Run<F32, Op::kBackward>},
                                   {Run<F64, Op::kForward>, Run<F64, Op::kBackward>},
                                   {Run<F16, Op::kForward>, Run<F16, Op::kBackward>},
                                   {Run<BF16, Op::kForward>, Run<BF16, Op::kBackward>}},
                                  {"scalar", "scalar", "scalar", "scalar"}};

}  // namespace leaky_relu
