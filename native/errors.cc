#include "errors.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace leaky_relu {
namespace {

using Thrower = napi_status (*)(napi_env, const char*, const char*);

bool Throw(napi_env env, Thrower thrower, const char* code, const std::string& message) {
  thrower(env, code, message.c_str());
  return false;
}

bool TypeErr(napi_env env, const std::string& message) {
  return Throw(env, napi_throw_type_error, "ERR_INVALID_ARG_TYPE", message);
}

bool RangeErr(napi_env env, const std::string& message) {
  return Throw(env, napi_throw_range_error, "ERR_OUT_OF_RANGE", message);
}

std::string Quoted(const char* name) { return std::string("\"") + name + "\""; }

const char* TypeName(napi_typedarray_type type) {
  return type == napi_float64_array ? "Float64Array" : type == napi_uint16_array ? "Uint16Array" : "Float32Array";
}

const char* DtypeName(Dtype dtype) {
  static const char* const kNames[kDtypeCount] = {"float32", "float64", "float16", "bfloat16"};
  return kNames[static_cast<std::size_t>(dtype)];
}

// A double as JavaScript's String(v) writes it: the shortest digits that read back the
// same, in decimal notation from 1e-6 to below 1e21 and with an exponent outside.
std::string JsNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return "0";
  char text[64];
  int digits = 1;
  for (; digits < 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*e", digits - 1, v);
    if (std::strtod(text, nullptr) == v) break;
  }
  std::snprintf(text, sizeof text, "%.*e", digits - 1, v);
  const int exponent = std::atoi(std::strchr(text, 'e') + 1);
  if (exponent >= -6 && exponent < 21) {
    const int decimals = digits - 1 - exponent > 0 ? digits - 1 - exponent : 0;
    std::snprintf(text, sizeof text, "%.*f", decimals, v);
    return text;
  }
  // %e pads the exponent to two digits ("1e-07"); JS does not.
  std::string s(text);
  const std::size_t e = s.find('e');
  if (s[e + 2] == '0') s.erase(e + 2, 1);
  return s;
}

}  // namespace

bool ThrowNotFloatArray(napi_env env, const char* name) {
  return TypeErr(env, "The " + Quoted(name) +
                          " argument must be a Float32Array, a Float64Array, or a Uint16Array with "
                          "a 16-bit dtype");
}

bool ThrowAlphaType(napi_env env) {
  return TypeErr(env,
                 "The \"alpha\" argument must be a number or an array of slopes (Float32Array, "
                 "Float64Array or Array of numbers)");
}

bool ThrowSlopesEmpty(napi_env env) {
  return RangeErr(env, "The \"alpha\" argument must hold at least one slope");
}

bool ThrowSlopeRange(napi_env env, std::size_t index, double slope, Dtype dtype) {
  const std::string which = "The \"alpha\" argument's slope " + std::to_string(index);
  if (dtype == Dtype::kF64) return RangeErr(env, which + " must be a finite number. Received " + JsNumber(slope));
  const std::string name = DtypeName(dtype);
  return RangeErr(env, which + " must be finite once rounded to " + name + " for " + name +
                           " data. Received " + JsNumber(slope));
}

bool ThrowSpatialType(napi_env env) {
  return TypeErr(env, "The \"spatialSize\" option must be of type number");
}

bool ThrowSpatialRange(napi_env env, double spatial) {
  return RangeErr(env, "The \"spatialSize\" option must be a positive integer. Received " + JsNumber(spatial));
}

bool ThrowNotMultiple(napi_env env, const char* name, std::size_t length, std::size_t channels,
                      double spatial) {
  return RangeErr(env, "The " + Quoted(name) + " argument's length must be a multiple of " +
                           std::to_string(channels) + " slopes times spatialSize " + JsNumber(spatial) +
                           ". Received " + std::to_string(length));
}

bool ThrowAlphaGradType(napi_env env) {
  return TypeErr(env, "The \"alphaGrad\" option must be a Float64Array");
}

bool ThrowAlphaGradLength(napi_env env, std::size_t channels, std::size_t actual) {
  return RangeErr(env, "The \"alphaGrad\" option must have one entry per slope (" +
                           std::to_string(channels) + "). Received " + std::to_string(actual));
}

