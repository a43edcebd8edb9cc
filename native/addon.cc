// The Node-API surface: unpack and check arguments, then call a kernel. Nothing here
// trusts the TypeScript facade: every argument is checked again, so a wrong call from
// JS throws an error with a Node-style code instead of crashing the process.
//
// The hot path uses the Node-API C calls directly and asks each argument once
// (napi_get_typedarray_info doubles as the type check): every extra query costs
// 10-20 ns against a ~40 ns floor per call on the machines we measure.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "busy_ranges.h"
#include "cpu_dispatch.h"
#include "job.h"
#include "kernels.h"

namespace leaky_relu {
namespace {

struct AsyncJob;

// Per Node.js environment (main thread or worker): the kernel set chosen for it and
// its unfinished async jobs by id (touched on the environment's own thread only).
struct AddonState {
  const KernelSet* kernels;
  std::unordered_map<double, AsyncJob*> jobs;
  double next_job_id = 1;
};

struct FloatView {
  napi_typedarray_type type;
  std::size_t length;
  void* data;
  napi_value array;  // the typed array itself, for the rare second look (detached?)
};

std::size_t ElementSize(napi_typedarray_type t) { return t == napi_float64_array ? 8 : 4; }

bool ThrowTypeError(napi_env env, const char* message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return false;
}

bool ThrowRangeError(napi_env env, const char* message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  return false;
}

bool ThrowDetached(napi_env env, const char* name) {
  const std::string message = std::string("The \"") + name + "\" argument's buffer is detached";
  napi_throw_type_error(env, "ERR_INVALID_STATE", message.c_str());
  return false;
}

// The type stage: a Float32Array or Float64Array, nothing else.
bool UnpackFloatArray(napi_env env, napi_value value, const char* name, FloatView* view) {
  view->array = value;
  // Not asking for the ArrayBuffer handle or the offset saves a few ns a call.
  if (napi_get_typedarray_info(env, value, &view->type, &view->length, &view->data, nullptr,
                               nullptr) != napi_ok ||
      (view->type != napi_float32_array && view->type != napi_float64_array)) {
    const std::string message =
        std::string("The \"") + name + "\" argument must be a Float32Array or Float64Array";
    return ThrowTypeError(env, message.c_str());
  }
  return true;
}

bool UnpackAlphaType(napi_env env, napi_value value, double* alpha) {
  if (napi_get_value_double(env, value, alpha) != napi_ok) {
    return ThrowTypeError(env, "The \"alpha\" argument must be of type number");
  }
  return true;
}

// Only an empty view can sit on a detached buffer (V8 reports length 0 for it), so
// the extra query is paid for empty arrays only.
bool CheckNotDetached(napi_env env, const FloatView& view, const char* name) {
  if (view.length != 0) return true;
  bool detached = false;
  napi_typedarray_type type;
  std::size_t length, offset;
  void* data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, view.array, &type, &length, &data, &buffer, &offset) ==
          napi_ok &&
      napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached) {
    return ThrowDetached(env, name);
  }
  return true;
}

bool CheckAlphaRange(napi_env env, double alpha, napi_typedarray_type type) {
  const bool finite = type == napi_float32_array ? std::isfinite(static_cast<float>(alpha))
                                                 : std::isfinite(alpha);
  if (!finite) {
    return ThrowRangeError(env,
                           "The \"alpha\" argument must be finite (and finite once rounded "
                           "to float32 for float32 data)");
  }
  return true;
}

// `out` must be exactly the input's memory (in place) or not touch it at all.
bool CheckNoPartialOverlap(napi_env env, const FloatView& out, const FloatView& in,
                           const char* message) {
  const std::size_t bytes = out.length * ElementSize(out.type);
  const auto o = reinterpret_cast<std::uintptr_t>(out.data);
  const auto i = reinterpret_cast<std::uintptr_t>(in.data);
  if (bytes == 0 || o == i) return true;
  if (o < i + bytes && i < o + bytes) return ThrowRangeError(env, message);
  return true;
}

