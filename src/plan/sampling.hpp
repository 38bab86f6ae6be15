#pragma once
// Draws from the scenario's distributions with plan::rng (identical on every platform).

#include <cstdint>

#include "plan/rng.hpp"
#include "scenario/scenario.hpp"

namespace gb::plan {

/// A whole count (tokens) drawn from `d`: fixed → value; uniform → an integer in [min, max]
/// (each equally likely); normal → mean + stddev·z; lognormal → a log-normal variable whose
/// own mean and stddev are d.value and d.stddev. Clamped to [min, max] when max > 0, and never
/// below 1.
std::int64_t sample_count(const scenario::distribution& d, rng& r) noexcept;

}  // namespace gb::plan
