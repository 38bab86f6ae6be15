#include "analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "analysis/bootstrap.hpp"
#include "report/hist_codec.hpp"
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

/// The per-interval histograms of one metric of a target's phase (ttft, e2e, itl only).
std::vector<metrics::histogram> interval_blocks(const report::loaded_report& r,
                                                const std::string& target, const std::string& phase,
                                                const std::string& metric) {
  std::vector<metrics::histogram> out;
  const std::string metrics::interval_point::*field = metrics::interval_histogram_field(metric);
  if (field == nullptr) {
    return out;
  }
  for (const auto& p : r.stats.intervals) {
    if (p.target != target || p.phase != phase || (p.*field).empty()) {
      continue;
    }
    auto h = report::decode_histogram(p.*field);
    if (h) {
      out.push_back(std::move(*h));
    }
  }
  return out;
}

/// Bootstrap replicates of the given (ascending) percentiles of one run's metric.
class run_resampler {
 public:
  run_resampler(const metrics::histogram& whole, std::vector<metrics::histogram> blocks,
                const std::vector<double>& ps, std::size_t min_blocks)
      : blocks_(blocks), ps_(ps) {
    use_blocks_ = blocks_.blocks() >= min_blocks;
    for (double p : ps) {
      singles_.emplace_back(whole, p);
    }
  }
  bool by_blocks() const { return use_blocks_; }
  std::vector<double> sample(std::mt19937_64& rng) const {
    if (use_blocks_) {
      return blocks_.sample(rng, ps_);
    }
    std::vector<double> out;
    for (const auto& s : singles_) {
      out.push_back(s.sample(rng));
    }
    return out;
  }

 private:
  block_sampler blocks_;
  std::vector<double> ps_;
  std::vector<percentile_sampler> singles_;
  bool use_blocks_ = false;
};

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
      metric_change mc{target, name, bh.total_count(), nh.total_count(), "", {}, verdict::same};
      if (bh.total_count() == 0 || nh.total_count() == 0) {
        mc.result = verdict::no_data;
        r.metrics.push_back(std::move(mc));
        continue;
      }
      std::vector<double> ps = opts.percentiles;
      std::sort(ps.begin(), ps.end());
      const run_resampler rb(bh, interval_blocks(base, target, bp, name), ps, opts.min_blocks);
      const run_resampler rn(nh, interval_blocks(next, target, np, name), ps, opts.min_blocks);
      mc.method = rb.by_blocks() && rn.by_blocks() ? "intervals" : "requests";
      std::vector<std::vector<double>> diffs_ns(ps.size());
      for (int i = 0; i < std::max(1, opts.resamples); ++i) {
        const auto a = rb.sample(rng);
        const auto b = rn.sample(rng);
        for (std::size_t k = 0; k < ps.size(); ++k) {
          diffs_ns[k].push_back(b[k] - a[k]);
        }
      }
      for (std::size_t k = 0; k < ps.size(); ++k) {
        const double p = ps[k];
        percentile_change pc;
        pc.percentile = p;
        pc.base_ns = static_cast<double>(bh.value_at_percentile(p));
        pc.new_ns = static_cast<double>(nh.value_at_percentile(p));
        pc.relative = pc.base_ns > 0 ? (pc.new_ns - pc.base_ns) / pc.base_ns : 0;
        std::tie(pc.ci_low_ns, pc.ci_high_ns) = percentile_interval(diffs_ns[k], opts.confidence);
        const double tail =
            static_cast<double>(std::min(bh.total_count(), nh.total_count())) * (1.0 - p / 100.0);
        pc.gated = tail >= static_cast<double>(opts.min_tail_samples) &&
                   std::find(opts.gate.begin(), opts.gate.end(), p) != opts.gate.end();
        pc.result =
            pc.gated ? judge(pc.relative, pc.ci_low_ns, pc.ci_high_ns, opts.noise) : verdict::same;
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
