// The Node-API surface: unpack and check arguments (call_args.h), then call a kernel
// or queue an async job (async_job.h). Nothing here trusts the TypeScript facade:
// every argument is checked again, so a wrong call from JS throws an error with a
// Node-style code instead of crashing the process.
//
// The sync calls use the Node-API C calls directly and ask each argument once
// (napi_get_typedarray_info doubles as the type check): every extra query costs
// 10-20 ns against a ~40 ns floor per call on the machines we measure.
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "async_job.h"
#include "busy_ranges.h"
#include "call_args.h"
#include "cpu_dispatch.h"
#include "errors.h"
#include "job.h"
#include "kernels.h"

namespace leaky_relu {
namespace {

bool IsUndefined(napi_env env, napi_value value) {
  napi_valuetype t;
  return napi_typeof(env, value, &t) == napi_ok && t == napi_undefined;
}

bool StrictlyEqual(napi_env env, napi_value a, napi_value b) {
  bool equal = false;
  return napi_strict_equals(env, a, b, &equal) == napi_ok && equal;
}

Task TaskOf(const Operands& o, double alpha) {
  return Task{o.backward, o.x.dtype, o.x.data,
              o.backward ? o.dy.data : nullptr, o.out.data, o.x.length, alpha};
}

// A sync call must not race with threadpool work on the same memory. Asked in the
// facade's order, so that the error names the same argument.
bool NotBusy(napi_env env, const Operands& o) {
  if (RegisteredRanges() == 0) return true;  // no job in flight: the usual case, one load
  const ByteRange x = RangeOf(o.x), out = RangeOf(o.out);
  if (o.backward) {
    const ByteRange dy = RangeOf(o.dy);
    if (AnyBusy(&dy, 1)) return ThrowBusy(env, "dy");
  }
  if (AnyBusy(&x, 1)) return ThrowBusy(env, "x");
  if (!o.in_place && AnyBusy(&out, 1)) return ThrowBusy(env, "out");
  return true;
}

// forward(x, alpha[, out[, half]]): y = x > 0 ? x : alpha * x, into out or in place.
// backward(dy, x, alpha[, out[, half]]): dx = x > 0 ? dy : alpha * dy, into out or dy.
// half ('float16' or 'bfloat16') says how Uint16Array data are read. Checks the
// operands and alpha, then runs the call on this environment's kernels.
template <bool kBackward>
napi_value RunSync(napi_env env, napi_callback_info info) {
  constexpr std::size_t k = kBackward ? 1 : 0;  // backward's arguments are forward's after dy
  std::size_t argc = 4 + k;
  napi_value args[4 + k];
  void* state;
  napi_get_cb_info(env, info, &argc, args, nullptr, &state);
  if (argc < 2 + k) {
    return ThrowArity(env, kBackward ? "backward(dy, x, alpha[, out])" : "forward(x, alpha[, out])"), nullptr;
  }
  napi_value out = argc > 2 + k && !IsUndefined(env, args[2 + k]) ? args[2 + k] : nullptr;
  Operands ops;
  double alpha;
  HalfArg half;
  if (!UnpackHalf(env, argc > 3 + k ? args[3 + k] : nullptr, &half) ||
      !UnpackOperands(env, kBackward, args[k], kBackward ? args[0] : nullptr, out, half, &ops) ||
      !UnpackAlpha(env, args[1 + k], &alpha) || !CheckOperands(env, &ops, 1, alpha) ||
      !NotBusy(env, ops)) {
    return nullptr;
  }
  RunTask(*static_cast<const AddonState*>(state)->kernels, TaskOf(ops, alpha), 0, ops.x.length);
  return nullptr;
}

bool ListLength(napi_env env, napi_value value, const char* name, std::uint32_t* length) {
  bool is_array = false;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, length) != napi_ok) {
    return ThrowNotArray(env, name);
  }
  return true;
}

// The task lists of a submit call, as given: xs, outs, dys for backward, and the
// optional halves (each task's 'float16' / 'bfloat16' for Uint16Array data).
struct TaskLists {
  bool backward;
  napi_value xs, outs, dys, halves;
  std::uint32_t count;
};

