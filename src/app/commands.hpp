#pragma once
// Subcommands of `gatebench`. Each add_*_command registers its CLI11 subcommand and returns the
// action that main() runs when that subcommand was chosen; the action returns the exit code
// (shared/design/conventions.md: 0, 99, 104, 105, 1). Only src/app prints for humans or exits.

#include <functional>

namespace CLI {
class App;
}

namespace gb::app {

using action = std::function<int()>;

/// Exit codes (k6's).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed_checks = 99;
inline constexpr int exit_bad_input = 104;
inline constexpr int exit_interrupted = 105;
inline constexpr int exit_other = 1;

action add_version_command(CLI::App& app);
action add_run_command(CLI::App& app);
action add_report_command(CLI::App& app);   // cmd_report.cpp
action add_compare_command(CLI::App& app);  // cmd_compare.cpp
action add_merge_command(CLI::App& app);    // cmd_merge.cpp
action add_export_command(CLI::App& app);
action add_overhead_command(CLI::App& app);  // cmd_overhead.cpp

}  // namespace gb::app
