#pragma once
// The resolved scenario as JSON for reports, with secrets removed: secret header values become
// "[redacted]", URLs that held ${ENV} are shown as written (the template, not the value).

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "scenario/scenario.hpp"

namespace gb::scenario {

/// Fills `j` with the scenario (durations as "30s"-style strings and *_ns integers).
void to_json(nlohmann::json& j, const scenario& sc);

/// The same as JSON text (compact).
std::string to_json_text(const scenario& sc);

}  // namespace gb::scenario
