#include "submit.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "async_job.h"
#include "call_args.h"
#include "errors.h"
#include "job.h"
#include "slopes.h"

namespace leaky_relu {
namespace {

bool StrictlyEqual(napi_env env, napi_value a, napi_value b) {
  bool equal = false;
  return napi_strict_equals(env, a, b, &equal) == napi_ok && equal;
}

bool ListLength(napi_env env, napi_value value, const char* name, std::uint32_t* length) {
  bool is_array = false;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, length) != napi_ok) {
    return ThrowNotArray(env, name);
  }
  return true;
}

// The task lists of a submit call, as given: xs, outs, dys for backward, the optional
// halves (each task's 'float16' / 'bfloat16' for Uint16Array data) and alphaGrads
// (backward with slopes: each task's Float64Array or undefined).
struct TaskLists {
  bool backward;
  napi_value xs, outs, dys, halves, grads;
  std::uint32_t count;
};

// Stage 1 over the lists. Reading an element may run user code (a getter), which may
// detach or resize the buffer of an element already read: so every element is fetched
// and type-checked (a type cannot change) before any length or address is read.
bool FetchTasks(napi_env env, const TaskLists& lists, std::vector<Operands>* ops,
                std::vector<napi_value>* arrays) {
  ops->reserve(lists.count);
  for (std::uint32_t i = 0; i < lists.count; ++i) {
    napi_value x, out, dy = nullptr, half_value = nullptr, grad = nullptr;
    if (napi_get_element(env, lists.xs, i, &x) != napi_ok ||
        napi_get_element(env, lists.outs, i, &out) != napi_ok ||
        (lists.backward && napi_get_element(env, lists.dys, i, &dy) != napi_ok) ||
        (lists.halves != nullptr && napi_get_element(env, lists.halves, i, &half_value) != napi_ok) ||
        (lists.grads != nullptr && napi_get_element(env, lists.grads, i, &grad) != napi_ok)) {
      return false;
    }
    const bool in_place = StrictlyEqual(env, out, lists.backward ? dy : x);
    HalfArg half;
    ops->emplace_back();
    if (!UnpackHalf(env, half_value, &half) ||
        !UnpackOperands(env, lists.backward, x, dy, in_place ? nullptr : out, half, &ops->back()) ||
        !UnpackAlphaGrad(env, grad, &ops->back())) {
      return false;
    }
    if (ops->back().has_grad) arrays->push_back(grad);
    arrays->push_back(x);
    if (!StrictlyEqual(env, out, x)) arrays->push_back(out);
    if (lists.backward && !StrictlyEqual(env, dy, out) && !StrictlyEqual(env, dy, x)) {
      arrays->push_back(dy);
    }
  }
  return true;
}

// The slope plans of a submit's tasks: one per element type and gradient use, since
// a plan holds its slopes rounded to its type.
std::vector<std::unique_ptr<SlopePlan>> PlanSlopes(const SlopeArgs& slopes, std::vector<Task>* tasks) {
  std::vector<std::unique_ptr<SlopePlan>> plans;
  SlopePlan* by_use[kDtypeCount][2] = {};
  for (Task& t : *tasks) {
    SlopePlan*& plan = by_use[static_cast<std::size_t>(t.dtype)][t.alpha_grad != nullptr];
    if (plan == nullptr) {
      plans.push_back(std::make_unique<SlopePlan>(t.dtype, slopes.values,
                                                  static_cast<std::size_t>(slopes.spatial), t.alpha_grad != nullptr));
      plan = plans.back().get();
      plan->AlignFor(t.out, t.length);  // the first array's placement, for all of its type
    }
    t.slopes = plan;
  }
  return plans;
}

