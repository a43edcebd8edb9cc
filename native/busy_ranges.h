// Process-wide record of the memory that unfinished async jobs work on, so that a
// sync call (from any thread or worker) on that memory is refused rather than racing
// with the threadpool. Plain C++, nothing of Node.
#ifndef LEAKY_RELU_BUSY_RANGES_H_
#define LEAKY_RELU_BUSY_RANGES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace leaky_relu {

struct ByteRange {
  std::uintptr_t begin;
  std::uintptr_t end;  // one past the last byte
};

// Whether a and b share a byte (an empty range shares none).
inline bool Overlap(const ByteRange& a, const ByteRange& b) { return a.begin < b.end && b.begin < a.end; }

// Sorts and merges ranges (empty ones dropped), as the registry keeps them.
std::vector<ByteRange> Normalize(std::vector<ByteRange> ranges);

// Registers `ranges` (normalized: sorted, disjoint, none empty) under `owner` unless one overlaps memory already
// registered; returns false then, registering nothing.
bool TryAcquire(const void* owner, std::vector<ByteRange> ranges);

// Forgets everything registered under `owner`.
void Release(const void* owner);

// Whether any of `ranges` overlaps registered memory. One relaxed load when no job is
// in flight, which is the sync calls' usual case.
bool AnyBusy(const ByteRange* ranges, std::size_t count);

// How many ranges are registered, for tests that check nothing stays registered.
std::size_t RegisteredRanges();

}  // namespace leaky_relu

#endif  // LEAKY_RELU_BUSY_RANGES_H_
