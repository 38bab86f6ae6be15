#pragma once
// Scenario files: YAML → typed, validated scenario (scenario/scenario.hpp). Every error names
// the file and line and says what to write instead ("quick.yaml:7: concurrency must be at
// least 1, got -4"). The schema is documented in docs/scenarios.md.

#include <string>
#include <string_view>

#include "scenario/env.hpp"
#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::scenario {

/// Reads and parses the scenario file at `path`. Relative dataset paths are resolved against
/// the file's directory. ${ENV} references in URLs and header values are substituted from
/// `env`. Returns the scenario or an error "PATH:LINE: message" (or "PATH: message" when the
/// file cannot be read).
result<scenario> parse_scenario_file(const std::string& path,
                                     const env_lookup& env = process_env());

/// Parses scenario text; `name_for_messages` prefixes errors (and, when it is a path, its
/// directory anchors relative dataset paths). The scenario's name defaults to the file's stem.
result<scenario> parse_scenario_text(std::string_view text, const std::string& name_for_messages,
                                     const env_lookup& env = process_env());

}  // namespace gb::scenario