ByteRange RangeOf(const FloatView& v) {
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data);
  return ByteRange{begin, begin + v.length * ElementSize(v.type)};
}

// A sync call must not race with threadpool work on the same memory.
bool CheckNotBusy(napi_env env, const ByteRange* ranges, std::size_t count) {
  if (AnyBusy(ranges, count)) {
    napi_throw_error(env, "ERR_BUFFER_IN_USE",
                     "The memory overlaps an unfinished async leaky-relu call; await it first");
    return false;
  }
  return true;
}

bool IsUndefined(napi_env env, napi_value value) {
  napi_valuetype t;
  return napi_typeof(env, value, &t) == napi_ok && t == napi_undefined;
}

void RunForward(const KernelSet& k, const FloatView& x, const FloatView& y, double alpha) {
  if (x.type == napi_float32_array) {
    k.forward_f32(static_cast<const float*>(x.data), static_cast<float*>(y.data), x.length,
                  static_cast<float>(alpha));
  } else {
    k.forward_f64(static_cast<const double*>(x.data), static_cast<double*>(y.data), x.length,
                  alpha);
  }
}

// forward(x, alpha[, out]): y = x > 0 ? x : alpha * x, into out or in place.
napi_value Forward(napi_env env, napi_callback_info info) {
  std::size_t argc = 3;
  napi_value args[3];
  void* data;
  napi_get_cb_info(env, info, &argc, args, nullptr, &data);
  const auto* state = static_cast<const AddonState*>(data);
  if (argc < 2) {
    ThrowTypeError(env, "forward(x, alpha[, out]) takes at least 2 arguments");
    return nullptr;
  }
  FloatView x, out;
  double alpha;
  const bool has_out = argc >= 3 && !IsUndefined(env, args[2]);
  if (!UnpackFloatArray(env, args[0], "x", &x) || !UnpackAlphaType(env, args[1], &alpha)) {
    return nullptr;
  }
  if (has_out) {
    if (!UnpackFloatArray(env, args[2], "out", &out)) return nullptr;
    if (out.type != x.type) {
      ThrowTypeError(env, "The \"out\" argument must have the element type of \"x\"");
      return nullptr;
    }
  }
  if (!CheckNotDetached(env, x, "x") || (has_out && !CheckNotDetached(env, out, "out")) ||
      !CheckAlphaRange(env, alpha, x.type)) {
    return nullptr;
  }
  if (has_out) {
    if (out.length != x.length) {
      ThrowRangeError(env, "The \"out\" argument must have the length of \"x\"");
      return nullptr;
    }
    if (!CheckNoPartialOverlap(env, out, x,
                               "The \"out\" argument partly overlaps \"x\" (only the exact "
                               "same memory, in place, is allowed)")) {
      return nullptr;
    }
  }
  const ByteRange touched[2] = {RangeOf(x), RangeOf(has_out ? out : x)};
  if (!CheckNotBusy(env, touched, 2)) return nullptr;
  RunForward(*state->kernels, x, has_out ? out : x, alpha);
  return nullptr;
}

void RunBackward(const KernelSet& k, const FloatView& dy, const FloatView& x,
                 const FloatView& dx, double alpha) {
  if (x.type == napi_float32_array) {
    k.backward_f32(static_cast<const float*>(dy.data), static_cast<const float*>(x.data),
                   static_cast<float*>(dx.data), x.length, static_cast<float>(alpha));
  } else {
    k.backward_f64(static_cast<const double*>(dy.data), static_cast<const double*>(x.data),
                   static_cast<double*>(dx.data), x.length, alpha);
  }
}

