#include "report/hist_codec.hpp"

#include "metrics/hdr_codec.hpp"
#include "metrics/hdr_text.hpp"
#include "report/report.hpp"

namespace gb::report {

std::string encode_histogram(const metrics::histogram& h) {
  if (h.total_count() == 0) {
    return {};
  }
  return metrics::encode_base64(h);
}

gb::result<metrics::histogram> decode_histogram(std::string_view text) {
  return metrics::decode_base64(text);
}

}  // namespace gb::report

namespace gb::report {

std::string format_hgrm(const metrics::histogram& h) {
  auto text = metrics::write_hgrm(h, 1e6);  // ns → ms; fails only for a bad unit ratio
  return text ? *text : std::string();
}

gb::result<std::string> format_hlog(const run_info& info, const metrics::run_stats& stats,
                                    const std::string& metric) {
  const std::string metrics::interval_point::*field = metrics::interval_histogram_field(metric);
  if (field == nullptr) {
    return gb::fail("the time series has histograms of ttft, e2e and itl only, not '", metric, "'");
  }
  std::string out = metrics::hlog_header(static_cast<double>(info.start_wall_ns) / 1e9);
  for (const auto& p : stats.intervals) {
    if ((p.*field).empty()) {
      continue;
    }
    auto h = decode_histogram(p.*field);
    if (!h) {
      return gb::fail("interval of ", p.target, "/", p.phase, ": ", h.message());
    }
    const double start = static_cast<double>(p.start_ns - info.start_steady_ns) / 1e9;
    auto line =
        metrics::hlog_line(*h, start < 0 ? 0 : start, static_cast<double>(p.length_ns) / 1e9,
                           p.target + "/" + p.phase);
    if (!line) {
      return line.err();
    }
    out += *line;
  }
  return out;
}

}  // namespace gb::report
