// One submitForward/submitBackward call's life: hold (references keep every array
// alive; the busy registry claims the memory), queue (one Node-API async work per
// threadpool lane, each running the Job's chunks), finish (the last lane to complete
// releases the memory, calls back once, and frees the job).
#ifndef LEAKY_RELU_ASYNC_JOB_H_
#define LEAKY_RELU_ASYNC_JOB_H_

#include <node_api.h>

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "job.h"
#include "kernels.h"

namespace leaky_relu {

class AsyncJob;

// Per Node.js environment (main thread or worker): its kernel set and its unfinished
// jobs by id (touched on the environment's own thread only).
struct AddonState {
  const KernelSet* kernels = nullptr;
  std::unordered_map<double, AsyncJob*> jobs;
  double next_job_id = 1;
  // The last sync calls' slopes, rounded and laid out, without and with the gradient:
  // the next call with the same slopes (a layer's, call after call, forward and
  // backward alternating) skips building them.
  std::unique_ptr<SlopePlan> last_slopes[2];
};

// libuv's threadpool size, read once as libuv reads it.
unsigned ThreadpoolSize();

// How much memory one lane takes at a time (see async_job.cc for the measurements).
std::size_t ChunkBytes();

class AsyncJob {
 public:
  // Holds and queues a job over checked tasks. `arrays` are the distinct typed arrays
  // the tasks use (alphaGrad arrays included); `plans` own the tasks' slopes. Returns
  // its id, or 0 with ERR_BUFFER_IN_USE pending (nothing held).
  static double Start(napi_env env, AddonState* state, std::vector<Task> tasks,
                      std::vector<std::unique_ptr<SlopePlan>> plans,
                      const std::vector<napi_value>& arrays, napi_value callback);

  void Cancel() { job_.Cancel(); }

 private:
  struct Lane {
    AsyncJob* owner;
    napi_async_work work;
  };
  struct Held {
    napi_ref ref;
    std::size_t length;  // at submission: a buffer shrunk or detached meanwhile is shorter
  };

  AsyncJob(AddonState* state, std::vector<Task> tasks, std::vector<std::unique_ptr<SlopePlan>> plans);
  void Hold(napi_env env, const std::vector<napi_value>& arrays, napi_value callback);
  void Queue(napi_env env);
  bool AnyDetachedOrShrunk(napi_env env) const;
  void Finish(napi_env env);

  static void ExecuteLane(napi_env env, void* data);
  static void CompleteLane(napi_env env, napi_status status, void* data);

  AddonState* state_;
  double id_ = 0;
  Job job_;
  std::vector<Held> held_;
  napi_ref callback_ = nullptr;
  std::vector<Lane> lanes_;
  std::size_t lanes_left_ = 0;
  bool torn_down_ = false;
};

}  // namespace leaky_relu

#endif  // LEAKY_RELU_ASYNC_JOB_H_
