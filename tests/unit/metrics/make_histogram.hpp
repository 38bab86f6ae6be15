#pragma once
// Test helper shared by the metrics tests.

#include <gtest/gtest.h>

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

}  // namespace gb::metrics::test_support
