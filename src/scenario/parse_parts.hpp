#pragma once
// Internal to src/scenario: the parser's sections, one function per top-level key.

#include "scenario/yaml_reader.hpp"

namespace gb::scenario::detail {

/// `workload:`; `targets` are already parsed (mix entries name them).
workload parse_workload(const context& cx, const YAML::Node& node,
                        const std::vector<target>& targets);

/// `load:`; `sw` is already parsed (a sweep of rates implies open loop).
load parse_load(const context& cx, const YAML::Node& node, const sweep& sw);

/// `sweep:`.
sweep parse_sweep(const context& cx, const YAML::Node& node);

}  // namespace gb::scenario::detail
