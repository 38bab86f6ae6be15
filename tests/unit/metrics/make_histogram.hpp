#pragma once
// Test helper shared by the metrics tests.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "metrics/histogram.hpp"

namespace gb::metrics::test_support {

/// A histogram of the given layout; a layout that fails is a test failure (and aborts the
/// test through value()).
inline histogram make_histogram(std::int64_t lo, std::int64_t hi, int sf) {
  auto r = histogram::create(lo, hi, sf);
  EXPECT_TRUE(r.ok()) << r.message();
  return std::move(r).value();
}

/// `a` and `b` have the same layout, the same count at every index and the same summary
/// (out-of-range counts are not compared: the encoded form does not carry them).
inline void expect_same_histogram(const histogram& a, const histogram& b) {
  EXPECT_EQ(a.lowest(), b.lowest());
  EXPECT_EQ(a.highest(), b.highest());
  EXPECT_EQ(a.sigfigs(), b.sigfigs());
  EXPECT_EQ(a.total_count(), b.total_count());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_EQ(a.mean(), b.mean());
  ASSERT_EQ(a.counts_len(), b.counts_len());
  for (std::size_t i = 0; i < a.counts_len(); ++i) {
    ASSERT_EQ(a.count_at_index(i), b.count_at_index(i)) << "index " << i;
  }
}

}  // namespace gb::metrics::test_support