// submitForward(xs, outs, alpha, callback[, halves[, spatialSize]]) and
// submitBackward(dys, xs, outs, alpha, callback[, halves[, spatialSize[, alphaGrads]]]);
// outs[i] is xs[i] (dys[i]) for in place. alpha is a number, or the slopes as
// forwardSlopes takes them (a spatialSize or alphaGrads makes a number one slope).
// Returns the job's id for cancel(id); the callback gets (error | null, cancelled).
napi_value Submit(napi_env env, napi_callback_info info, bool backward) {
  const std::size_t first = backward ? 1 : 0;
  std::size_t argc = 8;
  napi_value args[8];
  void* data;
  napi_get_cb_info(env, info, &argc, args, nullptr, &data);
  auto* state = static_cast<AddonState*>(data);
  if (argc < first + 4) {
    ThrowArity(env, backward ? "submitBackward(dys, xs, outs, alpha, callback)"
                             : "submitForward(xs, outs, alpha, callback)");
    return nullptr;
  }
  const auto arg = [&](std::size_t i) { return i < argc && !IsUndefined(env, args[i]) ? args[i] : nullptr; };
  TaskLists lists{backward, args[first], args[first + 1], backward ? args[0] : nullptr,
                  arg(first + 4), backward ? arg(first + 6) : nullptr, 0};
  napi_value callback = args[first + 3];
  napi_valuetype alpha_type;
  napi_typeof(env, args[first + 2], &alpha_type);
  const bool with_slopes = alpha_type != napi_number || arg(first + 5) != nullptr || lists.grads != nullptr;
  std::uint32_t out_count = 0, dy_count = 0, half_count = 0, grad_count = 0;
  double alpha = 0;
  SlopeArgs slopes;
  napi_valuetype callback_type;
  if (!ListLength(env, lists.xs, "xs", &lists.count) ||
      !ListLength(env, lists.outs, "outs", &out_count) ||
      (backward && !ListLength(env, lists.dys, "dys", &dy_count)) ||
      (lists.halves != nullptr && !ListLength(env, lists.halves, "halves", &half_count)) ||
      (lists.grads != nullptr && !ListLength(env, lists.grads, "alphaGrads", &grad_count)) ||
      (with_slopes ? !UnpackSlopes(env, args[first + 2], arg(first + 5), &slopes)
                   : !UnpackAlpha(env, args[first + 2], &alpha))) {
    return nullptr;
  }
  if (napi_typeof(env, callback, &callback_type) != napi_ok || callback_type != napi_function) {
    return ThrowNotFunction(env, "callback"), nullptr;
  }
  if (out_count != lists.count || (backward && dy_count != lists.count) ||
      (lists.halves != nullptr && half_count != lists.count) ||
      (lists.grads != nullptr && grad_count != lists.count)) {
    return ThrowListLengths(env), nullptr;
  }
  if (lists.count > kMaxTasks) return ThrowTooManyArrays(env, kMaxTasks, lists.count), nullptr;

  std::vector<Operands> ops;
  std::vector<napi_value> arrays;
  if (!FetchTasks(env, lists, &ops, &arrays) || !Refresh(env, ops.data(), ops.size()) ||
      !CheckOperands(env, ops.data(), ops.size(), alpha, with_slopes ? &slopes : nullptr)) {
    return nullptr;
  }
  std::vector<Task> tasks;
  tasks.reserve(ops.size());
  for (const Operands& o : ops) tasks.push_back(TaskOf(o, alpha));
  std::vector<std::unique_ptr<SlopePlan>> plans;
  if (with_slopes) plans = PlanSlopes(slopes, &tasks);
  if (OutputsCollide(tasks)) return ThrowBatchOverlap(env), nullptr;
  const double id = AsyncJob::Start(env, state, std::move(tasks), std::move(plans), arrays, callback);
  if (id == 0) return nullptr;
  napi_value result;
  napi_create_double(env, id, &result);
  return result;
}


}  // namespace

napi_value SubmitForward(napi_env env, napi_callback_info info) { return Submit(env, info, false); }
napi_value SubmitBackward(napi_env env, napi_callback_info info) { return Submit(env, info, true); }

}  // namespace leaky_relu
