// Every error the binding throws, one function and one message each, with the
// Node-style codes of the contract's error table. Each returns false, so that a check
// can end with `return ThrowX(env);`.
#ifndef LEAKY_RELU_ERRORS_H_
#define LEAKY_RELU_ERRORS_H_

#include <node_api.h>

namespace leaky_relu {

bool ThrowArity(napi_env env, const char* usage);
bool ThrowNotFloatArray(napi_env env, const char* name);
bool ThrowNotArray(napi_env env, const char* name);
bool ThrowNotFunction(napi_env env, const char* name);
bool ThrowAlphaType(napi_env env);
bool ThrowElementTypeMismatch(napi_env env, const char* name, const char* like);
bool ThrowDetached(napi_env env, const char* name);
bool ThrowAlphaRange(napi_env env);
bool ThrowLengthMismatch(napi_env env, const char* name, const char* like);
bool ThrowPartialOverlap(napi_env env, const char* name, const char* other);
bool ThrowListLengths(napi_env env);
bool ThrowTooManyTasks(napi_env env);
bool ThrowBatchCollision(napi_env env);
bool ThrowBusy(napi_env env);

// The callback's error for a job whose buffer was detached (or shrunk) while it ran.
napi_value DetachedWhileInUse(napi_env env);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_ERRORS_H_
