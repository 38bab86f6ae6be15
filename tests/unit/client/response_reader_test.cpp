#include "client/response_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gb::client {
namespace {

using metrics::outcome;

std::string chunk(const std::string& s) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", s.size());
  return std::string(size) + "\r\n" + s + "\r\n";
}

std::string sse(const std::string& data) {
  return chunk("data: " + data + "\n\n");
}

const std::string stream_head =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
    "Transfer-Encoding: chunked\r\nx-cache: HIT\r\n\r\n";

std::string openai_chunk(const std::string& delta, const char* finish = "null") {
  return sse(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",)"
             R"("choices":[{"index":0,"delta":)" +
             delta + R"(,"finish_reason":)" + finish + "}]}");
}

const std::string role = openai_chunk(R"({"role":"assistant","content":""})");
std::string content(const char* t) {
  return openai_chunk(std::string(R"({"content":")") + t + "\"}");
}
const std::string finish = openai_chunk("{}", "\"stop\"");
const std::string usage =
    sse(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],)"
        R"("usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}})");
const std::string done = sse("[DONE]");
const std::string last_chunk = "0\r\n\r\n";

struct fed {
  metrics::request_record rec;
  response_reader rd;
};

/// Feeds (bytes, timestamp) pieces and returns the reader's state.
void feed_all(fed& f, protocol::dialect d, const std::vector<std::pair<std::string, int>>& parts) {
  f.rec.clear();
  f.rd.begin(d, f.rec);
  for (const auto& [bytes, ts] : parts) {
    if (f.rd.feed(bytes, ts)) {
      break;
    }
  }
}

TEST(ResponseReader, OpenAiStreamTimestampsAndUsage) {
  fed f;
  f.rd.set_split_header("x-cache");
  f.rd.set_capture_text(true);
  feed_all(f, protocol::dialect::openai_chat,
           {{stream_head, 100},
            {role, 200},
            {content("a"), 300},
            {content("b"), 450},
            {content("c"), 470},
            {finish + usage + done + last_chunk, 500}});
  ASSERT_TRUE(f.rd.finished());
  EXPECT_EQ(f.rec.fate.kind, outcome::ok) << f.rec.fate.reason;
  EXPECT_EQ(f.rec.first_byte_ns, 100);
  EXPECT_EQ(f.rec.first_content_ns, 300) << "the role chunk is not content";
  EXPECT_EQ(f.rec.itl_gaps, (std::vector<std::int64_t>{150, 20}));
  EXPECT_EQ(f.rec.content_events, 3);
  EXPECT_EQ(f.rec.usage_output_tokens, 3);
  EXPECT_EQ(f.rec.usage_input_tokens, 5);
  EXPECT_EQ(f.rec.done_ns, 500);
  EXPECT_TRUE(f.rec.streamed);
  EXPECT_TRUE(f.rd.reusable());
  EXPECT_EQ(f.rd.text(), "abc");
  EXPECT_EQ(f.rd.head().split_value, "HIT");
}

TEST(ResponseReader, SplitAtEveryByteGivesTheSameResult) {
  const std::string all =
      stream_head + role + content("x") + content("y") + finish + usage + done + last_chunk;
  fed f;
  f.rec.clear();
  f.rd.begin(protocol::dialect::openai_chat, f.rec);
  bool finished = false;
  for (std::size_t i = 0; i < all.size() && !finished; ++i) {
    finished = f.rd.feed(std::string_view(all).substr(i, 1), static_cast<std::int64_t>(i + 1));
  }
  ASSERT_TRUE(finished);
  EXPECT_EQ(f.rec.fate.kind, outcome::ok);
  EXPECT_EQ(f.rec.content_events, 2);
  EXPECT_EQ(f.rec.itl_gaps.size(), 1u);
  EXPECT_GT(f.rec.first_content_ns, f.rec.first_byte_ns);
  EXPECT_EQ(f.rec.usage_output_tokens, 3);
  EXPECT_TRUE(f.rd.reusable());
}