// Stage 1 over the lists. Reading an element may run user code (a getter), which may
// detach or resize the buffer of an element already read: so every element is fetched
// and type-checked (a type cannot change) before any length or address is read.
bool FetchTasks(napi_env env, const TaskLists& lists, std::vector<Operands>* ops,
                std::vector<napi_value>* arrays) {
  ops->reserve(lists.count);
  for (std::uint32_t i = 0; i < lists.count; ++i) {
    napi_value x, out, dy = nullptr, half_value = nullptr;
    if (napi_get_element(env, lists.xs, i, &x) != napi_ok ||
        napi_get_element(env, lists.outs, i, &out) != napi_ok ||
        (lists.backward && napi_get_element(env, lists.dys, i, &dy) != napi_ok) ||
        (lists.halves != nullptr && napi_get_element(env, lists.halves, i, &half_value) != napi_ok)) {
      return false;
    }
    const bool in_place = StrictlyEqual(env, out, lists.backward ? dy : x);
    HalfArg half;
    ops->emplace_back();
    if (!UnpackHalf(env, half_value, &half) ||
        !UnpackOperands(env, lists.backward, x, dy, in_place ? nullptr : out, half, &ops->back())) {
      return false;
    }
    arrays->push_back(x);
    if (!StrictlyEqual(env, out, x)) arrays->push_back(out);
    if (lists.backward && !StrictlyEqual(env, dy, out) && !StrictlyEqual(env, dy, x)) {
      arrays->push_back(dy);
    }
  }
  return true;
}

// submitForward(xs, outs, alpha, callback[, halves]) and submitBackward(dys, xs, outs,
// alpha, callback[, halves]); outs[i] is xs[i] (dys[i]) for in place. Returns the
// job's id for cancel(id); the callback gets (error | null, cancelled).
napi_value Submit(napi_env env, napi_callback_info info, bool backward) {
  const std::size_t expected = backward ? 5 : 4;
  std::size_t argc = 6;
  napi_value args[6];
  void* data;
  napi_get_cb_info(env, info, &argc, args, nullptr, &data);
  auto* state = static_cast<AddonState*>(data);
  if (argc < expected) {
    ThrowArity(env, backward ? "submitBackward(dys, xs, outs, alpha, callback)"
                             : "submitForward(xs, outs, alpha, callback)");
    return nullptr;
  }
  const std::size_t first = backward ? 1 : 0;
  TaskLists lists{backward, args[first], args[first + 1], backward ? args[0] : nullptr, nullptr, 0};
  napi_value callback = args[first + 3];
  if (argc > first + 4 && !IsUndefined(env, args[first + 4])) lists.halves = args[first + 4];
  std::uint32_t out_count = 0, dy_count = 0, half_count = 0;
  double alpha;
  napi_valuetype callback_type;
  if (!ListLength(env, lists.xs, "xs", &lists.count) ||
      !ListLength(env, lists.outs, "outs", &out_count) ||
      (backward && !ListLength(env, lists.dys, "dys", &dy_count)) ||
      (lists.halves != nullptr && !ListLength(env, lists.halves, "halves", &half_count)) ||
      !UnpackAlpha(env, args[first + 2], &alpha)) {
    return nullptr;
  }
  if (napi_typeof(env, callback, &callback_type) != napi_ok || callback_type != napi_function) {
    return ThrowNotFunction(env, "callback"), nullptr;
  }
  if (out_count != lists.count || (backward && dy_count != lists.count) ||
      (lists.halves != nullptr && half_count != lists.count)) {
    return ThrowListLengths(env), nullptr;
  }
  if (lists.count > kMaxTasks) return ThrowTooManyArrays(env, kMaxTasks, lists.count), nullptr;

  std::vector<Operands> ops;
  std::vector<napi_value> arrays;
  if (!FetchTasks(env, lists, &ops, &arrays) || !Refresh(env, ops.data(), ops.size()) ||
      !CheckOperands(env, ops.data(), ops.size(), alpha)) {
    return nullptr;
  }
  std::vector<Task> tasks;
  tasks.reserve(ops.size());
  for (const Operands& o : ops) tasks.push_back(TaskOf(o, alpha));
  if (OutputsCollide(tasks)) return ThrowBatchOverlap(env), nullptr;
  const double id = AsyncJob::Start(env, state, std::move(tasks), arrays, callback);
  if (id == 0) return nullptr;
  napi_value result;
  napi_create_double(env, id, &result);
  return result;
}

