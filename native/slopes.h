// Per-channel slopes (PReLU): how a call with one slope per channel is cut into kernel
// calls (kernels.h), and the fixed order in which the slope gradient is summed, so that
// its bits do not depend on the ISA, the threads or the chunking. Plain C++, nothing
// of Node; the order is the README's ("The slope gradient's order") and the JS
// backend's (lib/slope-order.ts).
#ifndef LEAKY_RELU_SLOPES_H_
#define LEAKY_RELU_SLOPES_H_

#include <cstddef>
#include <vector>

#include "kernels.h"

namespace leaky_relu {

// Below this spatial size the gradient goes to slots by the element's place in a
// period of the pattern; from it, by its place in its channel run (32 slots a channel).
constexpr std::size_t kRunSlotsMinSpatial = 32;

class SlopePlan {
 public:
  // `slopes`: the C >= 1 slopes as given (finite once rounded: checked by the caller);
  // element i has channel (i / spatial) % C. `grad`: whether RunBlock will be used.
  SlopePlan(Dtype dtype, std::vector<double> slopes, std::size_t spatial, bool grad);

  std::size_t channels() const { return slopes_.size(); }

  // Places the pattern so that its loads meet the same cache-line boundaries as a
  // kernel's stores into `out`, for a call of `length` elements (call before Run or
  // RunBlock, from one thread): unaligned, a 64Ki-element float32 call took 1.25x.
  void AlignFor(const void* out, std::size_t length);

  // Whether a plan for these arguments would be this one (a call may reuse it).
  bool Same(Dtype dtype, const std::vector<double>& slopes, std::size_t spatial, bool grad) const;
  std::size_t spatial() const { return spatial_; }

  // out = y (forward) or dx (backward) over elements [begin, end) of the data; any cut.
  void Run(const KernelSet& kernels, Op op, const void* gate, const void* value, void* out,
           std::size_t begin, std::size_t end) const;

  // The gradient's blocks for data of `length` elements (a multiple of C * spatial).
  std::size_t BlockLength(std::size_t length) const;
  std::size_t BlockCount(std::size_t length) const;

  // Block `block`'s dx, and its per-channel sums into sums[0, C) (+0 for a channel
  // with no element in the block).
  void RunBlock(const KernelSet& kernels, const void* x, const void* dy, void* dx,
                std::size_t length, std::size_t block, double* sums) const;

 private:
  std::size_t PatternBytes() const;

  Dtype dtype_;
  std::vector<double> slopes_;
  std::size_t spatial_;
  std::size_t period_;  // C * spatial
  bool grad_;
  // The slot and pattern period of the period regime (see the .cc), and the pattern:
  // each element's slope over one such period, rounded, in the compute type.
  std::size_t pattern_length_ = 0;
  // The pattern, pattern_offset_ bytes into its storage (see AlignFor).
  std::vector<unsigned char> pattern_storage_;
  std::size_t pattern_offset_ = 0;
  bool pattern_for_run_ = false;  // Run uses the pattern (else channel runs)
};

// alpha_grad[c] = +0 + sums[0 * C + c] + sums[1 * C + c] + ..., blocks in order; a
// NaN as CanonicalNaNs writes it.
void SumBlocks(const double* sums, std::size_t blocks, std::size_t channels, double* alpha_grad);

// Every NaN of values[0, n) replaced by the default quiet NaN.
void CanonicalNaNs(double* values, std::size_t n);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_SLOPES_H_
