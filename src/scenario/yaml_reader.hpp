#pragma once
// Internal to src/scenario: typed reads from yaml-cpp nodes with "FILE:LINE: message" errors.
// Only the parser's .cpp files include this (yaml-cpp stays out of public headers).

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/env.hpp"
#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::scenario::detail {

/// Thrown inside the parser for bad configuration; parse_scenario_text turns it into a result.
struct config_error {
  std::string message;
};

struct context {
  std::string file;                 // for messages
  std::filesystem::path base_dir;   // relative dataset paths are resolved against it
  const env_lookup* env = nullptr;  // ${ENV} lookups
};

/// "FILE:LINE" of a node (just FILE when the node has no position).
std::string where(const context& cx, const YAML::Node& node);

/// Throws config_error "FILE:LINE: message".
[[noreturn]] void fail_at(const context& cx, const YAML::Node& node, const std::string& message);

/// Unwraps `r` or throws its message located at `node`.
template <class T>
T unwrap(const context& cx, const YAML::Node& node, result<T> r) {
  if (!r) {
    fail_at(cx, node, r.message());
  }
  return std::move(r).value();
}

/// A mapping whose keys must all be in `known` (an unknown key fails with the closest known
/// one suggested). A null node reads as an empty mapping.
class map_reader {
 public:
  map_reader(const context& cx, const YAML::Node& node, std::string what,
             std::vector<std::string_view> known);

  bool has(std::string_view key) const;
  /// The value under `key`; an undefined node when absent.
  YAML::Node get(std::string_view key) const;
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node node_;
};

/// The scalar text of `node`; fails for mappings, lists and null (naming `what`).
std::string scalar(const context& cx, const YAML::Node& node, std::string_view what);

bool bool_value(const context& cx, const YAML::Node& node, std::string_view what);
std::int64_t count_at(const context& cx, const YAML::Node& node, std::string_view what,
                      std::int64_t min);
double positive_at(const context& cx, const YAML::Node& node, std::string_view what);
double number_at(const context& cx, const YAML::Node& node, std::string_view what);
std::int64_t duration_at(const context& cx, const YAML::Node& node, std::string_view what,
                         bool allow_zero);

/// A token-count distribution: a number (fixed) or {dist, value, mean, stddev, min, max}.
distribution distribution_at(const context& cx, const YAML::Node& node, std::string_view what);

/// Headers as a mapping {Name: value} or a list of "Name: value"; ${ENV} substituted; secret
/// when substituted or an auth header.
std::vector<header> headers_at(const context& cx, const YAML::Node& node);

/// Requires `node` to be a sequence (naming `what` and an example).
void require_list(const context& cx, const YAML::Node& node, std::string_view what,
                  std::string_view example);

}  // namespace gb::scenario::detail
