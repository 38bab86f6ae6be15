#pragma once
// Percentile ticks: the rows of HdrHistogram's percentile distribution (its PercentileIterator).
//
// The range 0..100% is walked in exponentially shrinking steps: `ticks_per_half_distance` equal
// steps cover 0..50%, as many cover 50..75%, then 75..87.5%, and so on; each step reports the
// first recorded bucket whose cumulative percentile reaches the tick, and a last row is always
// at 100%. Same levels, values and counts as the Java and JavaScript implementations.

#include <cstdint>
#include <vector>

#include "metrics/histogram.hpp"

namespace gb::metrics {

struct percentile_tick {
  /// Highest equivalent value of the bucket reached (recorded unit).
  std::int64_t value = 0;
  /// The tick level iterated to, 0..100 (what .hgrm prints in its Percentile column, /100).
  double level = 0;
  /// The actual cumulative percentile at `value`, 0..100.
  double percentile = 0;
  /// Number of recorded values <= value.
  std::int64_t count_to_value = 0;
};

/// The percentile ticks of `h`, in increasing order; empty when h is empty.
/// `ticks_per_half_distance` below 1 is treated as 1. Never throws except std::bad_alloc.
std::vector<percentile_tick> percentile_ticks(const histogram& h, int ticks_per_half_distance);

}  // namespace gb::metrics
