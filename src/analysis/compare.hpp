#pragma once
// Comparing two stored reports (a baseline and a new run): per target and metric, percentiles
// side by side, relative change, and whether the change is beyond noise. A change is a
// regression only when BOTH hold:
//   1. the relative change of the percentile exceeds the noise threshold (default 5%), and
//   2. a bootstrap confidence interval (default 95%) of new − base lies entirely above 0. The
//      resampling uses each report's per-interval histograms as blocks when it has at least
//      min_blocks of them for the metric (ttft, e2e, itl: bursts of slowness stay together),
//      otherwise its whole histogram request by request (see bootstrap.hpp).
// A percentile is only gated when it is in opts.gate and both runs have at least
// min_tail_samples values beyond it (p99 of 300 requests rests on 3 values: shown, not gated).
// Improvements are the mirror image. Runs whose load differs are refused unless forced.

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/threshold.hpp"
#include "report/report.hpp"
#include "util/result.hpp"

namespace gb::analysis {

struct compare_options {
  double noise = 0.05;  // relative change below this is noise
  bool force = false;   // compare even when the loads differ
  int resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 42;  // bootstrap RNG seed (results are reproducible)
  std::vector<std::string> metrics{"ttft", "itl", "tpot", "e2e"};
  std::vector<double> percentiles{50, 90, 95, 99};  // shown
  /// Percentiles that can fail the comparison. p99 is shown but not gated by default: over a
  /// CI-length run it rests on a few dozen values and moves with every hiccup of the machine.
  std::vector<double> gate{50, 90, 95};
  /// Error-rate increase (absolute, as a fraction) beyond which errors count as a regression.
  double error_rate_tolerance = 0.005;
  std::size_t min_blocks = 8;          // intervals needed for the block bootstrap
  std::int64_t min_tail_samples = 10;  // values beyond a percentile needed to gate it
};

enum class verdict : std::uint8_t { same, regression, improvement, no_data };
std::string_view to_string(verdict v) noexcept;

struct percentile_change {
  double percentile = 0;
  double base_ns = 0;
  double new_ns = 0;
  double relative = 0;   // (new - base) / base; 0 when base is 0
  double ci_low_ns = 0;  // bootstrap interval of new - base
  double ci_high_ns = 0;
  verdict result = verdict::same;
  bool gated = true;  // false: not in opts.gate, or too few samples beyond it to judge
};

struct metric_change {
  std::string target;
  std::string metric;
  std::int64_t base_count = 0;
  std::int64_t new_count = 0;
  std::string method;  // "intervals" (block bootstrap) or "requests" (per-request resampling)
  std::vector<percentile_change> percentiles;
  verdict result = verdict::same;  // worst of its percentiles
};

struct target_change {
  std::string target;
  double base_rps = 0, new_rps = 0;
  double base_error_rate = 0, new_error_rate = 0;
  bool error_regression = false;
};

struct compare_result {
  std::string base_path, new_path;
  std::vector<std::string> load_differences;  // non-empty only when forced
  std::vector<std::string> notes;             // e.g. targets present in one report only
  std::vector<metric_change> metrics;
  std::vector<target_change> targets;
  bool regression = false;
  double noise = 0;
  double confidence = 0;
};

/// The ways the two runs' loads differ (rate, concurrency, mode, stages, workload, dialect,
/// target kind/role, target set); empty when comparable.
std::vector<std::string> load_differences(const gb::scenario::scenario& base,
                                          const gb::scenario::scenario& next);

/// Compares `next` against `base`. Error (naming what differs) when the loads differ and
/// !opts.force, or when the reports share no target.
gb::result<compare_result> compare_reports(const report::loaded_report& base,
                                           const report::loaded_report& next,
                                           const compare_options& opts);

/// Renderings. Console: a table per target; JSON: a stable object (docs/report.md); Markdown:
/// for CI job summaries; JUnit: one test case per gated metric (target/metric/pN) and per
/// threshold result (pass `thresholds` empty for none).
std::string format_compare_console(const compare_result& r, bool color);
std::string format_compare_json(const compare_result& r);
std::string format_compare_markdown(const compare_result& r);
std::string format_junit(const compare_result* r, const std::vector<threshold_result>& thresholds,
                         const std::string& suite_name);

}  // namespace gb::analysis
