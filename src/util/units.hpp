#pragma once
// Parsing and formatting of the numbers users type: durations (`250ms`, `30s`, `2m`, `1h`,
// `1m30s`), counts with SI suffixes (`10k`, `2.5M`), byte sizes (`64KiB`, `10MB`) and
// percentages (`0.5%`).

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gb {

/// Parses a duration: a sequence of <number><unit> with units ns, us (or µs), ms, s, m, h,
/// e.g. "250ms", "1.5s", "1m30s". A bare "0" is 0. Returns nanoseconds, or an error naming the
/// text when the unit is missing or unknown, the number is malformed, negative, or overflows.
result<std::int64_t> parse_duration_ns(std::string_view text);

/// Parses a non-negative number with an optional SI suffix k, M, G (×1e3, ×1e6, ×1e9),
/// e.g. "10k" → 10000, "2.5M" → 2.5e6. Returns an error for anything else.
result<double> parse_si_number(std::string_view text);

/// Like parse_si_number but the result must be a whole number in [0, 2^63).
result<std::int64_t> parse_si_count(std::string_view text);

/// Parses a byte size: a number with an optional suffix B, KB/MB/GB (×1000), KiB/MiB/GiB
/// (×1024). Returns bytes or an error.
result<std::int64_t> parse_bytes(std::string_view text);

/// Parses "12.5%" → 0.125 or a bare fraction "0.125" → 0.125. Error for anything else.
result<double> parse_ratio(std::string_view text);

/// Formats nanoseconds for humans with 3 significant digits: "850ns", "12.3µs", "4.56ms",
/// "1.23s", "2m03s".
std::string format_duration(std::int64_t ns);

/// Formats a count for humans: "999", "12.3k", "4.56M".
std::string format_count(double n);

/// Formats bytes for humans: "512B", "12.3KiB", "4.56MiB", "1.23GiB".
std::string format_bytes(std::int64_t bytes);

}  // namespace gb
