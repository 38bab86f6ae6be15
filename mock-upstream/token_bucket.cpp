#include "token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace gb::mock {

token_bucket::token_bucket(double per_minute, std::int64_t now_ns) noexcept
    : capacity_(per_minute), per_ns_(per_minute / 60e9), level_(per_minute), last_ns_(now_ns) {}

void token_bucket::refill(std::int64_t now_ns) noexcept {
  if (now_ns > last_ns_) {
    level_ = std::min(capacity_, level_ + static_cast<double>(now_ns - last_ns_) * per_ns_);
    last_ns_ = now_ns;
  }
}

token_bucket::decision token_bucket::check(double amount, std::int64_t now_ns) noexcept {
  refill(now_ns);
  if (amount <= level_ + 1e-9) {
    return {true, 0};
  }
  if (amount > capacity_ || per_ns_ <= 0) {
    return {false, -1};
  }
  return {false, static_cast<std::int64_t>(std::ceil((amount - level_) / per_ns_))};
}

void token_bucket::take(double amount) noexcept {
  level_ = std::max(0.0, level_ - amount);
}

double token_bucket::available(std::int64_t now_ns) noexcept {
  refill(now_ns);
  return level_;
}

std::int64_t token_bucket::time_to_full_ns(std::int64_t now_ns) noexcept {
  refill(now_ns);
  if (per_ns_ <= 0) {
    return 0;
  }
  return static_cast<std::int64_t>(std::ceil((capacity_ - level_) / per_ns_));
}

rate_limiter::rate_limiter(double rpm, double tpm, std::int64_t now_ns) noexcept
    : rpm_(rpm), tpm_(tpm), requests_(rpm, now_ns), tokens_(tpm, now_ns) {}

rate_limiter::verdict rate_limiter::admit(double tokens, std::int64_t now_ns) noexcept {
  std::lock_guard lock(mu_);
  verdict v;
  token_bucket::decision rq{true, 0};
  token_bucket::decision tk{true, 0};
  if (rpm_ > 0) {
    rq = requests_.check(1, now_ns);
  }
  if (tpm_ > 0) {
    tk = tokens_.check(tokens, now_ns);
  }
  if (!rq.allowed) {
    v.by = limited_by::requests;
    v.retry_after_ns = rq.retry_after_ns;
  } else if (!tk.allowed) {
    v.by = limited_by::tokens;
    v.retry_after_ns = tk.retry_after_ns;
  } else {
    if (rpm_ > 0) {
      requests_.take(1);
    }
    if (tpm_ > 0) {
      tokens_.take(tokens);
    }
  }
  if (rpm_ > 0) {
    v.limit_requests = static_cast<std::int64_t>(rpm_);
    v.remaining_requests = static_cast<std::int64_t>(std::floor(requests_.available(now_ns)));
    v.reset_requests_ns = requests_.time_to_full_ns(now_ns);
  }
  if (tpm_ > 0) {
    v.limit_tokens = static_cast<std::int64_t>(tpm_);
    v.remaining_tokens = static_cast<std::int64_t>(std::floor(tokens_.available(now_ns)));
    v.reset_tokens_ns = tokens_.time_to_full_ns(now_ns);
  }
  return v;
}

}  // namespace gb::mock
