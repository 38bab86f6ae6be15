#pragma once
// HdrHistogram's V2 encoding, its zlib-compressed form and that form's base64 ("HISTFAAA..."),
// the string reports store (shared/design/wire-formats.md). Java, C, Python and JavaScript's
// hdr-histogram-js decode what encode_base64 writes, and decode_base64 reads what they write.
//
// Decoding treats its input as hostile: every malformed input returns an error that names the
// problem, and memory use is bounded by decode_limits, whatever the header claims.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"
#include "util/result.hpp"

namespace gb::metrics {

inline constexpr std::int32_t hdr_v2_cookie = 0x1c849313;
inline constexpr std::int32_t hdr_v2_compressed_cookie = 0x1c849314;
inline constexpr std::size_t hdr_v2_header_bytes = 40;

struct decode_limits {
  /// Largest counts array a decoded histogram may have (8 bytes each). The default (4 Mi
  /// counts, 32 MiB) admits every 1-4 digit layout and 5 digits up to about 2^48.
  std::size_t max_counts_len = std::size_t{1} << 22;
};

/// The uncompressed V2 bytes: 40-byte big-endian header, then ZigZag LEB128 counts for indexes
/// 0 .. the highest non-zero one (runs of zeros as negative numbers, a single zero as 0).
std::vector<std::uint8_t> encode_v2(const histogram& h);

/// The compressed form: cookie 0x1c849314, big-endian length, zlib stream of encode_v2(h).
std::vector<std::uint8_t> encode_compressed(const histogram& h);

/// base64 (standard alphabet, padded, one line) of encode_compressed(h): "HISTFAAA...".
std::string encode_base64(const histogram& h);

/// Decodes V2 bytes (exactly one histogram, no trailing bytes). Errors name the problem: wrong
/// cookie, bad header values, a count or zero run past the end of the counts array, a count
/// cut off, trailing bytes, a counts array larger than limits allow.
result<histogram> decode_v2(std::span<const std::uint8_t> bytes, const decode_limits& limits = {});

/// Decodes the compressed form. Inflates at most 40 + payload-length bytes, where the payload
/// length must fit what the header's counts array can need (9 bytes a count).
result<histogram> decode_compressed(std::span<const std::uint8_t> bytes,
                                    const decode_limits& limits = {});

/// Decodes a base64 string of the compressed form; surrounding whitespace is ignored.
result<histogram> decode_base64(std::string_view text, const decode_limits& limits = {});

/// Standard base64 with padding, and its strict inverse (the error says what is wrong and where).
std::string base64_encode(std::span<const std::uint8_t> bytes);
result<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace gb::metrics
