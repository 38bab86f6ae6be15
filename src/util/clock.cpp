#include "util/clock.hpp"

#include <chrono>

namespace gb {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t wall_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t steady_to_wall_ns(std::int64_t steady) noexcept {
  static const std::int64_t offset = wall_ns() - now_ns();
  return steady + offset;
}

}  // namespace gb