struct fate_case {
  const char* name;
  std::string bytes;
  bool eof;  // the peer closes after the bytes
  outcome want;
  const char* reason;  // substring of the reason ("" to skip)
  int status;
  bool reusable;
};

TEST(ResponseReader, EveryEndingMapsToOneOutcome) {
  const std::string json_429 = R"({"error":{"message":"slow down","type":"rate_limit_exceeded"}})";
  const std::string body_ok =
      R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"hello there"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}})";
  const fate_case cases[] = {
      {"complete", stream_head + role + content("a") + done + last_chunk, false, outcome::ok, "",
       200, true},
      {"no end marker", stream_head + role + content("a") + last_chunk, false,
       outcome::protocol_error, "truncated", 200, true},  // the HTTP message itself was complete
      {"eof mid stream", stream_head + role + content("a"), true, outcome::protocol_error, "", 200,
       false},
      {"eof after end marker", stream_head + content("a") + done, true, outcome::ok, "", 200,
       false},
      {"error event",
       stream_head + content("a") + sse(R"({"error":{"message":"boom","type":"server_error"}})"),
       false, outcome::stream_error, "", 200, false},
      {"invalid json event", stream_head + sse("{not json"), false, outcome::protocol_error, "",
       200, false},
      {"http 429",
       "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
       "Content-Length: " +
           std::to_string(json_429.size()) + "\r\n\r\n" + json_429,
       false, outcome::http_status, "", 429, true},
      {"http 503 close",
       "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
       "Content-Length: 2\r\n\r\n{}",
       false, outcome::http_status, "", 503, false},
      {"non-stream ok",
       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body_ok.size()) + "\r\n\r\n" + body_ok,
       false, outcome::ok, "", 200, true},
      {"non-stream invalid json", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nnope!", false,
       outcome::protocol_error, "", 200, true},
      {"garbage status line", "SSH-2.0-OpenSSH\r\n\r\n", false, outcome::protocol_error, "", 0,
       false},
      {"eof before any byte", "", true, outcome::protocol_error, "eof", 0, false},
      {"eof in headers", "HTTP/1.1 200 OK\r\nContent-Ty", true, outcome::protocol_error, "", 0,
       false},
  };
  for (const auto& c : cases) {
    fed f;
    feed_all(f, protocol::dialect::openai_chat, {{c.bytes, 10}});
    if (c.eof) {
      f.rd.on_eof(20);
    }
    ASSERT_TRUE(f.rd.finished()) << c.name;
    EXPECT_EQ(f.rec.fate.kind, c.want) << c.name << " reason=" << f.rec.fate.reason;
    EXPECT_NE(std::string(f.rec.fate.reason).find(c.reason), std::string::npos)
        << c.name << " reason=" << f.rec.fate.reason;
    if (c.want == outcome::http_status) {
      EXPECT_EQ(f.rec.fate.http_status, c.status) << c.name;
    }
    if (c.want == outcome::stream_error || c.want == outcome::protocol_error) {
      EXPECT_FALSE(f.rec.fate.reason.empty()) << c.name;
    }
    EXPECT_EQ(f.rd.reusable(), c.reusable) << c.name;
  }
}

TEST(ResponseReader, NonStreamUsesUsageAndTimesTheBody) {
  const std::string body =
      R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"one two three"},"finish_reason":"stop"}]})";
  fed f;
  feed_all(f, protocol::dialect::openai_chat,
           {{"HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n", 5},
            {body, 9}});
  ASSERT_TRUE(f.rd.finished());
  EXPECT_EQ(f.rec.fate.kind, outcome::ok);
  EXPECT_EQ(f.rec.first_byte_ns, 5);
  EXPECT_EQ(f.rec.done_ns, 9);
  EXPECT_EQ(f.rec.usage_output_tokens, -1);
  EXPECT_EQ(f.rec.counted_output_tokens, 3) << "no usage: words are counted";
  EXPECT_EQ(f.rec.output_tokens(), 3);
  EXPECT_FALSE(f.rec.streamed);
}

