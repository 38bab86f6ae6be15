// Sweeps: one short run per load point, one report with every point, the knee, the curve table.
#include "app/sweep_runner.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <map>

#include "analysis/threshold.hpp"
#include "app/commands.hpp"
#include "app/version.hpp"
#include "driver/driver.hpp"
#include "driver/schedule_log.hpp"
#include "report/metric_table.hpp"
#include "report/report.hpp"
#include "scenario/to_json.hpp"
#include "util/units.hpp"

namespace gb::app {

namespace {

std::string fmt(const char* f, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

}  // namespace

// ---- running ----------------------------------------------------------------------------------
// -------------------------------------------------------------------------------------

namespace {

struct measured_point {
  std::string label;
  point_figures fig;
  point_judgement judgement;
  driver::run_result run;
};

std::string level_label(double level, bool open) {
  return open ? fmt("rate=%.6g", level) : fmt("c=%lld", static_cast<long long>(level));
}

scenario::scenario point_scenario(const scenario::scenario& base, double level, bool open) {
  scenario::scenario sc = base;
  sc.sweep = {};
  sc.thresholds.clear();
  sc.output.schedule_path.clear();  // the sweep's one schedule file is passed to every point
  auto& l = sc.load;
  l.stages.clear();
  l.cooldown_ns = 0;
  l.requests = 0;
  l.duration_ns = base.sweep.point_duration_ns;
  if (open) {
    l.mode = scenario::load::model::open;
    l.rate = level;
  } else {
    l.mode = scenario::load::model::closed;
    l.concurrency = static_cast<std::int64_t>(level);
  }
  return sc;
}

/// The point's thresholds: latency, error, goodput and dropped rates (throughput and counts
/// depend on the level, so they do not judge a point).
bool judges_a_point(const analysis::threshold& t) {
  return t.stat != analysis::stat_kind::rps && t.stat != analysis::stat_kind::value &&
         t.stat != analysis::stat_kind::count && t.metric != "throughput" &&
         t.metric != "requests" && t.metric != "concurrency";
}

metrics::stats merged_main(const metrics::run_stats& rs) {
  metrics::stats all;
  for (const auto& [target, phases] : rs.by_target_phase) {
    auto it = phases.find("main");
    if (it != phases.end()) {
      all.merge(it->second);
    }
  }
  return all;
}

/// Moves a point's main phase (stats, splits, intervals) into `into` under `label`.
void absorb(metrics::run_stats& into, metrics::run_stats& from, const std::string& label) {
  for (auto& [target, phases] : from.by_target_phase) {
    auto it = phases.find("main");
    if (it != phases.end()) {
      into.by_target_phase[target][label] = std::move(it->second);
    }
  }
  for (auto& [key, s] : from.splits) {
    const auto a = key.find('/');
    const auto b = a == std::string::npos ? a : key.find('/', a + 1);
    if (b != std::string::npos && key.compare(a + 1, b - a - 1, "main") == 0) {
      into.splits[key.substr(0, a + 1) + label + key.substr(b)] = std::move(s);
    }
  }
  for (auto& p : from.intervals) {
    if (p.phase == "main") {
      p.phase = label;
      into.intervals.push_back(std::move(p));
    }
  }
}

std::string dur_or_dash(std::int64_t ns) {
  return ns > 0 ? format_duration(ns) : "-";
}

const char* verdict_text(point_verdict v) {
  switch (v) {
    case point_verdict::pass:
      return "ok";
    case point_verdict::slo_failed:
      return "SLO failed";
    case point_verdict::saturated:
      return "saturated";
    case point_verdict::client_bound:
      return "client-bound";
  }
  return "?";
}

std::string curve_table(const std::vector<measured_point>& pts, const measured_point* knee,
                        bool color) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  const bool open = pts.empty() || pts.front().fig.open;
  std::string out =
      fmt("%s%-12s %10s %9s %9s %9s %8s %9s  %s%s\n", bold, open ? "rate/s" : "concurrency",
          "achieved/s", "ttft p50", "ttft p99", "e2e p99", "errors", "goodput", "verdict", reset);
  for (const auto& p : pts) {
    const auto& f = p.fig;
    std::string verdict = verdict_text(p.judgement.verdict);
    if (&p == knee) {
      verdict += "  <- knee";
    }
    out += fmt("%-12.6g %10.2f %9s %9s %9s %7.2f%% %8.1f%%  %s\n", f.level, f.achieved_rps,
               dur_or_dash(f.ttft_p50_ns).c_str(), dur_or_dash(f.ttft_p99_ns).c_str(),
               dur_or_dash(f.e2e_p99_ns).c_str(), 100 * f.error_rate, 100 * f.goodput,
               verdict.c_str());
    if (!p.judgement.note.empty()) {
      out += "             " + p.judgement.note + "\n";
    }
  }
  return out;
}

class sweep_session {
 public:
  sweep_session(const scenario::scenario& sc, const sweep_options& opt,
                std::vector<analysis::threshold> ths,
                std::shared_ptr<driver::schedule_file> schedule)
      : sc_(sc), opt_(opt), ths_(std::move(ths)), schedule_(std::move(schedule)) {
    open_ = sc.sweep.type != scenario::sweep::kind::concurrencies;
  }

