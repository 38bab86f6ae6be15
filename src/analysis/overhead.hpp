#pragma once
// Gateway-versus-direct overhead statistics (shared/design/metrics.md, "Gateway overhead").
// Pure functions of recorded histograms; the `overhead` subcommand drives them.
//
// Overhead at quantile q is a difference of quantiles, Q_gateway(q) − Q_direct(q), computed per
// round (rounds of the two arms interleaved in time); the point estimate is the median over
// rounds. Its confidence interval is a two-level bootstrap: resample the rounds with
// replacement, and within each drawn round resample each arm's histogram (bootstrap.hpp); the
// interval is the spread of the medians.

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"
#include "metrics/run_stats.hpp"
#include "util/result.hpp"

namespace gb::analysis {

struct overhead_options {
  std::vector<double> quantiles{50, 90, 95, 99};
  int resamples = 1000;
  double confidence = 0.95;
  std::uint64_t seed = 42;
};

struct quantile_overhead {
  double quantile = 0;
  double median_ns = 0;  // median over rounds of (gateway − direct)
  double ci_low_ns = 0;
  double ci_high_ns = 0;
  double direct_ns = 0;   // median over rounds of the direct arm's quantile
  double gateway_ns = 0;  // median over rounds of the gateway arm's quantile
  std::vector<double> per_round_ns;
};

struct metric_overhead {
  std::string metric;
  std::int64_t rounds = 0;
  std::vector<quantile_overhead> quantiles;
};

/// Overhead of one metric from per-round histograms of each arm (round i of one arm paired with
/// round i of the other). Error when there are no rounds, the arms have different round counts,
/// or a round of either arm is empty.
gb::result<metric_overhead> compute_overhead(const std::string& metric,
                                             const std::vector<metrics::histogram>& direct_rounds,
                                             const std::vector<metrics::histogram>& gateway_rounds,
                                             const overhead_options& opts);

/// Per-round stats of each arm → overhead for e2e, ttfb, ttft and itl (metrics with no samples
/// in some round, e.g. itl for non-streaming, are skipped).
gb::result<std::vector<metric_overhead>> compute_overheads(
    const std::vector<metrics::stats>& direct_rounds,
    const std::vector<metrics::stats>& gateway_rounds, const overhead_options& opts);

/// Validity of one measured point (a load level).
struct point_validity {
  bool valid = true;
  std::vector<std::string> reasons;  // why not
};

/// A point is invalid when the direct arm is not flat (its p99 more than `factor` × its own
/// floor: the p99 at the lowest load, i.e. the rig is saturated) or the harness was
/// client-bound. floor_p99_ns <= 0 skips the flatness check.
point_validity check_point(double direct_p99_ns, double floor_p99_ns, bool client_bound,
                           double factor = 2.0);

/// What the streaming-fidelity check compares between arms (from metrics::stats).
struct fidelity_input {
  std::int64_t ok = 0;
  std::int64_t content_events = 0;
  std::int64_t output_tokens = 0;
  std::int64_t tokens_from_usage = 0;
  std::int64_t buffered_streams = 0;
  std::uint64_t content_hash = 0;
};
fidelity_input fidelity_of(const metrics::stats& s);

struct fidelity_result {
  bool same_events = true;     // content events per ok request within 1%
  bool same_tokens = true;     // output tokens per ok request within 1%
  bool same_usage = true;      // share of requests with usage within 1 point
  bool hash_compared = false;  // only when both arms completed the same number of requests
  bool same_text = true;
  bool gateway_buffers = false;  // most gateway streams arrived in one burst, unlike direct
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};
fidelity_result check_fidelity(const fidelity_input& direct, const fidelity_input& gateway);

}  // namespace gb::analysis