// A whole body in one read is decoded where it lies; a body split over reads must be kept by
// the reader, since each read's bytes are overwritten by the next (the buffer is scribbled over
// after every feed here). Plain and chunked framing, every split point, one reader reused.
TEST(ResponseReader, NonStreamBodySplitAcrossReadsIsKept) {
  const std::string body =
      R"({"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"one two three"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":4,"completion_tokens":3,"total_tokens":7}})";
  const std::string plain =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                              chunk(body.substr(0, 50)) + chunk(body.substr(50)) + last_chunk;
  fed f;
  for (const std::string* all : {&plain, &chunked}) {
    for (std::size_t k = 1; k < all->size(); ++k) {
      f.rec.clear();
      f.rd.begin(protocol::dialect::openai_chat, f.rec);
      std::string buf = all->substr(0, k);
      bool done = f.rd.feed(buf, 1);
      ASSERT_FALSE(done) << "split at " << k;
      buf.assign(buf.size(), '#');  // the next read lands where the last one was
      buf = all->substr(k);
      done = f.rd.feed(buf, 2);
      ASSERT_TRUE(done) << "split at " << k;
      EXPECT_EQ(f.rec.fate.kind, outcome::ok) << "split at " << k << ": " << f.rec.fate.reason;
      EXPECT_EQ(f.rec.usage_output_tokens, 3) << "split at " << k;
      EXPECT_EQ(f.rec.counted_output_tokens, 3) << "split at " << k;
    }
  }
}

TEST(ResponseReader, AnthropicStream) {
  auto ev = [](const std::string& type, const std::string& data) {
    return chunk("event: " + type + "\ndata: " + data + "\n\n");
  };
  const std::string parts[] = {
      ev("message_start",
         R"({"type":"message_start","message":{"id":"m","type":"message","role":"assistant",)"
         R"("content":[],"model":"x","usage":{"input_tokens":12,"output_tokens":1}}})"),
      ev("content_block_start",
         R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
      ev("ping", R"({"type": "ping"})"),
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"),
      ev("content_block_delta",
         R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" yo"}})"),
      ev("content_block_stop", R"({"type":"content_block_stop","index":0})"),
      ev("message_delta",
         R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
         R"("usage":{"output_tokens":2}})"),
      ev("message_stop", R"({"type":"message_stop"})") + last_chunk,
  };
  fed f;
  std::vector<std::pair<std::string, int>> in{{stream_head, 1}};
  int ts = 10;
  for (const auto& p : parts) {
    in.emplace_back(p, ts);
    ts += 10;
  }
  feed_all(f, protocol::dialect::anthropic_messages, in);
  ASSERT_TRUE(f.rd.finished());
  EXPECT_EQ(f.rec.fate.kind, outcome::ok) << f.rec.fate.reason;
  EXPECT_EQ(f.rec.first_content_ns, 40);
  EXPECT_EQ(f.rec.itl_gaps, (std::vector<std::int64_t>{10}));
  EXPECT_EQ(f.rec.usage_output_tokens, 2);
  EXPECT_EQ(f.rec.usage_input_tokens, 12);
  EXPECT_EQ(f.rec.done_ns, 80);
}

TEST(ResponseReader, ExternalFailureIsFinalAndKeepsFirstFate) {
  fed f;
  feed_all(f, protocol::dialect::openai_chat, {{stream_head + role, 1}});
  ASSERT_FALSE(f.rd.finished());
  metrics::request_fate t;
  t.kind = outcome::timeout;
  t.phase = metrics::timeout_phase::idle;
  f.rd.fail(t, 99);
  f.rd.on_eof(120);
  EXPECT_EQ(f.rec.fate.kind, outcome::timeout);
  EXPECT_EQ(f.rec.fate.phase, metrics::timeout_phase::idle);
  EXPECT_EQ(f.rec.done_ns, 99);
  EXPECT_FALSE(f.rd.reusable());
}

}  // namespace
}  // namespace gb::client
