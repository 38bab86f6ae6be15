#pragma once
// Gateway versus direct (shared/design/metrics.md, "Gateway overhead"): runs the same workload
// with the same seed against every arm of a scenario (targets with role direct, gateway and
// optionally proxy), in short rounds interleaved in a seeded random order after a discarded
// warm-up, then turns the per-round histograms into overhead quantiles with bootstrap
// intervals (analysis/overhead.hpp), checks each load point's validity and the streaming
// fidelity of every arm against direct, and evaluates `overhead:` thresholds.
//
// The runner drives the engine (driver::prepare_run / run) once per arm and round; it prints
// nothing itself (progress goes through a callback). cmd_overhead.cpp owns the command line;
// overhead_report.cpp writes the console table and the JSON document ({"kind":"overhead"},
// docs/overhead-schema.json). All times are nanoseconds.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/overhead.hpp"
#include "metrics/run_stats.hpp"
#include "report/report.hpp"
#include "scenario/overrides.hpp"
#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::app::overhead {

/// How the comparison is run. The scenario file's top-level `overhead:` section fills these;
/// command-line flags override them.
struct settings {
  std::int64_t rounds = 8;          // interleaved rounds per arm and load point
  std::int64_t round_requests = 0;  // closed loop: requests per round (0: by time)
  std::int64_t round_duration_ns =
      1'000'000'000;  // per round (open loop; closed when not by count)
  // Uncounted start of each round (new connections are opened then); -1: automatic, i.e.
  // 100 ms, but none for closed-loop rounds bounded by round_requests, whose arms must send
  // exactly the same prompts (a timed warm-up would use up a varying number of them).
  std::int64_t round_warmup_ns = -1;
  std::int64_t warmup_ns = -1;        // per arm and point before the rounds; -1: load.warmup or 1 s
  bool concurrency_one = true;        // measure closed loop at concurrency 1
  bool scenario_load = true;          // measure the scenario's own load (when it is not c=1)
  std::vector<double> rates;          // extra open-loop points (arrivals per second)
  std::int64_t ceiling_bound_ns = 0;  // > 0: report each arm's ceiling over the open points
  std::string ceiling_metric = "e2e";
  double flat_factor = 2.0;  // direct p99 above factor × its floor marks a point invalid
  std::int64_t threads = 0;  // worker threads per run (0: the engine's default)
  analysis::overhead_options stats;
  std::vector<std::string> thresholds;  // "overhead:ttft:p(95)<5ms" (METRIC:STAT OP VALUE)
};

/// A scenario file read for an overhead run: the scenario (parsed by the scenario module after
/// the `overhead:` section was blanked out, so its line numbers stay right) plus the section.
struct loaded_scenario {
  scenario::scenario sc;
  settings set;
};

/// Reads `path`. The `overhead:` section's keys: rounds, round_requests, round_duration,
/// round_warmup, warmup, concurrency_one, scenario_load, rates, ceiling {p99, metric},
/// flat_factor, quantiles, resamples, confidence, thresholds. Errors "PATH:LINE: message".
/// Thresholds in the scenario's own `thresholds:` list that start with "overhead:" are moved
/// into settings.thresholds.
gb::result<loaded_scenario> load_scenario_file(const std::string& path);

/// Moves "overhead:..." thresholds of `sc` into `set` (for scenarios that did not come from
/// load_scenario_file, e.g. `gatebench run`).
void take_overhead_thresholds(scenario::scenario& sc, settings& set);

/// The arms of a scenario: its targets with role direct, gateway and proxy. Error unless there
/// is exactly one direct target and one gateway target (and at most one proxy).
struct arm {
  std::string role;  // "direct", "gateway", "proxy"
  std::size_t target_index = 0;
  std::string name;  // the target's name
};
gb::result<std::vector<arm>> arms_of(const scenario::scenario& sc);

/// Whether `sc` names a direct and a gateway target (then `run` delegates to the overhead run).
bool is_overhead_scenario(const scenario::scenario& sc);

/// Checks the settings (rounds >= 2, positive durations, quantiles in (0, 100), ...) and the
/// thresholds' grammar. Error names the setting.
gb::status check_settings(const settings& set);

struct load_point {
  std::string label;  // "c=1", "c=8", "50/s"
  bool open = false;
  std::int64_t concurrency = 1;
  double rate = 0;
};

