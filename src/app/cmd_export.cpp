// `gatebench export openmetrics REPORT.json [-o FILE]`: a stored run's time series as
// OpenMetrics text with timestamps, for `promtool tsdb create-blocks-from openmetrics`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "export/openmetrics.hpp"
#include "export/report_bridge.hpp"
#include "report/report.hpp"

namespace gb::app {
namespace {

struct export_options {
  std::string report_path;
  std::string out_path;
};

int run_openmetrics(const export_options& o) {
  auto rep = report::load_report(o.report_path);
  if (!rep) {
    std::fprintf(stderr, "gatebench export: %s\n", rep.message().c_str());
    return exit_bad_input;
  }
  sysmon::resource_report resources;
  const auto in = exporter::openmetrics_input_from_report(*rep, resources);
  auto text = exporter::render_openmetrics(in);
  if (!text) {
    std::fprintf(stderr, "gatebench export: %s: %s\n", o.report_path.c_str(),
                 text.message().c_str());
    return exit_bad_input;
  }
  if (o.out_path.empty() || o.out_path == "-") {
    std::fwrite(text->data(), 1, text->size(), stdout);
    return std::fflush(stdout) == 0 ? exit_ok : exit_other;
  }
  if (auto st = report::write_text_atomically(o.out_path, *text); !st) {
    std::fprintf(stderr, "gatebench export: %s\n", st.message().c_str());
    return exit_other;
  }
  std::fprintf(stderr,
               "wrote %s (%zu intervals; load with: promtool tsdb "
               "create-blocks-from openmetrics %s DATA_DIR)\n",
               o.out_path.c_str(), in.intervals->size(), o.out_path.c_str());
  return exit_ok;
}

}  // namespace

action add_export_command(CLI::App& app) {
  auto opts = std::make_shared<export_options>();
  auto* cmd = app.add_subcommand("export", "Convert a stored report for other tools");
  cmd->require_subcommand(1);
  auto* om = cmd->add_subcommand("openmetrics",
                                 "Write the run's time series as OpenMetrics text with timestamps");
  om->add_option("report", opts->report_path, "Report JSON written by gatebench run")
      ->required()
      ->check(CLI::ExistingFile);
  om->add_option("-o,--out", opts->out_path, "Output file (default: standard output)");
  om->footer(
      "Example:\n  gatebench export openmetrics reports/run.json -o run.om\n"
      "  promtool tsdb create-blocks-from openmetrics run.om /var/lib/prometheus/metrics2");
  return [opts, om] {
    if (om->parsed()) {
      return run_openmetrics(*opts);
    }
    return exit_bad_input;
  };
}

}  // namespace gb::app
