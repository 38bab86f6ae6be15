// `gatebench compare BASE.json NEW.json`: percentiles side by side, relative change, bootstrap
// interval; exit 99 on a regression beyond noise (or a failed threshold), 104 on bad input.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "analysis/compare.hpp"
#include "analysis/gate.hpp"
#include "app/commands.hpp"
#include "util/units.hpp"

namespace gb::app {

namespace {

struct compare_flags {
  std::string base;
  std::string next;
  std::string noise = "5%";
  bool force = false;
  std::string format = "console";
  std::string junit;
  std::string markdown;
  std::vector<std::string> thresholds;
  std::vector<double> gate{50, 90, 95};
};

int run_compare(const compare_flags& f) {
  analysis::compare_options opts;
  auto noise = parse_ratio(f.noise);
  if (!noise || *noise < 0 || *noise >= 10) {
    std::fprintf(stderr, "gatebench compare: --noise '%s' is not a percentage like 5%%\n",
                 f.noise.c_str());
    return exit_bad_input;
  }
  opts.noise = *noise;
  opts.force = f.force;
  opts.gate = f.gate;
  for (double p : f.gate) {
    if (std::find(opts.percentiles.begin(), opts.percentiles.end(), p) == opts.percentiles.end()) {
      opts.percentiles.push_back(p);
    }
  }
  auto base = report::load_report(f.base);
  if (!base) {
    std::fprintf(stderr, "gatebench compare: %s\n", base.message().c_str());
    return exit_bad_input;
  }
  auto next = report::load_report(f.next);
  if (!next) {
    std::fprintf(stderr, "gatebench compare: %s\n", next.message().c_str());
    return exit_bad_input;
  }
  auto ths = analysis::parse_thresholds({}, f.thresholds);
  if (!ths) {
    std::fprintf(stderr, "gatebench compare: %s\n", ths.message().c_str());
    return exit_bad_input;
  }
  auto r = analysis::compare_reports(*base, *next, opts);
  if (!r) {
    std::fprintf(stderr, "gatebench compare: %s\n", r.message().c_str());
    return exit_bad_input;
  }
  const auto th_results = analysis::evaluate_thresholds(*ths, next->stats);
  const bool color = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  if (f.format == "json") {
    std::fputs(analysis::format_compare_json(*r).c_str(), stdout);
  } else if (f.format == "markdown") {
    std::fputs(analysis::format_compare_markdown(*r).c_str(), stdout);
  } else {
    std::fputs(analysis::format_compare_console(*r, color).c_str(), stdout);
    std::fputs(analysis::format_threshold_results(th_results, color).c_str(), stdout);
  }
  if (!f.junit.empty()) {
    if (auto st = report::write_text_atomically(
            f.junit, analysis::format_junit(&*r, th_results, "gatebench compare"));
        !st) {
      std::fprintf(stderr, "gatebench compare: %s\n", st.message().c_str());
      return exit_bad_input;
    }
  }
  if (!f.markdown.empty()) {
    if (auto st = report::write_text_atomically(f.markdown, analysis::format_compare_markdown(*r));
        !st) {
      std::fprintf(stderr, "gatebench compare: %s\n", st.message().c_str());
      return exit_bad_input;
    }
  }
  return r->regression || !analysis::all_passed(th_results) ? exit_failed_checks : exit_ok;
}

}  // namespace

action add_compare_command(CLI::App& app) {
  auto f = std::make_shared<compare_flags>();
  auto* cmd = app.add_subcommand("compare", "Compare a new report against a baseline report");
  cmd->add_option("base", f->base, "The baseline report (JSON)")->required();
  cmd->add_option("new", f->next, "The new report (JSON)")->required();
  cmd->add_option("--noise", f->noise, "Relative change treated as noise (default 5%)");
  cmd->add_flag("--force", f->force, "Compare even when the loads differ");
  cmd->add_option("--format", f->format, "console, json or markdown")
      ->check(CLI::IsMember({"console", "json", "markdown"}));
  cmd->add_option("--junit", f->junit, "Also write JUnit XML (one test case per gated metric)");
  cmd->add_option("--markdown", f->markdown, "Also write a Markdown summary (CI job summary)");
  cmd->add_option("--gate", f->gate,
                  "Percentiles that can fail the comparison (default 50,90,95; p99 is shown)")
      ->delimiter(',')
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--threshold", f->thresholds,
                  "Threshold evaluated on the new report, e.g. 'ttft:p(95)<500ms' (repeatable)");
  cmd->footer(
      "Example: gatebench compare reports/baselines/main.json reports/run.json --noise 5% "
      "--junit gate.xml\nExit codes: 0 no regression, 99 regression or failed threshold, 104 bad "
      "input or differing load.");
  return [f] { return run_compare(*f); };
}

}  // namespace gb::app
