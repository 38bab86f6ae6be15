#include "metrics/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

namespace gb::metrics {

namespace {

int half_count_magnitude(int sigfigs) {
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::ceil(std::log2(2.0 * std::pow(10.0, sigfigs))));
  return std::max(sub_bucket_count_magnitude, 1) - 1;
}

int unit_magnitude_of(std::int64_t lowest) {
  return std::bit_width(static_cast<std::uint64_t>(lowest)) - 1;
}

// HdrHistogram's getBucketsNeededToCoverValue.
std::int32_t buckets_needed(std::int64_t highest, int unit_magnitude, int half_mag) {
  std::int64_t smallest_untrackable = std::int64_t{1} << (unit_magnitude + half_mag + 1);
  std::int32_t buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > INT64_MAX / 2) {
      return buckets + 1;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}

}  // namespace

result<histogram> histogram::create(std::int64_t lowest, std::int64_t highest, int sigfigs) {
  if (lowest < 1) {
    return fail("histogram lowest value must be at least 1, got ", std::to_string(lowest));
  }
  if (sigfigs < 1 || sigfigs > 5) {
    return fail("histogram significant digits must be 1 to 5, got ", std::to_string(sigfigs));
  }
  if (highest / 2 < lowest) {
    return fail("histogram highest value (", std::to_string(highest),
                ") must be at least twice the lowest (", std::to_string(lowest), ")");
  }
  // unit_magnitude + half-count magnitude must leave room in 64 bits (as HdrHistogram checks).
  if (unit_magnitude_of(lowest) + half_count_magnitude(sigfigs) > 61) {
    return fail("histogram lowest value ", std::to_string(lowest), " is too large for ",
                std::to_string(sigfigs), " significant digits");
  }
  histogram h;
  h.init(lowest, highest, sigfigs);
  return h;
}

std::size_t histogram::layout_counts_len(std::int64_t lowest, std::int64_t highest,
                                         int sigfigs) noexcept {
  if (lowest < 1 || sigfigs < 1 || sigfigs > 5 || highest / 2 < lowest) {
    return 0;
  }
  const int unit = unit_magnitude_of(lowest);
  const int half = half_count_magnitude(sigfigs);
  if (unit + half > 61) {
    return 0;
  }
  return static_cast<std::size_t>(buckets_needed(highest, unit, half) + 1) << half;
}

histogram histogram::for_latency() {
  histogram h;
  h.init(latency_lowest_ns, latency_highest_ns, latency_sigfigs);
  return h;
}

void histogram::init(std::int64_t lowest, std::int64_t highest, int sigfigs) {
  lowest_ = lowest;
  highest_ = highest;
  sigfigs_ = sigfigs;
  sub_bucket_half_count_magnitude_ = half_count_magnitude(sigfigs);
  unit_magnitude_ = unit_magnitude_of(lowest);
  sub_bucket_count_ = std::int32_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (static_cast<std::int64_t>(sub_bucket_count_) - 1) << unit_magnitude_;
  bucket_count_ = buckets_needed(highest, unit_magnitude_, sub_bucket_half_count_magnitude_);
  counts_ = count_array(static_cast<std::size_t>(bucket_count_ + 1) * sub_bucket_half_count_);
  reset();
}

histogram::histogram(const histogram& o)
    : lowest_(o.lowest_),
      highest_(o.highest_),
      sigfigs_(o.sigfigs_),
      unit_magnitude_(o.unit_magnitude_),
      sub_bucket_half_count_magnitude_(o.sub_bucket_half_count_magnitude_),
      sub_bucket_count_(o.sub_bucket_count_),
      sub_bucket_half_count_(o.sub_bucket_half_count_),
      sub_bucket_mask_(o.sub_bucket_mask_),
      bucket_count_(o.bucket_count_),
      total_count_(o.total_count_),
      out_of_range_(o.out_of_range_),
      min_value_(o.min_value_),
      max_value_(o.max_value_),
      counts_(o.counts_.data(), o.used_len(), o.counts_.size()) {}

histogram& histogram::operator=(const histogram& o) {
  if (this != &o) {
    *this = histogram(o);
  }
  return *this;
}

void histogram::reset() noexcept {
  // Every count past used_len() is already zero (and possibly not yet backed by memory: see
  // count_array).
  std::fill_n(counts_.data(), used_len(), 0);
  total_count_ = 0;
  out_of_range_ = 0;
  min_value_ = INT64_MAX;
  max_value_ = 0;
}

