#include "call_args.h"

#include <cmath>
#include <cstdint>

#include "errors.h"

namespace leaky_relu {
namespace {

// Not asking for the ArrayBuffer handle or the offset saves a few ns a call.
bool ReadView(napi_env env, napi_value value, FloatView* view) {
  view->value = value;
  return napi_get_typedarray_info(env, value, &view->type, &view->length, &view->data, nullptr,
                                  nullptr) == napi_ok &&
         (view->type == napi_float32_array || view->type == napi_float64_array);
}

bool UnpackView(napi_env env, napi_value value, const char* name, FloatView* view) {
  return ReadView(env, value, view) || ThrowNotFloatArray(env, name);
}

// Only an empty view can sit on a detached buffer (V8 reports length 0 for it), so the
// extra query is paid for empty arrays only.
bool NotDetached(napi_env env, const FloatView& view, const char* name) {
  if (view.length != 0) return true;
  napi_typedarray_type type;
  std::size_t length, offset;
  void* data;
  napi_value buffer;
  bool detached = false;
  if (napi_get_typedarray_info(env, view.value, &type, &length, &data, &buffer, &offset) == napi_ok &&
      napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached) {
    return ThrowDetached(env, name);
  }
  return true;
}

bool AlphaFits(napi_env env, double alpha, napi_typedarray_type type) {
  const bool finite = type == napi_float32_array ? std::isfinite(static_cast<float>(alpha))
                                                 : std::isfinite(alpha);
  return finite || ThrowAlphaRange(env, alpha, type == napi_float32_array);
}

// `out` must be exactly the input's memory (in place) or not touch it at all.
bool NoPartialOverlap(napi_env env, const FloatView& out, const FloatView& in, const char* like) {
  const ByteRange o = RangeOf(out), i = RangeOf(in);
  if (o.begin == o.end || o.begin == i.begin) return true;
  if (o.begin < i.end && i.begin < o.end) return ThrowPartialOverlap(env, like);
  return true;
}

}  // namespace

Dtype DtypeOf(napi_typedarray_type type) {
  return type == napi_float64_array ? Dtype::kF64 : Dtype::kF32;
}

std::size_t ElementSize(napi_typedarray_type type) {
  return kElementBytes[static_cast<std::size_t>(DtypeOf(type))];
}

ByteRange RangeOf(const FloatView& v) {
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data);
  return ByteRange{begin, begin + v.length * ElementSize(v.type)};
}

bool UnpackOperands(napi_env env, bool backward, napi_value x, napi_value dy, napi_value out,
                    Operands* ops) {
  ops->backward = backward;
  ops->in_place = out == nullptr;
  if (backward && !UnpackView(env, dy, "dy", &ops->dy)) return false;
  if (!UnpackView(env, x, "x", &ops->x)) return false;
  if (backward && ops->dy.type != ops->x.type) return ThrowDyElementMismatch(env, ops->dy.type, ops->x.type);
  if (ops->in_place) {
    ops->out = backward ? ops->dy : ops->x;
    return true;
  }
  if (!UnpackView(env, out, "out", &ops->out)) return false;
  return ops->out.type == ops->x.type ||
         ThrowElementMismatch(env, "out", ops->x.type, "x", ops->out.type);
}

bool UnpackAlpha(napi_env env, napi_value value, double* alpha) {
  return napi_get_value_double(env, value, alpha) == napi_ok || ThrowAlphaType(env);
}

bool Refresh(napi_env env, Operands* ops, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    Operands& o = ops[k];
    // The types were checked; only lengths and addresses can have changed.
    if (!ReadView(env, o.x.value, &o.x) || (o.backward && !ReadView(env, o.dy.value, &o.dy)) ||
        !ReadView(env, o.out.value, &o.out)) {
      return ThrowNotFloatArray(env, "x");
    }
  }
  return true;
}

bool CheckOperands(napi_env env, const Operands* ops, std::size_t n, double alpha) {
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if ((o.backward && !NotDetached(env, o.dy, "dy")) || !NotDetached(env, o.x, "x") ||
        (!o.in_place && !NotDetached(env, o.out, "out"))) {
      return false;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (!AlphaFits(env, alpha, ops[k].x.type)) return false;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if (o.backward && o.dy.length != o.x.length) return ThrowDyLength(env, o.dy.length, o.x.length);
    // Backward compares out with dy first, as the facade does (dy and x agree by now).
    if (o.out.length != o.x.length) {
      return ThrowOutLength(env, o.backward ? "dy" : "x", o.x.length, o.out.length);
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if (o.in_place && !o.backward) continue;
    if (o.backward && !o.in_place && !NoPartialOverlap(env, o.out, o.dy, "dy")) return false;
    if (!NoPartialOverlap(env, o.out, o.x, "x")) return false;
  }
  return true;
}

}  // namespace leaky_relu
