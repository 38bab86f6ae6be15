#include "analysis/threshold.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "report/metric_table.hpp"
#include "report/report.hpp"
#include "util/units.hpp"

namespace gb::analysis {

namespace {

constexpr std::string_view grammar_text =
    "thresholds are METRIC[{target=NAME}]:STAT OP VALUE, e.g. ttft:p(95)<500ms, e2e:p(99)<5s, "
    "itl:p(50)<40ms, errors:rate<0.5%, goodput:rate>99%, throughput:rps>200, "
    "output_tokens_per_s:value>5000\n"
    "  METRIC: ttft itl tpot e2e ttfb ttft_service e2e_service ttfb_service schedule_lag "
    "time_to_error output_tokens input_tokens errors requests goodput dropped throughput "
    "concurrency output_tokens_per_s input_tokens_per_s\n"
    "  STAT: min max avg med p(N) rate count value rps\n"
    "  OP: < <= > >= ==\n"
    "  VALUE: a duration for latencies (500ms, 1.5s; a bare number is ms), a percentage or "
    "fraction for rates (0.5%, 0.005), a number otherwise";

bool is_histogram_metric(std::string_view m) {
  return report::find_metric(m) != nullptr;
}

bool is_latency_metric(std::string_view m) {
  const auto* e = report::find_metric(m);
  return e != nullptr && e->unit == "ns";
}

/// Which stats each non-histogram metric accepts.
bool stat_allowed(std::string_view metric, stat_kind s) {
  if (is_histogram_metric(metric)) {
    return s == stat_kind::min || s == stat_kind::max || s == stat_kind::avg ||
           s == stat_kind::med || s == stat_kind::percentile || s == stat_kind::count;
  }
  if (metric == "errors" || metric == "goodput" || metric == "dropped") {
    return s == stat_kind::rate || s == stat_kind::count;
  }
  if (metric == "requests") {
    return s == stat_kind::count || s == stat_kind::rps || s == stat_kind::rate;
  }
  if (metric == "throughput") {
    return s == stat_kind::rps || s == stat_kind::value;
  }
  if (metric == "concurrency") {
    return s == stat_kind::avg || s == stat_kind::max || s == stat_kind::value;
  }
  if (metric == "output_tokens_per_s" || metric == "input_tokens_per_s") {
    return s == stat_kind::value;
  }
  return false;
}

bool is_rate(const threshold& t) {
  return t.stat == stat_kind::rate && t.metric != "requests";
}

std::string trim(std::string_view s) {
  std::size_t a = 0;
  std::size_t b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a])) != 0) {
    ++a;
  }
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])) != 0) {
    --b;
  }
  return std::string(s.substr(a, b - a));
}

gb::error bad(std::string_view text, const std::string& why) {
  return gb::fail("invalid threshold '", std::string(text), "': ", why, "\n",
                  std::string(grammar_text));
}

gb::result<double> parse_plain(std::string_view v) {
  double x = 0;
  const auto* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, x);
  if (ec != std::errc{} || p != end || !std::isfinite(x)) {
    return gb::fail("'", std::string(v), "' is not a number");
  }
  return x;
}

bool compare(double measured, compare_op op, double bound) {
  switch (op) {
    case compare_op::lt:
      return measured < bound;
    case compare_op::le:
      return measured <= bound;
    case compare_op::gt:
      return measured > bound;
    case compare_op::ge:
      return measured >= bound;
    case compare_op::eq:
      return measured == bound;
  }
  return false;
}

