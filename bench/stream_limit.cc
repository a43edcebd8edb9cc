// Built only for the benchmark (never shipped): the in-place streaming limit, a loop
// that reads and writes every element once and does as little as possible between,
// compiled for this very CPU. The kernels are judged against it at sizes where
// memory, not arithmetic, is the bound.
#include <node_api.h>

#include <cstddef>

namespace {

// Negation is one xor per vector: the cheapest change that cannot be optimised away.
template <typename T>
void Negate(T* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = -x[i];
}

napi_value NegateInPlace(napi_env env, napi_callback_info info) {
  std::size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  napi_typedarray_type type;
  std::size_t length, offset;
  void* data;
  napi_value buffer;
  if (argc < 1 || napi_get_typedarray_info(env, arg, &type, &length, &data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Float32Array or Float64Array");
    return nullptr;
  }
  if (type == napi_float32_array) {
    Negate(static_cast<float*>(data), length);
  } else if (type == napi_float64_array) {
    Negate(static_cast<double*>(data), length);
  } else {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Float32Array or Float64Array");
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "negateInPlace", NAPI_AUTO_LENGTH, NegateInPlace, nullptr, &fn);
  napi_set_named_property(env, exports, "negateInPlace", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