// backward(dy, x, alpha[, out]): dx = x > 0 ? dy : alpha * dy, into out or into dy.
napi_value Backward(napi_env env, napi_callback_info info) {
  std::size_t argc = 4;
  napi_value args[4];
  void* data;
  napi_get_cb_info(env, info, &argc, args, nullptr, &data);
  const auto* state = static_cast<const AddonState*>(data);
  if (argc < 3) {
    ThrowTypeError(env, "backward(dy, x, alpha[, out]) takes at least 3 arguments");
    return nullptr;
  }
  FloatView dy, x, out;
  double alpha;
  const bool has_out = argc >= 4 && !IsUndefined(env, args[3]);
  if (!UnpackFloatArray(env, args[0], "dy", &dy) || !UnpackFloatArray(env, args[1], "x", &x) ||
      !UnpackAlphaType(env, args[2], &alpha)) {
    return nullptr;
  }
  if (dy.type != x.type) {
    ThrowTypeError(env, "The \"dy\" and \"x\" arguments must have the same element type");
    return nullptr;
  }
  if (has_out) {
    if (!UnpackFloatArray(env, args[3], "out", &out)) return nullptr;
    if (out.type != x.type) {
      ThrowTypeError(env, "The \"out\" argument must have the element type of \"x\"");
      return nullptr;
    }
  }
  if (!CheckNotDetached(env, dy, "dy") || !CheckNotDetached(env, x, "x") ||
      (has_out && !CheckNotDetached(env, out, "out")) || !CheckAlphaRange(env, alpha, x.type)) {
    return nullptr;
  }
  if (dy.length != x.length) {
    ThrowRangeError(env, "The \"dy\" and \"x\" arguments must have the same length");
    return nullptr;
  }
  const FloatView& dx = has_out ? out : dy;
  if (dx.length != x.length) {
    ThrowRangeError(env, "The \"out\" argument must have the length of \"x\"");
    return nullptr;
  }
  static const char kOverlap[] =
      "The output partly overlaps \"dy\" or \"x\" (only the exact same memory is allowed)";
  if (!CheckNoPartialOverlap(env, dx, dy, kOverlap) ||
      !CheckNoPartialOverlap(env, dx, x, kOverlap)) {
    return nullptr;
  }
  const ByteRange touched[3] = {RangeOf(dy), RangeOf(x), RangeOf(dx)};
  if (!CheckNotBusy(env, touched, 3)) return nullptr;
  RunBackward(*state->kernels, dy, x, dx, alpha);
  return nullptr;
}

// ---- Async: a Job (job.h) run by one Node-API async work per threadpool lane.

// How much memory one lane takes at a time. Large enough that taking a chunk (one
// atomic increment) and the lane round trips vanish against the kernel, small enough
// that a 16Mi-element array gives every thread many chunks to balance over. Measured
// on 2 cores, 16Mi elements, 4 threadpool threads, async / sync time (f32, f64):
// 64 KiB 0.76, 0.72; 256 KiB 0.73, 0.62; 1 MiB 0.59, 0.63; 4 MiB 0.64, 0.67.
// Again after the kernels' alignment peel, sync and async in alternate passes, medians
// of three to six runs: 256 KiB 0.64, 0.69; 1 MiB 0.62, 0.58; 4 MiB 0.64, 0.63.
constexpr std::size_t kChunkBytes = 1024 * 1024;

// libuv reads UV_THREADPOOL_SIZE once, at the first use of its pool (default 4, at
// most 1024); a job spreads over that many lanes at most.
unsigned ThreadpoolSize() {
  // Read once, as libuv does: a later change of the variable does not resize the pool.
  static const unsigned size = [] {
    const char* value = std::getenv("UV_THREADPOOL_SIZE");
    const long n = value != nullptr ? std::strtol(value, nullptr, 10) : 0;
    return n > 0 ? static_cast<unsigned>(std::min(n, 1024L)) : 4u;
  }();
  return size;
}

struct Lane {
  AsyncJob* owner;
  napi_async_work work;
};

struct AsyncJob {
  AsyncJob(AddonState* s, const KernelSet* k, std::vector<Task> tasks)
      : state(s), job(k, std::move(tasks), kChunkBytes) {}
  AddonState* state;
  double id = 0;
  Job job;
  // Every distinct array object of every task, with its length at submission: the
  // references keep them (and their buffers) alive until the callback has run, and a
  // length that has dropped to 0 tells of a buffer detached meanwhile.
  struct Held {
    napi_ref ref;
    std::size_t length;
  };
  std::vector<Held> held;
  napi_ref callback = nullptr;
  std::vector<Lane> lanes;
  std::size_t lanes_left = 0;
  bool torn_down = false;
};

