#include "export/prometheus_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "export/text_writer.hpp"

namespace gb::exporter {

seconds_buckets to_seconds_buckets(const metrics::histogram& h) {
  seconds_buckets b;
  std::array<std::int64_t, bucket_bounds_s.size()> bound_ns{};
  for (std::size_t i = 0; i < bucket_bounds_s.size(); ++i) {
    bound_ns[i] = static_cast<std::int64_t>(std::llround(bucket_bounds_s[i] * 1e9));
  }
  // Per-bound counts first, then the running sum.
  std::array<std::int64_t, bucket_bounds_s.size() + 1> per{};
  const std::size_t n = h.used_len();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t c = h.count_at_index(i);
    if (c == 0) {
      continue;
    }
    const std::int64_t low = h.value_at_index(i);
    std::size_t k = 0;
    while (k < bound_ns.size() && low > bound_ns[k]) {
      ++k;
    }
    per[k] += c;
  }
  std::int64_t running = 0;
  for (std::size_t k = 0; k < per.size(); ++k) {
    running += per[k];
    b.cumulative[k] = running;
  }
  b.count = running;
  b.sum_s = h.mean() * static_cast<double>(running) / 1e9;
  return b;
}

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) {
    return std::to_string(static_cast<std::int64_t>(v));
  }
  char buf[32];
  const bool plain = std::fabs(v) >= 1e-6 && std::fabs(v) < 1e15;
  auto [p, ec] = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, p) : std::string("NaN");
}

std::string format_le(double v) {
  if (std::isinf(v)) {
    return "+Inf";
  }
  std::string s = format_value(v);
  // Prometheus client libraries write whole bounds as "1.0"; OpenMetrics requires a float form.
  if (s.find_first_of(".eE") == std::string::npos) {
    s += ".0";
  }
  return s;
}

void text_writer::family(std::string_view name, std::string_view type, std::string_view help,
                         std::string_view unit) {
  std::string_view fam = name;
  if (format_ == text_format::openmetrics && type == "counter" && fam.ends_with("_total")) {
    fam.remove_suffix(6);
  }
  out_.append("# HELP ").append(fam).append(" ").append(help).append("\n");
  out_.append("# TYPE ").append(fam).append(" ").append(type).append("\n");
  if (format_ == text_format::openmetrics && !unit.empty()) {
    out_.append("# UNIT ").append(fam).append(" ").append(unit).append("\n");
  }
}

void text_writer::sample(std::string_view name, const series_labels& l,
                         const std::vector<std::pair<std::string_view, std::string>>& extra,
                         double value, std::optional<double> timestamp_s) {
  out_.append(name);
  out_.append("{testid=\"").append(escape_label(l.run->testid));
  out_.append("\",target=\"").append(escape_label(l.target));
  out_.append("\",scenario=\"").append(escape_label(l.run->scenario));
  out_.append("\",phase=\"").append(escape_label(l.phase)).append("\"");
  for (const auto& [k, v] : extra) {
    out_.append(",").append(k).append("=\"").append(escape_label(v)).append("\"");
  }
  out_.append("} ").append(format_value(value));
  if (timestamp_s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.3f", *timestamp_s);
    out_.append(buf);
  }
  out_.append("\n");
}

void text_writer::histogram(std::string_view name, const series_labels& l, const seconds_buckets& b,
                            std::optional<double> timestamp_s) {
  const std::string base(name);
  for (std::size_t k = 0; k < b.cumulative.size(); ++k) {
    const double le = k < bucket_bounds_s.size() ? bucket_bounds_s[k] : INFINITY;
    sample(base + "_bucket", l, {{"le", format_le(le)}}, static_cast<double>(b.cumulative[k]),
           timestamp_s);
  }
  sample(base + "_count", l, {}, static_cast<double>(b.count), timestamp_s);
  sample(base + "_sum", l, {}, b.sum_s, timestamp_s);
}

namespace {

void resource_families(text_writer& w, const live_view& v) {
  struct who {
    const char* prefix;
    const char* label;
    const std::optional<sysmon::sample>* s;
  };
  for (const who& x : {who{"gatebench_target_", "target process tree", &v.target},
                       who{"gatebench_harness_", "gatebench process", &v.harness}}) {
    if (!x.s->has_value()) {
      continue;
    }
    const sysmon::sample& s = **x.s;
    const series_labels l{&v.labels, v.resource_target, v.current_phase};
    const std::string p = x.prefix;
    const std::string what = x.label;
    w.family(p + "resident_memory_bytes", "gauge", "Resident memory (VmRSS) of the " + what);
    w.sample(p + "resident_memory_bytes", l, {}, static_cast<double>(s.rss_bytes));
    w.family(p + "peak_resident_memory_bytes", "gauge",
             "Sum of VmHWM (peak resident memory) of the " + what);
    w.sample(p + "peak_resident_memory_bytes", l, {}, static_cast<double>(s.hwm_bytes));
    w.family(p + "cpu_cores", "gauge",
             "CPU cores used by the " + what + " over the last sampling interval");
    w.sample(p + "cpu_cores", l, {}, s.cores);
    w.family(p + "cpu_seconds_total", "counter",
             "CPU seconds (user+system) used by the " + what + " since sampling began");
    w.sample(p + "cpu_seconds_total", l, {}, s.cpu_seconds);
    w.family(p + "threads", "gauge", "Threads of the " + what);
    w.sample(p + "threads", l, {}, static_cast<double>(s.threads));
    if (s.fds >= 0) {
      w.family(p + "open_fds", "gauge", "Open file descriptors of the " + what);
      w.sample(p + "open_fds", l, {}, static_cast<double>(s.fds));
    }
  }
  if (v.client_bound) {
    w.family("gatebench_client_bound", "gauge",
             "1 when the harness itself limits the run (CPU above ~80% or schedule lag growing)");
    w.sample("gatebench_client_bound", series_labels{&v.labels, v.resource_target, v.current_phase},
             {}, *v.client_bound ? 1.0 : 0.0);
  }
}

}  // namespace

