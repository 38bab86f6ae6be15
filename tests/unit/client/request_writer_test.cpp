#include "client/request_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace gb::client {
namespace {

request_writer make(scenario::target t, std::vector<scenario::header> extra = {}) {
  auto u = parse_url(t.url);
  EXPECT_TRUE(u) << u.message();
  return request_writer(t, *u, extra);
}

TEST(RequestWriter, PathFromDialectAndPrefix) {
  struct c {
    const char* url;
    protocol::dialect api;
    const char* path;
    const char* want;
  } cases[] = {
      {"http://h:1", protocol::dialect::openai_chat, "", "/v1/chat/completions"},
      {"http://h:1/v1", protocol::dialect::openai_chat, "", "/v1/chat/completions"},
      {"http://h:1/gw", protocol::dialect::anthropic_messages, "", "/gw/v1/messages"},
      {"http://h:1/gw", protocol::dialect::openai_chat, "/custom", "/custom"},
      {"http://h:1", protocol::dialect::openai_embeddings, "x/y", "/x/y"},
  };
  for (const auto& k : cases) {
    scenario::target t;
    t.url = k.url;
    t.api = k.api;
    t.path = k.path;
    EXPECT_EQ(make(t).path(), k.want) << k.url;
  }
}

TEST(RequestWriter, HeadHasFramingIdAndHeaders) {
  scenario::target t;
  t.url = "http://example.test:8080";
  t.headers = {{"Authorization", "Bearer k", true}, {"Content-Length", "5", false}};
  auto w = make(t, {{"x-extra", "1", false}});
  std::string head;
  w.write_head(123, 42, head);
  EXPECT_TRUE(head.starts_with("POST /v1/chat/completions HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("\r\nHost: example.test:8080\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nAuthorization: Bearer k\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nx-extra: 1\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nx-request-id: gb-42\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Length: 123\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length: 5"), std::string::npos) << "user framing headers dropped";
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
  // Reuse keeps the same shape.
  w.write_head(7, 43, head);
  EXPECT_NE(head.find("Content-Length: 7\r\n"), std::string::npos);
  EXPECT_NE(head.find("gb-43"), std::string::npos);
  EXPECT_EQ(head.find("gb-42"), std::string::npos);
}

TEST(RequestWriter, HeadIntoABufferMatchesTheStringForm) {
  scenario::target t;
  t.url = "http://example.test:8080";
  t.headers = {{"Authorization", "Bearer k", true}};
  auto w = make(t);
  const std::uint64_t ids[] = {0, 42, UINT64_MAX};
  const std::size_t lengths[] = {0, 123, SIZE_MAX};
  for (const std::uint64_t id : ids) {
    for (const std::size_t len : lengths) {
      std::string want;
      w.write_head(len, id, want);
      char buf[1024];
      const std::size_t n = w.write_head(len, id, buf, sizeof buf);
      EXPECT_EQ(std::string(buf, n), want) << id << " " << len;
      // Too small a buffer: refused (0), never a truncated head.
      EXPECT_EQ(w.write_head(len, id, buf, want.size() - 1), 0u);
    }
  }
}

// The head is exactly the request line, the headers, the id and the length, for ids and
// lengths of every digit count.
TEST(RequestWriter, HeadIsExactlyHeadersIdAndLength) {
  scenario::target t;
  t.url = "http://example.test:8080/gw";
  t.headers = {{"Authorization", "Bearer k", true}};
  auto w = make(t, {{"x-extra", "1", false}});
  const std::string fixed =
      "POST /gw/v1/chat/completions HTTP/1.1\r\nHost: example.test:8080\r\n"
      "Authorization: Bearer k\r\nx-extra: 1\r\nUser-Agent: gatebench\r\n"
      "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n";
  std::uint64_t id = 0;
  std::string head;
  char buf[1024];
  for (int i = 0; i < 400; ++i) {
    const std::size_t len = static_cast<std::size_t>(i) * static_cast<std::size_t>(i) * 7919;
    const std::string want = fixed + "x-request-id: gb-" + std::to_string(id) +
                             "\r\nContent-Length: " + std::to_string(len) + "\r\n\r\n";
    w.write_head(len, id, head);
    EXPECT_EQ(head, want);
    const std::size_t n = w.write_head(len, id, buf, sizeof buf);
    EXPECT_EQ(std::string(buf, n), want);
    id = id * 3 + static_cast<std::uint64_t>(i) + ((std::uint64_t{5} << 48) & (id << 40));
  }
}

TEST(RequestWriter, AnthropicVersionAddedOnce) {
  scenario::target t;
  t.api = protocol::dialect::anthropic_messages;
  std::string head;
  make(t).write_head(1, 1, head);
  EXPECT_NE(head.find("anthropic-version: 2023-06-01\r\n"), std::string::npos);
  t.headers = {{"anthropic-version", "2024-01-01", false}};
  make(t).write_head(1, 1, head);
  EXPECT_EQ(head.find("2023-06-01"), std::string::npos);
  EXPECT_NE(head.find("anthropic-version: 2024-01-01"), std::string::npos);
}

}  // namespace
}  // namespace gb::client