void ExecuteLane(napi_env, void* data) { static_cast<Lane*>(data)->owner->job.RunLane(); }

bool AnyDetached(napi_env env, const AsyncJob& aj) {
  for (const AsyncJob::Held& h : aj.held) {
    napi_value value;
    FloatView v;
    if (napi_get_reference_value(env, h.ref, &value) != napi_ok ||
        napi_get_typedarray_info(env, value, &v.type, &v.length, &v.data, nullptr,
                                 nullptr) != napi_ok ||
        v.length != h.length) {
      return true;
    }
  }
  return false;
}

void FinishJob(napi_env env, AsyncJob* aj) {
  Release(aj);
  aj->state->jobs.erase(aj->id);
  napi_value callback = nullptr;
  if (!aj->torn_down && napi_get_reference_value(env, aj->callback, &callback) == napi_ok &&
      callback != nullptr) {
    napi_value args[2];
    napi_get_null(env, &args[0]);
    if (AnyDetached(env, *aj)) {
      napi_value code, message;
      napi_create_string_utf8(env, "ERR_INVALID_STATE", NAPI_AUTO_LENGTH, &code);
      napi_create_string_utf8(env,
                              "An array's buffer was detached while an async leaky-relu call "
                              "worked on it; its memory may be partly transformed",
                              NAPI_AUTO_LENGTH, &message);
      napi_create_type_error(env, code, message, &args[0]);
    }
    napi_get_boolean(env, aj->job.cancelled(), &args[1]);
    napi_value global, ignored;
    napi_get_global(env, &global);
    // Fails only while the environment is torn down, when no one is left to tell.
    napi_call_function(env, global, callback, 2, args, &ignored);
  }
  for (const AsyncJob::Held& h : aj->held) napi_delete_reference(env, h.ref);
  if (aj->callback != nullptr) napi_delete_reference(env, aj->callback);
  delete aj;
}

void CompleteLane(napi_env env, napi_status status, void* data) {
  auto* lane = static_cast<Lane*>(data);
  AsyncJob* aj = lane->owner;
  napi_delete_async_work(env, lane->work);
  // Cancelled means the environment is going away (a worker terminated): no JS now.
  if (status == napi_cancelled) aj->torn_down = true;
  if (--aj->lanes_left == 0) FinishJob(env, aj);
}

// Unpacks and checks task i of a submit call; on failure an error is pending.
bool UnpackTask(napi_env env, bool backward, napi_value xs, napi_value dys, napi_value outs,
                std::uint32_t i, double alpha, Task* task, napi_value* x_value,
                napi_value* out_value, napi_value* dy_value) {
  FloatView x, out, dy;
  if (napi_get_element(env, xs, i, x_value) != napi_ok ||
      napi_get_element(env, outs, i, out_value) != napi_ok ||
      (backward && napi_get_element(env, dys, i, dy_value) != napi_ok)) {
    return false;
  }
  if (!UnpackFloatArray(env, *x_value, "x", &x) ||
      (backward && !UnpackFloatArray(env, *dy_value, "dy", &dy)) ||
      !UnpackFloatArray(env, *out_value, "out", &out)) {
    return false;
  }
  if (out.type != x.type || (backward && dy.type != x.type)) {
    return ThrowTypeError(env, "Every array of a task must have the same element type");
  }
  if (!CheckNotDetached(env, x, "x") || (backward && !CheckNotDetached(env, dy, "dy")) ||
      !CheckNotDetached(env, out, "out") || !CheckAlphaRange(env, alpha, x.type)) {
    return false;
  }
  if (out.length != x.length || (backward && dy.length != x.length)) {
    return ThrowRangeError(env, "Every array of a task must have the same length");
  }
  static const char kOverlap[] =
      "An output partly overlaps its task's input (only the exact same memory is allowed)";
  if (!CheckNoPartialOverlap(env, out, x, kOverlap) ||
      (backward && !CheckNoPartialOverlap(env, out, dy, kOverlap))) {
    return false;
  }
  *task = Task{backward, x.type == napi_float64_array, x.data, backward ? dy.data : nullptr,
               out.data, x.length, alpha};
  return true;
}