std::string format_measured(const threshold& t, double v) {
  char buf[64];
  if (is_latency_metric(t.metric) && t.stat != stat_kind::count) {
    return format_duration(static_cast<std::int64_t>(std::llround(v)));
  }
  if (is_rate(t)) {
    std::snprintf(buf, sizeof buf, "%.3g%%", v * 100);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string_view threshold_grammar() {
  return grammar_text;
}

gb::result<threshold> parse_threshold(std::string_view raw) {
  threshold t;
  t.text = trim(raw);
  const std::string_view text = t.text;
  if (text.empty()) {
    return bad(raw, "it is empty");
  }
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return bad(text, "missing ':' between METRIC and STAT");
  }
  std::string metric = trim(text.substr(0, colon));
  if (const auto brace = metric.find('{'); brace != std::string::npos) {
    if (metric.back() != '}') {
      return bad(text, "a qualifier is written {target=NAME}");
    }
    const std::string q =
        trim(std::string_view(metric).substr(brace + 1, metric.size() - brace - 2));
    if (q.rfind("target=", 0) != 0 || q.size() == 7) {
      return bad(text, "the only qualifier is {target=NAME}");
    }
    t.target = q.substr(7);
    metric = trim(std::string_view(metric).substr(0, brace));
  }
  t.metric = metric;
  if (!is_histogram_metric(metric) && !stat_allowed(metric, stat_kind::value) &&
      !stat_allowed(metric, stat_kind::rate) && !stat_allowed(metric, stat_kind::avg)) {
    return bad(text, "unknown metric '" + metric + "'");
  }
  std::string_view rest = text.substr(colon + 1);
  const auto op_pos = rest.find_first_of("<>=");
  if (op_pos == std::string_view::npos) {
    return bad(text, "missing comparison operator (< <= > >= ==)");
  }
  const std::string stat = trim(rest.substr(0, op_pos));
  if (stat == "min") {
    t.stat = stat_kind::min;
  } else if (stat == "max") {
    t.stat = stat_kind::max;
  } else if (stat == "avg") {
    t.stat = stat_kind::avg;
  } else if (stat == "med") {
    t.stat = stat_kind::med;
  } else if (stat == "rate") {
    t.stat = stat_kind::rate;
  } else if (stat == "count") {
    t.stat = stat_kind::count;
  } else if (stat == "value") {
    t.stat = stat_kind::value;
  } else if (stat == "rps") {
    t.stat = stat_kind::rps;
  } else if (stat.size() > 3 && stat.rfind("p(", 0) == 0 && stat.back() == ')') {
    auto p = parse_plain(trim(std::string_view(stat).substr(2, stat.size() - 3)));
    if (!p || *p < 0 || *p > 100) {
      return bad(text, "p(N) needs N between 0 and 100");
    }
    t.stat = stat_kind::percentile;
    t.percentile = *p;
  } else {
    return bad(text, "unknown STAT '" + stat + "'");
  }
  if (!stat_allowed(metric, t.stat)) {
    return bad(text, "metric '" + metric + "' has no STAT '" + stat + "'");
  }
  std::string_view after = rest.substr(op_pos);
  if (after.rfind("<=", 0) == 0) {
    t.op = compare_op::le;
    after.remove_prefix(2);
  } else if (after.rfind(">=", 0) == 0) {
    t.op = compare_op::ge;
    after.remove_prefix(2);
  } else if (after.rfind("==", 0) == 0) {
    t.op = compare_op::eq;
    after.remove_prefix(2);
  } else if (after[0] == '<') {
    t.op = compare_op::lt;
    after.remove_prefix(1);
  } else if (after[0] == '>') {
    t.op = compare_op::gt;
    after.remove_prefix(1);
  } else {
    return bad(text, "unknown operator (use < <= > >= ==)");
  }
  const std::string value = trim(after);
  if (value.empty()) {
    return bad(text, "missing VALUE after the operator");
  }
  if (is_latency_metric(metric) && t.stat != stat_kind::count) {
    if (auto plain = parse_plain(value)) {
      t.value = *plain * 1e6;  // k6: a bare number is milliseconds
    } else if (auto d = parse_duration_ns(value)) {
      t.value = static_cast<double>(*d);
    } else {
      return bad(text, "'" + value + "' is not a duration (e.g. 500ms, 1.5s)");
    }
    if (t.value < 0) {
      return bad(text, "a duration cannot be negative");
    }
    if (!std::isfinite(t.value)) {
      return bad(text, "'" + value + "' is too large for a duration");
    }
  } else if (is_rate(t)) {
    auto r = parse_ratio(value);
    if (!r) {
      return bad(text, "'" + value + "' is not a percentage or fraction (e.g. 0.5% or 0.005)");
    }
    t.value = *r;
  } else {
    auto n = parse_si_number(value);
    if (!n) {
      return bad(text, "'" + value + "' is not a number");
    }
    t.value = *n;
  }
  return t;
}

gb::result<double> measure(const threshold& t, const metrics::stats& s) {
  if (const auto* m = report::find_metric(t.metric)) {
    const metrics::histogram& h = s.*m->member;
    if (t.stat == stat_kind::count) {
      return static_cast<double>(h.total_count());
    }
    if (h.total_count() == 0) {
      return gb::fail("no samples");
    }
    switch (t.stat) {
      case stat_kind::min:
        return static_cast<double>(h.min());
      case stat_kind::max:
        return static_cast<double>(h.max());
      case stat_kind::avg:
        return h.mean();
      case stat_kind::med:
        return static_cast<double>(h.value_at_percentile(50));
      case stat_kind::percentile:
        return static_cast<double>(h.value_at_percentile(t.percentile));
      default:
        return gb::fail("unsupported stat");
    }
  }
  const report::phase_figures f = report::compute_figures(s);
  const auto& l = s.outcomes;
  const double finished = static_cast<double>(l.finished());
  if (t.metric == "errors") {
    if (t.stat == stat_kind::count) {
      return static_cast<double>(l.failed());
    }
    if (finished == 0) {
      return gb::fail("no finished requests");
    }
    return f.error_rate;
  }
  if (t.metric == "goodput") {
    if (t.stat == stat_kind::count) {
      return static_cast<double>(s.slo_met);
    }
    if (finished == 0) {
      return gb::fail("no finished requests");
    }
    return f.goodput_ratio;
  }
  if (t.metric == "dropped") {
    if (t.stat == stat_kind::count) {
      return static_cast<double>(s.dropped);
    }
    const double arrivals = static_cast<double>(l.started() + s.dropped);
    return arrivals > 0 ? static_cast<double>(s.dropped) / arrivals : 0.0;
  }
  if (t.metric == "requests") {
    if (t.stat == stat_kind::count) {
      return static_cast<double>(l.started());
    }
    return f.requests_per_s;
  }
  if (t.metric == "throughput") {
    return f.requests_per_s;
  }
  if (t.metric == "concurrency") {
    return t.stat == stat_kind::max ? static_cast<double>(f.concurrency_max) : f.concurrency_mean;
  }
  if (t.metric == "output_tokens_per_s") {
    return f.output_tokens_per_s;
  }
  if (t.metric == "input_tokens_per_s") {
    return f.input_tokens_per_s;
  }
  return gb::fail("unknown metric '", t.metric, "'");
}

std::vector<threshold_result> evaluate_thresholds(const std::vector<threshold>& ts,
                                                  const metrics::run_stats& stats) {
  std::vector<threshold_result> out;
  for (const auto& t : ts) {
    bool matched = false;
    for (const auto& [target, phases] : stats.by_target_phase) {
      if (!t.target.empty() && t.target != target) {
        continue;
      }
      const std::string phase = report::headline_phase(phases);
      if (phase.empty()) {
        continue;
      }
      matched = true;
      threshold_result r{t, target, false, 0, ""};
      auto v = measure(t, phases.at(phase));
      if (!v) {
        r.measured_text = v.message();
      } else {
        r.measured = *v;
        r.passed = compare(*v, t.op, t.value);
        r.measured_text = format_measured(t, *v);
      }
      out.push_back(std::move(r));
    }
    if (!matched) {
      out.push_back({t, t.target, false, 0,
                     t.target.empty() ? "no target measured" : "no target named " + t.target});
    }
  }
  return out;
}

bool all_passed(const std::vector<threshold_result>& rs) {
  for (const auto& r : rs) {
    if (!r.passed) {
      return false;
    }
  }
  return true;
}

std::string format_threshold_results(const std::vector<threshold_result>& rs, bool color) {
  std::string out;
  for (const auto& r : rs) {
    const char* mark = r.passed ? "✓" : "✗";
    const char* on = color ? (r.passed ? "\x1b[32m" : "\x1b[31m") : "";
    const char* off = color ? "\x1b[0m" : "";
    out += std::string(on) + mark + off + " " + r.th.text + "  [" + r.target + "] " +
           r.measured_text + "\n";
  }
  return out;
}

bool can_still_pass(const threshold& t, const metrics::stats& so_far,
                    std::int64_t planned_requests) {
  const bool upper = t.op == compare_op::lt || t.op == compare_op::le || t.op == compare_op::eq;
  const bool lower = t.op == compare_op::gt || t.op == compare_op::ge;
  auto v = measure(t, so_far);
  // A value that only grows can still meet an upper bound while it is below it.
  const auto growing_ok = [&](double x) {
    return t.op == compare_op::lt ? x < t.value : x <= t.value;
  };
  if (t.stat == stat_kind::count) {
    return !v || !upper || growing_ok(*v);
  }
  if (report::find_metric(t.metric) != nullptr) {
    if (!v) {
      return true;
    }
    if (t.stat == stat_kind::max && upper) {
      return growing_ok(*v);
    }
    if (t.stat == stat_kind::min && lower) {
      return compare(*v, t.op, t.value);  // min only shrinks
    }
    if (t.stat == stat_kind::percentile && planned_requests > 0 &&
        (t.op == compare_op::lt || t.op == compare_op::le)) {
      const metrics::histogram& h = so_far.*report::find_metric(t.metric)->member;
      const auto bound = static_cast<std::int64_t>(std::fmin(t.value, 9.0e18));  // no UB cast
      const double at_or_below = h.percentile_at_or_below(bound) / 100.0;
      const double above = static_cast<double>(h.total_count()) * (1.0 - at_or_below);
      // Samples per request: 1 for request metrics; unknown for itl (many per request).
      if (t.metric != "itl") {
        return above <= (1.0 - t.percentile / 100.0) * static_cast<double>(planned_requests);
      }
    }
    return true;
  }
  if (planned_requests > 0) {
    const double plan = static_cast<double>(planned_requests);
    if (t.metric == "errors" && t.stat == stat_kind::rate && upper) {
      const double min_rate = static_cast<double>(so_far.outcomes.failed()) / plan;
      return growing_ok(min_rate);
    }
    if (t.metric == "goodput" && t.stat == stat_kind::rate && lower) {
      const double remaining =
          std::max<double>(0, plan - static_cast<double>(so_far.outcomes.finished()));
      const double best = (static_cast<double>(so_far.slo_met) + remaining) / plan;
      return compare(best, t.op, t.value);
    }
  }
  return true;
}

}  // namespace gb::analysis
