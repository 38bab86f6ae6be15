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

}  // namespace gb::report