napi_value SubmitForward(napi_env env, napi_callback_info info) { return Submit(env, info, false); }
napi_value SubmitBackward(napi_env env, napi_callback_info info) { return Submit(env, info, true); }

// cancel(id): chunks of that job not yet started are skipped. Unknown ids (finished
// jobs) and non-numbers are ignored.
Napi::Value Cancel(const Napi::CallbackInfo& info) {
  auto* state = static_cast<AddonState*>(info.Data());
  if (info.Length() >= 1 && info[0].IsNumber()) {
    auto it = state->jobs.find(info[0].As<Napi::Number>().DoubleValue());
    if (it != state->jobs.end()) it->second->Cancel();
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
  if (argc < 1) return ThrowArity(env, "addressOf(array)"), nullptr;
  napi_typedarray_type type;
  std::size_t length;
  void* data;
  if (napi_get_typedarray_info(env, arg, &type, &length, &data, nullptr, nullptr) != napi_ok) {
    return ThrowNotFloatArray(env, "array"), nullptr;
  }
  napi_value address;
  napi_create_double(env, static_cast<double>(reinterpret_cast<std::uintptr_t>(data)), &address);
  return address;
}

Napi::Value Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ThreadpoolSize());
}

Napi::Value ChunkSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(ChunkBytes()));
}

// stats(): this environment's unfinished jobs and the memory ranges registered busy
// process-wide, so that tests can tell that nothing stays registered.
Napi::Value Stats(const Napi::CallbackInfo& info) {
  auto* state = static_cast<AddonState*>(info.Data());
  Napi::Object stats = Napi::Object::New(info.Env());
  stats.Set("jobs", Napi::Number::New(info.Env(), static_cast<double>(state->jobs.size())));
  stats.Set("ranges", Napi::Number::New(info.Env(), static_cast<double>(RegisteredRanges())));
  return stats;
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

// isaOf(dtype): the kernel set that runs that element type under this environment's
// cap. 16-bit data run on the scalar kernels where the CPU lacks their conversions.
Napi::Value IsaOf(const Napi::CallbackInfo& info) {
  static const char* const kNames[kDtypeCount] = {"float32", "float64", "float16", "bfloat16"};
  const auto* state = static_cast<const AddonState*>(info.Data());
  if (info.Length() >= 1 && info[0].IsString()) {
    const std::string name = info[0].As<Napi::String>().Utf8Value();
    for (std::size_t d = 0; d < kDtypeCount; ++d) {
      if (name == kNames[d]) return Napi::String::New(info.Env(), state->kernels->isa_of[d]);
    }
  }
  return info.Env().Null();
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
  AddRaw(env, exports, "forward", RunSync<false>, state);
  AddRaw(env, exports, "backward", RunSync<true>, state);
  AddRaw(env, exports, "submitForward", SubmitForward, state);
  AddRaw(env, exports, "submitBackward", SubmitBackward, state);
  AddRaw(env, exports, "addressOf", AddressOf, state);
  exports.Set("configure", Napi::Function::New(env, Configure, "configure", state));
  exports.Set("bestIsa", Napi::Function::New(env, BestIsa, "bestIsa"));
  exports.Set("isaOf", Napi::Function::New(env, IsaOf, "isaOf", state));
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel", state));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  exports.Set("chunkBytes", Napi::Function::New(env, ChunkSize, "chunkBytes"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats", state));
  return exports;
}

}  // namespace
}  // namespace leaky_relu

static Napi::Object InitLeakyRelu(Napi::Env env, Napi::Object exports) {
  return leaky_relu::Init(env, exports);
}

NODE_API_MODULE(leaky_relu, InitLeakyRelu)
