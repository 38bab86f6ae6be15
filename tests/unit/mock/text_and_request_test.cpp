// Prompt-token counting, output-length rules, generated words, request validation and plans.
#include <gtest/gtest.h>

#include "config.hpp"
#include "plan.hpp"
#include "request.hpp"
#include "text_model.hpp"
#include "wire.hpp"

namespace gb::mock {
namespace {

using protocol::dialect;

TEST(Words, CountWhitespaceSeparated) {
  struct row {
    const char* text;
    std::int64_t n;
  };
  for (const auto& r : std::initializer_list<row>{{"", 0},
                                                  {"   ", 0},
                                                  {"one", 1},
                                                  {"one two", 2},
                                                  {"  lead and trail  ", 3},
                                                  {"tab\tnew\nline\r\ncr", 4},
                                                  {"punctuation, counts! as-words", 3},
                                                  {"héllo wörld", 2}}) {
    EXPECT_EQ(count_words(r.text), r.n) << r.text;
  }
}

TEST(Words, GeneratedTextHasOneWordPerTokenAndIsDeterministic) {
  std::string a;
  append_words(a, 77, 0, 50);
  EXPECT_EQ(count_words(a), 50);
  std::string b;
  append_words(b, 77, 0, 20);
  append_words(b, 77, 20, 30);
  EXPECT_EQ(a, b) << "pieces concatenate to the whole";
  std::string c;
  append_words(c, 78, 0, 50);
  EXPECT_NE(a, c);
  EXPECT_EQ(request_key("body", 1), request_key("body", 1));
  EXPECT_NE(request_key("body", 1), request_key("body", 2));
  EXPECT_NE(request_key("body", 1), request_key("bodx", 1));
}

TEST(Length, Rules) {
  struct row {
    length_inputs in;
    std::int64_t tokens;
    bool hit;
  };
  const row rows[] = {
      {{10, std::nullopt, std::nullopt, false}, 10, false},
      {{10, 5, std::nullopt, false}, 5, true},
      {{10, 10, std::nullopt, false}, 10, false},
      {{10, 100, std::nullopt, true}, 100, true},
      {{10, std::nullopt, std::nullopt, true}, 10, false},
      {{10, 100, 20, false}, 20, false},
      {{10, 15, 20, false}, 15, true},
      {{0, std::nullopt, std::nullopt, false}, 1, false},
      {{-3, 4, std::nullopt, false}, 1, false},
      {{10, std::nullopt, 0, false}, 10, false},
  };
  for (const auto& r : rows) {
    const auto d = decide_length(r.in);
    EXPECT_EQ(d.tokens, r.tokens) << r.in.natural;
    EXPECT_EQ(d.hit_limit, r.hit) << r.in.natural;
  }
}

TEST(Request, PromptTokenRule) {
  struct row {
    dialect d;
    const char* body;
    std::int64_t prompt;
  };
  const row rows[] = {
      {dialect::openai_chat,
       R"({"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"one two three"}]})",
       5},
      {dialect::openai_chat,
       R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a b"},{"type":"image_url","image_url":{"url":"u"}}]},{"role":"assistant","content":null,"tool_calls":[]}]})",
       2},
      {dialect::anthropic_messages,
       R"({"model":"m","max_tokens":5,"system":[{"type":"text","text":"sys one"}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"x","content":"r1 r2 r3"}]}]})",
       5},
      {dialect::openai_completions, R"({"model":"m","prompt":["a b","c"]})", 3},
      {dialect::openai_completions, R"({"model":"m","prompt":[1,2,3,4]})", 4},
      {dialect::openai_embeddings, R"({"model":"m","input":[[1,2],[3]]})", 3},
      {dialect::openai_embeddings, R"({"model":"m","input":"x y z"})", 3},
  };
  for (const auto& r : rows) {
    auto out = parse_request(r.d, r.body);
    ASSERT_TRUE(out.request.has_value()) << r.body << ": " << out.error.message;
    EXPECT_EQ(out.request->prompt_tokens, r.prompt) << r.body;
  }
}

