#pragma once
// The histograms of metrics::stats by their report names. Shared by the report's writer, loader,
// merger and by analysis (thresholds, compare).

#include <array>
#include <string_view>

#include "metrics/run_stats.hpp"

namespace gb::report {

struct metric_entry {
  std::string_view name;  // report key, e.g. "ttft", "ttft_service"
  std::string_view view;  // "response" (from intended send), "service" (from sent), "none"
  std::string_view unit;  // "ns" or "tokens"
  metrics::histogram metrics::stats::*member;
};

inline constexpr std::array<metric_entry, 12> metric_table{{
    {"ttfb", "response", "ns", &metrics::stats::ttfb},
    {"ttft", "response", "ns", &metrics::stats::ttft},
    {"e2e", "response", "ns", &metrics::stats::e2e},
    {"ttfb_service", "service", "ns", &metrics::stats::ttfb_service},
    {"ttft_service", "service", "ns", &metrics::stats::ttft_service},
    {"e2e_service", "service", "ns", &metrics::stats::e2e_service},
    {"itl", "none", "ns", &metrics::stats::itl},
    {"tpot", "none", "ns", &metrics::stats::tpot},
    {"schedule_lag", "none", "ns", &metrics::stats::schedule_lag},
    {"time_to_error", "none", "ns", &metrics::stats::time_to_error},
    {"output_tokens", "none", "tokens", &metrics::stats::output_tokens},
    {"input_tokens", "none", "tokens", &metrics::stats::input_tokens},
}};

/// The entry named `name`, or nullptr.
inline const metric_entry* find_metric(std::string_view name) {
  for (const auto& m : metric_table) {
    if (m.name == name) {
      return &m;
    }
  }
  return nullptr;
}

}  // namespace gb::report
