#include "call_args.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "errors.h"
#include "half.h"

namespace leaky_relu {
namespace {

// Not asking for the ArrayBuffer handle or the offset saves a few ns a call. A
// Uint16Array is float data only with a `half` argument.
bool ReadView(napi_env env, napi_value value, HalfArg half, FloatView* view) {
  view->value = value;
  if (napi_get_typedarray_info(env, value, &view->type, &view->length, &view->data, nullptr,
                               nullptr) != napi_ok) {
    return false;
  }
  switch (view->type) {
    case napi_float32_array:
      view->dtype = Dtype::kF32;
      return true;
    case napi_float64_array:
      view->dtype = Dtype::kF64;
      return true;
    case napi_uint16_array:
      view->dtype = half == HalfArg::kF16 ? Dtype::kF16 : Dtype::kBF16;
      return half != HalfArg::kNone;
    default:
      return false;
  }
}

bool UnpackView(napi_env env, napi_value value, const char* name, HalfArg half, FloatView* view) {
  return ReadView(env, value, half, view) || ThrowNotFloatArray(env, name);
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

// float32 and float64 inline: this runs on every sync call.
bool AlphaFits(napi_env env, double alpha, Dtype dtype) {
  const bool finite = dtype == Dtype::kF32   ? std::isfinite(static_cast<float>(alpha))
                      : dtype == Dtype::kF64 ? std::isfinite(alpha)
                                             : std::isfinite(RoundAlpha(alpha, dtype));
  return finite || ThrowAlphaRange(env, alpha, dtype);
}

// `out` must be exactly the input's memory (in place) or not touch it at all.
bool NoPartialOverlap(napi_env env, const FloatView& out, const FloatView& in, const char* like) {
  const ByteRange o = RangeOf(out), i = RangeOf(in);
  if (o.begin == o.end || o.begin == i.begin) return true;
  if (o.begin < i.end && i.begin < o.end) return ThrowPartialOverlap(env, like);
  return true;
}

}  // namespace

ByteRange RangeOf(const FloatView& v) {
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data);
  return ByteRange{begin, begin + v.length * kElementBytes[static_cast<std::size_t>(v.dtype)]};
}

bool UnpackHalf(napi_env env, napi_value value, HalfArg* half) {
  *half = HalfArg::kNone;
  napi_valuetype t;
  if (value == nullptr || (napi_typeof(env, value, &t) == napi_ok && t == napi_undefined)) return true;
  char text[16];
  std::size_t length = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &length) == napi_ok) {
    const std::string name(text, length);
    if (name == "float16") *half = HalfArg::kF16;
    if (name == "bfloat16") *half = HalfArg::kBF16;
  }
  return *half != HalfArg::kNone || ThrowHalfType(env);
}

bool UnpackOperands(napi_env env, bool backward, napi_value x, napi_value dy, napi_value out,
                    HalfArg half, Operands* ops) {
  ops->backward = backward;
  ops->in_place = out == nullptr;
  if (backward && !UnpackView(env, dy, "dy", half, &ops->dy)) return false;
  if (!UnpackView(env, x, "x", half, &ops->x)) return false;
  if (backward && ops->dy.type != ops->x.type) return ThrowDyElementMismatch(env, ops->dy.type, ops->x.type);
  if (ops->in_place) {
    ops->out = backward ? ops->dy : ops->x;
    return true;
  }
  if (!UnpackView(env, out, "out", half, &ops->out)) return false;
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
    const HalfArg half = o.x.dtype == Dtype::kF16 ? HalfArg::kF16 : HalfArg::kBF16;
    if (!ReadView(env, o.x.value, half, &o.x) || (o.backward && !ReadView(env, o.dy.value, half, &o.dy)) ||
        !ReadView(env, o.out.value, half, &o.out)) {
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
    if (!AlphaFits(env, alpha, ops[k].x.dtype)) return false;
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