std::int64_t histogram::value_at_index(std::size_t index) const noexcept {
  std::int32_t bucket = static_cast<std::int32_t>(index >> sub_bucket_half_count_magnitude_) - 1;
  std::int64_t sub =
      static_cast<std::int64_t>(index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub -= sub_bucket_half_count_;
    bucket = 0;
  }
  return sub << (bucket + unit_magnitude_);
}

std::int64_t histogram::size_of_equivalent_range(std::int64_t value) const noexcept {
  const std::int32_t bucket = bucket_index(value);
  const std::int64_t sub = value >> (bucket + unit_magnitude_);
  const std::int32_t adjusted = sub >= sub_bucket_count_ ? bucket + 1 : bucket;
  return std::int64_t{1} << (unit_magnitude_ + adjusted);
}

std::int64_t histogram::lowest_equivalent(std::int64_t value) const noexcept {
  const std::int32_t bucket = bucket_index(value);
  const std::int64_t sub = value >> (bucket + unit_magnitude_);
  return sub << (bucket + unit_magnitude_);
}

std::int64_t histogram::highest_equivalent(std::int64_t value) const noexcept {
  // lowest + (size - 1): the top bucket of a histogram tracking up to INT64_MAX ends exactly at
  // INT64_MAX, so adding the size first would overflow.
  return lowest_equivalent(value) + (size_of_equivalent_range(value) - 1);
}

std::int64_t histogram::median_equivalent(std::int64_t value) const noexcept {
  return lowest_equivalent(value) + (size_of_equivalent_range(value) >> 1);
}

std::int64_t histogram::highest_trackable() const noexcept {
  return highest_equivalent(value_at_index(counts_.size() - 1));
}

bool histogram::record_corrected(std::int64_t value, std::int64_t expected_interval,
                                 std::int64_t count) noexcept {
  if (!record(value, count)) {
    return false;
  }
  if (expected_interval <= 0) {
    return true;
  }
  // The missing values value - k*interval (k >= 1) that are >= interval form an arithmetic
  // progression from `first` up to value - interval. Rather than recording them one by one (a
  // stall of an hour at a 1 us interval would be 3.6e9 calls), add each bucket's share at once:
  // the counts are exactly those of HdrHistogram's loop, at O(buckets) cost.
  std::int64_t remaining = value / expected_interval - 1;
  if (remaining <= 0) {
    return true;
  }
  std::int64_t missing = expected_interval + value % expected_interval;
  if (missing < min_value_) {
    min_value_ = missing;
  }
  while (remaining > 0) {
    const std::size_t i = index_of(missing);
    const std::int64_t top = highest_equivalent(missing);
    const std::int64_t n = std::min(remaining, (top - missing) / expected_interval + 1);
    counts_[i] += n * count;
    total_count_ += n * count;
    remaining -= n;
    if (remaining > 0) {
      missing += n * expected_interval;
    }
  }
  return true;
}

bool histogram::set_count_at_index(std::size_t index, std::int64_t count) noexcept {
  if (index >= counts_.size() || count < 0) {
    return false;
  }
  total_count_ += count - counts_[index];
  counts_[index] = count;
  if (count > 0) {
    const std::int64_t v = value_at_index(index);
    if (index != 0 && v < min_value_) {
      min_value_ = v;
    }
    const std::int64_t top = highest_equivalent(v);
    if (top > max_value_) {
      max_value_ = top;
    }
  }
  return true;
}

std::int64_t histogram::add(const histogram& other) noexcept {
  out_of_range_ += other.out_of_range_;
  const std::size_t n = other.used_len();
  if (unit_magnitude_ == other.unit_magnitude_ &&
      sub_bucket_half_count_magnitude_ == other.sub_bucket_half_count_magnitude_) {
    // Same index mapping (only the top differs, or nothing): sum bucket by bucket.
    std::int64_t dropped = 0;
    std::size_t last = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t c = other.counts_[i];
      if (c == 0) {
        continue;
      }
      if (i >= counts_.size()) {
        dropped += c;
        continue;
      }
      counts_[i] += c;
      total_count_ += c;
      last = i;
    }
    out_of_range_ += dropped;
    if (other.total_count_ > dropped) {
      min_value_ = std::min(min_value_, other.min_value_);
      const std::int64_t top = dropped == 0 ? other.max_value_ : value_at_index(last);
      max_value_ = std::max(max_value_, top);
    }
    return dropped;
  }
  // Different resolution: record each of other's buckets at its lowest value (as HdrHistogram).
  std::int64_t dropped = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t c = other.counts_[i];
    if (c != 0 && !record(other.value_at_index(i), c)) {
      dropped += c;
    }
  }
  return dropped;
}

