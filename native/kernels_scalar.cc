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

#include "half_bits.h"
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

// The 16-bit types convert with half_bits.h. For x > 0, Store(Load(x)) == x: a positive
// lane keeps its bits.
struct F16 {
  using Storage = std::uint16_t;
  using Compute = float;
  static Compute Load(Storage h) { return F16ToFloat(h); }
  static Storage Store(Compute c) { return FloatToF16(c); }
  static Compute Alpha(double alpha) { return Load(Store(static_cast<float>(alpha))); }
};

struct BF16 {
  using Storage = std::uint16_t;
  using Compute = float;
  static Compute Load(Storage b) { return BF16ToFloat(b); }
  static Storage Store(Compute c) { return FloatToBF16(c); }
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
