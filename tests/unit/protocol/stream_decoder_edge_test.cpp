// Edge cases of the stream decoders' reading rules (which value wins when a key repeats, which
// values of the wrong type are skipped and which make the event malformed, usage counts that are
// not counts) and of the lifetime of the views an update carries.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "decode_case.hpp"
#include "protocol/stream_decoder.hpp"

namespace gb::protocol {
namespace {
// Named, so that a unity build (several test files in one translation unit) keeps these
// helpers apart from stream_decoder_test.cpp's.
namespace edges {

using decode_tables::decode_case;

constexpr dialect chat = dialect::openai_chat;
constexpr dialect claude = dialect::anthropic_messages;

std::string nested(int levels) {
  return "{\"x\":" + std::string(static_cast<std::size_t>(levels), '[') +
         std::string(static_cast<std::size_t>(levels), ']') + "}";
}

std::vector<decode_case> openai_cases() {
  using k = event_kind;
  return {
      // The first non-empty text wins, whatever key or choice it comes from.
      {"oa_non_string_content_skipped", chat, "",
       R"({"choices":[{"delta":{"content":1,"content":{"a":"b"},"reasoning":"r"}}]})", k::content,
       "r"},
      {"oa_first_text_key_wins", chat, "",
       R"({"choices":[{"delta":{"reasoning_content":"a","content":"b"}}]})", k::content, "a"},
      {"oa_text_across_choices", chat, "",
       R"({"choices":[{"text":"","delta":{"content":"x"}},{"text":"y"}]})", k::content, "x"},
      {"oa_escaped_text_first_wins", chat, "",
       R"({"choices":[{"delta":{"content":"a\u0062"}},{"delta":{"content":"c\u0064"}}]})",
       k::content, "ab"},
      {"oa_escaped_text_then_escaped_key", chat, "",
       R"({"choices":[{"delta":{"content":"a\u0062","r\u0065asoning":"z\u0021"}}]})", k::content,
       "ab"},
      {"oa_null_delta", chat, "", R"({"choices":[{"delta":null}]})", k::preamble},
      {"oa_tool_calls_not_array", chat, "", R"({"choices":[{"delta":{"tool_calls":{}}}]})",
       k::preamble},
      {"oa_tool_calls_null_element", chat, "", R"({"choices":[{"delta":{"tool_calls":[null]}}]})",
       k::content},
      {"oa_tool_calls_outside_delta", chat, "", R"({"choices":[{"tool_calls":[1]}]})", k::preamble},
      // finish_reason: the first non-empty string.
      {"oa_first_finish_reason_wins", chat, "",
       R"({"choices":[{"finish_reason":null,"finish_reason":"","finish_reason":"stop","finish_reason":"length"}]})",
       k::preamble, "", -1, -1, "stop"},
      {"oa_finish_reason_of_second_choice", chat, "",
       R"({"choices":[{"finish_reason":null},{"finish_reason":"length"}]})", k::preamble, "", -1,
       -1, "length"},
      {"oa_escaped_finish_then_escaped_key", chat, "",
       R"({"choices":[{"finish_reason":"st\u006fp","d\u0065lta":{"c\u006fntent":""}}]})",
       k::preamble, "", -1, -1, "stop"},
      {"oa_escaped_finish_then_escaped_finish", chat, "",
       R"({"choices":[{"finish_reason":"st\u006fp"},{"finish_reason":"l\u0065ngth"}]})",
       k::preamble, "", -1, -1, "stop"},
      // Shapes: these must be objects (or null where noted), else the event is malformed.
      {"oa_choice_not_object", chat, "", R"({"choices":[1]})", k::malformed},
      {"oa_second_choice_null", chat, "", R"({"choices":[{},null]})", k::malformed},
      {"oa_choices_true", chat, "", R"({"choices":true})", k::malformed},
      {"oa_choices_object", chat, "", R"({"choices":{}})", k::malformed},
      {"oa_choices_null", chat, "", R"({"choices":null})", k::ignored},
      {"oa_delta_string", chat, "", R"({"choices":[{"delta":"x"}]})", k::malformed},
      {"oa_delta_array", chat, "", R"({"choices":[{"delta":[]}]})", k::malformed},
      {"oa_delta_false", chat, "", R"({"choices":[{"delta":false}]})", k::malformed},
      {"oa_root_string", chat, "", R"("x")", k::malformed},
      {"oa_root_null", chat, "", "null", k::malformed},
      {"oa_nul_after_object", chat, "", std::string("{\"choices\":[]}\0", 15), k::malformed},
      {"oa_form_feed_is_not_space", chat, "", "\f{}", k::malformed},
      {"oa_invalid_utf8_in_text", chat, "", "{\"choices\":[{\"delta\":{\"content\":\"\xff\"}}]}",
       k::malformed},
      {"oa_invalid_utf8_in_skipped_key", chat, "", "{\"x\":{\"\xc3\":1}}", k::malformed},
      {"oa_valid_utf8_text", chat, "", "{\"choices\":[{\"delta\":{\"content\":\"\xc3\xa9\"}}]}",
       k::content, "\xc3\xa9"},
      {"oa_nesting_at_limit", chat, "", nested(63), k::ignored},
      {"oa_nesting_over_limit", chat, "", nested(64), k::malformed},
      // usage: any value but an object is skipped; only non-negative integer counts are read,
      // and the last one read wins.
      {"oa_usage_string", chat, "", R"({"usage":"x"})", k::ignored},
      {"oa_usage_array", chat, "", R"({"usage":[{"completion_tokens":3}]})", k::ignored},
      {"oa_usage_not_counts_skipped", chat, "",
       R"({"usage":{"completion_tokens":5,"completion_tokens":"x","prompt_tokens":2,"prompt_tokens":-1,"prompt_tokens":null}})",
       k::usage, "", 5, 2},
      {"oa_usage_last_count_wins", chat, "",
       R"({"usage":{"completion_tokens":5},"usage":{"completion_tokens":7},"usage":null})",
       k::usage, "", 7},
      {"oa_usage_fraction", chat, "", R"({"usage":{"completion_tokens":1.0}})", k::ignored},
      {"oa_usage_exponent", chat, "", R"({"usage":{"completion_tokens":1e2}})", k::ignored},
      {"oa_usage_zero", chat, "", R"({"usage":{"completion_tokens":0}})", k::usage, "", 0},
      {"oa_usage_18_digits", chat, "", R"({"usage":{"prompt_tokens":999999999999999999}})",
       k::usage, "", -1, 999999999999999999},
      {"oa_usage_19_digits", chat, "", R"({"usage":{"prompt_tokens":9223372036854775799}})",
       k::usage, "", -1, 9223372036854775799},
      // The largest int64 is a count (json_scanner read 9223372036854775800 and up as -1).
      {"oa_usage_int64_max", chat, "", R"({"usage":{"prompt_tokens":9223372036854775807}})",
       k::usage, "", -1, 9223372036854775807},
      {"oa_usage_past_int64", chat, "", R"({"usage":{"prompt_tokens":9223372036854775808}})",
       k::ignored},
      {"oa_usage_nested_not_read", chat, "",
       R"({"usage":{"details":{"completion_tokens":4}},"x":{"usage":{"completion_tokens":4}}})",
       k::ignored},
      // Errors: any "error" but null; the error's first non-empty string "type", else its first
      // non-empty string "code", of the last error object; else the top-level "type".
      {"oa_error_zero", chat, "", R"({"error":0})", k::error},
      {"oa_error_array", chat, "", R"({"error":[{"type":"t"}]})", k::error},
      {"oa_error_false", chat, "", R"({"error":false})", k::error},
      {"oa_error_null", chat, "", R"({"error":null})", k::ignored},
      {"oa_error_first_type_wins", chat, "",
       R"({"error":{"type":1,"type":"","type":"t1","type":"t2"}})", k::error, "", -1, -1, "", "t1"},
      {"oa_error_first_code_wins", chat, "", R"({"error":{"code":"","code":"c1","code":"c2"}})",
       k::error, "", -1, -1, "", "c1"},
      {"oa_error_type_over_code", chat, "", R"({"error":{"code":"c","type":"t"}})", k::error, "",
       -1, -1, "", "t"},
      {"oa_error_escaped_code", chat, "",
       R"({"error":{"code":"c\u0031","m\u0065ssage":"x\u0021"}})", k::error, "", -1, -1, "", "c1"},
      {"oa_error_escaped_type", chat, "",
       R"({"error":{"type":"server\u005ferror","m\u0065ssage":"x\u0021"},"choices":[{"text":"a\u0021"}]})",
       k::error, "", -1, -1, "", "server_error"},
      {"oa_last_error_object_wins", chat, "", R"({"error":{"type":"a"},"error":{"code":"b"}})",
       k::error, "", -1, -1, "", "b"},
      {"oa_empty_last_error_object", chat, "", R"({"error":{"type":"a"},"error":{},"type":"T"})",
       k::error, "", -1, -1, "", "T"},
      {"oa_error_string_after_object", chat, "", R"({"error":{"type":"a"},"error":"x"})", k::error,
       "", -1, -1, "", "a"},
      {"oa_error_null_after_object", chat, "", R"({"error":{"type":"a"},"error":null})", k::error,
       "", -1, -1, "", "a"},
      {"oa_error_keeps_usage_and_finish", chat, "",
       R"({"error":{"type":"e"},"choices":[{"delta":{"content":"x"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}})",
       k::error, "", 2, 1, "stop", "e"},
      {"oa_object_error_among_repeats", chat, "", R"({"object":"error","object":"x"})", k::error},
      {"oa_object_error_escaped", chat, "", R"({"object":"err\u006fr","type":"T"})", k::error, "",
       -1, -1, "", "T"},
      {"oa_object_not_string", chat, "", R"({"object":1})", k::ignored},
      {"oa_top_type_last_wins", chat, "", R"({"object":"error","type":"A","type":"B"})", k::error,
       "", -1, -1, "", "B"},
      {"oa_top_type_reset_by_non_string", chat, "", R"({"object":"error","type":"A","type":1})",
       k::error},
      {"oa_top_type_escaped", chat, "",
       R"({"object":"error","typ\u0065":"Bad\u0052equest","m\u0065ssage":"m\u0021"})", k::error, "",
       -1, -1, "", "BadRequest"},
      {"oa_top_type_without_error", chat, "", R"({"type":"x","choices":[]})", k::ignored},
  };
}

std::vector<decode_case> anthropic_cases() {
  using k = event_kind;
  return {
      // delta text: the first text/thinking/partial_json key wins, even when empty or not a
      // string.
      {"an_first_text_key_wins_even_empty", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"","text":"x"}})",
       k::preamble},
      {"an_first_text_key_not_string", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_delta","text":1,"text":"x"}})",
       k::preamble},
      {"an_thinking_before_text", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_delta","thinking":"a","text":"b"}})",
       k::content, "a"},
      {"an_text_delta_without_text", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_delta"}})", k::preamble},
      {"an_escaped_values_then_escaped_keys", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_d\u0065lta","t\u0065xt":"a\u0062","s\u0069gnature":"z\u0021"},"x\u0021":"y\u0021"})",
       k::content, "ab"},
      {"an_escaped_top_type", claude, "",
       R"({"typ\u0065":"content_block_d\u0065lta","delta":{"type":"text_delta","text":"q"}})",
       k::content, "q"},
      // delta type, top-level type, stop_reason, error type: the last value wins, and a value
      // that is not a string clears it.
      {"an_delta_type_cleared", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_delta","type":null,"text":"x"}})",
       k::ignored},
      {"an_delta_type_last_wins", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":1,"type":"text_delta","text":"x"}})",
       k::content, "x"},
      {"an_delta_type_kept_over_second_delta", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":{"type":"text_delta"},"delta":{"text":"x"}})",
       k::content, "x"},
      {"an_top_type_cleared_uses_event_name", claude, "message_stop",
       R"({"type":"content_block_stop","type":5})", k::end},
      {"an_top_type_cleared_by_object", claude, "ping", R"({"type":"message_stop","type":{}})",
       k::ignored},
      {"an_top_type_last_wins", claude, "ping", R"({"type":"ping","type":"message_stop"})", k::end},
      {"an_stop_reason_cleared", claude, "message_delta",
       R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_reason":null},"usage":{"output_tokens":3}})",
       k::usage, "", 3},
      {"an_escaped_stop_reason", claude, "message_delta",
       R"({"type":"message_delta","delta":{"stop_reason":"end_t\u0075rn","stop_s\u0065quence":"x\u0021"}})",
       k::preamble, "", -1, -1, "end_turn"},
      {"an_error_type_last_wins", claude, "error",
       R"({"type":"error","error":{"type":"a","type":"b"}})", k::error, "", -1, -1, "", "b"},
      {"an_error_type_cleared", claude, "error",
       R"({"type":"error","error":{"type":"a","type":1}})", k::error},
      {"an_error_type_escaped", claude, "error",
       R"({"type":"error","error":{"type":"api_\u0065rror","m\u0065ssage":"x\u0021"}})", k::error,
       "", -1, -1, "", "api_error"},
      {"an_error_kept_over_second_error", claude, "error",
       R"({"type":"error","error":{"type":"a"},"error":{"message":"m"},"error":null,"error":"s"})",
       k::error, "", -1, -1, "", "a"},
      {"an_error_null", claude, "", R"({"error":null,"type":"error"})", k::error},
      {"an_error_without_error_type", claude, "", R"({"error":{"type":"a"}})", k::ignored},
      {"an_error_event_name_wins", claude, "error", R"({"type":"x"})", k::error},
      {"an_error_drops_usage_and_text", claude, "error",
       R"({"type":"error","usage":{"output_tokens":3},"delta":{"type":"text_delta","text":"x","stop_reason":"s"}})",
       k::error},
      {"an_empty_error_event", claude, "error", " \r\n", k::error},
      {"an_empty_event", claude, "ping", "  ", k::ignored},
      // usage: the last value wins, and a value that is not a count reads as -1.
      {"an_usage_not_count", claude, "message_delta",
       R"({"type":"message_delta","usage":{"output_tokens":3,"output_tokens":"x"}})", k::preamble},
      {"an_usage_negative", claude, "message_delta",
       R"({"type":"message_delta","usage":{"output_tokens":-3}})", k::preamble},
      {"an_usage_null_skipped", claude, "message_delta",
       R"({"type":"message_delta","usage":{"output_tokens":3},"usage":null,"usage":[1]})", k::usage,
       "", 3},
      {"an_usage_input_tokens", claude, "message_delta",
       R"({"type":"message_delta","usage":{"input_tokens":4,"output_tokens":3}})", k::usage, "", 3,
       4},
      {"an_usage_int64_max", claude, "message_delta",
       R"({"type":"message_delta","usage":{"output_tokens":9223372036854775807}})", k::usage, "",
       9223372036854775807},
      {"an_usage_in_delta_not_read", claude, "message_delta",
       R"({"type":"message_delta","delta":{"usage":{"output_tokens":5}}})", k::preamble},
      {"an_start_input_last_wins", claude, "message_start",
       R"({"type":"message_start","message":{"usage":{"input_tokens":5,"input_tokens":1.5}}})",
       k::ignored},
      {"an_start_input_kept_over_second_message", claude, "message_start",
       R"({"type":"message_start","message":{"usage":{"input_tokens":5}},"message":{"x":1},"message":"s"})",
       k::ignored, "", -1, 5},
      {"an_start_output_ignored", claude, "message_start",
       R"({"type":"message_start","message":{"usage":{"output_tokens":5}},"usage":{"input_tokens":7}})",
       k::ignored},
      {"an_start_usage_not_object", claude, "message_start",
       R"({"type":"message_start","message":{"usage":"x"}})", k::ignored},
      // Shapes: only the top level must be an object.
      {"an_delta_string", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":"x"})", k::ignored},
      {"an_delta_array", claude, "content_block_delta",
       R"({"type":"content_block_delta","delta":[{"type":"text_delta","text":"x"}]})", k::ignored},
      {"an_message_string", claude, "message_start", R"({"type":"message_start","message":1})",
       k::ignored},
      {"an_root_array", claude, "ping", "[]", k::malformed},
      {"an_root_null", claude, "ping", "null", k::malformed},
      {"an_invalid_utf8_in_skipped_string", claude, "ping", "{\"x\":\"\xe2\x82\"}", k::malformed},
      {"an_nesting_at_limit", claude, "ping", nested(63), k::ignored},
      {"an_nesting_over_limit", claude, "ping", nested(64), k::malformed},
  };
}

