#include "errors.h"

#include <string>

namespace leaky_relu {
namespace {

bool Throw(napi_env env, napi_status (*thrower)(napi_env, const char*, const char*), const char* code,
           const std::string& message) {
  thrower(env, code, message.c_str());
  return false;
}

bool TypeErr(napi_env env, const std::string& message) {
  return Throw(env, napi_throw_type_error, "ERR_INVALID_ARG_TYPE", message);
}

bool RangeErr(napi_env env, const std::string& message) {
  return Throw(env, napi_throw_range_error, "ERR_OUT_OF_RANGE", message);
}

std::string Quoted(const char* name) { return std::string("The \"") + name + "\" argument"; }

}  // namespace

bool ThrowArity(napi_env env, const char* usage) {
  return TypeErr(env, std::string(usage) + " was called with too few arguments");
}

bool ThrowNotFloatArray(napi_env env, const char* name) {
  return TypeErr(env, Quoted(name) + " must be a Float32Array or Float64Array");
}

bool ThrowNotArray(napi_env env, const char* name) {
  return TypeErr(env, Quoted(name) + " must be an Array");
}

bool ThrowNotFunction(napi_env env, const char* name) {
  return TypeErr(env, Quoted(name) + " must be a function");
}

bool ThrowAlphaType(napi_env env) {
  return TypeErr(env, "The \"alpha\" argument must be of type number");
}

bool ThrowElementTypeMismatch(napi_env env, const char* name, const char* like) {
  return TypeErr(env, Quoted(name) + " must have the element type of \"" + like + "\"");
}

bool ThrowDetached(napi_env env, const char* name) {
  return Throw(env, napi_throw_type_error, "ERR_INVALID_STATE", Quoted(name) + "'s buffer is detached");
}

bool ThrowAlphaRange(napi_env env) {
  return RangeErr(env,
                  "The \"alpha\" argument must be finite (and finite once rounded to float32 "
                  "for float32 data)");
}

bool ThrowLengthMismatch(napi_env env, const char* name, const char* like) {
  return RangeErr(env, Quoted(name) + " must have the length of \"" + like + "\"");
}

bool ThrowPartialOverlap(napi_env env, const char* name, const char* other) {
  return RangeErr(env, Quoted(name) + " partly overlaps \"" + other +
                           "\" (only the exact same memory, in place, is allowed)");
}

bool ThrowListLengths(napi_env env) {
  return RangeErr(env, "The task lists must have the same length");
}

bool ThrowTooManyTasks(napi_env env) {
  return RangeErr(env, "A call takes at most 1048576 arrays");
}

bool ThrowBatchCollision(napi_env env) {
  return RangeErr(env, "An output of the batch overlaps another array of the batch");
}

bool ThrowBusy(napi_env env) {
  return Throw(env, napi_throw_error, "ERR_BUFFER_IN_USE",
               "The memory overlaps an unfinished async leaky-relu call; await it first");
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

}  // namespace leaky_relu
