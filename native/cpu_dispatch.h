// Which kernel set this CPU (and OS) can run, detected once per process.
#ifndef LEAKY_RELU_CPU_DISPATCH_H_
#define LEAKY_RELU_CPU_DISPATCH_H_

#include "kernels.h"

namespace leaky_relu {

// The best set the CPU supports, or the best at or below `cap` ("scalar", "avx2",
// "avx512", "neon"; nullptr or "" for no cap). A cap naming another architecture's
// set leaves only scalar. Returns nullptr for a cap that names no set.
const KernelSet* SelectKernels(const char* cap);

// The best set the CPU supports, ignoring any cap.
const KernelSet* BestKernels();

}  // namespace leaky_relu

#endif  // LEAKY_RELU_CPU_DISPATCH_H_
