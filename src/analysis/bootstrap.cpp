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

block_sampler::block_sampler(const std::vector<metrics::histogram>& blocks) {
  for (const auto& h : blocks) {
    h.for_each_recorded(
        [&](std::int64_t v, std::int64_t) { values_.push_back(static_cast<double>(v)); });
  }
  std::sort(values_.begin(), values_.end());
  values_.erase(std::unique(values_.begin(), values_.end()), values_.end());
  for (const auto& h : blocks) {
    if (h.total_count() == 0) {
      continue;
    }
    std::vector<std::pair<std::uint32_t, std::int64_t>> b;
    h.for_each_recorded([&](std::int64_t v, std::int64_t c) {
      const auto it = std::lower_bound(values_.begin(), values_.end(), static_cast<double>(v));
      b.emplace_back(static_cast<std::uint32_t>(it - values_.begin()), c);
    });
    blocks_.push_back(std::move(b));
  }
}

std::vector<double> block_sampler::sample(std::mt19937_64& rng,
                                          const std::vector<double>& percentiles) const {
  std::vector<double> out(percentiles.size(), 0.0);
  if (blocks_.empty()) {
    return out;
  }
  std::vector<std::int64_t> acc(values_.size(), 0);
  std::uniform_int_distribution<std::size_t> pick(0, blocks_.size() - 1);
  std::int64_t total = 0;
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    for (const auto& [id, c] : blocks_[pick(rng)]) {
      acc[id] += c;
      total += c;
    }
  }
  std::size_t p = 0;
  std::int64_t running = 0;
  for (std::size_t id = 0; id < acc.size() && p < percentiles.size(); ++id) {
    running += acc[id];
    while (p < percentiles.size()) {
      const double q = std::clamp(percentiles[p], 0.0, 100.0);
      const auto k = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(std::floor(q / 100.0 * static_cast<double>(total) + 0.5)));
      if (running < k) {
        break;
      }
      out[p++] = values_[id];
    }
  }
  for (; p < percentiles.size(); ++p) {
    out[p] = values_.back();
  }
  return out;
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