/// The load points measured: closed loop at concurrency 1, the scenario's own load, the extra
/// rates, in that order, without duplicates.
std::vector<load_point> load_points(const scenario::scenario& sc, const settings& set);

struct arm_result {
  arm which;
  metrics::stats merged;               // main phase, summed over the rounds
  std::vector<metrics::stats> rounds;  // main phase of each round
  bool client_bound = false;
  std::vector<std::string> warnings;  // the engine's, de-duplicated
  double harness_cpu_s = 0;
};

/// One arm against a reference arm (gateway − direct, proxy − direct, gateway − proxy).
struct comparison {
  std::string arm;
  std::string reference;
  std::vector<analysis::metric_overhead> metrics;
  std::string error;  // why no overhead could be computed (e.g. an arm had no successful request)
  bool fidelity_checked = false;  // streaming workloads only
  analysis::fidelity_result fidelity;
};

struct point_result {
  load_point load;
  std::vector<std::vector<std::string>> order;  // per round, the roles in the order they ran
  std::vector<arm_result> arms;                 // in arms_of order
  std::vector<comparison> comparisons;
  double direct_p99_ns = 0;  // median over rounds of the direct arm's e2e p99
  double floor_p99_ns = 0;   // the direct arm's e2e p99 at the first point (0 for the first)
  analysis::point_validity validity;
};

struct ceiling {
  std::string role;
  std::string target;
  double rate = 0;            // highest open-loop rate that met the bound (0: none did)
  bool beyond_range = false;  // every measured rate met it: the ceiling is at least `rate`
  std::string limited_by;     // what stopped the next rate ("p99 612ms > 500ms", "3 errors")
};

/// An `overhead:` threshold judged at one load point, or an ordinary threshold (e.g.
/// errors:rate<1%) judged on one arm's merged rounds at one load point.
struct threshold_outcome {
  std::string text;
  std::string point;  // the load point it was measured at ("c=1", or "c=1 gateway" for an arm)
  bool passed = false;
  double measured = 0;        // ns for overhead thresholds; the metric's unit otherwise
  std::string measured_text;  // e.g. "+312.0µs", "0.31%", or why it could not be measured
};

struct result {
  scenario::scenario sc;
  settings set;
  std::vector<arm> arms;
  std::vector<point_result> points;
  std::vector<ceiling> ceilings;
  std::vector<threshold_outcome> thresholds;
  bool interrupted = false;
  std::string stop_reason;
  std::int64_t start_wall_ns = 0;
  std::int64_t end_wall_ns = 0;
  report::host_info host;
  bool passed() const;  // every threshold passed
};

/// One line of progress ("c=1 round 3/8: gateway"), or a warning.
using progress_fn = std::function<void(const std::string&)>;

/// Runs every load point. Errors: no usable arms, a target that cannot be prepared or reached
/// (the message names it; `unreachable` tells the caller to exit 1 rather than 104).
struct run_error {
  std::string message;
  bool unreachable = false;
};
gb::result<result> run(const scenario::scenario& sc, const settings& set,
                       const progress_fn& progress, run_error& err);

/// Console table: per point, per comparison, per metric the overhead at each quantile with its
/// interval, the validity and fidelity verdicts, ceilings and thresholds (✓/✗).
std::string format_console(const result& r, bool color);

/// The JSON document {"kind":"overhead", ...} (docs/overhead-schema.json), pretty-printed.
std::string to_json_text(const result& r);

/// Writes to_json_text(r) to `path` (creating directories, atomically).
gb::status write_json(const result& r, const std::string& path);

/// Runs, prints (unless `quiet`) and writes the JSON report to `out_path` (empty:
/// reports/<name>-overhead-<time>.json). Returns the exit code: 0, 99 (an overhead threshold
/// failed), 104 (bad settings), 1 (unreachable target, unwritable report), 105 (interrupted).
int run_and_report(scenario::scenario sc, settings set, const std::string& out_path, bool quiet);

/// The hook for `gatebench run FILE`: when FILE is a scenario with a direct and a gateway
/// target, runs the overhead comparison (the run's overrides apply, -o names the overhead
/// report) and returns its exit code; otherwise std::nullopt (run goes on as usual).
std::optional<int> maybe_run_from_run(const std::string& scenario_file,
                                      const scenario::overrides& ov, bool quiet);

}  // namespace gb::app::overhead
