// Regression tests for inputs the hardening fuzzers found (tests/fuzz, docs/testing.md). Each
// case names the fuzz target and the input; the same input sits in that target's corpus.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "analysis/threshold.hpp"
#include "metrics/hdr_codec.hpp"
#include "scenario/parse.hpp"
#include "scenario/to_json.hpp"

namespace {

gb::metrics::stats latency_stats(int n) {
  gb::metrics::stats s;
  for (int i = 0; i < n; ++i) {
    s.outcomes.start();
    s.outcomes.add(gb::metrics::request_fate{});
    s.e2e.record(200'000'000);
  }
  return s;
}

// fuzz_threshold, "e2e:p(9)<5e29": 5e29 ms is 5e35 ns, past int64; can_still_pass converted it
// to int64 (undefined behaviour; on x86 INT64_MIN, so every sample counted as above the bound
// and a threshold that trivially passes was reported lost, aborting the run).
TEST(ThresholdRegression, HugeLatencyBoundCanStillPass) {
  auto t = gb::analysis::parse_threshold("e2e:p(9)<5e29");
  ASSERT_TRUE(t.ok()) << t.message();
  const auto s = latency_stats(100);
  EXPECT_TRUE(gb::analysis::can_still_pass(*t, s, 1000));
  auto m = gb::analysis::measure(*t, s);
  ASSERT_TRUE(m.ok());
  EXPECT_LT(*m, t->value);
}

// fuzz_threshold, "e2e:max<=01e308": 1e308 ms overflows to an infinite number of ns. Bad input
// gets a clear error (or at least a finite bound), never an infinite value that reports and
// JSON cannot hold.
TEST(ThresholdRegression, LatencyValueThatOverflowsNanosecondsIsRejected) {
  for (const char* text : {"e2e:max<=01e308", "ttft:p(99)<1e300s", "itl:avg<1e306ms"}) {
    auto t = gb::analysis::parse_threshold(text);
    if (t.ok()) {
      EXPECT_TRUE(std::isfinite(t->value)) << text << " parsed to " << t->value;
    } else {
      EXPECT_NE(t.message().find(text), std::string::npos) << t.message();
    }
  }
}

// Messages with the raw bytes would make the gtest XML invalid (meson then fails to parse it).
std::string escaped(std::string_view s) {
  std::string out;
  for (const unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::optional<std::string> no_env(std::string_view) {
  return std::nullopt;
}

// fuzz_scenario: a scenario whose strings are not UTF-8 was accepted, then
// scenario::to_json_text threw nlohmann type_error 316 when the report was written, after the
// whole run ("gatebench: internal error: [json.exception.type_error.316] invalid UTF-8 byte",
// exit 1, no report). Now the file is rejected before the run with file:line; bytes that arrive
// through ${ENV} substitution are serialised safely (replaced).
TEST(ScenarioRegression, InvalidUtf8IsRejectedWithFileAndLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"workload:\n  model: \"gb\xff\xfe\"\n", "utf8.yaml:2: byte 0xFF at column 13"},
      {"target:\n  url: http://0# OpenAI chat completion\xa0 (POST)\n",
       "utf8.yaml:2: byte 0xA0 at column 40"},
      {"name: \"caf\xc3\"\n", "utf8.yaml:1: byte 0xC3 at column 11"},
      {"target:\n  headers:\n    X-Note: \"\xed\xa0\x80\"\n",
       "utf8.yaml:3: byte 0xED at column 14"},
  };
  for (const auto& [text, where] : cases) {
    auto sc = gb::scenario::parse_scenario_text(text, "utf8.yaml", no_env);
    ASSERT_FALSE(sc.ok()) << "accepted: " << escaped(text);
    EXPECT_EQ(sc.message().rfind(where, 0), 0U) << escaped(sc.message());
    EXPECT_NE(sc.message().find("not UTF-8"), std::string::npos) << escaped(sc.message());
  }
  auto latin1_env = [](std::string_view) -> std::optional<std::string> { return "caf\xe9"; };
  auto sc = gb::scenario::parse_scenario_text(
      "target:\n  url: http://127.0.0.1:1\n  headers:\n    X-Note: \"${NOTE}\"\n", "env.yaml",
      latin1_env);
  ASSERT_TRUE(sc.ok()) << escaped(sc.message());
  std::string json;
  EXPECT_NO_THROW(json = gb::scenario::to_json_text(*sc));
  EXPECT_TRUE(nlohmann::json::accept(json)) << escaped(json);
}

// fuzz_hdr_decode seeds: every corpus entry in docs' examples decodes and round-trips; a
// truncated and an inflated-length form are rejected with a message, not a crash.
TEST(HdrRegression, HostileCompressedLengthsAreRejected) {
  auto h = gb::metrics::histogram::for_latency();
  for (int i = 1; i <= 1000; ++i) {
    h.record(i * 1000);
  }
  auto bytes = gb::metrics::encode_compressed(h);
  ASSERT_GT(bytes.size(), 8U);
  auto truncated = bytes;
  truncated.resize(bytes.size() - 3);
  auto r1 = gb::metrics::decode_compressed(truncated);
  EXPECT_FALSE(r1.ok());
  auto lying = bytes;
  lying[4] = 0x7f;  // claims a 2 GiB zlib payload
  auto r2 = gb::metrics::decode_compressed(lying);
  EXPECT_FALSE(r2.ok());
  auto ok = gb::metrics::decode_compressed(bytes);
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(ok->total_count(), 1000);
}

}  // namespace
