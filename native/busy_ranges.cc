#include "busy_ranges.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>

namespace leaky_relu {
namespace {

struct Entry {
  const void* owner;
  std::vector<ByteRange> ranges;  // sorted, disjoint
};

std::mutex registry_mutex;
std::vector<Entry>& Registry() {
  static auto* entries = new std::vector<Entry>();  // never destroyed: workers may outlive main
  return *entries;
}
std::atomic<std::size_t> registered_jobs{0};

// Whether sorted, disjoint `a` and `b` share a byte: one merge walk.
bool Intersect(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].end <= b[j].begin) {
      ++i;
    } else if (b[j].end <= a[i].begin) {
      ++j;
    } else {
      return true;
    }
  }
  return false;
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
  for (const Entry& e : Registry()) {
    if (Intersect(e.ranges, ranges)) return false;
  }
  Registry().push_back(Entry{owner, std::move(ranges)});
  registered_jobs.fetch_add(1, std::memory_order_release);
  return true;
}

void Release(const void* owner) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto& entries = Registry();
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->owner == owner) {
      entries.erase(it);
      registered_jobs.fetch_sub(1, std::memory_order_release);
      return;
    }
  }
}

bool AnyBusy(const ByteRange* ranges, std::size_t count) {
  if (registered_jobs.load(std::memory_order_acquire) == 0) return false;
  std::vector<ByteRange> wanted = Normalize(std::vector<ByteRange>(ranges, ranges + count));
  std::lock_guard<std::mutex> lock(registry_mutex);
  for (const Entry& e : Registry()) {
    if (Intersect(e.ranges, wanted)) return true;
  }
  return false;
}

}  // namespace leaky_relu
