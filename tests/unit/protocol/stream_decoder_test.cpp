#include "protocol/stream_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "decode_case.hpp"

namespace gb::protocol {
namespace {

using decode_tables::decode_case;

constexpr dialect chat = dialect::openai_chat;
constexpr dialect legacy = dialect::openai_completions;
constexpr dialect claude = dialect::anthropic_messages;

std::vector<decode_case> decode_cases() {
  using k = event_kind;
  return {
      // OpenAI chat
      {"oa_role_chunk", chat, "",
       R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})",
       k::preamble},
      {"oa_content", chat, "",
       R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]})",
       k::content, "Hello"},
      {"oa_content_escaped", chat, "",
       R"({"choices":[{"delta":{"content":"a\"b\\c\n\u00e9\ud83d\ude00"}}]})", k::content,
       "a\"b\\c\n\xC3\xA9\xF0\x9F\x98\x80"},
      {"oa_lone_surrogate", chat, "", R"({"choices":[{"delta":{"content":"\ud800x"}}]})",
       k::content, "\xEF\xBF\xBDx"},
      {"oa_empty_content_is_not_content", chat, "", R"({"choices":[{"delta":{"content":""}}]})",
       k::preamble},
      {"oa_null_content", chat, "", R"({"choices":[{"delta":{"content":null}}]})", k::preamble},
      {"oa_reasoning_content", chat, "", R"({"choices":[{"delta":{"reasoning_content":"think"}}]})",
       k::content, "think"},
      {"oa_reasoning", chat, "", R"({"choices":[{"delta":{"reasoning":"hm"}}]})", k::content, "hm"},
      {"oa_tool_call", chat, "",
       R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]})",
       k::content},
      {"oa_empty_tool_calls", chat, "", R"({"choices":[{"delta":{"tool_calls":[]}}]})",
       k::preamble},
      {"oa_finish_chunk", chat, "",
       R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})", k::preamble,
       "", -1, -1, "stop"},
      {"oa_finish_length", chat, "", R"({"choices":[{"delta":{},"finish_reason":"length"}]})",
       k::preamble, "", -1, -1, "length"},
      {"oa_usage_chunk", chat, "",
       R"({"id":"c1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}})",
       k::usage, "", 12, 9},
      {"oa_usage_with_details", chat, "",
       R"({"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":1}}})",
       k::usage, "", 3, 9},
      {"oa_usage_on_finish_chunk", chat, "",
       R"({"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}})",
       k::preamble, "", 2, 1, "stop"},
      {"oa_done", chat, "", "[DONE]", k::end},
      {"oa_done_with_spaces", chat, "", " [DONE] ", k::end},
      {"oa_error", chat, "",
       R"({"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}})",
       k::error, "", -1, -1, "", "server_error"},
      {"oa_error_code_only", chat, "", R"({"error":{"message":"x","code":"rate_limit_exceeded"}})",
       k::error, "", -1, -1, "", "rate_limit_exceeded"},
      {"oa_error_string", chat, "", R"({"error":"boom"})", k::error},
      {"oa_vllm_error", chat, "",
       R"({"object":"error","message":"bad","type":"BadRequestError","param":null,"code":400})",
       k::error, "", -1, -1, "", "BadRequestError"},
      {"oa_unknown_fields", chat, "",
       R"({"x":[1,{"y":true}],"choices":[{"delta":{"content":"t","z":{}},"logprobs":null}],"system_fingerprint":"fp"})",
       k::content, "t"},
      {"oa_whitespace_everywhere", chat, "",
       " {\n \"choices\" : [ { \"delta\" :\t{ \"content\" : \"x\" } } ] ,\r\n \"usage\" : null } ",
       k::content, "x"},
      {"oa_duplicate_key_first_text_wins", chat, "",
       R"({"choices":[{"delta":{"content":"a","content":"b"}}]})", k::content, "a"},
      {"oa_numbers_of_every_form", chat, "",
       R"({"n":[0,-0,1.5,-2e10,3E+2,4e-3,123456789012345678901234567890],"choices":[]})",
       k::ignored},
      {"oa_escaped_key", chat, "", R"({"choic\u0065s":[{"delta":{"cont\u0065nt":"k"}}]})",
       k::content, "k"},
      {"oa_empty_object", chat, "", "{}", k::ignored},
      {"oa_empty_data", chat, "", "", k::ignored},
      {"oa_invalid_json", chat, "", R"({"choices":[{"delta":{"content":"x"}})", k::malformed},
      {"oa_trailing_garbage", chat, "", R"({"choices":[]} x)", k::malformed},
      {"oa_not_an_object", chat, "", "[1,2]", k::malformed},
      {"oa_choices_wrong_type", chat, "", R"({"choices":"no"})", k::malformed},
      {"oa_control_char_in_string", chat, "", "{\"choices\":[{\"delta\":{\"content\":\"a\x01\"}}]}",
       k::malformed},
      {"oa_bad_escape", chat, "", R"({"choices":[{"delta":{"content":"\x"}}]})", k::malformed},
      {"oa_trailing_comma", chat, "", R"({"choices":[],})", k::malformed},
      {"oa_leading_zero", chat, "", R"({"n":01})", k::malformed},
      {"oa_deep_nesting", chat, "", std::string(200, '[') + std::string(200, ']'), k::malformed},
      {"oa_deep_nesting_inside", chat, "",
       "{\"x\":" + std::string(100, '[') + std::string(100, ']') + "}", k::malformed},
      {"oa_nesting_within_limit", chat, "",
       "{\"x\":" + std::string(50, '[') + std::string(50, ']') + "}", k::ignored},
      {"oa_two_choices", chat, "",
       R"({"choices":[{"delta":{"content":""}},{"delta":{"content":"b"}}]})", k::content, "b"},
      {"oa_huge_usage_number", chat, "",
       R"({"choices":[],"usage":{"completion_tokens":123456789012345678901234567890}})",
       k::ignored},
      {"oa_negative_usage", chat, "", R"({"choices":[],"usage":{"completion_tokens":-3}})",
       k::ignored},
      // OpenAI legacy completions
      {"cmpl_text", legacy, "",
       R"({"id":"cmpl-1","object":"text_completion","choices":[{"text":" world","index":0,"logprobs":null,"finish_reason":null}]})",
       k::content, " world"},
      {"cmpl_empty_text", legacy, "", R"({"choices":[{"text":"","finish_reason":"length"}]})",
       k::preamble, "", -1, -1, "length"},
      {"cmpl_done", legacy, "", "[DONE]", k::end},
      // Anthropic messages
      {"an_message_start", claude, "message_start",
       R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}})",
       k::ignored, "", -1, 12},
      {"an_block_start", claude, "content_block_start",
       R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
       k::ignored},
      {"an_ping", claude, "ping", R"({"type": "ping"})", k::ignored},
      {"an_text_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})",
       k::content, "Hi"},
      {"an_text_before_type", claude, "content_block_delta",
       R"({"delta":{"text":"Hi","type":"text_delta"},"index":0,"type":"content_block_delta"})",
       k::content, "Hi"},
      {"an_empty_text_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}})",
       k::preamble},
      {"an_thinking_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me"}})",
       k::content, "Let me"},
      {"an_input_json_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})",
       k::content, "{\"a\":"},
      {"an_empty_input_json_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})",
       k::preamble},
      {"an_signature_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}})",
       k::preamble},
      {"an_unknown_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}})",
       k::ignored},
      {"an_block_stop", claude, "content_block_stop", R"({"type":"content_block_stop","index":0})",
       k::ignored},
      {"an_message_delta", claude, "message_delta",
       R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}})",
       k::usage, "", 15, -1, "end_turn"},
      {"an_message_delta_no_usage", claude, "message_delta",
       R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"}})", k::preamble, "", -1, -1,
       "max_tokens"},
      {"an_message_stop", claude, "message_stop", R"({"type":"message_stop"})", k::end},
      {"an_error", claude, "error",
       R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", k::error,
       "", -1, -1, "", "overloaded_error"},
      {"an_error_without_event_name", claude, "",
       R"({"type":"error","error":{"type":"api_error","message":"x"}})", k::error, "", -1, -1, "",
       "api_error"},
      {"an_type_from_event_name", claude, "message_stop", R"({})", k::end},
      {"an_unknown_type", claude, "future_event", R"({"type":"future_event","x":1})", k::ignored},
      {"an_invalid_json", claude, "content_block_delta", R"({"type":"content_block_delta",)",
       k::malformed},
      {"an_not_json", claude, "content_block_delta", "hello", k::malformed},
  };
}

