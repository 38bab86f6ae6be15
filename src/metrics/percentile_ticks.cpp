#include "metrics/percentile_ticks.hpp"

#include <algorithm>
#include <cmath>

namespace gb::metrics {

namespace {

// The next tick after `level`: the tick size is fixed within each half distance to 100%.
double next_level(double level, int ticks_per_half_distance) {
  const double ticks =
      ticks_per_half_distance * std::exp2(std::floor(std::log2(100.0 / (100.0 - level))) + 1);
  return level + 100.0 / ticks;
}

}  // namespace

std::vector<percentile_tick> percentile_ticks(const histogram& h, int ticks_per_half_distance) {
  std::vector<percentile_tick> out;
  const std::int64_t total = h.total_count();
  if (total == 0) {
    return out;
  }
  const int per_half = std::max(ticks_per_half_distance, 1);
  const std::size_t n = h.used_len();
  const double total_d = static_cast<double>(total);
  double level = 0;
  std::int64_t running = 0;
  std::size_t index = 0;
  bool fresh = true;
  bool last_step_done = false;
  while (true) {
    if (running >= total) {
      // One extra row at exactly 100% (as HdrHistogram), then stop.
      if (last_step_done) {
        break;
      }
      level = 100.0;
      last_step_done = true;
    }
    bool emitted = false;
    while (index < n) {
      const std::int64_t c = h.count_at_index(index);
      if (fresh) {
        running += c;
        fresh = false;
      }
      const double current = 100.0 * static_cast<double>(running) / total_d;
      if (c != 0 && current >= level) {
        out.push_back({h.highest_equivalent(h.value_at_index(index)), level, current, running});
        level = next_level(level, per_half);
        emitted = true;
        break;
      }
      ++index;
      fresh = true;
    }
    if (!emitted) {
      break;  // only reachable when the counts do not add up to total_count()
    }
  }
  return out;
}

}  // namespace gb::metrics
