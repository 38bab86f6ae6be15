#pragma once
// Shared by the Prometheus and OpenMetrics renderers: writes families and samples with the
// common label set. Internal to src/export.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "export/prometheus_text.hpp"

namespace gb::exporter {

enum class text_format : std::uint8_t { prometheus, openmetrics };

/// The labels of one series: testid, target, scenario, phase, then extras (outcome, le).
struct series_labels {
  const run_labels* run = nullptr;
  std::string target;
  std::string phase;
};

class text_writer {
 public:
  explicit text_writer(text_format f) : format_(f) {}

  /// Starts a family. `name` is the sample name without _total for counters in OpenMetrics
  /// (pass the full sample name; this strips it). `type`: counter, gauge, histogram.
  void family(std::string_view name, std::string_view type, std::string_view help,
              std::string_view unit = {});
  /// One sample line; `timestamp_s` only for OpenMetrics exports.
  void sample(std::string_view name, const series_labels& l,
              const std::vector<std::pair<std::string_view, std::string>>& extra, double value,
              std::optional<double> timestamp_s = std::nullopt);
  /// A histogram point: buckets, _count, _sum (all at `timestamp_s` when given).
  void histogram(std::string_view name, const series_labels& l, const seconds_buckets& b,
                 std::optional<double> timestamp_s = std::nullopt);

  std::string take() && { return std::move(out_); }
  std::string& text() { return out_; }

 private:
  text_format format_;
  std::string out_;
};

}  // namespace gb::exporter
