// `gatebench run SCENARIO.yaml [overrides]` and the ad-hoc form `gatebench run --url URL ...`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "app/commands.hpp"
#include "app/sweep_runner.hpp"
#include "app/version.hpp"
#include "driver/driver.hpp"
#include "report/report.hpp"
#include "scenario/overrides.hpp"
#include "scenario/parse.hpp"
#include "scenario/to_json.hpp"
#include "util/clock.hpp"
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
};

template <class T>
void opt_flag(CLI::App* cmd, const std::string& names, std::optional<T>& target,
              const std::string& help) {
  cmd->add_option_function<std::string>(
      names, [&target](const std::string& v) { target = v; }, help);
}

std::string default_report_path(const scenario::scenario& sc) {
  const std::time_t t = static_cast<std::time_t>(wall_ns() / ns_per_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return "reports/" + sc.name + "-" + buf + ".json";
}

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

int run_command(run_flags& f) {
  if (f.stream) {
    f.ov.stream = true;
  }
  if (f.no_stream) {
    f.ov.stream = false;
  }
  if (f.insecure) {
    f.ov.insecure = true;
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
  if (sc.output.report_path.empty()) {
    sc.output.report_path = default_report_path(sc);
  }
  if (status w = report::check_writable(sc.output.report_path); !w) {
    std::fprintf(stderr, "gatebench: %s\n", w.message().c_str());
    return exit_bad_input;
  }
  if (sc.sweep.type != scenario::sweep::kind::none) {  // a curve of points: sweep_runner.cpp
    const bool tty = isatty(STDOUT_FILENO) == 1;
    return run_sweep(sc, {f.quiet, tty, tty && std::getenv("NO_COLOR") == nullptr, *check, *grace});
  }
  driver::prepare_error perr;
  auto setup = driver::prepare_run(sc, perr);
  if (!setup) {
    std::fprintf(stderr, "gatebench: %s\n", perr.message.c_str());
    return perr.unreachable ? exit_other : exit_bad_input;
  }
  if (status s = driver::check_targets(*setup, *check); !s) {
    std::fprintf(stderr, "gatebench: %s\n", s.message().c_str());
    return exit_other;
  }

  driver::run_options opt;
  opt.stop_grace_ns = *grace;
  const bool tty = isatty(STDOUT_FILENO) == 1;
  if (!f.quiet) {
    print_banner(sc, driver::planned_threads(*setup, 0));
    opt.on_progress = [tty](const driver::progress_snapshot& p) {
      if (tty) {
        std::printf("\r\033[K%s", progress_text(p).c_str());
      } else {
        std::printf("%s\n", progress_text(p).c_str());
      }
      std::fflush(stdout);
    };
  }
  driver::run_result r = driver::run(*setup, opt);
  if (!f.quiet && tty) {
    std::printf("\r\033[K");
  }

  report::run_info info;
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
  if (r.interrupted) {
    std::fprintf(stderr, "gatebench: interrupted by %s; partial report written\n",
                 r.stop_reason.c_str());
    return exit_interrupted;
  }
  return exit_ok;
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
  cmd->add_option("--check-timeout", flags->check_timeout,
                  "Time allowed for the reachability check before the load (default 5s)");
  cmd->add_option("--stop-grace", flags->grace,
                  "After Ctrl-C, how long in-flight requests may finish (default 2s)");
  return [flags] { return run_command(*flags); };
}

}  // namespace gb::app
