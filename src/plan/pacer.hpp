#pragma once
// Load models: when requests should be sent. Open loop: an absolute arrival schedule per worker
// (no drift: times are computed from the start, never "sleep after send"). Closed loop: the
// number of slots wanted at a moment (stages ramp linearly, as k6's).

#include <cstdint>
#include <memory>

#include "scenario/scenario.hpp"

namespace gb::plan {

/// One worker's open-loop arrivals, in increasing order.
class arrival_schedule {
 public:
  virtual ~arrival_schedule() = default;
  /// The next arrival's intended send time in ns from the run start; INT64_MAX when there are no
  /// more (the load's duration/stages/request count is exhausted for this worker).
  virtual std::int64_t next() noexcept = 0;
};

/// The arrival schedule of worker `index` of `count` for `load` (open loop, rate or rate
/// stages, warm-up and cool-down included at the main rate). The total rate is split evenly:
/// constant arrivals are staggered so that the merged schedule is evenly spaced; Poisson and
/// gamma workers draw independent streams seeded from (seed, index). Deterministic for a seed.
std::unique_ptr<arrival_schedule> make_arrival_schedule(const scenario::load& load,
                                                        std::uint64_t seed, int index, int count);

/// Closed-loop slots wanted by worker `index` of `count` at time `t_ns` from the run start:
/// its share of the concurrency (or of the stage ramp, interpolated linearly); 0 after the end.
std::int64_t slots_at(const scenario::load& load, std::int64_t t_ns, int index, int count) noexcept;

/// The largest value slots_at can return for this worker (to size pools).
std::int64_t max_slots(const scenario::load& load, int index, int count) noexcept;

/// Worker `index`'s share of the main phase's request count (load.requests split exactly: the
/// shares add up to the total); -1 when the main phase is not bounded by a count.
std::int64_t request_quota(const scenario::load& load, int index, int count) noexcept;

/// Open loop: worker `index`'s cap on requests in flight. load.max_in_flight when set (split
/// across workers), else max(1024, 4 × concurrency, 10 s of the peak rate) split; at least 1.
std::int64_t in_flight_cap(const scenario::load& load, int index, int count) noexcept;

}  // namespace gb::plan
