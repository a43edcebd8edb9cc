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
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "async_job.h"
#include "busy_ranges.h"
#include "call_args.h"
#include "cpu_dispatch.h"
#include "errors.h"
#include "half.h"
#include "job.h"
#include "kernels.h"
#include "slopes.h"
#include "submit.h"

namespace leaky_relu {
namespace {

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
  if (o.has_grad) {
    const ByteRange grad = RangeOf(o.grad);
    if (AnyBusy(&grad, 1)) return ThrowBusy(env, "alphaGrad");
  }
  return true;
}

// The usual sync call: float32 or float64 data in place, alpha a number, no job in
// flight. Taken here only when every check would pass (non-empty arrays, so none is
// detached; alpha finite once rounded; backward's dy and x of one type and length and
// not partly overlapping), and then run at once: the staged path's calls across files
// cost a 16-element call ~14 ns more (65 vs 51 ns before the reshaping). Anything else
// returns false having done nothing; the staged path then checks it and gives the error.
template <bool kBackward>
bool RunPlainInPlace(napi_env env, const napi_value* args, const AddonState& state) {
  constexpr std::size_t k = kBackward ? 1 : 0;
  if (RegisteredRanges() != 0) return false;
  napi_typedarray_type type;
  std::size_t n;
  void* x;
  if (napi_get_typedarray_info(env, args[k], &type, &n, &x, nullptr, nullptr) != napi_ok || n == 0 ||
      (type != napi_float32_array && type != napi_float64_array)) {
    return false;
  }
  const Dtype dtype = type == napi_float32_array ? Dtype::kF32 : Dtype::kF64;
  void* dy = x;
  if (kBackward) {
    napi_typedarray_type dy_type;
    std::size_t dy_n;
    if (napi_get_typedarray_info(env, args[0], &dy_type, &dy_n, &dy, nullptr, nullptr) != napi_ok ||
        dy_type != type || dy_n != n) {
      return false;
    }
    const auto a = reinterpret_cast<std::uintptr_t>(dy), b = reinterpret_cast<std::uintptr_t>(x);
    const std::size_t bytes = n * kElementBytes[static_cast<std::size_t>(dtype)];
    if (a != b && a < b + bytes && b < a + bytes) return false;
  }
  double alpha;
  if (napi_get_value_double(env, args[1 + k], &alpha) != napi_ok ||
      !FiniteOnceRounded(alpha, dtype)) {
    return false;
  }
  const Op op = kBackward ? Op::kBackward : Op::kForward;
  state.kernels->rows[static_cast<std::size_t>(dtype)]->kernels[static_cast<std::size_t>(op)](x, dy, dy, n, alpha);
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
  if (argc == 2 + k && RunPlainInPlace<kBackward>(env, args, *static_cast<const AddonState*>(state))) {
    return nullptr;
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

// forwardSlopes(x, slopes, spatialSize[, out[, half]]) and backwardSlopes(dy, x, slopes,
// spatialSize[, out[, half[, alphaGrad]]]): one slope per channel (a Float32Array or
// Float64Array), element i's being slopes[floor(i / spatialSize) % C]; backward writes
// the slope gradient into alphaGrad (a Float64Array of C) when given. Apart from the
// scalar calls, whose cost per call matters more.
template <bool kBackward>
napi_value RunSyncSlopes(napi_env env, napi_callback_info info) {
  constexpr std::size_t k = kBackward ? 1 : 0;
  std::size_t argc = 5 + 2 * k;
  napi_value args[5 + 2 * k];
  void* state;
  napi_get_cb_info(env, info, &argc, args, nullptr, &state);
  if (argc < 2 + k) {
    return ThrowArity(env, kBackward ? "backwardSlopes(dy, x, slopes[, spatialSize[, out]])"
                                     : "forwardSlopes(x, slopes[, spatialSize[, out]])"),
           nullptr;
  }
  const auto arg = [&](std::size_t i) { return i < argc && !IsUndefined(env, args[i]) ? args[i] : nullptr; };
  Operands ops;
  HalfArg half;
  SlopeArgs slopes;
  if (!UnpackHalf(env, arg(4 + k), &half) ||
      !UnpackOperands(env, kBackward, args[k], kBackward ? args[0] : nullptr, arg(3 + k), half, &ops) ||
      !UnpackSlopes(env, args[1 + k], arg(2 + k), &slopes) ||
      (kBackward && !UnpackAlphaGrad(env, arg(5 + k), &ops)) || !CheckOperands(env, &ops, 1, 0, &slopes) ||
      !NotBusy(env, ops)) {
    return nullptr;
  }
  auto* addon = static_cast<AddonState*>(state);
  const auto spatial = static_cast<std::size_t>(slopes.spatial);
  std::unique_ptr<SlopePlan>& plan = addon->last_slopes[ops.has_grad];
  if (plan == nullptr || !plan->Same(ops.x.dtype, slopes.values, spatial, ops.has_grad)) {
    plan = std::make_unique<SlopePlan>(ops.x.dtype, std::move(slopes.values), spatial, ops.has_grad);
  }
  plan->AlignFor(ops.out.data, ops.x.length);
  RunWhole(*addon->kernels, TaskOf(ops, 0, plan.get()));
  return nullptr;
}

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
      if (name == kNames[d]) return Napi::String::New(info.Env(), state->kernels->rows[d]->isa);
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
  AddRaw(env, exports, "forwardSlopes", RunSyncSlopes<false>, state);
  AddRaw(env, exports, "backwardSlopes", RunSyncSlopes<true>, state);
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
