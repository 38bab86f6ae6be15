#pragma once
// A run's phases on its timeline: warm-up, main (or stages), cool-down. Offsets are nanoseconds
// from the run's start.

#include <cstdint>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace gb::plan {

enum class phase : std::uint8_t { warmup, main, cooldown };

/// "warmup", "main", "cooldown" (the names used in reports and metric labels).
std::string_view to_string(phase p) noexcept;

struct phase_window {
  phase which = phase::main;
  std::int64_t start_ns = 0;  // offset from run start
  std::int64_t end_ns = 0;    // exclusive; INT64_MAX when the main phase is bounded by count only
};

/// The phases of `load` in order, skipping empty ones. Stages, when present, make up the main
/// phase (their durations summed). Never fails (the scenario was validated).
std::vector<phase_window> make_phases(const scenario::load& load);

/// The phase a request intended at `t_ns` belongs to; phase::cooldown past the end.
phase phase_at(const std::vector<phase_window>& phases, std::int64_t t_ns) noexcept;

}  // namespace gb::plan
