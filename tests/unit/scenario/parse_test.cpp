// Scenario parsing: valid files give the right typed values; invalid ones fail with the file,
// the line and a message saying what to write.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "scenario/parse.hpp"

namespace gb::scenario {
namespace {

env_lookup fake_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    static const std::map<std::string, std::string, std::less<>> vars{
        {"OPENAI_API_KEY", "sk-secret-123"}, {"GW_HOST", "127.0.0.1:9000"}, {"TEAM", "blue"}};
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

result<scenario> parse(const std::string& text) {
  return parse_scenario_text(text, "t.yaml", fake_env());
}

TEST(ScenarioParse, TwoLineScenarioGetsDefaults) {
  auto sc = parse("target: {url: http://127.0.0.1:8000}\n");
  ASSERT_TRUE(sc) << sc.message();
  ASSERT_EQ(sc->targets.size(), 1u);
  EXPECT_EQ(sc->targets[0].url, "http://127.0.0.1:8000");
  EXPECT_EQ(sc->targets[0].api, protocol::dialect::openai_chat);
  EXPECT_EQ(sc->load.mode, load::model::closed);
  EXPECT_EQ(sc->load.concurrency, 8);
  EXPECT_EQ(sc->load.duration_ns, 10 * s_ns);
  EXPECT_EQ(sc->name, "t");
  EXPECT_TRUE(sc->workload.stream);
}

TEST(ScenarioParse, EmptyTextIsTheDefaultScenario) {
  auto sc = parse("");
  ASSERT_TRUE(sc) << sc.message();
  EXPECT_EQ(sc->targets.size(), 1u);
}

TEST(ScenarioParse, FullScenario) {
  auto sc = parse(R"(
name: full
seed: 42
targets:
  - name: gw
    url: http://${GW_HOST}/
    api: anthropic-messages
    headers:
      x-api-key: "${OPENAI_API_KEY}"
      x-team: "${TEAM}"
      x-plain: hello
    timeouts: {connect: 2s, first_byte: 30s, idle: 5s, total: 2m}
    role: gateway
  - name: direct
    url: https://api.example.test
    tls: {verify: false, server_name: api.example.test}
workload:
  model: m1
  stream: false
  output_tokens: {dist: uniform, min: 10, max: 20}
  ignore_eos: true
  prompts: {input_tokens: {dist: lognormal, mean: 200, stddev: 50, max: 1000}, shared_prefix_tokens: 100}
  mix:
    - {weight: 3, model: a, target: gw}
    - {weight: 1, model: b}
  turns: 3
  think_time: 500ms
  repeat_ratio: 25%
  split_by_header: x-cache
load:
  rate: 200
  arrival: gamma
  burstiness: 0.5
  duration: 1m
  warmup: 10s
  cooldown: 5s
  requests: 1000
  max_in_flight: 64
  threads: 2
slos: {ttft: 500ms, e2e: 5s}
thresholds:
  - "ttft:p(95)<500ms"
  - {threshold: "errors:rate<1%", abort_on_fail: true}
output: {report: reports/x.json}
)");
  ASSERT_TRUE(sc) << sc.message();
  EXPECT_EQ(sc->name, "full");
  EXPECT_EQ(sc->seed, 42u);
  ASSERT_EQ(sc->targets.size(), 2u);
  const target& gw = sc->targets[0];
  EXPECT_EQ(gw.url, "http://127.0.0.1:9000");
  EXPECT_EQ(gw.url_template, "http://${GW_HOST}/");
  EXPECT_EQ(gw.api, protocol::dialect::anthropic_messages);
  ASSERT_EQ(gw.headers.size(), 3u);
  EXPECT_EQ(gw.headers[0].value, "sk-secret-123");
  EXPECT_TRUE(gw.headers[0].secret);
  EXPECT_TRUE(gw.headers[1].secret);  // from ${ENV}
  EXPECT_FALSE(gw.headers[2].secret);
  EXPECT_EQ(gw.timeouts.connect_ns, 2 * s_ns);
  EXPECT_EQ(gw.timeouts.total_ns, 120 * s_ns);
  EXPECT_EQ(gw.role, "gateway");
  EXPECT_FALSE(sc->targets[1].tls.verify);
  EXPECT_EQ(sc->workload.output_tokens.shape, distribution::kind::uniform);
  EXPECT_EQ(sc->workload.prompts.input_tokens.shape, distribution::kind::lognormal);
  EXPECT_EQ(sc->workload.prompts.shared_prefix_tokens, 100);
  ASSERT_EQ(sc->workload.mix.size(), 2u);
  EXPECT_EQ(sc->workload.mix[0].weight, 3);
  EXPECT_EQ(sc->workload.mix[0].target, "gw");
  EXPECT_EQ(sc->workload.turns, 3);
  EXPECT_EQ(sc->workload.think_time_ns, 500'000'000);
  EXPECT_DOUBLE_EQ(sc->workload.repeat_ratio, 0.25);
  EXPECT_EQ(sc->load.mode, load::model::open);
  EXPECT_EQ(sc->load.process, load::arrival::gamma);
  EXPECT_DOUBLE_EQ(sc->load.burstiness, 0.5);
  EXPECT_DOUBLE_EQ(sc->load.rate, 200);
  EXPECT_EQ(sc->load.duration_ns, 60 * s_ns);
  EXPECT_EQ(sc->load.requests, 1000);
  ASSERT_EQ(sc->slos.size(), 2u);
  EXPECT_EQ(sc->slos[0].source, "t.yaml:40");
  ASSERT_EQ(sc->thresholds.size(), 2u);
  EXPECT_TRUE(sc->thresholds[1].abort_on_fail);
  EXPECT_EQ(sc->thresholds[0].source, "t.yaml:42");
}

TEST(ScenarioParse, StagesAndShorthands) {
  auto sc = parse("load:\n  mode: open\n  stages: [\"10s:50\", {duration: 20s, target: 100}]\n");
  ASSERT_TRUE(sc) << sc.message();
  ASSERT_EQ(sc->load.stages.size(), 2u);
  EXPECT_EQ(sc->load.stages[0].duration_ns, 10 * s_ns);
  EXPECT_DOUBLE_EQ(sc->load.stages[1].target, 100);
  EXPECT_DOUBLE_EQ(sc->load.stage_start, 0);

  auto closed = parse("load: {concurrency: 4, stages: [\"10s:20\"]}\n");
  ASSERT_TRUE(closed) << closed.message();
  EXPECT_DOUBLE_EQ(closed->load.stage_start, 4);

  auto count = parse("load: {requests: 10k}\n");
  ASSERT_TRUE(count) << count.message();
  EXPECT_EQ(count->load.requests, 10000);
  EXPECT_EQ(count->load.duration_ns, 0);
}

TEST(ScenarioParse, SweepImpliesMode) {
  auto sc = parse("sweep: {rates: [10, 20, 40]}\n");
  ASSERT_TRUE(sc) << sc.message();
  EXPECT_EQ(sc->load.mode, load::model::open);
  EXPECT_EQ(sc->sweep.type, sweep::kind::rates);
  EXPECT_EQ(sc->sweep.points.size(), 3u);
  auto search = parse("sweep: {search: {min: 5, max: 500}}\nslos: {ttft: 1s}\n");
  ASSERT_TRUE(search) << search.message();
  EXPECT_EQ(search->sweep.type, sweep::kind::search);
}

struct bad_case {
  const char* name;
  const char* text;
  const char* where;     // expected "t.yaml:LINE"
  const char* fragment;  // expected in the message
};

class ScenarioRejects : public ::testing::TestWithParam<bad_case> {};

TEST_P(ScenarioRejects, WithFileLineAndAdvice) {
  const bad_case& c = GetParam();
  auto sc = parse(c.text);
  ASSERT_FALSE(sc) << c.name;
  const std::string& msg = sc.message();
  EXPECT_EQ(msg.rfind(std::string(c.where) + ": ", 0), 0u) << c.name << ": " << msg;
  EXPECT_NE(msg.find(c.fragment), std::string::npos) << c.name << ": " << msg;
  EXPECT_EQ(msg.find("sk-secret-123"), std::string::npos) << "a secret leaked: " << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ScenarioRejects,
    ::testing::Values(
        bad_case{"unknown top key", "target: {url: http://a:1}\nlaod: {}\n", "t.yaml:2",
                 "did you mean 'load'?"},
        bad_case{"unknown nested key", "load:\n  concurency: 4\n", "t.yaml:2",
                 "did you mean 'concurrency'?"},
        bad_case{"unknown key no suggestion", "load:\n  zzzzzzzz: 4\n", "t.yaml:2",
                 "valid keys are"},
        bad_case{"negative concurrency", "load:\n  concurrency: -4\n", "t.yaml:2",
                 "concurrency must be at least 1, got -4"},
        bad_case{"fractional concurrency", "load:\n  concurrency: 2.5\n", "t.yaml:2",
                 "whole number"},
        bad_case{"rate zero", "load:\n  rate: 0\n", "t.yaml:2",
                 "rate (requests per second) must be greater than 0"},
        bad_case{"duration zero", "load:\n  duration: 0\n", "t.yaml:2", "longer than 0"},
        bad_case{"duration no unit", "load:\n  duration: 30\n", "t.yaml:2", "write e.g. 30s"},
        bad_case{"duration garbage", "load:\n  duration: soon\n", "t.yaml:2",
                 "250ms, 30s, 2m or 1m30s"},
        bad_case{"unknown dialect", "target:\n  url: http://a:1\n  api: openai-chatt\n", "t.yaml:3",
                 "openai-chat, openai-completions, openai-embeddings or anthropic-messages"},
        bad_case{"bad url scheme", "target:\n  url: ftp://x\n", "t.yaml:2", "http:// or https://"},
        bad_case{"bad port", "target:\n  url: http://x:99999\n", "t.yaml:2", "1 to 65535"},
        bad_case{"missing env", "target:\n  headers:\n    Authorization: Bearer ${NOPE_KEY}\n",
                 "t.yaml:3", "NOPE_KEY is not set"},
        bad_case{"weight zero", "workload:\n  mix:\n    - {weight: 0}\n", "t.yaml:3",
                 "weight must be greater than 0"},
        bad_case{"mix unknown target", "workload:\n  mix:\n    - {target: nope}\n", "t.yaml:3",
                 "names target 'nope'"},
        bad_case{"wrong type", "load:\n  concurrency: [1, 2]\n", "t.yaml:2",
                 "single value, not a list"},
        bad_case{"wrong type map", "load: 5\n", "t.yaml:1", "must be a mapping"},
        bad_case{"bool", "workload:\n  stream: maybe\n", "t.yaml:2", "true or false"},
        bad_case{"rate in closed mode", "load:\n  mode: closed\n  rate: 5\n", "t.yaml:3",
                 "write mode: open"},
        bad_case{"open without rate", "load:\n  mode: open\n", "t.yaml:2", "needs a rate"},
        bad_case{"stages and duration", "load:\n  duration: 10s\n  stages: [\"5s:5\"]\n",
                 "t.yaml:2", "remove duration"},
        bad_case{"bad stage", "load:\n  stages: [\"5s-5\"]\n", "t.yaml:2", "DURATION:TARGET"},
        bad_case{"burstiness with poisson", "load:\n  arrival: poisson\n  burstiness: 2\n",
                 "t.yaml:3", "arrival: gamma"},
        bad_case{"unknown arrival", "load:\n  arrival: poison\n", "t.yaml:2",
                 "did you mean 'poisson'?"},
        bad_case{"bad dist", "workload:\n  output_tokens: {dist: gauss, mean: 1, stddev: 1}\n",
                 "t.yaml:2", "fixed, uniform, normal or lognormal"},
        bad_case{"uniform without max", "workload:\n  output_tokens: {dist: uniform, min: 1}\n",
                 "t.yaml:2", "needs 'min' and 'max'"},
        bad_case{"repeat ratio 1", "workload:\n  repeat_ratio: 1\n", "t.yaml:2", "below 1"},
        bad_case{"turns zero", "workload:\n  turns: 0\n", "t.yaml:2", "turns must be at least 1"},
        bad_case{"missing dataset", "workload:\n  prompts: {file: nope.jsonl}\n", "t.yaml:2",
                 "dataset file 'nope.jsonl' not found"},
        bad_case{"bad threshold", "thresholds:\n  - ttft below 5\n", "t.yaml:2",
                 "METRIC:STAT OP VALUE"},
        bad_case{"threshold not list", "thresholds: \"ttft:p(95)<1s\"\n", "t.yaml:1",
                 "must be a list"},
        bad_case{"unknown slo", "slos:\n  ttfx: 1s\n", "t.yaml:2", "did you mean 'ttft'?"},
        bad_case{"search without slos", "sweep:\n  search: {max: 100}\n", "t.yaml:2", "needs slos"},
        bad_case{"two sweep kinds", "sweep:\n  rates: [1]\n  concurrencies: [1]\n", "t.yaml:2",
                 "exactly one"},
        bad_case{"duplicate target names", "targets:\n  - {name: a}\n  - {name: a}\n", "t.yaml:3",
                 "unique name"},
        bad_case{"yaml syntax", "load: {concurrency: 4\n", "t.yaml:2", "not valid YAML"},
        bad_case{"bad seed", "seed: -1\n", "t.yaml:1", "seed must be a whole number"},
        bad_case{"header with newline", "target:\n  headers: {x-a: \"a\\nb\"}\n", "t.yaml:2",
                 "line breaks"},
        bad_case{"duplicate key", "load:\n  concurrency: 2\n  concurrency: 3\n", "t.yaml:3",
                 "appears twice"},
        bad_case{"dataset type without file", "workload:\n  prompts: {type: jsonl}\n", "t.yaml:2",
                 "add file:"},
        bad_case{"input_tokens on dataset",
                 "workload:\n  prompts: {type: lines, file: /etc/passwd, input_tokens: 5}\n",
                 "t.yaml:2", "synthetic prompts only"},
        bad_case{"bad role", "target:\n  role: middle\n", "t.yaml:2", "direct, gateway or proxy"}),
    [](const ::testing::TestParamInfo<bad_case>& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) {
          ch = '_';
        }
      }
      return n;
    });

