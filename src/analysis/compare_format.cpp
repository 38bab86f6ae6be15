// Renderings of a comparison: console table, JSON, Markdown, JUnit XML.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "analysis/compare.hpp"
#include "util/units.hpp"

namespace gb::analysis {

namespace {

std::string dur(double ns) {
  return format_duration(static_cast<std::int64_t>(ns));
}

std::string signed_dur(double ns) {
  return (ns < 0 ? "-" : "+") + dur(ns < 0 ? -ns : ns);
}

std::string pct(double rel) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", rel * 100);
  return buf;
}

std::string pname(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "p%g", p);
  return buf;
}

/// Pads to `width` columns (UTF-8 aware: "µs" is three bytes, two columns).
std::string pad(const std::string& s, std::size_t width, bool right = true) {
  std::size_t cols = 0;
  for (unsigned char c : s) {
    cols += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  const std::string fill(cols < width ? width - cols : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&apos;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

const char* mark(verdict v) {
  switch (v) {
    case verdict::regression:
      return "✗ regression";
    case verdict::improvement:
      return "improvement";
    case verdict::no_data:
      return "no data";
    case verdict::same:
      return "ok";
  }
  return "";
}

}  // namespace

std::string format_compare_console(const compare_result& r, bool color) {
  const char* red = color ? "\x1b[31m" : "";
  const char* green = color ? "\x1b[32m" : "";
  const char* bold = color ? "\x1b[1m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string out;
  char line[512];
  out += std::string(bold) + "compare " + r.base_path + " (base) → " + r.new_path + " (new)" +
         reset + "\n";
  std::snprintf(line, sizeof line, "noise threshold %.1f%%, %.0f%% bootstrap interval\n",
                r.noise * 100, r.confidence * 100);
  out += line;
  for (const auto& d : r.load_differences) {
    out += std::string(red) + "forced despite differing load: " + d + reset + "\n";
  }
  for (const auto& n : r.notes) {
    out += "note: " + n + "\n";
  }
  std::string current;
  for (const auto& m : r.metrics) {
    if (m.target != current) {
      current = m.target;
      out += std::string(bold) + "target " + current + reset + "\n";
      std::snprintf(line, sizeof line, "  %-6s %-6s %10s %10s %8s  %-24s %s\n", "metric", "pct",
                    "base", "new", "change", "95% CI of new-base", "verdict");
      out += line;
    }
    if (m.result == verdict::no_data) {
      std::snprintf(line, sizeof line, "  %-6s (no samples: base %lld, new %lld)\n",
                    m.metric.c_str(), static_cast<long long>(m.base_count),
                    static_cast<long long>(m.new_count));
      out += line;
      continue;
    }
    for (const auto& p : m.percentiles) {
      const std::string ci = "[" + signed_dur(p.ci_low_ns) + ", " + signed_dur(p.ci_high_ns) + "]";
      const char* col = p.result == verdict::regression    ? red
                        : p.result == verdict::improvement ? green
                                                           : "";
      std::snprintf(line, sizeof line, "  %-6s %-6s %s %s %8s  %s %s%s%s\n", m.metric.c_str(),
                    pname(p.percentile).c_str(), pad(dur(p.base_ns), 10).c_str(),
                    pad(dur(p.new_ns), 10).c_str(), pct(p.relative).c_str(),
                    pad(ci, 24, false).c_str(), col, p.gated ? mark(p.result) : "(not gated)",
                    reset);
      out += line;
    }
  }
  for (const auto& t : r.targets) {
    std::snprintf(line, sizeof line,
                  "target %s: throughput %.2f → %.2f req/s, error rate %.2f%% → %.2f%%%s\n",
                  t.target.c_str(), t.base_rps, t.new_rps, t.base_error_rate * 100,
                  t.new_error_rate * 100, t.error_regression ? " (✗ regression)" : "");
    out += line;
  }
  out += r.regression ? std::string(red) + "✗ regression beyond noise" + reset + "\n"
                      : std::string(green) + "✓ no regression beyond noise" + reset + "\n";
  return out;
}

std::string format_compare_json(const compare_result& r) {
  using nlohmann::json;
  json metrics = json::array();
  for (const auto& m : r.metrics) {
    json ps = json::array();
    for (const auto& p : m.percentiles) {
      ps.push_back({{"percentile", p.percentile},
                    {"base_ns", p.base_ns},
                    {"new_ns", p.new_ns},
                    {"relative_change", p.relative},
                    {"ci_low_ns", p.ci_low_ns},
                    {"ci_high_ns", p.ci_high_ns},
                    {"verdict", to_string(p.result)},
                    {"gated", p.gated}});
    }
    metrics.push_back({{"target", m.target},
                       {"metric", m.metric},
                       {"base_count", m.base_count},
                       {"new_count", m.new_count},
                       {"verdict", to_string(m.result)},
                       {"method", m.method},
                       {"percentiles", ps}});
  }
  json targets = json::array();
  for (const auto& t : r.targets) {
    targets.push_back({{"target", t.target},
                       {"base_requests_per_s", t.base_rps},
                       {"new_requests_per_s", t.new_rps},
                       {"base_error_rate", t.base_error_rate},
                       {"new_error_rate", t.new_error_rate},
                       {"error_regression", t.error_regression}});
  }
  json doc = {{"base", r.base_path},        {"new", r.new_path},
              {"noise", r.noise},           {"confidence", r.confidence},
              {"regression", r.regression}, {"load_differences", r.load_differences},
              {"notes", r.notes},           {"targets", targets},
              {"metrics", metrics}};
  return doc.dump(2) + "\n";
}

std::string format_compare_markdown(const compare_result& r) {
  std::string out = r.regression ? "### ❌ gatebench: regression beyond noise\n\n"
                                 : "### ✅ gatebench: no regression beyond noise\n\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "Base `%s` → new `%s`; noise threshold %.1f%%, %.0f%% bootstrap interval.\n\n",
                r.base_path.c_str(), r.new_path.c_str(), r.noise * 100, r.confidence * 100);
  out += line;
  for (const auto& d : r.load_differences) {
    out += "> **Forced** despite differing load: " + d + "\n";
  }
  for (const auto& n : r.notes) {
    out += "> " + n + "\n";
  }
  out += "| target | metric | pct | base | new | change | 95% CI (new−base) | verdict |\n";
  out += "|---|---|---|---:|---:|---:|---|---|\n";
  for (const auto& m : r.metrics) {
    for (const auto& p : m.percentiles) {
      out += "| " + m.target + " | " + m.metric + " | " + pname(p.percentile) + " | " +
             dur(p.base_ns) + " | " + dur(p.new_ns) + " | " + pct(p.relative) + " | " +
             signed_dur(p.ci_low_ns) + " … " + signed_dur(p.ci_high_ns) + " | " +
             (p.result == verdict::regression ? "❌ regression" : mark(p.result)) + " |\n";
    }
  }
  for (const auto& t : r.targets) {
    std::snprintf(line, sizeof line, "\n`%s`: %.2f → %.2f req/s, error rate %.2f%% → %.2f%%%s\n",
                  t.target.c_str(), t.base_rps, t.new_rps, t.base_error_rate * 100,
                  t.new_error_rate * 100, t.error_regression ? " ❌" : "");
    out += line;
  }
  return out;
}

std::string format_junit(const compare_result* r, const std::vector<threshold_result>& thresholds,
                         const std::string& suite_name) {
  std::string cases;
  int tests = 0;
  int failures = 0;
  for (const auto& t : thresholds) {
    ++tests;
    cases += "    <testcase classname=\"gatebench.thresholds." + xml_escape(t.target) +
             "\" name=\"" + xml_escape(t.th.text) + "\">";
    if (!t.passed) {
      ++failures;
      cases +=
          "<failure message=\"" + xml_escape(t.th.text + " measured " + t.measured_text) + "\"/>";
    }
    cases += "<system-out>" + xml_escape("measured " + t.measured_text) + "</system-out>";
    cases += "</testcase>\n";
  }
  if (r != nullptr) {
    for (const auto& m : r->metrics) {
      for (const auto& p : m.percentiles) {
        if (!p.gated) {
          continue;
        }
        ++tests;
        const std::string detail = dur(p.base_ns) + " → " + dur(p.new_ns) + " (" + pct(p.relative) +
                                   ", CI " + signed_dur(p.ci_low_ns) + " … " +
                                   signed_dur(p.ci_high_ns) + ")";
        cases += "    <testcase classname=\"gatebench.compare." + xml_escape(m.target) +
                 "\" name=\"" + xml_escape(m.metric + ":" + pname(p.percentile)) + "\">";
        if (p.result == verdict::regression) {
          ++failures;
          cases += "<failure message=\"" + xml_escape("regression: " + detail) + "\"/>";
        }
        cases += "<system-out>" + xml_escape(detail) + "</system-out></testcase>\n";
      }
    }
    for (const auto& t : r->targets) {
      ++tests;
      cases += "    <testcase classname=\"gatebench.compare." + xml_escape(t.target) +
               "\" name=\"errors:rate\">";
      if (t.error_regression) {
        ++failures;
        char buf[128];
        std::snprintf(buf, sizeof buf, "error rate %.3f%% → %.3f%%", t.base_error_rate * 100,
                      t.new_error_rate * 100);
        cases += "<failure message=\"" + xml_escape(buf) + "\"/>";
      }
      cases += "</testcase>\n";
    }
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\">\n  <testsuite name=\"" + xml_escape(suite_name) + "\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\">\n" + cases +
         "  </testsuite>\n</testsuites>\n";
}

}  // namespace gb::analysis