bool ThrowAlphaGradOverlap(napi_env env, const char* like) {
  return RangeErr(env, "The \"alphaGrad\" option overlaps " + Quoted(like) + "; it needs memory of its own");
}

bool ThrowElementMismatch(napi_env env, const char* name, napi_typedarray_type expected,
                          const char* like, napi_typedarray_type actual) {
  return TypeErr(env, "The " + Quoted(name) + " argument must be a " + TypeName(expected) +
                          " like " + Quoted(like) + ". Received a " + TypeName(actual));
}

bool ThrowDyElementMismatch(napi_env env, napi_typedarray_type dy, napi_typedarray_type x) {
  return TypeErr(env, std::string("The \"dy\" and \"x\" arguments must have the same element type. "
                                  "Received a ") +
                          TypeName(dy) + " and a " + TypeName(x));
}

bool ThrowDetached(napi_env env, const char* name) {
  return Throw(env, napi_throw_type_error, "ERR_INVALID_STATE",
               "The " + Quoted(name) + " argument's buffer is detached");
}

bool ThrowBusy(napi_env env, const char* name) {
  return Throw(env, napi_throw_error, "ERR_BUFFER_IN_USE",
               "The " + Quoted(name) +
                   " argument overlaps memory that an unfinished leakyReluAsync/leakyReluBatch "
                   "call is working on; await it first");
}

bool ThrowAlphaRange(napi_env env, double alpha, Dtype dtype) {
  if (dtype == Dtype::kF64) {
    return RangeErr(env, "The \"alpha\" argument must be a finite number. Received " + JsNumber(alpha));
  }
  const std::string name = DtypeName(dtype);
  return RangeErr(env, "The \"alpha\" argument must be finite once rounded to " + name + " for " +
                           name + " data. Received " + JsNumber(alpha));
}

bool ThrowOutLength(napi_env env, const char* like, std::size_t expected, std::size_t actual) {
  return RangeErr(env, "The \"out\" argument must have the length of " + Quoted(like) + " (" +
                           std::to_string(expected) + "). Received " + std::to_string(actual));
}

bool ThrowDyLength(napi_env env, std::size_t dy, std::size_t x) {
  return RangeErr(env, "The \"dy\" and \"x\" arguments must have the same length. Received " +
                           std::to_string(dy) + " and " + std::to_string(x));
}

bool ThrowTooManyArrays(napi_env env, std::size_t max, std::size_t actual) {
  return RangeErr(env, "A call takes at most " + std::to_string(max) + " arrays. Received " +
                           std::to_string(actual));
}

bool ThrowPartialOverlap(napi_env env, const char* like) {
  return RangeErr(env, "The \"out\" argument partly overlaps " + Quoted(like) +
                           "; only the exact same memory (in place) is allowed");
}

bool ThrowBatchOverlap(napi_env env) {
  return RangeErr(env, "An output of the batch overlaps another array of the batch");
}

napi_value DetachedWhileInUse(napi_env env) {
  napi_value code, message, error = nullptr;
  napi_create_string_utf8(env, "ERR_INVALID_STATE", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env,
                          "An array's buffer was detached or shrunk while an async leaky-relu "
                          "call worked on it; its memory may be partly transformed",
                          NAPI_AUTO_LENGTH, &message);
  napi_create_type_error(env, code, message, &error);
  return error;
}

bool ThrowArity(napi_env env, const char* usage) {
  return TypeErr(env, std::string(usage) + " was called with too few arguments");
}

bool ThrowNotArray(napi_env env, const char* name) {
  return TypeErr(env, "The " + Quoted(name) + " argument must be an Array");
}

bool ThrowNotFunction(napi_env env, const char* name) {
  return TypeErr(env, "The " + Quoted(name) + " argument must be a function");
}

bool ThrowSlopesType(napi_env env) {
  return TypeErr(env, "The \"alpha\" argument must be a Float32Array or Float64Array of slopes");
}

bool ThrowHalfType(napi_env env) {
  return TypeErr(env, "The \"half\" argument must be 'float16' or 'bfloat16'");
}

bool ThrowListLengths(napi_env env) {
  return RangeErr(env, "The task lists must have the same length");
}

}  // namespace leaky_relu
