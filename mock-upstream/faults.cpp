#include "faults.hpp"

#include "distribution.hpp"

namespace gb::mock {

namespace {
constexpr std::array<std::string_view, fault_kind_count> names = {
    "none",     "rate_limit", "insufficient_quota", "http_500",
    "http_502", "http_503",   "overloaded",         "stream_error",
    "reset",    "stall",      "slow_headers",       "malformed_event"};
}  // namespace

std::string_view to_string(fault_kind k) noexcept {
  const auto i = static_cast<std::size_t>(k);
  return i < names.size() ? names[i] : "none";
}

std::optional<fault_kind> parse_fault_kind(std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      return static_cast<fault_kind>(i);
    }
  }
  struct alias {
    std::string_view name;
    fault_kind kind;
  };
  static constexpr alias aliases[] = {{"429", fault_kind::rate_limit},
                                      {"quota", fault_kind::insufficient_quota},
                                      {"500", fault_kind::http_500},
                                      {"502", fault_kind::http_502},
                                      {"503", fault_kind::http_503},
                                      {"529", fault_kind::overloaded},
                                      {"error_event", fault_kind::stream_error},
                                      {"tcp_reset", fault_kind::reset},
                                      {"malformed", fault_kind::malformed_event}};
  for (const auto& a : aliases) {
    if (a.name == name) {
      return a.kind;
    }
  }
  return std::nullopt;
}

bool is_mid_stream(fault_kind k) noexcept {
  return k == fault_kind::stream_error || k == fault_kind::reset || k == fault_kind::stall ||
         k == fault_kind::malformed_event;
}

double fault_rates::total() const noexcept {
  double t = 0;
  for (std::size_t i = 1; i < rate.size(); ++i) {
    t += rate[i];
  }
  return t;
}

fault_kind fault_rates::draw(rng& r) const noexcept {
  const double u = r.uniform01();
  double acc = 0;
  for (std::size_t i = 1; i < rate.size(); ++i) {
    acc += rate[i];
    if (u < acc) {
      return static_cast<fault_kind>(i);
    }
  }
  return fault_kind::none;
}

}  // namespace gb::mock