bool StrictlyEqual(napi_env env, napi_value a, napi_value b) {
  bool equal = false;
  return napi_strict_equals(env, a, b, &equal) == napi_ok && equal;
}

bool ArrayLength(napi_env env, napi_value value, const char* name, std::uint32_t* length) {
  bool is_array = false;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, length) != napi_ok) {
    const std::string message = std::string("The \"") + name + "\" argument must be an Array";
    return ThrowTypeError(env, message.c_str());
  }
  return true;
}

// Shared by submitForward(xs, outs, alpha, callback) and
// submitBackward(dys, xs, outs, alpha, callback). outs[i] is xs[i] (dys[i]) for in place.
// Returns the job's id for cancel(id); the callback gets (error | null, cancelled).
napi_value Submit(napi_env env, napi_callback_info info, bool backward) {
  const std::size_t expected = backward ? 5 : 4;
  std::size_t argc = 5;
  napi_value args[5];
  void* data;
  napi_get_cb_info(env, info, &argc, args, nullptr, &data);
  auto* state = static_cast<AddonState*>(data);
  if (argc < expected) {
    ThrowTypeError(env, backward ? "submitBackward(dys, xs, outs, alpha, callback) takes 5 arguments"
                                 : "submitForward(xs, outs, alpha, callback) takes 4 arguments");
    return nullptr;
  }
  napi_value dys = backward ? args[0] : nullptr;
  napi_value xs = args[backward ? 1 : 0];
  napi_value outs = args[backward ? 2 : 1];
  napi_value alpha_value = args[backward ? 3 : 2];
  napi_value callback = args[backward ? 4 : 3];
  std::uint32_t count = 0, out_count = 0, dy_count = 0;
  double alpha;
  napi_valuetype callback_type;
  if (!ArrayLength(env, xs, "xs", &count) || !ArrayLength(env, outs, "outs", &out_count) ||
      (backward && !ArrayLength(env, dys, "dys", &dy_count)) ||
      !UnpackAlphaType(env, alpha_value, &alpha)) {
    return nullptr;
  }
  if (napi_typeof(env, callback, &callback_type) != napi_ok || callback_type != napi_function) {
    ThrowTypeError(env, "The \"callback\" argument must be a function");
    return nullptr;
  }
  if (out_count != count || (backward && dy_count != count)) {
    ThrowRangeError(env, "The task lists must have the same length");
    return nullptr;
  }
  std::vector<Task> tasks(count);
  std::vector<napi_value> held;
  held.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    napi_value x_value, out_value, dy_value = nullptr;
    if (!UnpackTask(env, backward, xs, dys, outs, i, alpha, &tasks[i], &x_value, &out_value,
                    &dy_value)) {
      return nullptr;
    }
    held.push_back(x_value);
    if (!StrictlyEqual(env, out_value, x_value)) held.push_back(out_value);
    if (backward && !StrictlyEqual(env, dy_value, out_value) && !StrictlyEqual(env, dy_value, x_value)) {
      held.push_back(dy_value);
    }
  }
  if (OutputsCollide(tasks)) {
    ThrowRangeError(env, "An output of the batch overlaps another array of the batch");
    return nullptr;
  }
  auto* aj = new AsyncJob(state, state->kernels, std::move(tasks));
  if (!TryAcquire(aj, MemoryOf(aj->job.tasks()))) {
    delete aj;
    napi_throw_error(env, "ERR_BUFFER_IN_USE",
                     "The memory overlaps an unfinished async leaky-relu call; await it first");
    return nullptr;
  }
  aj->held.reserve(held.size());
  for (napi_value v : held) {
    AsyncJob::Held h{nullptr, 0};
    napi_typedarray_type type;
    void* data;
    napi_get_typedarray_info(env, v, &type, &h.length, &data, nullptr, nullptr);
    napi_create_reference(env, v, 1, &h.ref);
    aj->held.push_back(h);
  }
  napi_create_reference(env, callback, 1, &aj->callback);
  aj->id = state->next_job_id++;
  state->jobs.emplace(aj->id, aj);

  const std::size_t lanes =
      std::max<std::size_t>(1, std::min<std::size_t>(ThreadpoolSize(), aj->job.chunk_count()));
  aj->lanes.resize(lanes);
  aj->lanes_left = lanes;
  napi_value resource_name;
  napi_create_string_utf8(env, "leaky-relu", NAPI_AUTO_LENGTH, &resource_name);
  for (Lane& lane : aj->lanes) {
    lane.owner = aj;
    napi_create_async_work(env, nullptr, resource_name, ExecuteLane, CompleteLane, &lane,
                           &lane.work);
    napi_queue_async_work(env, lane.work);
  }
  napi_value id;
  napi_create_double(env, aj->id, &id);
  return id;
}

