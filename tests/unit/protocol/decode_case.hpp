#pragma once
// One row of the stream decoders' case tables (stream_decoder_test.cpp, its edge cases in
// stream_decoder_edge_test.cpp) and the check every row gets.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "protocol/stream_decoder.hpp"

namespace gb::protocol::decode_tables {

struct decode_case {
  const char* name;
  dialect d;
  std::string event;  // SSE event name
  std::string data;
  event_kind kind;
  std::string text = {};
  std::int64_t output_tokens = -1;
  std::int64_t input_tokens = -1;
  std::string finish_reason = {};
  std::string error_type = {};
};

/// Decodes the row's event with a fresh decoder of its dialect and checks every field.
inline void expect_decodes_as_stated(const decode_case& c) {
  auto dec = make_stream_decoder(c.d);
  const stream_update u = dec->decode(sse_event{c.event, c.data});
  EXPECT_EQ(static_cast<int>(u.kind), static_cast<int>(c.kind));
  EXPECT_EQ(u.text, c.text);
  EXPECT_EQ(u.output_tokens, c.output_tokens);
  EXPECT_EQ(u.input_tokens, c.input_tokens);
  EXPECT_EQ(u.finish_reason, c.finish_reason);
  EXPECT_EQ(u.error_type, c.error_type);
}

}  // namespace gb::protocol::decode_tables
