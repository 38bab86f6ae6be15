// `gatebench overhead SCENARIO.yaml [flags]` and the ad-hoc form
// `gatebench overhead --direct URL --gateway URL [--proxy URL] ...`: what does the gateway cost?
// (shared/design/metrics.md, "Gateway overhead"; docs/overhead.md).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "analysis/gate.hpp"
#include "app/cli_util.hpp"
#include "app/commands.hpp"
#include "app/overhead_runner.hpp"
#include "scenario/overrides.hpp"
#include "scenario/values.hpp"
#include "util/clock.hpp"
#include "util/stop_signal.hpp"
#include "util/units.hpp"

namespace gb::app {

namespace {

namespace oh = overhead;

struct overhead_flags {
  std::string scenario_file;
  scenario::overrides ov;
  std::string direct_url, gateway_url, proxy_url;
  std::vector<std::string> gateway_headers, proxy_headers, direct_headers;
  bool stream = false, no_stream = false, insecure = false, quiet = false;
  std::optional<std::string> rounds, round_requests, round_duration, round_warmup, warmup;
  std::optional<std::string> rates, ceiling_p99, ceiling_metric, flat_factor, quantiles;
  std::optional<std::string> resamples, confidence;
  bool no_c1 = false, no_scenario_load = false;
};

gb::result<std::vector<double>> number_list(const std::string& flag, const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto v = parse_si_number(item);
    if (!v) {
      return gb::fail(flag, ": ", v.message());
    }
    out.push_back(*v);
  }
  if (out.empty()) {
    return gb::fail(flag, ": give a comma-separated list, e.g. 50,100,200");
  }
  return out;
}

/// Applies the flags to the settings (flags win over the file's overhead section).
gb::status apply_flags(const overhead_flags& f, oh::settings& set) {
  auto count = [](const std::string& flag, const std::string& v,
                  std::int64_t min) -> gb::result<std::int64_t> {
    auto n = parse_si_count(v);
    if (!n) {
      return gb::fail(flag, ": ", n.message());
    }
    if (*n < min) {
      return gb::fail(flag, ": must be at least ", std::to_string(min), ", got ",
                      std::to_string(*n));
    }
    return *n;
  };
  auto dur = [](const std::string& flag, const std::string& v) -> gb::result<std::int64_t> {
    auto d = parse_duration_ns(v);
    if (!d) {
      return gb::fail(flag, ": ", d.message());
    }
    return *d;
  };
#define GB_TRY(var, expr) \
  auto var = (expr);      \
  if (!var) {             \
    return var.err();     \
  }
  if (f.rounds) {
    GB_TRY(v, count("--rounds", *f.rounds, 2));
    set.rounds = *v;
  }
  if (f.round_requests) {
    GB_TRY(v, count("--round-requests", *f.round_requests, 0));
    set.round_requests = *v;
  }
  if (f.round_duration) {
    GB_TRY(v, dur("--round-duration", *f.round_duration));
    set.round_duration_ns = *v;
  }
  if (f.round_warmup) {
    GB_TRY(v, dur("--round-warmup", *f.round_warmup));
    set.round_warmup_ns = *v;
  }
  if (f.warmup) {
    GB_TRY(v, dur("--warmup", *f.warmup));
    set.warmup_ns = *v;
  }
  if (f.rates) {
    GB_TRY(v, number_list("--rates", *f.rates));
    set.rates = *v;
  }
  if (f.quantiles) {
    GB_TRY(v, number_list("--quantiles", *f.quantiles));
    set.stats.quantiles = *v;
  }
  if (f.ceiling_p99) {
    GB_TRY(v, dur("--ceiling-p99", *f.ceiling_p99));
    set.ceiling_bound_ns = *v;
  }
  if (f.ceiling_metric) {
    set.ceiling_metric = *f.ceiling_metric;
  }
  if (f.flat_factor) {
    GB_TRY(v, parse_si_number(*f.flat_factor));
    set.flat_factor = *v;
  }
  if (f.resamples) {
    GB_TRY(v, count("--resamples", *f.resamples, 100));
    set.stats.resamples = static_cast<int>(*v);
  }
  if (f.confidence) {
    GB_TRY(v, parse_ratio(*f.confidence));
    set.stats.confidence = *v;
  }
#undef GB_TRY
  if (f.ov.threads) {
    auto n = parse_si_count(*f.ov.threads);
    if (n) {
      set.threads = *n;
    }
  }
  if (f.no_c1) {
    set.concurrency_one = false;
  }
  if (f.no_scenario_load) {
    set.scenario_load = false;
  }
  return oh::check_settings(set);
}

gb::status add_headers(scenario::target& t, const std::vector<std::string>& lines,
                       const std::string& flag) {
  for (const auto& l : lines) {
    auto h = scenario::header_line_value(l);
    if (!h) {
      return gb::fail(flag, ": ", h.message());
    }
    t.headers.push_back(*h);
  }
  return {};
}

/// The ad-hoc scenario: one target per URL flag, with the shared overrides.
gb::result<scenario::scenario> adhoc_scenario(const overhead_flags& f) {
  if (f.direct_url.empty() || f.gateway_url.empty()) {
    return gb::fail(
        "give a scenario file, or --direct URL and --gateway URL, e.g. `gatebench overhead "
        "--direct http://127.0.0.1:8000 --gateway http://127.0.0.1:8080 -c 1`");
  }
  scenario::scenario sc;
  sc.targets.clear();
  struct arm_flag {
    const char* role;
    const std::string* url;
    const std::vector<std::string>* headers;
  };
  for (const arm_flag& a : {arm_flag{"direct", &f.direct_url, &f.direct_headers},
                            arm_flag{"gateway", &f.gateway_url, &f.gateway_headers},
                            arm_flag{"proxy", &f.proxy_url, &f.proxy_headers}}) {
    if (a.url->empty()) {
      continue;
    }
    scenario::overrides ov = f.ov;
    ov.url = *a.url;
    auto one = scenario::make_adhoc_scenario(ov);
    if (!one) {
      return gb::fail("--", a.role, ": ", one.message());
    }
    if (sc.targets.empty()) {
      sc = *one;
      sc.name = f.ov.name ? *f.ov.name : "overhead";
      sc.targets.clear();
    }
    scenario::target t = one->targets.front();
    t.name = a.role;
    t.role = a.role;
    if (auto st = add_headers(t, *a.headers, std::string("--") + a.role + "-header"); !st) {
      return gb::fail(st.message());
    }
    sc.targets.push_back(std::move(t));
  }
  return sc;
}

}  // namespace

