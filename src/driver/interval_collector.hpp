#pragma once
// Main-thread side of the time series: merges the workers' per-interval snapshots, turns each
// complete interval into metrics::interval_point (percentiles and, encoded, the histograms) and
// frees it, so a long run keeps only the finished points. Also keeps the cumulative figures the
// progress line shows.

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "client/connection.hpp"
#include "driver/driver.hpp"
#include "driver/worker.hpp"
#include "metrics/run_stats.hpp"

namespace gb::driver {

class interval_collector {
 public:
  interval_collector(int workers, std::int64_t interval_ns);

  void set_start(std::int64_t start_ns) noexcept { start_ns_ = start_ns; }
  /// Names points as they finalize and calls `on_interval` (may be empty) for each part.
  /// `targets` and `on_interval` must outlive the collector's use.
  void set_observer(const std::vector<std::shared_ptr<const client::target_endpoint>>& targets,
                    const decltype(run_options::on_interval)& on_interval) {
    targets_ = &targets;
    on_interval_ = &on_interval;
  }
  /// Takes one worker's snapshot (main thread only).
  void add(interval_snapshot&& s);
  /// Cumulative figures so far (elapsed and planned are left for the caller).
  progress_snapshot progress() const;
  /// Finalizes every remaining interval and returns the whole series, ordered by start, target,
  /// phase.
  std::vector<metrics::interval_point> finish(
      const std::vector<std::shared_ptr<const client::target_endpoint>>& targets);

 private:
  struct pending {
    std::map<std::pair<std::size_t, int>, metrics::interval_accum> parts;
    std::int64_t in_flight = 0;
    std::int64_t queued = 0;
  };
  void finalize_ready();
  void finalize(std::int64_t index, pending& p);

  int workers_;
  std::int64_t interval_ns_;
  std::int64_t start_ns_ = 0;
  std::vector<std::int64_t> posted_;  // per worker: intervals posted so far
  std::vector<bool> done_;
  std::vector<std::int64_t> dropped_;  // per worker, cumulative
  std::map<std::int64_t, pending> pending_;
  std::vector<std::tuple<std::int64_t, std::size_t, int, metrics::interval_point>> points_;
  // cumulative
  std::int64_t started_ = 0, ok_ = 0, errors_ = 0;
  std::int64_t last_in_flight_ = 0, last_queued_ = 0, last_finished_ = 0;
  std::int64_t last_index_ = -1;
  int last_phase_ = 1;
  metrics::histogram ttft_ = metrics::histogram::for_latency();
  const std::vector<std::shared_ptr<const client::target_endpoint>>* targets_ = nullptr;
  const decltype(run_options::on_interval)* on_interval_ = nullptr;
};

}  // namespace gb::driver