  /// Measures one level. Returns false when the sweep must stop (interrupted or failed).
  bool measure(double level) {
    const scenario::scenario psc = point_scenario(sc_, level, open_);
    driver::prepare_error perr;
    auto setup = driver::prepare_run(psc, perr);
    if (!setup) {
      error_ = perr.message;
      exit_ = perr.unreachable ? exit_other : exit_bad_input;
      return false;
    }
    if (first_) {
      if (status s = driver::check_targets(*setup, opt_.check_timeout_ns); !s) {
        error_ = s.message();
        exit_ = exit_other;
        return false;
      }
      first_ = false;
    }
    measured_point mp;
    mp.label = level_label(level, open_);
    if (!opt_.quiet) {
      std::printf("sweep point %s (%s)...\n", mp.label.c_str(),
                  format_duration(psc.load.duration_ns + psc.load.warmup_ns).c_str());
      std::fflush(stdout);
    }
    driver::run_options ro;
    ro.stop_grace_ns = opt_.stop_grace_ns;
    ro.first_request_sequence = next_sequence_;  // ids stay unique across the points
    if (schedule_) {
      schedule_->set_point(mp.label);
      ro.schedule = schedule_;
    }
    mp.run = driver::run(*setup, ro);
    next_sequence_ = std::max(next_sequence_, mp.run.next_request_sequence);
    const metrics::stats all = merged_main(mp.run.stats);
    mp.fig = figures_of(all, level, open_, sc_.slos);
    mp.fig.client_bound = mp.run.client_bound;
    if (!ths_.empty()) {
      metrics::run_stats one;
      one.by_target_phase = mp.run.stats.by_target_phase;
      for (const auto& r : analysis::evaluate_thresholds(ths_, one)) {
        if (!r.passed) {
          mp.fig.failed_thresholds.push_back(r.th.text + " [" + r.target + "] " + r.measured_text);
        }
      }
    }
    mp.judgement = judge_point(mp.fig, lower_than(level));
    const bool interrupted = mp.run.interrupted;
    points_.push_back(std::move(mp));
    if (interrupted) {
      exit_ = exit_interrupted;
      stop_reason_ = points_.back().run.stop_reason;
      return false;
    }
    return true;
  }

  bool passed_last() const {
    return !points_.empty() && points_.back().judgement.verdict == point_verdict::pass;
  }

  int finish() {
    if (!error_.empty() && points_.empty()) {
      std::fprintf(stderr, "gatebench: %s\n", error_.c_str());
      return exit_;
    }
    std::sort(points_.begin(), points_.end(),
              [](const auto& a, const auto& b) { return a.fig.level < b.fig.level; });
    const measured_point* knee = nullptr;
    for (const auto& p : points_) {
      if (p.judgement.verdict == point_verdict::pass) {
        knee = &p;
      }
    }
    report::run_info info = make_info(knee);
    const std::string table = curve_table(points_, knee, opt_.color);
    metrics::run_stats all;
    std::int64_t first_start = INT64_MAX;
    for (auto& p : points_) {
      if (p.run.start_steady_ns < first_start) {
        first_start = p.run.start_steady_ns;
        info.start_wall_ns = p.run.start_wall_ns;
        info.start_steady_ns = p.run.start_steady_ns;
      }
      info.end_wall_ns = std::max(info.end_wall_ns, p.run.end_wall_ns);
      info.threads = std::max(info.threads, p.run.threads);
      absorb(all, p.run.stats, p.label);
    }
    std::sort(all.intervals.begin(), all.intervals.end(),
              [](const auto& a, const auto& b) { return a.start_ns < b.start_ns; });
    const status wr = report::write_report(info, all, sc_.output.report_path);
    if (!opt_.quiet) {
      std::printf("\nSweep of %zu points (%s per point):\n%s", points_.size(),
                  format_duration(sc_.sweep.point_duration_ns).c_str(), table.c_str());
      if (knee != nullptr) {
        std::printf(
            "Knee: %s (%.2f req/s achieved, e2e p99 %s): the highest point meeting every "
            "SLO without saturating\n",
            knee->label.c_str(), knee->fig.achieved_rps, dur_or_dash(knee->fig.e2e_p99_ns).c_str());
      } else {
        std::printf("Knee: none: no point met every SLO without saturating\n");
      }
      for (const auto& w : info.warnings) {
        std::printf("warning: %s\n", w.c_str());
      }
    }
    if (!error_.empty()) {
      std::fprintf(stderr, "gatebench: %s\n", error_.c_str());
    }
    if (!wr) {
      std::fprintf(stderr, "gatebench: could not write the report: %s\n", wr.message().c_str());
      return exit_other;
    }
    if (!opt_.quiet) {
      std::printf("Report: %s\n", sc_.output.report_path.c_str());
    }
    if (exit_ == exit_interrupted) {
      std::fprintf(stderr, "gatebench: interrupted by %s; partial report written\n",
                   stop_reason_.c_str());
      return exit_interrupted;
    }
    if (exit_ != exit_ok) {
      return exit_;
    }
    return knee != nullptr ? exit_ok : exit_failed_checks;
  }

