// An async job: a list of tasks (whole arrays) cut into chunks that threadpool lanes
// take one at a time, so one large array runs on several threads and many small ones
// share a lane. Plain C++, nothing of Node: addon.cc queues one Node-API async work
// per lane and each calls RunLane().
#ifndef LEAKY_RELU_JOB_H_
#define LEAKY_RELU_JOB_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "busy_ranges.h"
#include "kernels.h"
#include "slopes.h"

namespace leaky_relu {

struct Task {
  bool backward;   // dx = x > 0 ? dy : alpha * dy, else y = x > 0 ? x : alpha * x
  Dtype dtype;     // element type of every array of the task
  const void* x;
  const void* dy;  // backward only
  void* out;       // exactly x (or dy), or disjoint from them
  std::size_t length;
  double alpha;    // rounded to the element type by the kernel
  // Per-channel slopes instead of alpha (owned by the call or the job), and the slope
  // gradient's output (backward only; C doubles, disjoint from the arrays).
  const SlopePlan* slopes = nullptr;
  double* alpha_grad = nullptr;
};

// Whether some task's output overlaps memory that another task reads or writes (a
// task's own in-place output is fine): such a batch has no well-defined result when
// its chunks run in parallel, so it is refused.
bool OutputsCollide(const std::vector<Task>& tasks);

// Runs elements [begin, end) of a task on `kernels` (without the slope gradient).
void RunTask(const KernelSet& kernels, const Task& task, std::size_t begin, std::size_t end);

// A whole task, the slope gradient included (a sync call).
void RunWhole(const KernelSet& kernels, const Task& task);

// The memory a job touches, for the busy registry.
std::vector<ByteRange> MemoryOf(const std::vector<Task>& tasks);

class Job {
 public:
  // chunk_bytes: the work one lane takes at a time (see addon.cc for its measured value).
  // A task with alpha_grad is cut at its gradient blocks (slopes.h), whose sums go to
  // the job's scratch until ReduceGradients. `plans` own the tasks' slopes.
  Job(const KernelSet* kernels, std::vector<Task> tasks,
      std::vector<std::unique_ptr<SlopePlan>> plans, std::size_t chunk_bytes);

  std::size_t chunk_count() const { return chunk_first_piece_.size() - 1; }

  // Runs chunks until none is left or the job is cancelled. Any number of threads may
  // call it at once; each chunk runs exactly once.
  void RunLane();

  // Chunks not yet started are skipped. Callable from any thread.
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  const std::vector<Task>& tasks() const { return tasks_; }

  // Writes each alpha_grad from its blocks' sums, in block order: after every chunk ran.
  void ReduceGradients() const;

 private:
  struct Piece {
    std::uint32_t task;
    std::size_t begin;
    std::size_t end;
    std::size_t block;  // gradient tasks: the block [begin, end) is
  };
  void RunPiece(const Piece& piece);

  const KernelSet* kernels_;
  std::vector<Task> tasks_;
  std::vector<std::unique_ptr<SlopePlan>> plans_;
  // Per task with alpha_grad: its blocks' sums, block-major (empty for the others).
  std::vector<std::vector<double>> block_sums_;
  std::vector<Piece> pieces_;
  // Chunk k is pieces_[chunk_first_piece_[k], chunk_first_piece_[k + 1]).
  std::vector<std::size_t> chunk_first_piece_;
  std::atomic<std::size_t> next_chunk_{0};
  std::atomic<bool> cancelled_{false};
};

}  // namespace leaky_relu

#endif  // LEAKY_RELU_JOB_H_
