#include "analysis/overhead.hpp"

#include <cmath>
#include <cstdio>
#include <random>

#include "analysis/bootstrap.hpp"
#include "report/metric_table.hpp"

namespace gb::analysis {

namespace {

std::string f2(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

double per_ok(std::int64_t n, std::int64_t ok) {
  return ok > 0 ? static_cast<double>(n) / static_cast<double>(ok) : 0;
}

bool close_rel(double a, double b, double tol) {
  const double m = std::max(std::abs(a), std::abs(b));
  return m == 0 || std::abs(a - b) <= tol * m;
}

}  // namespace

gb::result<metric_overhead> compute_overhead(const std::string& metric,
                                             const std::vector<metrics::histogram>& direct_rounds,
                                             const std::vector<metrics::histogram>& gateway_rounds,
                                             const overhead_options& opts) {
  if (direct_rounds.empty()) {
    return gb::fail("overhead of ", metric, ": no rounds");
  }
  if (direct_rounds.size() != gateway_rounds.size()) {
    return gb::fail("overhead of ", metric, ": ", std::to_string(direct_rounds.size()),
                    " direct rounds but ", std::to_string(gateway_rounds.size()),
                    " gateway rounds");
  }
  const std::size_t n = direct_rounds.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (direct_rounds[i].total_count() == 0 || gateway_rounds[i].total_count() == 0) {
      return gb::fail("overhead of ", metric, ": round ", std::to_string(i + 1), " of the ",
                      direct_rounds[i].total_count() == 0 ? "direct" : "gateway",
                      " arm has no samples");
    }
  }
  metric_overhead out{metric, static_cast<std::int64_t>(n), {}};
  std::mt19937_64 rng(opts.seed);
  for (double q : opts.quantiles) {
    std::vector<percentile_sampler> ds;
    std::vector<percentile_sampler> gs;
    quantile_overhead qo;
    qo.quantile = q;
    std::vector<double> dq;
    std::vector<double> gq;
    for (std::size_t i = 0; i < n; ++i) {
      ds.emplace_back(direct_rounds[i], q);
      gs.emplace_back(gateway_rounds[i], q);
      qo.per_round_ns.push_back(gs.back().point() - ds.back().point());
      dq.push_back(ds.back().point());
      gq.push_back(gs.back().point());
    }
    std::vector<double> tmp = qo.per_round_ns;
    qo.median_ns = median_of(tmp);
    qo.direct_ns = median_of(dq);
    qo.gateway_ns = median_of(gq);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    std::vector<double> medians;
    std::vector<double> draw(n);
    for (int b = 0; b < std::max(1, opts.resamples); ++b) {
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = pick(rng);
        draw[k] = gs[i].sample(rng) - ds[i].sample(rng);
      }
      medians.push_back(median_of(draw));
    }
    std::tie(qo.ci_low_ns, qo.ci_high_ns) = percentile_interval(medians, opts.confidence);
    out.quantiles.push_back(std::move(qo));
  }
  return out;
}

gb::result<std::vector<metric_overhead>> compute_overheads(
    const std::vector<metrics::stats>& direct_rounds,
    const std::vector<metrics::stats>& gateway_rounds, const overhead_options& opts) {
  if (direct_rounds.size() != gateway_rounds.size() || direct_rounds.empty()) {
    return gb::fail("overhead needs the same number (>= 1) of rounds for both arms: ",
                    std::to_string(direct_rounds.size()), " direct, ",
                    std::to_string(gateway_rounds.size()), " gateway");
  }
  std::vector<metric_overhead> out;
  for (const char* name : {"e2e", "ttfb", "ttft", "itl"}) {
    const auto* m = report::find_metric(name);
    std::vector<metrics::histogram> d;
    std::vector<metrics::histogram> g;
    bool complete = true;
    for (std::size_t i = 0; i < direct_rounds.size(); ++i) {
      d.push_back(direct_rounds[i].*m->member);
      g.push_back(gateway_rounds[i].*m->member);
      complete = complete && d.back().total_count() > 0 && g.back().total_count() > 0;
    }
    if (!complete) {
      continue;
    }
    auto r = compute_overhead(name, d, g, opts);
    if (!r) {
      return r.err();
    }
    out.push_back(std::move(*r));
  }
  return out;
}

point_validity check_point(double direct_p99_ns, double floor_p99_ns, bool client_bound,
                           double factor) {
  point_validity v;
  if (floor_p99_ns > 0 && direct_p99_ns > factor * floor_p99_ns) {
    v.valid = false;
    v.reasons.push_back("direct arm not flat: p99 " + f2(direct_p99_ns / 1e6) +
                        " ms is more than " + f2(factor) + "x its floor " + f2(floor_p99_ns / 1e6) +
                        " ms (the rig is saturated)");
  }
  if (client_bound) {
    v.valid = false;
    v.reasons.push_back("the harness was client-bound");
  }
  return v;
}

fidelity_input fidelity_of(const metrics::stats& s) {
  return {s.outcomes.count(metrics::outcome::ok),
          s.content_events_total,
          s.output_tokens_total,
          s.tokens_from_usage,
          s.buffered_streams,
          s.content_hash};
}

fidelity_result check_fidelity(const fidelity_input& d, const fidelity_input& g) {
  fidelity_result r;
  const double de = per_ok(d.content_events, d.ok);
  const double ge = per_ok(g.content_events, g.ok);
  if (!close_rel(de, ge, 0.01)) {
    r.same_events = false;
    r.problems.push_back("content events per request differ: direct " + f2(de) + ", gateway " +
                         f2(ge));
  }
  const double dt = per_ok(d.output_tokens, d.ok);
  const double gt = per_ok(g.output_tokens, g.ok);
  if (!close_rel(dt, gt, 0.01)) {
    r.same_tokens = false;
    r.problems.push_back("output tokens per request differ: direct " + f2(dt) + ", gateway " +
                         f2(gt));
  }
  const double du = per_ok(d.tokens_from_usage, d.ok);
  const double gu = per_ok(g.tokens_from_usage, g.ok);
  if (std::abs(du - gu) > 0.01) {
    r.same_usage = false;
    r.problems.push_back("share of responses carrying usage differs: direct " + f2(du * 100) +
                         "%, gateway " + f2(gu * 100) + "%");
  }
  if (d.ok == g.ok && d.ok > 0) {
    r.hash_compared = true;
    r.same_text = d.content_hash == g.content_hash;
    if (!r.same_text) {
      r.problems.push_back("streamed text differs between the arms (content hash)");
    }
  }
  const double db = per_ok(d.buffered_streams, d.ok);
  const double gb_ = per_ok(g.buffered_streams, g.ok);
  if (gb_ > 0.5 && db < 0.05) {
    r.gateway_buffers = true;
    r.problems.push_back("the gateway buffers streams: " + f2(gb_ * 100) +
                         "% of its streams arrived in one burst (direct: " + f2(db * 100) + "%)");
  }
  return r;
}

}  // namespace gb::analysis
