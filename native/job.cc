#include "job.h"

#include <algorithm>
#include <utility>

namespace leaky_relu {
namespace {

std::size_t ElementSize(const Task& t) { return kElementBytes[static_cast<std::size_t>(t.dtype)]; }

ByteRange RangeOf(const void* p, const Task& t) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  return ByteRange{begin, begin + t.length * ElementSize(t)};
}

bool Overlap(const ByteRange& a, const ByteRange& b) {
  return a.begin < b.end && b.begin < a.end;
}

}  // namespace

bool OutputsCollide(const std::vector<Task>& tasks) {
  struct Write {
    ByteRange range;
    std::size_t task;
  };
  std::vector<Write> writes;
  writes.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const ByteRange w = RangeOf(tasks[i].out, tasks[i]);
    if (w.end > w.begin) writes.push_back(Write{w, i});
  }
  std::sort(writes.begin(), writes.end(),
            [](const Write& a, const Write& b) { return a.range.begin < b.range.begin; });
  for (std::size_t k = 1; k < writes.size(); ++k) {
    if (writes[k].range.begin < writes[k - 1].range.end) return true;
  }
  // Writes are now disjoint and sorted by begin, hence by end: for each read, the
  // first write ending after the read's begin is the only candidate overlap.
  auto collides = [&](const ByteRange& read, std::size_t task) {
    if (read.end <= read.begin) return false;
    auto it = std::upper_bound(writes.begin(), writes.end(), read.begin,
                               [](std::uintptr_t v, const Write& w) { return v < w.range.end; });
    for (; it != writes.end() && it->range.begin < read.end; ++it) {
      if (it->task != task && Overlap(it->range, read)) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (collides(RangeOf(tasks[i].x, tasks[i]), i)) return true;
    if (tasks[i].backward && collides(RangeOf(tasks[i].dy, tasks[i]), i)) return true;
  }
  return false;
}

std::vector<ByteRange> MemoryOf(const std::vector<Task>& tasks) {
  std::vector<ByteRange> ranges;
  ranges.reserve(tasks.size() * 2);
  for (const Task& t : tasks) {
    ranges.push_back(RangeOf(t.x, t));
    if (t.out != t.x) ranges.push_back(RangeOf(t.out, t));
    if (t.backward && t.dy != t.out) ranges.push_back(RangeOf(t.dy, t));
  }
  return Normalize(std::move(ranges));
}

Job::Job(const KernelSet* kernels, std::vector<Task> tasks, std::size_t chunk_bytes)
    : kernels_(kernels), tasks_(std::move(tasks)) {
  // Large arrays are cut into pieces of chunk_bytes; consecutive small ones are
  // gathered until a chunk holds chunk_bytes, so a batch of many small arrays costs
  // a few lane round trips, not one per array.
  chunk_first_piece_.push_back(0);
  std::size_t chunk_fill = 0;
  for (std::uint32_t t = 0; t < tasks_.size(); ++t) {
    const std::size_t es = ElementSize(tasks_[t]);
    const std::size_t per_piece = std::max<std::size_t>(1, chunk_bytes / es);
    for (std::size_t begin = 0; begin < tasks_[t].length; begin += per_piece) {
      const std::size_t end = std::min(tasks_[t].length, begin + per_piece);
      pieces_.push_back(Piece{t, begin, end});
      chunk_fill += (end - begin) * es;
      if (chunk_fill >= chunk_bytes) {
        chunk_first_piece_.push_back(pieces_.size());
        chunk_fill = 0;
      }
    }
  }
  if (chunk_first_piece_.back() != pieces_.size()) chunk_first_piece_.push_back(pieces_.size());
}

void RunTask(const KernelSet& k, const Task& t, std::size_t begin, std::size_t end) {
  const Op op = t.backward ? Op::kBackward : Op::kForward;
  const Kernel kernel = k.kernels[static_cast<std::size_t>(t.dtype)][static_cast<std::size_t>(op)];
  const std::size_t offset = begin * ElementSize(t);
  // The gate is x; the value is dy backward, x itself forward.
  const void* x = static_cast<const unsigned char*>(t.x) + offset;
  const void* value = t.backward ? static_cast<const unsigned char*>(t.dy) + offset : x;
  kernel(x, value, static_cast<unsigned char*>(t.out) + offset, end - begin, t.alpha);
}

void Job::RunLane() {
  const std::size_t chunks = chunk_count();
  for (;;) {
    if (cancelled()) return;
    const std::size_t k = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (k >= chunks) return;
    for (std::size_t p = chunk_first_piece_[k]; p < chunk_first_piece_[k + 1]; ++p) {
      const Piece& piece = pieces_[p];
      RunTask(*kernels_, tasks_[piece.task], piece.begin, piece.end);
    }
  }
}

}  // namespace leaky_relu
