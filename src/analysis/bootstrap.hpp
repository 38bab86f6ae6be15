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

/// A block bootstrap over time: a run's per-interval histograms (its time series) are the blocks;
/// a replicate draws as many blocks as there are, with replacement, merges them and reads the
/// percentiles. Unlike resampling single requests, this keeps bursts of slowness (a GC pause, a
/// noisy neighbour) together, so the interval reflects how much a run's tail moves over time.
class block_sampler {
 public:
  /// `blocks` in one layout (empty ones are ignored).
  explicit block_sampler(const std::vector<metrics::histogram>& blocks);

  /// Number of non-empty blocks.
  std::size_t blocks() const noexcept { return blocks_.size(); }
  /// One replicate: the value at each of `percentiles` (ascending, 0..100) of a resampled run.
  std::vector<double> sample(std::mt19937_64& rng, const std::vector<double>& percentiles) const;

 private:
  std::vector<double> values_;  // distinct bucket values (highest equivalent), ascending
  std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> blocks_;  // (value id, count)
};

/// The [lo, hi] percentile interval of `xs` (modified in place: sorted). level e.g. 0.95.
std::pair<double, double> percentile_interval(std::vector<double>& xs, double level);

/// Median of `xs` (modified in place); 0 when empty.
double median_of(std::vector<double>& xs);

}  // namespace gb::analysis
