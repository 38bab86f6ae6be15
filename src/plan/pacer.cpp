#include "plan/pacer.hpp"

#include <algorithm>
#include <cmath>

#include "plan/level_curve.hpp"
#include "plan/rng.hpp"

namespace gb::plan {

namespace {

// Arrivals are placed in "operational time": the integral of the rate curve, measured in
// expected arrivals since the phase start. A unit-rate process there, mapped back through the
// inverse of the integral, is the wanted process in real time (the time-rescaling theorem), so
// linear rate ramps are exact rather than approximated by steps. The merged process has unit
// rate; worker `index` of `count` takes every count-th arrival (constant: the arrivals at
// operational times index, index + count, ...; random: its own process with gaps of mean count).
class curve_schedule final : public arrival_schedule {
 public:
  curve_schedule(const scenario::load& load, std::uint64_t seed, int index, int count)
      : process_(load.process),
        shape_(load.burstiness > 0 ? load.burstiness : 1.0),
        index_(index),
        count_(count),
        quota_(request_quota(load, index, count)),
        rng_(seed, 0x6172726976616cULL + static_cast<std::uint64_t>(index)) {
    scenario::load open = load;
    open.mode = scenario::load::model::open;
    curve_ = make_level_curve(open);
  }

  std::int64_t next() noexcept override {
    while (seg_ < curve_.size()) {
      const level_segment& seg = curve_[seg_];
      if (seg.which == phase::main && quota_ >= 0 && emitted_ >= quota_) {
        skip_phase();
        continue;
      }
      if (!has_pending_) {
        pending_ = draw_position();
        has_pending_ = true;
      }
      const double area = seg.area();
      if (pending_ >= base_ + area) {
        advance_segment();
        continue;
      }
      has_pending_ = false;
      ++emitted_;
      const double offset_s = time_for_area(seg, pending_ - base_);
      const double offset_ns = std::round(offset_s * 1e9);
      std::int64_t t = seg.start_ns + static_cast<std::int64_t>(offset_ns);
      if (seg.end_ns != no_end && t >= seg.end_ns) {
        t = seg.end_ns - 1;
      }
      position_ = pending_;
      return t;
    }
    return no_end;
  }

 private:
  double draw_position() noexcept {
    const double n = static_cast<double>(count_);
    switch (process_) {
      case scenario::load::arrival::constant:
        return static_cast<double>(emitted_) * n + static_cast<double>(index_);
      case scenario::load::arrival::poisson:
        return position_ + n * rng_.exponential();
      case scenario::load::arrival::gamma:
        return position_ + n * rng_.gamma(shape_) / shape_;
    }
    return position_ + n;
  }

  void advance_segment() noexcept {
    const phase current = curve_[seg_].which;
    base_ += curve_[seg_].area();
    ++seg_;
    if (seg_ < curve_.size() && curve_[seg_].which != current) {
      reset_phase();
    }
  }

  void skip_phase() noexcept {
    const phase current = curve_[seg_].which;
    while (seg_ < curve_.size() && curve_[seg_].which == current) {
      ++seg_;
    }
    reset_phase();
  }

  void reset_phase() noexcept {
    base_ = 0;
    position_ = 0;
    emitted_ = 0;
    has_pending_ = false;
  }

  std::vector<level_segment> curve_;
  scenario::load::arrival process_;
  double shape_;
  int index_;
  int count_;
  std::int64_t quota_;
  rng rng_;
  std::size_t seg_ = 0;
  double base_ = 0;      // operational time at the current segment's start (within the phase)
  double position_ = 0;  // operational time of the last arrival (within the phase)
  double pending_ = 0;   // the next arrival's operational time, once drawn
  bool has_pending_ = false;
  std::int64_t emitted_ = 0;  // arrivals of this worker in the current phase
};

std::int64_t level_share(double level, int index, int count) noexcept {
  // A small epsilon so that 0.1 + 0.2 style rounding on a ramp's end does not lose a slot.
  const auto total = static_cast<std::int64_t>(std::floor(level + 1e-9));
  return share_of(total, index, count);
}

}  // namespace

std::unique_ptr<arrival_schedule> make_arrival_schedule(const scenario::load& load,
                                                        std::uint64_t seed, int index, int count) {
  if (count <= 0) {
    count = 1;
  }
  index = std::clamp(index, 0, count - 1);
  return std::make_unique<curve_schedule>(load, seed, index, count);
}

std::int64_t slots_at(const scenario::load& load, std::int64_t t_ns, int index,
                      int count) noexcept {
  return level_share(concurrency_at(load, t_ns), index, count);
}

std::int64_t max_slots(const scenario::load& load, int index, int count) noexcept {
  return level_share(std::ceil(peak_concurrency(load)), index, count);
}

std::int64_t request_quota(const scenario::load& load, int index, int count) noexcept {
  if (load.requests <= 0) {
    return -1;
  }
  return share_of(load.requests, index, count);
}

std::int64_t in_flight_cap(const scenario::load& load, int index, int count) noexcept {
  std::int64_t total = load.max_in_flight;
  if (total <= 0) {
    double peak = load.rate;
    for (const auto& st : load.stages) {
      peak = std::max(peak, st.target);
    }
    peak = std::max(peak, load.stage_start);
    const double ten_seconds = std::min(1e7, std::ceil(peak * 10.0));
    total = std::max(
        {std::int64_t{1024}, 4 * load.concurrency, static_cast<std::int64_t>(ten_seconds)});
  }
  return std::max<std::int64_t>(1, share_of(total, index, count));
}

}  // namespace gb::plan