namespace overhead {

int run_and_report(scenario::scenario sc, settings set, const std::string& out_path, bool quiet) {
  if (auto st = check_settings(set); !st) {
    std::fprintf(stderr, "gatebench: overhead: %s\n", st.message().c_str());
    return exit_bad_input;
  }
  if (auto arms = arms_of(sc); !arms) {
    std::fprintf(stderr, "gatebench: %s\n", arms.message().c_str());
    return exit_bad_input;
  }
  if (auto ths = analysis::parse_thresholds(sc.thresholds, {}); !ths) {
    std::fprintf(stderr, "gatebench: %s\n", ths.message().c_str());
    return exit_bad_input;
  }
  const std::string out =
      out_path.empty() ? timestamped_report_path(sc.name + "-overhead") : out_path;
  const bool tty = isatty(STDOUT_FILENO) == 1;
  if (!quiet) {
    std::printf("Gateway overhead: %s, %lld rounds per point, points:", sc.name.c_str(),
                static_cast<long long>(set.rounds));
    for (const auto& p : load_points(sc, set)) {
      std::printf(" %s", p.label.c_str());
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  run_error err;
  progress_fn progress;
  if (!quiet) {
    progress = [](const std::string& line) {
      std::printf("  %s\n", line.c_str());
      std::fflush(stdout);
    };
  }
  auto r = run(sc, set, progress, err);
  if (!r) {
    std::fprintf(stderr, "gatebench: %s\n", r.message().c_str());
    return err.unreachable ? exit_other : exit_bad_input;
  }
  const status wr = write_json(*r, out);
  if (!quiet) {
    const bool color = tty && std::getenv("NO_COLOR") == nullptr;
    std::fputs(("\n" + format_console(*r, color)).c_str(), stdout);
  }
  if (!wr) {
    std::fprintf(stderr, "gatebench: could not write the overhead report: %s\n",
                 wr.message().c_str());
    return exit_other;
  }
  if (!quiet) {
    std::printf("Report: %s\n", out.c_str());
  }
  if (r->interrupted) {
    return exit_interrupted;
  }
  return r->passed() ? exit_ok : exit_failed_checks;
}

std::optional<int> maybe_run_from_run(const std::string& scenario_file,
                                      const scenario::overrides& ov, bool quiet) {
  if (scenario_file.empty()) {
    return std::nullopt;
  }
  auto loaded = load_scenario_file(scenario_file);
  if (!loaded) {
    std::ifstream in(scenario_file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("overhead:")) {  // an overhead scenario with an error in it
        std::fprintf(stderr, "gatebench: %s\n", loaded.message().c_str());
        return exit_bad_input;
      }
    }
    return std::nullopt;  // `run` reports its own errors
  }
  if (!is_overhead_scenario(loaded->sc)) {
    return std::nullopt;  // not an overhead scenario
  }
  scenario::overrides o = ov;
  o.url.reset();
  auto sc = scenario::apply_overrides(std::move(loaded->sc), o);
  if (!sc) {
    std::fprintf(stderr, "gatebench: %s\n", sc.message().c_str());
    return exit_bad_input;
  }
  take_overhead_thresholds(*sc, loaded->set);
  return run_and_report(std::move(*sc), loaded->set, ov.out ? *ov.out : "", quiet);
}

}  // namespace overhead

namespace {

int overhead_command(overhead_flags& f) {
  install_stop_handlers();  // Ctrl-C between rounds is seen by the next round's driver::run
  if (f.stream) {
    f.ov.stream = true;
  }
  if (f.no_stream) {
    f.ov.stream = false;
  }
  if (f.insecure) {
    f.ov.insecure = true;
  }
  scenario::scenario sc;
  oh::settings set;
  if (!f.scenario_file.empty()) {
    if (!f.direct_url.empty() || !f.gateway_url.empty() || !f.proxy_url.empty()) {
      std::fprintf(stderr,
                   "gatebench: overhead: give either a scenario file or --direct/--gateway "
                   "URLs, not both\n");
      return exit_bad_input;
    }
    auto loaded = oh::load_scenario_file(f.scenario_file);
    if (!loaded) {
      std::fprintf(stderr, "gatebench: %s\n", loaded.message().c_str());
      return exit_bad_input;
    }
    set = loaded->set;
    if (f.ov.url) {
      std::fprintf(stderr,
                   "gatebench: overhead: --url does not apply; the scenario's targets "
                   "name the arms\n");
      return exit_bad_input;
    }
    auto applied = scenario::apply_overrides(std::move(loaded->sc), f.ov);
    if (!applied) {
      std::fprintf(stderr, "gatebench: %s\n", applied.message().c_str());
      return exit_bad_input;
    }
    sc = std::move(*applied);
  } else {
    auto adhoc = adhoc_scenario(f);
    if (!adhoc) {
      std::fprintf(stderr, "gatebench: overhead: %s\n", adhoc.message().c_str());
      return exit_bad_input;
    }
    sc = std::move(*adhoc);
  }
  oh::take_overhead_thresholds(sc, set);
  if (auto st = apply_flags(f, set); !st) {
    std::fprintf(stderr, "gatebench: overhead: %s\n", st.message().c_str());
    return exit_bad_input;
  }
  return oh::run_and_report(std::move(sc), set, f.ov.out ? *f.ov.out : "", f.quiet);
}

}  // namespace

action add_overhead_command(CLI::App& app) {
  auto flags = std::make_shared<overhead_flags>();
  CLI::App* cmd = app.add_subcommand(
      "overhead", "Gateway versus direct: the gateway's cost per quantile, with intervals");
  cmd->footer(
      "Examples:\n  gatebench overhead scenarios/gateway-vs-direct.yaml\n"
      "  gatebench overhead --direct http://127.0.0.1:8000 --gateway http://127.0.0.1:8080 "
      "--rounds 10 --rates 50,100\n"
      "  gatebench overhead scenarios/gateway-vs-direct.yaml --threshold "
      "'overhead:ttft:p(95)<5ms'\nSee docs/overhead.md.");
  auto& f = *flags;
  auto& ov = f.ov;
  cmd->add_option("scenario", f.scenario_file,
                  "Scenario file with targets of role direct, gateway (and proxy)");
  cmd->add_option("--direct", f.direct_url, "Ad hoc: the upstream's base URL (direct arm)");
  cmd->add_option("--gateway", f.gateway_url, "Ad hoc: the gateway's base URL");
  cmd->add_option("--proxy", f.proxy_url, "Ad hoc: a plain reverse proxy's base URL (third arm)");
  cmd->add_option("--direct-header", f.direct_headers, "Header for the direct arm only");
  cmd->add_option("--gateway-header", f.gateway_headers, "Header for the gateway arm only");
  cmd->add_option("--proxy-header", f.proxy_headers, "Header for the proxy arm only");
  opt_flag(cmd, "--rounds", f.rounds, "Interleaved rounds per arm and load point (default 8)");
  opt_flag(cmd, "--round-requests", f.round_requests,
           "Closed loop: requests per round (default: rounds last --round-duration)");
  opt_flag(cmd, "--round-duration", f.round_duration, "Length of a round (default 1s)");
  opt_flag(cmd, "--round-warmup", f.round_warmup,
           "Discarded start of every round, for new connections (default 100ms; none for "
           "closed-loop rounds of --round-requests, so both arms send the same prompts)");
  opt_flag(cmd, "--warmup", f.warmup,
           "Discarded warm-up per arm and point (default: load.warmup or 1s)");
  opt_flag(cmd, "--rates", f.rates, "Open-loop points, e.g. 50,100,200 (arrivals/s)");
  cmd->add_flag("--no-c1", f.no_c1, "Skip the closed-loop point at concurrency 1");
  cmd->add_flag("--no-scenario-load", f.no_scenario_load, "Skip the scenario's own load point");
  opt_flag(cmd, "--ceiling-p99", f.ceiling_p99,
           "Report each arm's ceiling: highest open-loop rate with p99 under this and no errors");
  opt_flag(cmd, "--ceiling-metric", f.ceiling_metric, "Metric of the ceiling bound (default e2e)");
  opt_flag(cmd, "--flat-factor", f.flat_factor,
           "A point is invalid when direct p99 exceeds this × its floor (default 2)");
  opt_flag(cmd, "--quantiles", f.quantiles, "Quantiles (default 50,90,95,99)");
  opt_flag(cmd, "--resamples", f.resamples, "Bootstrap resamples (default 1000)");
  opt_flag(cmd, "--confidence", f.confidence, "Interval level (default 0.95)");
  cmd->add_option("--threshold", ov.thresholds,
                  "Overhead threshold, e.g. 'overhead:ttft:p(95)<5ms' (repeatable)");
  opt_flag(cmd, "--api", ov.api, "API dialect (ad hoc)");
  opt_flag(cmd, "-c,--concurrency", ov.concurrency, "The scenario load's concurrency");
  opt_flag(cmd, "-R,--rate", ov.rate, "The scenario load's rate (open loop)");
  opt_flag(cmd, "-t,--threads", ov.threads, "Worker threads per run");
  cmd->add_option("-H,--header", ov.headers, "Header for every arm (repeatable)");
  opt_flag(cmd, "--timeout", ov.timeout, "Total timeout per request");
  opt_flag(cmd, "--seed", ov.seed, "Seed for prompts, arrivals and the round order");
  opt_flag(cmd, "--model", ov.model, "Model name sent in requests");
  cmd->add_flag("--stream", f.stream, "Stream responses (SSE)");
  cmd->add_flag("--no-stream", f.no_stream, "Do not stream responses");
  opt_flag(cmd, "--max-tokens", ov.max_tokens, "Output tokens asked for");
  opt_flag(cmd, "--input-tokens", ov.input_tokens, "Synthetic prompt length in tokens");
  cmd->add_flag("--insecure", f.insecure, "Do not verify TLS certificates");
  opt_flag(cmd, "--name", ov.name, "Scenario name");
  opt_flag(cmd, "-o,--out", ov.out,
           "Overhead report (JSON) path (default reports/<name>-overhead-<time>.json)");
  cmd->add_flag("-q,--quiet", f.quiet, "No progress or table");
  return [flags] { return overhead_command(*flags); };
}

}  // namespace gb::app
