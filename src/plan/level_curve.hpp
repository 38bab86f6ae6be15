#pragma once
// The load level over a run's timeline: the rate (open loop) or the concurrency (closed loop) as
// a piecewise-linear function of time, one segment per warm-up, stage and cool-down. Used by the
// pacers and by the phase split; internal to src/plan.

#include <cstdint>
#include <limits>
#include <vector>

#include "plan/phases.hpp"
#include "scenario/scenario.hpp"

namespace gb::plan {

inline constexpr std::int64_t no_end = std::numeric_limits<std::int64_t>::max();

/// One linear piece: the level goes from `from` at `start_ns` to `to` at `end_ns`.
struct level_segment {
  phase which = phase::main;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;  // no_end for the open-ended main phase of a count-bounded run
  double from = 0;
  double to = 0;

  /// The integral of the level over the segment (level × seconds); +inf for an open end.
  double area() const noexcept;
};

/// The level the main phase holds (no stages) or starts from (stages): rate or concurrency.
double start_level(const scenario::load& load) noexcept;

/// The segments of `load`'s level in time order (empty phases skipped).
std::vector<level_segment> make_level_curve(const scenario::load& load);

/// The level at `t_ns` (linear within a segment); 0 before the start and after the end.
double level_at(const std::vector<level_segment>& curve, std::int64_t t_ns) noexcept;

/// The highest level anywhere on the curve.
double peak_level(const std::vector<level_segment>& curve) noexcept;

/// The closed-loop concurrency curve's level at `t_ns` and its peak, straight from the load
/// without building the curve (no allocation, for per-tick callers).
double concurrency_at(const scenario::load& load, std::int64_t t_ns) noexcept;
double peak_concurrency(const scenario::load& load) noexcept;

/// The time offset in seconds into `seg` at which the level's integral reaches `area`
/// (0 <= area <= seg.area()): the inverse of the integral, solved exactly for linear pieces.
double time_for_area(const level_segment& seg, double area) noexcept;

/// Worker `index`'s share of `total` items split over `count` workers: the shares add up to
/// `total` exactly and differ by at most one (lower indices get the remainder).
std::int64_t share_of(std::int64_t total, int index, int count) noexcept;

}  // namespace gb::plan
