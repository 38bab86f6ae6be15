// Inputs found by the fuzz targets (tests/fuzz) and other hostile inputs, kept as regression
// tests: each must be handled without a crash and with the documented result.

#include <gtest/gtest.h>

#include <string>

#include "protocol/http_response.hpp"
#include "protocol/sse_reader.hpp"
#include "protocol/stream_decoder.hpp"

namespace gb::protocol {
namespace {

TEST(regression, DecoderOnlyOpeningBrace) {
  for (dialect d : {dialect::openai_chat, dialect::anthropic_messages}) {
    EXPECT_EQ(make_stream_decoder(d)->decode(sse_event{"", "{"}).kind, event_kind::malformed);
  }
}

TEST(regression, DecoderUnicodeEscapeCutShort) {
  auto dec = make_stream_decoder(dialect::openai_chat);
  EXPECT_EQ(dec->decode(sse_event{"", R"({"choices":[{"delta":{"content":"\ud83d\ude"}}]})"}).kind,
            event_kind::malformed);
  EXPECT_EQ(dec->decode(sse_event{"", R"({"choices":[{"delta":{"content":"\u12"}}]})"}).kind,
            event_kind::malformed);
}

// fuzz_openai_decoder: a high surrogate escape followed by a plain character. RFC 8259 allows it
// (nlohmann/json rejects it); we decode it to U+FFFD and keep the following text.
TEST(regression, LoneHighSurrogateBeforePlainText) {
  auto dec = make_stream_decoder(dialect::openai_chat);
  const stream_update u = dec->decode(sse_event{
      "",
      R"({"choices":[{"index":0,"delta":{"content":"a\"b\\\n\u00e9\ud83d|ude00"},"finisNh_reason":null}]})"});
  EXPECT_EQ(u.kind, event_kind::content);
  EXPECT_EQ(u.text, "a\"b\\\n\xC3\xA9\xEF\xBF\xBD|ude00");
}

// fuzz_openai_decoder / fuzz_anthropic_decoder: numbers that overflow a double are valid JSON
// (nlohmann/json rejects them); they are skipped, and as token counts they read as "absent".
TEST(regression, NumbersBeyondDoubleRange) {
  auto oa = make_stream_decoder(dialect::openai_chat);
  stream_update u = oa->decode(sse_event{
      "", R"({"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1e942}})"});
  EXPECT_EQ(u.kind, event_kind::usage);
  EXPECT_EQ(u.input_tokens, 3);
  EXPECT_EQ(u.output_tokens, -1);
  auto an = make_stream_decoder(dialect::anthropic_messages);
  u = an->decode(sse_event{"message_delta",
                           R"({"type":"message_delta","delta":{"x":1333333333333333333333333333)"
                           R"(3300000011451907952434566484.33333434566484333e9333},)"
                           R"("usage":{"output_tokens":2.5e1}})"});
  EXPECT_EQ(u.kind, event_kind::preamble);  // no usable output_tokens
  EXPECT_EQ(u.output_tokens, -1);
  const std::string digits(400, '7');
  u = oa->decode(sse_event{"", R"({"choices":[],"usage":{"completion_tokens":)" + digits + "}}"});
  EXPECT_EQ(u.kind, event_kind::ignored);
}

// fuzz_openai_decoder (the walker's grammar against nlohmann's): text after a UTF-8 byte order
// mark. nlohmann/json skips the mark; RFC 8259 lets a parser reject it, and the decoders do.
TEST(regression, ByteOrderMarkBeforeTheJson) {
  for (dialect d : {dialect::openai_chat, dialect::anthropic_messages}) {
    auto dec = make_stream_decoder(d);
    EXPECT_EQ(dec->decode(sse_event{"", "\xEF\xBB\xBF\"thinking_delta\""}).kind,
              event_kind::malformed);
    EXPECT_EQ(dec->decode(sse_event{"", "\xEF\xBB\xBF{\"choices\":[]}"}).kind,
              event_kind::malformed);
  }
}

}  // namespace
}  // namespace gb::protocol
