// Unit tests of the .hgrm writer and the .hlog writer and reader.

#include "metrics/hdr_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace gb::metrics {
namespace {

histogram one_to_hundred(std::int64_t scale, std::int64_t highest) {
  auto h = histogram::create(1, highest, 3).value();
  for (std::int64_t v = 1; v <= 100; ++v) {
    h.record(v * scale);
  }
  return h;
}

// hdr-histogram-js 3.0.1 outputPercentileDistribution(5, 1) for the values 1..100 (its Max line
// prints the raw maximum; Java and gatebench print the highest equivalent value, the same here).
constexpr const char* hgrm_1_to_100 = R"(       Value     Percentile TotalCount 1/(1-Percentile)

       1.000 0.000000000000          1           1.00
      10.000 0.100000000000         10           1.11
      20.000 0.200000000000         20           1.25
      30.000 0.300000000000         30           1.43
      40.000 0.400000000000         40           1.67
      50.000 0.500000000000         50           2.00
      55.000 0.550000000000         55           2.22
      60.000 0.600000000000         60           2.50
      65.000 0.650000000000         65           2.86
      70.000 0.700000000000         70           3.33
      75.000 0.750000000000         75           4.00
      78.000 0.775000000000         78           4.44
      80.000 0.800000000000         80           5.00
      83.000 0.825000000000         83           5.71
      85.000 0.850000000000         85           6.67
      88.000 0.875000000000         88           8.00
      89.000 0.887500000000         89           8.89
      90.000 0.900000000000         90          10.00
      92.000 0.912500000000         92          11.43
      93.000 0.925000000000         93          13.33
      94.000 0.937500000000         94          16.00
      95.000 0.943750000000         95          17.78
      95.000 0.950000000000         95          20.00
      96.000 0.956250000000         96          22.86
      97.000 0.962500000000         97          26.67
      97.000 0.968750000000         97          32.00
      98.000 0.971875000000         98          35.56
      98.000 0.975000000000         98          40.00
      98.000 0.978125000000         98          45.71
      99.000 0.981250000000         99          53.33
      99.000 0.984375000000         99          64.00
      99.000 0.985937500000         99          71.11
      99.000 0.987500000000         99          80.00
      99.000 0.989062500000         99          91.43
     100.000 0.990625000000        100         106.67
     100.000 1.000000000000        100
#[Mean    =       50.500, StdDeviation   =       28.866]
#[Max     =      100.000, Total count    =          100]
#[Buckets =           10, SubBuckets     =         2048]
)";

TEST(Hgrm, MatchesHdrHistogramLayoutExactly) {
  const auto text = write_hgrm(one_to_hundred(1, 1'000'000), 1.0);
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_EQ(*text, hgrm_1_to_100);
}

