#pragma once
// Prometheus text exposition (format 0.0.4) of a run in progress, and the pieces shared with
// the OpenMetrics export: metric names, label escaping, number formatting, and histogram
// buckets in seconds derived from gatebench's HDR histograms (ns). Metric names and labels are
// documented in docs/metrics.md. Pure functions: no I/O.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"
#include "metrics/run_stats.hpp"
#include "sysmon/probe.hpp"

namespace gb::exporter {

/// Upper bounds (seconds) of the exported histogram buckets, +Inf implied after the last. They
/// span 100 µs .. 2 min in 1-2.5-5 steps; the HDR histograms keep full resolution in reports.
inline constexpr std::array<double, 20> bucket_bounds_s = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,     1.0,    2.5,   5.0,    10.0,  20.0, 30.0,  60.0, 120.0};

/// Cumulative bucket counts of an ns histogram at bucket_bounds_s (a value counts under `le`
/// when its HDR bucket's lowest value <= le, so values exactly on a bound stay in it; the
/// error is the histogram's precision, 0.1% at 3 digits), plus the +Inf count last.
struct seconds_buckets {
  std::array<std::int64_t, bucket_bounds_s.size() + 1> cumulative{};
  std::int64_t count = 0;  // total_count (equals cumulative.back())
  double sum_s = 0;        // sum estimated as mean (bucket medians) * count, seconds
};
seconds_buckets to_seconds_buckets(const metrics::histogram& ns_histogram);

/// Escapes a label value: backslash, double quote and newline.
std::string escape_label(std::string_view v);
/// Formats a sample value: integers without a fraction, others in shortest round-trip form,
/// "+Inf", "-Inf", "NaN".
std::string format_value(double v);
/// Formats a bucket bound for le="...": "0.005", "1", "+Inf" (Prometheus canonical floats).
std::string format_le(double v);

/// Labels every series carries.
struct run_labels {
  std::string testid;    // the run id
  std::string scenario;  // scenario name ("adhoc" for a run without a file)
};

/// Cumulative figures of one target and phase, as the live endpoint shows them.
struct live_series {
  std::string target;
  std::string phase;
  std::int64_t started = 0;
  /// Finished requests by outcome name ("ok", "http_status", ...; "error" when only a failure
  /// total is known).
  std::map<std::string, std::int64_t> finished;
  std::int64_t in_flight = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  // Latency histograms in ns (successful requests); empty ones still export zero buckets.
  metrics::histogram ttft = metrics::histogram::for_latency();
  metrics::histogram itl = metrics::histogram::for_latency();
  metrics::histogram e2e = metrics::histogram::for_latency();
  metrics::histogram tpot = metrics::histogram::for_latency();
  bool has_tpot = false;  // false: the source had no tpot (the family is then left out)
};

/// The live series of a run_stats (every target and phase; in flight = started - finished;
/// outcomes by their ledger names, all eight always present).
std::vector<live_series> series_from_stats(const metrics::run_stats& stats);

/// What the main thread publishes once per interval.
struct live_view {
  run_labels labels;
  /// Cumulative, one per target and phase; not owned (they must outlive the render call).
  std::vector<const live_series*> series;
  /// Resource readings (sysmon latest()), labelled with resource_target and current_phase.
  std::string resource_target;  // target whose process tree is sampled (also labels harness)
  std::string current_phase;
  std::optional<sysmon::sample> harness;
  std::optional<sysmon::sample> target;
  std::optional<bool> client_bound;
};

/// Renders the whole exposition (text format 0.0.4, "\n" line ends, HELP and TYPE lines,
/// families in a fixed order, series sorted by target and phase).
std::string render_prometheus(const live_view& view);

/// Content-Type for render_prometheus's output.
inline constexpr std::string_view prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace gb::exporter
