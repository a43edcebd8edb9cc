// Built only for the benchmark (never shipped): the limits the package is judged
// against, compiled for this very CPU.
// - negateInPlace(x): the in-place streaming limit, a loop that reads and writes every
//   element once and does as little as possible between, behind the least a safe
//   Node-API call can ask (the type, the length, the data).
// - scaleInPlace(x): the same with a multiply (x * 0.75) instead of the negation: the
//   cheapest loop that does floating-point arithmetic, as leaky ReLU must. After a JS
//   loop's pass the first multiplying pass ran 5-18% slower than the negation at 64Ki
//   elements; this shows what of that any multiply pays.
// - negateInPlaceThreads(x, threads): the negation on plain threads started per call,
//   taking 1 MiB chunks: what this machine's memory gives several threads, which
//   bounds the async path.
// - unpackOnly(x, alpha): the Node-API questions a forward call must ask (its arguments,
//   the array's type, length and data, alpha), and nothing else: the floor of a call.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

// The elements before the first 64-byte boundary go one by one, so that the vector
// loop's accesses (zmm on an AVX-512 CPU, see CMakeLists.txt) never straddle two cache
// lines: V8 places large typed arrays 16 bytes past a line, and unpeeled, the negation
// ran ~30% slower than the package's own (peeled) kernels at 1Mi elements.
template <typename T, typename Op>
void Stream(T* x, std::size_t n, Op op) {
  const std::size_t to_line =
      ((64 - (reinterpret_cast<std::uintptr_t>(x) & 63)) & 63) / sizeof(T);
  const std::size_t head = std::min(to_line, n);
  for (std::size_t i = 0; i < head; ++i) x[i] = op(x[i]);
  for (std::size_t i = head; i < n; ++i) x[i] = op(x[i]);
}

// Negation is one xor per vector: the cheapest change that cannot be optimised away.
// 16-bit floats (uint16_t bits) flip their sign bit the same way.
template <typename T>
void Negate(T* x, std::size_t n) {
  Stream(x, n, [](T v) { return -v; });
}
template <>
void Negate<std::uint16_t>(std::uint16_t* x, std::size_t n) {
  Stream(x, n, [](std::uint16_t v) { return static_cast<std::uint16_t>(v ^ 0x8000u); });
}

template <typename T>
void Scale(T* x, std::size_t n) {
  Stream(x, n, [](T v) { return v * T(0.75); });
}

// Chunks taken from a shared counter, as the package's threadpool lanes take theirs.
template <typename T>
void NegateThreads(T* x, std::size_t n, std::size_t threads) {
  constexpr std::size_t kChunk = (1 << 20) / sizeof(T);
  std::atomic<std::size_t> next{0};
  const auto lane = [&] {
    for (std::size_t begin; (begin = next.fetch_add(kChunk)) < n;) {
      Negate(x + begin, std::min(kChunk, n - begin));
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < threads; ++i) pool.emplace_back(lane);
  for (std::thread& t : pool) t.join();
}

struct FloatArg {
  napi_typedarray_type type;
  std::size_t length;
  void* data;
};

// The call's first `count` arguments into args, the first of them a float array into
// x; or a thrown TypeError and false.
bool Unpack(napi_env env, napi_callback_info info, std::size_t count, napi_value* args,
            FloatArg* x) {
  std::size_t argc = count;
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc < count ||
      napi_get_typedarray_info(env, args[0], &x->type, &x->length, &x->data, nullptr,
                               nullptr) != napi_ok ||
      (x->type != napi_float32_array && x->type != napi_float64_array &&
       x->type != napi_uint16_array)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "expected a Float32Array, Float64Array or Uint16Array first");
    return false;
  }
  return true;
}

// F<T>::Run on the array of the first argument, as float, double or 16-bit bits.
template <template <typename> class F, typename... Extra>
void RunOn(const FloatArg& x, Extra... extra) {
  if (x.type == napi_float32_array) {
    F<float>::Run(static_cast<float*>(x.data), x.length, extra...);
  } else if (x.type == napi_uint16_array) {
    F<std::uint16_t>::Run(static_cast<std::uint16_t*>(x.data), x.length, extra...);
  } else {
    F<double>::Run(static_cast<double*>(x.data), x.length, extra...);
  }
}

template <typename T>
struct NegateOp {
  static void Run(T* x, std::size_t n) { Negate(x, n); }
};
template <typename T>
struct ScaleOp {
  static void Run(T* x, std::size_t n) { Scale(x, n); }
};
template <typename T>
struct NegateThreadsOp {
  static void Run(T* x, std::size_t n, std::size_t threads) { NegateThreads(x, n, threads); }
};

template <template <typename> class F>
napi_value InPlace(napi_env env, napi_callback_info info) {
  napi_value arg;
  FloatArg x;
  if (Unpack(env, info, 1, &arg, &x)) RunOn<F>(x);
  return nullptr;
}

napi_value NegateInPlaceThreads(napi_env env, napi_callback_info info) {
  napi_value args[2];
  FloatArg x;
  std::uint32_t threads = 0;
  if (!Unpack(env, info, 2, args, &x)) return nullptr;
  if (napi_get_value_uint32(env, args[1], &threads) != napi_ok || threads < 1 || threads > 64) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "threads must be 1..64");
    return nullptr;
  }
  RunOn<NegateThreadsOp>(x, std::size_t{threads});
  return nullptr;
}

napi_value UnpackOnly(napi_env env, napi_callback_info info) {
  napi_value args[2];
  FloatArg x;
  double alpha;
  if (Unpack(env, info, 2, args, &x) && napi_get_value_double(env, args[1], &alpha) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "alpha must be a number");
  }
  return nullptr;
}

void Export(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

napi_value Init(napi_env env, napi_value exports) {
  Export(env, exports, "negateInPlace", InPlace<NegateOp>);
  Export(env, exports, "scaleInPlace", InPlace<ScaleOp>);
  Export(env, exports, "negateInPlaceThreads", NegateInPlaceThreads);
  Export(env, exports, "unpackOnly", UnpackOnly);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
