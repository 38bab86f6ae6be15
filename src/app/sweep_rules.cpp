// Sweeps: the pure rules (verdicts, the rate search); see sweep_runner.hpp.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "app/sweep_runner.hpp"
#include "report/metric_table.hpp"
#include "report/report.hpp"
#include "util/units.hpp"

namespace gb::app {

// ---- pure parts ---------------------------------------------------------------------------------

double round_level(double v) {
  if (v <= 0 || !std::isfinite(v)) {
    return v;
  }
  const double mag = std::pow(10.0, std::floor(std::log10(v)) - 2);
  return std::round(v / mag) * mag;
}

point_figures figures_of(const metrics::stats& s, double level, bool open,
                         const std::vector<scenario::slo>& slos) {
  point_figures p;
  p.level = level;
  p.open = open;
  const report::phase_figures f = report::compute_figures(s);
  // Achieved throughput over the completion span: from the phase's start to its last completion,
  // less a typical service time (so an unsaturated point spans about its duration, while a
  // saturated one, whose backlog drains after the phase, spans longer).
  const std::int64_t last = std::max(s.phase_end_ns, s.last_done_ns);
  const std::int64_t typical =
      s.e2e_service.total_count() > 0 ? s.e2e_service.value_at_percentile(50) : 0;
  const std::int64_t span = std::max(f.duration_ns, last - s.phase_start_ns - typical);
  const auto ok = s.outcomes.count(metrics::outcome::ok);
  p.achieved_rps = span > 0 ? static_cast<double>(ok) * 1e9 / static_cast<double>(span) : 0;
  p.error_rate = f.error_rate;
  p.finished = s.outcomes.finished();
  p.dropped = s.dropped;
  const std::int64_t denom = p.finished + p.dropped;
  p.goodput = denom > 0 ? static_cast<double>(s.slo_met) / static_cast<double>(denom) : 0;
  auto pct = [](const metrics::histogram& h, double q) -> std::int64_t {
    return h.total_count() > 0 ? h.value_at_percentile(q) : 0;
  };
  p.e2e_p50_ns = pct(s.e2e, 50);
  p.e2e_p99_ns = pct(s.e2e, 99);
  p.ttft_p50_ns = pct(s.ttft, 50);
  p.ttft_p99_ns = pct(s.ttft, 99);
  for (const auto& slo : slos) {
    const auto* m = report::find_metric(slo.metric);
    if (m == nullptr) {
      continue;
    }
    const metrics::histogram& h = s.*(m->member);
    if (h.total_count() > 0 && h.value_at_percentile(99) > slo.max_ns) {
      p.slo_misses.push_back(slo.metric + " p99 " + format_duration(h.value_at_percentile(99)) +
                             " > " + format_duration(slo.max_ns));
    }
  }
  return p;
}

namespace {

std::string fmt(const char* f, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

std::string join(const std::vector<std::string>& xs, const char* sep) {
  std::string out;
  for (const auto& x : xs) {
    out += (out.empty() ? "" : sep) + x;
  }
  return out;
}

}  // namespace

point_judgement judge_point(const point_figures& p, const std::optional<point_figures>& lower) {
  if (p.finished == 0) {
    return {point_verdict::slo_failed, "no request finished"};
  }
  if (p.open && p.achieved_rps < sweep_achieved_min * p.level) {
    return {point_verdict::saturated, fmt("saturated: achieved %.4g req/s of %.4g (%.0f%%)",
                                          p.achieved_rps, p.level, 100 * p.achieved_rps / p.level)};
  }
  if (lower && lower->level > 0 && lower->achieved_rps > 0 && p.level > lower->level) {
    const double load_growth = p.level / lower->level - 1;
    const double thr_growth = p.achieved_rps / lower->achieved_rps - 1;
    const bool latency_climbs =
        lower->e2e_p50_ns > 0 && static_cast<double>(p.e2e_p50_ns) > 1.1 * lower->e2e_p50_ns;
    if (thr_growth < 0.25 * load_growth && latency_climbs) {
      return {point_verdict::saturated,
              fmt("saturated: throughput %+.0f%% for %+.0f%% load while e2e p50 rose %+.0f%%",
                  100 * thr_growth, 100 * load_growth,
                  100 * (static_cast<double>(p.e2e_p50_ns) / lower->e2e_p50_ns - 1))};
    }
  }
  const bool misses = p.goodput < sweep_goodput_min || !p.failed_thresholds.empty();
  if (p.client_bound && misses) {
    // The harness may be the reason: inconclusive, never a pass.
    return {point_verdict::client_bound, "client-bound: the harness limited the load"};
  }
  if (misses) {
    std::vector<std::string> why;
    if (p.goodput < sweep_goodput_min) {
      why.push_back(fmt("goodput %.1f%% < %.0f%%", 100 * p.goodput, 100 * sweep_goodput_min));
    }
    if (p.error_rate > 0) {
      why.push_back(fmt("errors %.2f%%", 100 * p.error_rate));
    }
    if (p.dropped > 0) {
      why.push_back(fmt("%" PRId64 " dropped", p.dropped));
    }
    why.insert(why.end(), p.slo_misses.begin(), p.slo_misses.end());
    for (const auto& t : p.failed_thresholds) {
      why.push_back("threshold " + t);
    }
    return {point_verdict::slo_failed, "SLO: " + join(why, "; ")};
  }
  if (p.client_bound) {
    return {point_verdict::pass,
            "client-bound, but every SLO held (latencies include harness delay)"};
  }
  return {point_verdict::pass, ""};
}

rate_search::rate_search(double min, double max) : min_(min), max_(max) {}

std::optional<double> rate_search::next() const {
  if (!last_) {
    return min_;
  }
  if (!bad_) {
    if (*last_ >= max_) {
      return std::nullopt;  // every level up to max passed
    }
    return std::min(round_level(*last_ * sweep_ramp_factor), max_);
  }
  if (!good_ || *bad_ <= *good_ * sweep_search_step) {
    return std::nullopt;
  }
  const double mid = round_level((*good_ + *bad_) / 2);
  if (mid <= *good_ || mid >= *bad_) {
    return std::nullopt;
  }
  return mid;
}

void rate_search::record(double level, bool passed) {
  last_ = level;
  if (passed) {
    good_ = good_ ? std::max(*good_, level) : level;
  } else {
    bad_ = bad_ ? std::min(*bad_, level) : level;
  }
}

}  // namespace gb::app