class edge_table : public ::testing::TestWithParam<decode_case> {};

TEST_P(edge_table, Classifies) {
  decode_tables::expect_decodes_as_stated(GetParam());
}

INSTANTIATE_TEST_SUITE_P(openai, edge_table, ::testing::ValuesIn(openai_cases()),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(anthropic, edge_table, ::testing::ValuesIn(anthropic_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(stream_decoder_views, EscapedValuesOutliveOtherDecodersOnTheThread) {
  // An update's views stay valid until the next decode() on the same decoder, whatever other
  // decoders on the thread decode meanwhile.
  auto oa1 = make_stream_decoder(chat);
  auto oa2 = make_stream_decoder(chat);
  auto an1 = make_stream_decoder(claude);
  auto an2 = make_stream_decoder(claude);
  const std::string oa_text =
      R"({"choices":[{"delta":{"content":"one\u0021"},"finish_reason":"st\u006fp"}]})";
  const std::string oa_error = R"({"error":{"type":"typ\u0065_one"}})";
  const std::string an_text =
      R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"one\u0021"}})";
  const std::string an_stop =
      R"({"type":"message_delta","delta":{"stop_reason":"end_t\u0075rn"},"usage":{"output_tokens":1}})";
  const stream_update a = oa1->decode(sse_event{"", oa_text});
  const stream_update b = an1->decode(sse_event{"", an_text});
  const stream_update c = oa2->decode(sse_event{"", oa_error});
  const stream_update d = an2->decode(sse_event{"", an_stop});
  oa2->decode(sse_event{"", R"({"choices":[{"delta":{"content":"two\u0022\u0022\u0022"}}]})"});
  an2->decode(sse_event{"", R"({"type":"x\u0021","delta":{"text":"two\u0022\u0022\u0022"}})"});
  EXPECT_EQ(a.text, "one!");
  EXPECT_EQ(a.finish_reason, "stop");
  EXPECT_EQ(b.text, "one!");
  EXPECT_EQ(c.error_type, "type_one");
  EXPECT_EQ(d.finish_reason, "end_turn");
}

