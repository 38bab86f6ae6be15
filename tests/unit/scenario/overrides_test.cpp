// CLI overrides and ad-hoc scenarios; the resolved scenario as JSON without secrets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scenario/overrides.hpp"
#include "scenario/parse.hpp"
#include "scenario/to_json.hpp"

namespace gb::scenario {
namespace {

TEST(ScenarioOverrides, AdhocRun) {
  overrides ov;
  ov.url = "http://127.0.0.1:8080/";
  ov.api = "openai-completions";
  ov.concurrency = "16";
  ov.duration = "20s";
  ov.headers = {"Authorization: Bearer abc", "x-team: blue"};
  auto sc = make_adhoc_scenario(ov);
  ASSERT_TRUE(sc) << sc.message();
  EXPECT_EQ(sc->targets[0].url, "http://127.0.0.1:8080");
  EXPECT_EQ(sc->targets[0].api, protocol::dialect::openai_completions);
  EXPECT_EQ(sc->load.concurrency, 16);
  EXPECT_EQ(sc->load.duration_ns, 20 * s_ns);
  ASSERT_EQ(sc->targets[0].headers.size(), 2u);
  EXPECT_TRUE(sc->targets[0].headers[0].secret);
  EXPECT_FALSE(sc->targets[0].headers[1].secret);
}

TEST(ScenarioOverrides, AdhocNeedsUrl) {
  auto sc = make_adhoc_scenario(overrides{});
  ASSERT_FALSE(sc);
  EXPECT_NE(sc.message().find("--url"), std::string::npos);
}

TEST(ScenarioOverrides, RateSwitchesToOpenLoopAndStagesReplace) {
  auto base = parse_scenario_text("load: {concurrency: 4, duration: 30s}\n", "b.yaml");
  ASSERT_TRUE(base);
  overrides ov;
  ov.rate = "2k";
  ov.stages = {"10s:100", "20s:300"};
  ov.arrival = "poisson";
  ov.seed = "7";
  ov.insecure = true;
  ov.thresholds = {"ttft:p(95)<1s"};
  auto sc = apply_overrides(*base, ov);
  ASSERT_TRUE(sc) << sc.message();
  EXPECT_EQ(sc->load.mode, load::model::open);
  EXPECT_DOUBLE_EQ(sc->load.rate, 2000);
  EXPECT_DOUBLE_EQ(sc->load.stage_start, 2000);
  EXPECT_EQ(sc->load.stages.size(), 2u);
  EXPECT_EQ(sc->load.duration_ns, 0);
  EXPECT_EQ(sc->load.process, load::arrival::poisson);
  EXPECT_EQ(sc->seed, 7u);
  EXPECT_FALSE(sc->targets[0].tls.verify);
  ASSERT_EQ(sc->thresholds.size(), 1u);
  EXPECT_EQ(sc->thresholds[0].source, "--threshold");
}

struct bad_flag {
  overrides ov;
  const char* fragment;
};

TEST(ScenarioOverrides, RejectsBadFlagsNamingThem) {
  std::vector<bad_flag> cases;
  auto add = [&](auto setter, const char* fragment) {
    overrides ov;
    ov.url = "http://127.0.0.1:1";
    setter(ov);
    cases.push_back({ov, fragment});
  };
  add([](overrides& o) { o.concurrency = "-3"; }, "--concurrency: concurrency must be at least 1");
  add([](overrides& o) { o.rate = "0"; },
      "--rate: rate (requests per second) must be greater than 0");
  add([](overrides& o) { o.duration = "0"; }, "--duration: duration must be longer than 0");
  add([](overrides& o) { o.duration = "10"; }, "has no unit");
  add([](overrides& o) { o.api = "openai"; }, "--api: unknown api 'openai'");
  add([](overrides& o) { o.url = "localhost:80"; }, "--url: url 'localhost:80' must start with");
  add([](overrides& o) { o.stages = {"30s"}; }, "--stage: stage '30s' must be DURATION:TARGET");
  add([](overrides& o) { o.headers = {"NoColonHere"}; }, "-H: a header must read 'Name: value'");
  add([](overrides& o) { o.seed = "x"; }, "--seed");
  add([](overrides& o) { o.arrival = "poisson"; }, "add -R/--rate");
  add([](overrides& o) { o.thresholds = {"nonsense"}; }, "--threshold");
  add([](overrides& o) { o.stages = {"1s:1"}, o.duration = "5s"; }, "remove --duration");
  for (const auto& c : cases) {
    auto sc = make_adhoc_scenario(c.ov);
    ASSERT_FALSE(sc) << c.fragment;
    EXPECT_NE(sc.message().find(c.fragment), std::string::npos) << sc.message();
  }
}

TEST(ScenarioJson, SecretsAreRedacted) {
  const env_lookup env = [](std::string_view n) -> std::optional<std::string> {
    if (n == "KEY") {
      return "sk-very-secret";
    }
    if (n == "HOST") {
      return "10.1.2.3:9";
    }
    return std::nullopt;
  };
  auto sc = parse_scenario_text(
      "target:\n  url: http://${HOST}\n  headers: {Authorization: \"Bearer ${KEY}\", x-plain: "
      "v, x-api-key: literal}\n",
      "s.yaml", env);
  ASSERT_TRUE(sc) << sc.message();
  const std::string text = to_json_text(*sc);
  EXPECT_EQ(text.find("sk-very-secret"), std::string::npos);
  EXPECT_EQ(text.find("literal"), std::string::npos);
  EXPECT_EQ(text.find("10.1.2.3"), std::string::npos);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["targets"][0]["headers"]["Authorization"], "[redacted]");
  EXPECT_EQ(j["targets"][0]["headers"]["x-api-key"], "[redacted]");
  EXPECT_EQ(j["targets"][0]["headers"]["x-plain"], "v");
  EXPECT_EQ(j["targets"][0]["url"], "http://${HOST}");
  EXPECT_EQ(j["targets"][0]["path"], "/v1/chat/completions");
  EXPECT_EQ(j["seed"], 1);
}

}  // namespace
}  // namespace gb::scenario
