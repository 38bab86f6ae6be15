#include "analysis/compare.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "analysis/bootstrap.hpp"
#include "report/metric_table.hpp"

namespace gb::analysis {

namespace {

namespace sc = gb::scenario;

std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string dist_text(const sc::distribution& d) {
  static const char* names[] = {"fixed", "uniform", "normal", "lognormal"};
  return std::string(names[static_cast<int>(d.shape)]) + "(" + num(d.value) + ", sd " +
         num(d.stddev) + ", " + num(d.min) + ".." + num(d.max) + ")";
}

std::string prompts_text(const sc::prompt_source& p) {
  static const char* names[] = {"synthetic", "lines", "jsonl", "sharegpt"};
  return std::string(names[static_cast<int>(p.type)]) + (p.path.empty() ? "" : " " + p.path) +
         " input " + dist_text(p.input_tokens) + " prefix " +
         std::to_string(p.shared_prefix_tokens);
}

template <class T>
void differ(std::vector<std::string>& out, const std::string& what, const T& a, const T& b) {
  if (!(a == b)) {
    if constexpr (std::is_same_v<T, std::string>) {
      out.push_back(what + ": '" + a + "' vs '" + b + "'");
    } else if constexpr (std::is_same_v<T, bool>) {
      out.push_back(what + ": " + (a ? "true" : "false") + " vs " + (b ? "true" : "false"));
    } else {
      out.push_back(what + ": " + num(static_cast<double>(a)) + " vs " +
                    num(static_cast<double>(b)));
    }
  }
}

verdict judge(double relative, double lo, double hi, double noise) {
  if (relative > noise && lo > 0) {
    return verdict::regression;
  }
  if (relative < -noise && hi < 0) {
    return verdict::improvement;
  }
  return verdict::same;
}

}  // namespace

std::string_view to_string(verdict v) noexcept {
  switch (v) {
    case verdict::same:
      return "same";
    case verdict::regression:
      return "regression";
    case verdict::improvement:
      return "improvement";
    case verdict::no_data:
      return "no_data";
  }
  return "same";
}

std::vector<std::string> load_differences(const sc::scenario& a, const sc::scenario& b) {
  std::vector<std::string> d;
  const auto mode = [](const sc::load& l) {
    return std::string(l.mode == sc::load::model::open ? "open" : "closed");
  };
  differ(d, "load mode", mode(a.load), mode(b.load));
  differ(d, "rate (req/s)", a.load.rate, b.load.rate);
  differ(d, "concurrency", a.load.concurrency, b.load.concurrency);
  differ(d, "arrival process", static_cast<int>(a.load.process), static_cast<int>(b.load.process));
  differ(d, "number of stages", a.load.stages.size(), b.load.stages.size());
  for (std::size_t i = 0; i < std::min(a.load.stages.size(), b.load.stages.size()); ++i) {
    differ(d, "stage " + std::to_string(i + 1) + " target", a.load.stages[i].target,
           b.load.stages[i].target);
    differ(d, "stage " + std::to_string(i + 1) + " duration (ns)", a.load.stages[i].duration_ns,
           b.load.stages[i].duration_ns);
  }
  differ(d, "workload model", a.workload.model, b.workload.model);
  differ(d, "workload stream", a.workload.stream, b.workload.stream);
  differ(d, "workload output_tokens", dist_text(a.workload.output_tokens),
         dist_text(b.workload.output_tokens));
  differ(d, "workload prompts", prompts_text(a.workload.prompts), prompts_text(b.workload.prompts));
  differ(d, "workload turns", a.workload.turns, b.workload.turns);
  differ(d, "workload mix entries", a.workload.mix.size(), b.workload.mix.size());
  std::map<std::string, const sc::target*> tb;
  for (const auto& t : b.targets) {
    tb[t.name] = &t;
  }
  for (const auto& t : a.targets) {
    auto it = tb.find(t.name);
    if (it == tb.end()) {
      continue;  // reported as a note by compare_reports
    }
    differ(d, "target " + t.name + " dialect", std::string(protocol::to_string(t.api)),
           std::string(protocol::to_string(it->second->api)));
    differ(d, "target " + t.name + " kind (role)", t.role, it->second->role);
  }
  return d;
}

gb::result<compare_result> compare_reports(const report::loaded_report& base,
                                           const report::loaded_report& next,
                                           const compare_options& opts) {
  compare_result r;
  r.base_path = base.path;
  r.new_path = next.path;
  r.noise = opts.noise;
  r.confidence = opts.confidence;
  auto diffs = load_differences(base.info.scenario, next.info.scenario);
  if (!diffs.empty()) {
    if (!opts.force) {
      std::string msg = "refusing to compare '" + base.path + "' with '" + next.path +
                        "': their loads differ (use --force to compare anyway):";
      for (const auto& x : diffs) {
        msg += "\n  - " + x;
      }
      return gb::error{msg};
    }
    r.load_differences = diffs;
  }
  std::mt19937_64 rng(opts.seed);
  bool shared = false;
  for (const auto& [target, base_phases] : base.stats.by_target_phase) {
    auto nt = next.stats.by_target_phase.find(target);
    if (nt == next.stats.by_target_phase.end()) {
      r.notes.push_back("target '" + target + "' is only in the base report");
      continue;
    }
    const std::string bp = report::headline_phase(base_phases);
    const std::string np = report::headline_phase(nt->second);
    if (bp.empty() || np.empty()) {
      continue;
    }
    shared = true;
    const metrics::stats& bs = base_phases.at(bp);
    const metrics::stats& ns = nt->second.at(np);
    const auto bf = report::compute_figures(bs);
    const auto nf = report::compute_figures(ns);
    target_change tc{target,        bf.requests_per_s, nf.requests_per_s,
                     bf.error_rate, nf.error_rate,     false};
    tc.error_regression = nf.error_rate - bf.error_rate > opts.error_rate_tolerance;
    r.regression = r.regression || tc.error_regression;
    r.targets.push_back(tc);
    for (const auto& name : opts.metrics) {
      const auto* m = report::find_metric(name);
      if (m == nullptr) {
        return gb::fail("unknown metric '", name, "' to compare");
      }
      const metrics::histogram& bh = bs.*m->member;
      const metrics::histogram& nh = ns.*m->member;
      metric_change mc{target, name, bh.total_count(), nh.total_count(), {}, verdict::same};
      if (bh.total_count() == 0 || nh.total_count() == 0) {
        mc.result = verdict::no_data;
        r.metrics.push_back(std::move(mc));
        continue;
      }
      for (double p : opts.percentiles) {
        percentile_sampler sb(bh, p);
        percentile_sampler sn(nh, p);
        percentile_change pc;
        pc.percentile = p;
        pc.base_ns = sb.point();
        pc.new_ns = sn.point();
        pc.relative = pc.base_ns > 0 ? (pc.new_ns - pc.base_ns) / pc.base_ns : 0;
        std::vector<double> diffs_ns;
        diffs_ns.reserve(static_cast<std::size_t>(std::max(1, opts.resamples)));
        for (int i = 0; i < std::max(1, opts.resamples); ++i) {
          diffs_ns.push_back(sn.sample(rng) - sb.sample(rng));
        }
        std::tie(pc.ci_low_ns, pc.ci_high_ns) = percentile_interval(diffs_ns, opts.confidence);
        pc.result = judge(pc.relative, pc.ci_low_ns, pc.ci_high_ns, opts.noise);
        if (pc.result == verdict::regression) {
          mc.result = verdict::regression;
        } else if (pc.result == verdict::improvement && mc.result == verdict::same) {
          mc.result = verdict::improvement;
        }
        mc.percentiles.push_back(pc);
      }
      r.regression = r.regression || mc.result == verdict::regression;
      r.metrics.push_back(std::move(mc));
    }
  }
  for (const auto& [target, phases] : next.stats.by_target_phase) {
    if (base.stats.by_target_phase.count(target) == 0) {
      r.notes.push_back("target '" + target + "' is only in the new report");
    }
  }
  if (!shared) {
    return gb::fail("'", base.path, "' and '", next.path, "' have no target in common");
  }
  return r;
}

}  // namespace gb::analysis
