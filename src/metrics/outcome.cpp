#include "metrics/outcome.hpp"

namespace gb::metrics {

std::string_view to_string(outcome o) noexcept {
  switch (o) {
    case outcome::ok:
      return "ok";
    case outcome::http_status:
      return "http_status";
    case outcome::timeout:
      return "timeout";
    case outcome::connect_error:
      return "connect_error";
    case outcome::tls_error:
      return "tls_error";
    case outcome::protocol_error:
      return "protocol_error";
    case outcome::stream_error:
      return "stream_error";
    case outcome::cancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string_view to_string(timeout_phase p) noexcept {
  switch (p) {
    case timeout_phase::connect:
      return "connect";
    case timeout_phase::first_byte:
      return "first_byte";
    case timeout_phase::idle:
      return "idle";
    case timeout_phase::total:
      return "total";
  }
  return "unknown";
}

void ledger::add(const request_fate& f) {
  ++counts_[static_cast<std::size_t>(f.kind)];
  switch (f.kind) {
    case outcome::http_status:
      ++by_status_[f.http_status];
      break;
    case outcome::timeout:
      ++timeouts_[static_cast<std::size_t>(f.phase)];
      break;
    case outcome::protocol_error:
    case outcome::stream_error:
    case outcome::connect_error:
    case outcome::tls_error:
      if (!f.reason.empty()) {
        std::string key(to_string(f.kind));
        key += '/';
        key += f.reason;
        ++by_reason_[key];
      }
      break;
    case outcome::ok:
    case outcome::cancelled:
      break;
  }
}

void ledger::add_many(const request_fate& f, std::int64_t n) {
  if (n <= 0) {
    return;
  }
  counts_[static_cast<std::size_t>(f.kind)] += n;
  switch (f.kind) {
    case outcome::http_status:
      by_status_[f.http_status] += n;
      break;
    case outcome::timeout:
      timeouts_[static_cast<std::size_t>(f.phase)] += n;
      break;
    case outcome::protocol_error:
    case outcome::stream_error:
    case outcome::connect_error:
    case outcome::tls_error:
      if (!f.reason.empty()) {
        std::string key(to_string(f.kind));
        key += '/';
        key += f.reason;
        by_reason_[key] += n;
      }
      break;
    case outcome::ok:
    case outcome::cancelled:
      break;
  }
}

void ledger::merge(const ledger& other) {
  started_ += other.started_;
  for (std::size_t i = 0; i < outcome_count; ++i) {
    counts_[i] += other.counts_[i];
  }
  for (std::size_t i = 0; i < timeout_phase_count; ++i) {
    timeouts_[i] += other.timeouts_[i];
  }
  for (const auto& [k, v] : other.by_status_) {
    by_status_[k] += v;
  }
  for (const auto& [k, v] : other.by_reason_) {
    by_reason_[k] += v;
  }
}

std::int64_t ledger::finished() const noexcept {
  std::int64_t n = 0;
  for (auto c : counts_) {
    n += c;
  }
  return n;
}

}  // namespace gb::metrics
