#pragma once
// An HDR histogram with HdrHistogram's exact bucket layout (shared/design/wire-formats.md), so
// that encoded histograms decode in the Java, C, JavaScript and Python implementations.
//
// Values are int64 in whatever unit the caller chooses (gatebench records nanoseconds).
// Recording is O(1), allocation-free and never throws. A value outside [0, highest trackable]
// is not stored in a bucket; it is counted in out_of_range_count() so nothing is silently lost.
// Not thread-safe: each worker thread owns its histograms; merge with add() after the run.

#include <bit>
#include <cstdint>

#include "metrics/count_array.hpp"
#include "util/result.hpp"

namespace gb::metrics {

/// Default layout for latencies: 1 ns .. 1 hour (the real top is a little higher because
/// buckets are powers of two), 3 significant digits.
inline constexpr std::int64_t latency_lowest_ns = 1;
inline constexpr std::int64_t latency_highest_ns = 3'600'000'000'000;
inline constexpr int latency_sigfigs = 3;

class histogram {
 public:
  /// Creates an empty histogram tracking [0, highest] with `sigfigs` significant digits and
  /// `lowest` as the smallest discernible value. Requires lowest >= 1, highest >= 2 * lowest,
  /// 1 <= sigfigs <= 5; otherwise returns an error naming the bad argument.
  static result<histogram> create(std::int64_t lowest, std::int64_t highest, int sigfigs);

  /// Length of the counts array that create(lowest, highest, sigfigs) would allocate, without
  /// allocating it (decoders check it against their memory limit first); 0 when the arguments
  /// are invalid.
  static std::size_t layout_counts_len(std::int64_t lowest, std::int64_t highest,
                                       int sigfigs) noexcept;

  /// The default latency layout (1 ns .. 1 h, 3 digits). Never fails (but std::bad_alloc).
  static histogram for_latency();

  /// Copies write only the counts up to the highest recorded one (count_array gives the rest as
  /// zeros). Throws std::bad_alloc.
  histogram(const histogram& o);
  histogram& operator=(const histogram& o);
  histogram(histogram&&) noexcept = default;
  histogram& operator=(histogram&&) noexcept = default;
  ~histogram() = default;

  /// Records `count` occurrences of `value`. Returns false (and adds `count` to
  /// out_of_range_count()) when value < 0 or value > highest_trackable(); count <= 0 is ignored
  /// and returns false. Never throws, never allocates.
  bool record(std::int64_t value, std::int64_t count = 1) noexcept {
    if (count <= 0) {
      return false;
    }
    const std::size_t i = value < 0 ? counts_.size() : index_of(value);
    if (i >= counts_.size()) {
      out_of_range_ += count;
      return false;
    }
    counts_[i] += count;
    total_count_ += count;
    if (value != 0 && value < min_value_) {
      min_value_ = value;
    }
    if (value > max_value_) {
      max_value_ = value;
    }
    return true;
  }

  /// Records `value` and, when value > expected_interval > 0, the synthetic values
  /// value - expected_interval, value - 2*expected_interval, ... down to expected_interval, as
  /// HdrHistogram's recordCorrectedValue does (coordinated-omission backfill), each with
  /// `count`. The backfill costs O(buckets), not O(value / expected_interval). Returns false (and
  /// backfills nothing) when `value` itself is out of range.
  bool record_corrected(std::int64_t value, std::int64_t expected_interval,
                        std::int64_t count = 1) noexcept;

  /// Adds every count of `other` into this histogram. With the same layout this is a bucket by
  /// bucket sum (also when only the highest value differs); otherwise each of other's buckets is
  /// recorded at its lowest value (as HdrHistogram's add does). Counts beyond this histogram's
  /// range are added to out_of_range_count(), never dropped silently.
  /// out_of_range_count() adds up as well. Returns the number of counts that did not fit.
  std::int64_t add(const histogram& other) noexcept;

  /// Removes every count, keeping the layout.
  void reset() noexcept;

  // --- statistics (all values in the recorded unit) ---

