#include "metrics/hdr_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include "metrics/percentile_ticks.hpp"

namespace gb::metrics {

namespace {

// printf into a std::string (the formats here are short and fixed).
template <class... Args>
void append_f(std::string& out, const char* fmt, Args... args) {
  char buf[256];
  const int n = std::snprintf(buf, sizeof buf, fmt, args...);
  if (n > 0) {
    out.append(buf, static_cast<std::size_t>(std::min<int>(n, sizeof buf - 1)));
  }
}

// `v` with `decimals` digits after the point, right-aligned in `width`, rounded as Java's
// Formatter and JavaScript's Intl.NumberFormat do: the shortest decimal that round-trips to v,
// rounded half up. (printf rounds the exact binary value, half to even, and so differs on ties
// such as 0.0000750 -> 0.00007 instead of 0.00008.)
void append_fixed(std::string& out, double v, int decimals, int width) {
  char buf[400];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::fixed);
  if (ec != std::errc() || !std::isfinite(v)) {
    append_f(out, "%*.*f", width, decimals, v);
    return;
  }
  std::string digits(buf, end);
  std::size_t point = digits.find('.');
  if (point == std::string::npos) {
    point = digits.size();
    digits += '.';
  }
  const std::size_t keep = point + 1 + static_cast<std::size_t>(decimals);
  const bool round_up = digits.size() > keep && digits[keep] >= '5';
  digits.resize(keep, '0');
  if (round_up) {
    std::size_t i = digits.size();
    while (i > 0) {
      --i;
      if (digits[i] == '.') {
        continue;
      }
      if (digits[i] != '9') {
        ++digits[i];
        break;
      }
      digits[i] = '0';
      if (i == 0) {
        digits.insert(digits.begin(), '1');
      }
    }
  }
  if (decimals == 0) {
    digits.pop_back();  // the trailing '.'
  }
  if (std::signbit(v) && digits.find_first_not_of("0.") != std::string::npos) {
    digits.insert(digits.begin(), '-');
  }
  if (static_cast<int>(digits.size()) < width) {
    out.append(static_cast<std::size_t>(width) - digits.size(), ' ');
  }
  out += digits;
}

bool positive_finite(double v) {
  return std::isfinite(v) && v > 0;
}

}  // namespace

