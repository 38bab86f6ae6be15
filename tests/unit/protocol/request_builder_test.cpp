#include "protocol/request_builder.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gb::protocol {
namespace {

using nlohmann::json;

std::string escaped(std::string_view s) {
  std::string out;
  append_json_escaped(s, out);
  return out;
}

// Round trip: the escaped text inside quotes must parse to `want` (nlohmann rejects invalid
// UTF-8 and raw control characters, so parsing also checks the output is well-formed).
struct escape_case {
  const char* name;
  std::string in;
  std::string want;
};

std::vector<escape_case> escape_cases() {
  const std::string fffd = "\xEF\xBF\xBD";
  return {
      {"plain", "hello world", "hello world"},
      {"quotes_backslash", "a\"b\\c/", "a\"b\\c/"},
      {"controls", "\n\r\t\b\f", "\n\r\t\b\f"},
      {"other_controls", std::string("\x01\x1f\x00", 3), std::string("\x01\x1f\x00", 3)},
      {"del_kept", "\x7f", "\x7f"},
      {"utf8_two_three_four", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80",
       "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
      {"lone_continuation", "a\x80z", "a" + fffd + "z"},
      {"invalid_lead", "\xFF\xFE", fffd + fffd},
      {"truncated_at_end", "a\xC3", "a" + fffd},
      {"truncated_three_byte", "\xE2\x82z", fffd + "z"},
      {"truncated_four_byte_at_end", "\xF0\x9F\x98", fffd},
      {"overlong_two_byte", "\xC0\xAF", fffd + fffd},
      {"overlong_three_byte", "\xE0\x80\xAF", fffd + fffd + fffd},
      {"surrogate_encoded", "\xED\xA0\x80", fffd + fffd + fffd},
      {"above_max", "\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},
      {"max_code_point", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},
      {"empty", "", ""},
  };
}

class escape_table : public ::testing::TestWithParam<escape_case> {};

TEST_P(escape_table, RoundTrips) {
  const escape_case& c = GetParam();
  const std::string e = escaped(c.in);
  json j;
  ASSERT_NO_THROW(j = json::parse("\"" + e + "\"")) << e;
  EXPECT_EQ(j.get<std::string>(), c.want);
}

INSTANTIATE_TEST_SUITE_P(cases, escape_table, ::testing::ValuesIn(escape_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(append_json_escaped, ShortFormsAndUnicodeEscapes) {
  EXPECT_EQ(escaped("\"\\\n"), "\\\"\\\\\\n");
  EXPECT_EQ(escaped("\x01"), "\\u0001");
  EXPECT_EQ(escaped("\x1f"), "\\u001f");
}

TEST(append_json_escaped, EveryByteValueGivesValidJson) {
  for (int b = 0; b < 256; ++b) {
    const std::string in = "x" + std::string(1, static_cast<char>(b)) + "y";
    json j;
    EXPECT_NO_THROW(j = json::parse("\"" + escaped(in) + "\"")) << "byte " << b;
  }
}

TEST(append_json_escaped, SpecialBytesAtEveryPositionOfAWord) {
  // The escaper skips 8 plain bytes at a time: put each kind of byte that needs attention at
  // every offset of three words (and at the end), so a missed byte in any lane shows up.
  struct special {
    std::string in;
    std::string want;
  };
  const std::string fffd = "\xEF\xBF\xBD";
  const std::vector<special> specials = {
      {std::string(1, '\0'), "\\u0000"},
      {"\x1f", "\\u001f"},
      {"\"", "\\\""},
      {"\\", "\\\\"},
      {"\n", "\\n"},
      {"\x7f", "\x7f"},
      {"\x80", fffd},
      {"\xFF", fffd},
      {"\xC3\xA9", "\xC3\xA9"},
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
      {" ", " "},
      {"!", "!"},
      {"#", "#"},
      {"[", "["},
      {"]", "]"},
      {"~", "~"},
  };
  const std::string plain = "abcdefghijklmnopqrstuvwx";  // 24 bytes: three words
  for (const special& sp : specials) {
    for (std::size_t pos = 0; pos <= plain.size(); ++pos) {
      const std::string in = plain.substr(0, pos) + sp.in + plain.substr(pos);
      const std::string want = plain.substr(0, pos) + sp.want + plain.substr(pos);
      EXPECT_EQ(escaped(in), want) << "byte " << static_cast<int>(sp.in[0] & 0xff) << " at " << pos;
    }
  }
  // Two hits in one word, and a long plain run after an escape.
  EXPECT_EQ(escaped("ab\"cd\"ef" + plain + plain), "ab\\\"cd\\\"ef" + plain + plain);
}

json build(dialect d, const request_spec& spec) {
  std::string out = "prefix:";  // appends, never overwrites
  build_body(d, spec, out);
  EXPECT_EQ(out.substr(0, 7), "prefix:");
  return json::parse(out.substr(7));
}

const chat_message k_messages[] = {
    {"system", "Be brief."},
    {"user", "Say \"hi\"\n"},
    {"assistant", "hi"},
    {"user", "again"},
};

TEST(build_body, OpenAiChatStreaming) {
  request_spec s;
  s.model = "gpt-4o-mini";
  s.messages = k_messages;
  s.max_tokens = 64;
  const json j = build(dialect::openai_chat, s);
  EXPECT_EQ(j["model"], "gpt-4o-mini");
  ASSERT_EQ(j["messages"].size(), 4u);
  EXPECT_EQ(j["messages"][0]["role"], "system");
  EXPECT_EQ(j["messages"][1]["content"], "Say \"hi\"\n");
  EXPECT_EQ(j["stream"], true);
  EXPECT_EQ(j["stream_options"]["include_usage"], true);
  EXPECT_EQ(j["max_tokens"], 64);
  EXPECT_FALSE(j.contains("ignore_eos"));
  EXPECT_FALSE(j.contains("min_tokens"));
}

TEST(build_body, OpenAiChatWithoutStreamHasNoStreamOptions) {
  request_spec s;
  s.model = "m";
  s.messages = k_messages;
  s.stream = false;
  const json j = build(dialect::openai_chat, s);
  EXPECT_EQ(j["stream"], false);
  EXPECT_FALSE(j.contains("stream_options"));
  EXPECT_FALSE(j.contains("max_tokens"));
}

TEST(build_body, OpenAiChatStreamingWithoutUsage) {
  request_spec s;
  s.model = "m";
  s.include_usage = false;
  const json j = build(dialect::openai_chat, s);
  EXPECT_FALSE(j.contains("stream_options"));
  EXPECT_TRUE(j["messages"].empty());
}

TEST(build_body, VllmExtensionsOnlyWhenSet) {
  request_spec s;
  s.model = "m";
  s.messages = k_messages;
  s.ignore_eos = true;
  s.min_tokens = 0;
  s.max_tokens = 10;
  for (dialect d : {dialect::openai_chat, dialect::openai_completions}) {
    const json j = build(d, s);
    EXPECT_EQ(j["ignore_eos"], true);
    EXPECT_EQ(j["min_tokens"], 0);
    EXPECT_EQ(j["max_tokens"], 10);
  }
}

TEST(build_body, CompletionsJoinsContentsIntoPrompt) {
  request_spec s;
  s.model = "m";
  s.messages = k_messages;
  const json j = build(dialect::openai_completions, s);
  EXPECT_EQ(j["prompt"], "Be brief.\nSay \"hi\"\n\nhi\nagain");
  EXPECT_FALSE(j.contains("messages"));
  EXPECT_EQ(j["stream"], true);
  EXPECT_EQ(j["stream_options"]["include_usage"], true);
}

TEST(build_body, EmbeddingsHasInputOnly) {
  request_spec s;
  s.model = "text-embedding-3-small";
  const chat_message one[] = {{"user", "embed me"}};
  s.messages = one;
  s.max_tokens = 5;
  const json j = build(dialect::openai_embeddings, s);
  EXPECT_EQ(j["input"], "embed me");
  EXPECT_FALSE(j.contains("stream"));
  EXPECT_FALSE(j.contains("max_tokens"));
  EXPECT_FALSE(j.contains("messages"));
}

TEST(build_body, AnthropicMovesSystemToTopLevel) {
  request_spec s;
  s.model = "claude-3-5-haiku";
  const chat_message msgs[] = {
      {"system", "Be brief."}, {"user", "hi"}, {"system", "No lists."}, {"assistant", "ok"}};
  s.messages = msgs;
  const json j = build(dialect::anthropic_messages, s);
  EXPECT_EQ(j["max_tokens"], 1024);  // required: a default is sent
  EXPECT_EQ(j["system"], "Be brief.\nNo lists.");
  ASSERT_EQ(j["messages"].size(), 2u);
  EXPECT_EQ(j["messages"][0]["role"], "user");
  EXPECT_EQ(j["messages"][1]["role"], "assistant");
  EXPECT_EQ(j["stream"], true);
  EXPECT_FALSE(j.contains("stream_options"));
}

TEST(build_body, AnthropicWithoutSystemHasNoSystemField) {
  request_spec s;
  s.model = "m";
  s.max_tokens = 7;
  s.stream = false;
  const chat_message one[] = {{"user", "x"}};
  s.messages = one;
  const json j = build(dialect::anthropic_messages, s);
  EXPECT_FALSE(j.contains("system"));
  EXPECT_EQ(j["max_tokens"], 7);
  EXPECT_EQ(j["stream"], false);
}

TEST(json_plain, PrintableAsciiWithoutQuoteOrBackslash) {
  EXPECT_TRUE(json_plain(""));
  EXPECT_TRUE(json_plain("the quick brown fox, 42 times! ~[]{}"));
  const std::string plain = "abcdefghijklmnopqrstuvwx";  // three 8-byte words
  for (const char* bad : {"\"", "\\", "\n", "\x01", "\x80", "\xC3\xA9"}) {
    for (std::size_t pos = 0; pos <= plain.size(); ++pos) {
      const std::string in = plain.substr(0, pos) + bad + plain.substr(pos);
      EXPECT_FALSE(json_plain(in)) << static_cast<int>(bad[0] & 0xff) << " at " << pos;
    }
  }
  EXPECT_TRUE(json_plain("\x7f"));  // DEL may stand in a JSON string
}

TEST(build_body, PlainContentIsCopiedAsEscapedContentWouldBe) {
  // Marking a plain text `plain` must not change the body, in any dialect.
  const std::string text = "a synthetic prompt of ordinary words, 12 of them; no escapes at all";
  ASSERT_TRUE(json_plain(text));
  for (dialect d : {dialect::openai_chat, dialect::openai_completions, dialect::openai_embeddings,
                    dialect::anthropic_messages}) {
    request_spec escaped_spec;
    escaped_spec.model = "m";
    const chat_message escaped_msgs[] = {{"system", text}, {"user", text}};
    escaped_spec.messages = escaped_msgs;
    request_spec plain_spec = escaped_spec;
    const chat_message plain_msgs[] = {{"system", text, true}, {"user", text, true}};
    plain_spec.messages = plain_msgs;
    std::string a;
    std::string b;
    build_body(d, escaped_spec, a);
    build_body(d, plain_spec, b);
    EXPECT_EQ(a, b) << static_cast<int>(d);
    EXPECT_TRUE(json::accept(b));
  }
}

TEST(build_body, ReusedBufferHoldsExactlyTheNewBody) {
  // The request factory clears and refills one body buffer per slot: after a long body, a short
  // one must be exactly what a fresh buffer gets (the builder writes into room it makes ahead
  // and cuts the string to what it wrote).
  const std::string long_text(40000, 'x');
  const chat_message long_msg[] = {{"user", long_text, true}};
  const chat_message short_msg[] = {{"user", "hi \"there\""}};
  request_spec s;
  s.model = "m";
  std::string reused;
  for (const auto& msgs :
       {std::span<const chat_message>(long_msg), std::span<const chat_message>(short_msg),
        std::span<const chat_message>(long_msg)}) {
    s.messages = msgs;
    std::string fresh;
    build_body(dialect::openai_chat, s, fresh);
    reused.clear();
    build_body(dialect::openai_chat, s, reused);
    EXPECT_EQ(reused, fresh);
    EXPECT_TRUE(json::accept(reused));
  }
}

TEST(rebuild_body, ReplacesWhatTheBufferHeldWithExactlyTheNewBody) {
  // A slot's buffer holds the last body: the next one replaces it, whether longer (by a little
  // or a lot, escapes making it longer than expected) or shorter.
  const std::string long_text(40000, 'x');
  const std::string escapes(3000, '"');  // twice as long once escaped
  const chat_message long_msg[] = {{"user", long_text, true}};
  const chat_message short_msg[] = {{"user", "hi \"there\""}};
  const chat_message escaped_msg[] = {{"system", "be brief"}, {"user", escapes}};
  const chat_message two_msgs[] = {{"user", "hi", true}, {"assistant", "hello", true}};
  request_spec s;
  s.model = "m";
  std::string reused = "not a body at all";
  for (const auto& msgs :
       {std::span<const chat_message>(short_msg), std::span<const chat_message>(two_msgs),
        std::span<const chat_message>(long_msg), std::span<const chat_message>(short_msg),
        std::span<const chat_message>(escaped_msg), std::span<const chat_message>(two_msgs),
        std::span<const chat_message>(escaped_msg), std::span<const chat_message>(long_msg)}) {
    s.messages = msgs;
    for (dialect d : {dialect::openai_chat, dialect::anthropic_messages}) {
      std::string fresh;
      build_body(d, s, fresh);
      rebuild_body(d, s, reused);
      EXPECT_EQ(reused, fresh);
    }
  }
}

TEST(build_body, HostileStringsStayValidJson) {
  request_spec s;
  const std::string model = "m\"\\\x01\xff";
  const std::string content = std::string("\0\xC3", 2) + "\"}],\"x\":1";
  s.model = model;
  const chat_message msgs[] = {{"user\"", content}};
  s.messages = msgs;
  for (dialect d : {dialect::openai_chat, dialect::openai_completions, dialect::openai_embeddings,
                    dialect::anthropic_messages}) {
    const json j = build(d, s);
    EXPECT_EQ(j["model"], "m\"\\\x01\xEF\xBF\xBD");
    EXPECT_FALSE(j.contains("x"));
  }
}

// write_decimal is std::to_chars (for every value of both 4-digit lanes of an 8-digit group,
// every digit count, the edges of each 8-digit group, and random values).
TEST(write_decimal, SameDigitsAsToChars) {
  auto check = [](std::uint64_t v) {
    char want[24];
    const auto w = std::to_chars(want, want + sizeof want, v);
    char got[32];
    std::memset(got, 'x', sizeof got);
    char* end = write_decimal(got, v);
    ASSERT_EQ(std::string_view(got, static_cast<std::size_t>(end - got)),
              std::string_view(want, static_cast<std::size_t>(w.ptr - want)))
        << v;
    // It may write beyond its digits, never more than 24 bytes from its start.
    for (std::size_t i = 24; i < sizeof got; ++i) {
      ASSERT_EQ(got[i], 'x') << v;
    }
  };
  for (std::uint64_t v = 0; v < 200000; ++v) {
    check(v);
  }
  for (std::uint64_t lane = 0; lane < 10000; ++lane) {
    for (const std::uint64_t other : {0ULL, 1ULL, 99ULL, 5000ULL, 9999ULL}) {
      check(lane * 10000 + other);
      check(other * 10000 + lane);
      check(123456789ULL * 100000000 + lane * 10000 + other);
      check(1844ULL * 10000000000000000ULL + (other * 10000 + lane) * 100000000 + lane);
    }
  }
  std::uint64_t p = 1;
  for (int i = 0; i < 20; ++i) {
    check(p - 1);
    check(p);
    check(p + 1);
    check(p * 9 + 8);
    p *= 10;
  }
  check(UINT64_MAX);
  check(UINT64_MAX - 1);
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    check(x);
    check(x >> (i % 64));
  }
}

// A template filled in is byte for byte what build_body writes for the same spec, in every
// dialect and shape, into a buffer reused for bodies longer and shorter than the last.
TEST(body_template, FillIsWhatBuildBodyWrites) {
  const std::string long_text(3000, 'w');
  const std::string_view texts[] = {"", "a", "two words", long_text};
  const std::string_view mores[] = {"", " and more words"};
  const std::int64_t counts[] = {1, 9, 10, 128, 99999, 1000000000000};
  std::string reused;
  int n = 0;
  for (dialect d : {dialect::openai_chat, dialect::openai_completions, dialect::openai_embeddings,
                    dialect::anthropic_messages}) {
    for (int shape = 0; shape < 32; ++shape) {
      const bool with_system = (shape & 1) != 0;
      const bool odd = (shape & 2) != 0;  // model and system text need escaping
      const bool stream = (shape & 4) != 0;
      const bool ignore_eos = (shape & 8) != 0;
      const bool counts_vary = (shape & 16) != 0;
      std::vector<chat_message> msgs;
      if (with_system) {
        msgs.push_back({"system", odd ? "be \"brief\"\n" : "be brief", !odd, {}});
      }
      msgs.push_back({"user", {}, true, {}});
      request_spec spec;
      spec.model = odd ? "m \"x\" \xc3\xa9" : "m-1";
      spec.model_plain = !odd;
      spec.messages = msgs;
      spec.stream = stream;
      spec.include_usage = shape % 3 != 0;
      spec.ignore_eos = ignore_eos;
      const std::int64_t fixed = 77;
      spec.max_tokens = d == dialect::openai_embeddings ? -1 : fixed;
      spec.min_tokens = ignore_eos ? fixed : -1;
      const body_template t(d, spec, msgs.size() - 1, counts_vary);
      for (const std::string_view text : texts) {
        for (const std::string_view more : mores) {
          for (const std::int64_t count : counts) {
            std::vector<chat_message> filled = msgs;
            filled.back().content = text;
            filled.back().more = more;
            request_spec want_spec = spec;
            want_spec.messages = filled;
            if (counts_vary) {
              want_spec.max_tokens = spec.max_tokens < 0 ? -1 : count;
              want_spec.min_tokens = ignore_eos ? count : -1;
            }
            std::string want;
            build_body(d, want_spec, want);
            t.fill(text, more, count, count, reused);
            ASSERT_EQ(reused, want) << static_cast<int>(d) << " shape " << shape;
            ++n;
          }
        }
      }
    }
  }
  EXPECT_EQ(n, 4 * 32 * 4 * 2 * 6);
}

}  // namespace
}  // namespace gb::protocol
