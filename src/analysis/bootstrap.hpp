#pragma once
// Bootstrap resampling of percentiles from HDR histograms.
//
// Resampling a histogram's N recorded values with replacement (a multinomial draw over its
// buckets) and reading percentile p gives the k-th order statistic of the resample, with k as in
// histogram::value_at_percentile. Its distribution is exact without drawing N values: the k-th
// smallest of N uniforms is Beta(k, N-k+1); mapping a Beta draw through the histogram's
// empirical inverse CDF gives one bootstrap replicate of the percentile in O(log buckets).

#include <cstdint>
#include <random>
#include <vector>

#include "metrics/histogram.hpp"

namespace gb::analysis {

/// A histogram prepared for resampling one percentile.
class percentile_sampler {
 public:
  /// `h` may be empty (then sample() returns 0). `percentile` in 0..100.
  percentile_sampler(const metrics::histogram& h, double percentile);

  /// One bootstrap replicate of the percentile (same unit as the histogram).
  double sample(std::mt19937_64& rng) const;
  /// The percentile of the histogram itself.
  double point() const noexcept { return point_; }
  bool empty() const noexcept { return total_ == 0; }

 private:
  std::vector<double> cum_;     // cumulative fraction at each non-empty bucket
  std::vector<double> values_;  // highest equivalent value of each non-empty bucket
  std::int64_t total_ = 0;
  std::int64_t k_ = 0;
  double point_ = 0;
};

/// The [lo, hi] percentile interval of `xs` (modified in place: sorted). level e.g. 0.95.
std::pair<double, double> percentile_interval(std::vector<double>& xs, double level);

/// Median of `xs` (modified in place); 0 when empty.
double median_of(std::vector<double>& xs);

}  // namespace gb::analysis