 private:
  std::optional<point_figures> lower_than(double level) const {
    std::optional<point_figures> best;
    for (const auto& p : points_) {
      if (p.fig.level < level && (!best || p.fig.level > best->level)) {
        best = p.fig;
      }
    }
    return best;
  }

  report::run_info make_info(const measured_point* knee) const {
    report::run_info info;
    info.scenario = sc_;
    info.scenario_json = scenario::to_json_text(sc_);
    info.tool_version = std::string(version());
    info.git_revision = std::string(git_revision());
    info.host = report::detect_host();
    info.seed = sc_.seed;
    info.interrupted = exit_ == exit_interrupted;
    info.interrupt_reason = stop_reason_;
    for (const auto& p : points_) {
      report::sweep_point sp;
      sp.phase = p.label;
      sp.rate = p.fig.open ? p.fig.level : 0;
      sp.concurrency = p.fig.open ? sc_.load.concurrency : static_cast<std::int64_t>(p.fig.level);
      sp.valid = !p.fig.client_bound;
      sp.note = p.judgement.verdict == point_verdict::pass
                    ? (p.judgement.note.empty() ? "ok" : "ok (" + p.judgement.note + ")")
                    : p.judgement.note;
      sp.knee = &p == knee;
      info.sweep.push_back(std::move(sp));
      for (const auto& w : p.run.warnings) {
        info.warnings.push_back(p.label + ": " + w);
      }
    }
    return info;
  }

  const scenario::scenario& sc_;
  const sweep_options& opt_;
  std::vector<analysis::threshold> ths_;
  std::shared_ptr<driver::schedule_file> schedule_;
  bool open_ = true;
  bool first_ = true;
  std::uint64_t next_sequence_ = 1;
  std::vector<measured_point> points_;
  std::string error_;
  std::string stop_reason_;
  int exit_ = exit_ok;
};

}  // namespace

int run_sweep(const scenario::scenario& sc, const sweep_options& opt) {
  for (const auto& [flag, given] : opt.run_only_flags) {
    if (given) {
      std::fprintf(stderr,
                   "gatebench: %s does not apply to a sweep (the scenario has a sweep: section); "
                   "baselines, --junit/--markdown, --metrics-addr and --target-pid/--target-cmd "
                   "work with one plain run\n",
                   flag.c_str());
      return exit_bad_input;
    }
  }
  std::vector<analysis::threshold> ths;
  for (const auto& t : sc.thresholds) {
    auto th = analysis::parse_threshold(t.expression);
    if (!th) {
      std::fprintf(stderr, "gatebench: %s%s\n", t.source.empty() ? "" : (t.source + ": ").c_str(),
                   th.message().c_str());
      return exit_bad_input;
    }
    if (judges_a_point(*th)) {
      ths.push_back(*th);
    }
  }
  const auto& sw = sc.sweep;
  if (sw.point_duration_ns <= 0) {
    std::fprintf(stderr, "gatebench: sweep.point_duration must be positive\n");
    return exit_bad_input;
  }
  if (!opt.quiet) {
    std::printf("Sweep @ %s: %s, %s per point%s\n", sc.targets.front().url.c_str(),
                sw.type == scenario::sweep::kind::search
                    ? fmt("search for the highest rate in [%.6g, %.6g] meeting the SLOs",
                          sw.search_min, sw.search_max)
                          .c_str()
                    : fmt("%zu points", sw.points.size()).c_str(),
                format_duration(sw.point_duration_ns).c_str(),
                sc.load.warmup_ns > 0
                    ? (" (+" + format_duration(sc.load.warmup_ns) + " warm-up)").c_str()
                    : "");
    std::fflush(stdout);
  }
  std::shared_ptr<driver::schedule_file> schedule;
  if (!sc.output.schedule_path.empty()) {
    auto f = driver::schedule_file::create(sc.output.schedule_path);
    if (!f) {
      std::fprintf(stderr, "gatebench: %s\n", f.message().c_str());
      return exit_bad_input;
    }
    schedule = *f;
  }
  sweep_session session(sc, opt, std::move(ths), std::move(schedule));
  if (sw.type == scenario::sweep::kind::search) {
    rate_search search(sw.search_min, sw.search_max);
    while (auto level = search.next()) {
      if (!session.measure(*level)) {
        break;
      }
      search.record(*level, session.passed_last());
    }
  } else {
    for (double level : sw.points) {
      if (!session.measure(level)) {
        break;
      }
    }
  }
  return session.finish();
}

}  // namespace gb::app
