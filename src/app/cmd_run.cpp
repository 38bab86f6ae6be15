// `gatebench run SCENARIO.yaml [overrides]` and the ad-hoc form `gatebench run --url URL ...`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "analysis/gate.hpp"
#include "app/cli_util.hpp"
#include "app/commands.hpp"
#include "app/overhead_runner.hpp"
#include "app/sweep_runner.hpp"
#include "app/version.hpp"
#include "driver/driver.hpp"
#include "export/run_observer.hpp"
#include "metrics/recorder.hpp"
#include "report/report.hpp"
#include "scenario/overrides.hpp"
#include "scenario/parse.hpp"
#include "scenario/to_json.hpp"
#include "util/clock.hpp"
#include "util/stop_signal.hpp"
#include "util/units.hpp"

namespace gb::app {

namespace {

struct run_flags {
  std::string scenario_file;
  scenario::overrides ov;
  bool quiet = false;
  bool no_stream = false;
  bool stream = false;
  bool insecure = false;
  std::string check_timeout = "5s";
  std::string grace = "2s";
  // gates (issue 6)
  std::string save_baseline;
  std::string baseline;
  std::string baselines_dir = std::string(analysis::default_reports_dir) + "/baselines";
  std::string noise = "5%";
  bool force = false;
  std::string junit;
  std::string markdown;
  // observability (issue 7)
  std::string metrics_addr;
  int target_pid = 0;
  std::string target_cmd;
  std::string sample_interval = "250ms";
};

/// `--baseline NAME|FILE` / `--save-baseline NAME`: a bare NAME is <dir>/NAME.json, anything
/// else a path as given (analysis::baseline_path decides what is bare: with an empty reports
/// directory it maps exactly the bare names to "/baselines/NAME.json").
std::string resolve_baseline(const std::string& name_or_file, const std::string& dir) {
  const std::string probe = analysis::baseline_path(name_or_file, "");
  if (probe != name_or_file && probe.rfind("/baselines/", 0) == 0) {
    return dir + "/" + name_or_file + ".json";
  }
  return name_or_file;
}

std::string thresholds_markdown(const std::vector<analysis::threshold_result>& th) {
  std::string md = "### Thresholds\n\n| | threshold | target | measured |\n|---|---|---|---|\n";
  for (const auto& r : th) {
    md += std::string("| ") + (r.passed ? "✅" : "❌") + " | `" + r.th.text + "` | " + r.target +
          " | " + r.measured_text + " |\n";
  }
  return md;
}

/// abort_on_fail: cumulative main-phase figures per target, rebuilt from the driver's merged
/// interval accumulators (main thread). Only metrics those carry can abort a run: the ttft,
/// itl, tpot and e2e histograms and the ledger (errors, requests); other abort_on_fail
/// thresholds are still evaluated at the end.
class abort_watch {
 public:
  abort_watch(const std::vector<analysis::threshold>& ths, std::int64_t planned_requests)
      : planned_(planned_requests) {
    for (const auto& t : ths) {
      if (t.abort_on_fail &&
          (t.metric == "ttft" || t.metric == "itl" || t.metric == "tpot" || t.metric == "e2e" ||
           t.metric == "errors" || t.metric == "requests")) {
        watched_.push_back(t);
      }
    }
  }
  void add(const std::string& target, const std::string& phase, const metrics::interval_accum& a) {
    if (watched_.empty() || phase != "main" || !reason_.empty()) {
      return;
    }
    metrics::stats& s = so_far_[target];
    s.outcomes.start_many(a.started);
    for (std::size_t i = 0; i < metrics::outcome_count; ++i) {
      metrics::request_fate f;
      f.kind = static_cast<metrics::outcome>(i);
      s.outcomes.add_many(f, a.by_outcome[i]);
    }
    s.ttft.add(a.ttft);
    s.itl.add(a.itl);
    s.tpot.add(a.tpot);
    s.e2e.add(a.e2e);
    for (const auto& t : watched_) {
      if ((t.target.empty() || t.target == target) && !analysis::can_still_pass(t, s, planned_)) {
        reason_ = "abort_on_fail: " + t.text;
        return;
      }
    }
  }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::vector<analysis::threshold> watched_;
  std::int64_t planned_ = 0;
  std::map<std::string, metrics::stats> so_far_;
  std::string reason_;
};

void print_banner(const scenario::scenario& sc, std::int64_t threads) {
  const auto& l = sc.load;
  std::string what;
  if (l.requests > 0) {
    what = std::to_string(l.requests) + " requests";
  } else {
    what = format_duration(l.duration_ns) + " test";
  }
  std::printf("Running %s @ %s (%s%s)\n", what.c_str(), sc.targets.front().url.c_str(),
              std::string(protocol::to_string(sc.targets.front().api)).c_str(),
              sc.workload.stream ? ", streaming" : "");
  if (l.mode == scenario::load::model::open) {
    std::printf("  %lld threads, open loop at %.6g requests/s (%s arrivals)\n",
                static_cast<long long>(threads), l.rate,
                l.process == scenario::load::arrival::constant  ? "constant"
                : l.process == scenario::load::arrival::poisson ? "poisson"
                                                                : "gamma");
  } else {
    std::printf("  %lld threads and %lld concurrent requests\n", static_cast<long long>(threads),
                static_cast<long long>(l.concurrency));
  }
  if (l.warmup_ns > 0) {
    std::printf("  warm-up %s (not counted in main)\n", format_duration(l.warmup_ns).c_str());
  }
  std::fflush(stdout);
}

std::string progress_text(const driver::progress_snapshot& p) {
  char buf[256];
  const std::string total = p.planned_ns > 0 ? "/" + format_duration(p.planned_ns) : "";
  std::snprintf(buf, sizeof buf,
                "[%s%s] %-8s %8.1f req/s  in-flight %lld  ok %lld  errors %lld%s  ttft p50 %s "
                "p95 %s",
                format_duration(p.elapsed_ns).c_str(), total.c_str(), p.phase.c_str(),
                p.interval_rps, static_cast<long long>(p.in_flight), static_cast<long long>(p.ok),
                static_cast<long long>(p.errors),
                p.dropped > 0 ? ("  dropped " + std::to_string(p.dropped)).c_str() : "",
                p.ttft_p50_ns > 0 ? format_duration(p.ttft_p50_ns).c_str() : "-",
                p.ttft_p95_ns > 0 ? format_duration(p.ttft_p95_ns).c_str() : "-");
  return buf;
}

/// After the report is written: thresholds, baseline save/compare, CI files, the exit code.
int finish_gates(const run_flags& f, const std::string& baseline_file, double noise,
                 const std::vector<analysis::threshold>& ths, const report::run_info& info,
                 const driver::run_result& r, bool aborted) {
  const bool color = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  bool failed = false;
  int code = exit_ok;
  std::vector<analysis::threshold_result> th;
  if (!ths.empty()) {
    th = analysis::evaluate_thresholds(ths, r.stats);
    std::fputs(analysis::format_threshold_results(th, color).c_str(), stdout);
    failed = !analysis::all_passed(th);
  }
  if (aborted) {
    std::fprintf(stderr,
                 "gatebench: stopped early, %s can no longer pass; partial report written\n",
                 r.stop_reason.substr(std::string("abort_on_fail: ").size()).c_str());
    failed = true;
  } else if (r.interrupted) {
    std::fprintf(stderr, "gatebench: interrupted by %s; partial report written\n",
                 r.stop_reason.c_str());
    code = exit_interrupted;
  }
  if (!f.save_baseline.empty()) {
    const std::string path = resolve_baseline(f.save_baseline, f.baselines_dir);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (r.interrupted) {
      std::fprintf(stderr, "gatebench: the run did not complete; baseline '%s' not saved\n",
                   f.save_baseline.c_str());
    } else if (status st = report::write_report(info, r.stats, path); !st) {
      std::fprintf(stderr, "gatebench: --save-baseline: %s\n", st.message().c_str());
      return exit_other;
    } else if (!f.quiet) {
      std::printf("Baseline saved: %s\n", path.c_str());
    }
  }
  std::optional<analysis::compare_result> cmp;
  if (!baseline_file.empty()) {
    analysis::compare_options co;
    co.noise = noise;
    co.force = f.force;
    auto c = analysis::compare_with_baseline(baseline_file, info, r.stats, co);
    if (!c) {
      std::fprintf(stderr, "gatebench: --baseline: %s\n", c.message().c_str());
      return exit_bad_input;
    }
    cmp = std::move(*c);
    std::fputs(analysis::format_compare_console(*cmp, color).c_str(), stdout);
    failed = failed || cmp->regression;
  }
  if (!f.junit.empty()) {
    const std::string xml =
        analysis::format_junit(cmp ? &*cmp : nullptr, th, "gatebench run " + info.scenario.name);
    if (status st = report::write_text_atomically(f.junit, xml); !st) {
      std::fprintf(stderr, "gatebench: --junit: %s\n", st.message().c_str());
      return exit_other;
    }
  }
  if (!f.markdown.empty()) {
    std::string md = th.empty() ? "" : thresholds_markdown(th);
    if (cmp) {
      md += (md.empty() ? "" : "\n") + analysis::format_compare_markdown(*cmp);
    }
    if (status st = report::write_text_atomically(f.markdown, md); !st) {
      std::fprintf(stderr, "gatebench: --markdown: %s\n", st.message().c_str());
      return exit_other;
    }
  }
  if (code != exit_ok) {
    return code;
  }
  return failed ? exit_failed_checks : exit_ok;
}

int run_command(run_flags& f) {
  // From here on Ctrl-C/SIGTERM are recorded, never fatal: every stage polls stop_requests().
  install_stop_handlers();
  if (f.stream) {
    f.ov.stream = true;
  }
  if (f.no_stream) {
    f.ov.stream = false;
  }
  if (f.insecure) {
    f.ov.insecure = true;
  }
  // Live metrics, resource sampling and baselines belong to one plain run: with them, a
  // scenario with a direct and a gateway target runs both side by side (said on stderr).
  const bool plain_only = !f.metrics_addr.empty() || f.target_pid != 0 || !f.target_cmd.empty() ||
                          !f.baseline.empty() || !f.save_baseline.empty();
  if (!plain_only) {
    if (auto rc = overhead::maybe_run_from_run(f.scenario_file, f.ov, f.quiet)) {
      return *rc;  // a scenario with a direct and a gateway target: docs/overhead.md
    }
  }
  result<scenario::scenario> parsed = scenario::scenario{};
  if (!f.scenario_file.empty()) {
    parsed = scenario::parse_scenario_file(f.scenario_file);
    if (parsed) {
      parsed = scenario::apply_overrides(std::move(*parsed), f.ov);
    }
  } else {
    parsed = scenario::make_adhoc_scenario(f.ov);
  }
  if (!parsed) {
    std::fprintf(stderr, "gatebench: %s\n", parsed.message().c_str());
    return exit_bad_input;
  }
  scenario::scenario sc = std::move(*parsed);
  auto check = parse_duration_ns(f.check_timeout);
  auto grace = parse_duration_ns(f.grace);
  if (!check || !grace) {
    std::fprintf(stderr, "gatebench: %s\n", (!check ? check : grace).message().c_str());
    return exit_bad_input;
  }
  auto ths = analysis::parse_thresholds(sc.thresholds, {});
  auto noise = parse_ratio(f.noise);
  auto sample_ns = parse_duration_ns(f.sample_interval);
  if (!ths || !noise || !sample_ns) {
    std::fprintf(stderr, "gatebench: %s%s\n",
                 ths ? (noise ? "--sample-interval: " : "--noise: ") : "",
                 (!ths     ? ths.message()
                  : !noise ? noise.message()
                           : sample_ns.message())
                     .c_str());
    return exit_bad_input;
  }
  const std::string baseline_file =
      f.baseline.empty() ? "" : resolve_baseline(f.baseline, f.baselines_dir);
  if (!baseline_file.empty() && !std::filesystem::exists(baseline_file)) {
    std::fprintf(stderr, "gatebench: --baseline: no stored report at '%s'\n",
                 baseline_file.c_str());
    return exit_bad_input;
  }
  if (!f.save_baseline.empty() && resolve_baseline(f.save_baseline, ".") == f.save_baseline) {
    std::fprintf(stderr,
                 "gatebench: --save-baseline: '%s' is not a name (letters, digits, '-', '_', "
                 "'.'; stored as %s/NAME.json)\n",
                 f.save_baseline.c_str(), f.baselines_dir.c_str());
    return exit_bad_input;
  }
  if (sc.output.report_path.empty()) {
    sc.output.report_path = timestamped_report_path(sc.name);
  }
  if (status w = report::check_writable(sc.output.report_path); !w) {
    std::fprintf(stderr, "gatebench: %s\n", w.message().c_str());
    return exit_bad_input;
  }
  if (sc.sweep.type != scenario::sweep::kind::none) {  // a curve of points: sweep_runner.cpp
    const bool tty = isatty(STDOUT_FILENO) == 1;
    return run_sweep(sc, {f.quiet,
                          tty,
                          tty && std::getenv("NO_COLOR") == nullptr,
                          *check,
                          *grace,
                          {{"--baseline", !f.baseline.empty()},
                           {"--save-baseline", !f.save_baseline.empty()},
                           {"--junit", !f.junit.empty()},
                           {"--markdown", !f.markdown.empty()},
                           {"--metrics-addr", !f.metrics_addr.empty()},
                           {"--target-pid", f.target_pid != 0},
                           {"--target-cmd", !f.target_cmd.empty()}}});
  }
  driver::prepare_error perr;
  auto setup = driver::prepare_run(sc, perr);
  if (!setup) {
    std::fprintf(stderr, "gatebench: %s\n", perr.message.c_str());
    return perr.unreachable ? exit_other : exit_bad_input;
  }
  // Observability: --target-cmd must be up before the reachability check.
  const std::string run_id = "run-" + std::to_string(wall_ns() / ns_per_s);
  const scenario::target* res_target = &sc.targets.front();
  for (const auto& t : sc.targets) {
    if (t.role == "gateway" || (t.role.empty() && t.name == "gateway")) {
      res_target = &t;
      break;
    }
  }
  const bool has_direct = std::any_of(sc.targets.begin(), sc.targets.end(),
                                      [](const auto& t) { return t.role == "direct"; });
  if (plain_only && has_direct && res_target->role == "gateway" && !f.quiet) {
    std::fprintf(stderr,
                 "gatebench: note: one plain run of every target (live metrics, resources and "
                 "baselines need it); `gatebench overhead %s` measures the overhead\n",
                 f.scenario_file.c_str());
  }
  exporter::observer_options oo;
  oo.metrics_addr = f.metrics_addr;
  oo.target_pid = f.target_pid;
  oo.target_cmd = f.target_cmd;
  oo.target_url = res_target->url;
  oo.resource_target = res_target->name;
  oo.labels = {run_id, sc.name};
  oo.sample_interval_ns = *sample_ns;
  oo.harness_threads = static_cast<int>(driver::planned_threads(*setup, 0));
  auto observer = exporter::run_observer::start(oo);
  if (!observer) {
    std::fprintf(stderr, "gatebench: %s\n", observer.message().c_str());
    return f.target_cmd.empty() ? exit_bad_input : exit_other;
  }
  exporter::run_observer& obs = **observer;
  if (status s = driver::check_targets(*setup, *check); !s && stop_requests() == 0) {
    std::fprintf(stderr, "gatebench: %s\n", s.message().c_str());
    return exit_other;
  }
  // A signal during the check: the run below stops at once and writes an interrupted report.

  driver::run_options opt;
  opt.stop_grace_ns = *grace;
  const bool tty = isatty(STDOUT_FILENO) == 1;
  abort_watch watch(*ths, sc.targets.size() == 1 ? sc.load.requests : 0);
  opt.on_interval = [&obs, &watch](const std::string& target, const std::string& phase,
                                   const metrics::interval_accum& a) {
    obs.add_interval(target, phase, a);
    watch.add(target, phase, a);
  };
  opt.stop_check = [&watch] { return watch.reason(); };
  if (!f.quiet) {
    print_banner(sc, driver::planned_threads(*setup, 0));
    if (obs.metrics_port() != 0) {
      std::printf("  live metrics on port %u (/metrics)\n",
                  static_cast<unsigned>(obs.metrics_port()));
      std::fflush(stdout);
    }
  }
  opt.on_progress = [tty, quiet = f.quiet, &obs](const driver::progress_snapshot& p) {
    obs.interval_end(p.phase);
    if (!quiet) {
      if (tty) {
        std::printf("\r\033[K%s", progress_text(p).c_str());
      } else {
        std::printf("%s\n", progress_text(p).c_str());
      }
      std::fflush(stdout);
    }
  };
  // Readings from here on belong to the load (interval_end moves the phase once per interval).
  obs.interval_end(sc.load.warmup_ns > 0 ? "warmup" : "main");
  driver::run_result r = driver::run(*setup, opt);
  if (!r.interrupted && stop_requests() > 0) {  // arrived as the run ended
    r.interrupted = true;
    r.stop_reason = first_stop_signal_name();
  }
  if (!f.quiet && tty) {
    std::printf("\r\033[K");
  }

  report::run_info info;
  info.run_id = run_id;
  info.scenario = sc;
  info.scenario_json = scenario::to_json_text(sc);
  info.tool_version = std::string(version());
  info.git_revision = std::string(git_revision());
  info.host = report::detect_host();
  info.start_wall_ns = r.start_wall_ns;
  info.end_wall_ns = r.end_wall_ns;
  info.start_steady_ns = r.start_steady_ns;
  info.interrupted = r.interrupted;
  info.interrupt_reason = r.stop_reason;
  info.client_bound = r.client_bound;
  info.warnings = r.warnings;
  info.seed = sc.seed;
  info.threads = r.threads;
  info.interval_ns = 1'000'000'000;
  std::int64_t finished = 0;
  for (const auto& [target, phases] : r.stats.by_target_phase) {
    for (const auto& [phase, st] : phases) {
      finished += st.outcomes.finished();
    }
  }
  info.resources = obs.finish(r.start_steady_ns, finished);
  info.client_bound = info.client_bound || obs.client_bound();
  const bool aborted = !watch.reason().empty() && r.stop_reason == watch.reason();

  const status wr = report::write_report(info, r.stats, sc.output.report_path);
  if (!f.quiet) {
    const bool color = tty && std::getenv("NO_COLOR") == nullptr;
    std::fputs(report::format_console_summary(info, r.stats, color).c_str(), stdout);
  }
  if (!wr) {
    std::fprintf(stderr, "gatebench: could not write the report: %s\n", wr.message().c_str());
    return exit_other;
  }
  if (!f.quiet) {
    std::printf("Report: %s\n", sc.output.report_path.c_str());
  }
  return finish_gates(f, baseline_file, *noise, *ths, info, r, aborted);
}

}  // namespace

action add_run_command(CLI::App& app) {
  auto flags = std::make_shared<run_flags>();
  CLI::App* cmd = app.add_subcommand("run", "Drive load at a target and write a report");
  cmd->footer(
      "Examples:\n  gatebench run scenarios/quickstart.yaml\n"
      "  gatebench run --url http://127.0.0.1:8000 --api openai-chat -c 16 -d 20s\n"
      "  gatebench run scenarios/quickstart.yaml -R 200 -d 30s -o reports/run.json");
  auto& ov = flags->ov;
  cmd->add_option("scenario", flags->scenario_file, "Scenario file (YAML); omit for ad-hoc runs");
  opt_flag(cmd, "--url", ov.url, "Target base URL (ad-hoc runs, or overrides a single target)");
  opt_flag(cmd, "--api", ov.api,
           "API dialect: openai-chat, openai-completions, openai-embeddings, anthropic-messages");
  opt_flag(cmd, "--path", ov.path, "Request path (default: the dialect's)");
  opt_flag(cmd, "-c,--concurrency", ov.concurrency,
           "Concurrent requests (closed loop); in-flight cap default (open loop)");
  opt_flag(cmd, "-t,--threads", ov.threads, "Worker threads (default: number of cores)");
  opt_flag(cmd, "--connections", ov.connections, "Connections per target");
  opt_flag(cmd, "-d,--duration", ov.duration, "Main phase duration, e.g. 30s, 2m");
  opt_flag(cmd, "-n,--requests", ov.requests, "Main phase request count, e.g. 1000 or 10k");
  opt_flag(cmd, "-R,--rate", ov.rate, "Open loop: total arrivals per second");
  opt_flag(cmd, "--arrival", ov.arrival, "Open loop arrivals: constant, poisson, gamma");
  opt_flag(cmd, "--burstiness", ov.burstiness, "Gamma arrivals' burstiness factor");
  opt_flag(cmd, "--max-in-flight", ov.max_in_flight, "Open loop: cap on requests in flight");
  cmd->add_option("-H,--header", ov.headers, "Extra header 'Name: value' (repeatable)");
  opt_flag(cmd, "--timeout", ov.timeout, "Total timeout per request, e.g. 60s");
  opt_flag(cmd, "--warmup", ov.warmup, "Warm-up phase, not counted in main, e.g. 10s");
  opt_flag(cmd, "--cooldown", ov.cooldown, "Cool-down phase, e.g. 5s");
  cmd->add_option("--stage", ov.stages, "k6-style stage DURATION:TARGET (repeatable)");
  opt_flag(cmd, "--seed", ov.seed, "Seed for arrivals and prompts");
  cmd->add_flag("--insecure", flags->insecure, "Do not verify TLS certificates");
  opt_flag(cmd, "-o,--out", ov.out, "Report path (default reports/<scenario>-<time>.json)");
  opt_flag(cmd, "--model", ov.model, "Model name sent in requests");
  cmd->add_flag("--stream", flags->stream, "Stream responses (SSE)");
  cmd->add_flag("--no-stream", flags->no_stream, "Do not stream responses");
  opt_flag(cmd, "--max-tokens", ov.max_tokens, "Output tokens asked for (max_tokens)");
  opt_flag(cmd, "--input-tokens", ov.input_tokens, "Synthetic prompt length in tokens");
  cmd->add_flag_function(
      "--ignore-eos", [&ov](std::int64_t) { ov.ignore_eos = true; },
      "Ask for exactly max-tokens output tokens");
  cmd->add_option("--threshold", ov.thresholds, "Threshold, e.g. 'ttft:p(95)<500ms' (repeatable)");
  opt_flag(cmd, "--name", ov.name, "Scenario name (report file name and labels)");
  cmd->add_flag("-q,--quiet", flags->quiet, "No banner, progress or summary");
  cmd->add_option("--save-baseline", flags->save_baseline,
                  "Also store the report as a named baseline (<baselines-dir>/NAME.json)");
  cmd->add_option("--baseline", flags->baseline,
                  "Compare with a baseline NAME or report FILE at the end; exit 99 on regression");
  cmd->add_option("--baselines-dir", flags->baselines_dir,
                  "Where named baselines live (default reports/baselines)");
  cmd->add_option("--noise", flags->noise,
                  "Relative change below which a difference is noise (default 5%)");
  cmd->add_flag("--force", flags->force, "Compare with the baseline even when the loads differ");
  cmd->add_option("--junit", flags->junit, "Write JUnit XML (thresholds, baseline gates)");
  cmd->add_option("--markdown", flags->markdown, "Write a Markdown summary for CI job pages");
  cmd->add_option("--metrics-addr", flags->metrics_addr,
                  "Serve live Prometheus metrics at HOST:PORT/metrics during the run");
  cmd->add_option("--target-pid", flags->target_pid,
                  "Sample memory and CPU of this process tree (the target)");
  cmd->add_option("--target-cmd", flags->target_cmd,
                  "Start the target with this shell command, sample it, stop it afterwards");
  cmd->add_option("--sample-interval", flags->sample_interval,
                  "Resource sampling interval (default 250ms)");
  cmd->add_option("--check-timeout", flags->check_timeout,
                  "Time allowed for the reachability check before the load (default 5s)");
  cmd->add_option("--stop-grace", flags->grace,
                  "After Ctrl-C, how long in-flight requests may finish (default 2s)");
  return [flags] { return run_command(*flags); };
}

}  // namespace gb::app
