#include <gtest/gtest.h>

#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "protocol/stream_decoder.hpp"

namespace gb::protocol {
namespace {

struct body_case {
  const char* name;
  dialect d;
  std::string body;
  bool valid;
  bool is_error = false;
  std::int64_t output_tokens = -1;
  std::int64_t input_tokens = -1;
  std::int64_t content_chars = 0;
  std::int64_t content_words = 0;
  std::int64_t embedding_dims = 0;
  std::string error_type = {};
  std::string finish_reason = {};
};

std::vector<body_case> body_cases() {
  const dialect chat = dialect::openai_chat;
  const dialect legacy = dialect::openai_completions;
  const dialect emb = dialect::openai_embeddings;
  const dialect claude = dialect::anthropic_messages;
  return {
      {"chat", chat,
       R"({"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there, friend."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}})",
       true, false, 12, 9, 20, 3, 0, "", "stop"},
      {"chat_escaped_content", chat,
       R"({"choices":[{"message":{"content":"a\nb \u00e9"},"finish_reason":"length"}]})", true,
       false, -1, -1, 6, 3, 0, "", "length"},
      {"chat_null_content_tool_call", chat,
       R"({"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c"}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7}})",
       true, false, 7, 5, 0, 0, 0, "", "tool_calls"},
      {"chat_reasoning", chat,
       R"({"choices":[{"message":{"reasoning_content":"hmm ok","content":"yes"}}]})", true, false,
       -1, -1, 9, 3},
      {"chat_without_choices", chat, R"({"id":"x"})", false},
      {"chat_error", chat,
       R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})",
       true, true, -1, -1, 0, 0, 0, "requests"},
      {"chat_error_code_only", chat,
       R"({"error":{"message":"x","type":null,"code":"invalid_api_key"}})", true, true, -1, -1, 0,
       0, 0, "invalid_api_key"},
      {"chat_error_string", chat, R"({"error":"bad gateway"})", true, true},
      {"vllm_error", chat,
       R"({"object":"error","message":"too long","type":"BadRequestError","param":null,"code":400})",
       true, true, -1, -1, 0, 0, 0, "BadRequestError"},
      {"anthropic_error_on_openai_dialect", chat,
       R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", true, true,
       -1, -1, 0, 0, 0, "overloaded_error"},
      {"completions", legacy,
       R"({"id":"cmpl-1","object":"text_completion","choices":[{"text":" one two","index":0,"finish_reason":"length"}],"usage":{"prompt_tokens":2,"completion_tokens":2}})",
       true, false, 2, 2, 8, 2, 0, "", "length"},
      {"embeddings", emb,
       R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-0.2,3e-2,4]},{"object":"embedding","index":1,"embedding":[1,2]}],"model":"e","usage":{"prompt_tokens":8,"total_tokens":8}})",
       true, false, -1, 8, 0, 0, 4},
      {"embeddings_base64", emb, R"({"data":[{"embedding":"AAAA"}],"usage":{"prompt_tokens":1}})",
       true, false, -1, 1, 0, 0, 0},
      {"embeddings_without_data", emb, R"({"object":"list"})", false},
      {"anthropic", claude,
       R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hi there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":6}})",
       true, false, 6, 12, 8, 2, 0, "", "end_turn"},
      {"anthropic_thinking_and_tool", claude,
       R"({"type":"message","content":[{"type":"thinking","thinking":"a b","signature":"s"},{"type":"tool_use","id":"t","name":"f","input":{"x":1}},{"type":"text","text":"c"}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":2}})",
       true, false, 2, 1, 4, 3, 0, "", "tool_use"},
      {"anthropic_error", claude,
       R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})", true, true,
       -1, -1, 0, 0, 0, "rate_limit_error"},
      {"openai_error_on_anthropic_dialect", claude,
       R"({"error":{"message":"x","type":"invalid_request_error"}})", true, true, -1, -1, 0, 0, 0,
       "invalid_request_error"},
      {"anthropic_without_content", claude, R"({"type":"message"})", false},
      {"empty", chat, "", false},
      {"html", chat, "<html><body>502 Bad Gateway</body></html>", false},
      {"truncated", claude, R"({"type":"message","content":[{"type":"text","text":"Hi)", false},
      {"trailing_garbage", chat, R"({"choices":[]}})", false},
      {"whitespace_around", chat, " \n{\"choices\":[]}\r\n", true},
  };
}

class body_table : public ::testing::TestWithParam<body_case> {};

