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

bool AlphaFits(napi_env env, double alpha, Dtype dtype) {
  return FiniteOnceRounded(alpha, dtype) || ThrowAlphaRange(env, alpha, dtype);
}

bool IsDetached(napi_env env, napi_value view) {
  napi_typedarray_type type;
  std::size_t length, offset;
  void* data;
  napi_value buffer;
  bool detached = false;
  return napi_get_typedarray_info(env, view, &type, &length, &data, &buffer, &offset) == napi_ok &&
         napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached;
}

// The values stage for slopes: at least one, each finite once rounded for every
// element type of the call, spatialSize a positive integer.
bool SlopesFit(napi_env env, const SlopeArgs& slopes, const Operands* ops, std::size_t n) {
  if (slopes.values.empty()) return ThrowSlopesEmpty(env);
  for (std::size_t k = 0; k < n; ++k) {
    const Dtype dtype = ops[k].x.dtype;
    for (std::size_t c = 0; c < slopes.values.size(); ++c) {
      const double v = slopes.values[c];
      if (!FiniteOnceRounded(v, dtype)) return ThrowSlopeRange(env, c, v, dtype);
    }
  }
  const double s = slopes.spatial;
  if (!(s >= 1 && s <= 9007199254740991.0 && s == std::floor(s))) return ThrowSpatialRange(env, s);
  return true;
}

// Whether `length` is a multiple of C * spatial (which may exceed any length).
bool WholePeriods(std::size_t length, std::size_t channels, std::size_t spatial) {
  if (length == 0) return true;
  if (spatial > length / channels) return false;
  return length % (channels * spatial) == 0;
}

// `out` must be exactly the input's memory (in place) or not touch it at all.
bool NoPartialOverlap(napi_env env, const FloatView& out, const FloatView& in, const char* like) {
  const ByteRange o = RangeOf(out), i = RangeOf(in);
  if (o.begin == o.end || o.begin == i.begin) return true;
  if (Overlap(o, i)) return ThrowPartialOverlap(env, like);
  return true;
}

}  // namespace

bool IsUndefined(napi_env env, napi_value value) {
  napi_valuetype t;
  return value == nullptr || (napi_typeof(env, value, &t) == napi_ok && t == napi_undefined);
}

Task TaskOf(const Operands& o, double alpha, const SlopePlan* slopes) {
  return Task{o.backward, o.x.dtype, o.x.data, o.backward ? o.dy.data : nullptr, o.out.data, o.x.length,
              alpha, slopes, o.has_grad ? static_cast<double*>(o.grad.data) : nullptr};
}

ByteRange RangeOf(const FloatView& v) {
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data);
  return ByteRange{begin, begin + v.length * kElementBytes[static_cast<std::size_t>(v.dtype)]};
}

bool UnpackHalf(napi_env env, napi_value value, HalfArg* half) {
  *half = HalfArg::kNone;
  if (IsUndefined(env, value)) return true;
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

bool UnpackSlopes(napi_env env, napi_value slopes, napi_value spatial, SlopeArgs* args) {
  napi_typedarray_type type;
  std::size_t length;
  void* data;
  double alpha;
  if (napi_get_value_double(env, slopes, &alpha) == napi_ok) {
    args->values.assign(1, alpha);  // a number is one slope
    length = 1;
  } else if (napi_get_typedarray_info(env, slopes, &type, &length, &data, nullptr, nullptr) != napi_ok ||
             (type != napi_float32_array && type != napi_float64_array)) {
    return ThrowSlopesType(env);
  } else {
    args->values.resize(length);
    for (std::size_t c = 0; c < length; ++c) {
      args->values[c] = type == napi_float64_array ? static_cast<const double*>(data)[c]
                                                    : static_cast<const float*>(data)[c];
    }
  }
  args->detached = length == 0 && IsDetached(env, slopes);
  if (IsUndefined(env, spatial)) return true;
  return napi_get_value_double(env, spatial, &args->spatial) == napi_ok || ThrowSpatialType(env);
}

bool UnpackAlphaGrad(napi_env env, napi_value value, Operands* ops) {
  if (IsUndefined(env, value)) return true;
  ops->has_grad = true;
  ops->grad.value = value;
  if (napi_get_typedarray_info(env, value, &ops->grad.type, &ops->grad.length, &ops->grad.data,
                               nullptr, nullptr) != napi_ok ||
      ops->grad.type != napi_float64_array) {
    return ThrowAlphaGradType(env);
  }
  ops->grad.dtype = Dtype::kF64;
  return true;
}

bool Refresh(napi_env env, Operands* ops, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    Operands& o = ops[k];
    // The types were checked; only lengths and addresses can have changed.
    const HalfArg half = o.x.dtype == Dtype::kF16 ? HalfArg::kF16 : HalfArg::kBF16;
    if (!ReadView(env, o.x.value, half, &o.x) || (o.backward && !ReadView(env, o.dy.value, half, &o.dy)) ||
        !ReadView(env, o.out.value, half, &o.out) ||
        (o.has_grad && !ReadView(env, o.grad.value, HalfArg::kNone, &o.grad))) {
      return ThrowNotFloatArray(env, "x");
    }
  }
  return true;
}

bool CheckOperands(napi_env env, const Operands* ops, std::size_t n, double alpha,
                   const SlopeArgs* slopes) {
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if ((o.backward && !NotDetached(env, o.dy, "dy")) || !NotDetached(env, o.x, "x") ||
        (!o.in_place && !NotDetached(env, o.out, "out"))) {
      return false;
    }
  }
  if (slopes != nullptr && slopes->detached) return ThrowDetached(env, "alpha");
  for (std::size_t k = 0; k < n; ++k) {
    if (ops[k].has_grad && !NotDetached(env, ops[k].grad, "alphaGrad")) return false;
  }
  if (slopes != nullptr) {
    if (!SlopesFit(env, *slopes, ops, n)) return false;
  } else {
    for (std::size_t k = 0; k < n; ++k) {
      if (!AlphaFits(env, alpha, ops[k].x.dtype)) return false;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if (o.backward && o.dy.length != o.x.length) return ThrowDyLength(env, o.dy.length, o.x.length);
    // Backward compares out with dy first, as the facade does (dy and x agree by now).
    if (o.out.length != o.x.length) {
      return ThrowOutLength(env, o.backward ? "dy" : "x", o.x.length, o.out.length);
    }
    if (slopes == nullptr) continue;
    const std::size_t channels = slopes->values.size();
    const auto spatial = static_cast<std::size_t>(slopes->spatial);
    if (!WholePeriods(o.x.length, channels, spatial)) {
      return ThrowNotMultiple(env, o.backward ? "dy" : "x", o.x.length, channels, slopes->spatial);
    }
    if (o.has_grad && o.grad.length != channels) return ThrowAlphaGradLength(env, channels, o.grad.length);
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if (o.in_place && !o.backward) continue;
    if (o.backward && !o.in_place && !NoPartialOverlap(env, o.out, o.dy, "dy")) return false;
    if (!NoPartialOverlap(env, o.out, o.x, "x")) return false;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const Operands& o = ops[k];
    if (!o.has_grad) continue;
    const ByteRange grad = RangeOf(o.grad);
    if (o.backward && Overlap(grad, RangeOf(o.dy))) return ThrowAlphaGradOverlap(env, "dy");
    if (Overlap(grad, RangeOf(o.x))) return ThrowAlphaGradOverlap(env, "x");
    if (Overlap(grad, RangeOf(o.out))) return ThrowAlphaGradOverlap(env, "out");
  }
  return true;
}

}  // namespace leaky_relu
