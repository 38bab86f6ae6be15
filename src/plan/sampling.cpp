#include "plan/sampling.hpp"

#include <algorithm>
#include <cmath>

namespace gb::plan {

std::int64_t sample_count(const scenario::distribution& d, rng& r) noexcept {
  using kind = scenario::distribution::kind;
  double v = d.value;
  switch (d.shape) {
    case kind::fixed:
      v = d.value;
      break;
    case kind::uniform: {
      const double lo = std::ceil(d.min);
      const double hi = std::floor(d.max);
      v = hi > lo ? lo + std::floor(r.uniform() * (hi - lo + 1.0)) : lo;
      v = std::min(v, hi);
      break;
    }
    case kind::normal:
      v = d.value + d.stddev * r.normal();
      break;
    case kind::lognormal: {
      if (d.value <= 0) {
        v = 1;
        break;
      }
      const double ratio = d.stddev / d.value;
      const double sigma2 = std::log1p(ratio * ratio);
      const double mu = std::log(d.value) - 0.5 * sigma2;
      v = std::exp(mu + std::sqrt(sigma2) * r.normal());
      break;
    }
  }
  if (d.max > 0) {
    v = std::clamp(v, d.min, d.max);
  }
  const double rounded = std::round(v);
  if (!(rounded >= 1)) {
    return 1;
  }
  return rounded > 1e12 ? static_cast<std::int64_t>(1e12) : static_cast<std::int64_t>(rounded);
}

}  // namespace gb::plan
