// The end-of-run console summary (wrk-like) and the Markdown rendering of a report.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "report/metric_table.hpp"
#include "report/report.hpp"
#include "util/units.hpp"

namespace gb::report {

namespace {

struct palette {
  const char* bold = "";
  const char* dim = "";
  const char* red = "";
  const char* green = "";
  const char* yellow = "";
  const char* reset = "";
};

palette make_palette(bool color) {
  if (!color) {
    return {};
  }
  return {"\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"};
}

std::string fmt(const char* f, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

constexpr double table_percentiles[] = {50, 90, 95, 99, 99.9};

/// Right-aligns to `width` columns ("µs" is 3 bytes, 2 columns).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t cols = 0;
  for (unsigned char c : s) {
    cols += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return std::string(cols < width ? width - cols : 0, ' ') + s;
}

std::string dur_or_dash(const metrics::histogram& h, double p) {
  if (h.total_count() == 0) {
    return "-";
  }
  return format_duration(p < 0 ? h.max() : h.value_at_percentile(p));
}

void latency_table(std::string& out, const metrics::stats& s, const palette& c) {
  out += fmt("  %s%-8s %9s %9s %9s %9s %9s %9s %10s%s\n", c.bold, "metric", "p50", "p90", "p95",
             "p99", "p99.9", "max", "count", c.reset);
  for (auto name : {"ttft", "itl", "tpot", "e2e", "ttfb"}) {
    const auto* m = find_metric(name);
    const metrics::histogram& h = s.*m->member;
    if (h.total_count() == 0 && std::string_view(name) == "ttfb") {
      continue;
    }
    std::string row = fmt("  %-8s", name);
    for (double p : table_percentiles) {
      row += " " + pad(dur_or_dash(h, p), 9);
    }
    row += " " + pad(dur_or_dash(h, -1), 9) + fmt(" %10" PRId64 "\n", h.total_count());
    out += row;
  }
}

void ledger_lines(std::string& out, const metrics::stats& s, const palette& c) {
  const auto& l = s.outcomes;
  out += fmt("  requests: %" PRId64 " started, %" PRId64 " ok, %s%" PRId64 " failed%s", l.started(),
             l.count(metrics::outcome::ok), l.failed() > 0 ? c.red : "", l.failed(), c.reset);
  if (s.dropped > 0) {
    out += fmt(", %s%" PRId64 " dropped arrivals%s", c.yellow, s.dropped, c.reset);
  }
  out += "\n";
  for (std::size_t i = 1; i < metrics::outcome_count; ++i) {
    const auto o = static_cast<metrics::outcome>(i);
    if (l.count(o) == 0) {
      continue;
    }
    std::string detail;
    if (o == metrics::outcome::http_status) {
      for (const auto& [code, n] : l.by_status()) {
        detail += fmt("%s%d: %" PRId64, detail.empty() ? "" : ", ", code, n);
      }
    } else if (o == metrics::outcome::timeout) {
      for (std::size_t p = 0; p < metrics::timeout_phase_count; ++p) {
        const auto ph = static_cast<metrics::timeout_phase>(p);
        if (l.timeouts(ph) > 0) {
          detail += fmt("%s%s: %" PRId64, detail.empty() ? "" : ", ",
                        std::string(metrics::to_string(ph)).c_str(), l.timeouts(ph));
        }
      }
    } else {
      const std::string prefix = std::string(metrics::to_string(o)) + "/";
      for (const auto& [k, n] : l.by_reason()) {
        if (k.rfind(prefix, 0) == 0) {
          detail +=
              fmt("%s%s: %" PRId64, detail.empty() ? "" : ", ", k.substr(prefix.size()).c_str(), n);
        }
      }
    }
    out += fmt("    %s%-15s%s %10" PRId64 "%s%s%s\n", c.red,
               std::string(metrics::to_string(o)).c_str(), c.reset, l.count(o),
               detail.empty() ? "" : "  (", detail.c_str(), detail.empty() ? "" : ")");
  }
}

void resource_line(std::string& out, const char* who, const resource_summary& r) {
  if (!r.present) {
    return;
  }
  out += fmt("  %-8s rss peak %s", who,
             r.peak_rss_bytes >= 0 ? format_bytes(r.peak_rss_bytes).c_str() : "-");
  if (r.idle_rss_bytes >= 0) {
    out += fmt(", idle %s", format_bytes(r.idle_rss_bytes).c_str());
  }
  if (r.steady_rss_bytes >= 0) {
    out += fmt(", steady %s", format_bytes(r.steady_rss_bytes).c_str());
  }
  if (r.after_rss_bytes >= 0) {
    out += fmt(", after %s", format_bytes(r.after_rss_bytes).c_str());
  }
  if (r.mean_cores >= 0) {
    out += fmt("; cpu mean %.2f cores, peak %.2f", r.mean_cores, r.peak_cores);
  }
  if (r.cpu_seconds_per_1k_requests >= 0) {
    out += fmt(", %.3f cpu-s per 1k requests", r.cpu_seconds_per_1k_requests);
  }
  out += "\n";
}

}  // namespace

std::string format_console_summary(const run_info& info, const metrics::run_stats& stats,
                                   bool color) {
  const palette c = make_palette(color);
  std::string out;
  for (const auto& [target, phases] : stats.by_target_phase) {
    const std::string phase = headline_phase(phases);
    if (phase.empty()) {
      continue;
    }
    const metrics::stats& s = phases.at(phase);
    const phase_figures f = compute_figures(s);
    out += fmt("%starget %s%s (%s phase, %s)\n", c.bold, target.c_str(), c.reset, phase.c_str(),
               format_duration(f.duration_ns).c_str());
    latency_table(out, s, c);
    out +=
        fmt("  throughput: %.2f req/s, %.1f output tok/s, %.1f input tok/s (tokens: %s)\n",
            f.requests_per_s, f.output_tokens_per_s, f.input_tokens_per_s, f.token_source.c_str());
    out +=
        fmt("  concurrency: mean %.2f, max %" PRId64 "\n", f.concurrency_mean, f.concurrency_max);
    if (!info.scenario.slos.empty()) {
      out += fmt("  goodput: %.2f%% of requests met every SLO (%.2f req/s)\n",
                 f.goodput_ratio * 100, f.goodput_per_s);
    }
    if (s.schedule_lag.total_count() > 0 && s.schedule_lag.value_at_percentile(99) > 0) {
      out += fmt("  schedule lag: p50 %s, p99 %s\n",
                 format_duration(s.schedule_lag.value_at_percentile(50)).c_str(),
                 format_duration(s.schedule_lag.value_at_percentile(99)).c_str());
    }
    ledger_lines(out, s, c);
    if (s.buffered_streams > 0) {
      out += fmt("  %s%" PRId64 " streams arrived in one burst (buffered by the target?)%s\n",
                 c.yellow, s.buffered_streams, c.reset);
    }
    for (const auto& p : info.sweep) {
      if (phases.count(p.phase) != 0) {
        const auto pf = compute_figures(phases.at(p.phase));
        out += fmt("  sweep %-12s %8.2f req/s  e2e p99 %9s %s\n", p.phase.c_str(),
                   pf.requests_per_s, dur_or_dash(phases.at(p.phase).e2e, 99).c_str(),
                   p.valid ? "" : ("(invalid: " + p.note + ")").c_str());
      }
    }
  }
  resource_line(out, "harness", info.resources.harness);
  resource_line(out, "target", info.resources.target);
  if (info.client_bound) {
    out +=
        fmt("%swarning: the harness was client-bound (its own CPU or schedule lag limited the "
            "load); latencies include harness delay%s\n",
            c.yellow, c.reset);
  }
  for (const auto& w : info.warnings) {
    out += fmt("%swarning: %s%s\n", c.yellow, w.c_str(), c.reset);
  }
  if (info.interrupted) {
    out += fmt("%sinterrupted (%s): this is a partial result%s\n", c.red,
               info.interrupt_reason.empty() ? "signal" : info.interrupt_reason.c_str(), c.reset);
  }
  return out;
}

std::string format_markdown_summary(const run_info& info, const metrics::run_stats& stats) {
  std::string out = "## gatebench: " + info.scenario.name + "\n\n";
  if (info.interrupted) {
    out += "> **Interrupted** (" + info.interrupt_reason + "): partial result.\n\n";
  }
  if (info.client_bound) {
    out += "> **Warning:** the harness was client-bound.\n\n";
  }
  for (const auto& [target, phases] : stats.by_target_phase) {
    const std::string phase = headline_phase(phases);
    if (phase.empty()) {
      continue;
    }
    const metrics::stats& s = phases.at(phase);
    const phase_figures f = compute_figures(s);
    out += "### " + target + " (" + phase + ")\n\n";
    out += "| metric | p50 | p90 | p95 | p99 | p99.9 | max | count |\n";
    out += "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (auto name : {"ttft", "itl", "tpot", "e2e"}) {
      const metrics::histogram& h = s.*find_metric(name)->member;
      out += std::string("| ") + name;
      for (double p : table_percentiles) {
        out += " | " + dur_or_dash(h, p);
      }
      out += " | " + dur_or_dash(h, -1) + " | " + std::to_string(h.total_count()) + " |\n";
    }
    out += fmt("\n%" PRId64 " requests, %" PRId64 " ok, %" PRId64
               " failed; %.2f req/s, %.1f output tok/s; concurrency mean %.2f\n\n",
               s.outcomes.started(), s.outcomes.count(metrics::outcome::ok), s.outcomes.failed(),
               f.requests_per_s, f.output_tokens_per_s, f.concurrency_mean);
  }
  for (const auto& w : info.warnings) {
    out += "- warning: " + w + "\n";
  }
  return out;
}

}  // namespace gb::report
