// The arrays of one operation (a sync call, or one task of a submit), unpacked and
// checked in the contract's order: types, detached buffers, alpha's range, lengths,
// overlaps. Each stage runs over every operation of a call before the next stage
// starts, so a batch reports the error a single call would, whichever array has it.
#ifndef LEAKY_RELU_CALL_ARGS_H_
#define LEAKY_RELU_CALL_ARGS_H_

#include <node_api.h>

#include <cstddef>
#include <vector>

#include "busy_ranges.h"
#include "job.h"
#include "kernels.h"
#include "slopes.h"

namespace leaky_relu {

// Stop a native call of more operations than this before allocating for them: a list
// of 2^32 - 1 holes must get an error, not a std::bad_alloc. The facade has the same
// bound (MAX_ARRAYS in lib/checks.ts).
constexpr std::uint32_t kMaxTasks = 1u << 20;

struct FloatView {
  napi_value value = nullptr;
  napi_typedarray_type type = napi_float32_array;
  Dtype dtype = Dtype::kF32;
  std::size_t length = 0;
  void* data = nullptr;
};

// How a call's Uint16Array data are read: the `half` argument ('float16', 'bfloat16'),
// or none (a Uint16Array is then no float data).
enum class HalfArg { kNone, kF16, kBF16 };

// dy is set for backward only; out is x (forward) or dy (backward) when in place.
// grad: the slope gradient's Float64Array, if asked for (backward with slopes).
struct Operands {
  bool backward = false;
  bool in_place = true;
  bool has_grad = false;
  FloatView x, dy, out, grad;
};

// Per-channel slopes as the binding takes them: a Float32Array or Float64Array, copied
// at once (nothing can change them after the checks), and the spatial size.
struct SlopeArgs {
  std::vector<double> values;
  bool detached = false;
  double spatial = 1;  // a positive integer: checked in the values stage
};

ByteRange RangeOf(const FloatView& view);

// Whether an argument is absent (nullptr) or undefined.
bool IsUndefined(napi_env env, napi_value value);

// The task of checked operands: alpha, or the slopes (and the operands' alphaGrad).
Task TaskOf(const Operands& o, double alpha, const SlopePlan* slopes = nullptr);

// The `half` argument's type stage: undefined (or absent: nullptr), 'float16' or 'bfloat16'.
bool UnpackHalf(napi_env env, napi_value value, HalfArg* half);

// Stage 1 (types) for one operation. A value's type cannot change, so this may run as
// soon as the values are in hand, before user code (a list element's getter) runs.
// `out` may be nullptr (in place). On failure an error is pending.
bool UnpackOperands(napi_env env, bool backward, napi_value x, napi_value dy, napi_value out,
                    HalfArg half, Operands* ops);

// alpha's type (a number primitive; a Number object is not one).
bool UnpackAlpha(napi_env env, napi_value value, double* alpha);

// Stage 1 for the slopes (a number is one slope) and spatialSize (undefined or nullptr: 1).
bool UnpackSlopes(napi_env env, napi_value slopes, napi_value spatial, SlopeArgs* args);

// Stage 1 for an operation's alphaGrad: a Float64Array, or undefined / nullptr for none.
bool UnpackAlphaGrad(napi_env env, napi_value value, Operands* ops);

// Reads every view's length and address again: for lists whose elements were fetched
// one by one, user code may have detached or resized a buffer since stage 1.
bool Refresh(napi_env env, Operands* ops, std::size_t n);

// Stages 2 to 5 (detached, alpha's range, lengths, overlaps within an operation) over
// all n operations, reading no JS value: nothing can change between them and the use.
// With `slopes`, they replace alpha, and the lengths must be multiples of C * spatial.
bool CheckOperands(napi_env env, const Operands* ops, std::size_t n, double alpha,
                   const SlopeArgs* slopes = nullptr);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_CALL_ARGS_H_
