#pragma once
// HdrHistogram's text formats (shared/design/wire-formats.md):
// - `.hgrm` percentile distributions, laid out exactly as Java's and hdr-histogram-js's
//   outputPercentileDistribution (what HdrHistogram's plotting page reads);
// Numbers are rounded as Java and JavaScript round them (shortest round-trip decimal, then half
// up), not as printf does, so that the text is identical on ties.
// - `.hlog` interval logs, format version 1.3, as Java's HistogramLogWriter writes them, and a
//   reader for them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/hdr_codec.hpp"
#include "metrics/histogram.hpp"
#include "util/result.hpp"

namespace gb::metrics {

/// The .hgrm text of `h`: the header line, one row per percentile tick (value / unit_ratio with
/// `sigfigs` decimals, the tick level as a fraction, the cumulative count, 1/(1-level); the last
/// row at 100% has no 1/(1-level)), then the Mean/StdDeviation, Max/Total count and
/// Buckets/SubBuckets lines. unit_ratio converts the recorded unit to the printed one (1e6 for
/// ns -> ms). Errors: unit_ratio not a positive finite number, ticks_per_half_distance < 1.
result<std::string> write_hgrm(const histogram& h, double unit_ratio,
                               int ticks_per_half_distance = 5);

/// The three header lines of a .hlog: format version 1.3, StartTime (seconds since the epoch,
/// "%.3f", and the date in UTC) and the column legend.
std::string hlog_header(double start_time_epoch_s);

/// One .hlog interval line: [Tag=<tag>,]<start>,<length>,<max>,<base64>\n with start and length
/// in seconds ("%.3f", start relative to the log's StartTime) and max = h.max() / max_unit_ratio
/// ("%.3f"; 1e6 gives milliseconds for nanosecond values). Errors: a tag with a comma, space or
/// control character, a non-positive max_unit_ratio, a negative or non-finite time.
result<std::string> hlog_line(const histogram& h, double start_s, double length_s,
                              std::string_view tag = {}, double max_unit_ratio = 1e6);

struct hlog_entry {
  std::string tag;  // empty when the line has no Tag=
  double start_s = 0;
  double length_s = 0;
  double max = 0;  // as written (Interval_Max column)
  histogram hist;
};

struct hlog {
  std::optional<double> start_time_s;  // from #[StartTime: ...]
  std::optional<double> base_time_s;   // from #[BaseTime: ...]
  std::string version;                 // from #[Histogram log format version ...]
  std::vector<hlog_entry> entries;
};

/// Parses a .hlog text. Comment lines other than the known headers and the legend line are
/// skipped; every data line must decode. Errors name the line number and the problem.
result<hlog> read_hlog(std::string_view text, const decode_limits& limits = {});

}  // namespace gb::metrics
