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

ByteRange GradRangeOf(const Task& t) {
  const auto begin = reinterpret_cast<std::uintptr_t>(t.alpha_grad);
  return ByteRange{begin, begin + t.slopes->channels() * sizeof(double)};
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
    if (tasks[i].alpha_grad != nullptr) writes.push_back(Write{GradRangeOf(tasks[i]), i});
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
    if (t.alpha_grad != nullptr) ranges.push_back(GradRangeOf(t));
  }
  return Normalize(std::move(ranges));
}

Job::Job(const KernelSet* kernels, std::vector<Task> tasks,
         std::vector<std::unique_ptr<SlopePlan>> plans, std::size_t chunk_bytes)
    : kernels_(kernels), tasks_(std::move(tasks)), plans_(std::move(plans)), block_sums_(tasks_.size()) {
  // Large arrays are cut into pieces of chunk_bytes; consecutive small ones are
  // gathered until a chunk holds chunk_bytes, so a batch of many small arrays costs
  // a few lane round trips, not one per array.
  chunk_first_piece_.push_back(0);
  std::size_t chunk_fill = 0;
  for (std::uint32_t t = 0; t < tasks_.size(); ++t) {
    const Task& task = tasks_[t];
    const std::size_t es = ElementSize(task);
    std::size_t per_piece = std::max<std::size_t>(1, chunk_bytes / es);
    if (task.alpha_grad != nullptr) {
      per_piece = task.slopes->BlockLength(task.length);
      block_sums_[t].assign(task.slopes->BlockCount(task.length) * task.slopes->channels(), 0.0);
    }
    for (std::size_t begin = 0, block = 0; begin < task.length; begin += per_piece, ++block) {
      const std::size_t end = std::min(task.length, begin + per_piece);
      pieces_.push_back(Piece{t, begin, end, block});
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
  // The gate is x; the value is dy backward, x itself forward.
  const void* value = t.backward ? t.dy : t.x;
  if (t.slopes != nullptr) {
    t.slopes->Run(k, op, t.x, value, t.out, begin, end);
    return;
  }
  const Kernel kernel = k.rows[static_cast<std::size_t>(t.dtype)]->kernels[static_cast<std::size_t>(op)];
  const std::size_t offset = begin * ElementSize(t);
  kernel(static_cast<const unsigned char*>(t.x) + offset, static_cast<const unsigned char*>(value) + offset,
         static_cast<unsigned char*>(t.out) + offset, end - begin, t.alpha);
}

void RunWhole(const KernelSet& k, const Task& t) {
  if (t.alpha_grad == nullptr) {
    RunTask(k, t, 0, t.length);
    return;
  }
  // Block by block, each block's sums added to the total in block order (SumBlocks'
  // order, without keeping every block's sums); written at the end, as async does.
  const std::size_t channels = t.slopes->channels();
  std::vector<double> total(channels, 0.0), sums(channels);
  const std::size_t blocks = t.slopes->BlockCount(t.length);
  for (std::size_t b = 0; b < blocks; ++b) {
    t.slopes->RunBlock(k, t.x, t.dy, t.out, t.length, b, sums.data());
    for (std::size_t c = 0; c < channels; ++c) total[c] += sums[c];
  }
  CanonicalNaNs(total.data(), channels);
  for (std::size_t c = 0; c < channels; ++c) t.alpha_grad[c] = total[c];
}

void Job::RunPiece(const Piece& piece) {
  const Task& t = tasks_[piece.task];
  if (t.alpha_grad == nullptr) {
    RunTask(*kernels_, t, piece.begin, piece.end);
    return;
  }
  double* sums = block_sums_[piece.task].data() + piece.block * t.slopes->channels();
  t.slopes->RunBlock(*kernels_, t.x, t.dy, t.out, t.length, piece.block, sums);
}

void Job::ReduceGradients() const {
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    const Task& t = tasks_[i];
    if (t.alpha_grad == nullptr) continue;
    SumBlocks(block_sums_[i].data(), t.slopes->BlockCount(t.length), t.slopes->channels(), t.alpha_grad);
  }
}

void Job::RunLane() {
  const std::size_t chunks = chunk_count();
  for (;;) {
    if (cancelled()) return;
    const std::size_t k = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (k >= chunks) return;
    for (std::size_t p = chunk_first_piece_[k]; p < chunk_first_piece_[k + 1]; ++p) {
      RunPiece(pieces_[p]);
    }
  }
}

}  // namespace leaky_relu
