#include "slopes.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "half.h"

namespace leaky_relu {
namespace {

// Channel runs shorter than this go through the pattern, whose kernel calls each cover
// at least kMinPatternLength elements: one scalar-alpha call per short run would cost
// more than its work.
constexpr std::size_t kRunMinSpatial = 64;
constexpr std::size_t kMinPatternLength = 1024;
// Without a gradient any multiple of the period serves: 4096 elements (16 KiB of
// float32 slopes, in L1 beside the data's stream) took a raw 64Ki-element float32 call
// 5.80 us against 5.84 for 1024 and 6.53 for 16384 (out of L1); scalar alpha 5.41.
constexpr std::size_t kMinForwardPatternLength = 4096;
constexpr std::size_t kLine = 64;
// A period is widened to a multiple of 64 elements (whole vectors for every ISA) when
// that stays this short; otherwise it is used as it is.
constexpr std::size_t kWidenedPeriodMax = 4096;
// Gradient blocks: at least this many elements, at most this many blocks, and at least
// this many elements per channel, so that the block sums (blocks * C doubles) stay
// within a 16th of the data's elements.
constexpr std::size_t kBlockMinLength = 65536;
constexpr std::size_t kBlocksMax = 64;
constexpr std::size_t kBlockPerChannel = 16;

std::size_t Gcd(std::size_t a, std::size_t b) {
  while (b != 0) {
    const std::size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

std::size_t CeilDiv(std::size_t a, std::size_t b) { return a / b + (a % b != 0); }

std::size_t Max(std::size_t a, std::size_t b) { return a > b ? a : b; }
std::size_t Min(std::size_t a, std::size_t b) { return a < b ? a : b; }

// The period regime's slot count L: P widened to lcm(P, 64) if that is at most 4096
// (else P itself), then repeated to at least 1024 elements (`least`).
std::size_t PatternLength(std::size_t period, std::size_t least = kMinPatternLength) {
  const std::size_t lcm = period / Gcd(period, 64) * 64;
  const std::size_t q = lcm <= kWidenedPeriodMax ? lcm : period;
  return q * CeilDiv(least, q);
}

const unsigned char* At(const void* p, std::size_t i, std::size_t bytes) {
  return static_cast<const unsigned char*>(p) + i * bytes;
}
unsigned char* At(void* p, std::size_t i, std::size_t bytes) {
  return static_cast<unsigned char*>(p) + i * bytes;
}

}  // namespace

SlopePlan::SlopePlan(Dtype dtype, std::vector<double> slopes, std::size_t spatial, bool grad)
    : dtype_(dtype), slopes_(std::move(slopes)), spatial_(spatial), period_(slopes_.size() * spatial), grad_(grad) {
  const bool pattern = grad ? spatial_ < kRunSlotsMinSpatial : slopes_.size() > 1 && spatial_ < kRunMinSpatial;
  pattern_for_run_ = pattern;
  if (!pattern) return;
  // The gradient's pattern is its slots' period; without a gradient any multiple of the
  // period serves, and a longer one takes fewer kernel calls (each pays a head and a tail).
  pattern_length_ = PatternLength(period_, grad ? kMinPatternLength : kMinForwardPatternLength);
  std::vector<double> period;
  period.reserve(period_);
  for (std::size_t c = 0; c < slopes_.size(); ++c) period.insert(period.end(), spatial_, RoundAlpha(slopes_[c], dtype_));
  // One period, then copies of it: the pattern length is a multiple of the period.
  const std::size_t bytes = PatternBytes();
  pattern_storage_.assign(pattern_length_ * bytes + kLine, 0);
  for (std::size_t j = 0; j < period_; ++j) {
    if (dtype_ == Dtype::kF64) {
      std::memcpy(&pattern_storage_[j * bytes], &period[j], sizeof(double));
    } else {
      const auto narrow = static_cast<float>(period[j]);
      std::memcpy(&pattern_storage_[j * bytes], &narrow, sizeof narrow);
    }
  }
  for (std::size_t j = period_; j < pattern_length_; j += period_) {
    std::memcpy(&pattern_storage_[j * bytes], &pattern_storage_[0], period_ * bytes);
  }
}

std::size_t SlopePlan::PatternBytes() const { return dtype_ == Dtype::kF64 ? sizeof(double) : sizeof(float); }

void SlopePlan::AlignFor(const void* out, std::size_t length) {
  // Moving the pattern costs a pass over it: worth it for a call at least as long.
  if (pattern_storage_.empty() || length < pattern_length_) return;
  // The kernels align their stores: out's element e0 is the first on a 64-byte line.
  // The pattern entry for it should start a line too, or every slope load splits two.
  const std::size_t es = kElementBytes[static_cast<std::size_t>(dtype_)];
  const auto out_address = reinterpret_cast<std::uintptr_t>(out);
  const std::size_t e0 = ((kLine - out_address % kLine) % kLine) / es;
  const auto storage = reinterpret_cast<std::uintptr_t>(pattern_storage_.data());
  const std::size_t want = (kLine - (storage + e0 * PatternBytes()) % kLine) % kLine;
  if (want % PatternBytes() != 0 || want == pattern_offset_) return;
  std::memmove(&pattern_storage_[want], &pattern_storage_[pattern_offset_], pattern_length_ * PatternBytes());
  pattern_offset_ = want;
}

bool SlopePlan::Same(Dtype dtype, const std::vector<double>& slopes, std::size_t spatial, bool grad) const {
  // Bit for bit: -0 and +0 are two slopes.
  return dtype == dtype_ && spatial == spatial_ && grad == grad_ && slopes.size() == slopes_.size() &&
         std::memcmp(slopes.data(), slopes_.data(), slopes.size() * sizeof(double)) == 0;
}

void SlopePlan::Run(const KernelSet& k, Op op, const void* gate, const void* value, void* out,
                    std::size_t begin, std::size_t end) const {
  const std::size_t d = static_cast<std::size_t>(dtype_), o = static_cast<std::size_t>(op);
  const std::size_t es = kElementBytes[d];
  if (slopes_.size() == 1 && !pattern_for_run_) {
    k.rows[d]->kernels[o](At(gate, begin, es), At(value, begin, es), At(out, begin, es), end - begin, slopes_[0]);
    return;
  }
  if (pattern_for_run_) {
    const SlopesKernel kernel = k.rows[d]->slopes[o];
    const void* pattern = &pattern_storage_[pattern_offset_];
    const std::size_t pattern_bytes = PatternBytes();
    std::size_t j = begin % pattern_length_;
    for (std::size_t i = begin; i < end;) {
      const std::size_t m = Min(end - i, pattern_length_ - j);
      kernel(At(gate, i, es), At(value, i, es), At(out, i, es), m, At(pattern, j, pattern_bytes));
      i += m;
      j = 0;
    }
    return;
  }
  // Channel runs, each one scalar-alpha call.
  const Kernel kernel = k.rows[d]->kernels[o];
  std::size_t c = (begin / spatial_) % slopes_.size();
  std::size_t s = begin % spatial_;
  for (std::size_t i = begin; i < end;) {
    const std::size_t m = Min(end - i, spatial_ - s);
    kernel(At(gate, i, es), At(value, i, es), At(out, i, es), m, slopes_[c]);
    i += m;
    s = 0;
    if (++c == slopes_.size()) c = 0;
  }
}

std::size_t SlopePlan::BlockLength(std::size_t length) const {
  const std::size_t unit = spatial_ < kRunSlotsMinSpatial ? PatternLength(period_) : spatial_;
  std::size_t units = CeilDiv(kBlockMinLength, unit);
  units = Max(units, CeilDiv(length, kBlocksMax * unit));
  units = Max(units, CeilDiv(kBlockPerChannel * slopes_.size(), unit));
  return unit * units;
}

std::size_t SlopePlan::BlockCount(std::size_t length) const {
  return CeilDiv(length, BlockLength(length));
}

void SlopePlan::RunBlock(const KernelSet& k, const void* x, const void* dy, void* dx,
                         std::size_t length, std::size_t block, double* sums) const {
  const std::size_t d = static_cast<std::size_t>(dtype_);
  const std::size_t es = kElementBytes[d];
  const std::size_t channels = slopes_.size();
  const std::size_t block_length = BlockLength(length);
  const std::size_t begin = block * block_length;
  const std::size_t end = Min(length, begin + block_length);
  for (std::size_t c = 0; c < channels; ++c) sums[c] = 0.0;
  if (spatial_ < kRunSlotsMinSpatial) {
    // Period regime: element i adds to slot i % L (blocks start at multiples of L).
    const std::size_t l = pattern_length_;
    std::vector<double> slots(l, 0.0);
    const SlopesGradKernel kernel = k.rows[d]->slopes_grad;
    const void* pattern = &pattern_storage_[pattern_offset_];
    for (std::size_t i = begin; i < end; i += l) {
      kernel(At(x, i, es), At(dy, i, es), At(dx, i, es), Min(l, end - i), pattern, slots.data());
    }
    // Each channel's slots in increasing index.
    const double* slot = slots.data();
    for (std::size_t q = 0; q < l / period_; ++q) {
      for (std::size_t c = 0; c < channels; ++c) {
        for (std::size_t s = 0; s < spatial_; ++s) sums[c] += *slot++;
      }
    }
    return;
  }
  // Run regime: run r's element s adds to slot s % 32 of its channel (blocks start at
  // run boundaries). A block touches at most C channels, consecutive modulo C.
  const std::size_t first_run = begin / spatial_;
  const std::size_t runs = (end - begin) / spatial_;
  const std::size_t touched = Min(channels, runs);
  std::vector<double> slots(touched * kRunSlots, 0.0);
  const RunGradKernel kernel = k.rows[d]->run_grad;
  const std::size_t first_channel = first_run % channels;
  std::size_t c = first_channel, t = 0;
  for (std::size_t r = 0, i = begin; r < runs; ++r, i += spatial_) {
    kernel(At(x, i, es), At(dy, i, es), At(dx, i, es), spatial_, slopes_[c], &slots[t * kRunSlots]);
    if (++c == channels) c = 0;
    if (++t == touched) t = 0;
  }
  c = first_channel;
  for (t = 0; t < touched; ++t) {
    for (std::size_t l = 0; l < kRunSlots; ++l) sums[c] += slots[t * kRunSlots + l];
    if (++c == channels) c = 0;
  }
}

void SumBlocks(const double* sums, std::size_t blocks, std::size_t channels, double* alpha_grad) {
  for (std::size_t c = 0; c < channels; ++c) alpha_grad[c] = 0.0;
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t c = 0; c < channels; ++c) alpha_grad[c] += sums[b * channels + c];
  }
  CanonicalNaNs(alpha_grad, channels);
}

void CanonicalNaNs(double* values, std::size_t n) {
  // Which NaN an add of two NaNs returns depends on the operands' order, which the
  // compiler may swap, and on the CPU (x86 and ARM differ): a NaN sum is written as
  // the one NaN JavaScript writes (0x7FF8000000000000), so that the bits agree everywhere.
  for (std::size_t c = 0; c < n; ++c) {
    if (values[c] != values[c]) values[c] = std::numeric_limits<double>::quiet_NaN();
  }
}

}  // namespace leaky_relu