  /// Number of in-range values recorded.
  std::int64_t total_count() const noexcept { return total_count_; }
  /// Number of values that were outside [0, highest_trackable()] and so not in any bucket.
  std::int64_t out_of_range_count() const noexcept { return out_of_range_; }
  /// Smallest recorded value (lowest equivalent of its bucket); 0 when empty.
  std::int64_t min() const noexcept;
  /// Largest recorded value (highest equivalent of its bucket); 0 when empty.
  std::int64_t max() const noexcept;
  /// Mean using each bucket's median equivalent value; 0 when empty.
  double mean() const noexcept;
  /// Population standard deviation using median equivalent values; 0 when empty.
  double stddev() const noexcept;
  /// The value at `percentile` (0..100, clamped) with HdrHistogram's (Java, JavaScript)
  /// semantics: the highest equivalent value of the first bucket whose cumulative count reaches
  /// count_at_percentile(percentile); the lowest equivalent value for percentile 0. Returns 0
  /// when empty or when percentile is NaN.
  std::int64_t value_at_percentile(double percentile) const noexcept;
  /// The cumulative count a percentile (0..100, clamped) asks for, as hdr-histogram-js computes
  /// it: ceil(p/100 * total_count - 1 ulp), at least 1. (HdrHistogram_c rounds half up instead,
  /// so its percentiles can differ by one bucket on small counts.)
  std::int64_t count_at_percentile(double percentile) const noexcept;
  /// Fraction (0..100) of recorded values <= value.
  double percentile_at_or_below(std::int64_t value) const noexcept;

  // --- layout ---

  std::int64_t lowest() const noexcept { return lowest_; }
  /// The highest value asked for at creation.
  std::int64_t highest() const noexcept { return highest_; }
  /// The highest value a bucket can hold (>= highest()).
  std::int64_t highest_trackable() const noexcept;
  int sigfigs() const noexcept { return sigfigs_; }
  bool same_layout(const histogram& o) const noexcept {
    return lowest_ == o.lowest_ && highest_ == o.highest_ && sigfigs_ == o.sigfigs_;
  }
  std::int32_t bucket_count() const noexcept { return bucket_count_; }
  std::int32_t sub_bucket_count() const noexcept { return sub_bucket_count_; }

  /// Length of the counts array (HdrHistogram's countsArrayLength).
  std::size_t counts_len() const noexcept { return counts_.size(); }
  /// Count stored at a counts index; 0 when the index is past the end.
  std::int64_t count_at_index(std::size_t index) const noexcept {
    return index < counts_.size() ? counts_[index] : 0;
  }
  /// Sets the count at an index (for decoders); returns false when the index is past the end or
  /// count is negative. Keeps total_count() exact; min/max widen to include the index (they
  /// never shrink, so lowering a count can leave them wider than the data).
  bool set_count_at_index(std::size_t index, std::int64_t count) noexcept;
  /// Counts index of a value; the value must be >= 0 (an index past counts_len() when it is
  /// above highest_trackable()).
  std::size_t index_of(std::int64_t value) const noexcept {
    const std::int32_t bucket = bucket_index(value);
    const std::int64_t sub = value >> (bucket + unit_magnitude_);
    const std::int64_t base = static_cast<std::int64_t>(bucket + 1)
                              << sub_bucket_half_count_magnitude_;
    return static_cast<std::size_t>(base + (sub - sub_bucket_half_count_));
  }
  /// The smallest value that maps to counts index `index`.
  std::int64_t value_at_index(std::size_t index) const noexcept;
  std::int64_t lowest_equivalent(std::int64_t value) const noexcept;
  std::int64_t highest_equivalent(std::int64_t value) const noexcept;
  std::int64_t median_equivalent(std::int64_t value) const noexcept;
  std::int64_t size_of_equivalent_range(std::int64_t value) const noexcept;
  /// Index just past the highest non-zero count (0 when empty).
  std::size_t used_len() const noexcept;

  /// Calls f(value, count) for every non-empty bucket in increasing order, where value is the
  /// bucket's highest equivalent value (HdrHistogram's "value iterated to").
  template <class F>
  void for_each_recorded(F&& f) const {
    const std::size_t n = used_len();
    for (std::size_t i = 0; i < n; ++i) {
      if (counts_[i] != 0) {
        f(highest_equivalent(value_at_index(i)), counts_[i]);
      }
    }
  }

 private:
  histogram() = default;
  void init(std::int64_t lowest, std::int64_t highest, int sigfigs);
  std::int32_t bucket_index(std::int64_t value) const noexcept {
    const int pow2ceiling =
        64 - std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask_));
    return pow2ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
  }

  std::int64_t lowest_ = 1;
  std::int64_t highest_ = 2;
  int sigfigs_ = 3;
  std::int32_t unit_magnitude_ = 0;
  std::int32_t sub_bucket_half_count_magnitude_ = 0;
  std::int32_t sub_bucket_count_ = 0;
  std::int32_t sub_bucket_half_count_ = 0;
  std::int64_t sub_bucket_mask_ = 0;
  std::int32_t bucket_count_ = 0;
  std::int64_t total_count_ = 0;
  std::int64_t out_of_range_ = 0;
  std::int64_t min_value_ = INT64_MAX;  // raw recorded extremes (non-zero min as in HdrHistogram)
  std::int64_t max_value_ = 0;
  count_array counts_;
};

}  // namespace gb::metrics
