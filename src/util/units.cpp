#include "util/units.hpp"

#include "util/clock.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace gb {
namespace {

// Reads a non-negative decimal number (digits, optional fraction) from the front of `s`.
// Returns the number of characters consumed, 0 when there is no number.
std::size_t read_number(std::string_view s, double& out) {
  std::size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) {
    ++i;
  }
  if (i == 0) {
    return 0;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + i, out);
  if (ec != std::errc() || ptr != s.data() + i) {
    return 0;
  }
  return i;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string fmt3(double v, const char* unit) {
  char buf[48];
  if (v >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f%s", v, unit);
  } else if (v >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f%s", v, unit);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f%s", v, unit);
  }
  return buf;
}

}  // namespace

result<std::int64_t> parse_duration_ns(std::string_view text) {
  std::string_view s = trim(text);
  const std::string quoted = "'" + std::string(text) + "'";
  if (s.empty()) {
    return fail("empty duration: write a number with a unit, like 250ms, 30s, 2m or 1h");
  }
  if (s == "0") {
    return std::int64_t{0};
  }
  if (s.front() == '-') {
    return fail("duration ", quoted, " is negative: durations must be 0 or more");
  }
  long double total = 0;
  while (!s.empty()) {
    double num = 0;
    std::size_t n = read_number(s, num);
    if (n == 0) {
      return fail("duration ", quoted, " is not a duration: write a number with a unit, like ",
                  "250ms, 30s, 2m or 1m30s");
    }
    s.remove_prefix(n);
    std::size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) {
      ++u;
    }
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    long double scale = 0;
    if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s") {
      scale = 1e3L;
    } else if (unit == "ms") {
      scale = 1e6L;
    } else if (unit == "s") {
      scale = 1e9L;
    } else if (unit == "m") {
      scale = 60e9L;
    } else if (unit == "h") {
      scale = 3600e9L;
    } else if (unit.empty()) {
      return fail("duration ", quoted, " has no unit: add one of ns, us, ms, s, m, h (e.g. 30s)");
    } else {
      return fail("duration ", quoted, " has unknown unit '", std::string(unit),
                  "': use ns, us, ms, s, m or h");
    }
    total += static_cast<long double>(num) * scale;
  }
  if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max() / 2)) {
    return fail("duration ", quoted, " is too large");
  }
  return static_cast<std::int64_t>(std::llround(static_cast<double>(total)));
}

result<double> parse_si_number(std::string_view text) {
  std::string_view s = trim(text);
  const std::string quoted = "'" + std::string(text) + "'";
  if (!s.empty() && s.front() == '-') {
    return fail("number ", quoted, " is negative: it must be 0 or more");
  }
  double num = 0;
  std::size_t n = read_number(s, num);
  if (n == 0) {
    return fail("'", std::string(text), "' is not a number: write digits with an optional k, M or ",
                "G suffix, like 500 or 10k");
  }
  std::string_view suffix = s.substr(n);
  double scale = 1;
  if (suffix.empty()) {
    scale = 1;
  } else if (suffix == "k" || suffix == "K") {
    scale = 1e3;
  } else if (suffix == "M") {
    scale = 1e6;
  } else if (suffix == "G") {
    scale = 1e9;
  } else {
    return fail("number ", quoted, " has unknown suffix '", std::string(suffix),
                "': use k, M or G");
  }
  double v = num * scale;
  if (!std::isfinite(v)) {
    return fail("number ", quoted, " is too large");
  }
  return v;
}

result<std::int64_t> parse_si_count(std::string_view text) {
  auto v = parse_si_number(text);
  if (!v) {
    return v.err();
  }
  double d = *v;
  if (d != std::floor(d)) {
    return fail("'", std::string(text), "' must be a whole number");
  }
  if (d >= 9.2e18) {
    return fail("'", std::string(text), "' is too large");
  }
  return static_cast<std::int64_t>(d);
}

result<std::int64_t> parse_bytes(std::string_view text) {
  std::string_view s = trim(text);
  double num = 0;
  std::size_t n = read_number(s, num);
  if (n == 0) {
    return fail("'", std::string(text), "' is not a size: write a number with an optional unit, ",
                "like 512KiB or 10MB");
  }
  std::string_view u = s.substr(n);
  double scale = 0;
  if (u.empty() || u == "B") {
    scale = 1;
  } else if (u == "KB" || u == "kB") {
    scale = 1e3;
  } else if (u == "MB") {
    scale = 1e6;
  } else if (u == "GB") {
    scale = 1e9;
  } else if (u == "KiB") {
    scale = 1024.0;
  } else if (u == "MiB") {
    scale = 1024.0 * 1024;
  } else if (u == "GiB") {
    scale = 1024.0 * 1024 * 1024;
  } else {
    return fail("size '", std::string(text), "' has unknown unit '", std::string(u),
                "': use B, KB, MB, GB, KiB, MiB or GiB");
  }
  double v = num * scale;
  if (v >= 9.2e18) {
    return fail("size '", std::string(text), "' is too large");
  }
  return static_cast<std::int64_t>(std::llround(v));
}

result<double> parse_ratio(std::string_view text) {
  std::string_view s = trim(text);
  bool percent = !s.empty() && s.back() == '%';
  if (percent) {
    s.remove_suffix(1);
  }
  double num = 0;
  std::size_t n = read_number(s, num);
  if (n == 0 || n != s.size()) {
    return fail("'", std::string(text), "' is not a ratio: write a percentage like 0.5% or a ",
                "fraction like 0.005");
  }
  return percent ? num / 100.0 : num;
}

std::string format_duration(std::int64_t ns) {
  if (ns < 0) {
    return "-" + format_duration(-ns);
  }
  double v = static_cast<double>(ns);
  if (ns < 1'000) {
    return std::to_string(ns) + "ns";
  }
  if (ns < ns_per_ms) {
    return fmt3(v / 1e3, "\xC2\xB5s");
  }
  if (ns < ns_per_s) {
    return fmt3(v / 1e6, "ms");
  }
  if (ns < 60 * ns_per_s) {
    return fmt3(v / 1e9, "s");
  }
  std::int64_t total_s = ns / ns_per_s;
  char buf[48];
  if (total_s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(total_s / 60),
                  static_cast<long long>(total_s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(total_s / 3600),
                  static_cast<long long>((total_s / 60) % 60));
  }
  return buf;
}

std::string format_count(double n) {
  if (n < 1000) {
    char buf[32];
    std::snprintf(buf, sizeof buf, n == std::floor(n) ? "%.0f" : "%.1f", n);
    return buf;
  }
  if (n < 1e6) {
    return fmt3(n / 1e3, "k");
  }
  if (n < 1e9) {
    return fmt3(n / 1e6, "M");
  }
  return fmt3(n / 1e9, "G");
}

std::string format_bytes(std::int64_t bytes) {
  double v = static_cast<double>(bytes);
  if (bytes < 1024) {
    return std::to_string(bytes) + "B";
  }
  if (bytes < 1024 * 1024) {
    return fmt3(v / 1024, "KiB");
  }
  if (bytes < 1024LL * 1024 * 1024) {
    return fmt3(v / (1024.0 * 1024), "MiB");
  }
  return fmt3(v / (1024.0 * 1024 * 1024), "GiB");
}

}  // namespace gb
