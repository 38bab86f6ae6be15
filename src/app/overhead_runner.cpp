#include "app/overhead_runner.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "analysis/bootstrap.hpp"
#include "analysis/gate.hpp"
#include "analysis/threshold.hpp"
#include "app/overhead_detail.hpp"
#include "driver/driver.hpp"
#include "report/metric_table.hpp"
#include "util/clock.hpp"
#include "util/units.hpp"

namespace gb::app::overhead {

using detail::evaluate;
using detail::find_ceilings;
using detail::is_overhead_metric;
using detail::parse_overhead_threshold;

namespace {

constexpr std::string_view threshold_prefix = "overhead:";

/// The measured metrics, in report order.
std::string fmt_rate(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g/s", r);
  return buf;
}

}  // namespace

void take_overhead_thresholds(scenario::scenario& sc, settings& set) {
  std::vector<scenario::threshold> kept;
  for (auto& t : sc.thresholds) {
    std::string_view e = t.expression;
    while (!e.empty() && e.front() == ' ') {
      e.remove_prefix(1);
    }
    if (e.starts_with(threshold_prefix)) {
      set.thresholds.push_back(std::string(e));
    } else {
      kept.push_back(std::move(t));
    }
  }
  sc.thresholds = std::move(kept);
}

bool result::passed() const {
  return std::all_of(thresholds.begin(), thresholds.end(),
                     [](const threshold_outcome& t) { return t.passed; });
}

// ---- arms and points ---------------------------------------------------------------------------

gb::result<std::vector<arm>> arms_of(const scenario::scenario& sc) {
  std::vector<arm> out;
  for (const char* role : {"direct", "gateway", "proxy"}) {
    int n = 0;
    for (std::size_t i = 0; i < sc.targets.size(); ++i) {
      if (sc.targets[i].role == role) {
        ++n;
        out.push_back({role, i, sc.targets[i].name});
      }
    }
    if (n > 1) {
      return gb::fail("the scenario has ", std::to_string(n), " targets with role ", role,
                      "; an overhead run compares exactly one direct, one gateway and at most "
                      "one proxy target");
    }
    if (n == 0 && std::string_view(role) != "proxy") {
      return gb::fail("an overhead run needs a target with role: ", role,
                      " (targets: [{name: direct, url: ..., role: direct}, {name: gateway, url: "
                      "..., role: gateway}])");
    }
  }
  return out;
}

bool is_overhead_scenario(const scenario::scenario& sc) {
  bool direct = false;
  bool gateway = false;
  for (const auto& t : sc.targets) {
    direct = direct || t.role == "direct";
    gateway = gateway || t.role == "gateway";
  }
  return direct && gateway;
}

gb::status check_settings(const settings& set) {
  if (set.rounds < 2) {
    return gb::fail(
        "rounds must be at least 2 (the interval comes from the spread across "
        "rounds), got ",
        std::to_string(set.rounds));
  }
  if (set.round_requests < 0) {
    return gb::fail("round_requests must not be negative");
  }
  if (set.round_requests == 0 && set.round_duration_ns <= 0) {
    return gb::fail("round_duration must be greater than 0");
  }
  if (set.round_warmup_ns < -1) {
    return gb::fail("round_warmup must not be negative");
  }
  for (double r : set.rates) {
    if (!(r > 0) || !std::isfinite(r)) {
      return gb::fail("every overhead rate must be greater than 0, got ", std::to_string(r));
    }
  }
  if (!(set.flat_factor > 1)) {
    return gb::fail("flat_factor must be greater than 1, got ", std::to_string(set.flat_factor));
  }
  if (!is_overhead_metric(set.ceiling_metric)) {
    return gb::fail("ceiling metric '", set.ceiling_metric, "' must be e2e, ttfb, ttft or itl");
  }
  if (set.stats.quantiles.empty()) {
    return gb::fail("give at least one quantile");
  }
  for (double q : set.stats.quantiles) {
    if (!(q > 0 && q < 100)) {
      return gb::fail("quantiles must lie between 0 and 100 (exclusive), got ", std::to_string(q));
    }
  }
  if (set.stats.resamples < 100) {
    return gb::fail("resamples must be at least 100, got ", std::to_string(set.stats.resamples));
  }
  if (!(set.stats.confidence > 0.5 && set.stats.confidence < 1)) {
    return gb::fail("confidence must lie between 0.5 and 1, e.g. 0.95");
  }
  if (!set.concurrency_one && !set.scenario_load && set.rates.empty()) {
    return gb::fail(
        "nothing to measure: concurrency_one and scenario_load are off and no rates "
        "were given");
  }
  for (const auto& t : set.thresholds) {
    if (auto p = parse_overhead_threshold(t); !p) {
      return p.err();
    }
  }
  return {};
}

std::vector<load_point> load_points(const scenario::scenario& sc, const settings& set) {
  std::vector<load_point> out;
  auto add = [&out](load_point p) {
    for (const auto& q : out) {
      if (q.open == p.open && (p.open ? q.rate == p.rate : q.concurrency == p.concurrency)) {
        return;
      }
    }
    out.push_back(std::move(p));
  };
  if (set.concurrency_one) {
    add({"c=1", false, 1, 0});
  }
  if (set.scenario_load) {
    const auto& l = sc.load;
    if (l.mode == scenario::load::model::open && l.rate > 0) {
      add({fmt_rate(l.rate), true, l.concurrency, l.rate});
    } else if (l.mode == scenario::load::model::closed) {
      add({"c=" + std::to_string(l.concurrency), false, l.concurrency, 0});
    }
    if (sc.sweep.type == scenario::sweep::kind::rates) {
      for (double r : sc.sweep.points) {
        add({fmt_rate(r), true, l.concurrency, r});
      }
    }
  }
  for (double r : set.rates) {
    add({fmt_rate(r), true, sc.load.concurrency, r});
  }
  return out;
}

// ---- running -----------------------------------------------------------------------------------

namespace {

struct arm_run {
  metrics::stats main;
  bool client_bound = false;
  std::vector<std::string> warnings;
  double cpu_s = 0;
  bool interrupted = false;
  std::string stop_reason;
};

/// The scenario of one arm at one load point for one round.
scenario::scenario round_scenario(const scenario::scenario& base, const arm& a, const load_point& p,
                                  const settings& set, std::uint64_t seed, std::int64_t warmup_ns,
                                  std::int64_t duration_ns, std::int64_t requests) {
  scenario::scenario sc = base;
  sc.targets = {base.targets[a.target_index]};
  sc.sweep = {};
  sc.thresholds.clear();
  sc.output = {};
  sc.seed = seed;
  for (auto& m : sc.workload.mix) {
    m.target.clear();  // every arm gets the same mix
  }
  auto& l = sc.load;
  l.stages.clear();
  l.cooldown_ns = 0;
  l.warmup_ns = warmup_ns;
  if (set.threads > 0) {
    l.threads = set.threads;
  }
  if (p.open) {
    l.mode = scenario::load::model::open;
    l.rate = p.rate;
    l.requests = 0;
    l.duration_ns = duration_ns;
  } else {
    l.mode = scenario::load::model::closed;
    l.concurrency = p.concurrency;
    l.requests = requests;
    l.duration_ns = requests > 0 ? 0 : duration_ns;
  }
  return sc;
}

std::int64_t round_warmup(const settings& set, const load_point& p) {
  if (set.round_warmup_ns >= 0) {
    return set.round_warmup_ns;
  }
  return !p.open && set.round_requests > 0 ? 0 : 100'000'000;
}

gb::result<arm_run> run_arm(const scenario::scenario& sc, const std::string& target) {
  driver::prepare_error perr;
  auto setup = driver::prepare_run(sc, perr);
  if (!setup) {
    return gb::fail(perr.message);
  }
  driver::run_options opt;
  opt.threads = sc.load.threads;
  driver::run_result r = driver::run(*setup, opt);
  arm_run out;
  auto t = r.stats.by_target_phase.find(target);
  if (t != r.stats.by_target_phase.end()) {
    auto m = t->second.find("main");
    if (m != t->second.end()) {
      out.main = std::move(m->second);
    }
  }
  out.client_bound = r.client_bound;
  out.warnings = std::move(r.warnings);
  out.cpu_s = r.harness_cpu_s;
  out.interrupted = r.interrupted;
  out.stop_reason = r.stop_reason;
  return out;
}

double median_p99(const std::vector<metrics::stats>& rounds, const std::string& metric) {
  const auto* m = report::find_metric(metric);
  std::vector<double> xs;
  for (const auto& s : rounds) {
    const metrics::histogram& h = s.*(m->member);
    if (h.total_count() > 0) {
      xs.push_back(static_cast<double>(h.value_at_percentile(99)));
    }
  }
  return analysis::median_of(xs);
}

void add_warnings(arm_result& a, const std::vector<std::string>& ws) {
  for (const auto& w : ws) {
    if (std::find(a.warnings.begin(), a.warnings.end(), w) == a.warnings.end()) {
      a.warnings.push_back(w);
    }
  }
}

std::string errors_text(const metrics::stats& s) {
  std::string out;
  for (std::size_t i = 1; i < metrics::outcome_count; ++i) {
    const auto o = static_cast<metrics::outcome>(i);
    if (s.outcomes.count(o) > 0) {
      out += (out.empty() ? "" : ", ") + std::to_string(s.outcomes.count(o)) + " " +
             std::string(metrics::to_string(o));
    }
  }
  for (const auto& [code, n] : s.outcomes.by_status()) {
    out += " [" + std::to_string(n) + "×" + std::to_string(code) + "]";
  }
  return out;
}

comparison compare_arms(const arm_result& a, const arm_result& ref, const settings& set,
                        bool streaming) {
  comparison c;
  c.arm = a.which.role;
  c.reference = ref.which.role;
  auto m = analysis::compute_overheads(ref.rounds, a.rounds, set.stats);
  if (!m) {
    c.error = m.message();
  } else if (m->empty()) {
    c.error = "no latency metric had samples in every round of both arms";
    for (const arm_result* x : {&ref, &a}) {
      if (x->merged.outcomes.failed() > 0) {
        c.error += "; " + x->which.role + ": " + errors_text(x->merged);
      }
    }
  } else {
    c.metrics = std::move(*m);
  }
  if (streaming && a.merged.outcomes.count(metrics::outcome::ok) > 0 &&
      ref.merged.outcomes.count(metrics::outcome::ok) > 0) {
    c.fidelity_checked = true;
    c.fidelity = analysis::check_fidelity(analysis::fidelity_of(ref.merged),
                                          analysis::fidelity_of(a.merged));
  }
  return c;
}

}  // namespace

gb::result<result> run(const scenario::scenario& sc, const settings& set_in,
                       const progress_fn& progress, run_error& err) {
  auto arms = arms_of(sc);
  if (!arms) {
    err.message = arms.message();
    return arms.err();
  }
  result r;
  r.sc = sc;
  r.set = set_in;
  r.arms = *arms;
  r.host = report::detect_host();
  settings& set = r.set;
  for (const auto& t : set.thresholds) {  // measure every quantile a threshold asks for
    if (auto p = parse_overhead_threshold(t)) {
      auto& qs = set.stats.quantiles;
      if (std::find(qs.begin(), qs.end(), p->th.percentile) == qs.end()) {
        qs.push_back(p->th.percentile);
      }
    }
  }
  std::sort(set.stats.quantiles.begin(), set.stats.quantiles.end());
  {
    driver::prepare_error perr;
    auto setup = driver::prepare_run(sc, perr);
    if (!setup) {
      err.message = perr.message;
      err.unreachable = perr.unreachable;
      return gb::fail(perr.message);
    }
    if (status s = driver::check_targets(*setup, 5 * ns_per_s); !s) {
      err.message = s.message();
      err.unreachable = true;
      return gb::fail(s.message());
    }
  }
  const auto say = [&progress](const std::string& s) {
    if (progress) {
      progress(s);
    }
  };
  const bool streaming =
      sc.workload.stream && std::all_of(r.arms.begin(), r.arms.end(), [&sc](const arm& a) {
        return sc.targets[a.target_index].api != protocol::dialect::openai_embeddings;
      });
  const std::int64_t warmup =
      set.warmup_ns >= 0 ? set.warmup_ns : (sc.load.warmup_ns > 0 ? sc.load.warmup_ns : ns_per_s);
  std::mt19937_64 rng(sc.seed * 0x9E3779B97F4A7C15ULL + 0x6f7665726865ULL);
  r.start_wall_ns = wall_ns();

  const auto points = load_points(sc, set);
  for (std::size_t pi = 0; pi < points.size() && !r.interrupted; ++pi) {
    const load_point& lp = points[pi];
    point_result pr;
    pr.load = lp;
    for (const auto& a : r.arms) {
      pr.arms.push_back({a, {}, {}, false, {}, 0});
    }
    auto fail_run = [&](const std::string& m) -> gb::error {
      err.message = m;
      return gb::fail(m);
    };
    if (warmup > 0) {
      say(lp.label + ": warm-up " + format_duration(warmup) + " per arm (discarded)");
      std::vector<std::size_t> idx(r.arms.size());
      for (std::size_t i = 0; i < idx.size(); ++i) {
        idx[i] = i;
      }
      std::shuffle(idx.begin(), idx.end(), rng);
      for (std::size_t ai : idx) {
        auto rs = round_scenario(sc, r.arms[ai], lp, set, sc.seed, 0, warmup, 0);
        auto ar = run_arm(rs, r.arms[ai].name);
        if (!ar) {
          return fail_run(ar.message());
        }
        if (ar->interrupted) {
          r.interrupted = true;
          r.stop_reason = ar->stop_reason;
          break;
        }
      }
    }
    for (std::int64_t round = 0; round < set.rounds && !r.interrupted; ++round) {
      std::vector<std::size_t> idx(r.arms.size());
      for (std::size_t i = 0; i < idx.size(); ++i) {
        idx[i] = i;
      }
      std::shuffle(idx.begin(), idx.end(), rng);
      std::vector<std::string> order;
      std::vector<arm_run> runs(r.arms.size());
      for (std::size_t ai : idx) {
        order.push_back(r.arms[ai].role);
        const std::uint64_t seed = sc.seed + static_cast<std::uint64_t>(round) + 1;
        auto rs = round_scenario(sc, r.arms[ai], lp, set, seed, round_warmup(set, lp),
                                 set.round_duration_ns, lp.open ? 0 : set.round_requests);
        auto ar = run_arm(rs, r.arms[ai].name);
        if (!ar) {
          return fail_run(ar.message());
        }
        if (ar->interrupted) {
          r.interrupted = true;
          r.stop_reason = ar->stop_reason;
          break;
        }
        runs[ai] = std::move(*ar);
      }
      if (r.interrupted) {
        break;  // an incomplete round is dropped
      }
      std::string line =
          lp.label + " round " + std::to_string(round + 1) + "/" + std::to_string(set.rounds) + ":";
      for (std::size_t ai = 0; ai < runs.size(); ++ai) {
        arm_result& a = pr.arms[ai];
        a.merged.merge(runs[ai].main);
        a.client_bound = a.client_bound || runs[ai].client_bound;
        a.harness_cpu_s += runs[ai].cpu_s;
        add_warnings(a, runs[ai].warnings);
        line += " " + a.which.role + " " +
                std::to_string(runs[ai].main.outcomes.count(metrics::outcome::ok)) + " ok";
        if (runs[ai].main.outcomes.failed() > 0) {
          line += " (" + errors_text(runs[ai].main) + ")";
        }
        a.rounds.push_back(std::move(runs[ai].main));
      }
      pr.order.push_back(std::move(order));
      say(line);
    }
    if (pr.order.size() < 2) {
      break;  // interrupted before two complete rounds: nothing to report for this point
    }
    const arm_result& direct = pr.arms[0];
    for (std::size_t ai = 1; ai < pr.arms.size(); ++ai) {
      pr.comparisons.push_back(compare_arms(pr.arms[ai], direct, set, streaming));
    }
    if (pr.arms.size() == 3) {  // gateway logic beyond one more hop
      pr.comparisons.push_back(compare_arms(pr.arms[1], pr.arms[2], set, streaming));
    }
    pr.direct_p99_ns = median_p99(direct.rounds, "e2e");
    pr.floor_p99_ns = r.points.empty() ? 0 : r.points.front().direct_p99_ns;
    const bool client_bound = std::any_of(pr.arms.begin(), pr.arms.end(),
                                          [](const arm_result& a) { return a.client_bound; });
    pr.validity =
        analysis::check_point(pr.direct_p99_ns, pr.floor_p99_ns, client_bound, set.flat_factor);
    r.points.push_back(std::move(pr));
  }
  r.end_wall_ns = wall_ns();
  if (set.ceiling_bound_ns > 0) {
    r.ceilings = find_ceilings(r);
  }
  r.thresholds = evaluate(r);
  return r;
}

}  // namespace gb::app::overhead
