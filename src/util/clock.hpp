#pragma once
// Time sources. All durations and instants inside gatebench are int64 nanoseconds.

#include <chrono>
#include <cstdint>

namespace gb {

/// Nanoseconds in common units.
inline constexpr std::int64_t ns_per_us = 1'000;
inline constexpr std::int64_t ns_per_ms = 1'000'000;
inline constexpr std::int64_t ns_per_s = 1'000'000'000;

/// Monotonic time (steady_clock) in nanoseconds since an arbitrary epoch.
/// Use for every latency and schedule computation. Never fails.
std::int64_t now_ns() noexcept;

/// Wall-clock time (system_clock) in nanoseconds since the Unix epoch.
/// Use only for labelling (report start/end time), never for measuring.
std::int64_t wall_ns() noexcept;

/// Converts a steady instant to wall time using one paired reading taken at
/// program start; error stays within a few microseconds plus clock slew.
std::int64_t steady_to_wall_ns(std::int64_t steady) noexcept;

/// A now_ns() instant as a steady_clock time point (for timers' expires_at). Never fails.
inline std::chrono::steady_clock::time_point steady_time_point(std::int64_t ns) noexcept {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace gb
