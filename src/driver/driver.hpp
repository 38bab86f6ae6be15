#pragma once
// The load engine's entry point: prepares a scenario (targets resolved, TLS contexts, prompts),
// checks reachability, runs the workers and returns what they measured, merged. The main thread
// collects per-interval snapshots, reports progress through a callback, handles SIGINT/SIGTERM
// and watches for a client-bound run. No Asio in this header.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "metrics/run_stats.hpp"
#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::metrics {
struct interval_accum;  // metrics/recorder.hpp
}  // namespace gb::metrics

namespace gb::driver {

class schedule_file;  // driver/schedule_log.hpp

/// A scenario made ready to run (opaque).
struct run_setup;

/// Parses and resolves every target, builds TLS contexts and loads the prompts. Errors: a bad
/// URL, an unreadable CA or prompt file (configuration problems), or an unknown host
/// (`unreachable` set to true in that case).
struct prepare_error {
  std::string message;
  bool unreachable = false;
};
std::shared_ptr<run_setup> prepare_run(const scenario::scenario& sc, prepare_error& err);

/// Connects once to every target (plus the TLS handshake) within `timeout_ns`. Returns an error
/// naming the target and what failed.
status check_targets(const run_setup& setup, std::int64_t timeout_ns);

/// The number of worker threads run() will use: `requested` when > 0, else the scenario's
/// load.threads, else the number of cores; closed loop never uses more threads than its peak
/// concurrency.
std::int64_t planned_threads(const run_setup& setup, std::int64_t requested);

/// What the live display shows (cumulative over the run unless said otherwise).
struct progress_snapshot {
  std::int64_t elapsed_ns = 0;
  std::int64_t planned_ns = 0;  // 0 when the run is bounded by a request count
  std::string phase;            // phase of the latest interval
  std::int64_t started = 0;
  std::int64_t ok = 0;
  std::int64_t errors = 0;
  std::int64_t dropped = 0;
  std::int64_t in_flight = 0;
  std::int64_t queued = 0;
  double interval_rps = 0;       // ok + errors per second over the latest interval
  std::int64_t ttft_p50_ns = 0;  // over the run so far (successful requests)
  std::int64_t ttft_p95_ns = 0;
};

struct run_options {
  std::int64_t threads = 0;                      // 0: the scenario's, else the number of cores
  std::int64_t interval_ns = 1'000'000'000;      // time-series interval
  std::int64_t stop_grace_ns = 2'000'000'000;    // after SIGINT/SIGTERM, before cancelling
  std::int64_t drain_grace_ns = 30'000'000'000;  // after a natural end, before cancelling
  bool handle_signals = true;
  std::function<void(const progress_snapshot&)> on_progress;  // main thread, once per interval
  /// Main thread: each (target name, phase name) part of a finished interval, merged over the
  /// workers, before the on_progress that follows it (live metrics).
  std::function<void(const std::string& target, const std::string& phase,
                     const metrics::interval_accum&)>
      on_interval;
  /// Main thread, after each progress tick: a non-empty return stops the run as SIGINT does
  /// (interrupted set, the text becomes stop_reason), e.g. an abort_on_fail threshold.
  std::function<std::string()> stop_check;
  std::shared_ptr<schedule_file> schedule;  // per-request CSV; null: output.schedule (if set)
  /// Each worker's request ids (x-request-id gb-<id>: worker index in the high 16 bits) continue
  /// from this sequence; a sweep passes the previous point's next_request_sequence so that ids
  /// stay unique across its points.
  std::uint64_t first_request_sequence = 1;
};

struct run_result {
  metrics::run_stats stats;
  std::int64_t start_steady_ns = 0;
  std::int64_t end_steady_ns = 0;
  std::int64_t start_wall_ns = 0;
  std::int64_t end_wall_ns = 0;
  bool interrupted = false;
  std::string stop_reason;  // "SIGINT", "SIGTERM" or empty
  bool client_bound = false;
  std::vector<std::string> warnings;
  std::int64_t threads = 0;
  std::int64_t connects = 0;                // TCP connections opened
  double harness_cpu_s = 0;                 // user + system CPU of the process during the run
  std::uint64_t next_request_sequence = 1;  // one past the highest id sequence any worker used
};

/// Runs the load. Blocks until every worker finished (or was stopped by a signal and its
/// in-flight requests cancelled). The ledger invariant started == sum(outcomes) holds for every
/// target and phase of the result.
run_result run(const run_setup& setup, const run_options& opt);

}  // namespace gb::driver