std::size_t histogram::used_len() const noexcept {
  // max_value_ is an upper bound of every recorded value, so start the search at its index.
  std::size_t n = std::min(index_of(max_value_) + 1, counts_.size());
  while (n > 0 && counts_[n - 1] == 0) {
    --n;
  }
  return n;
}

std::int64_t histogram::min() const noexcept {
  if (total_count_ == 0) {
    return 0;
  }
  if (counts_[0] > 0 || min_value_ == INT64_MAX) {
    return 0;
  }
  return lowest_equivalent(min_value_);
}

std::int64_t histogram::max() const noexcept {
  return max_value_ == 0 ? 0 : highest_equivalent(max_value_);
}

double histogram::mean() const noexcept {
  if (total_count_ == 0) {
    return 0.0;
  }
  double total = 0;
  const std::size_t n = used_len();
  for (std::size_t i = 0; i < n; ++i) {
    if (counts_[i] != 0) {
      total += static_cast<double>(counts_[i]) *
               static_cast<double>(median_equivalent(value_at_index(i)));
    }
  }
  return total / static_cast<double>(total_count_);
}

double histogram::stddev() const noexcept {
  if (total_count_ == 0) {
    return 0.0;
  }
  const double m = mean();
  double total = 0;
  const std::size_t n = used_len();
  for (std::size_t i = 0; i < n; ++i) {
    if (counts_[i] != 0) {
      const double dev = static_cast<double>(median_equivalent(value_at_index(i))) - m;
      total += dev * dev * static_cast<double>(counts_[i]);
    }
  }
  return std::sqrt(total / static_cast<double>(total_count_));
}

std::int64_t histogram::count_at_percentile(double percentile) const noexcept {
  // As hdr-histogram-js (and, in effect, Java's nextAfter-down form): compute the fractional
  // count, take one ulp off so that floating-point round-off never pushes it past an integer,
  // then round up. At least 1 so that the first recorded value is reached.
  const double requested = std::min(std::max(percentile, 0.0), 100.0);
  const double fractional = requested / 100.0 * static_cast<double>(total_count_);
  const double ulp = fractional > 0 ? std::exp2(std::floor(std::log2(fractional)) - 52) : 0.0;
  return std::max<std::int64_t>(static_cast<std::int64_t>(std::ceil(fractional - ulp)), 1);
}

std::int64_t histogram::value_at_percentile(double percentile) const noexcept {
  if (total_count_ == 0 || std::isnan(percentile)) {
    return 0;
  }
  const std::int64_t target = count_at_percentile(percentile);
  // The answer is the first index whose cumulative count reaches target. For high percentiles
  // it is found sooner from the top: index i is it when cum(i) >= target > cum(i) - counts[i].
  std::size_t found = 0;
  if (target > total_count_ / 2) {
    std::int64_t cumulative = total_count_;
    for (std::size_t i = used_len(); i-- > 0;) {
      if (cumulative - counts_[i] < target) {
        found = i;
        break;
      }
      cumulative -= counts_[i];
    }
  } else {
    std::int64_t running = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      running += counts_[i];
      if (running >= target) {
        found = i;
        break;
      }
    }
  }
  const std::int64_t v = value_at_index(found);
  return percentile <= 0.0 ? lowest_equivalent(v) : highest_equivalent(v);
}

double histogram::percentile_at_or_below(std::int64_t value) const noexcept {
  if (total_count_ == 0) {
    return 100.0;
  }
  if (value < 0) {
    return 0.0;
  }
  const std::size_t target =
      std::min(index_of(std::min(value, highest_trackable())), counts_.size() - 1);
  std::int64_t running = 0;
  for (std::size_t i = 0; i <= target; ++i) {
    running += counts_[i];
  }
  return 100.0 * static_cast<double>(running) / static_cast<double>(total_count_);
}

}  // namespace gb::metrics
