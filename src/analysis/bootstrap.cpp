#include "analysis/bootstrap.hpp"

#include <algorithm>
#include <cmath>

namespace gb::analysis {

percentile_sampler::percentile_sampler(const metrics::histogram& h, double percentile) {
  total_ = h.total_count();
  if (total_ == 0) {
    return;
  }
  const double p = std::clamp(percentile, 0.0, 100.0);
  k_ = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::floor(p / 100.0 * static_cast<double>(total_) + 0.5)));
  k_ = std::min(k_, total_);
  std::int64_t running = 0;
  h.for_each_recorded([&](std::int64_t value, std::int64_t count) {
    running += count;
    values_.push_back(static_cast<double>(value));
    cum_.push_back(static_cast<double>(running) / static_cast<double>(total_));
  });
  point_ = static_cast<double>(h.value_at_percentile(p));
}

double percentile_sampler::sample(std::mt19937_64& rng) const {
  if (total_ == 0) {
    return 0;
  }
  std::gamma_distribution<double> ga(static_cast<double>(k_), 1.0);
  std::gamma_distribution<double> gb(static_cast<double>(total_ - k_ + 1), 1.0);
  const double x = ga(rng);
  const double y = gb(rng);
  const double u = x / (x + y);
  // Smallest bucket whose cumulative fraction reaches u: the resample's k-th value.
  auto it = std::lower_bound(cum_.begin(), cum_.end(), u);
  if (it == cum_.end()) {
    return values_.back();
  }
  return values_[static_cast<std::size_t>(it - cum_.begin())];
}

std::pair<double, double> percentile_interval(std::vector<double>& xs, double level) {
  if (xs.empty()) {
    return {0, 0};
  }
  std::sort(xs.begin(), xs.end());
  const double a = (1.0 - level) / 2.0;
  const auto at = [&](double q) {
    const double pos = q * static_cast<double>(xs.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(pos));
    const auto j = std::min(i + 1, xs.size() - 1);
    return xs[i] + (xs[j] - xs[i]) * (pos - static_cast<double>(i));
  };
  return {at(a), at(1.0 - a)};
}

double median_of(std::vector<double>& xs) {
  if (xs.empty()) {
    return 0;
  }
  std::sort(xs.begin(), xs.end());
  const std::size_t n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2.0;
}

}  // namespace gb::analysis