result<std::string> write_hgrm(const histogram& h, double unit_ratio, int ticks_per_half_distance) {
  if (!positive_finite(unit_ratio)) {
    return fail("hgrm unit ratio must be a positive number, got ", std::to_string(unit_ratio));
  }
  if (ticks_per_half_distance < 1) {
    return fail("hgrm ticks per half distance must be at least 1, got ",
                std::to_string(ticks_per_half_distance));
  }
  const int d = h.sigfigs();
  std::string out;
  // Java: "%12s %14s %10s %14s\n\n" of the four column names.
  append_f(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
  for (const percentile_tick& t : percentile_ticks(h, ticks_per_half_distance)) {
    const double value = static_cast<double>(t.value) / unit_ratio;
    const double fraction = t.level / 100.0;
    const auto count = static_cast<long long>(t.count_to_value);
    append_fixed(out, value, d, 12);
    out += ' ';
    append_fixed(out, fraction, 12, 2);
    append_f(out, " %10lld", count);
    if (t.level != 100.0) {
      out += ' ';
      append_fixed(out, 1.0 / (1.0 - fraction), 2, 14);
    }
    out += '\n';
  }
  out += "#[Mean    = ";
  append_fixed(out, h.mean() / unit_ratio, d, 12);
  out += ", StdDeviation   = ";
  append_fixed(out, h.stddev() / unit_ratio, d, 12);
  out += "]\n#[Max     = ";
  append_fixed(out, static_cast<double>(h.max()) / unit_ratio, d, 12);
  append_f(out, ", Total count    = %12lld]\n", static_cast<long long>(h.total_count()));
  append_f(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", h.bucket_count(),
           h.sub_bucket_count());
  return out;
}

std::string hlog_header(double start_time_epoch_s) {
  std::string out = "#[Histogram log format version 1.3]\n";
  const auto secs = static_cast<std::time_t>(std::floor(start_time_epoch_s));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[64];
  // Java's Date.toString() layout, in UTC: "Tue Nov 14 22:13:20 UTC 2023".
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
  out += "#[StartTime: ";
  append_fixed(out, start_time_epoch_s, 3, 0);
  out += " (seconds since epoch), ";
  out += date;
  out += "]\n";
  out +=
      "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  return out;
}

result<std::string> hlog_line(const histogram& h, double start_s, double length_s,
                              std::string_view tag, double max_unit_ratio) {
  for (const char c : tag) {
    if (c == ',' || c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return fail("hlog tag '", std::string(tag),
                  "' must not contain commas, spaces or control characters");
    }
  }
  if (!positive_finite(max_unit_ratio)) {
    return fail("hlog max unit ratio must be a positive number, got ",
                std::to_string(max_unit_ratio));
  }
  if (!std::isfinite(start_s) || !std::isfinite(length_s) || start_s < 0 || length_s < 0) {
    return fail("hlog interval start and length must be non-negative seconds, got ",
                std::to_string(start_s), " and ", std::to_string(length_s));
  }
  std::string out;
  if (!tag.empty()) {
    out += "Tag=";
    out += tag;
    out += ',';
  }
  append_fixed(out, start_s, 3, 0);
  out += ',';
  append_fixed(out, length_s, 3, 0);
  out += ',';
  append_fixed(out, static_cast<double>(h.max()) / max_unit_ratio, 3, 0);
  out += ',';
  out += encode_base64(h);
  out += '\n';
  return out;
}

namespace {

result<double> parse_number(std::string_view s, std::string_view what, std::size_t line_no) {
  const std::string str(s);
  char* end = nullptr;
  const double v = std::strtod(str.c_str(), &end);
  if (str.empty() || end != str.c_str() + str.size() || !std::isfinite(v)) {
    return fail("hlog line ", std::to_string(line_no), ": ", std::string(what), " '", str,
                "' is not a number");
  }
  return v;
}

// "#[Key: 123.456 ..." -> the number after the key, if the line has that key.
std::optional<std::string_view> header_value(std::string_view line, std::string_view key) {
  if (line.substr(0, key.size()) != key) {
    return std::nullopt;
  }
  line.remove_prefix(key.size());
  const std::size_t end = line.find_first_of(" ]");
  return line.substr(0, end);
}

}  // namespace

result<hlog> read_hlog(std::string_view text, const decode_limits& limits) {
  hlog log;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;
    }
    if (line.front() == '#') {
      if (auto v = header_value(line, "#[StartTime: ")) {
        auto n = parse_number(*v, "StartTime", line_no);
        if (!n) {
          return n.err();
        }
        log.start_time_s = *n;
      } else if (auto b = header_value(line, "#[BaseTime: ")) {
        auto n = parse_number(*b, "BaseTime", line_no);
        if (!n) {
          return n.err();
        }
        log.base_time_s = *n;
      } else if (auto ver = header_value(line, "#[Histogram log format version ")) {
        log.version = std::string(*ver);
      }
      continue;
    }
    if (line.substr(0, 16) == "\"StartTimestamp\"") {
      continue;
    }
    std::string tag;
    if (line.substr(0, 4) == "Tag=") {
      const std::size_t comma = line.find(',');
      if (comma == std::string_view::npos) {
        return fail("hlog line ", std::to_string(line_no), ": Tag= without a following comma");
      }
      tag = std::string(line.substr(4, comma - 4));
      line.remove_prefix(comma + 1);
    }
    std::string_view fields[4];
    for (int i = 0; i < 3; ++i) {
      const std::size_t comma = line.find(',');
      if (comma == std::string_view::npos) {
        return fail("hlog line ", std::to_string(line_no),
                    ": expected start,length,max,histogram (4 comma-separated fields)");
      }
      fields[i] = line.substr(0, comma);
      line.remove_prefix(comma + 1);
    }
    fields[3] = line;
    auto start = parse_number(fields[0], "start timestamp", line_no);
    if (!start) {
      return start.err();
    }
    auto length = parse_number(fields[1], "interval length", line_no);
    if (!length) {
      return length.err();
    }
    auto max = parse_number(fields[2], "interval max", line_no);
    if (!max) {
      return max.err();
    }
    auto h = decode_base64(fields[3], limits);
    if (!h) {
      return fail("hlog line ", std::to_string(line_no), ": ", h.message());
    }
    log.entries.push_back(hlog_entry{std::move(tag), *start, *length, *max, std::move(*h)});
  }
  return log;
}

}  // namespace gb::metrics
