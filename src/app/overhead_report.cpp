// The overhead result for humans (console table) and machines (JSON document of kind
// "overhead", docs/overhead-schema.json).
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/overhead_runner.hpp"
#include "app/version.hpp"
#include "metrics/hdr_codec.hpp"
#include "report/metric_table.hpp"
#include "scenario/to_json.hpp"
#include "util/units.hpp"

namespace gb::app::overhead {

namespace {

using json = nlohmann::json;

constexpr int overhead_schema_version = 1;
constexpr std::array<const char*, 4> latency_metrics{"e2e", "ttfb", "ttft", "itl"};
constexpr std::size_t cell_width = 31;  // one quantile's "+1.23ms [+1.01ms, +1.45ms]" and a gap

struct colors {
  const char* red = "";
  const char* green = "";
  const char* yellow = "";
  const char* bold = "";
  const char* reset = "";
};

colors make_colors(bool on) {
  if (!on) {
    return {};
  }
  return {"\033[31m", "\033[32m", "\033[33m", "\033[1m", "\033[0m"};
}

/// A latency or a difference in the most readable unit ("+312µs", "-1.25ms", "2.04s").
std::string fmt_ns(double ns, bool sign) {
  char buf[48];
  const double a = std::fabs(ns);
  const char* s = sign ? (ns < 0 ? "-" : "+") : (ns < 0 ? "-" : "");
  if (a < 1e3) {
    std::snprintf(buf, sizeof buf, "%s%.0fns", s, a);
  } else if (a < 1e6) {
    std::snprintf(buf, sizeof buf, "%s%.1fµs", s, a / 1e3);
  } else if (a < 1e9) {
    std::snprintf(buf, sizeof buf, "%s%.2fms", s, a / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%s%.3fs", s, a / 1e9);
  }
  return buf;
}

std::string fmt_q(double q) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "p%g", q);
  return buf;
}

std::string iso_time(std::int64_t wall) {
  const std::time_t t = static_cast<std::time_t>(wall / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string hex64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

std::string pad(std::string s, std::size_t w) {
  // display width: count UTF-8 lead bytes only
  std::size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  if (n < w) {
    s.append(w - n, ' ');
  }
  return s;
}

}  // namespace

std::string format_console(const result& r, bool color_on) {
  const colors c = make_colors(color_on);
  std::string out;
  std::string arms;
  for (const auto& a : r.arms) {
    arms += (arms.empty() ? "" : ", ") + a.role + " (" + a.name + ")";
  }
  out += std::string(c.bold) + "Gateway overhead: " + r.sc.name + c.reset + "\n";
  const std::string round_len =
      r.set.round_requests > 0
          ? std::to_string(r.set.round_requests) + " requests per closed-loop round, " +
                format_duration(r.set.round_duration_ns) + " per open-loop round"
          : format_duration(r.set.round_duration_ns) + " per round";
  out += "  arms: " + arms + "; " + std::to_string(r.set.rounds) +
         " interleaved rounds per point, " + round_len + "\n";
  out += "  overhead = arm quantile - reference quantile, median of rounds [" +
         std::to_string(static_cast<int>(std::lround(r.set.stats.confidence * 100))) +
         "% bootstrap interval]\n";
  for (const auto& p : r.points) {
    out += "\n" + std::string(c.bold) + "Point " + p.load.label + c.reset + " (" +
           (p.load.open ? "open loop, " + p.load.label + " arrivals"
                        : "closed loop, concurrency " + std::to_string(p.load.concurrency)) +
           ", " + std::to_string(p.order.size()) + " rounds)";
    if (p.validity.valid) {
      out += std::string(" ") + c.green + "valid" + c.reset + "\n";
    } else {
      out += std::string(" ") + c.red + "INVALID" + c.reset + "\n";
      for (const auto& why : p.validity.reasons) {
        out += std::string("    ") + c.red + "! " + why + c.reset + "\n";
      }
    }
    for (const auto& a : p.arms) {
      const auto& s = a.merged;
      out += "  " + pad(a.which.role, 8) + std::to_string(s.outcomes.count(metrics::outcome::ok)) +
             " ok";
      if (s.outcomes.failed() > 0) {
        out +=
            std::string(c.red) + ", " + std::to_string(s.outcomes.failed()) + " failed" + c.reset;
      }
      for (const char* m : {"ttft", "e2e"}) {
        const metrics::histogram& h = s.*(report::find_metric(m)->member);
        if (h.total_count() > 0) {
          out += std::string("  ") + m + " p50 " +
                 fmt_ns(static_cast<double>(h.value_at_percentile(50)), false) + " p99 " +
                 fmt_ns(static_cast<double>(h.value_at_percentile(99)), false);
        }
      }
      out += "\n";
      for (const auto& w : a.warnings) {
        out += std::string("    ") + c.yellow + "! " + w + c.reset + "\n";
      }
    }
    for (const auto& cmp : p.comparisons) {
      out += "  " + std::string(c.bold) + cmp.arm + " - " + cmp.reference + c.reset + "\n";
      if (!cmp.error.empty()) {
        out += std::string("    ") + c.red + cmp.error + c.reset + "\n";
      }
      if (!cmp.metrics.empty()) {
        std::string head = "    " + pad("", 6);
        for (const auto& q : cmp.metrics.front().quantiles) {
          head += pad(fmt_q(q.quantile), cell_width);
        }
        out += head + "\n";
      }
      for (const auto& m : cmp.metrics) {
        std::string line = "    " + pad(m.metric, 6);
        for (const auto& q : m.quantiles) {
          line += pad(fmt_ns(q.median_ns, true) + " [" + fmt_ns(q.ci_low_ns, true) + ", " +
                          fmt_ns(q.ci_high_ns, true) + "]",
                      cell_width - 1) +
                  " ";
        }
        while (!line.empty() && line.back() == ' ') {
          line.pop_back();
        }
        out += line + "\n";
      }
      if (cmp.fidelity_checked) {
        if (cmp.fidelity.ok()) {
          out += std::string("    fidelity: ") + c.green + "ok" + c.reset +
                 " (same content events, tokens and usage" +
                 (cmp.fidelity.hash_compared ? ", same text" : "") + ")\n";
        } else {
          for (const auto& pr : cmp.fidelity.problems) {
            out += std::string("    fidelity: ") + c.red + pr + c.reset + "\n";
          }
        }
      }
    }
  }
  if (!r.ceilings.empty()) {
    out +=
        "\n" + std::string(c.bold) + "Throughput ceiling" + c.reset + " (" + r.set.ceiling_metric +
        " p99 <= " + fmt_ns(static_cast<double>(r.set.ceiling_bound_ns), false) + ", no errors)\n";
    for (const auto& ce : r.ceilings) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s%.6g/s", ce.beyond_range ? ">= " : "", ce.rate);
      out += "  " + pad(ce.role, 8) + (ce.rate > 0 ? std::string(buf) : std::string("none")) +
             (ce.limited_by.empty() ? "" : "  (next: " + ce.limited_by + ")") + "\n";
    }
  }
  if (!r.thresholds.empty()) {
    out += "\n";
    for (const auto& t : r.thresholds) {
      out += std::string(t.passed ? c.green : c.red) + (t.passed ? "✓ " : "✗ ") + t.text + c.reset +
             "  [" + t.point + "] " + t.measured_text + "\n";
    }
  }
  if (r.interrupted) {
    out += std::string(c.yellow) + "interrupted by " + r.stop_reason +
           ": the incomplete round was dropped" + c.reset + "\n";
  }
  return out;
}

namespace {

json stats_json(const metrics::stats& s) {
  json j;
  json outcomes = json::object();
  for (std::size_t i = 0; i < metrics::outcome_count; ++i) {
    const auto o = static_cast<metrics::outcome>(i);
    outcomes[std::string(metrics::to_string(o))] = s.outcomes.count(o);
  }
  json status = json::object();
  for (const auto& [code, n] : s.outcomes.by_status()) {
    status[std::to_string(code)] = n;
  }
  j["requests"] = {{"started", s.outcomes.started()},
                   {"ok", s.outcomes.count(metrics::outcome::ok)},
                   {"failed", s.outcomes.failed()},
                   {"dropped", s.dropped},
                   {"outcomes", outcomes},
                   {"by_status", status}};
  json lat = json::object();
  for (const char* m : latency_metrics) {
    const metrics::histogram& h = s.*(report::find_metric(m)->member);
    if (h.total_count() == 0) {
      lat[m] = nullptr;
      continue;
    }
    lat[m] = {{"count", h.total_count()},
              {"p50_ns", h.value_at_percentile(50)},
              {"p90_ns", h.value_at_percentile(90)},
              {"p95_ns", h.value_at_percentile(95)},
              {"p99_ns", h.value_at_percentile(99)},
              {"max_ns", h.max()},
              {"histogram", metrics::encode_base64(h)}};
  }
  j["latency"] = lat;
  j["streams"] = {{"content_events", s.content_events_total},
                  {"output_tokens", s.output_tokens_total},
                  {"tokens_from_usage", s.tokens_from_usage},
                  {"buffered_streams", s.buffered_streams},
                  {"content_hash", hex64(s.content_hash)}};
  return j;
}

json comparison_json(const comparison& c) {
  json j{{"arm", c.arm}, {"reference", c.reference}};
  j["error"] = c.error.empty() ? json(nullptr) : json(c.error);
  json ms = json::array();
  for (const auto& m : c.metrics) {
    json qs = json::array();
    for (const auto& q : m.quantiles) {
      qs.push_back({{"quantile", q.quantile},
                    {"overhead_ns", q.median_ns},
                    {"ci_low_ns", q.ci_low_ns},
                    {"ci_high_ns", q.ci_high_ns},
                    {"reference_ns", q.direct_ns},
                    {"arm_ns", q.gateway_ns},
                    {"per_round_ns", q.per_round_ns}});
    }
    ms.push_back({{"metric", m.metric}, {"rounds", m.rounds}, {"quantiles", qs}});
  }
  j["overhead"] = ms;
  if (!c.fidelity_checked) {
    j["fidelity"] = nullptr;
  } else {
    const auto& f = c.fidelity;
    j["fidelity"] = {{"ok", f.ok()},
                     {"same_events", f.same_events},
                     {"same_tokens", f.same_tokens},
                     {"same_usage", f.same_usage},
                     {"hash_compared", f.hash_compared},
                     {"same_text", f.same_text},
                     {"buffered", f.gateway_buffers},
                     {"problems", f.problems}};
  }
  return j;
}

}  // namespace

std::string to_json_text(const result& r) {
  json j;
  j["kind"] = "overhead";
  j["schema_version"] = overhead_schema_version;
  j["tool"] = {{"name", "gatebench"},
               {"version", std::string(version())},
               {"git_revision", std::string(git_revision())}};
  j["scenario_name"] = r.sc.name;
  json scj;
  scenario::to_json(scj, r.sc);
  j["scenario"] = scj;
  j["seed"] = r.sc.seed;
  j["start_time"] = iso_time(r.start_wall_ns);
  j["end_time"] = iso_time(r.end_wall_ns);
  j["duration_s"] = static_cast<double>(r.end_wall_ns - r.start_wall_ns) / 1e9;
  j["host"] = {{"hostname", r.host.hostname},
               {"cpu_model", r.host.cpu_model},
               {"cores", r.host.cores},
               {"kernel", r.host.kernel},
               {"arch", r.host.arch}};
  const auto& s = r.set;
  j["settings"] = {{"rounds", s.rounds},
                   {"round_requests", s.round_requests},
                   {"round_duration_ns", s.round_duration_ns},
                   {"round_warmup_ns", s.round_warmup_ns},
                   {"warmup_ns", s.warmup_ns},
                   {"flat_factor", s.flat_factor},
                   {"quantiles", s.stats.quantiles},
                   {"resamples", s.stats.resamples},
                   {"confidence", s.stats.confidence},
                   {"stats_seed", s.stats.seed}};
  j["settings"]["ceiling"] =
      s.ceiling_bound_ns > 0 ? json{{"p99_ns", s.ceiling_bound_ns}, {"metric", s.ceiling_metric}}
                             : json(nullptr);
  json arms = json::array();
  for (const auto& a : r.arms) {
    const auto& t = r.sc.targets[a.target_index];
    arms.push_back({{"role", a.role},
                    {"target", a.name},
                    {"url", t.url_template.empty() ? t.url : t.url_template},
                    {"api", std::string(protocol::to_string(t.api))}});
  }
  j["arms"] = arms;
  j["streaming"] = r.sc.workload.stream;
  json points = json::array();
  for (const auto& p : r.points) {
    json pj{{"label", p.load.label},
            {"mode", p.load.open ? "open" : "closed"},
            {"concurrency", p.load.concurrency},
            {"rate", p.load.open ? json(p.load.rate) : json(nullptr)},
            {"rounds", static_cast<std::int64_t>(p.order.size())},
            {"order", p.order},
            {"valid", p.validity.valid},
            {"invalid_reasons", p.validity.reasons},
            {"direct_e2e_p99_ns", p.direct_p99_ns},
            {"floor_e2e_p99_ns", p.floor_p99_ns}};
    json pa = json::array();
    for (const auto& a : p.arms) {
      json aj = stats_json(a.merged);
      aj["role"] = a.which.role;
      aj["target"] = a.which.name;
      aj["client_bound"] = a.client_bound;
      aj["warnings"] = a.warnings;
      aj["harness_cpu_s"] = a.harness_cpu_s;
      pa.push_back(std::move(aj));
    }
    pj["arms"] = pa;
    json cs = json::array();
    for (const auto& c : p.comparisons) {
      cs.push_back(comparison_json(c));
    }
    pj["comparisons"] = cs;
    points.push_back(std::move(pj));
  }
  j["points"] = points;
  json ce = json::array();
  for (const auto& c : r.ceilings) {
    ce.push_back({{"role", c.role},
                  {"target", c.target},
                  {"rate", c.rate},
                  {"beyond_range", c.beyond_range},
                  {"limited_by", c.limited_by}});
  }
  j["ceilings"] = ce;
  json th = json::array();
  for (const auto& t : r.thresholds) {
    th.push_back({{"threshold", t.text},
                  {"point", t.point},
                  {"passed", t.passed},
                  {"measured", t.measured},
                  {"measured_text", t.measured_text}});
  }
  j["thresholds"] = th;
  j["passed"] = r.passed();
  j["interrupted"] = r.interrupted;
  return j.dump(2) + "\n";
}

gb::status write_json(const result& r, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return gb::fail("cannot create the directory of ", path, ": ", ec.message());
    }
  }
  return report::write_text_atomically(path, to_json_text(r));
}

}  // namespace gb::app::overhead
