#pragma once
// Everything observability needs during `gatebench run`, behind five calls, so the run
// command wires it in a few lines: the --target-cmd process, the sysmon sampler (harness and
// target tree), the live /metrics endpoint, and the report's resources block at the end.
//
//   auto obs = gb::exporter::run_observer::start(opts);      // before the load; fails: exit 104/1
//   // driver::run_options: on_interval for each (target, phase) part of a finished interval,
//   // on_progress once per interval:
//   opt.on_interval = [&](auto& target, auto& phase, auto& accum) { obs->add_interval(...); };
//   opt.on_progress = [&](const driver::progress_snapshot& p) { obs->interval_end(p.phase); ... };
//   auto result = driver::run(*setup, opt);
//   info.resources = obs->finish(result.start_steady_ns, requests_in_load);
//   info.client_bound = info.client_bound || obs->client_bound();
//
// All calls from the main thread; the sampler and the HTTP server have their own threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "export/live_accumulator.hpp"
#include "export/metrics_server.hpp"
#include "export/prometheus_text.hpp"
#include "report/report.hpp"
#include "sysmon/sampler.hpp"
#include "sysmon/target_process.hpp"
#include "util/result.hpp"

namespace gb::exporter {

struct observer_options {
  std::string metrics_addr;     // --metrics-addr HOST:PORT; empty: no live endpoint
  int target_pid = 0;           // --target-pid; 0: none
  std::string target_cmd;       // --target-cmd; empty: none (exclusive with target_pid)
  std::string target_url;       // the target's URL: --target-cmd is ready once it accepts TCP
  std::string resource_target;  // target name the sampled tree belongs to (labels)
  run_labels labels;            // testid and scenario
  std::int64_t sample_interval_ns = 250'000'000;
  int harness_threads = 0;  // worker threads (client-bound capacity); 0: all cores
  bool sample_harness = true;
};

class run_observer {
 public:
  /// Starts --target-cmd (and waits until it is up and settled: that reading is the cold idle
  /// RSS), the sampler, and the endpoint. Errors name the flag: a bad --metrics-addr or one
  /// that cannot be bound, a --target-pid that does not exist, a --target-cmd that exits or is
  /// not up in time, both --target-pid and --target-cmd given.
  static result<std::unique_ptr<run_observer>> start(const observer_options& o);

  ~run_observer();  // stops everything (tears a --target-cmd process down)

  /// Adds one finished interval of one target and phase (driver accumulator).
  template <class Accum>
  void add_interval(std::string_view target, std::string_view phase, const Accum& a) {
    live_.add_accum(target, phase, a);
  }
  /// Once per interval: tags the following resource samples with `phase` and publishes the
  /// live exposition (when there is an endpoint).
  void interval_end(std::string_view phase);
  /// Feeds the interval's schedule-lag p99 (ns) to the client-bound verdict.
  void note_schedule_lag(std::int64_t lag_p99_ns) { sampler_.note_schedule_lag(lag_p99_ns); }
  /// Whether the harness was client-bound so far.
  bool client_bound() const { return sampler_.latest().client_bound; }
  /// The live endpoint's port (0: none), e.g. for the banner.
  std::uint16_t metrics_port() const noexcept { return server_ ? server_->port() : 0; }

  /// Stops sampling (last reading "after"), publishes a final exposition, tears --target-cmd
  /// down, and returns the report's resources block. `requests` = requests finished during
  /// load (for CPU-seconds per 1,000 requests). Call once.
  report::resources finish(std::int64_t run_start_steady_ns, std::int64_t requests);
  /// The sampler's full report (after finish()).
  const sysmon::resource_report& resource_report() const noexcept { return final_; }

 private:
  explicit run_observer(const observer_options& o);
  void publish();

  observer_options options_;
  std::optional<sysmon::target_process> process_;
  sysmon::sampler sampler_;
  std::unique_ptr<metrics_server> server_;
  live_accumulator live_;
  std::string phase_ = "idle";
  bool finished_ = false;
  sysmon::resource_report final_;
};

}  // namespace gb::exporter