napi_value SubmitForward(napi_env env, napi_callback_info info) { return Submit(env, info, false); }
napi_value SubmitBackward(napi_env env, napi_callback_info info) { return Submit(env, info, true); }

// cancel(id): chunks of that job not yet started are skipped. Unknown ids (finished
// jobs) are ignored.
Napi::Value Cancel(const Napi::CallbackInfo& info) {
  auto* state = static_cast<AddonState*>(info.Data());
  if (info.Length() >= 1 && info[0].IsNumber()) {
    auto it = state->jobs.find(info[0].As<Napi::Number>().DoubleValue());
    if (it != state->jobs.end()) it->second->job.Cancel();
  }
  return info.Env().Undefined();
}

// addressOf(array): where its first element lives, so that the facade can compare
// memory reached through different buffer objects (the same SharedArrayBuffer memory
// sent to a worker and back is another object).
napi_value AddressOf(napi_env env, napi_callback_info info) {
  std::size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  FloatView view;
  if (argc < 1 || !UnpackFloatArray(env, arg, "array", &view)) return nullptr;
  napi_value address;
  napi_create_double(env, static_cast<double>(reinterpret_cast<std::uintptr_t>(view.data)),
                     &address);
  return address;
}

Napi::Value Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ThreadpoolSize());
}

// configure(cap): choose this environment's kernel set, the best the CPU has at or
// below `cap` (undefined or "" for no cap). Returns its name, or null for a cap that
// names no set (the kernels then stay as they were).
Napi::Value Configure(const Napi::CallbackInfo& info) {
  auto* state = static_cast<AddonState*>(info.Data());
  std::string cap;
  if (info.Length() >= 1 && info[0].IsString()) cap = info[0].As<Napi::String>().Utf8Value();
  const KernelSet* chosen = SelectKernels(cap.c_str());
  if (chosen == nullptr) return info.Env().Null();
  state->kernels = chosen;
  return Napi::String::New(info.Env(), chosen->isa);
}

Napi::Value BestIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), BestKernels()->isa);
}

void AddRaw(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb,
            AddonState* state) {
  napi_value fn;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, state, &fn));
  exports.Set(name, Napi::Value(env, fn));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Owned by the environment: freed when it (a worker, say) is torn down.
  auto* state = new AddonState();
  state->kernels = BestKernels();
  env.SetInstanceData<AddonState>(state);
  AddRaw(env, exports, "forward", Forward, state);
  AddRaw(env, exports, "backward", Backward, state);
  exports.Set("configure", Napi::Function::New(env, Configure, "configure", state));
  exports.Set("bestIsa", Napi::Function::New(env, BestIsa, "bestIsa"));
  AddRaw(env, exports, "submitForward", SubmitForward, state);
  AddRaw(env, exports, "submitBackward", SubmitBackward, state);
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel", state));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  AddRaw(env, exports, "addressOf", AddressOf, state);
  return exports;
}

}  // namespace
}  // namespace leaky_relu

static Napi::Object InitLeakyRelu(Napi::Env env, Napi::Object exports) {
  return leaky_relu::Init(env, exports);
}

NODE_API_MODULE(leaky_relu, InitLeakyRelu)