class decode_table : public ::testing::TestWithParam<decode_case> {};

TEST_P(decode_table, Classifies) {
  decode_tables::expect_decodes_as_stated(GetParam());
}

INSTANTIATE_TEST_SUITE_P(cases, decode_table, ::testing::ValuesIn(decode_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(stream_decoder, EveryTruncationOfValidJsonIsMalformed) {
  // Prefixes of a JSON object are never valid JSON: the decoder must say so, not guess.
  const std::string full =
      R"({"id":"c1","choices":[{"index":0,"delta":{"content":"a\u00e9\n","tool_calls":[{"index":0}]},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":2}})";
  for (dialect d : {chat, claude}) {
    auto dec = make_stream_decoder(d);
    for (std::size_t n = 1; n < full.size(); ++n) {
      const std::string part = full.substr(0, n);
      const stream_update u = dec->decode(sse_event{"", part});
      EXPECT_EQ(u.kind, event_kind::malformed) << "prefix of length " << n;
    }
  }
}

TEST(stream_decoder, FullOpenAiStreamGivesExpectedSequence) {
  const char* stream[] = {
      R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})",
      R"({"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}],"usage":null})",
      R"({"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}],"usage":null})",
      R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null})",
      R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})",
      "[DONE]",
  };
  const event_kind want[] = {event_kind::preamble, event_kind::content, event_kind::content,
                             event_kind::preamble, event_kind::usage,   event_kind::end};
  auto dec = make_stream_decoder(chat);
  for (std::size_t i = 0; i < std::size(stream); ++i) {
    EXPECT_EQ(dec->decode(sse_event{"", stream[i]}).kind, want[i]) << i;
  }
}

TEST(stream_decoder, NoAllocationPerEventOnceWarm) {
  const std::string oa =
      R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tok\n\u00e9n"},"finish_reason":null}],"usage":null})";
  const std::string an =
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"tok\"en"}})";
  auto oa_dec = make_stream_decoder(chat);
  auto an_dec = make_stream_decoder(claude);
  for (int i = 0; i < 3; ++i) {
    oa_dec->decode(sse_event{"", oa});
    an_dec->decode(sse_event{"content_block_delta", an});
  }
  test::count_allocations counter;
  int content = 0;
  for (int i = 0; i < 1000; ++i) {
    content += oa_dec->decode(sse_event{"", oa}).kind == event_kind::content;
    content += an_dec->decode(sse_event{"content_block_delta", an}).kind == event_kind::content;
  }
  EXPECT_EQ(content, 2000);
  EXPECT_EQ(counter.count(), 0u);
}

TEST(stream_decoder, EmbeddingsGetsTheOpenAiDecoder) {
  auto dec = make_stream_decoder(dialect::openai_embeddings);
  EXPECT_EQ(dec->decode(sse_event{"", "[DONE]"}).kind, event_kind::end);
}

}  // namespace
}  // namespace gb::protocol
