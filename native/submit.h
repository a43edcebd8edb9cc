// The async entry points: submitForward and submitBackward parse their task lists
// (every element fetched before any is checked), check them as a sync call is checked
// (call_args.h), and hand the tasks to an AsyncJob.
#ifndef LEAKY_RELU_SUBMIT_H_
#define LEAKY_RELU_SUBMIT_H_

#include <node_api.h>

namespace leaky_relu {

napi_value SubmitForward(napi_env env, napi_callback_info info);
napi_value SubmitBackward(napi_env env, napi_callback_info info);

}  // namespace leaky_relu

#endif  // LEAKY_RELU_SUBMIT_H_