TEST(Request, FieldsParsed) {
  auto out = parse_request(
      dialect::openai_chat,
      R"({"model":"gpt","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":9,"max_completion_tokens":7,"min_tokens":2,"ignore_eos":true,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required"})");
  ASSERT_TRUE(out.request);
  const auto& r = *out.request;
  EXPECT_EQ(r.model, "gpt");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.max_tokens, 7);
  EXPECT_EQ(r.min_tokens, 2);
  EXPECT_TRUE(r.ignore_eos);
  EXPECT_TRUE(r.tool_call);
  EXPECT_EQ(r.tool_name, "f");
}

TEST(Request, ErrorsNameTheField) {
  struct row {
    dialect d;
    const char* body;
    const char* param;
    const char* needle;
  };
  const row rows[] = {
      {dialect::openai_chat, "{", "", "could not parse"},
      {dialect::openai_chat, "42", "", "could not parse"},
      {dialect::openai_chat, R"({"messages":[]})", "model", "model"},
      {dialect::openai_chat, R"({"model":"m"})", "messages", "Missing required parameter"},
      {dialect::openai_chat, R"({"model":"m","messages":[]})", "messages", "at least one"},
      {dialect::openai_chat, R"({"model":"m","messages":[{"role":"user"}],"max_tokens":1.5})",
       "max_tokens", "integer"},
      {dialect::openai_chat, R"({"model":"m","messages":[{"role":"user"}],"max_tokens":-1})",
       "max_tokens", "at least 1"},
      {dialect::openai_chat,
       R"({"model":"m","messages":[{"role":"user"}],"min_tokens":9,"max_tokens":3})", "min_tokens",
       "less than or equal"},
      {dialect::openai_chat, R"({"model":"m","messages":[{"role":"user"}],"stream_options":1})",
       "stream_options", "object"},
      {dialect::anthropic_messages, R"({"model":"m","messages":[{"role":"user","content":"x"}]})",
       "max_tokens", "max_tokens: Field required"},
      {dialect::anthropic_messages, R"({"model":"m","max_tokens":3,"messages":[{"role":"user"}]})",
       "messages[0].content", "Field required"},
      {dialect::openai_embeddings, R"({"model":"m","input":[]})", "input", "non-empty"},
      {dialect::openai_embeddings, R"({"model":"m","input":"x","encoding_format":"hex"})",
       "encoding_format", "float"},
      {dialect::openai_completions, R"({"model":"m","prompt":[{"a":1}]})", "prompt[]", "string"},
  };
  for (const auto& r : rows) {
    auto out = parse_request(r.d, r.body);
    ASSERT_FALSE(out.request.has_value()) << r.body;
    EXPECT_EQ(out.error.status, 400);
    EXPECT_EQ(out.error.type, "invalid_request_error");
    EXPECT_EQ(out.error.param, r.param) << r.body;
    EXPECT_NE(out.error.message.find(r.needle), std::string::npos)
        << r.body << " -> " << out.error.message;
  }
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(parse_request(dialect::openai_chat, deep).request.has_value());
}

TEST(Plan, HeadersOverrideConfig) {
  mock_headers h;
  EXPECT_TRUE(take_mock_header(h, "X-Mock-Output-Tokens", "7"));
  EXPECT_TRUE(take_mock_header(h, "x-mock-fault", "429"));
  EXPECT_TRUE(take_mock_header(h, "x-mock-fault-after", "3"));
  EXPECT_TRUE(take_mock_header(h, "x-mock-ttft-ms", "12.5"));
  EXPECT_TRUE(take_mock_header(h, "x-mock-tokens-per-event", "2"));
  EXPECT_FALSE(take_mock_header(h, "x-other", "1"));
  auto ov = parse_overrides(h);
  ASSERT_TRUE(ov.ok()) << ov.message();
  mock_config cfg;
  auto req = parse_request(dialect::openai_chat, R"({"model":"m","messages":[{"role":"user"}]})");
  rng draws(1);
  const auto p = make_plan(cfg, *req.request, *ov, "body", draws);
  EXPECT_EQ(p.output_tokens, 7);
  EXPECT_EQ(p.fault, fault_kind::rate_limit);
  EXPECT_EQ(p.fault_after, 3);
  EXPECT_EQ(p.ttft_ns, 12'500'000);
  EXPECT_EQ(p.events(), 4);
  EXPECT_EQ(p.event_span(3).first, 6);
  EXPECT_EQ(p.event_span(3).count, 1);
}

