#include "half.h"

#include "half_bits.h"

namespace leaky_relu {

double RoundAlpha(double alpha, Dtype dtype) {
  const float a = static_cast<float>(alpha);
  switch (dtype) {
    case Dtype::kF64:
      return alpha;
    case Dtype::kF16:
      return F16ToFloat(FloatToF16(a));
    case Dtype::kBF16:
      return BF16ToFloat(FloatToBF16(a));
    default:
      return a;
  }
}

}  // namespace leaky_relu
