#pragma once
// Main-thread accumulation of finished intervals into the cumulative series the live endpoint
// serves. The driver's interval collector hands over each finished interval's merged
// accumulator per target and phase; once per interval the caller renders and publishes:
//
//   gb::exporter::live_accumulator live;
//   // for every (target, phase) part of a finished interval:
//   live.add(target_name, phase_name, accum);
//   live.set_in_flight(target_name, phase_name, n);          // optional, else from the accum
//   server->publish(gb::exporter::render_prometheus(live.view(labels, resources...)));
//
// Not thread-safe (main thread only); workers never see it.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "export/prometheus_text.hpp"
#include "metrics/outcome.hpp"
#include "metrics/recorder.hpp"

namespace gb::exporter {

/// One interval's activity of one target and phase. Histogram pointers may be null.
struct interval_delta {
  std::int64_t started = 0;
  std::int64_t ok = 0;
  std::int64_t errors = 0;  // used when by_outcome is null
  const std::array<std::int64_t, metrics::outcome_count>* by_outcome = nullptr;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t in_flight = -1;  // at the interval's end; -1: started - finished so far
  const metrics::histogram* ttft = nullptr;
  const metrics::histogram* itl = nullptr;
  const metrics::histogram* e2e = nullptr;
  const metrics::histogram* tpot = nullptr;
};

class live_accumulator {
 public:
  /// Adds one interval of `target`/`phase`.
  void add(std::string_view target, std::string_view phase, const interval_delta& d);

  /// Adds a driver accumulator. Uses its tpot histogram and per-outcome counts when
  /// metrics::interval_accum has them (members `tpot`, `by_outcome`), else the error total.
  template <class Accum>
  void add_accum(std::string_view target, std::string_view phase, const Accum& a) {
    interval_delta d;
    d.started = a.started;
    d.ok = a.ok;
    d.errors = a.errors;
    d.input_tokens = a.input_tokens;
    d.output_tokens = a.output_tokens;
    d.in_flight = a.in_flight;
    d.ttft = &a.ttft;
    d.itl = &a.itl;
    d.e2e = &a.e2e;
    if constexpr (requires { a.tpot.total_count(); }) {
      d.tpot = &a.tpot;
    }
    if constexpr (requires { a.by_outcome[0]; }) {
      d.by_outcome = &a.by_outcome;
    }
    add(target, phase, d);
  }

  /// Sets the in-flight gauge of a series (e.g. from the worker snapshot's total).
  void set_in_flight(std::string_view target, std::string_view phase, std::int64_t n);

  /// A view of the cumulative series (ordered by target, phase) with the given labels; it
  /// points into this accumulator (valid until the next add). Fill in the resource fields.
  live_view view(const run_labels& labels) const;

  bool empty() const noexcept { return series_.empty(); }

 private:
  live_series& at(std::string_view target, std::string_view phase);
  std::map<std::pair<std::string, std::string>, live_series> series_;
};

}  // namespace gb::exporter
