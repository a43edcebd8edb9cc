#include "busy_ranges.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <map>
#include <mutex>
#include <utility>

namespace leaky_relu {
namespace {

// Registered ranges never overlap (TryAcquire refuses an overlap), so one ordered map
// by begin answers "does this range touch any?" with one lookup: O(log n) per range,
// however many jobs are in flight.
struct Claim {
  std::uintptr_t end;
  const void* owner;
};

std::mutex registry_mutex;
std::map<std::uintptr_t, Claim>& Registry() {
  static auto* claims = new std::map<std::uintptr_t, Claim>();  // never destroyed: workers may outlive main
  return *claims;
}
std::multimap<const void*, std::uintptr_t>& ByOwner() {
  static auto* owners = new std::multimap<const void*, std::uintptr_t>();
  return *owners;
}
std::atomic<std::size_t> registered{0};

// Whether [r.begin, r.end) overlaps a registered range. Caller holds the mutex.
bool Taken(const ByteRange& r) {
  const auto& claims = Registry();
  auto it = claims.upper_bound(r.begin);  // first claim beginning after r.begin
  if (it != claims.end() && it->first < r.end) return true;
  if (it == claims.begin()) return false;
  return std::prev(it)->second.end > r.begin;
}

}  // namespace

std::vector<ByteRange> Normalize(std::vector<ByteRange> ranges) {
  ranges.erase(std::remove_if(ranges.begin(), ranges.end(),
                              [](const ByteRange& r) { return r.end <= r.begin; }),
               ranges.end());
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  std::vector<ByteRange> merged;
  for (const ByteRange& r : ranges) {
    if (!merged.empty() && r.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, r.end);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

bool TryAcquire(const void* owner, std::vector<ByteRange> ranges) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  for (const ByteRange& r : ranges) {
    if (Taken(r)) return false;
  }
  for (const ByteRange& r : ranges) {
    Registry().emplace(r.begin, Claim{r.end, owner});
    ByOwner().emplace(owner, r.begin);
  }
  registered.fetch_add(ranges.size(), std::memory_order_release);
  return true;
}

void Release(const void* owner) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto span = ByOwner().equal_range(owner);
  std::size_t released = 0;
  for (auto it = span.first; it != span.second; ++it, ++released) Registry().erase(it->second);
  ByOwner().erase(span.first, span.second);
  registered.fetch_sub(released, std::memory_order_release);
}

bool AnyBusy(const ByteRange* ranges, std::size_t count) {
  if (registered.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard<std::mutex> lock(registry_mutex);
  for (std::size_t i = 0; i < count; ++i) {
    if (ranges[i].end > ranges[i].begin && Taken(ranges[i])) return true;
  }
  return false;
}

std::size_t RegisteredRanges() { return registered.load(std::memory_order_acquire); }

}  // namespace leaky_relu
