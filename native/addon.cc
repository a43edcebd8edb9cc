// The Node-API surface: unpack and check arguments, then call a kernel. Nothing here
// trusts the TypeScript facade: every argument is checked again, so a wrong call from
// JS throws an error with a Node-style code instead of crashing the process.
//
// The hot path uses the Node-API C calls directly and asks each argument once
// (napi_get_typedarray_info doubles as the type check): every extra query costs
// 10-20 ns against a ~40 ns floor per call on the machines we measure.
#include <napi.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "cpu_dispatch.h"
#include "kernels.h"

namespace leaky_relu {
namespace {

// Per Node.js environment (main thread or worker): the kernel set chosen for it.
struct AddonState {
  const KernelSet* kernels;
};

struct FloatView {
  napi_typedarray_type type;
  std::size_t length;
  void* data;
  napi_value buffer;
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
  std::size_t byte_offset;
  if (napi_get_typedarray_info(env, value, &view->type, &view->length, &view->data,
                               &view->buffer, &byte_offset) != napi_ok ||
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
  if (napi_is_detached_arraybuffer(env, view.buffer, &detached) == napi_ok && detached) {
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
  RunBackward(*state->kernels, dy, x, dx, alpha);
  return nullptr;
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
  auto* state = new AddonState{BestKernels()};
  env.SetInstanceData<AddonState>(state);
  AddRaw(env, exports, "forward", Forward, state);
  AddRaw(env, exports, "backward", Backward, state);
  exports.Set("configure", Napi::Function::New(env, Configure, "configure", state));
  exports.Set("bestIsa", Napi::Function::New(env, BestIsa, "bestIsa"));
  return exports;
}

}  // namespace
}  // namespace leaky_relu

static Napi::Object InitLeakyRelu(Napi::Env env, Napi::Object exports) {
  return leaky_relu::Init(env, exports);
}

NODE_API_MODULE(leaky_relu, InitLeakyRelu)
