// `gatebench report REPORT.json [--format console|json|markdown|hgrm|hlog]`: re-print or convert a
// stored report.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "report/metric_table.hpp"
#include "report/report.hpp"

namespace gb::app {

namespace {

struct report_flags {
  std::string path;
  std::string format = "console";
  std::string metric = "e2e";
  std::string target;
  std::string out;
};

int emit(const std::string& text, const std::string& out) {
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
    return exit_ok;
  }
  if (auto st = report::write_text_atomically(out, text); !st) {
    std::fprintf(stderr, "gatebench report: %s\n", st.message().c_str());
    return exit_bad_input;
  }
  return exit_ok;
}

int run_report(const report_flags& f) {
  auto r = report::load_report(f.path);
  if (!r) {
    std::fprintf(stderr, "gatebench report: %s\n", r.message().c_str());
    return exit_bad_input;
  }
  if (f.format == "json") {
    auto text = report::render_report_json(r->info, r->stats);
    if (!text) {
      std::fprintf(stderr, "gatebench report: %s\n", text.message().c_str());
      return exit_other;
    }
    return emit(*text + "\n", f.out);
  }
  if (f.format == "markdown") {
    return emit(report::format_markdown_summary(r->info, r->stats), f.out);
  }
  if (f.format == "hlog") {
    auto text = report::format_hlog(r->info, r->stats, f.metric);
    if (!text) {
      std::fprintf(stderr, "gatebench report: %s\n", text.message().c_str());
      return exit_bad_input;
    }
    return emit(*text, f.out);
  }
  if (f.format == "hgrm") {
    const auto* m = report::find_metric(f.metric);
    if (m == nullptr) {
      std::fprintf(stderr, "gatebench report: unknown metric '%s' (try ttft, itl, tpot, e2e)\n",
                   f.metric.c_str());
      return exit_bad_input;
    }
    std::string text;
    for (const auto& [target, phases] : r->stats.by_target_phase) {
      if (!f.target.empty() && target != f.target) {
        continue;
      }
      const std::string phase = report::headline_phase(phases);
      if (phase.empty()) {
        continue;
      }
      if (f.target.empty() && r->stats.by_target_phase.size() > 1) {
        text += "# target " + target + ", phase " + phase + ", metric " + f.metric + "\n";
      }
      text += report::format_hgrm(phases.at(phase).*m->member);
    }
    if (text.empty()) {
      std::fprintf(stderr, "gatebench report: no target named '%s' in %s\n", f.target.c_str(),
                   f.path.c_str());
      return exit_bad_input;
    }
    return emit(text, f.out);
  }
  const bool color =
      f.out.empty() && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  return emit(report::format_console_summary(r->info, r->stats, color), f.out);
}

}  // namespace

action add_report_command(CLI::App& app) {
  auto f = std::make_shared<report_flags>();
  auto* cmd = app.add_subcommand("report", "Re-print or convert a stored report");
  cmd->add_option("report", f->path, "The report (JSON)")->required();
  cmd->add_option("--format", f->format, "console, json, markdown, hgrm or hlog")
      ->check(CLI::IsMember({"console", "json", "markdown", "hgrm", "hlog"}));
  cmd->add_option("--metric", f->metric, "Metric for --format hgrm/hlog (default e2e)");
  cmd->add_option("--target", f->target, "Only this target (hgrm)");
  cmd->add_option("-o,--out", f->out, "Write to this file instead of stdout");
  cmd->footer("Example: gatebench report reports/run.json --format hgrm --metric ttft");
  return [f] { return run_report(*f); };
}

}  // namespace gb::app
