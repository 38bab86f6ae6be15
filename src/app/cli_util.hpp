#pragma once
// Small helpers shared by the subcommands' flag definitions (CLI11 must be included first).

#include <ctime>
#include <optional>
#include <string>

#include "util/clock.hpp"

namespace gb::app {

/// Registers an option that stores its raw text in `target` (validated later by the scenario
/// module, so that every value gets the same error messages as in a scenario file).
template <class T>
void opt_flag(CLI::App* cmd, const std::string& names, std::optional<T>& target,
              const std::string& help) {
  cmd->add_option_function<std::string>(
      names, [&target](const std::string& v) { target = v; }, help);
}

/// "reports/<stem>-<UTC time, e.g. 20261122T104457Z>.json": the default report path.
inline std::string timestamped_report_path(const std::string& stem) {
  const std::time_t t = static_cast<std::time_t>(wall_ns() / ns_per_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return "reports/" + stem + "-" + buf + ".json";
}

}  // namespace gb::app