TEST(stream_decoder_views, NoAllocationPerEventWithEscapesEverywhereOnceWarm) {
  const std::string oa[] = {
      R"({"obj\u0065ct":"chat.completion.chunk","choices":[{"delta":{"c\u006fntent":"t\u00e9k"},"finish_reason":"st\u006fp"}],"usage":{"prompt_t\u006fkens":3,"completion_tokens":4}})",
      R"({"error":{"type":"a\u0021","code":"b\u0021"},"type":"c\u0021"})",
      R"({"error":{"code":"b\u0021"}})",
      R"({"object":"error","type":"c\u0021"})",
  };
  const std::string an[] = {
      R"({"type":"content_block_delt\u0061","delta":{"type":"text_delt\u0061","text":"t\u00e9k"}})",
      R"({"type":"message_delta","delta":{"stop_reason":"end_t\u0075rn"},"usage":{"output_tokens":4}})",
      R"({"type":"error","error":{"type":"overloaded\u005ferror"}})",
      R"({"type":"message_start","message":{"usage":{"input_t\u006fkens":3}}})",
  };
  auto oa_dec = make_stream_decoder(chat);
  auto an_dec = make_stream_decoder(claude);
  auto run = [&] {
    int n = 0;
    for (const std::string& e : oa) {
      n += oa_dec->decode(sse_event{"", e}).kind != event_kind::malformed;
    }
    for (const std::string& e : an) {
      n += an_dec->decode(sse_event{"", e}).kind != event_kind::malformed;
    }
    return n;
  };
  for (int i = 0; i < 3; ++i) {
    run();
  }
  test::count_allocations counter;
  int good = 0;
  for (int i = 0; i < 100; ++i) {
    good += run();
  }
  EXPECT_EQ(good, 800);
  EXPECT_EQ(counter.count(), 0u);
}

}  // namespace edges
}  // namespace
}  // namespace gb::protocol
