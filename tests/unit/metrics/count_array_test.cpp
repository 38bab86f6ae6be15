// Unit tests of gb::metrics::count_array: zero-filled counts, prefix copies, moves.

#include "metrics/count_array.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace gb::metrics {
namespace {

// Small arrays and large ones (glibc maps those of 128 KiB and more from the kernel at first).
constexpr std::size_t k_sizes[] = {1, 100, 8191, 8192, 33792, 1u << 20};

TEST(CountArray, StartsZeroAndHoldsWhatIsWritten) {
  for (const std::size_t n : k_sizes) {
    count_array a(n);
    ASSERT_EQ(a.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(a[i], 0) << "size " << n << " index " << i;
    }
    a[n - 1] += 9;
    a[0] += 7;
    EXPECT_EQ(a[n - 1], n > 1 ? 9 : 16) << n;
    EXPECT_EQ(a[0], n > 1 ? 7 : 16) << n;
  }
}

TEST(CountArray, PrefixCopyCopiesThePrefixAndZeroesTheRest) {
  for (const std::size_t n : k_sizes) {
    count_array src(n);
    for (std::size_t i = 0; i < n; ++i) {
      src[i] = static_cast<std::int64_t>(i) + 1;
    }
    const std::size_t prefix = n / 2;
    const count_array copy(src.data(), prefix, n);
    ASSERT_EQ(copy.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(copy[i], i < prefix ? static_cast<std::int64_t>(i) + 1 : 0) << n << " " << i;
    }
  }
}

TEST(CountArray, MovesHandOverTheMemory) {
  count_array a(33792);
  a[5] = 3;
  count_array b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): a moved-from array is empty
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b[5], 3);
  count_array c(10);
  c = std::move(b);
  EXPECT_EQ(c.size(), 33792u);
  EXPECT_EQ(c[5], 3);
  c = count_array();
  EXPECT_EQ(c.size(), 0u);
}

}  // namespace
}  // namespace gb::metrics
