#pragma once
// OpenMetrics text of a finished run's time series, with timestamps, for backfilling
// Prometheus: `promtool tsdb create-blocks-from openmetrics FILE DIR`. Same metric names and
// labels as the live endpoint (docs/metrics.md), so the dashboards show stored runs too.
// Pure function: no I/O.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export/prometheus_text.hpp"
#include "metrics/histogram.hpp"
#include "metrics/run_stats.hpp"
#include "sysmon/sampler.hpp"
#include "util/result.hpp"

namespace gb::exporter {

/// Decodes an interval's compressed histogram ("HISTFAAA...") into ns values.
using histogram_decoder = std::function<result<metrics::histogram>(std::string_view)>;

struct openmetrics_input {
  run_labels labels;
  /// Time mapping: wall = wall_origin_ns + (steady - steady_origin_ns). A report stores the run
  /// start in both clocks.
  std::int64_t steady_origin_ns = 0;
  std::int64_t wall_origin_ns = 0;
  /// Per-interval points (run_stats::intervals), ordered by start.
  const std::vector<metrics::interval_point>* intervals = nullptr;
  /// Resource samples, when the run had sysmon (target samples labelled resource_target).
  const sysmon::resource_report* resources = nullptr;
  std::string resource_target;
  /// When set, interval histograms become ttft/itl/e2e histogram series; otherwise only
  /// counters, gauges and resources are written.
  histogram_decoder decode;
};

/// Renders the OpenMetrics exposition: one family after another, each series' points in time
/// order, timestamps in seconds (ms precision) at each interval's end, ending in "# EOF\n".
/// Counters are cumulative per target and phase. Interval points carry only an error total, so
/// failures appear as gatebench_requests_total{outcome="error"}. Fails when an interval
/// histogram does not decode (naming the interval) or intervals is null.
result<std::string> render_openmetrics(const openmetrics_input& in);

}  // namespace gb::exporter
