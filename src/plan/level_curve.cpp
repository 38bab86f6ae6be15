#include "plan/level_curve.hpp"

#include <algorithm>
#include <cmath>

namespace gb::plan {

namespace {

double level_of(const scenario::load& load, bool open) noexcept {
  return open ? load.rate : static_cast<double>(load.concurrency);
}

double start_level_of(const scenario::load& load, bool open) noexcept {
  if (load.stages.empty()) {
    return level_of(load, open);
  }
  return load.stage_start > 0 ? load.stage_start : load.stages.front().target;
}

}  // namespace

double level_segment::area() const noexcept {
  if (end_ns == no_end) {
    return (from > 0 || to > 0) ? std::numeric_limits<double>::infinity() : 0.0;
  }
  const double seconds = static_cast<double>(end_ns - start_ns) / 1e9;
  return 0.5 * (from + to) * seconds;
}

double start_level(const scenario::load& load) noexcept {
  return start_level_of(load, load.mode == scenario::load::model::open);
}

namespace {

// Calls f(segment) for each segment in time order until f returns true. Allocates nothing, so
// that per-tick callers (slots_at) stay cheap.
template <class F>
void for_each_segment(const scenario::load& load, bool open, F&& f) {
  std::int64_t t = 0;
  const double first = start_level_of(load, open);
  if (load.warmup_ns > 0) {
    if (f(level_segment{phase::warmup, t, t + load.warmup_ns, first, first})) {
      return;
    }
    t += load.warmup_ns;
  }
  double last = first;
  if (load.stages.empty()) {
    const bool count_only = load.duration_ns <= 0;
    const std::int64_t end = count_only ? no_end : t + load.duration_ns;
    if (f(level_segment{phase::main, t, end, first, first}) || count_only) {
      return;
    }
    t = end;
  } else {
    double from = load.stage_start;
    for (const auto& st : load.stages) {
      if (st.duration_ns > 0) {
        if (f(level_segment{phase::main, t, t + st.duration_ns, from, st.target})) {
          return;
        }
        t += st.duration_ns;
      }
      from = st.target;
    }
    last = from;
  }
  if (load.cooldown_ns > 0) {
    f(level_segment{phase::cooldown, t, t + load.cooldown_ns, last, last});
  }
}

double level_in(const level_segment& seg, std::int64_t t_ns) noexcept {
  if (seg.end_ns == no_end || seg.from == seg.to) {
    return seg.from;
  }
  const double f =
      static_cast<double>(t_ns - seg.start_ns) / static_cast<double>(seg.end_ns - seg.start_ns);
  return seg.from + (seg.to - seg.from) * f;
}

}  // namespace

std::vector<level_segment> make_level_curve(const scenario::load& load) {
  std::vector<level_segment> curve;
  for_each_segment(load, load.mode == scenario::load::model::open, [&](const level_segment& seg) {
    curve.push_back(seg);
    return false;
  });
  return curve;
}

double concurrency_at(const scenario::load& load, std::int64_t t_ns) noexcept {
  double level = 0;
  for_each_segment(load, false, [&](const level_segment& seg) {
    if (t_ns >= seg.start_ns && t_ns < seg.end_ns) {
      level = level_in(seg, t_ns);
      return true;
    }
    return false;
  });
  return level;
}

double peak_concurrency(const scenario::load& load) noexcept {
  double peak = 0;
  for_each_segment(load, false, [&](const level_segment& seg) {
    peak = std::max({peak, seg.from, seg.to});
    return false;
  });
  return peak;
}

double level_at(const std::vector<level_segment>& curve, std::int64_t t_ns) noexcept {
  for (const auto& seg : curve) {
    if (t_ns >= seg.start_ns && t_ns < seg.end_ns) {
      return level_in(seg, t_ns);
    }
  }
  return 0;
}

double peak_level(const std::vector<level_segment>& curve) noexcept {
  double peak = 0;
  for (const auto& seg : curve) {
    peak = std::max({peak, seg.from, seg.to});
  }
  return peak;
}

double time_for_area(const level_segment& seg, double area) noexcept {
  // level(τ) = from + slope·τ, integral A(τ) = from·τ + slope/2·τ². Solve A(τ) = area with the
  // cancellation-free form τ = 2·area / (from + sqrt(from² + 2·slope·area)).
  if (area <= 0) {
    return 0;
  }
  const double b = seg.from;
  if (seg.end_ns == no_end || seg.from == seg.to) {
    return area / b;
  }
  const double seconds = static_cast<double>(seg.end_ns - seg.start_ns) / 1e9;
  const double slope = (seg.to - seg.from) / seconds;
  const double disc = std::max(0.0, b * b + 2.0 * slope * area);
  const double denom = b + std::sqrt(disc);
  if (denom <= 0) {
    return seconds;
  }
  return std::min(seconds, 2.0 * area / denom);
}

std::int64_t share_of(std::int64_t total, int index, int count) noexcept {
  if (count <= 0 || index < 0 || index >= count || total <= 0) {
    return 0;
  }
  const std::int64_t n = count;
  return total / n + (index < total % n ? 1 : 0);
}

}  // namespace gb::plan
