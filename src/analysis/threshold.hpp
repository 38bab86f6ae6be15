#pragma once
// Thresholds in k6's grammar with gatebench's metric names (shared/design/conventions.md):
//
//   METRIC[{target=NAME}]:STAT OP VALUE
//
//   METRIC  latency (ns): ttft itl tpot e2e ttfb ttft_service e2e_service ttfb_service
//           schedule_lag time_to_error; per-request tokens: output_tokens input_tokens;
//           errors requests goodput dropped throughput concurrency
//           output_tokens_per_s input_tokens_per_s
//   STAT    min max avg med p(N) rate count value rps
//   OP      < <= > >= ==
//   VALUE   a duration for latency metrics (500ms, 1.5s, 40us; a bare number means ms, as in
//           k6), a percentage or fraction for rates (0.5%, 0.005), a plain number otherwise.
//
// Examples: ttft:p(95)<500ms  e2e:p(99)<5s  itl:p(50)<40ms  errors:rate<0.5%  goodput:rate>99%
//           throughput:rps>200  output_tokens_per_s:value>5000  ttft{target=gateway}:p(99)<1s
//
// Evaluated per target on the headline phase ("main") of the merged result.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/run_stats.hpp"
#include "util/result.hpp"

namespace gb::analysis {

enum class stat_kind : std::uint8_t { min, max, avg, med, percentile, rate, count, value, rps };
enum class compare_op : std::uint8_t { lt, le, gt, ge, eq };

struct threshold {
  std::string text;    // as written
  std::string metric;  // e.g. "ttft"
  std::string target;  // empty: every target
  stat_kind stat = stat_kind::value;
  double percentile = 0;  // for stat_kind::percentile (0..100)
  compare_op op = compare_op::lt;
  double value = 0;  // ns for latency metrics, a fraction (0..1) for rates
  bool abort_on_fail = false;
  std::string source;  // "file:line" or "--threshold"
};

/// The grammar, for error messages and --help.
std::string_view threshold_grammar();

/// Parses one threshold. Errors quote the text, say what is wrong, and show the grammar.
gb::result<threshold> parse_threshold(std::string_view text);

/// The measured value of `t`'s metric/stat on one phase's stats (ns for latency stats,
/// fraction for rates). Error when the metric has no samples (e.g. no successful request).
gb::result<double> measure(const threshold& t, const metrics::stats& s);

struct threshold_result {
  threshold th;
  std::string target;
  bool passed = false;
  double measured = 0;
  std::string measured_text;  // e.g. "412ms", "0.31%", "no samples"
};

/// Evaluates every threshold on every target it applies to (headline phase of each). A threshold
/// naming a target that does not exist, or a metric without samples, fails.
std::vector<threshold_result> evaluate_thresholds(const std::vector<threshold>& ts,
                                                  const metrics::run_stats& stats);

/// True when every result passed.
bool all_passed(const std::vector<threshold_result>& rs);

/// One line per result: "✓ ttft:p(95)<500ms  [default] 412ms" (✗ on failure), coloured only when
/// asked.
std::string format_threshold_results(const std::vector<threshold_result>& rs, bool color);

/// For abort_on_fail. `so_far` is the cumulative main-phase stats of one target merged at an
/// interval; `planned_requests` the main phase's request count when the run is bounded by count
/// (0 when bounded by time). Returns false only when no future request can make `t` pass:
///  - count stats (errors/requests/dropped/goodput count, histogram count) only grow, so a
///    failing `<`, `<=` or `==` bound is final; max only grows and min only shrinks;
///  - with planned_requests known: a p(N)<X / p(N)<=X bound is lost once more than
///    (100-N)% of the planned requests already exceed X; errors:rate<X once failures alone
///    exceed X of the plan; goodput:rate>X once even all remaining requests meeting the SLOs
///    would not reach X.
/// Everything else can still pass (a later fast majority may dilute a slow start).
/// The engine calls this for thresholds with abort_on_fail after each interval merge and stops
/// the run (exit 99) when it returns false.
bool can_still_pass(const threshold& t, const metrics::stats& so_far,
                    std::int64_t planned_requests);

}  // namespace gb::analysis