std::vector<live_series> series_from_stats(const metrics::run_stats& stats) {
  std::vector<live_series> out;
  for (const auto& [target, phases] : stats.by_target_phase) {
    for (const auto& [phase, st] : phases) {
      live_series l;
      l.target = target;
      l.phase = phase;
      l.started = st.outcomes.started();
      for (std::size_t o = 0; o < metrics::outcome_count; ++o) {
        const auto kind = static_cast<metrics::outcome>(o);
        l.finished[std::string(to_string(kind))] = st.outcomes.count(kind);
      }
      l.in_flight = st.outcomes.started() - st.outcomes.finished();
      l.input_tokens = st.input_tokens_total;
      l.output_tokens = st.output_tokens_total;
      l.ttft = st.ttft;
      l.itl = st.itl;
      l.e2e = st.e2e;
      l.tpot = st.tpot;
      l.has_tpot = true;
      out.push_back(std::move(l));
    }
  }
  return out;
}

std::string render_prometheus(const live_view& v) {
  text_writer w(text_format::prometheus);
  std::vector<const live_series*> sorted = v.series;
  std::sort(sorted.begin(), sorted.end(), [](const live_series* a, const live_series* b) {
    return std::tie(a->target, a->phase) < std::tie(b->target, b->phase);
  });
  auto each = [&](auto&& fn) {
    for (const live_series* s : sorted) {
      fn(series_labels{&v.labels, s->target, s->phase}, *s);
    }
  };
  using ls = live_series;
  if (!sorted.empty()) {
    w.family("gatebench_requests_started_total", "counter", "Requests started");
    each([&](const series_labels& l, const ls& s) {
      w.sample("gatebench_requests_started_total", l, {}, static_cast<double>(s.started));
    });
    w.family("gatebench_requests_total", "counter", "Requests finished, by outcome");
    each([&](const series_labels& l, const ls& s) {
      for (const auto& [outcome, n] : s.finished) {
        w.sample("gatebench_requests_total", l, {{"outcome", outcome}}, static_cast<double>(n));
      }
    });
    w.family("gatebench_requests_in_flight", "gauge", "Requests started and not yet finished");
    each([&](const series_labels& l, const ls& s) {
      w.sample("gatebench_requests_in_flight", l, {}, static_cast<double>(s.in_flight));
    });
    w.family("gatebench_input_tokens_total", "counter", "Input tokens of successful requests");
    each([&](const series_labels& l, const ls& s) {
      w.sample("gatebench_input_tokens_total", l, {}, static_cast<double>(s.input_tokens));
    });
    w.family("gatebench_output_tokens_total", "counter", "Output tokens of successful requests");
    each([&](const series_labels& l, const ls& s) {
      w.sample("gatebench_output_tokens_total", l, {}, static_cast<double>(s.output_tokens));
    });
    struct hist {
      const char* name;
      const char* help;
      metrics::histogram ls::*member;
    };
    for (const hist& h :
         {hist{"gatebench_ttft_seconds", "Time to first token (from the intended send)", &ls::ttft},
          hist{"gatebench_itl_seconds", "Gaps between consecutive content events", &ls::itl},
          hist{"gatebench_tpot_seconds", "Time per output token after the first", &ls::tpot},
          hist{"gatebench_e2e_seconds", "End-to-end request latency (from the intended send)",
               &ls::e2e}}) {
      const bool is_tpot = h.member == &ls::tpot;
      bool any = false;
      for (const live_series* s : sorted) {
        any = any || !is_tpot || s->has_tpot;
      }
      if (!any) {
        continue;
      }
      w.family(h.name, "histogram", h.help);
      each([&](const series_labels& l, const ls& s) {
        if (!is_tpot || s.has_tpot) {
          w.histogram(h.name, l, to_seconds_buckets(s.*h.member));
        }
      });
    }
  }
  resource_families(w, v);
  return std::move(w).take();
}

}  // namespace gb::exporter
