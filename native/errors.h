// Every error the binding throws, one function and one message each, with the
// Node-style codes of the contract's error table. Where the facade throws the same
// error, the message is the facade's (lib/errors.ts) without its "Received <what>"
// description of a JS value, which only JS can give; test/messages.test.ts compares
// them. Each returns false, so that a check can end with `return ThrowX(env, ...);`.
#ifndef LEAKY_RELU_ERRORS_H_
#define LEAKY_RELU_ERRORS_H_

#include <node_api.h>

#include <cstddef>

#include "kernels.h"

namespace leaky_relu {

// Shared with the facade.
bool ThrowNotFloatArray(napi_env env, const char* name);
bool ThrowAlphaType(napi_env env);
bool ThrowElementMismatch(napi_env env, const char* name, napi_typedarray_type expected,
                          const char* like, napi_typedarray_type actual);
bool ThrowDyElementMismatch(napi_env env, napi_typedarray_type dy, napi_typedarray_type x);
bool ThrowDetached(napi_env env, const char* name);
bool ThrowBusy(napi_env env, const char* name);
bool ThrowAlphaRange(napi_env env, double alpha, Dtype dtype);
bool ThrowOutLength(napi_env env, const char* like, std::size_t expected, std::size_t actual);
bool ThrowDyLength(napi_env env, std::size_t dy, std::size_t x);
bool ThrowTooManyArrays(napi_env env, std::size_t max, std::size_t actual);
bool ThrowPartialOverlap(napi_env env, const char* like);
bool ThrowBatchOverlap(napi_env env);
bool ThrowSlopesEmpty(napi_env env);
bool ThrowSlopeRange(napi_env env, std::size_t index, double slope, Dtype dtype);
bool ThrowSpatialType(napi_env env);
bool ThrowSpatialRange(napi_env env, double spatial);
bool ThrowNotMultiple(napi_env env, const char* name, std::size_t length, std::size_t channels,
                      double spatial);
bool ThrowAlphaGradType(napi_env env);
bool ThrowAlphaGradLength(napi_env env, std::size_t channels, std::size_t actual);
bool ThrowAlphaGradOverlap(napi_env env, const char* like);
// The callback's error for a job whose buffer was detached (or shrunk) while it ran.
napi_value DetachedWhileInUse(napi_env env);

// The binding's own.
bool ThrowArity(napi_env env, const char* usage);
bool ThrowNotArray(napi_env env, const char* name);
bool ThrowNotFunction(napi_env env, const char* name);
bool ThrowListLengths(napi_env env);
bool ThrowHalfType(napi_env env);
// Slopes reach the binding as a typed array (the facade copies an Array of numbers).
bool ThrowSlopesType(napi_env env);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_ERRORS_H_
