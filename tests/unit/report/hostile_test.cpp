// Stored reports are input: every malformed one gives a clear error, never a crash.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "synthetic.hpp"

namespace gb::report {
namespace {

using nlohmann::json;

json valid_report() {
  auto text = render_report_json(testing::synthetic_info(), testing::synthetic_run());
  return json::parse(*text);
}

json& main_phase(json& j) {
  return j["targets"]["default"]["phases"]["main"];
}

struct mutation {
  const char* name;
  std::function<void(json&)> apply;
  const char* expect;  // substring of the error
};

TEST(HostileReport, EveryMutationIsRejectedWithItsPath) {
  const std::vector<mutation> cases = {
      {"schema version", [](json& j) { j["schema_version"] = 99; }, "not supported"},
      {"not gatebench", [](json& j) { j["tool"]["name"] = "k6"; }, "not a gatebench report"},
      {"missing targets", [](json& j) { j.erase("targets"); }, "$.targets: missing"},
      {"targets array", [](json& j) { j["targets"] = json::array(); }, "expected an object"},
      {"count as string", [](json& j) { main_phase(j)["ledger"]["started"] = "2005"; },
       "expected an integer"},
      {"negative count", [](json& j) { main_phase(j)["ledger"]["outcomes"]["ok"] = -1; },
       "out of range"},
      {"huge count", [](json& j) { main_phase(j)["ledger"]["outcomes"]["ok"] = 1e30; },
       "expected an integer"},
      {"ledger sum", [](json& j) { main_phase(j)["ledger"]["started"] = 7; },
       "started == sum(outcomes)"},
      {"status breakdown too big",
       [](json& j) { main_phase(j)["ledger"]["by_status"]["503"] = 50; }, "breakdown exceeds"},
      {"status not a code", [](json& j) { main_phase(j)["ledger"]["by_status"]["abc"] = 0; },
       "not an HTTP status"},
      {"status breakdown short", [](json& j) { main_phase(j)["ledger"]["by_status"].erase("429"); },
       "does not add up"},
      {"reason key", [](json& j) { main_phase(j)["ledger"]["by_reason"]["nonsense"] = 1; },
       "<outcome>/<reason>"},
      {"reason outcome", [](json& j) { main_phase(j)["ledger"]["by_reason"]["ok/x"] = 1; },
       "unknown outcome"},
      {"garbage histogram",
       [](json& j) { main_phase(j)["metrics"]["ttft"]["histogram"] = "HISTFAAA!!!"; },
       "$.targets.default.phases.main.metrics.ttft.histogram"},
      {"truncated histogram",
       [](json& j) {
         auto& h = main_phase(j)["metrics"]["e2e"]["histogram"];
         h = h.get<std::string>().substr(0, 24);
       },
       "metrics.e2e.histogram"},
      {"histogram count mismatch", [](json& j) { main_phase(j)["metrics"]["itl"]["count"] = 3; },
       "does not match"},
      {"empty histogram with count",
       [](json& j) { main_phase(j)["metrics"]["tpot"]["histogram"] = ""; }, "empty but count"},
      {"histogram of another metric's range",
       [](json& j) { main_phase(j)["metrics"]["output_tokens"] = main_phase(j)["metrics"]["e2e"]; },
       "beyond the metric's range"},
      {"content hash", [](json& j) { main_phase(j)["fidelity"]["content_hash"] = "xyz"; },
       "hex digits"},
      {"phase end before start",
       [](json& j) { main_phase(j)["timing"]["phase_end_offset_ns"] = 1; }, "ends before"},
      {"interval type", [](json& j) { j["intervals"][0]["ok"] = true; }, "$.intervals[0].ok"},
      {"interval histogram", [](json& j) { j["intervals"][0]["ttft_hist"] = "not base64"; },
       "$.intervals[0].ttft_hist"},
      {"warnings", [](json& j) { j["warnings"] = json::array({1}); }, "expected strings"},
      {"seed negative", [](json& j) { j["seed"] = -4; }, "$.seed"},
      {"resource sample",
       [](json& j) {
         j["resources"]["harness"]["samples"][0] = json::array({1, 2});
       },
       "samples[0]"},
      {"scenario not object", [](json& j) { j["scenario"] = 3; }, "$.scenario"},
      {"splits", [](json& j) { j["splits"]["x"] = json::object(); }, "$.splits.x"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json j = valid_report();
    c.apply(j);
    auto r = parse_report(j.dump(), "bad.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("bad.json"), std::string::npos) << r.message();
    EXPECT_NE(r.message().find(c.expect), std::string::npos) << r.message();
  }
}

TEST(HostileReport, NonJsonAndTruncatedFiles) {
  const std::string good = valid_report().dump();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[1,2]", "expected a JSON object"},
      {"\"text\"", "expected a JSON object"},
      {"null", "expected a JSON object"},
      {good.substr(0, good.size() / 2), "not valid JSON"},
      {std::string(1000, '['), "not valid JSON"},
      {"{}", "missing"},
  };
  for (const auto& [text, expect] : cases) {
    auto r = parse_report(text, "t.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find(expect), std::string::npos) << r.message();
  }
  auto missing = load_report("/nonexistent/dir/report.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("/nonexistent/dir/report.json"), std::string::npos);
}

TEST(HostileReport, EveryTruncationOfAValidReportIsRejected) {
  const std::string good = valid_report().dump();
  // Cutting anywhere must give an error, never a crash (sampled to keep the test fast).
  for (std::size_t cut = 0; cut < good.size(); cut += good.size() / 97 + 1) {
    auto r = parse_report(good.substr(0, cut), "cut.json");
    EXPECT_FALSE(r.ok()) << cut;
  }
  EXPECT_TRUE(parse_report(good, "good.json").ok());
}

}  // namespace
}  // namespace gb::report