TEST_P(body_table, Decodes) {
  const body_case& c = GetParam();
  const body_summary s = decode_body(c.d, c.body);
  EXPECT_EQ(s.valid, c.valid);
  EXPECT_EQ(s.is_error, c.is_error);
  EXPECT_EQ(s.output_tokens, c.output_tokens);
  EXPECT_EQ(s.input_tokens, c.input_tokens);
  EXPECT_EQ(s.content_chars, c.content_chars);
  EXPECT_EQ(s.content_words, c.content_words);
  EXPECT_EQ(s.embedding_dims, c.embedding_dims);
  EXPECT_EQ(s.error_type, c.error_type);
  EXPECT_EQ(s.finish_reason, c.finish_reason);
}

INSTANTIATE_TEST_SUITE_P(cases, body_table, ::testing::ValuesIn(body_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(body_decoder, LargeEmbeddingCountsEveryDimension) {
  std::string body = R"({"data":[{"embedding":[)";
  for (int i = 0; i < 3072; ++i) {
    body += (i == 0 ? "" : ",");
    body += "-0.0123456789";
  }
  body += R"(]}],"usage":{"prompt_tokens":3}})";
  const body_summary s = decode_body(dialect::openai_embeddings, body);
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.embedding_dims, 3072);
}

}  // namespace
}  // namespace gb::protocol

namespace gb::protocol {
namespace {

// A random JSON value (nlohmann builds it, so it is valid): every value type, numbers of every
// form (0, small, 19-20 digits, negative, fractions, exponents), strings with escapes, control
// characters and UTF-8, nesting a few levels deep.
nlohmann::json random_value(std::mt19937_64& rng, int depth) {
  switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0:
      return nullptr;
    case 1:
      return (rng() & 1) != 0;
    case 2:
      switch (rng() % 6) {
        case 0:
          return static_cast<std::int64_t>(rng() % 10);
        case 1:
          return static_cast<std::int64_t>(rng());
        case 2:
          return -static_cast<std::int64_t>(rng() % 100000);
        case 3:
          return static_cast<double>(rng() % 1000) / 7.0;
        case 4:
          return 1e300 * static_cast<double>(rng() % 3);
        default:
          return rng();
      }
    case 3: {
      std::string s;
      for (int i = static_cast<int>(rng() % 20); i > 0; --i) {
        const auto c = rng() % 100;
        if (c < 5) {
          s += '"';
        } else if (c < 8) {
          s += '\\';
        } else if (c < 12) {
          s += static_cast<char>(rng() % 32);
        } else if (c < 15) {
          s += "\xc3\xa9";
        } else {
          s += static_cast<char>('a' + rng() % 26);
        }
      }
      return s;
    }
    case 4:
    case 5:
      return nlohmann::json::object();
    case 6: {
      auto a = nlohmann::json::array();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) {
        a.push_back(random_value(rng, depth + 1));
      }
      return a;
    }
    default: {
      auto o = nlohmann::json::object();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) {
        o["k" + std::to_string(rng() % 50)] = random_value(rng, depth + 1);
      }
      return o;
    }
  }
}

// The fuzzers check that nothing invalid is accepted; this checks the other way: valid bodies,
// compact or indented, with random extra members around the ones read, are never rejected, and
// the usage counts (plain and long integers) come out exact.
TEST(body_decoder, RandomValidBodiesAreAcceptedWithExactUsage) {
  std::mt19937_64 rng(20261122);
  const std::int64_t counts[] = {0, 7, 10, 99999, 123456789012345678, 1234567890123456789};
  for (int it = 0; it < 20000; ++it) {
    const std::int64_t out = counts[rng() % std::size(counts)];
    const nlohmann::json doc = {
        {"id", random_value(rng, 0)},
        {"choices",
         nlohmann::json::array({{{"index", 0},
                                 {"message", {{"role", "assistant"}, {"content", "one two"}}},
                                 {"extra", random_value(rng, 0)}}})},
        {"usage", {{"prompt_tokens", random_value(rng, 0)}, {"completion_tokens", out}}},
        {"z", random_value(rng, 0)}};
    std::string text = doc.dump(rng() % 3 == 0 ? 2 : -1);
    if (rng() % 4 == 0) {
      text = " \n" + text + "\r\n ";
    }
    const body_summary b = decode_body(dialect::openai_chat, text);
    ASSERT_TRUE(b.valid) << text;
    EXPECT_EQ(b.content_words, 2) << text;
    ASSERT_EQ(b.output_tokens, out) << text;
  }
}

}  // namespace
}  // namespace gb::protocol