TEST(Plan, BadHeadersAreErrors) {
  for (auto [name, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"x-mock-output-tokens", "0"},
           {"x-mock-output-tokens", "many"},
           {"x-mock-ttft-ms", "-1"},
           {"x-mock-fault", "explode"},
           {"x-mock-stall-then", "maybe"},
           {"x-mock-itl", "fast"},
           {"x-mock-tool-call", "perhaps"}}) {
    mock_headers h;
    take_mock_header(h, name, value);
    auto ov = parse_overrides(h);
    EXPECT_FALSE(ov.ok()) << name << ": " << value;
    if (!ov.ok()) {
      EXPECT_NE(ov.message().find(name), std::string::npos) << ov.message();
    }
  }
}

TEST(Plan, ReasoningAndFaultAfterClampedToOutput) {
  mock_headers h;
  take_mock_header(h, "x-mock-reasoning-tokens", "4");
  take_mock_header(h, "x-mock-output-tokens", "6");
  take_mock_header(h, "x-mock-fault-after", "1000");
  take_mock_header(h, "x-mock-fault", "reset");
  auto ov = parse_overrides(h);
  ASSERT_TRUE(ov.ok());
  mock_config cfg;
  auto req = parse_request(dialect::openai_chat,
                           R"({"model":"m","messages":[{"role":"user"}],"max_tokens":8})");
  rng draws(1);
  const auto p = make_plan(cfg, *req.request, *ov, "b", draws);
  EXPECT_EQ(p.reasoning_tokens, 4);
  EXPECT_EQ(p.output_tokens, 4) << "max_tokens caps reasoning + content";
  EXPECT_TRUE(p.hit_limit);
  EXPECT_EQ(p.fault_after, 8);
}

TEST(Config, SettingsApplyAndReject) {
  mock_config c;
  EXPECT_TRUE(apply_setting(c, "listen", "0.0.0.0:0").ok());
  EXPECT_EQ(c.port, 0);
  EXPECT_TRUE(apply_setting(c, "fault", "reset=2.5%").ok());
  EXPECT_DOUBLE_EQ(c.faults.rate[static_cast<std::size_t>(fault_kind::reset)], 0.025);
  EXPECT_TRUE(apply_setting(c, "retry-after", "1500ms").ok());
  EXPECT_EQ(c.retry_after_ms, 1500);
  EXPECT_TRUE(apply_setting(c, "model", "a").ok());
  EXPECT_TRUE(apply_setting(c, "model", "b").ok());
  EXPECT_EQ(c.models, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(apply_setting(c, "listen", "nohost").ok());
  EXPECT_FALSE(apply_setting(c, "listen", "h:70000").ok());
  EXPECT_FALSE(apply_setting(c, "fault", "reset").ok());
  EXPECT_FALSE(apply_setting(c, "stall-then", "later").ok());
  EXPECT_FALSE(apply_setting(c, "bogus", "1").ok());
  EXPECT_TRUE(apply_setting(c, "fault", "http_500=98%").ok());
  EXPECT_FALSE(validate(c).ok()) << "rates over 100%";
}

TEST(Wire, ChunksEscapesAndErrors) {
  std::string out;
  append_chunk(out, "hello");
  EXPECT_EQ(out, "5\r\nhello\r\n");
  out.clear();
  append_chunk(out, "");
  EXPECT_EQ(out, "");
  out.clear();
  append_json_string(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(error_body(vendor::anthropic, fault_error(vendor::anthropic, fault_kind::overloaded)),
            std::string(R"x({"type":"error","error":{"type":"overloaded_error",)x") +
                R"x("message":"Overloaded (injected by gatebench-mock)"}})x");
  EXPECT_EQ(fault_error(vendor::openai, fault_kind::insufficient_quota).status, 429);
  EXPECT_EQ(fault_error(vendor::anthropic, fault_kind::insufficient_quota).status, 400);
  EXPECT_EQ(openai_reset(250'000'000), "250ms");
  EXPECT_EQ(openai_reset(1'500'000'000), "1.5s");
  EXPECT_EQ(openai_reset(360'000'000'000), "6m0s");
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace gb::mock
