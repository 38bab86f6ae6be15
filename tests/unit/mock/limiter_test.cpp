// Token bucket and the rpm/tpm limiter.
#include <gtest/gtest.h>

#include "token_bucket.hpp"

namespace gb::mock {
namespace {

constexpr std::int64_t s = 1'000'000'000;

TEST(TokenBucket, StartsFullAndRefillsContinuously) {
  token_bucket b(60, 0);  // one per second
  EXPECT_DOUBLE_EQ(b.available(0), 60);
  for (int i = 0; i < 60; ++i) {
    ASSERT_TRUE(b.check(1, 0).allowed);
    b.take(1);
  }
  auto d = b.check(1, 0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ns, s);
  EXPECT_FALSE(b.check(1, s / 2).allowed);
  EXPECT_EQ(b.check(1, s / 2).retry_after_ns, s / 2);
  EXPECT_TRUE(b.check(1, s).allowed);
  EXPECT_NEAR(b.available(10 * s), 10, 1e-9);
  EXPECT_NEAR(b.available(1000 * s), 60, 1e-9) << "never above capacity";
  EXPECT_EQ(b.time_to_full_ns(1000 * s), 0);
}

TEST(TokenBucket, AmountOverCapacityNeverFits) {
  token_bucket b(100, 0);
  auto d = b.check(101, 0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ns, -1);
}

TEST(RateLimiter, RequestsPerMinute) {
  rate_limiter l(3, 0, 0);
  for (int i = 0; i < 3; ++i) {
    auto v = l.admit(1000, 0);
    EXPECT_EQ(v.by, rate_limiter::limited_by::none);
    EXPECT_EQ(v.remaining_requests, 2 - i);
    EXPECT_EQ(v.limit_requests, 3);
  }
  auto v = l.admit(1, 0);
  EXPECT_EQ(v.by, rate_limiter::limited_by::requests);
  EXPECT_EQ(v.retry_after_ns, 20 * s);
  EXPECT_EQ(l.admit(1, 20 * s).by, rate_limiter::limited_by::none);
}

TEST(RateLimiter, TokensPerMinuteAndNothingTakenOnRefusal) {
  rate_limiter l(10, 100, 0);
  EXPECT_EQ(l.admit(60, 0).by, rate_limiter::limited_by::none);
  auto v = l.admit(50, 0);
  EXPECT_EQ(v.by, rate_limiter::limited_by::tokens);
  EXPECT_EQ(v.remaining_requests, 9) << "a refused request takes nothing";
  EXPECT_EQ(v.remaining_tokens, 40);
  EXPECT_EQ(v.retry_after_ns, 6 * s);  // 10 tokens at 100/min
  EXPECT_EQ(l.admit(40, 0).by, rate_limiter::limited_by::none);
  EXPECT_EQ(l.admit(500, 0).retry_after_ns, -1);
}

TEST(RateLimiter, DisabledWhenZero) {
  rate_limiter l(0, 0, 0);
  EXPECT_FALSE(l.enabled());
  EXPECT_EQ(l.admit(1e12, 0).by, rate_limiter::limited_by::none);
}

}  // namespace
}  // namespace gb::mock
