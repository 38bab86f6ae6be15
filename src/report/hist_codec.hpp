#pragma once
// The report's view of HdrHistogram's compressed base64 form ("HISTFAAA..."), delegating to
// metrics/hdr_codec.hpp. Kept as one narrow seam so the report code names one place.

#include <string>
#include <string_view>

#include "metrics/histogram.hpp"
#include "util/result.hpp"

namespace gb::report {

/// Encodes `h` as compressed base64 (V2 + zlib); "" for an empty histogram.
std::string encode_histogram(const metrics::histogram& h);

/// Decodes a compressed base64 histogram. Errors: bad base64, bad cookie, corrupt zlib, counts
/// that do not fit the layout. Never crashes on hostile input.
gb::result<metrics::histogram> decode_histogram(std::string_view text);

}  // namespace gb::report
