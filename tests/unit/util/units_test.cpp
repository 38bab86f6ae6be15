#include "util/units.hpp"

#include "util/clock.hpp"

#include <gtest/gtest.h>

namespace gb {
namespace {

TEST(ParseDuration, AcceptsEveryUnitAndCompounds) {
  struct row {
    const char* text;
    std::int64_t ns;
  };
  const row rows[] = {{"0", 0},
                      {"250ms", 250'000'000},
                      {"1.5s", 1'500'000'000},
                      {"2m", 120 * ns_per_s},
                      {"1h", 3600 * ns_per_s},
                      {"10us", 10'000},
                      {"7ns", 7},
                      {"1m30s", 90 * ns_per_s},
                      {" 30s ", 30 * ns_per_s}};
  for (const auto& r : rows) {
    auto v = parse_duration_ns(r.text);
    ASSERT_TRUE(v.ok()) << r.text << ": " << v.message();
    EXPECT_EQ(*v, r.ns) << r.text;
  }
}

TEST(ParseDuration, RejectsWithMessageNamingTheProblem) {
  EXPECT_NE(parse_duration_ns("30").message().find("no unit"), std::string::npos);
  EXPECT_NE(parse_duration_ns("30x").message().find("unknown unit 'x'"), std::string::npos);
  EXPECT_NE(parse_duration_ns("-5s").message().find("negative"), std::string::npos);
  EXPECT_FALSE(parse_duration_ns("").ok());
  EXPECT_FALSE(parse_duration_ns("abc").ok());
  EXPECT_FALSE(parse_duration_ns("99999999h").ok());
}

TEST(ParseNumbers, SiSuffixesRatiosAndBytes) {
  EXPECT_EQ(*parse_si_count("10k"), 10'000);
  EXPECT_EQ(*parse_si_count("2.5M"), 2'500'000);
  EXPECT_DOUBLE_EQ(*parse_si_number("0.5"), 0.5);
  EXPECT_FALSE(parse_si_count("1.5").ok());
  EXPECT_FALSE(parse_si_number("-3").ok());
  EXPECT_FALSE(parse_si_number("5q").ok());
  EXPECT_DOUBLE_EQ(*parse_ratio("0.5%"), 0.005);
  EXPECT_DOUBLE_EQ(*parse_ratio("0.25"), 0.25);
  EXPECT_FALSE(parse_ratio("%").ok());
  EXPECT_EQ(*parse_bytes("64KiB"), 65536);
  EXPECT_EQ(*parse_bytes("10MB"), 10'000'000);
  EXPECT_FALSE(parse_bytes("10XB").ok());
}

TEST(Format, HumanReadable) {
  EXPECT_EQ(format_duration(850), "850ns");
  EXPECT_EQ(format_duration(12'340), "12.3\xC2\xB5s");
  EXPECT_EQ(format_duration(4'560'000), "4.56ms");
  EXPECT_EQ(format_duration(123 * ns_per_s), "2m03s");
  EXPECT_EQ(format_count(12'345), "12.3k");
  EXPECT_EQ(format_bytes(2048), "2.00KiB");
}

}  // namespace
}  // namespace gb
