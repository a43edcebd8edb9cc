// Portable kernels: the reference every SIMD set must match bit for bit, and the
// set used where the CPU has nothing better. Built at the architecture baseline.
// The product is computed for every element and then selected, and the file is built
// with -fno-trapping-math (CMakeLists.txt): otherwise GCC may not evaluate a multiply
// the source makes conditional (it could raise an FP flag), keeps a branch and
// mispredicts on random signs (4.1-4.6 ns/element measured). Built so, it vectorizes
// (SSE2 on x86-64). Neither changes a result: no flag is read, and the select is exact.
// One body per operation shape, instantiated per element type as the SIMD files do (no
// ISA flags here, so the section and inlining rules of those files do not apply).
// The gradient kernels' slot update is a multiply, then an add, each rounded: the
// whole target is built with -ffp-contract=off (CMakeLists.txt), without which GCC
// and clang for aarch64 would fuse the two into one FMA (a different result).
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

// Run with one slope per element (SlopesKernel): `slopes` holds n of them, in C.
template <class T, Op kOp>
void RunSlopes(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
               const void* slopes_p) {
  using S = typename T::Storage;
  using C = typename T::Compute;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  S* out = static_cast<S*>(out_p);
  const C* slopes = static_cast<const C*>(slopes_p);
  for (std::size_t i = 0; i < n; ++i) {
    const C v = T::Load(value[i]);
    const C scaled = slopes[i] * v;
    const C g = kOp == Op::kForward ? v : T::Load(gate[i]);
    out[i] = T::Store(g > C(0) ? v : scaled);
  }
}

// The slot after one element: slot + double(v) * double(g) where g is not > 0 (NaN
// included), the slot itself elsewhere (the product, maybe Inf or NaN, is dropped).
// Load is exact for every type, so double(Load(x)) is double(x).
template <class C>
inline double Slot(double slot, C v, C g) {
  const double sum = slot + static_cast<double>(v) * static_cast<double>(g);
  return g > C(0) ? slot : sum;
}

// The gradient kernels update the slots in a loop of their own, then compute dx as the
// plain backward kernels do. In one loop, GCC made the slot's select a branch and a
// conditional store (and float64's slope product too), mispredicted on random signs
// (64Ki elements: 3.8 ns/element float32, 4.2 float64), where the two loops vectorize
// (0.6 both). The first loop only reads gate and value, so out may be exactly either.

// Backward with per-element slopes and the gradient (SlopesGradKernel): slot i takes
// element i.
template <class T>
void RunSlopesGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                   const void* slopes_p, double* slots) {
  using S = typename T::Storage;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  for (std::size_t i = 0; i < n; ++i) {
    slots[i] = Slot(slots[i], T::Load(value[i]), T::Load(gate[i]));
  }
  RunSlopes<T, Op::kBackward>(gate_p, value_p, out_p, n, slopes_p);
}

// A channel run's backward with the gradient (RunGradKernel): element i adds to slot
// i % kRunSlots, kept in a local array from the first element to the last (only the
// slots [0, n) when n < kRunSlots are read or written).
template <class T>
void ChannelRunGrad(const void* gate_p, const void* value_p, void* out_p, std::size_t n,
                    double alpha, double* slots) {
  using S = typename T::Storage;
  const S* gate = static_cast<const S*>(gate_p);
  const S* value = static_cast<const S*>(value_p);
  const std::size_t used = n < kRunSlots ? n : kRunSlots;
  double acc[kRunSlots];
  for (std::size_t j = 0; j < used; ++j) acc[j] = slots[j];
  std::size_t i = 0;
  for (; i + kRunSlots <= n; i += kRunSlots) {
    for (std::size_t j = 0; j < kRunSlots; ++j) {
      acc[j] = Slot(acc[j], T::Load(value[i + j]), T::Load(gate[i + j]));
    }
  }
  for (std::size_t j = 0; i + j < n; ++j) {
    acc[j] = Slot(acc[j], T::Load(value[i + j]), T::Load(gate[i + j]));
  }
  for (std::size_t j = 0; j < used; ++j) slots[j] = acc[j];
  Run<T, Op::kBackward>(gate_p, value_p, out_p, n, alpha);
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

// T's row of the table.
template <class T>
constexpr KernelRow RowOf() {
  return {"scalar",
          {Run<T, Op::kForward>, Run<T, Op::kBackward>},
          {RunSlopes<T, Op::kForward>, RunSlopes<T, Op::kBackward>},
          RunSlopesGrad<T>,
          ChannelRunGrad<T>};
}

const KernelRow kF32Row = RowOf<F32>();
const KernelRow kF64Row = RowOf<F64>();
const KernelRow kF16Row = RowOf<F16>();
const KernelRow kBF16Row = RowOf<BF16>();

}  // namespace

// One row per Dtype, in its order.
const KernelSet kScalarKernels = {"scalar", {&kF32Row, &kF64Row, &kF16Row, &kBF16Row}};

}  // namespace leaky_relu
