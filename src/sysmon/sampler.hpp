#pragma once
// Samples the harness and (optionally) a target's process tree on the run's timeline, on its
// own thread (default every 250 ms). The engine's workers never touch it; the main thread
// calls set_phase() at phase changes, note_schedule_lag() once per interval, latest() for the
// live view, and report() at the end.
//
//   gb::sysmon::sampler s({.target_pid = pid, .harness_threads = threads});
//   if (auto st = s.start(); !st) { ... st.message() ... }   // first reading: phase "idle"
//   s.set_phase("warmup"); ... s.set_phase("main"); ... s.set_phase("cooldown");
//   s.stop();                                                // last reading: phase "after"
//   gb::sysmon::resource_report r = s.report(requests_finished_during_load);

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sysmon/probe.hpp"
#include "sysmon/summary.hpp"
#include "util/result.hpp"

namespace gb::sysmon {

struct sampler_options {
  std::int64_t interval_ns = 250'000'000;  // between readings; at least 10 ms
  int target_pid = 0;                      // root of the target's process tree; 0: none
  bool sample_harness = true;
  int harness_threads = 0;  // threads the harness runs (capacity for client-bound); 0: all cores
  client_bound_rule client_bound;
};

/// Everything sysmon hands to the report.
struct resource_report {
  std::int64_t interval_ns = 0;
  int harness_pid = 0;
  int target_pid = 0;  // 0: no target was sampled
  std::vector<sample> harness_samples;
  std::vector<sample> target_samples;
  resource_summary harness;
  resource_summary target;  // samples == 0 when no target
  client_bound_verdict client_bound;
};

/// The most recent readings, for the live view.
struct latest_readings {
  std::optional<sample> harness;
  std::optional<sample> target;
  bool client_bound = false;
};

class sampler {
 public:
  explicit sampler(sampler_options options);
  ~sampler();  // stops the thread if still running
  sampler(const sampler&) = delete;
  sampler& operator=(const sampler&) = delete;

  /// Takes the first readings at once (phase "idle") and starts the sampling thread. Fails
  /// when the target pid does not exist or the interval is below 10 ms. Call once.
  status start();
  /// Sets the phase that the following readings are tagged with. Thread-safe, cheap.
  void set_phase(std::string_view phase);
  /// Feeds one interval's schedule-lag p99 (ns) for the client-bound verdict. Thread-safe.
  void note_schedule_lag(std::int64_t lag_p99_ns);
  /// Takes one reading now, outside the schedule (e.g. right after the cold target is up).
  void sample_now();
  /// Stops the thread after one last reading tagged "after". Idempotent.
  void stop();
  /// The newest readings (thread-safe).
  latest_readings latest() const;
  /// The series and summaries so far (normally after stop()). `requests` = requests finished
  /// during load, for CPU-seconds per 1,000 requests.
  resource_report report(std::int64_t requests) const;
  /// Cores the harness may use (harness_threads capped by the machine's cores).
  double harness_capacity_cores() const noexcept;

 private:
  void run();
  void read_all(std::int64_t now);

  sampler_options options_;
  std::optional<probe> harness_;
  std::optional<probe> target_;
  std::mutex probe_mutex_;    // one reading at a time (the probes keep CPU state)
  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::string phase_ = "idle";
  bool stopping_ = false;
  bool started_ = false;
  std::vector<sample> harness_samples_;
  std::vector<sample> target_samples_;
  std::vector<std::int64_t> lag_p99_ns_;
  std::atomic<bool> client_bound_{false};
  std::thread thread_;
};

}  // namespace gb::sysmon