TEST(Hgrm, ScalesValuesByTheUnitRatio) {
  const auto text =
      write_hgrm(one_to_hundred(1'000'000, 3'600'000'000'000), 1e6);  // ns recorded, ms printed
  ASSERT_TRUE(text.ok()) << text.message();
  // 50 ms is in a bucket [49.987584, 50.020351] ms: the row shows its top.
  EXPECT_NE(text->find("      50.004 0.500000000000         50           2.00\n"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("#[Max     =      100.008, Total count    =          100]\n"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("#[Buckets =           32, SubBuckets     =         2048]\n"),
            std::string::npos);
}

TEST(Hgrm, RoundsHalfUpAsJavaAndJavaScript) {
  // Value 75 printed in ms with 5 digits is 0.000075: printf gives 0.00007, Java and
  // hdr-histogram-js 0.00008. Value 1999995 in ms with 3 digits is a carry through 9s.
  auto h = histogram::create(1, 10'000'000, 5).value();
  h.record(75);
  h.record(1'999'995);
  const auto text = write_hgrm(h, 1e6);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\n     0.00008 0.000000000000          1           1.00\n"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("\n     2.00000 1.000000000000          2\n"), std::string::npos) << *text;
  auto h3 = histogram::create(1, 10'000'000, 3).value();
  h3.record(1'999'500);  // bucket top 1999871 -> 1.999871 ms -> "2.000"
  EXPECT_NE(write_hgrm(h3, 1e6)->find("\n       2.000 1.000000000000"), std::string::npos);
}

TEST(Hgrm, EmptyHistogramHasHeaderAndFooterOnly) {
  const auto text = write_hgrm(histogram::for_latency(), 1e6);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
            "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
            "#[Max     =        0.000, Total count    =            0]\n"
            "#[Buckets =           32, SubBuckets     =         2048]\n");
}

TEST(Hgrm, RejectsBadArguments) {
  const auto h = histogram::for_latency();
  EXPECT_NE(write_hgrm(h, 0).message().find("unit ratio must be a positive number"),
            std::string::npos);
  EXPECT_FALSE(write_hgrm(h, -1).ok());
  EXPECT_FALSE(write_hgrm(h, std::nan("")).ok());
  EXPECT_NE(write_hgrm(h, 1, 0).message().find("ticks per half distance must be at least 1"),
            std::string::npos);
}

TEST(Hlog, HeaderLines) {
  EXPECT_EQ(hlog_header(1700000000.0),
            "#[Histogram log format version 1.3]\n"
            "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
            "\"Interval_Compressed_Histogram\"\n");
}

TEST(Hlog, LinesAndTags) {
  auto h = histogram::for_latency();
  h.record(12'345'678);
  const std::string b64 = encode_base64(h);
  const double max_ms = static_cast<double>(h.max()) / 1e6;
  char expected_max[32];
  std::snprintf(expected_max, sizeof expected_max, "%.3f", max_ms);
  auto line = hlog_line(h, 0.0, 1.0);
  ASSERT_TRUE(line.ok()) << line.message();
  EXPECT_EQ(*line, std::string("0.000,1.000,") + expected_max + "," + b64 + "\n");
  EXPECT_EQ(std::string(expected_max), "12.354");  // top of 12345678's bucket
  auto tagged = hlog_line(h, 12.3456, 0.5, "ttft");
  ASSERT_TRUE(tagged.ok());
  EXPECT_EQ(*tagged, std::string("Tag=ttft,12.346,0.500,12.354,") + b64 + "\n");
  for (const char* bad : {"a,b", "a b", "tab\there", "nl\n"}) {
    const auto r = hlog_line(h, 0, 1, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.message().find("must not contain commas, spaces or control characters"),
              std::string::npos);
  }
  EXPECT_FALSE(hlog_line(h, -1, 1).ok());
  EXPECT_FALSE(hlog_line(h, 0, 1, "", 0).ok());
}

TEST(Hlog, ReadsWhatItWrites) {
  std::string text = hlog_header(1700000000.25);
  text += "#[BaseTime: 1700000000.000 (seconds since epoch)]\n";
  std::vector<histogram> written;
  for (int i = 0; i < 3; ++i) {
    auto h = histogram::for_latency();
    for (int v = 1; v <= 100 * (i + 1); ++v) {
      h.record(v * 1000 + i);
    }
    text += *hlog_line(h, i * 1.0, 1.0, i == 1 ? "itl" : "");
    written.push_back(std::move(h));
  }
  const auto log = read_hlog(text);
  ASSERT_TRUE(log.ok()) << log.message();
  EXPECT_EQ(log->version, "1.3");
  ASSERT_TRUE(log->start_time_s.has_value());
  EXPECT_DOUBLE_EQ(*log->start_time_s, 1700000000.25);
  ASSERT_TRUE(log->base_time_s.has_value());
  EXPECT_DOUBLE_EQ(*log->base_time_s, 1700000000.0);
  ASSERT_EQ(log->entries.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& e = log->entries[i];
    EXPECT_EQ(e.tag, i == 1 ? "itl" : "");
    EXPECT_DOUBLE_EQ(e.start_s, static_cast<double>(i));
    EXPECT_DOUBLE_EQ(e.length_s, 1.0);
    EXPECT_NEAR(e.max, static_cast<double>(written[i].max()) / 1e6, 0.0005);
    EXPECT_EQ(e.hist.total_count(), written[i].total_count());
    EXPECT_EQ(e.hist.value_at_percentile(99), written[i].value_at_percentile(99));
  }
}

TEST(Hlog, ReaderErrorsNameTheLine) {
  const std::string header = hlog_header(1700000000.0);
  struct c {
    std::string body;
    const char* says;
  };
  const c cases[] = {
      {"0.000,1.000,HISTFAAA\n", "hlog line 4: expected start,length,max,histogram"},
      {"x,1.000,2.000,HISTFAAA\n", "hlog line 4: start timestamp 'x' is not a number"},
      {"0.000,1.000,2.000,HISTFAAA*\n", "hlog line 4: histogram: bad base64"},
      {"Tag=abc\n", "hlog line 4: Tag= without a following comma"},
      {"\n0.000,nan,2.000,HISTFAAA\n", "hlog line 5: interval length 'nan' is not a number"},
  };
  for (const auto& k : cases) {
    const auto r = read_hlog(header + k.body);
    ASSERT_FALSE(r.ok()) << k.body;
    EXPECT_NE(r.message().find(k.says), std::string::npos) << r.message();
  }
  const auto bad_start = read_hlog("#[StartTime: soon (seconds since epoch)]\n");
  ASSERT_FALSE(bad_start.ok());
  EXPECT_NE(bad_start.message().find("hlog line 1: StartTime 'soon' is not a number"),
            std::string::npos);
}

}  // namespace
}  // namespace gb::metrics
