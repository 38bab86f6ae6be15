#pragma once
// Decoding the scenario block of a stored report (written by scenario::to_json) back into the
// fields later analyses need (compare's load check, thresholds, names). Internal to src/report.

#include <nlohmann/json.hpp>

#include "scenario/scenario.hpp"

namespace gb::report::detail {

/// Reads back what scenario::to_json writes; missing or mistyped keys keep their defaults (the
/// raw JSON stays available in run_info::scenario_json). Never throws.
gb::scenario::scenario scenario_from_json(const nlohmann::json& j);

}  // namespace gb::report::detail