TEST(ScenarioParse, MissingFileNamesIt) {
  auto sc = parse_scenario_file("/nonexistent/x.yaml", fake_env());
  ASSERT_FALSE(sc);
  EXPECT_NE(sc.message().find("/nonexistent/x.yaml"), std::string::npos);
}

}  // namespace
}  // namespace gb::scenario

namespace gb::scenario {
namespace {

TEST(EnvSubstitution, Table) {
  const env_lookup env = [](std::string_view n) -> std::optional<std::string> {
    if (n == "A") {
      return std::string("x");
    }
    if (n == "EMPTY") {
      return std::string();
    }
    return std::nullopt;
  };
  struct row {
    const char* in;
    const char* out;  // nullptr: an error containing `err`
    bool used;
    const char* err;
  };
  const row rows[] = {
      {"plain", "plain", false, nullptr},
      {"${A}", "x", true, nullptr},
      {"a${A}b${A}", "axbx", true, nullptr},
      {"$$A and $5", "$A and $5", false, nullptr},
      {"${EMPTY}", "", true, nullptr},
      {"${B}", nullptr, false, "environment variable B is not set"},
      {"${A", nullptr, false, "unterminated"},
      {"${1X}", nullptr, false, "bad environment reference"},
  };
  for (const auto& r : rows) {
    auto s = substitute_env(r.in, env);
    if (r.out == nullptr) {
      ASSERT_FALSE(s) << r.in;
      EXPECT_NE(s.message().find(r.err), std::string::npos) << s.message();
      continue;
    }
    ASSERT_TRUE(s) << r.in << ": " << s.message();
    EXPECT_EQ(s->value, r.out);
    EXPECT_EQ(s->used_env, r.used) << r.in;
  }
  EXPECT_TRUE(is_secret_header_name("Authorization"));
  EXPECT_TRUE(is_secret_header_name("X-API-Key"));
  EXPECT_TRUE(is_secret_header_name("x-goog-api-key"));
  EXPECT_FALSE(is_secret_header_name("anthropic-version"));
}

}  // namespace
}  // namespace gb::scenario
