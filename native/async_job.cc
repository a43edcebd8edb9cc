#include "async_job.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "busy_ranges.h"
#include "errors.h"

namespace leaky_relu {

// Large enough that taking a chunk (one atomic increment) and the lane round trips
// vanish against the kernel, small enough that a 16Mi-element array gives every thread
// many chunks to balance over. Measured on 2 cores, 16Mi elements, 4 threadpool
// threads, async / sync time (f32, f64): 64 KiB 0.76, 0.72; 256 KiB 0.73, 0.62;
// 1 MiB 0.59, 0.63; 4 MiB 0.64, 0.67. Again after the kernels' alignment peel, sync and
// async in alternate passes, medians of three to six runs: 256 KiB 0.64, 0.69;
// 1 MiB 0.62, 0.58; 4 MiB 0.64, 0.63.
std::size_t ChunkBytes() { return 1024 * 1024; }

unsigned ThreadpoolSize() {
  // libuv reads UV_THREADPOOL_SIZE once, at the first use of its pool (default 4, at
  // most 1024): a later change of the variable does not resize the pool.
  static const unsigned size = [] {
    const char* value = std::getenv("UV_THREADPOOL_SIZE");
    const long n = value != nullptr ? std::strtol(value, nullptr, 10) : 0;
    return n > 0 ? static_cast<unsigned>(std::min(n, 1024L)) : 4u;
  }();
  return size;
}

AsyncJob::AsyncJob(AddonState* state, std::vector<Task> tasks,
                   std::vector<std::unique_ptr<SlopePlan>> plans)
    : state_(state), job_(state->kernels, std::move(tasks), std::move(plans), ChunkBytes()) {}

double AsyncJob::Start(napi_env env, AddonState* state, std::vector<Task> tasks,
                       std::vector<std::unique_ptr<SlopePlan>> plans,
                       const std::vector<napi_value>& arrays, napi_value callback) {
  auto* job = new AsyncJob(state, std::move(tasks), std::move(plans));
  if (!TryAcquire(job, MemoryOf(job->job_.tasks()))) {
    delete job;
    ThrowBusy(env, "x");
    return 0;
  }
  job->Hold(env, arrays, callback);
  const double id = job->id_;
  job->Queue(env);  // may finish (and free) the job at once while Node shuts down
  return id;
}

void AsyncJob::Hold(napi_env env, const std::vector<napi_value>& arrays, napi_value callback) {
  held_.reserve(arrays.size());
  for (napi_value array : arrays) {
    Held h{nullptr, 0};
    napi_typedarray_type type;
    void* data;
    napi_get_typedarray_info(env, array, &type, &h.length, &data, nullptr, nullptr);
    napi_create_reference(env, array, 1, &h.ref);
    held_.push_back(h);
  }
  napi_create_reference(env, callback, 1, &callback_);
  id_ = state_->next_job_id++;
  state_->jobs.emplace(id_, this);
}

void AsyncJob::Queue(napi_env env) {
  const std::size_t lanes =
      std::max<std::size_t>(1, std::min<std::size_t>(ThreadpoolSize(), job_.chunk_count()));
  lanes_.resize(lanes);
  lanes_left_ = lanes;
  napi_value resource_name;
  napi_create_string_utf8(env, "leaky-relu", NAPI_AUTO_LENGTH, &resource_name);
  std::size_t not_queued = 0;
  for (Lane& lane : lanes_) {
    lane.owner = this;
    lane.work = nullptr;
    if (napi_create_async_work(env, nullptr, resource_name, ExecuteLane, CompleteLane, &lane,
                               &lane.work) != napi_ok ||
        napi_queue_async_work(env, lane.work) != napi_ok) {
      // Only while the environment shuts down: the lane's chunks run here instead.
      if (lane.work != nullptr) napi_delete_async_work(env, lane.work);
      lane.work = nullptr;
      job_.RunLane();
      ++not_queued;
    }
  }
  lanes_left_ -= not_queued;
  if (lanes_left_ == 0) Finish(env);
}

void AsyncJob::ExecuteLane(napi_env, void* data) { static_cast<Lane*>(data)->owner->job_.RunLane(); }

void AsyncJob::CompleteLane(napi_env env, napi_status status, void* data) {
  auto* lane = static_cast<Lane*>(data);
  AsyncJob* job = lane->owner;
  napi_delete_async_work(env, lane->work);
  // Cancelled means the environment is going away (a worker terminated): no JS now.
  if (status == napi_cancelled) job->torn_down_ = true;
  if (--job->lanes_left_ == 0) job->Finish(env);
}

// A growing buffer (a growable SharedArrayBuffer under a length-tracking view) is fine:
// the job touched only the elements it had at submission.
bool AsyncJob::AnyDetachedOrShrunk(napi_env env) const {
  for (const Held& h : held_) {
    napi_value value, buffer;
    napi_typedarray_type type;
    std::size_t length = 0, offset;
    void* data;
    bool detached = false;
    if (napi_get_reference_value(env, h.ref, &value) != napi_ok ||
        napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok ||
        napi_is_detached_arraybuffer(env, buffer, &detached) != napi_ok || detached ||
        length < h.length) {
      return true;
    }
  }
  return false;
}

void AsyncJob::Finish(napi_env env) {
  Release(this);
  state_->jobs.erase(id_);
  napi_value callback = nullptr;
  if (!torn_down_ && napi_get_reference_value(env, callback_, &callback) == napi_ok &&
      callback != nullptr) {
    napi_value args[2];
    if (AnyDetachedOrShrunk(env)) {
      args[0] = DetachedWhileInUse(env);
    } else {
      // The slope gradients are summed here, on the main thread, once every block ran:
      // not for a cancelled job (some blocks did not run), nor over detached memory.
      if (!job_.cancelled()) job_.ReduceGradients();
      napi_get_null(env, &args[0]);
    }
    napi_get_boolean(env, job_.cancelled(), &args[1]);
    napi_value global, ignored;
    napi_get_global(env, &global);
    if (napi_call_function(env, global, callback, 2, args, &ignored) == napi_pending_exception) {
      // The facade's callback never throws. A raw caller's would surface here with no
      // JS frame to catch it, as an uncaught exception that ends the process: it is
      // dropped instead, since nothing passed to the binding may bring a server down.
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
    }
  }
  for (const Held& h : held_) napi_delete_reference(env, h.ref);
  if (callback_ != nullptr) napi_delete_reference(env, callback_);
  delete this;
}

}  // namespace leaky_relu
